"""What every `clinic` command stands on: the context a command gets (the database, who acts, the county's
lookup when the device has one), the shared options, output, exit codes, and the parser built from an explicit
list of command modules. Each domain's commands live with the domain and register themselves here
(``add_commands(commands)``); nothing is registered by import or by setting a module's global."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from clinic_app import __version__
from clinic_app.db import DatabaseError, storage_error
from clinic_app.digits import whole_number
from clinic_app.errors import (
    AuthError,
    ClinicError,
    DatabaseDamaged,
    DiskFull,
    StoreError,
    UsageError,
    ValidationError,
    ValidationErrors,
    error_lines,
)
from clinic_app.store import Store

if TYPE_CHECKING:
    from clinic_app.contracts import Lookup

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INVALID, EXIT_AUTH = 0, 1, 2, 3, 4
EXIT_DAMAGED, EXIT_DISK_FULL = DatabaseDamaged.exit_code, DiskFull.exit_code  # 10, 11
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  done
  {EXIT_FAIL}  another failure (the message says what; nothing half-written)
  {EXIT_USAGE}  usage: an unknown or missing option (--user where one is needed); or no keyring and no --key-file
  {EXIT_INVALID}  invalid input (the message names the field and the rule); nothing written
  {EXIT_AUTH}  wrong password, missing permission, or a database key that is not this database's
  {EXIT_DAMAGED} the database file is damaged: the message names it and the newest good backup
  {EXIT_DISK_FULL} the disk is full: the message names the file and the free space needed; nothing written
  130  interrupted (Ctrl+C); what was stored stays stored"""
REVEAL_HELP = "show whole ID numbers (masked by default): needs --user, and the audit log records it"
PASSWORD_ENV = "CLINIC_PASSWORD"
NEW_PASSWORD_ENV = "CLINIC_NEW_PASSWORD"
DB_ENV = "CLINIC_DB"

Command = Callable[["Context"], int]
CountyLookup = Callable[[Store], "Lookup | None"]  # the county's lookup for this store; None: not enrolled


def default_db_path() -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "VillageClinic" / "clinic.db"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "village-clinic" / "clinic.db"


def out(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def err(text: str) -> None:
    sys.stderr.write(f"clinic: {text}\n")


def whole(text: str) -> int:
    """The ``type`` of a whole-number option: full-width digits (２０２６) read as ASCII, other text refused."""
    try:
        return whole_number("value", text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def read_password(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise AuthError("no_password", f"no password: set {env} or run the command in a terminal")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != first:
        raise ValidationError("password", "mismatch", "the two passwords differ")
    return first


def _offline(_store: Store) -> Lookup | None:
    return None


class Context:
    """One run of a command: its arguments, the database (opened when first used) and the county lookup."""

    def __init__(self, args: argparse.Namespace, county_lookup: CountyLookup = _offline) -> None:
        self.args = args
        self.db_path = Path(args.db or os.environ.get(DB_ENV) or default_db_path())
        self._county_lookup = county_lookup
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path, self.args.key_file)
        return self._store

    def adopt(self, store: Store) -> None:
        """The store a command made (a new database): used, and closed, as if opened here."""
        self._store = store

    def release(self) -> None:
        """Close the database; the next use of ``store`` opens it again (after a restore replaced the file)."""
        self.close()
        self._store = None

    def county_lookup(self) -> Lookup | None:
        """Ask the county before signing, when this device is enrolled (else None: signed provisional)."""
        return self._county_lookup(self.store)

    def actor(self, why: str = "this command changes data") -> Any:
        """Who asked, signed in; ``why`` tells a person who left out --user why it is needed."""
        from clinic_app.users import authenticate

        username = self.args.user
        if not username:
            raise UsageError("--user", "no_user", f"{why}: name yourself with --user NAME")
        return authenticate(self.store, username, read_password(PASSWORD_ENV, f"password for {username}: "))

    def id_numbers(self, rows: list[dict[str, Any]], where: str, resident_key: str = "resident_id") -> None:
        """The rows' ``id_number`` masked; with ``--reveal`` whole, to a signed-in user whose role may see them,
        and recorded in the audit log (``clinic_app.residents.reveal_id_numbers``)."""
        from clinic_app.residents import mask_id_number, reveal_id_numbers

        if not self.args.reveal:
            for r in rows:
                r["id_number"] = mask_id_number(r.get("id_number"))
            return
        actor = self.actor(
            "whole ID numbers are shown only to someone signed in, and the audit log records it"
        )
        shown = [r[resident_key] for r in rows if r.get("id_number")]
        reveal_id_numbers(self.store, actor, shown, where)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class Commands:
    """What a command module registers its commands on: the top level and the options every command shares."""

    def __init__(self, sub: Any, common: argparse.ArgumentParser, writer: argparse.ArgumentParser) -> None:
        self.sub, self.common, self.writer = sub, common, writer

    def group(self, name: str, helptext: str, metavar: str = "ACTION") -> Any:
        """A command with actions (`clinic user add`): the subparsers to add them to."""
        return self.sub.add_parser(name, help=helptext).add_subparsers(
            dest="sub", required=True, metavar=metavar
        )

    def leaf(
        self, group: Any, name: str, func: Command, helptext: str, *, writes: bool = False
    ) -> argparse.ArgumentParser:
        """A command that runs ``func``; ``writes``: it takes ``--user`` (it changes data, or is audited)."""
        p: argparse.ArgumentParser = group.add_parser(
            name,
            parents=[self.writer if writes else self.common],
            help=helptext,
            description=helptext,
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p


class CommandModule(Protocol):
    def add_commands(self, commands: Commands) -> None: ...


def build_parser(modules: Sequence[CommandModule]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clinic",
        description="Village Clinic on the command line",
        epilog="--db, --key-file and --user go before the command (clinic --db X ledger …) or after it; "
        "given in both places, the one after the command counts.",
    )
    parser.add_argument("--version", action="version", version=f"clinic {__version__}")
    # The same options on the top parser and on every command. A command's copy defaults to SUPPRESS, so it
    # sets the value only when typed after the command, and then it wins over the one typed before.
    common = argparse.ArgumentParser(add_help=False)
    for target, default in ((parser, None), (common, argparse.SUPPRESS)):
        target.add_argument(
            "--db",
            metavar="PATH",
            default=default,
            help=f"database file (default: ${DB_ENV} or {default_db_path()})",
        )
        target.add_argument(
            "--key-file",
            metavar="PATH",
            default=default,
            help="key file, where the OS has no keyring (or $CLINIC_KEY_FILE)",
        )
    writer = argparse.ArgumentParser(add_help=False, parents=[common])  # parents are copied: after common's
    for target, default in ((parser, None), (writer, argparse.SUPPRESS)):
        target.add_argument(
            "--user",
            metavar="NAME",
            default=default,
            help=f"who does this (password from ${PASSWORD_ENV} or a prompt)",
        )
    commands = Commands(
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), common, writer
    )
    for module in modules:
        module.add_commands(commands)
    return parser


def _with_backup(error: ClinicError, ctx: Context) -> ClinicError:
    """A damaged database's error names the newest good backup (found with this database's key)."""
    if not isinstance(error, DatabaseDamaged) or error.looked:
        return error
    from clinic_app.health import with_newest_backup
    from clinic_app.keystore import load_key

    try:
        key: bytes | None = load_key(ctx.db_path, ctx.args.key_file)
    except ClinicError:
        key = None
    return with_newest_backup(error, key)


def run(
    argv: Sequence[str] | None, modules: Sequence[CommandModule], county_lookup: CountyLookup = _offline
) -> int:
    """Parse, run the command, and turn an expected failure into its message and exit code."""
    parser = build_parser(modules)
    args = parser.parse_args(argv)  # exits 2 on a usage error
    ctx = Context(args, county_lookup)
    try:
        return int(args.func(ctx))
    except (ValidationError, ValidationErrors) as exc:
        for line in error_lines(exc):
            err(line)
        return EXIT_INVALID
    except DatabaseError as exc:  # met while working: damage, a full disk, never a traceback
        clear = storage_error(exc, ctx.db_path) or StoreError(
            f"the database {ctx.db_path} cannot be used: {exc}"
        )
        err(str(_with_backup(clear, ctx)))
        return clear.exit_code
    except ClinicError as exc:
        err(str(_with_backup(exc, ctx)))
        return exc.exit_code
    except KeyboardInterrupt:
        err("interrupted; nothing half-written (every change is one transaction)")
        return 130
    except (
        BrokenPipeError
    ):  # `clinic contract list | head`: the reader has stopped reading, not an error to show
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the exit's flush of stdout does not fail again
        return EXIT_FAIL
    except OSError as exc:
        if (full := storage_error(exc, ctx.db_path)) is not None:
            err(str(full))
            return full.exit_code
        # a folder that does not exist, a file not allowed: not a traceback
        where = str(exc.filename or "").removesuffix(".part")
        err(f"cannot use the file {where}: {exc.strerror or exc}" if where else str(exc))
        return EXIT_FAIL
    except ModuleNotFoundError as exc:  # an incomplete installation: say what is missing, not a traceback
        err(
            f"this installation lacks the Python package {exc.name!r} that `clinic {args.command}` needs: "
            "reinstall Village Clinic (see the README)"
        )
        return EXIT_FAIL
    finally:
        ctx.close()
