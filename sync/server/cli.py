"""`county-server`: run the county server and do its admin tasks.

Exit codes as the `clinic` command: 0 ok, 1 other failure, 2 usage, 3 invalid input (field and rule named),
4 authentication."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clinic_app.errors import ClinicError, ValidationError, error_lines

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INVALID, EXIT_AUTH = 0, 1, 2, 3, 4
URL_ENV = "COUNTY_DATABASE_URL"
PASSWORD_ENV = "COUNTY_NEW_PASSWORD"


def default_url() -> str:
    return os.environ.get(URL_ENV) or f"sqlite:///{Path.cwd() / 'county.db'}"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(f"county-server: {text}\n")


def _engine(args: argparse.Namespace) -> Any:
    from sync.server.db import make_engine

    return make_engine(args.database_url or default_url())


def _initialised(engine: Any) -> Any:
    import sqlalchemy as sa

    if not sa.inspect(engine).has_table("server_meta"):
        raise ClinicError("this database was never initialised: run `county-server init` first")
    return engine


def maintenance_warning(engine: Any) -> str | None:
    """PostgreSQL without autovacuum never refreshes its statistics or reclaims dead rows: the record table grows
    by every sync, its plans go stale and each push costs the database about half again as much CPU."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        if conn.exec_driver_sql("SHOW autovacuum").scalar_one() == "on":
            return None
    return (
        "PostgreSQL's autovacuum is off on this server: turn it on (autovacuum = on in "
        "postgresql.conf), or run VACUUM ANALYZE nightly"
    )


def cmd_init(args: argparse.Namespace) -> int:
    from sync.server import db, reference

    engine = _engine(args)
    db.migrate(engine)  # a SQLite file is made owner-only (0600) when the engine is made
    with engine.begin() as conn:
        if reference.install_default_packages(conn):
            _out(
                "default service packages BASIC, HTN, DM, ELDERLY, MCH loaded (replace with `packages load`)"
            )
        missing = reference.missing_policies(conn, dt.date.today())
    _out(f"county database ready at {engine.url.render_as_string(hide_password=True)}")
    _warn_missing(missing)
    return EXIT_OK


def _warn_missing(missing: list[str]) -> None:
    if missing:
        _err(
            f"county parameters not set yet: {', '.join(missing)}; until each is set, devices cannot settle the "
            "visits it is for (settlement.*) or keep the capitation ledger (capitation.rate_fen): "
            "`county-server policy set KEY VALUE --from DATE`"
        )


class PathOnly(logging.Filter):
    """uvicorn's access log line with the path alone: a query string may carry personal data (an old client's
    lookup put the ID number there), and the server's log keeps none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:  # client, method, path, version, status
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, its access log passed through ``PathOnly``."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"path_only": {"()": PathOnly}}
    config["loggers"]["uvicorn.access"]["filters"] = ["path_only"]
    return config


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app

    if not 1 <= args.port <= 65535:
        raise ValidationError("port", "range", "a port is between 1 and 65535")
    if args.workers < 1 or args.workers > 64:
        raise ValidationError("workers", "range", "between 1 and 64 worker processes")
    engine = _initialised(_engine(args))
    if (warning := maintenance_warning(engine)) is not None:
        _err(warning)
    if args.workers == 1:
        uvicorn.run(
            create_app(engine=engine),
            host=args.host,
            port=args.port,
            log_level="info",
            proxy_headers=True,
            server_header=False,
            log_config=log_config(),
        )
        return EXIT_OK
    os.environ["COUNTY_DATABASE_URL"] = args.database_url or default_url()
    uvicorn.run(
        "sync.server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
        server_header=False,
        log_config=log_config(),
    )
    return EXIT_OK


def cmd_clinic_add(args: argparse.Namespace) -> int:
    from sync.server import admin

    with _initialised(_engine(args)).begin() as conn:
        admin.add_clinic(conn, args.code, args.name)
    _out(f"clinic {args.code} {args.name} added")
    return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    from sync.server import admin

    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise ValidationError("password", "required", f"set {PASSWORD_ENV} or run in a terminal")
        password = getpass.getpass(f"new password for {args.name}: ")
    with _initialised(_engine(args)).begin() as conn:
        admin.add_user(conn, args.name, args.role, password, args.clinic)
    _out(f"user {args.name} added ({args.role}{', clinic ' + args.clinic if args.clinic else ''})")
    return EXIT_OK


def cmd_enroll_code(args: argparse.Namespace) -> int:
    from sync.server import admin

    if not 1 <= args.hours <= 24 * 30:
        raise ValidationError("hours", "range", "an enrollment code lives 1 hour to 30 days")
    with _initialised(_engine(args)).begin() as conn:
        code = admin.make_enroll_code(conn, args.clinic, args.hours)
    _out(code)
    _err(f"one-time code for clinic {args.clinic}, valid {args.hours} hours")
    return EXIT_OK


def cmd_device_list(args: argparse.Namespace) -> int:
    from sync.server import admin

    with _initialised(_engine(args)).begin() as conn:
        devices = admin.list_devices(conn)
    for d in devices:
        state = f"revoked {d['revoked_at']}" if d["revoked_at"] else "active"
        _out(
            f"{d['id']}\t{d['code'] or 'county'}\t{d['name']}\t{state}\tlast seen {d['last_seen_at'] or 'never'}"
        )
    if not devices:
        _out("no devices enrolled (`county-server enroll-code --clinic CODE` makes a one-time code)")
    return EXIT_OK


def cmd_device_revoke(args: argparse.Namespace) -> int:
    from sync.server import admin

    with _initialised(_engine(args)).begin() as conn:
        admin.revoke_device(conn, args.id)
    _out(f"device {args.id} revoked")
    return EXIT_OK


def cmd_catalog_load(args: argparse.Namespace) -> int:
    from sync.server import reference

    with _initialised(_engine(args)).begin() as conn:
        report = reference.load_catalog(conn, Path(args.file))
    _out(
        f"drug catalog: {report.rows} rows, {report.changed} new or changed; devices receive them on their next sync"
    )
    return EXIT_OK


def cmd_prices_load(args: argparse.Namespace) -> int:
    from sync.server import reference

    with _initialised(_engine(args)).begin() as conn:
        report = reference.load_prices(conn, Path(args.file))
    _out(
        f"service prices: {report.rows} rows, {report.changed} new or changed; devices receive them on their next "
        "sync"
    )
    return EXIT_OK


def cmd_packages_load(args: argparse.Namespace) -> int:
    from sync.server import reference

    with _initialised(_engine(args)).begin() as conn:
        report = reference.load_packages(conn, Path(args.file))
    _out(
        f"service packages: {report.rows} in the file, {report.changed} new, changed or withdrawn; devices "
        "receive them on their next sync"
    )
    return EXIT_OK


def cmd_policy_set(args: argparse.Namespace) -> int:
    from sync.server import reference

    with _initialised(_engine(args)).begin() as conn:
        reference.set_policy(conn, args.key, args.value, args.effective_from)
        missing = reference.missing_policies(conn, dt.date.today())
    _out(f"policy {args.key} = {args.value} from {args.effective_from}")
    _warn_missing(missing)
    return EXIT_OK


def cmd_conflicts_list(args: argparse.Namespace) -> int:
    from sync.server import county

    with _initialised(_engine(args)).begin() as conn:
        rows = county.list_conflicts(conn, args.all)
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for c in rows:
        state = f"resolved {c['resolved_at']} ({c['resolution']['keep']})" if c["resolved_at"] else "open"
        fields = ", ".join(
            f"{k}={v}" for k, v in sorted(c["device_fields"].items()) if k not in ("id", "updated_at")
        )
        sent = f"\tdevice sent: {fields}" if fields else ""
        _out(
            f"{c['id']}\t{c['clinic_code'] or '-'}\t{c['kind']}\t{c['table']} {c['row_id']}\t{state}\t"
            f"{c['message']}{sent}"
        )
    if not rows:
        _out("no conflicts waiting for a person")
    return EXIT_OK


def cmd_conflicts_resolve(args: argparse.Namespace) -> int:
    from sync.server import county

    actor = args.by or os.environ.get("USER") or "county-server"
    with _initialised(_engine(args)).begin() as conn:
        county.resolve_conflict(conn, args.id, args.keep, actor, args.note or "")
    _out(
        f"conflict {args.id} resolved: kept the {args.keep}'s version; the clinic's devices see it on their next sync"
    )
    return EXIT_OK


def cmd_report_indicators(args: argparse.Namespace) -> int:
    from clinic_app.chronic_indicators import period_bounds, text_lines
    from sync.server import chronic_index

    period_bounds(args.period)  # a bad year is refused before the database is opened
    with _initialised(_engine(args)).connect() as conn:
        report = chronic_index.county_report(conn, args.period)
    if not report["indexed"]:
        _err(
            "the chronic-care index holds none of the registrations stored: run `county-server report rebuild-index`"
        )
    if args.json:
        _out(json.dumps(report, ensure_ascii=False, indent=1))
        return EXIT_OK
    groups = [*((c["code"], c) for c in report["clinics"]), ("county", report["county"])]
    for line in text_lines(report, groups, "every clinic"):
        _out(line)
    return EXIT_OK


def cmd_report_rebuild_index(args: argparse.Namespace) -> int:
    from sync.server import chronic_index

    with _initialised(_engine(args)).begin() as conn:
        counts = chronic_index.rebuild(conn)
    _out(
        f"chronic-care index rebuilt: {counts['registrations']} registrations, {counts['followups']} follow-ups, "
        f"{counts['patient_years']} patient-years"
    )
    return EXIT_OK


def cmd_report_trace_codes(args: argparse.Namespace) -> int:
    from sync.server import trace_codes

    with _initialised(_engine(args)).begin() as conn:
        rows = trace_codes.report(conn)
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for r in rows:
        later = ", ".join(f"{s['clinic']} ({s['flagged_at'][:10]})" for s in r["also_sold_at"])
        _out(f"{r['code']}\tfirst sold at {r['first_clinic']}\talso sold at {later}")
    _out(f"{len(rows)} trace code(s) sold at more than one clinic")
    return EXIT_OK


def county_keep_choices() -> tuple[str, ...]:
    from sync.server.county import keep_choices
    from sync.server.rules import county_records

    return keep_choices(county_records())


def build_parser() -> argparse.ArgumentParser:
    from clinic_app.users import COUNTY_ROLES, ROLES

    parser = argparse.ArgumentParser(
        prog="county-server",
        description="Village Clinic county server",
        epilog="--database-url goes before the command (county-server --database-url URL init) or after it; "
        "given in both places, the one after the command counts.",
    )
    # A command's copy of the option defaults to SUPPRESS: it counts only when typed after the command.
    common = argparse.ArgumentParser(add_help=False)
    for target, default in ((parser, None), (common, argparse.SUPPRESS)):
        target.add_argument(
            "--database-url",
            metavar="URL",
            default=default,
            help=f"sqlite:///FILE or postgresql://… (default ${URL_ENV} or ./county.db)",
        )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(group: Any, name: str, func: Callable[[argparse.Namespace], int], helptext: str) -> Any:
        p = group.add_parser(name, parents=[common], help=helptext, description=helptext)
        p.set_defaults(func=func)
        return p

    leaf(sub, "init", cmd_init, "create or upgrade the county database")
    p = leaf(sub, "serve", cmd_serve, "run the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8800)
    p.add_argument("--workers", type=int, default=1, help="worker processes (the API is stateless)")
    clinics = sub.add_parser("clinic", help="clinics").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(clinics, "add", cmd_clinic_add, "add a clinic")
    p.add_argument("code")
    p.add_argument("name")
    users = sub.add_parser("user", help="users").add_subparsers(dest="sub", required=True, metavar="ACTION")
    p = leaf(users, "add", cmd_user_add, f"add a user (password from ${PASSWORD_ENV} or a prompt)")
    p.add_argument("name")
    p.add_argument("--role", required=True, help=", ".join(ROLES + COUNTY_ROLES))
    p.add_argument("--clinic", metavar="CODE", help="the clinic of a clinic role")
    p = leaf(
        sub,
        "enroll-code",
        cmd_enroll_code,
        "print a one-time, expiring enrollment code for a clinic's device",
    )
    p.add_argument("--clinic", required=True, metavar="CODE")
    p.add_argument("--hours", type=int, default=72)
    devices = sub.add_parser("device", help="enrolled devices").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    leaf(devices, "list", cmd_device_list, "list devices")
    p = leaf(devices, "revoke", cmd_device_revoke, "revoke a device's token")
    p.add_argument("id")
    catalog = sub.add_parser("catalog", help="drug catalog").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(catalog, "load", cmd_catalog_load, "load the drug catalog from a CSV file (all rows or none)")
    p.add_argument("file")
    prices = sub.add_parser("prices", help="the price list of services").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(
        prices,
        "load",
        cmd_prices_load,
        "load the price list of services from a CSV file: code, name, price_fen, insurance_category, unit "
        "(all rows or none)",
    )
    p.add_argument("file")
    packs = sub.add_parser("packages", help="service packages").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(
        packs,
        "load",
        cmd_packages_load,
        "replace the county's service packages from a JSON file (all or none)",
    )
    p.add_argument("file")
    policies = sub.add_parser("policy", help="county parameters").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(policies, "set", cmd_policy_set, "set a county parameter from a date on")
    p.add_argument("key")
    p.add_argument("value")
    p.add_argument("--from", dest="effective_from", required=True, metavar="DATE")
    conflicts = sub.add_parser("conflicts", help="conflicts between clinics").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(conflicts, "list", cmd_conflicts_list, "list the conflicts that need a county reviewer")
    p.add_argument("--all", action="store_true", help="resolved ones too")
    p.add_argument("--json", action="store_true")
    p = leaf(
        conflicts,
        "resolve",
        cmd_conflicts_resolve,
        "decide a conflict: keep the server's or the device's version",
    )
    p.add_argument("id")
    p.add_argument(
        "--keep",
        required=True,
        choices=county_keep_choices(),
        help="an edit: server or device; a contract signed twice: transfer (the later one stands) or cancel; "
        "a trace code sold at two clinics: acknowledged",
    )
    p.add_argument("--note", help="why (kept with the decision, shown on the clinic's devices)")
    p.add_argument("--by", help="who decided (default: your login name)")
    reports = sub.add_parser("report", help="county reports").add_subparsers(
        dest="sub", required=True, metavar="ACTION"
    )
    p = leaf(
        reports,
        "indicators",
        cmd_report_indicators,
        "chronic-care indicators of a year over every clinic (RULES §5): per clinic and the county",
    )
    p.add_argument("--period", required=True, metavar="YEAR", help="the calendar year, e.g. 2026")
    p.add_argument("--json", action="store_true")
    leaf(
        reports,
        "rebuild-index",
        cmd_report_rebuild_index,
        "index every chronic-care row held afresh (rows stored before the index came)",
    )
    p = leaf(
        reports, "trace-codes", cmd_report_trace_codes, "trace codes sold at more than one clinic (RULES §7)"
    )
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)  # the parser names the county's choices (sync.server.county)
        return int(args.func(args))
    except ValidationError as exc:
        for line in error_lines(exc):
            _err(line)
        return EXIT_INVALID
    except ClinicError as exc:
        _err(str(exc))
        return exc.exit_code
    except (
        ModuleNotFoundError
    ) as exc:  # installed without the server's packages (the desktop's plain install)
        _err(
            f"the county server needs the package {exc.name!r}, which this installation lacks: install the "
            "server's packages in its own environment (pip install -c constraints.txt '.[server]')"
        )
        return EXIT_FAIL
    except Exception as exc:  # a database that cannot be reached, a bad URL: a message, not a traceback
        from sqlalchemy.exc import ArgumentError, OperationalError

        if isinstance(exc, OperationalError | ArgumentError):
            _err(f"cannot use the database: {str(exc).splitlines()[0]}")
            return EXIT_FAIL
        raise


if __name__ == "__main__":
    sys.exit(main())
