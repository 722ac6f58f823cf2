"""`clinic`: the clinic_app command line plus the commands that need the network (`enroll`, `sync`).

clinic_app never imports requests; this module adds the sync commands to its parser."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from clinic_app import cli as base


def cmd_enroll(ctx: base.Context) -> int:
    from sync.client import Client, enroll_new_device, recorded

    a = ctx.args
    name = a.device_name or socket.gethostname()
    if (
        not ctx.db_path.exists()
    ):  # a new device: the clinic's identity, users and data all come from the county
        store, reply, report = enroll_new_device(ctx.db_path, a.key_file, a.server, a.code, name, a.ca_bundle)
        ctx._store = store
        base._out(f"created {ctx.db_path}")
    else:
        client = Client(ctx.store, a.server, a.ca_bundle)
        reply = client.enroll(a.code, name)
        report = recorded(ctx.store, "enroll", lambda r: client.sync(report=r))
    base._out(f"enrolled as device {reply['device_id']} of clinic {reply['clinic_code']} {reply['clinic_name']};"
              f" the device token is in {reply['token_stored_in']}")  # fmt: skip
    base._out(f"first sync: sent {report.pushed}, received {report.pulled}")
    return base.EXIT_OK


def cmd_sync(ctx: base.Context) -> int:
    from sync.client import Client, recorded, sync_with_retries

    if ctx.args.retries < 1 or ctx.args.retries > 20:
        raise base.ValidationError("retries", "range", "between 1 and 20")

    def step(text: str) -> None:
        if ctx.args.verbose:
            sys.stderr.write(f"clinic: sync: {text}\n")
            sys.stderr.flush()

    client = Client(ctx.store)
    report = recorded(
        ctx.store, "cli", lambda r: sync_with_retries(client, ctx.args.retries, progress=step, report=r)
    )
    base._out(f"sent {report.pushed}, received {report.pulled}; waiting {report.waiting}, "
              f"rejected {report.rejected}, conflicts needing a person {report.conflicts}")  # fmt: skip
    return report.exit_code


def _online_lookup(store: Any) -> Any:
    """Signing asks the county first when this device is enrolled (clinic_app.contract_cli calls this)."""
    from clinic_app.syncstate import get_state

    if not get_state(store.conn, "server_url"):
        return None  # never enrolled: sign offline, without loading the network stack
    from sync.client import Client

    client = Client(store)
    return client.lookup


def extend(sub: Any, common: Any, writer: Any, leaf: Callable[..., Any]) -> None:
    from clinic_app import contract_cli

    contract_cli.lookup_factory = _online_lookup
    p = leaf(
        sub, "enroll", cmd_enroll, "enroll this device with the county server (makes the database if new)"
    )
    p.add_argument("--server", required=True, metavar="URL")
    p.add_argument("--code", required=True, help="the one-time enrollment code from the county")
    p.add_argument("--device-name", help="how the county lists this device (default: the computer's name)")
    p.add_argument("--ca-bundle", metavar="FILE", help="the county's CA certificate, if it has its own")
    p = leaf(sub, "sync", cmd_sync, "send waiting changes and receive new ones (exit 0 synced, 5 offline, "
             "6 conflicts need a person)")  # fmt: skip
    p.add_argument("--retries", type=int, default=1, help="attempts with backoff on network failures")
    p.add_argument("--verbose", action="store_true", help="say each step (push, pull) on stderr")


def main(argv: Sequence[str] | None = None) -> int:
    return base.main(argv, extend=extend)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
