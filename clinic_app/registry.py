"""Every table once: its kind, columns (types, bounds, allowed values), references, unique keys and the hooks its
domain registers. The device store, the device's sync, the wire protocol's table lists and the county server's
column contract all read their facts from here; tests/test_registry.py holds it against the migrated schema.

The registry is one frozen value, ``REGISTRY``, built at import by ``build_registry()`` from the tables listed
there; a domain contributes its allowed values (constants of the domain module that owns the rule) and its hook
functions by being named in that list, never by appending to a shared list at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

from clinic_app import (
    chronic,
    chronic_contacts,
    contracts,
    drugs,
    prescriptions,
    residents,
    rx_supply,
    search,
    settlement,
    users,
)
from clinic_app.db import Connection

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT
MAX_TEXT = 65_536  # characters in one value (an audit entry lists up to 200 row references)
MAX_UNIQUE = 200  # characters of a value in a unique key within a clinic (the server's key column)
MAX_STAMP = (
    40  # characters of a time stamp ("2026-11-23T08:00:00.000Z" has 24; the server's deleted_at column)
)
MAX_ID = 64  # characters of an id (UUID text)
OUTBOX_OPS = ("upsert", "delete")  # what an outbox entry does to its row
# Why a pulled row was set aside (table ``set_aside``): the rule it broke on this device.
SET_ASIDE_RULES = (
    "unique",  # another row here holds its unique key
    "required",  # a required value is missing
    "type",  # a value of another type than the column's (text where a number belongs)
    "range",  # an integer outside the column's bounds (64-bit at most)
    "too_long",  # a text longer than the column allows
    "not_allowed",  # a value not among the column's allowed values
    "encoding",  # text that is not valid Unicode
    "malformed",  # the change itself is not a row (no table, id or version, or not an object)
    "not_stored",  # the database refused it for another reason (its message says which)
)

ColumnType = Literal["TEXT", "INTEGER", "BOOLEAN"]  # BOOLEAN: only in server-only tables (JSON true/false)


class Kind(StrEnum):
    REGISTRY = "registry"  # the clinic's records: written on a device, edited, deleted by tombstone, synced both ways
    EVENT = "event"  # append-only: written once on a device, never edited or deleted
    REFERENCE = "reference"  # county reference data: written by the county only, pulled by every device
    LOCAL = "local"  # never leaves the device
    SERVER_MADE = "server_made"  # made by the county server; a device may at most push the fields it owns


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "TEXT"
    not_null: bool = False  # as declared in the schema (a TEXT primary key is not declared NOT NULL)
    default: str | int | None = None  # the schema's DEFAULT (None: no default)
    primary_key: bool = False
    refers_to: str | None = None  # the table whose row this column names
    foreign_key: bool = (
        True  # with refers_to: whether the device schema declares it (False: a soft reference)
    )
    allowed: tuple[str, ...] | None = None  # the only values the column takes (a domain constant)
    check: bool = False  # with allowed: the device schema enforces them by a CHECK constraint
    domain_rule: bool = (
        False  # with allowed: the owning domain's validator judges the value with its own code
    )
    max_length: int | None = None  # characters, TEXT only (None: MAX_TEXT)
    minimum: int = INT64_MIN  # INTEGER only
    maximum: int = INT64_MAX
    derived: bool = False  # computed on each device by the table's hooks from other columns; never sent

    @property
    def required(self) -> bool:
        """A new row must carry a value: NOT NULL without a default (or the primary key)."""
        return self.primary_key or (self.not_null and self.default is None)

    @property
    def text_limit(self) -> int:
        return self.max_length if self.max_length is not None else MAX_TEXT

    @property
    def foreign(self) -> str | None:
        """The table a declared foreign key names."""
        return self.refers_to if self.foreign_key else None


@dataclass(frozen=True)
class Unique:
    """A unique index of the device schema: its columns and the condition of a partial index."""

    name: str
    columns: tuple[str, ...]
    where: str | None = None  # SQL of the partial index's WHERE, as written in the migration

    @property
    def freed_by_delete(self) -> bool:
        """A deleted row (tombstone) gives its value up for another row."""
        return self.where is not None and "deleted_at IS NULL" in self.where


Row = dict[str, Any]


@dataclass(frozen=True)
class TableHooks:
    """What a domain does on the device whenever rows of its table are written — by a unit of work, or as the
    server holds them (pull, snapshot, merge): fill derived columns and keep device-local indexes."""

    derive: Callable[[Row], None] | None = (
        None  # fills the derived columns of a row about to be written, in place
    )
    index: Callable[[Connection, Sequence[Mapping[str, Any]]], None] | None = (
        None  # after whole rows are written
    )
    unindex: Callable[[Connection, Sequence[str]], None] | None = None  # rows (ids) deleted or gone


@dataclass(frozen=True)
class Merge:
    """Two rows of a clinic holding the same ``key`` are one record: the county keeps the first and merges a
    later new row into it (the same person registered on two devices); references to the merged row follow."""

    key: str


@dataclass(frozen=True)
class Table:
    name: str
    kind: Kind
    columns: tuple[Column, ...]
    unique: tuple[Unique, ...] = ()
    hooks: TableHooks = field(default_factory=TableHooks)
    merge: Merge | None = None
    device_fields: frozenset[str] = frozenset()  # SERVER_MADE: the fields a device may push (its resolution)
    on_device: bool = True  # False: held by the county server only (the device has no such table yet)
    label: str | None = None  # the column by which a person recognises a row
    label_sql: str | None = None  # or the query naming rows: (id, label) of the ids at ``{marks}``

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({c.name: c for c in self.columns}))
        sent = [c for c in self.columns if not c.derived and c.name != "row_version"]
        object.__setattr__(self, "_texts", tuple((c.name, c.text_limit) for c in sent if c.type == "TEXT"))
        object.__setattr__(
            self, "_ints", tuple((c.name, c.minimum, c.maximum) for c in sent if c.type == "INTEGER")
        )
        object.__setattr__(
            self, "_allowed", tuple((c.name, frozenset(c.allowed)) for c in sent if c.allowed is not None)
        )
        object.__setattr__(self, "fits", _fits(sent))

    @property
    def by_name(self) -> Mapping[str, Column]:
        return self._by_name  # type: ignore[attr-defined]

    def column(self, name: str) -> Column:
        return self.by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def derived(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.derived)

    @property
    def wire_columns(self) -> tuple[Column, ...]:
        """The columns a row carries on the wire: not derived, not the server's ``row_version``."""
        return tuple(c for c in self.columns if not c.derived and c.name != "row_version")

    @property
    def references(self) -> dict[str, str]:
        """Declared foreign keys: column -> table."""
        return {c.name: c.refers_to for c in self.columns if c.refers_to is not None and c.foreign_key}

    @property
    def soft_references(self) -> dict[str, str]:
        """Columns that name a row of another table without a foreign key on the device."""
        return {c.name: c.refers_to for c in self.columns if c.refers_to is not None and not c.foreign_key}

    @property
    def synced(self) -> bool:
        return self.kind is not Kind.LOCAL

    @property
    def pulled(self) -> bool:
        """The device keeps rows of this table from the server."""
        return self.synced and self.on_device

    @property
    def pushed(self) -> bool:
        """A clinic device writes rows of this table to the server."""
        return self.on_device and (
            self.kind in (Kind.REGISTRY, Kind.EVENT)
            or (self.kind is Kind.SERVER_MADE and bool(self.device_fields))
        )

    fits: Callable[[Mapping[str, Any]], bool] = field(init=False, repr=False, compare=False)
    """Whether every value of a row (as pulled) is within its column's type, bounds and allowed values: the same
    judgement as ``row_problem(row) is None``, at a fraction of its cost (the pull asks it of every row)."""

    def row_problem(self, row: Mapping[str, Any]) -> tuple[str, str] | None:
        """The first value of ``row`` (as pulled) outside this table's columns' types, bounds and allowed values:
        (a ``SET_ASIDE_RULES`` code, a message naming the column); None when every value fits. Columns the row
        lacks are not judged here (the database knows which are required)."""
        for name, limit in self._texts:  # type: ignore[attr-defined]
            v = row.get(name)
            if v is not None and (v.__class__ is not str or len(v) > limit):
                if not isinstance(v, str):
                    return "type", f"{self.name}.{name}: a value of type {type(v).__name__}, not text"
                return "too_long", f"{self.name}.{name}: {len(v):,} characters, at most {limit:,}"
        for name, low, high in self._ints:  # type: ignore[attr-defined]
            v = row.get(name)
            if v is not None and (v.__class__ is not int or not low <= v <= high):
                if not isinstance(v, int):
                    return "type", f"{self.name}.{name}: a value of type {type(v).__name__}, not an integer"
                if not low <= v <= high:
                    return "range", f"{self.name}.{name}: {_short(v)} is outside {low}..{high}"
        for name, allowed in self._allowed:  # type: ignore[attr-defined]
            v = row.get(name)
            if v is not None and v not in allowed:
                return (
                    "not_allowed",
                    f"{self.name}.{name}: {_short(v)} is not one of {', '.join(sorted(allowed))}",
                )
        return None

    @property
    def clinic_unique(self) -> Unique | None:
        """The unique key within a clinic (``clinic_id`` and one column) that the server refuses a duplicate of;
        a merge key is not one (a duplicate there is merged)."""
        for key in self.unique:
            merged = self.merge is not None and key.columns[1:] == (self.merge.key,)
            if len(key.columns) == 2 and key.columns[0] == "clinic_id" and not merged:
                return key
        return None


@dataclass(frozen=True)
class Registry:
    tables: tuple[Table, ...]

    def __post_init__(self) -> None:
        by_name = {t.name: t for t in self.tables}
        if len(by_name) != len(self.tables):
            raise ValueError("a table is listed twice in the registry")
        for t in self.tables:
            for c in t.columns:
                if c.refers_to is not None and c.refers_to not in by_name:
                    raise ValueError(f"{t.name}.{c.name} refers to {c.refers_to}, not in the registry")
                if (c.check or c.domain_rule) and c.allowed is None:
                    raise ValueError(f"{t.name}.{c.name}: a rule on allowed values without the values")
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    def table(self, name: str) -> Table:
        """The table called ``name``; KeyError when there is none."""
        return self._by_name[name]  # type: ignore[attr-defined]

    def get(self, name: str) -> Table | None:
        return self._by_name.get(name)  # type: ignore[attr-defined]

    def names(self, *kinds: Kind) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables if not kinds or t.kind in kinds)

    def _select(self, keep: Callable[[Table], bool]) -> frozenset[str]:
        return frozenset(t.name for t in self.tables if keep(t))

    # -- the table lists every side uses ---------------------------------------------------------------
    @property
    def device_tables(self) -> frozenset[str]:
        return self._select(lambda t: t.on_device)

    @property
    def local_tables(self) -> frozenset[str]:
        """Tables that never leave this device."""
        return self._select(lambda t: t.kind is Kind.LOCAL)

    @property
    def pulled_tables(self) -> tuple[str, ...]:
        """Tables the device keeps from the server, in registry order; anything else pulled is skipped."""
        return tuple(t.name for t in self.tables if t.pulled)

    @property
    def pushed_tables(self) -> frozenset[str]:
        """Tables a clinic device may write to the server."""
        return self._select(lambda t: t.pushed)

    @property
    def server_owned_tables(self) -> frozenset[str]:
        """Tables on the device that the device never pushes (the county creates their rows)."""
        return self._select(lambda t: t.kind is Kind.SERVER_MADE and t.on_device and not t.device_fields)

    @property
    def server_made_tables(self) -> frozenset[str]:
        """Rows the server makes and a device only resolves (its ``device_fields`` alone)."""
        return self._select(lambda t: t.kind is Kind.SERVER_MADE and bool(t.device_fields))

    @property
    def append_only_tables(self) -> frozenset[str]:
        return self._select(lambda t: t.kind is Kind.EVENT)

    @property
    def reference_tables(self) -> frozenset[str]:
        return self._select(lambda t: t.kind is Kind.REFERENCE)

    @property
    def merged_tables(self) -> frozenset[str]:
        """Tables whose rows the server may merge into another."""
        return self._select(lambda t: t.merge is not None)

    @property
    def dependant_keys(self) -> dict[str, tuple[str, Unique]]:
        """Unique keys of pushed tables that include a column naming a row of a merged table, by the key's name:
        (table, key). When the county merges two rows, the rows they key merge too (insurance of one resident
        and year), or every device would hold two rows its index allows one of."""
        merged = self.merged_tables
        return {
            key.name: (t.name, key)
            for t in self.tables
            if t.pushed
            for key in t.unique
            if any(t.by_name[c].refers_to in merged for c in key.columns)
        }

    # -- per-table facts ---------------------------------------------------------------------------------
    def derived_columns(self, table: str) -> frozenset[str]:
        t = self.get(table)
        return t.derived if t is not None else frozenset()

    def hooks(self, table: str) -> TableHooks:
        t = self.get(table)
        return t.hooks if t is not None else NO_HOOKS

    def referring(self, target: str, soft: bool = True) -> list[tuple[str, str]]:
        """(table, column) of every synced column naming a row of ``target`` (declared foreign keys first)."""
        found = [
            (t.name, c) for t in self.tables if t.synced for c, to in t.references.items() if to == target
        ]
        if soft:
            found += [
                (t.name, c)
                for t in self.tables
                if t.synced
                for c, to in t.soft_references.items()
                if to == target
            ]
        return found

    def labels(self) -> dict[str, str]:
        """table -> the column by which a person recognises a row."""
        return {t.name: t.label for t in self.tables if t.label is not None}

    def label_query(self, table: str) -> str | None:
        """The query giving (id, label) for the ids at ``{marks}``; None for a table without labels."""
        t = self.get(table)
        if t is None:
            return None
        if t.label_sql is not None:
            return t.label_sql
        if t.label is not None:
            return f'SELECT id, "{t.label}" FROM "{t.name}" WHERE id IN ({{marks}})'
        return None


NO_HOOKS = TableHooks()


def _fits(columns: Sequence[Column]) -> Callable[[Mapping[str, Any]], bool]:
    """``Table.fits``, written out column by column from the registry: one line of plain comparisons a column,
    no loop and no call, since a pull asks it of every row (about 3 µs for a resident, a tenth of storing it)."""
    lines = ["def fits(row):", "    get = row.get"]
    names: dict[str, Any] = {}
    for i, c in enumerate(columns):
        lines.append(f"    v = get({c.name!r})")
        if c.allowed is not None:
            names[f"allowed_{i}"] = frozenset(c.allowed)
            lines.append(f"    if v is not None and v not in allowed_{i}: return False")
        elif c.type == "TEXT":
            lines.append(
                f"    if v is not None and (v.__class__ is not str or len(v) > {c.text_limit}): return False"
            )
        elif c.type == "INTEGER":
            lines.append(
                f"    if v is not None and ((v.__class__ is not int and v.__class__ is not bool) "
                f"or not {c.minimum} <= v <= {c.maximum}): return False"
            )
    lines.append("    return True")
    exec("\n".join(lines), names)  # the text above is made from the registry's own names and numbers only
    fits: Callable[[Mapping[str, Any]], bool] = names["fits"]
    return fits


def _short(value: Any) -> str:
    """A value as a message names it: at most 40 characters of it."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


# -- building the registry -------------------------------------------------------------------------------
def _text(name: str, **kw: Any) -> Column:
    return Column(name, "TEXT", **kw)


def _int(name: str, **kw: Any) -> Column:
    return Column(name, "INTEGER", **kw)


def _ref(name: str, table: str, *, not_null: bool = False, foreign_key: bool = True) -> Column:
    return Column(name, "TEXT", not_null=not_null, refers_to=table, foreign_key=foreign_key)


def _common(clinic_required: bool = True) -> tuple[Column, ...]:
    """The columns every synced row has (migrations m001 COMMON; county reference rows have no clinic)."""
    return (
        Column("id", primary_key=True, max_length=MAX_ID),
        _text("clinic_id", not_null=clinic_required, max_length=MAX_ID),
        _text("created_at", not_null=True, max_length=MAX_STAMP),
        _text("updated_at", not_null=True, max_length=MAX_STAMP),
        _text("created_by"),
        _text("updated_by"),
        _text("deleted_at", max_length=MAX_STAMP),
        _int("row_version", not_null=True, default=0),
    )


COMMON = _common()  # the columns every row of the clinic has
COMMON_COLUMNS = tuple(c.name for c in COMMON)


def _live(name: str, *columns: str) -> Unique:
    return Unique(name, columns, "deleted_at IS NULL")


RESIDENT_HOOKS = TableHooks(
    derive=search.derive_resident_names, index=search.index_residents, unindex=search.unindex_residents
)
DRUG_HOOKS = TableHooks(index=drugs.index_drugs, unindex=drugs.unindex_drugs)
RX_HOOKS = TableHooks(index=rx_supply.index_prescriptions)  # each prescription's supply, for the refill list
RX_CHILD_HOOKS = TableHooks(index=rx_supply.index_children)


def build_registry() -> Registry:
    """Every table of the device schema (clinic_app/migrations) and of the county's reference data."""
    common, reference = _common(), _common(clinic_required=False)
    # fmt: off
    return Registry((
        Table("clinic", Kind.SERVER_MADE, (
            *common, _text("code", not_null=True, max_length=MAX_UNIQUE), _text("name", not_null=True),
        ), unique=(Unique("sqlite_autoindex_clinic_2", ("code",)),), label="name"),
        Table("user", Kind.REGISTRY, (
            *common,
            _text("username", not_null=True, max_length=MAX_UNIQUE),
            _text("display_name", not_null=True),
            _text("role", not_null=True, allowed=users.ROLES, check=True, domain_rule=True),
            _text("password_hash", not_null=True),
            _int("active", not_null=True, default=1),
        ), unique=(Unique("user_username", ("clinic_id", "username")),), label="display_name"),
        Table("village", Kind.REGISTRY, (
            *common, _text("code"), _text("name", not_null=True, max_length=MAX_UNIQUE),
        ), unique=(_live("village_name", "clinic_id", "name"),), label="name"),
        Table("household", Kind.REGISTRY, (
            *common,
            _ref("village_id", "village", not_null=True),
            _text("code", not_null=True, max_length=MAX_UNIQUE),
            _text("address"),
            _ref("head_resident_id", "resident", foreign_key=False),
        ), unique=(_live("household_code", "clinic_id", "code"),), label="code"),
        Table("resident", Kind.REGISTRY, (
            *common,
            _text("id_number"),
            _text("document_type", not_null=True, default="id_card", allowed=residents.DOCUMENT_TYPES, check=True,
                  domain_rule=True),
            _text("document_number"),
            _text("name", not_null=True),
            _text("sex", not_null=True, allowed=residents.SEXES, check=True, domain_rule=True),
            _text("birth_date", not_null=True),
            _text("phone"),
            _ref("village_id", "village"),
            _ref("household_id", "household"),
            _text("relation_to_head", allowed=residents.RELATIONS, domain_rule=True),
            _int("needs_identity_check", not_null=True, default=0),
            _text("note"),
            _text("name_pinyin", not_null=True, default="", derived=True),
            _text("name_initials", not_null=True, default="", derived=True),
        ), unique=(Unique("resident_id_number", ("clinic_id", "id_number"),
                          "id_number IS NOT NULL AND deleted_at IS NULL"),),
           hooks=RESIDENT_HOOKS, merge=Merge("id_number"), label="name"),
        Table("audit_log", Kind.EVENT, (
            *common, _text("device_id"), _text("action", not_null=True), _text("summary", not_null=True),
            _text("rows", not_null=True),
        )),
        Table("conflict", Kind.SERVER_MADE, (
            *common,
            _text("table_name", not_null=True),
            _text("row_id", not_null=True),
            _text("kind", not_null=True),
            _text("message"),
            _text("local_row"),
            _text("server_row"),
            _text("resolved_at"),
            _text("resolution"),
        ), device_fields=frozenset({"resolved_at", "resolution", "updated_at", "updated_by"})),
        Table("team", Kind.REGISTRY, (
            *common, _text("name", not_null=True, max_length=MAX_UNIQUE), _ref("lead_user_id", "user"), _text("note"),
        ), unique=(_live("team_name", "clinic_id", "name"),)),
        Table("team_member", Kind.REGISTRY, (
            *common,
            _ref("team_id", "team", not_null=True),
            _ref("user_id", "user", not_null=True),
            _text("role", not_null=True, default="member", allowed=contracts.TEAM_ROLES),
        )),
        Table("insurance_status", Kind.REGISTRY, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _int("year", not_null=True),
            _int("paid", not_null=True, default=1),
            _text("paid_on"),
            _text("note"),
        ), unique=(_live("insurance_resident_year", "resident_id", "year"),)),
        Table("contract", Kind.REGISTRY, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _ref("team_id", "team", not_null=True),
            _text("period", not_null=True),
            _text("period_start", not_null=True),
            _text("period_end", not_null=True),
            _text("packages", not_null=True),
            _text("status", not_null=True, default="provisional", allowed=contracts.STATUSES, check=True),
            _text("signed_at", not_null=True),
            _text("signed_by"),
            _text("consent", not_null=True, default="paper", allowed=contracts.CONSENT, check=True),
            _text("signature"),
            _text("witness"),
            _text("resident_group", allowed=contracts.GROUPS),
            _int("fee_fen", not_null=True, default=0),
            _int("resident_share_fen", not_null=True, default=0),
            _int("fund_share_fen", not_null=True, default=0),
            _ref("household_id", "household", foreign_key=False),
            _ref("renewed_from", "contract", foreign_key=False),
            _text("terminated_at"),
            _text("stop_reason", allowed=contracts.STOP_REASONS),
        ), label_sql="SELECT c.id, r.name || ' ' || c.period FROM contract c JOIN resident r ON r.id = c.resident_id "
                     "WHERE c.id IN ({marks})"),  # known by its resident and year
        # -- chronic-disease care (clinic_app.chronic: the rules; chronic_records: the records) ---------------
        Table("disease_registration", Kind.REGISTRY, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _text("disease", not_null=True, allowed=chronic.DISEASES, check=True),
            _text("icd_code", not_null=True),
            _text("confirmed_on", not_null=True),
            _text("institution"),
            _text("qualification_status", not_null=True, default="none", allowed=chronic.QUALIFICATION, check=True),
            _text("qualification_date"),
            _text("certificate_number"),
            _text("management", not_null=True, default="continue", allowed=chronic.MANAGEMENT, check=True),
            _text("management_ended_on"),
            _text("management_end_reason"),
            _text("note"),
            _text("contact_outcome", allowed=chronic_contacts.CONTACT_OUTCOMES, check=True),
            _text("contacted_on"),
            _text("recall_on"),
        ), unique=(_live("disease_registration_resident", "resident_id", "disease"),),
           label_sql="SELECT g.id, r.name || ' ' || g.disease FROM disease_registration g "
                     "JOIN resident r ON r.id = g.resident_id WHERE g.id IN ({marks})"),
        Table("followup", Kind.EVENT, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _text("disease", not_null=True, allowed=chronic.DISEASES, check=True),
            _text("visit_date", not_null=True),
            _text("visit_mode", not_null=True, allowed=chronic.VISIT_MODES, check=True),
            _text("symptoms", not_null=True, default="[]"),
            _text("symptom_other"),
            _int("sbp_1"), _int("dbp_1"), _int("sbp_2"), _int("dbp_2"), _int("sbp"), _int("dbp"),
            _text("weight"), _text("target_weight"), _text("height"), _text("bmi"), _text("target_bmi"),
            _int("heart_rate"),
            _text("other_signs"),
            _int("cigarettes_per_day"), _int("target_cigarettes_per_day"),
            _text("alcohol_per_day"), _text("target_alcohol_per_day"),
            _int("exercise_times_per_week"), _int("exercise_minutes"),
            _int("target_exercise_times_per_week"), _int("target_exercise_minutes"),
            _text("salt_intake", allowed=chronic.SALT), _text("target_salt_intake", allowed=chronic.SALT),
            _int("staple_food_g"), _int("target_staple_food_g"),
            _text("psychological", allowed=chronic.RATING), _text("compliance", allowed=chronic.RATING),
            _text("auxiliary_exam"),
            _text("adherence", allowed=chronic.ADHERENCE),
            _int("adverse_reaction", not_null=True, default=0), _text("adverse_reaction_text"),
            _int("new_complication", not_null=True, default=0), _text("complication_text"),
            _text("fasting_glucose"), _text("glucose_method", allowed=chronic.GLUCOSE_METHODS),
            _text("hba1c"), _text("hba1c_date"), _text("other_tests"),
            _text("foot_pulse", allowed=chronic.FOOT_PULSE),
            _text("hypoglycaemia", allowed=chronic.HYPOGLYCAEMIA),
            _text("insulin_type"), _text("insulin_dose"),
            _text("classification", not_null=True, allowed=chronic.CLASSIFICATIONS, check=True),
            _text("classification_rule", allowed=chronic.CLASSIFICATIONS, check=True),
            _text("override_reason"),
            _text("referral", allowed=chronic.URGENCIES, check=True),
            _text("referral_reasons", not_null=True, default="[]"),
            _text("next_visit_date"),
            _text("doctor_signature"),
            _ref("supersedes", "followup"),
            _text("correction_reason"),
        ), label_sql="SELECT f.id, r.name || ' ' || f.visit_date FROM followup f "
                     "JOIN resident r ON r.id = f.resident_id WHERE f.id IN ({marks})"),
        Table("followup_drug", Kind.EVENT, (
            *common,
            _ref("followup_id", "followup", not_null=True),
            _text("name", not_null=True),
            _text("dose"),
            _int("times_per_day"),
            _text("drug_code"),
        )),
        Table("referral", Kind.REGISTRY, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _text("disease", not_null=True, allowed=chronic.DISEASES, check=True),
            _ref("followup_id", "followup"),
            _text("referred_on", not_null=True),
            _text("urgency", not_null=True, allowed=chronic.URGENCIES, check=True),
            _text("reason", not_null=True),
            _text("institution"),
            _text("department"),
            _text("due_on", not_null=True),
            _text("status", not_null=True, default="open", allowed=chronic.REFERRAL_STATUSES, check=True),
            _int("arrived"),
            _text("outcome"),
            _text("followed_up_on"),
        ), label_sql="SELECT f.id, r.name || ' ' || f.referred_on FROM referral f "
                     "JOIN resident r ON r.id = f.resident_id WHERE f.id IN ({marks})"),
        # -- long-term prescriptions (clinic_app.prescriptions: the rules; rx_records: the records) ------------
        Table("prescription", Kind.EVENT, (
            *common,
            _text("issued_on", not_null=True),
            _ref("resident_id", "resident", not_null=True),
            _text("disease", not_null=True, allowed=chronic.DISEASES, check=True),
            _int("days", not_null=True),
            _text("status_on_issue", not_null=True, allowed=prescriptions.STATUSES_ON_ISSUE, check=True),
            _int("signed", not_null=True, default=0),
            _text("assessment"),
            _int("first_issue", not_null=True, default=1),
            _text("valid_until", not_null=True),
            _text("allergies"),
            _text("warnings", not_null=True, default="[]"),
            _ref("replaces", "prescription", foreign_key=False),
        ), hooks=RX_HOOKS, label_sql="SELECT p.id, r.name || ' ' || p.issued_on FROM prescription p "
                     "JOIN resident r ON r.id = p.resident_id WHERE p.id IN ({marks})"),
        Table("prescription_item", Kind.EVENT, (
            *common,
            _ref("prescription_id", "prescription", not_null=True),
            _int("line", not_null=True),
            _text("drug_code", not_null=True),
            _text("drug_name", not_null=True),
            _text("spec"),
            _text("unit"),
            _text("dose", not_null=True),
            _int("times_per_day", not_null=True),
            _text("route", not_null=True, default="oral", allowed=prescriptions.ROUTES, check=True),
            _int("package_size", not_null=True),
            _int("packages", not_null=True),
        )),
        Table("prescription_event", Kind.EVENT, (
            *common,
            _ref("prescription_id", "prescription", not_null=True),
            _text("kind", not_null=True, allowed=prescriptions.EVENT_KINDS, check=True),
            _text("on_date", not_null=True),
            _text("reason"),
            _text("assessment"),
        ), hooks=RX_CHILD_HOOKS),
        Table("dispensing", Kind.EVENT, (
            *common,
            _ref("prescription_id", "prescription", not_null=True),
            _text("dispensed_on", not_null=True),
            _int("days", not_null=True),
            _int("split_pack", not_null=True, default=0),
            _text("quantities", not_null=True, default="[]"),
        ), hooks=RX_CHILD_HOOKS),
        Table("dispensing_code", Kind.EVENT, (
            *common,
            _ref("dispensing_id", "dispensing", not_null=True),
            _ref("prescription_item_id", "prescription_item", foreign_key=False),
            _text("code", not_null=True, max_length=prescriptions.TRACE_MAX),
            _int("verified", not_null=True, default=0),
            _text("unverified_reason"),
            _int("split_pack", not_null=True, default=0),
            _text("units", not_null=True),
            _int("package_size"),
        ), label="code"),  # a box is known by its trace code
        Table("service_package", Kind.REFERENCE, (
            *reference,
            _text("code", not_null=True),
            _text("name", not_null=True),
            _text("kind", not_null=True, default="personalised"),
            _int("fee_fen", not_null=True, default=0),
            _int("insurance_fund_fen", not_null=True, default=0),
            _int("public_health_fund_fen", not_null=True, default=0),
            _int("resident_share_fen", not_null=True, default=0),
            _text("eligibility", not_null=True, default="{}"),
            _text("services", not_null=True, default="[]"),
            _int("active", not_null=True, default=1),
        ), unique=(Unique("service_package_code", ("code",)),)),
        Table("policy", Kind.REFERENCE, (
            *reference, _text("key", not_null=True), _text("value", not_null=True),
            _text("effective_from", not_null=True),
        ), unique=(Unique("policy_key_from", ("key", "effective_from")),)),
        Table("drug", Kind.REFERENCE, (  # the county's drug catalog (clinic_app.drugs)
            *reference,
            _text("code", not_null=True, max_length=MAX_UNIQUE),
            _text("name", not_null=True),
            _text("brand_name"),
            _text("form"),
            _text("spec"),
            _text("unit"),
            _int("package_size", not_null=True, minimum=1),
            _text("package_unit"),
            _int("price_fen", minimum=0),
            _text("insurance_category", allowed=drugs.INSURANCE_CATEGORIES, check=True),
            _text("atc_code"),
            _text("trace_product_id"),
            *(_int(flag, not_null=True, default=0, minimum=0, maximum=1) for flag in drugs.DRUG_FLAGS),
        ), unique=(Unique("drug_code", ("code",)),), hooks=DRUG_HOOKS),
        # -- outpatient visits and their settlement (issue 14; clinic_app.visits) -------------------------------
        Table("service_price", Kind.REFERENCE, (  # the county's price list of services (clinic_app.prices)
            *reference, _text("code", not_null=True), _text("name", not_null=True),
            _int("price_fen", not_null=True, minimum=0, maximum=settlement.MAX_AMOUNT_FEN),
            _text("insurance_category", not_null=True, allowed=settlement.CATEGORIES, check=True),
            _text("unit"),
        ), unique=(Unique("service_price_code", ("code",)),)),
        Table("visit", Kind.EVENT, (
            *common,
            _ref("resident_id", "resident", not_null=True),
            _text("visit_date", not_null=True),
            _ref("doctor_id", "user"),
            _text("med_type", not_null=True, allowed=settlement.MED_TYPES, check=True),
            _text("disease", allowed=chronic.DISEASES, check=True),
            _text("diagnoses", not_null=True, default="[]"),
            _int("total_fen", not_null=True), _int("in_scheme_fen", not_null=True),
            _int("deductible_fen", not_null=True, default=0),
            _int("fund_fen", not_null=True), _int("patient_fen", not_null=True), _int("cap_left_fen", not_null=True),
            _int("capped", not_null=True, default=0),
            _text("ratio_pct", not_null=True), _int("annual_cap_fen", not_null=True),
            _int("used_fund_fen", not_null=True, default=0), _int("used_deductible_fen", not_null=True, default=0),
            _int("provisional", not_null=True, default=1),
        ), label_sql="SELECT v.id, r.name || ' ' || v.visit_date FROM visit v "
                     "JOIN resident r ON r.id = v.resident_id WHERE v.id IN ({marks})"),
        Table("visit_line", Kind.EVENT, (
            *common,
            _ref("visit_id", "visit", not_null=True),
            _int("line_no", not_null=True),
            _text("kind", not_null=True, allowed=VISIT_LINE_KINDS, check=True),
            _text("code", not_null=True), _text("name", not_null=True),
            _int("unit_price_fen", not_null=True), _int("quantity", not_null=True), _int("amount_fen", not_null=True),
            _text("insurance_category", not_null=True, allowed=settlement.CATEGORIES, check=True),
            _text("trace_code", max_length=100),
            _int("split_pack", not_null=True, default=0),
        )),
        Table("visit_cancel", Kind.EVENT, (  # the reversal (冲正) of a visit: the visit itself is never edited
            *common,
            _ref("visit_id", "visit", not_null=True),
            _text("cancelled_on", not_null=True),
            _text("reason", not_null=True),
        )),
        # a type-11 visit of a resident contracted here, settled at another institution: the county makes the row
        # when it deducts such claims from the clinic's budget (clinic_app.ledger; sync/server/visit_cap.py)
        Table("capitation_claim", Kind.SERVER_MADE, (
            *common,
            _ref("resident_id", "resident", not_null=True, foreign_key=False),
            _ref("contract_id", "contract", foreign_key=False),
            _text("visit_id", not_null=True, max_length=MAX_ID),
            _text("visit_date", not_null=True),
            _text("med_type", not_null=True, allowed=settlement.MED_TYPES, check=True),
            _int("fund_fen", not_null=True, minimum=0, maximum=settlement.MAX_AMOUNT_FEN),
            _text("clinic_code", not_null=True),
            _text("clinic_name"),
            _text("cancelled_on"),
        ), label_sql="SELECT k.id, r.name || ' ' || k.visit_date FROM capitation_claim k "
                     "JOIN resident r ON r.id = k.resident_id WHERE k.id IN ({marks})"),
        # -- device-local ----------------------------------------------------------------------------------
        Table("outbox", Kind.LOCAL, (
            _int("seq", primary_key=True),
            _text("mutation_id", not_null=True),
            _text("table_name", not_null=True),
            _text("row_id", not_null=True),
            _text("op", not_null=True, allowed=OUTBOX_OPS, check=True),
            _text("payload", not_null=True),
            _int("base_version", not_null=True),
            _text("user_id"),
            _text("device_time", not_null=True),
            _text("rejected_code"),
            _text("rejected_message"),
        ), unique=(Unique("sqlite_autoindex_outbox_1", ("mutation_id",)),)),
        Table("sync_state", Kind.LOCAL, (Column("key", primary_key=True), _text("value"))),
        Table("local_meta", Kind.LOCAL, (Column("key", primary_key=True), _text("value", not_null=True))),
        Table("setting", Kind.LOCAL, (Column("name", primary_key=True), _text("value", not_null=True))),
        Table("login_state", Kind.LOCAL, (
            Column("user_id", primary_key=True, refers_to="user"),
            _int("failed_count", not_null=True, default=0),
            _text("locked_until"),
        )),
        Table("resident_search_key", Kind.LOCAL, (
            _text("key", not_null=True, primary_key=True),
            _text("resident_id", not_null=True, primary_key=True, refers_to="resident"),
        )),
        Table("prescription_supply", Kind.LOCAL, (  # clinic_app.rx_supply
            Column("prescription_id", primary_key=True, refers_to="prescription"),
            _text("clinic_id", not_null=True),
            _text("resident_id", not_null=True),
            _text("status", not_null=True),
            _int("days", not_null=True),
            _int("dispensed_days", not_null=True),
            _text("runs_out_on", not_null=True),
            _text("valid_until", not_null=True),
            _text("due_on", not_null=True),
        )),
        Table("drug_search_key", Kind.LOCAL, (
            _text("key", not_null=True, primary_key=True),
            _text("drug_id", not_null=True, primary_key=True, refers_to="drug"),
        )),
        Table("set_aside", Kind.LOCAL, (  # pulled rows this device could not store (clinic_app.syncstate)
            _text("table_name", not_null=True, primary_key=True),
            _text("row_id", not_null=True, primary_key=True),
            _int("version"),
            _text("rule", not_null=True, allowed=SET_ASIDE_RULES),
            _text("message", not_null=True),
            _text("change", not_null=True),
            _text("first_seen_at", not_null=True),
            _text("seen_at", not_null=True),
        )),
        Table("sync_run", Kind.LOCAL, (
            _int("id", primary_key=True),
            _text("started_at", not_null=True),
            _text("finished_at", not_null=True),
            _text("trigger", not_null=True),
            _text("outcome", not_null=True),
            _int("pushed", not_null=True, default=0),
            _int("pulled", not_null=True, default=0),
            _int("conflicts", not_null=True, default=0),
            _int("rejected", not_null=True, default=0),
            _text("message"),
            _text("integrity"),
        )),
    ))
    # fmt: on


VISIT_LINE_KINDS = (
    "service",
    "drug",
)  # a line of a visit: a service of the price list or a drug of the catalog


REGISTRY = build_registry()
