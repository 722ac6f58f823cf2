"""`clinic`: the clinic_app command line plus the commands that need the network (`enroll`, `sync`) and the
county's lookup before signing (clinic_app never imports requests: both are handed to it here)."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from clinic_app import cli
from clinic_app.cli_core import EXIT_OK, Commands, Context, out
from clinic_app.errors import AuthError, ValidationError
from clinic_app.store import Store


def cmd_enroll(ctx: Context) -> int:
    from sync.client import Client, enroll_new_device, recorded

    a = ctx.args
    name = a.device_name or socket.gethostname()
    if (
        not ctx.db_path.exists()
    ):  # a new device: the clinic's identity, users and data all come from the county
        store, reply, report = enroll_new_device(ctx.db_path, a.key_file, a.server, a.code, name, a.ca_bundle)
        ctx.adopt(store)
        out(f"created {ctx.db_path}")
    else:
        client = Client(ctx.store, a.server, a.ca_bundle)
        reply = client.enroll(a.code, name)
        report = recorded(ctx.store, "enroll", lambda r: client.sync(report=r))
    out(
        f"enrolled as device {reply['device_id']} of clinic {reply['clinic_code']} {reply['clinic_name']};"
        f" the device token is in {reply['token_stored_in']}"
    )
    out(f"first sync: sent {report.pushed}, received {report.pulled}")
    return EXIT_OK


def _enrolled(store: Store) -> bool:
    from clinic_app.syncstate import get_state

    return bool(get_state(store.conn, "server_url"))


def cmd_sync(ctx: Context) -> int:
    if ctx.args.retries < 1 or ctx.args.retries > 20:
        raise ValidationError("retries", "range", "between 1 and 20")
    if not _enrolled(ctx.store):  # said before the sync machinery (requests, pydantic) is loaded
        raise AuthError(
            "not_enrolled", "this device is not enrolled with a county server: run `clinic enroll`"
        )

    from sync.client import Client, recorded, sync_with_retries

    def step(text: str) -> None:
        if ctx.args.verbose:
            sys.stderr.write(f"clinic: sync: {text}\n")
            sys.stderr.flush()

    client = Client(ctx.store)
    if ctx.args.as_user:  # an online sign-in first: account changes this user may make go through
        from clinic_app.cli_core import PASSWORD_ENV, read_password

        password = read_password(PASSWORD_ENV, f"county sign-in, password for {ctx.args.as_user}: ")
        signed = client.sign_in(ctx.args.as_user, password)
        step(f"signed in online as {ctx.args.as_user} ({signed.role})")
    report = recorded(
        ctx.store, "cli", lambda r: sync_with_retries(client, ctx.args.retries, progress=step, report=r)
    )
    out(
        f"sent {report.pushed}, received {report.pulled}; waiting {report.waiting}, "
        f"rejected {report.rejected}, conflicts needing a person {report.conflicts}"
    )
    if report.refused:
        out(
            f"{report.refused} changes were refused by the county and wait for a person to correct them "
            "(the 同步 page of clinic-app lists them)"
        )
    if report.set_aside:
        out(
            f"{report.set_aside} rows from the county could not be stored here and were set aside "
            "(`clinic check` lists them)"
        )
    if report.accounts_waiting:
        out(
            f"{report.accounts_waiting} account changes wait: they need a clinic administrator's online sign-in "
            "(a password change: that user's); run `clinic sync --as ADMIN`"
        )
    return int(report.exit_code)


def county_lookup(store: Store) -> Any:
    """Signing asks the county first when this device is enrolled; a device never enrolled signs provisional
    without loading the sync machinery."""
    if not _enrolled(store):
        return None
    from sync.client import Client

    client = Client(store)
    return client.lookup


SYNC_EXIT_CODES = """exit codes:
  0  synced: everything waiting was sent, everything new received
  1  another failure (the message says what; nothing half-written)
  2  usage: an unknown or missing option
  3  invalid: --retries out of range, or the county refused a change a person must fix
  4  enroll again: this device was never enrolled (run `clinic enroll`) or the county no longer
     accepts its token; also a wrong database key
  5  offline: the county server cannot be reached, or needs a newer Village Clinic; try again later
  6  synced, but conflicts need a person (the 同步 page of clinic-app resolves them)
  7  synced, but the county refused a change of this device: a person must correct it and send it
     again (the 同步 page lists it); said before 6, 8 and 9 when several hold
  8  synced, but rows from the county could not be stored here and were set aside
     (`clinic check` lists them); the rest of the sync went on
  9  synced, but account changes (new user, role, password) wait for a clinic administrator's
     online sign-in: run `clinic sync --as ADMIN` (password from $CLINIC_PASSWORD or a prompt)
  10 the database file is damaged: the message names it and the newest good backup
  11 the disk is full: the message names the file and the free space needed; nothing written
  130  interrupted (Ctrl+C); what was stored stays stored"""


def add_commands(commands: Commands) -> None:
    leaf, sub = commands.leaf, commands.sub
    p = leaf(
        sub, "enroll", cmd_enroll, "enroll this device with the county server (makes the database if new)"
    )
    p.add_argument("--server", required=True, metavar="URL")
    p.add_argument("--code", required=True, help="the one-time enrollment code from the county")
    p.add_argument("--device-name", help="how the county lists this device (default: the computer's name)")
    p.add_argument("--ca-bundle", metavar="FILE", help="the county's CA certificate, if it has its own")
    p = leaf(sub, "sync", cmd_sync, "send waiting changes and receive new ones (exit codes below)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = SYNC_EXIT_CODES
    p.add_argument("--retries", type=int, default=1, help="attempts with backoff on network failures")
    p.add_argument("--verbose", action="store_true", help="say each step (push, pull) on stderr")
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="sign USER in with the county first (password from $CLINIC_PASSWORD or a prompt), so "
        "that the account changes USER may make are sent",
    )


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, extra=(sys.modules[__name__],), county_lookup=county_lookup)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
