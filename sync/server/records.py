"""The county's record store: every synced row of every clinic (and the county's reference rows) in ``record``.

Here rows are loaded, written and batched, versions are handed out from the scope counters under their locks,
and the county-wide rules run: each is a ``CountyRule`` registered on the ``RecordStore`` when the server
builds it (``sync.server.rules.county_records``), never by importing a module. The push engine, the county's
decisions and the reference loaders write through it, so a rule holds whichever of them writes.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.registry import REGISTRY
from sync.server import contract, db
from sync.server.common import COUNTY_SCOPE, ServiceError, clinic_scope
from sync.server.db import utc_now

# Columns the server owns or that describe the change rather than the data: never a conflict.
META_FIELDS = frozenset({"updated_at", "updated_by", "row_version"})

# The statements of every push, built once: SQLAlchemy then finds each one's compiled form without building the
# statement and its cache key again (half the Python cost of a statement).
_COUNTER = db.scope_counter.c
_NEXT_VERSION = (
    sa.update(db.scope_counter)
    .where(_COUNTER.scope == sa.bindparam("key_scope"))
    .values(value=_COUNTER.value + 1)
    .returning(_COUNTER.value)
)
_LOCK_SCOPE = (
    sa.update(db.scope_counter)
    .where(_COUNTER.scope == sa.bindparam("key_scope"))
    .values(value=_COUNTER.value)
    .returning(_COUNTER.value)
)
_SET_COUNTER = (
    sa.update(db.scope_counter)
    .where(_COUNTER.scope == sa.bindparam("key_scope"))
    .values(value=sa.bindparam("new_value"))
)
_LOAD = sa.select(db.record).where(
    db.record.c.table_name == sa.bindparam("key_table"), db.record.c.row_id == sa.bindparam("key_row")
)
_INSERT_RECORD = db.record.insert()
_UPDATE_RECORD = sa.update(db.record).where(
    db.record.c.table_name == sa.bindparam("key_table"), db.record.c.row_id == sa.bindparam("key_row")
)
_KNOWN = sa.select(db.record.c.row_id).where(
    db.record.c.table_name == sa.bindparam("key_table"),
    db.record.c.row_id == sa.bindparam("key_row"),
    db.record.c.clinic_id == sa.bindparam("key_clinic"),
)
_UNIQUE = db.unique_key.c
_UNIQUE_HOLDER = sa.select(_UNIQUE.row_id).where(
    _UNIQUE.table_name == sa.bindparam("key_table"),
    _UNIQUE.clinic_id == sa.bindparam("key_clinic"),
    _UNIQUE.key == sa.bindparam("key_value"),
)
_UNIQUE_DELETE = sa.delete(db.unique_key).where(
    _UNIQUE.table_name == sa.bindparam("key_table"),
    _UNIQUE.clinic_id == sa.bindparam("key_clinic"),
    _UNIQUE.key == sa.bindparam("key_value"),
    _UNIQUE.row_id == sa.bindparam("key_row"),
)
_UNIQUE_INSERT = db.unique_key.insert()


# How a row and its field versions are stored: json.dumps with these options would make an encoder each call.
_ROW_TEXT = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_VERSIONS_TEXT = json.JSONEncoder(sort_keys=True).encode


# -- scope counters ---------------------------------------------------------------------------------
def next_version(conn: Connection, scope: str) -> int:
    """The next number of a scope. The UPDATE locks the counter row until the transaction ends, so
    transactions of one scope get their numbers in the order they commit."""
    result = next(iter(db.fetch(conn, _NEXT_VERSION, {"key_scope": scope})), None)
    if result is None:
        raise ServiceError(500, "no_scope", f"scope {scope} has no counter")
    return int(result[0])


def lock_scope(conn: Connection, scope: str) -> int:
    """Lock a scope's counter until commit and read it: versions handed out under the lock are in commit order."""
    (row,) = db.fetch(conn, _LOCK_SCOPE, {"key_scope": scope})
    return int(row[0])


def lock_scope_asking(conn: Connection, scope: str, asked: Any, params: dict[str, Any]) -> tuple[int, Any]:
    """``lock_scope`` that reads ``asked`` (a labelled SQL expression with its ``params``) in the same statement,
    under the lock: one round trip instead of two. The statement is built once per expression."""
    statement = _ASKING.get(asked)
    if statement is None:
        statement = _ASKING[asked] = _LOCK_SCOPE.returning(asked)
    (row,) = db.fetch(conn, statement, {"key_scope": scope, **params})
    return int(row[0]), row[1]


_ASKING: dict[Any, Any] = {}  # lock statements with what they ask, by expression


def set_counter(conn: Connection, scope: str, value: int) -> None:
    db.fetch(conn, _SET_COUNTER, {"key_scope": scope, "new_value": value})


# -- loading ------------------------------------------------------------------------------------------
def load(conn: Connection, table: str, row_id: str) -> Any:
    return conn.execute(_LOAD, {"key_table": table, "key_row": row_id}).first()


def server_row(rec: Any) -> dict[str, Any]:
    """A stored row as a device receives it: its data with its version."""
    data = json.loads(rec.data)
    data["row_version"] = int(rec.version)
    return dict(data)


@dataclass
class Batch:
    """One push (or one county decision): the clinic's counter is locked and read once, versions are taken from
    it in memory and the counter is written back before commit (``finish``); a few queries for the whole batch
    instead of several a row."""

    counter: int
    start: int
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)
    # read ahead for the batch; an entry is used once, then read afresh
    records: dict[tuple[str, str], Any] = field(default_factory=dict)
    pending: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # new rows not yet inserted
    known: set[tuple[str, str]] = field(default_factory=set)  # rows of the clinic that references may name
    # what the rules read ahead for the batch (``CountyRule.prepare``) and keep up to date as it writes
    memo: dict[Any, Any] = field(default_factory=dict)
    # rows of other tables inserted with the batch's records, keyed so that a later write in the batch can drop one
    later: dict[sa.Table, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    # work a rule does once for the whole batch, after its rows are inserted (``at_finish``)
    finishing: dict[Any, Callable[[Connection], None]] = field(default_factory=dict)

    @classmethod
    def locked(cls, conn: Connection, scope: str) -> Batch:
        counter = lock_scope(conn, scope)
        return cls(counter=counter, start=counter)

    def current(self, conn: Connection, table: str, row_id: str) -> Any:
        key = (table, row_id)
        if key in self.pending:
            self.flush(conn)
        return self.records.pop(key) if key in self.records else load(conn, table, row_id)

    def row(self, conn: Connection, table: str, row_id: str) -> Any:
        """The row as stored or as this batch will insert it (not read again, not inserted yet)."""
        pending = self.pending.get((table, row_id))
        return SimpleNamespace(**pending) if pending is not None else load(conn, table, row_id)

    def flush(self, conn: Connection) -> None:
        if self.pending:
            db.insert_rows(conn, db.record, list(self.pending.values()))
            self.pending.clear()
        for table, rows in self.later.items():
            if rows:
                db.insert_rows(conn, table, list(rows.values()))
                rows.clear()

    def take(self) -> int:
        self.counter += 1
        return self.counter

    def at_finish(self, key: Any, work: Callable[[Connection], None]) -> None:
        """Run ``work`` once (per ``key``) when the batch finishes, after its rows are inserted."""
        self.finishing.setdefault(key, work)

    def finish(self, conn: Connection, scope: str) -> None:
        self.flush(conn)
        while self.finishing:
            self.finishing.pop(next(iter(self.finishing)))(conn)
        self.flush(conn)
        if self.counter != self.start:
            set_counter(conn, scope, self.counter)


# -- county-wide rules --------------------------------------------------------------------------------
class CountyRule:
    """A rule of one table that the record store runs whenever a row of that table is checked or written.

    Override what the rule needs; the defaults do nothing. The resident merge (``resident_merge``: one resident
    per ID number in a clinic, a second registration is merged into the first) uses ``taken``, ``merge_target``
    and ``on_write``; the one-team rule (``one_team``: one open contract per person and period in the county)
    uses ``after_apply``, and owns a kind of conflict that the county decides (``conflict_kind``, ``resolve``).
    One box per trace code will take the same shape: a rule on the dispensing table whose ``on_write`` keeps a
    county-wide index of trace codes (as ``contract_index`` is for contracts) and whose ``taken`` refuses a code
    another clinic dispensed already.
    """

    table: str = ""
    conflict_kind: str | None = None  # the kind of conflict row this rule opens; a county reviewer decides it
    keep_choices: tuple[str, ...] = ()  # how a reviewer may decide it

    def prepare(
        self, conn: Connection, batch: Batch, clinic_id: str, rows: list[dict[str, Any]]
    ) -> set[tuple[str, str]]:
        """Once a push, before its mutations: ``rows`` are the fields its mutations of this table send; what the
        rule will look up for them may be read in one query and kept in ``batch.memo``. Returns the rows (table,
        row id) it will load, read ahead with the push's own."""
        return set()

    def check_row(self, data: dict[str, Any], problems: list[ValidationError]) -> list[ValidationError]:
        """The row as it will be stored; ``problems`` are the column contract's. Returns every problem, first
        the one the device is answered with."""
        return problems

    def taken(
        self,
        conn: Connection,
        clinic_id: str,
        row_id: str,
        data: dict[str, Any],
        changed: set[str] | None,
        batch: Batch | None = None,
    ) -> list[ValidationError]:
        """A value the row holds that another row holds already (``changed`` None: a new row)."""
        return []

    def merge_target(
        self, conn: Connection, clinic_id: str, fields: dict[str, Any], batch: Batch | None = None
    ) -> str | None:
        """For a row new to the server: the id of the row of the clinic it is the same as, to merge it into."""
        return None

    def on_write(
        self,
        conn: Connection,
        clinic_id: str | None,
        row_id: str,
        data: dict[str, Any],
        current: Any,
        batch: Batch | None = None,
    ) -> None:
        """After the row was written (``current`` is the row as it was, None for a new one; ``batch`` the push's,
        whose ``later`` rows are inserted when its records are)."""

    def after_apply(
        self,
        records: RecordStore,
        conn: Connection,
        batch: Batch,
        clinic_id: str,
        row_id: str,
        user_id: str | None,
    ) -> dict[str, Any] | None:
        """After a device's change to the row was applied: what changed for the device (``version``,
        ``server_row``, ``conflict_id``), or None when the row stands as sent."""
        return None

    def waits(self, batch: Batch, row_id: str) -> bool:
        """Whether ``after_apply`` put off its judgement of the row (answered None for now): the push then asks
        ``settle`` before it touches the row again, and at its end."""
        return False

    def settle(self, records: RecordStore, conn: Connection, batch: Batch) -> dict[str, dict[str, Any]]:
        """The judgements put off (``waits``) made now, for the whole batch at once (one statement for all its
        rows rather than one a row): what changed for the device, by row id, as ``after_apply`` answers; each
        judgement is answered once."""
        return {}

    def resolve(
        self, records: RecordStore, conn: Connection, conflict: Any, keep: str, actor: str, note: str
    ) -> None:
        """A county reviewer's decision of a conflict of ``conflict_kind``."""
        raise NotImplementedError


class RecordStore:
    def __init__(self) -> None:
        self._rules: dict[str, list[CountyRule]] = {}
        self._merged: set[str] = set()
        self._batched: set[tuple[int, str]] = set()  # (rule, method) that take the push's batch
        # aliased_columns, by table and the number of merged tables
        self._aliased: dict[tuple[str, int], dict[str, str]] = {}

    def register(self, rule: CountyRule) -> None:
        if rule.table not in contract.TABLES:
            raise ValueError(f"a county rule needs a synced table, not {rule.table!r}")
        self._rules.setdefault(rule.table, []).append(rule)
        for method in (
            "taken",
            "merge_target",
            "on_write",
        ):  # a rule written before batches came keeps working
            if "batch" in inspect.signature(getattr(rule, method)).parameters:
                self._batched.add((id(rule), method))
        if type(rule).merge_target is not CountyRule.merge_target:
            self._merged.add(rule.table)

    def _batch(self, rule: CountyRule, method: str, batch: Batch | None) -> dict[str, Batch | None]:
        return {"batch": batch} if (id(rule), method) in self._batched else {}

    def rules(self, table: str) -> tuple[CountyRule, ...]:
        return tuple(self._rules.get(table, ()))

    def merged_tables(self) -> frozenset[str]:
        """Tables whose rows the server may merge into another row (the references to them are redirected)."""
        return frozenset(self._merged)

    def aliased_columns(self, table: str) -> dict[str, str]:
        """Columns of ``table`` that may name a merged row (column -> the merged table): they are rewritten to
        name the row that was kept. Worked out once a table (the rules are registered when the store is made)."""
        known = self._aliased.get((table, len(self._merged)))
        if known is None:
            t = REGISTRY.get(table)
            references = {} if t is None else {**t.references, **t.soft_references}
            known = {column: target for column, target in references.items() if target in self._merged}
            self._aliased[(table, len(self._merged))] = known
        return known

    def rule_for_conflict(self, kind: str) -> CountyRule | None:
        return next((r for rules in self._rules.values() for r in rules if r.conflict_kind == kind), None)

    def county_decided(self) -> frozenset[str]:
        """Kinds of conflict a county reviewer decides (a device may not resolve them)."""
        return frozenset(r.conflict_kind for rules in self._rules.values() for r in rules if r.conflict_kind)

    def keep_choices(self) -> tuple[str, ...]:
        return tuple(k for rules in self._rules.values() for r in rules for k in r.keep_choices)

    # -- writing --------------------------------------------------------------------------------------
    def write(
        self,
        conn: Connection,
        table: str,
        row_id: str,
        clinic_id: str | None,
        version: int,
        data: dict[str, Any],
        current: Any,
        changed: set[str] | None = None,
        batch: Batch | None = None,
    ) -> None:
        """Store ``data`` as the row's new state at ``version``; ``changed`` names the fields this version
        changed (all of them when None). A new row in a batch is inserted with the batch's others."""
        scope = clinic_scope(clinic_id) if clinic_id else COUNTY_SCOPE
        versions: dict[str, int] = json.loads(current.field_versions) if current is not None else {}
        for name in changed if changed is not None else data:
            versions[name] = version
        values = {
            "scope": scope,
            "clinic_id": clinic_id,
            "version": version,
            "deleted_at": data.get("deleted_at"),
            "data": _ROW_TEXT(data),
            "field_versions": _VERSIONS_TEXT(versions),
            "updated_at": utc_now(),
        }
        if current is None and batch is not None:  # one INSERT at the end
            batch.pending[(table, row_id)] = {"table_name": table, "row_id": row_id, **values}
        elif (
            batch is not None and (table, row_id) in batch.pending
        ):  # written twice in the batch: inserted once
            batch.pending[(table, row_id)].update(values)
        elif current is None:
            conn.execute(_INSERT_RECORD, {"table_name": table, "row_id": row_id, **values})
        else:
            conn.execute(_UPDATE_RECORD, {"key_table": table, "key_row": row_id, **values})
        if table in contract.UNIQUE:
            _index_unique(conn, table, clinic_id, row_id, data, current)
        for rule in self._rules.get(table, ()):
            rule.on_write(conn, clinic_id, row_id, data, current, **self._batch(rule, "on_write", batch))

    def add_alias(self, conn: Connection, batch: Batch, table: str, alias_id: str, row_id: str) -> None:
        """``alias_id`` names ``row_id`` from now on (a row merged into another): later writes are redirected."""
        later = batch.later.setdefault(db.row_alias, {})  # inserted with the batch's records
        later[(table, alias_id)] = {"table_name": table, "alias_id": alias_id, "row_id": row_id}
        batch.aliases[(table, alias_id)] = row_id

    def open_conflict(
        self,
        conn: Connection,
        version: int,
        clinic_id: str,
        table: str,
        row_id: str,
        kind: str,
        message: str,
        user_id: str | None,
        local_row: str | None,
        server_row: str,
        detail: str,
        batch: Batch | None = None,
    ) -> str:
        """A conflict a person decides: a row of the clinic every device pulls, and the county's list."""
        conflict_id = uuid7()
        now = utc_now()
        data = {
            "id": conflict_id,
            "clinic_id": clinic_id,
            "created_at": now,
            "updated_at": now,
            "created_by": user_id,
            "updated_by": user_id,
            "deleted_at": None,
            "table_name": table,
            "row_id": row_id,
            "kind": kind,
            "message": message,
            "local_row": local_row,
            "server_row": server_row,
            "resolved_at": None,
            "resolution": None,
        }
        self.write(conn, "conflict", conflict_id, clinic_id, version, data, None, batch=batch)
        conn.execute(
            db.conflict.insert().values(
                id=conflict_id,
                clinic_id=clinic_id,
                table_name=table,
                row_id=row_id,
                kind=kind,
                created_at=now,
                detail=detail,
            )
        )
        return conflict_id

    # -- checking -------------------------------------------------------------------------------------
    def validate(self, table: str, data: dict[str, Any]) -> list[ValidationError]:
        """The row as it will be stored: the device schema's columns (contract) and the rules registered for
        its table (the same field rules as the device's, from clinic_app)."""
        problems = contract.check_required(table, data)
        for rule in self._rules.get(table, ()):
            problems = rule.check_row(data, problems)
        known = REGISTRY.table(table)
        # what the domain's validator let pass as it reads it (a blank relation is "none" to it) but a device would
        # refuse to store as sent: every device of the clinic would set the row aside (fits: the fast judgement)
        if not problems and not known.fits(data) and (problem := known.row_problem(data)) is not None:
            code, message = problem
            where, _, why = message.partition(": ")
            problems = [ValidationError(where.removeprefix(f"{table}."), code, why)]
        return problems

    def unique_taken(
        self,
        conn: Connection,
        table: str,
        clinic_id: str,
        row_id: str,
        data: dict[str, Any],
        changed: set[str] | None,
        batch: Batch | None = None,
    ) -> list[ValidationError]:
        """The device's unique indexes (village name, household code, user name, and those of the rules): a
        value another row of the clinic holds is refused, or every device of the clinic would fail to store
        this row. ``changed`` None: a new row."""
        problems: list[ValidationError] = []
        if table in contract.UNIQUE and (
            changed is None or changed & {contract.UNIQUE[table][0], "deleted_at"}
        ):
            problems = _unique_key_taken(conn, table, clinic_id, row_id, data)
        for rule in self._rules.get(table, ()):
            problems = problems or rule.taken(
                conn, clinic_id, row_id, data, changed, **self._batch(rule, "taken", batch)
            )
        return problems

    def check_references(
        self,
        conn: Connection,
        batch: Batch,
        clinic_id: str,
        table: str,
        data: dict[str, Any],
        names: set[str] | None,
    ) -> list[ValidationError]:
        """Every id a row names (village_id, household_id) is a row of the same clinic, already on the server or
        earlier in this batch: the device's foreign keys would refuse the row otherwise."""
        problems = []
        for name, target in contract.references(table).items():
            value = data.get(name)
            if value is None or (names is not None and name not in names):
                continue
            if (target, value) not in batch.known:
                found = conn.execute(
                    _KNOWN, {"key_table": target, "key_row": value, "key_clinic": clinic_id}
                ).first()
                if found is None:
                    problems.append(
                        ValidationError(
                            name, "unknown_reference", f"no {target} {value} in this clinic: push it first"
                        )
                    )
                    continue
                batch.known.add((target, value))
        return problems

    def prepare(
        self, conn: Connection, batch: Batch, clinic_id: str, rows: list[tuple[str, dict[str, Any]]]
    ) -> set[tuple[str, str]]:
        """Once a push: each rule is shown the fields of its table's mutations (``rows``: table and fields)."""
        wanted: set[tuple[str, str]] = set()
        for table, rules in self._rules.items():
            of_table = [fields for name, fields in rows if name == table]
            for rule in rules if of_table else ():
                wanted |= rule.prepare(conn, batch, clinic_id, of_table)
        return wanted

    def merge_target(
        self, conn: Connection, table: str, clinic_id: str, fields: dict[str, Any], batch: Batch | None = None
    ) -> str | None:
        for rule in self._rules.get(table, ()):
            if (
                kept := rule.merge_target(conn, clinic_id, fields, **self._batch(rule, "merge_target", batch))
            ) is not None:
                return kept
        return None

    def open_row_conflict(
        self,
        conn: Connection,
        version: int,
        clinic_id: str,
        table: str,
        row_id: str,
        kind: str,
        message: str,
        user_id: str | None,
        detail: dict[str, Any],
    ) -> str:
        """A county rule's conflict about a stored row of a clinic (the row as the server holds it beside it)."""
        record = load(conn, table, row_id)
        server_row = json.dumps(
            {**json.loads(record.data), "row_version": int(record.version)}, ensure_ascii=False
        )
        return self.open_conflict(
            conn,
            version,
            clinic_id,
            table,
            row_id,
            kind,
            message,
            user_id,
            None,
            server_row,
            json.dumps({"message": message, **detail}, ensure_ascii=False),
        )

    def close_conflicts(self, conn: Connection, conflict: Any, resolution: str, now: str) -> None:
        """A reviewer's decision closes the conflict and its twin (the other clinic's row), each a new version of
        its clinic's scope."""
        for conflict_id in filter(None, [conflict.id, json.loads(conflict.detail).get("twin")]):
            row = conn.execute(sa.select(db.conflict).where(db.conflict.c.id == conflict_id)).one()
            if row.resolved_at is not None:
                continue
            record = load(conn, "conflict", conflict_id)
            scope = clinic_scope(record.clinic_id)
            self.decide(
                conn,
                record,
                {"resolved_at": now, "resolution": resolution},
                partial(next_version, conn, scope),
            )
            conn.execute(
                sa.update(db.conflict)
                .where(db.conflict.c.id == conflict_id)
                .values(resolved_at=now, resolution=resolution)
            )

    def after_apply(
        self, conn: Connection, batch: Batch, table: str, clinic_id: str, row_id: str, user_id: str | None
    ) -> dict[str, Any] | None:
        judged: dict[str, Any] | None = None
        for rule in self._rules.get(table, ()):
            if (changes := rule.after_apply(self, conn, batch, clinic_id, row_id, user_id)) is not None:
                judged = {**(judged or {}), **changes}
        return judged

    def waits(self, batch: Batch, table: str, row_id: str) -> bool:
        """Whether a rule put off its judgement of the row (``CountyRule.waits``)."""
        return any(rule.waits(batch, row_id) for rule in self._rules.get(table, ()))

    def settle(self, conn: Connection, batch: Batch) -> dict[tuple[str, str], dict[str, Any]]:
        """Every judgement the rules put off, made now (``CountyRule.settle``), by (table, row id)."""
        judged: dict[tuple[str, str], dict[str, Any]] = {}
        for table, rules in self._rules.items():
            for rule in rules:
                judged.update({(table, row_id): c for row_id, c in rule.settle(self, conn, batch).items()})
        return judged

    def decide(
        self,
        conn: Connection,
        record: Any,
        values: dict[str, Any],
        take: Callable[[], int],
        batch: Batch | None = None,
    ) -> dict[str, Any]:
        """``values`` written over a stored row as a new version of its clinic's scope (``take`` hands the
        version out: a push's batch, or the clinic's counter for a county decision); what the device is told."""
        data = {**json.loads(record.data), **values, "updated_at": utc_now()}
        version = take()
        self.write(
            conn,
            record.table_name,
            record.row_id,
            record.clinic_id,
            version,
            data,
            record,
            {*values, "updated_at"},
            batch,
        )
        return {"version": version, "server_row": {**data, "row_version": version}}


def _index_unique(
    conn: Connection, table: str, clinic_id: str | None, row_id: str, data: dict[str, Any], current: Any
) -> None:
    old = contract.unique_value(table, json.loads(current.data)) if current is not None else None
    new = contract.unique_value(table, data)
    if old is not None and old != new:
        conn.execute(
            _UNIQUE_DELETE, {"key_table": table, "key_clinic": clinic_id, "key_value": old, "key_row": row_id}
        )
    if new is not None and new != old:
        conn.execute(
            _UNIQUE_INSERT, {"table_name": table, "clinic_id": clinic_id, "key": new, "row_id": row_id}
        )


def _unique_key_taken(
    conn: Connection, table: str, clinic_id: str, row_id: str, data: dict[str, Any]
) -> list[ValidationError]:
    value = contract.unique_value(table, data)
    if value is None:
        return []
    holder = conn.execute(
        _UNIQUE_HOLDER, {"key_table": table, "key_clinic": clinic_id, "key_value": value}
    ).first()
    if holder is None or holder[0] == row_id:
        return []
    name = contract.UNIQUE[table][0]
    return [
        ValidationError(
            name, "duplicate", f"{value!r} is taken already in this clinic, by {table} {holder[0]}"
        )
    ]
