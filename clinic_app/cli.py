"""`clinic`: the headless command line on the same database as the desktop program.

Exit codes: 0 ok, 1 other failure, 2 usage, 3 invalid input (the message names the field and the rule),
4 authentication (wrong password, locked account, wrong or missing database key)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clinic_app import __version__
from clinic_app.errors import AuthError, ClinicError, ValidationError, ValidationErrors
from clinic_app.store import Store

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INVALID, EXIT_AUTH = 0, 1, 2, 3, 4
PASSWORD_ENV = "CLINIC_PASSWORD"
NEW_PASSWORD_ENV = "CLINIC_NEW_PASSWORD"
DB_ENV = "CLINIC_DB"


def default_db_path() -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "VillageClinic" / "clinic.db"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "village-clinic" / "clinic.db"


def _out(text: str) -> None:
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))


def _err(text: str) -> None:
    sys.stderr.write(f"clinic: {text}\n")


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


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.db_path = Path(args.db or os.environ.get(DB_ENV) or default_db_path())
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path, self.args.key_file)
        return self._store

    def actor(self) -> Any:
        from clinic_app.users import authenticate

        username = self.args.user
        if not username:
            raise AuthError("no_user", "this command changes data: name yourself with --user NAME")
        return authenticate(self.store, username, read_password(PASSWORD_ENV, f"password for {username}: "))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


# -- commands -------------------------------------------------------------------------------------
def cmd_init(ctx: Context) -> int:
    from clinic_app.users import add_user, validate_password, validate_username

    a = ctx.args
    validate_username(a.admin)
    code = a.clinic_code.strip()
    if not code or not code.replace("-", "").isalnum() or len(code) > 32:
        raise ValidationError("clinic_code", "format", "1-32 letters, digits or dashes")
    if not a.clinic_name.strip():
        raise ValidationError("clinic_name", "required", "the clinic name is required")
    password = validate_password(read_password(PASSWORD_ENV, f"new password for {a.admin}: ", confirm=True))
    store, where = Store.initialise(ctx.db_path, code, a.clinic_name.strip(), key_file=a.key_file)
    ctx._store = store
    add_user(store, None, a.admin, "clinic_admin", password)
    _out(f"created {ctx.db_path} for clinic {code} {a.clinic_name.strip()}; the database key is in {where}")
    _out(f"clinic admin: {a.admin}")
    return EXIT_OK


def cmd_user_add(ctx: Context) -> int:
    from clinic_app.users import add_user, validate_password, validate_role, validate_username

    a = ctx.args
    validate_username(a.name)
    validate_role(a.role)
    actor = ctx.actor()
    password = validate_password(
        read_password(NEW_PASSWORD_ENV, f"new password for {a.name}: ", confirm=True)
    )
    user = add_user(ctx.store, actor, a.name, a.role, password, display_name=a.display_name)
    _out(f"user {user.username} added ({user.role})")
    return EXIT_OK


def cmd_user_list(ctx: Context) -> int:
    from clinic_app.users import list_users

    for u in list_users(ctx.store.conn, ctx.store.clinic_id):
        _out(f"{u.username}\t{u.role}\t{u.display_name}")
    return EXIT_OK


def cmd_village_add(ctx: Context) -> int:
    from clinic_app.residents import add_village

    actor = ctx.actor()
    add_village(ctx.store, actor, ctx.args.name, ctx.args.code)
    _out(f"village {ctx.args.name} added")
    return EXIT_OK


def cmd_village_list(ctx: Context) -> int:
    from clinic_app.residents import list_villages

    for v in list_villages(ctx.store.conn, ctx.store.clinic_id):
        _out(f"{v['name']}\t{v['code'] or ''}")
    return EXIT_OK


def cmd_resident_add(ctx: Context) -> int:
    from clinic_app.residents import ResidentInput, add_resident, find_village

    a = ctx.args
    store = ctx.store
    actor = ctx.actor()
    village_id = None
    if a.village:
        village_id = find_village(store.conn, store.clinic_id, a.village)
        if village_id is None:
            raise ValidationError(
                "village",
                "unknown",
                f"no village called {a.village} in this clinic (add it with `clinic village add`)",
            )
    data = ResidentInput(
        name=a.name,
        document_type=a.document_type,
        id_number=a.id_number,
        document_number=a.document_number,
        sex=a.sex,
        birth_date=a.birth_date,
        phone=a.phone,
        village_id=village_id,
        relation_to_head=a.relation,
        note=a.note,
    )
    rid = add_resident(store, actor, data, household_code=a.household)
    _out(f"resident {a.name.strip()} registered ({rid})")
    return EXIT_OK


def cmd_resident_search(ctx: Context) -> int:
    from clinic_app.labels import label
    from clinic_app.residents import mask_id_number, search_residents

    a = ctx.args
    if a.limit < 1 or a.limit > 1000:
        raise ValidationError("limit", "range", "between 1 and 1000")
    page = search_residents(ctx.store.conn, ctx.store.clinic_id, a.query, limit=a.limit)
    rows = []
    for r in page.rows:
        shown = r["id_number"] if a.reveal else mask_id_number(r["id_number"])
        rows.append(
            {
                "id": r["id"],
                "name": r["name"],
                "sex": r["sex"],
                "birth_date": r["birth_date"],
                "id_number": shown,
                "phone": r["phone"],
                "household_id": r["household_id"],
            }
        )
    if a.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:  # the values a doctor reads in Chinese (男/女); --json keeps the codes
            _out(f"{r['name']}\t{label('sex', r['sex'])}\t{r['birth_date']}\t{r['id_number'] or ''}\t"
                 f"{r['phone'] or ''}")  # fmt: skip
        if not rows:
            _out(f"no resident matches {a.query!r}")
    return EXIT_OK


def cmd_import_residents(ctx: Context) -> int:
    from clinic_app.transfer import ImportRejected, import_residents

    path = Path(ctx.args.file)
    if not path.exists():
        raise ValidationError("file", "missing", f"{path} does not exist")
    actor = ctx.actor()
    try:
        report = import_residents(ctx.store, actor, path, skip_invalid=ctx.args.skip_invalid)
    except ImportRejected as exc:
        for w in exc.report.warnings:
            _err(f"warning: {w}")
        for e in exc.report.errors:
            _err(str(e))
        _err(
            f"{exc.report.invalid_rows} of {exc.report.rows_read} rows are invalid; nothing was imported "
            "(fix them, or use --skip-invalid to import the valid rows)"
        )
        return EXIT_INVALID
    for w in report.warnings:
        _err(f"warning: {w}")
    for e in report.errors:
        _err(f"skipped: {e}")
    _out(
        f"imported {report.imported} new residents, updated {report.updated}, {report.unchanged} unchanged"
        + (f", skipped {report.invalid_rows} invalid rows" if report.errors else "")
    )
    return EXIT_OK


def cmd_export_residents(ctx: Context) -> int:
    from clinic_app.transfer import export_residents

    actor = ctx.actor()
    target = Path(ctx.args.output) if ctx.args.output else None
    count, text = export_residents(ctx.store, actor, ctx.args.format, target, headers=ctx.args.headers)
    if text is not None:
        sys.stdout.write(text)
    else:
        _err(f"exported {count} residents to {target}")
    return EXIT_OK


def cmd_demo(ctx: Context) -> int:
    from clinic_app.demo import DEMO_CLINIC, DEMO_USERS, create_demo_database, populate

    a = ctx.args
    if a.residents < 0 or a.residents > 1_000_000:
        raise ValidationError("residents", "range", "between 0 and 1,000,000")
    if not ctx.db_path.exists():
        key_file = a.key_file or os.environ.get("CLINIC_KEY_FILE")
        if not key_file:
            from clinic_app.keystore import keyring_usable

            if not keyring_usable():
                key_file = str(ctx.db_path.with_suffix(".key"))
        if key_file:
            create_demo_database(ctx.db_path, Path(key_file), a.residents, a.seed)
        else:
            raise ValidationError("key_file", "required", "a new demo database needs --key-file PATH")
        _out(
            f"created demo clinic {DEMO_CLINIC[1]} at {ctx.db_path} with {a.residents} residents"
            + (f"; key file {key_file}" if key_file else "")
        )
        _out("users: " + ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items()))
        return EXIT_OK
    actor = ctx.actor()
    made = populate(ctx.store, actor, a.residents, a.seed)
    _out(f"added {made} demo residents")
    return EXIT_OK


def cmd_check(ctx: Context) -> int:
    from clinic_app.db import schema_version
    from clinic_app.migrations import SCHEMA_VERSION

    store = ctx.store
    problems = store.integrity()
    version = schema_version(store.conn)
    if version != SCHEMA_VERSION:
        problems.append(f"schema version {version}, this program expects {SCHEMA_VERSION}")
    unindexed = store.conn.execute(
        """SELECT count(*) FROM resident r WHERE r.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM resident_search_key k WHERE k.resident_id = r.id)"""
    ).fetchone()[0]
    if unindexed:
        problems.append(f"{unindexed} residents have no search keys")
    counts = store.table_counts(["resident", "household", "village", "user", "outbox", "audit_log"])
    _out(f"schema version {version} (current {SCHEMA_VERSION})")
    _out("rows: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    if problems:
        for p in problems:
            _err(p)
        return EXIT_FAIL
    _out("integrity ok")
    return EXIT_OK


def cmd_backup(ctx: Context) -> int:
    target = ctx.store.backup(ctx.args.file)
    _out(f"backup written to {target} (encrypted with this database's key)")
    return EXIT_OK


def cmd_restore(ctx: Context) -> int:
    from clinic_app.db import restore_file

    store = ctx.store
    actor = ctx.actor()
    if not actor.is_admin:
        raise AuthError("permission", "only a clinic admin may restore a backup")
    source = Path(ctx.args.file)
    safety = ctx.db_path.with_name(ctx.db_path.name + ".before-restore.bak")
    if safety.exists():
        safety.unlink()
    store.backup(safety)
    key = store._key
    store.close()
    ctx._store = None
    restore_file(source, ctx.db_path, key)
    restored = ctx.store  # opens, migrates an older backup, proves it is readable
    _out(f"restored {ctx.db_path} from {source}; the previous database is kept as {safety}")
    _out(f"residents: {restored.table_counts(['resident'])['resident']}")
    return EXIT_OK


def cmd_setting_set(ctx: Context) -> int:
    from clinic_app.settings import set_setting

    actor = ctx.actor()
    if not actor.is_admin:
        raise AuthError("permission", "only a clinic admin may change settings")
    with ctx.store.unit(actor.id, "setting.set") as uow:
        value = set_setting(uow.conn, ctx.args.name, ctx.args.value)
        uow.summary = f"setting {ctx.args.name} = {value}"
    _out(f"{ctx.args.name} = {value}")
    return EXIT_OK


def cmd_setting_list(ctx: Context) -> int:
    from clinic_app.settings import SETTINGS, get_setting

    for name, spec in SETTINGS.items():
        _out(f"{name} = {get_setting(ctx.store.conn, name)}\t({spec.description})")
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------------
Extension = Callable[[Any, Any, Any, Callable[..., Any]], None]


def build_parser(extend: Extension | None = None) -> argparse.ArgumentParser:
    """``extend(subparsers, common, writer, leaf)`` adds commands from outside clinic_app (sync, which
    needs the network: clinic_app itself never imports requests)."""
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
        target.add_argument("--db", metavar="PATH", default=default,
                            help=f"database file (default: ${DB_ENV} or {default_db_path()})")  # fmt: skip
        target.add_argument("--key-file", metavar="PATH", default=default,
                            help="key file, where the OS has no keyring (or $CLINIC_KEY_FILE)")  # fmt: skip
    writer = argparse.ArgumentParser(add_help=False, parents=[common])  # parents are copied: after common's
    for target, default in ((parser, None), (writer, argparse.SUPPRESS)):
        target.add_argument("--user", metavar="NAME", default=default,
                            help=f"who does this (password from ${PASSWORD_ENV} or a prompt)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(
        group: Any, name: str, func: Callable[[Context], int], helptext: str, *, writes: bool = False
    ) -> Any:
        p = group.add_parser(
            name, parents=[writer if writes else common], help=helptext, description=helptext
        )
        p.set_defaults(func=func)
        return p

    p = leaf(sub, "init", cmd_init, "create the encrypted database of a clinic and its first admin")
    p.add_argument("--clinic-code", required=True)
    p.add_argument("--clinic-name", required=True)
    p.add_argument(
        "--admin", required=True, metavar="USER", help=f"admin user name (password from ${PASSWORD_ENV})"
    )

    from clinic_app import contract_cli

    contract_cli.add_commands(sub, leaf)

    users = sub.add_parser("user", help="user accounts").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(
        users, "add", cmd_user_add, f"add a user (the new password from ${NEW_PASSWORD_ENV})", writes=True
    )
    p.add_argument("name")
    p.add_argument("--role", required=True, help="village_doctor, nurse, team_member or clinic_admin")
    p.add_argument("--display-name")
    leaf(users, "list", cmd_user_list, "list users")

    villages = sub.add_parser("village", help="villages").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(villages, "add", cmd_village_add, "add a village", writes=True)
    p.add_argument("name")
    p.add_argument("--code")
    leaf(villages, "list", cmd_village_list, "list villages")

    residents = sub.add_parser("resident", help="the resident register").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(residents, "add", cmd_resident_add, "register a resident", writes=True)
    p.add_argument("--id-number")
    p.add_argument("--name", required=True)
    p.add_argument("--phone")
    p.add_argument("--village", help="village name or code")
    p.add_argument("--household", help="household code (户号); a new code creates the household")
    p.add_argument("--relation", help="relation to the head of household: head, spouse, child, parent, ...")
    p.add_argument("--document-type", default="id_card", help="id_card (default), passport or other")
    p.add_argument("--document-number")
    p.add_argument("--sex", help="M or F (derived from an ID number)")
    p.add_argument("--birth-date", help="YYYY-MM-DD (derived from an ID number)")
    p.add_argument("--note")
    p = leaf(
        residents,
        "search",
        cmd_resident_search,
        "find residents by name, pinyin, initials, ID or phone digits",
    )
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--reveal", action="store_true", help="show whole ID numbers (masked by default)")

    imports = sub.add_parser("import", help="import data").add_subparsers(
        dest="sub", required=True, metavar="WHAT"
    )
    p = leaf(imports, "residents", cmd_import_residents, "import residents from .csv or .xlsx (Chinese or English "
             "headers, as export writes them); a registered ID number updates that resident", writes=True)  # fmt: skip
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")

    exports = sub.add_parser("export", help="export data").add_subparsers(
        dest="sub", required=True, metavar="WHAT"
    )
    p = leaf(exports, "residents", cmd_export_residents, "export the resident register", writes=True)
    p.add_argument("--format", required=True, choices=("csv", "xlsx", "json"))
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--headers", choices=("zh", "en"), default="zh",
                   help="zh: Chinese headers and values (default); en: field names and codes, for other "
                   "programs (JSON always has these)")  # fmt: skip

    p = leaf(sub, "demo", cmd_demo, "make a demo clinic (or add demo residents to this one)", writes=True)
    p.add_argument("--residents", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)

    leaf(sub, "check", cmd_check, "check integrity and schema version")
    p = leaf(sub, "backup", cmd_backup, "write an encrypted backup copy")
    p.add_argument("file")
    p = leaf(sub, "restore", cmd_restore, "replace the database with a backup (clinic admin)", writes=True)
    p.add_argument("file")

    settings = sub.add_parser("setting", help="clinic settings").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(settings, "set", cmd_setting_set, "change a setting (clinic admin)", writes=True)
    p.add_argument("name")
    p.add_argument("value")
    leaf(settings, "list", cmd_setting_list, "show the settings")
    if extend is not None:
        extend(sub, common, writer, leaf)
    return parser


def main(argv: Sequence[str] | None = None, extend: Extension | None = None) -> int:
    parser = build_parser(extend)
    args = parser.parse_args(argv)  # exits 2 on a usage error
    ctx = Context(args)
    try:
        return int(args.func(ctx))
    except ValidationErrors as exc:
        for e in exc.errors:
            _err(f"{e.field}: {e.message} [{e.rule}]")
        return EXIT_INVALID
    except ValidationError as exc:
        _err(f"{exc.field}: {exc.message} [{exc.rule}]")
        return EXIT_INVALID
    except ClinicError as exc:
        _err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted; nothing half-written (every change is one transaction)")
        return 130
    except BrokenPipeError:  # `clinic contract list | head`: the reader has stopped reading, not an error to show
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the exit's flush of stdout does not fail again
        return EXIT_FAIL
    except OSError as exc:  # a folder that does not exist, a file not allowed, a full disk: not a traceback
        where = str(exc.filename or "").removesuffix(".part")
        _err(f"cannot use the file {where}: {exc.strerror or exc}" if where else str(exc))
        return EXIT_FAIL
    except ModuleNotFoundError as exc:  # an incomplete installation: say what is missing, not a traceback
        _err(f"this installation lacks the Python package {exc.name!r} that `clinic {args.command}` needs: "
             "reinstall Village Clinic (see the README)")  # fmt: skip
        return EXIT_FAIL
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
