"""County reference data, written only by the county and pulled by every device: the drug catalog, the price
list of services, the service packages and the county's parameters (policy). The files are checked by the domain
(clinic_app.drugs, clinic_app.prices, clinic_app.packages); here they become reference rows of the county scope."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app import chronic, entry_quality, ledger, prescriptions, settlement
from clinic_app.drugs import parse_catalog, read_catalog_file
from clinic_app.errors import ValidationError
from clinic_app.ids import reference_id
from clinic_app.packages import parse_packages, read_packages_file
from clinic_app.prices import parse_prices, read_prices_file
from sync.server import contract, db, throttle
from sync.server.common import COUNTY_SCOPE
from sync.server.db import utc_now
from sync.server.records import RecordStore, load, next_version

POLICY_KEY = re.compile(r"^[a-z][a-z0-9_.]{1,99}$")


@dataclass
class LoadReport:
    rows: int = 0
    changed: int = 0


def check_reference(table: str, natural_key: str, data: dict[str, Any]) -> None:
    """A reference row every device can store, by the registry's columns (64-bit whole numbers, Unicode text,
    lengths, allowed values): the first problem is raised, naming the row and every column at fault."""
    if problems := contract.check_fields(table, data) + contract.check_required(table, data):
        raise ValidationError(
            problems[0].field,
            problems[0].rule,
            f"{table} {natural_key}: " + "; ".join(str(p) for p in problems),
        )


def _write_reference(conn: Connection, table: str, natural_key: str, data: dict[str, Any]) -> bool:
    row_id = reference_id(table, natural_key)
    current = load(conn, table, row_id)
    now = utc_now()
    row = {
        "id": row_id,
        "clinic_id": None,
        "created_at": now,
        "updated_at": now,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        **data,
    }
    check_reference(table, natural_key, row)
    if current is not None:
        old = json.loads(current.data)
        row["created_at"] = old.get("created_at", now)
        if {k: v for k, v in old.items() if k != "updated_at"} == {
            k: v for k, v in row.items() if k != "updated_at"
        }:
            return False
    changed = {k for k in row if current is None or json.loads(current.data).get(k) != row[k]}
    # reference tables have no county rules: a record store without any writes them
    RecordStore().write(conn, table, row_id, None, next_version(conn, COUNTY_SCOPE), row, current, changed)
    return True


def load_catalog(conn: Connection, path: Path) -> LoadReport:
    """Drug catalog CSV (clinic_app.drugs). All rows or none; errors name the row and column."""
    return load_catalog_text(conn, read_catalog_file(path))


def load_catalog_text(conn: Connection, text: str) -> LoadReport:
    rows = parse_catalog(text)
    report = LoadReport(rows=len(rows))
    for row in rows:
        report.changed += _write_reference(conn, "drug", row["code"], row)
    return report


def load_prices(conn: Connection, path: Path) -> LoadReport:
    """The county's price list of services CSV (clinic_app.prices). All rows or none; errors name the row and
    column."""
    rows = parse_prices(read_prices_file(path))
    report = LoadReport(rows=len(rows))
    for row in rows:
        report.changed += _write_reference(conn, "service_price", row["code"], row)
    return report


def load_packages(conn: Connection, path: Path) -> LoadReport:
    """Service packages (clinic_app.packages). All or none; a package left out of the file is withdrawn
    (inactive), so that a county can replace the default set."""
    rows = parse_packages(read_packages_file(path))
    seen = {row["code"] for row in rows}
    report = LoadReport(rows=len(rows))
    for row in rows:
        report.changed += _write_reference(conn, "service_package", row["code"], row)
    for (data,) in conn.execute(
        sa.select(db.record.c.data).where(db.record.c.table_name == "service_package")
    ):
        old = json.loads(data)
        if old["code"] not in seen and old.get("active"):
            report.changed += _write_reference(conn, "service_package", old["code"], {**old, "active": 0})
    return report


def install_default_packages(conn: Connection) -> bool:
    """A new county starts with the default set (a county that loaded its own keeps it)."""
    if conn.execute(
        sa.select(db.record.c.row_id).where(db.record.c.table_name == "service_package").limit(1)
    ).first():
        return False
    from clinic_app.contracts import default_packages_file

    load_packages(conn, default_packages_file())
    return True


# Each domain's keys and how its devices read their values (the rule code of a refusal, None: the reader's own).
_DEVICE_READS: tuple[tuple[Callable[[str], bool], Callable[[str, str], object], str | None], ...] = (
    (chronic.POLICY_DEFAULTS.__contains__, chronic.interval_value, "integer"),  # whole days to the next visit
    (entry_quality.POLICY_DEFAULTS.__contains__, entry_quality.policy_number, "integer"),  # report thresholds
    (lambda key: key.startswith("settlement."), settlement.policy_number, None),  # ratios and amounts
    (
        (ledger.CLAIMS_ELSEWHERE,).__contains__,
        lambda key, text: ledger.claims_elsewhere(text, key),
        None,
    ),  # 0/1
    (
        prescriptions.POLICY_DEFAULTS.__contains__,
        prescriptions.policy_number,
        "integer",
    ),  # days, or 0/1 switches
)


def set_policy(conn: Connection, key: str, value: str, effective_from: str) -> None:
    if not POLICY_KEY.match(key):
        raise ValidationError(
            "key", "format", "a policy key is lower-case letters, digits, dots or underscores"
        )
    try:
        day = dt.date.fromisoformat(effective_from)
    except ValueError:
        raise ValidationError(
            "from", "date_format", f"{effective_from!r} is not a date like 2026-01-01"
        ) from None
    if not value.strip():
        raise ValidationError("value", "required", "the value is required")
    if problems := contract.check_fields(
        "policy", {"key": key, "value": value}
    ):  # before either table is written
        raise problems[0]
    if key in throttle.LIMITS and not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise ValidationError("value", "integer", f"{key} is a whole number of 1 or more")
    for owns, read, rule in _DEVICE_READS:  # a value no device could read never reaches one
        if owns(key):
            try:
                read(key, value)
            except ValidationError as exc:
                raise ValidationError(
                    "value" if exc.field == key else exc.field, rule or exc.rule, exc.message
                ) from None
    existing = conn.execute(
        sa.select(db.policy.c.key).where(
            db.policy.c.key == key, db.policy.c.effective_from == day.isoformat()
        )
    ).first()
    if existing:
        conn.execute(
            sa.update(db.policy)
            .where(db.policy.c.key == key, db.policy.c.effective_from == day.isoformat())
            .values(value=value)
        )
    else:
        conn.execute(
            db.policy.insert().values(
                key=key, effective_from=day.isoformat(), value=value, created_at=utc_now()
            )
        )
    _write_reference(
        conn,
        "policy",
        f"{key}@{day.isoformat()}",
        {"key": key, "value": value, "effective_from": day.isoformat()},
    )


# the county parameters without a default: until each is in force, a device cannot settle visits of its medical
# type (clinic_app.settlement) or keep the capitation ledger (clinic_app.ledger)
REQUIRED_POLICIES = (*sorted(settlement.all_policy_keys()), ledger.RATE_KEY)


def missing_policies(conn: Connection, on: dt.date) -> list[str]:
    """The required county parameters with no value in force on ``on``."""
    held = set(
        conn.execute(sa.select(db.policy.c.key).where(db.policy.c.effective_from <= on.isoformat())).scalars()
    )
    return [key for key in REQUIRED_POLICIES if key not in held]
