"""The columns of every table a clinic device pushes: names, kinds, which a row must have, what they refer to.

This is the wire contract of a pushed row (DESIGN §3: column names are the contract), read from the table
registry (clinic_app.registry), which tests/test_registry.py holds against the device schema. Whatever the server
accepts, every device of the clinic must be able to store when it pulls it: a row the device's schema refuses
(a missing NOT NULL column, a list where text belongs, a dangling reference, a value outside a CHECK) or cannot
hold (an integer beyond 64 bits, text that is not valid Unicode) would stop that clinic's sync for good, so such
a row is rejected at push, with the field and the rule named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clinic_app import registry as R
from clinic_app.errors import ValidationError
from clinic_app.registry import REGISTRY


@dataclass(frozen=True)
class Column:
    kind: type  # str or int
    required: bool = False  # NOT NULL without a default on the device: a new row must have a value
    refers_to: str | None = None  # the table whose row this id names (a foreign key on the device)
    not_null: bool = False  # NOT NULL with a default: may be left out of a new row, never sent as null
    allowed: tuple[str, ...] | None = None  # the values the device's CHECK allows (None: not checked here)
    max_length: int = R.MAX_TEXT  # characters of text
    minimum: int = R.INT64_MIN  # whole numbers
    maximum: int = R.INT64_MAX

    def __post_init__(self) -> None:
        if self.required:
            object.__setattr__(self, "not_null", True)


_KINDS: dict[str, type] = {"INTEGER": int, "BOOLEAN": bool, "TEXT": str}


def _column(c: R.Column) -> Column:
    return Column(
        kind=_KINDS[c.type],
        required=c.required,
        refers_to=c.foreign,
        not_null=c.not_null or c.primary_key,
        # the values the column takes (a CHECK on the device, or what the program writes and reads); those the
        # domain's own validator judges (with its own code, on the whole row) are left to it
        allowed=c.allowed if not c.domain_rule else None,
        max_length=c.text_limit,
        minimum=c.minimum,
        maximum=c.maximum,
    )


SERVER_COLUMNS = frozenset({"row_version"})  # the server's sequence: a device's value is ignored
_PUSHED = sorted(REGISTRY.pushed_tables, key=REGISTRY.names().index)
# Columns of every synced table. ``id`` and ``clinic_id`` are the server's business (row_id, the token);
# ``created_at``/``updated_at`` are filled with the server's time when a device leaves them out.
COMMON: dict[str, Column] = {c.name: _column(c) for c in R.COMMON if c.name not in SERVER_COLUMNS}
TABLES: dict[str, dict[str, Column]] = {
    t: {c.name: _column(c) for c in REGISTRY.table(t).wire_columns if c.name not in COMMON} for t in _PUSHED
}
# County reference rows (packages, policy, the drug catalog), written by the county's loaders: checked the same way.
REFERENCE: dict[str, dict[str, Column]] = {
    t: {c.name: _column(c) for c in REGISTRY.table(t).wire_columns if c.name not in SERVER_COLUMNS}
    for t in sorted(REGISTRY.reference_tables)
}
# The device's other unique indexes within a clinic: table -> (column, whether a deleted row frees the value).
# (resident.id_number has its own table, resident_key, because duplicates there are merged, not refused.)
UNIQUE: dict[str, tuple[str, bool]] = {
    t: (key.columns[1], key.freed_by_delete)
    for t in _PUSHED
    if (key := REGISTRY.table(t).clinic_unique) is not None
}
# Values the device's CHECK constraints allow: anything else would stop every device of the clinic storing the row.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    (t, name): c.allowed for t, cols in TABLES.items() for name, c in cols.items() if c.allowed is not None
}
MAX_UNIQUE = R.MAX_UNIQUE  # characters of a unique value (the server's key column)
# Computed on each device from other columns (the registry's derived columns): never stored by the server,
# dropped from a pushed row without complaint.
DERIVED: dict[str, frozenset[str]] = {t: d for t in _PUSHED if (d := REGISTRY.derived_columns(t))}

MAX_TEXT = R.MAX_TEXT  # characters in one value (an audit entry lists up to 200 row references)
ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")  # ids are UUID text; nothing that needs quoting or escaping
_SURROGATE = re.compile(
    "[\ud800-\udfff]"
)  # half of a UTF-16 pair: JSON can carry one, no database can store it


def columns(table: str) -> dict[str, Column]:
    """A table's columns (read only: the same dict for every call)."""
    known = _COLUMNS.get(table)
    return known if known is not None else {**COMMON, **TABLES[table]}


def check_id(field: str, value: object) -> ValidationError | None:
    if not isinstance(value, str) or not ID.match(value):
        return ValidationError(field, "id_format", "an id is 1-64 letters, digits, dashes or underscores")
    return None


def check_fields(table: str, fields: dict[str, Any]) -> list[ValidationError]:
    """Names and kinds of the fields a mutation sends (a part of the row for an edit). Each field is first asked
    of its column's compiled check (``_accepts``: one test a value, no message); only a row one of them doubts is
    judged field by field, for the messages."""
    accepts = _ACCEPTS.get(table)
    if accepts is not None:
        for name, value in fields.items():
            ok = accepts.get(name)
            if ok is None or not ok(value):
                break
        else:
            return []
    return _problems(table, fields)


def _problems(table: str, fields: dict[str, Any]) -> list[ValidationError]:
    known = columns(table)
    problems: list[ValidationError] = []
    for name, value in fields.items():
        column = known.get(name)
        if column is None:  # named as it can be answered: a name can hold what no answer can carry
            shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
            problems.append(ValidationError(shown, "unknown_column", f"{table} has no column {name!r}"))
        elif value is None:
            if column.not_null:
                problems.append(ValidationError(name, "required", f"{name} may not be empty"))
        elif column.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(ValidationError(name, "type", f"{name} is a whole number"))
        elif column.kind is bool and not isinstance(value, bool):
            problems.append(ValidationError(name, "type", f"{name} is true or false"))
        elif column.kind is str and not isinstance(value, str):
            problems.append(ValidationError(name, "type", f"{name} is text"))
        elif isinstance(value, int) and not column.minimum <= value <= column.maximum:
            problems.append(
                ValidationError(
                    name,
                    "out_of_range",
                    f"{name} is a whole number from {column.minimum} to {column.maximum}",
                )
            )
        elif isinstance(value, str) and len(value) > column.max_length:
            problems.append(
                ValidationError(
                    name, "too_long", f"{name} is too long (at most {column.max_length} characters)"
                )
            )
        elif isinstance(value, str) and "\x00" in value:
            problems.append(ValidationError(name, "control_character", f"{name} contains a NUL character"))
        elif isinstance(value, str) and _SURROGATE.search(value):
            problems.append(
                ValidationError(name, "invalid_text", f"{name} is not valid Unicode text (a lone surrogate)")
            )
        elif column.refers_to is not None and (problem := check_id(name, value)) is not None:
            problems.append(problem)
        elif (allowed := CHOICES.get((table, name))) is not None and value not in allowed:
            problems.append(ValidationError(name, "choice", f"{name} is one of {', '.join(allowed)}"))
    return problems


def _accepts(table: str, name: str, column: Column) -> Callable[[object], bool]:
    """A column's checks of ``_problems`` as one test: true only for a value they find nothing wrong with."""
    allowed = CHOICES.get((table, name))
    nullable = not column.not_null
    lowest, highest = column.minimum, column.maximum
    if column.kind is str:
        limit, refers = column.max_length, column.refers_to is not None
        surrogate, plain_id = _SURROGATE.search, ID.match

        def text(value: object) -> bool:
            if value is None:
                return nullable
            return (
                type(value) is str
                and len(value) <= limit
                and "\x00" not in value
                and surrogate(value) is None
                and (not refers or plain_id(value) is not None)
                and (allowed is None or value in allowed)
            )

        return text
    if column.refers_to is None and column.kind in (int, bool):
        kind = column.kind

        def number(value: object) -> bool:
            if value is None:
                return nullable
            return (
                type(value) is kind and lowest <= value <= highest and (allowed is None or value in allowed)
            )

        return number
    return lambda _value: False  # judged field by field


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


MERGED_TABLES = REGISTRY.merged_tables  # rows the server may merge into another (the same ID number)


def aliased_columns(table: str) -> dict[str, str]:
    """Columns of ``table`` that may name a merged row: they are rewritten to name the row that was kept."""
    t = REGISTRY.get(table)
    named = {**references(table), **(t.soft_references if t is not None else {})}
    return {column: target for column, target in named.items() if target in MERGED_TABLES}


def references(table: str) -> dict[str, str]:
    """The ids a row of ``table`` names: column -> table (read only: the same dict for every call)."""
    return _REFERENCES.get(table, {})


# columns() and references() of every table, worked out once: each push asks them a few times a row
_COLUMNS: dict[str, dict[str, Column]] = {
    **{t: {**COMMON, **cols} for t, cols in TABLES.items()},
    **REFERENCE,
}
_REFERENCES: dict[str, dict[str, str]] = {
    t: {name: c.refers_to for name, c in cols.items() if c.refers_to is not None}
    for t, cols in TABLES.items()
}
_ACCEPTS: dict[str, dict[str, Callable[[object], bool]]] = {
    t: {name: _accepts(t, name, c) for name, c in cols.items()} for t, cols in _COLUMNS.items()
}
