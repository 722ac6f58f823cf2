"""The columns of every table a clinic device pushes: names, kinds, which a row must have, what they refer to.

This is the wire contract of a pushed row (DESIGN §3: column names are the contract). It mirrors the
device schema (clinic_app/migrations) at the schema versions this server accepts; a test compares the two.
Whatever the server accepts, every device of the clinic must be able to store when it pulls it: a row the
device's schema refuses (a missing NOT NULL column, a list where text belongs, a dangling reference) would stop
that clinic's sync for good, so such a row is rejected at push, with the field and the rule named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from clinic_app.errors import ValidationError
from clinic_app.syncstate import SOFT_REFERENCES


@dataclass(frozen=True)
class Column:
    kind: type  # str or int
    required: bool = False  # NOT NULL without a default on the device: a new row must have a value
    refers_to: str | None = None  # the table whose row this id names (a foreign key on the device)
    not_null: bool = False  # NOT NULL with a default: may be left out of a new row, never sent as null

    def __post_init__(self) -> None:
        if self.required:
            object.__setattr__(self, "not_null", True)


TEXT, TEXT_REQUIRED, INTEGER = Column(str), Column(str, True), Column(int)
TEXT_DEFAULTED, INTEGER_DEFAULTED = Column(str, not_null=True), Column(int, not_null=True)

# Columns of every synced table. ``id`` and ``clinic_id`` are the server's business (row_id, the token);
# ``created_at``/``updated_at`` are filled with the server's time when a device leaves them out.
COMMON: dict[str, Column] = {
    "id": TEXT_REQUIRED,
    "clinic_id": TEXT_REQUIRED,
    "created_at": TEXT_REQUIRED,
    "updated_at": TEXT_REQUIRED,
    "created_by": TEXT,
    "updated_by": TEXT,
    "deleted_at": TEXT,
}
TABLES: dict[str, dict[str, Column]] = {
    "user": {
        "username": TEXT_REQUIRED,
        "display_name": TEXT_REQUIRED,
        "role": TEXT_REQUIRED,
        "password_hash": TEXT_REQUIRED,
        "active": INTEGER_DEFAULTED,
    },
    "village": {"code": TEXT, "name": TEXT_REQUIRED},
    "household": {
        "village_id": Column(str, True, "village"),
        "code": TEXT_REQUIRED,
        "address": TEXT,
        "head_resident_id": TEXT,
    },
    "resident": {
        "id_number": TEXT,
        "document_type": TEXT_DEFAULTED,
        "document_number": TEXT,
        "name": TEXT_REQUIRED,
        "sex": TEXT_REQUIRED,
        "birth_date": TEXT_REQUIRED,
        "phone": TEXT,
        "village_id": Column(str, False, "village"),
        "household_id": Column(str, False, "household"),
        "relation_to_head": TEXT,
        "needs_identity_check": INTEGER_DEFAULTED,
        "note": TEXT,
    },
    "team": {"name": TEXT_REQUIRED, "lead_user_id": Column(str, False, "user"), "note": TEXT},
    "team_member": {
        "team_id": Column(str, True, "team"),
        "user_id": Column(str, True, "user"),
        "role": TEXT_DEFAULTED,
    },
    "insurance_status": {
        "resident_id": Column(str, True, "resident"),
        "year": Column(int, True),
        "paid": INTEGER_DEFAULTED,
        "paid_on": TEXT,
        "note": TEXT,
    },
    "contract": {
        "resident_id": Column(str, True, "resident"),
        "team_id": Column(str, True, "team"),
        "period": TEXT_REQUIRED,
        "period_start": TEXT_REQUIRED,
        "period_end": TEXT_REQUIRED,
        "packages": TEXT_REQUIRED,
        "status": TEXT_DEFAULTED,
        "signed_at": TEXT_REQUIRED,
        "signed_by": TEXT,
        "consent": TEXT_DEFAULTED,
        "signature": TEXT,
        "witness": TEXT,
        "resident_group": TEXT,
        "fee_fen": INTEGER_DEFAULTED,
        "resident_share_fen": INTEGER_DEFAULTED,
        "fund_share_fen": INTEGER_DEFAULTED,
        "household_id": TEXT,
        "renewed_from": TEXT,
        "terminated_at": TEXT,
        "stop_reason": TEXT,
    },
    "conflict": {
        "table_name": TEXT_REQUIRED,
        "row_id": TEXT_REQUIRED,
        "kind": TEXT_REQUIRED,
        "message": TEXT,
        "local_row": TEXT,
        "server_row": TEXT,
        "resolved_at": TEXT,
        "resolution": TEXT,
    },
    "audit_log": {
        "device_id": TEXT,
        "action": TEXT_REQUIRED,
        "summary": TEXT_REQUIRED,
        "rows": TEXT_REQUIRED,
    },
}
# The device's other unique indexes within a clinic: table -> (column, whether a deleted row frees the value).
# (resident.id_number has its own table, resident_key, because duplicates there are merged, not refused.)
UNIQUE: dict[str, tuple[str, bool]] = {
    "user": ("username", False),
    "village": ("name", True),
    "household": ("code", True),
    "team": ("name", True),
}
# Values the device's CHECK constraints allow: anything else would stop every device of the clinic storing the row.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("contract", "status"): ("provisional", "active", "terminated", "expired", "conflict"),
    ("contract", "consent"): ("screen", "paper"),
}
MAX_UNIQUE = 200  # characters of a unique value (the server's key column)
# Computed on each device from other columns (clinic_app.store.DERIVED_COLUMNS): never stored by the server,
# dropped from a pushed row without complaint.
DERIVED: dict[str, frozenset[str]] = {"resident": frozenset({"name_pinyin", "name_initials"})}
SERVER_COLUMNS = frozenset({"row_version"})  # the server's sequence: a device's value is ignored

MAX_TEXT = 65_536  # characters in one value (an audit entry lists up to 200 row references)
ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")  # ids are UUID text; nothing that needs quoting or escaping


def columns(table: str) -> dict[str, Column]:
    return {**COMMON, **TABLES[table]}


def check_id(field: str, value: object) -> ValidationError | None:
    if not isinstance(value, str) or not ID.match(value):
        return ValidationError(field, "id_format", "an id is 1-64 letters, digits, dashes or underscores")
    return None


def check_fields(table: str, fields: dict[str, Any]) -> list[ValidationError]:
    """Names and kinds of the fields a mutation sends (a part of the row for an edit)."""
    known = columns(table)
    unique_column = UNIQUE[table][0] if table in UNIQUE else None
    problems: list[ValidationError] = []
    for name, value in fields.items():
        column = known.get(name)
        if column is None:
            problems.append(ValidationError(name, "unknown_column", f"{table} has no column {name!r}"))
        elif value is None:
            if column.not_null:
                problems.append(ValidationError(name, "required", f"{name} may not be empty"))
        elif column.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(ValidationError(name, "type", f"{name} is a whole number"))
        elif column.kind is str and not isinstance(value, str):
            problems.append(ValidationError(name, "type", f"{name} is text"))
        elif isinstance(value, str) and len(value) > (MAX_UNIQUE if name == unique_column else MAX_TEXT):
            problems.append(ValidationError(name, "too_long", f"{name} is too long"))
        elif isinstance(value, str) and "\x00" in value:
            problems.append(ValidationError(name, "control_character", f"{name} contains a NUL character"))
        elif column.refers_to is not None and (problem := check_id(name, value)) is not None:
            problems.append(problem)
        elif (allowed := CHOICES.get((table, name))) is not None and value not in allowed:
            problems.append(ValidationError(name, "choice", f"{name} is one of {', '.join(allowed)}"))
    return problems


def check_required(table: str, row: dict[str, Any]) -> list[ValidationError]:
    """The whole row as it will be stored: every NOT NULL column has a value."""
    return [
        ValidationError(name, "required", f"{name} is required")
        for name, column in columns(table).items()
        if column.required and row.get(name) is None
    ]


def unique_value(table: str, row: dict[str, Any]) -> str | None:
    """The value the row holds in its table's unique index, None when it holds none."""
    if table not in UNIQUE:
        return None
    name, freed_by_delete = UNIQUE[table]
    value = row.get(name)
    if not isinstance(value, str) or (freed_by_delete and row.get("deleted_at")):
        return None
    return value


MERGED_TABLES = frozenset({"resident"})  # rows the server may merge into another (same ID number)


def aliased_columns(table: str) -> dict[str, str]:
    """Columns of ``table`` that may name a merged row: they are rewritten to name the row that was kept."""
    named = {**references(table), **SOFT_REFERENCES.get(table, {})}
    return {column: target for column, target in named.items() if target in MERGED_TABLES}


def references(table: str) -> dict[str, str]:
    return {name: c.refers_to for name, c in TABLES.get(table, {}).items() if c.refers_to is not None}
