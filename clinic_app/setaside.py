"""Rows pulled from the county that this device cannot store are set aside, so that one row never stops a sync
(DESIGN §11): a unique key another row here holds already, a value outside the registry's bounds, a malformed
change, anything the database refuses as a constraint or a value it cannot bind. They wait in the device-local
table ``set_aside`` (one entry per row, with the rule it broke and when), shown on the Sync page and by
`clinic check`; the rest of the page, the cursor and the sync go on.

An entry goes when a later version of its row is stored (pulled, re-read, or tried again: a row refused for a
key another row held is tried again at every pull, since that other row may have been renamed since); a later
version that fails too replaces it.

The pull's fast path stays a statement per table and column set: a batch is written inside a SAVEPOINT and only
when it fails are its rows written one by one, each in its own SAVEPOINT, to find the ones to set aside."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlcipher3

from clinic_app.db import Connection
from clinic_app.registry import INT64_MAX, MAX_ID, REGISTRY, Table
from clinic_app.store import upsert_rows, utc_now

log = logging.getLogger(__name__)

# What a row can make the database refuse without anything being wrong with the database itself (a full disk,
# a damaged file, a lock are OperationalError / DatabaseError and stop the sync as before).
STORE_ERRORS: tuple[type[BaseException], ...] = (
    sqlcipher3.IntegrityError,
    sqlcipher3.InterfaceError,
    sqlcipher3.ProgrammingError,
    sqlcipher3.DataError,
    OverflowError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
)
# Rules that depend on the other rows here, so a row set aside for them may be stored later as it is.
RETRIED = frozenset({"unique", "not_stored"})
MAX_KEY = 200  # characters of a table name or row id kept (a malformed change may carry anything)

Key = tuple[str, str]
Row = dict[str, Any]
Prepare = Callable[[str, str, int, dict[str, Any]], Row]  # (table, row id, version, data) -> row to store


@dataclass(frozen=True)
class Entry:
    table: str
    row_id: str
    version: int | None
    rule: str
    message: str
    change: str  # the change as pulled (JSON)


def rule_of(error: BaseException) -> str:
    """The ``SET_ASIDE_RULES`` code of what the database (or binding a value) refused."""
    text = str(error)
    if isinstance(error, sqlcipher3.IntegrityError):
        if "UNIQUE constraint" in text or "PRIMARY KEY" in text:
            return "unique"
        if "NOT NULL constraint" in text:
            return "required"
        if "CHECK constraint" in text:
            return "not_allowed"
        return "not_stored"
    if isinstance(error, OverflowError):
        return "range"
    if isinstance(error, UnicodeError):
        return "encoding"
    if isinstance(error, sqlcipher3.InterfaceError | sqlcipher3.ProgrammingError):
        return "type"  # "Error binding parameter": a list or an object where a value belongs
    return "not_stored"


def _clean(text: str) -> str:
    """Text SQLite can hold: a lone surrogate written as its escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _text(value: Any) -> str:
    return _clean(value if isinstance(value, str) else json.dumps(value, default=repr))[:MAX_KEY]


def _key(change: Any) -> Key:
    c: Mapping[str, Any] = change if change.__class__ is dict or isinstance(change, Mapping) else {}
    table, row_id = c.get("table", ""), c.get("row_id", "")
    if (  # nearly every change: ASCII names within the limit are their own key (a pull asks it of each row)
        table.__class__ is str
        and row_id.__class__ is str
        and table.isascii()
        and row_id.isascii()
        and len(table) <= MAX_KEY
        and len(row_id) <= MAX_KEY
    ):
        return table, row_id
    return _text(table), _text(row_id)


class CheckedChanges(list[Row]):
    """The changes of a pulled page whose rows were every one checked on the way in against its table's row
    model — the registry's columns with their types, bounds and allowed values, as ``Table.fits`` checks them
    (the sync client's page reader, ``sync.protocol.page_reader``): ``Keeper.refuses`` does not check those rows
    against the registry again. Any other list of changes is checked here."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _json(value: Any) -> str:
    # ASCII escapes keep what SQLite cannot hold (a lone surrogate) as text that parses back to the same value
    return json.dumps(value, default=repr, sort_keys=True)


def _version(value: Any) -> int | None:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX else None
    )


class Keeper:
    """What one transaction of pulled rows could not store, and which entries its stored rows clear.

    ``refuses`` judges a change before it is grouped (its envelope and the registry's bounds); ``write`` runs
    the caller's insert of a group and, when it fails, finds the rows to set aside; ``finish`` writes the
    entries. Entries of the same row are taken in order, so the last version heard of a row wins."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.held: set[Key] = {(r[0], r[1]) for r in conn.execute("SELECT table_name, row_id FROM set_aside")}
        self.outcome: dict[Key, Entry | None] = {}  # None: a version of the row was stored, the entry goes
        self._tables: dict[str, Table] = {}
        self._refused: list[tuple[int, Any, str, str]] = []  # this page's: (place, change, rule, message)

    # -- judging a change before it is written -------------------------------------------------------------
    def refuses(self, table: str, change: Mapping[str, Any], place: int = 0, checked: bool = False) -> bool:
        """Set ``change`` (at ``place`` in its page) aside if its version or a value is outside the registry's
        bounds. Taken when the page ends (``end_page``), after the rows of the page that were written.
        ``checked``: the row's values were checked against the registry already (``CheckedChanges``: its row a
        dict, its id a string, its version an integer), so only the version's and the id's bounds are left."""
        if checked:
            version, row_id = change["version"], change["row_id"]
            if 0 <= version <= INT64_MAX and len(row_id) <= MAX_ID:
                return False
        t = self._tables.get(table)
        if t is None:
            t = self._tables[table] = REGISTRY.table(table)
        version = change["version"]
        if _version(version) is None:
            self._refused.append(
                (place, change, "malformed", f"{table}: the version {_short(version)} is not a row version")
            )
            return True
        row = change["row"]
        if (
            not isinstance(row, Mapping)
            or not isinstance(change["row_id"], str)
            or len(change["row_id"]) > MAX_ID
        ):
            self._refused.append(
                (place, change, "malformed", f"{table}: the change carries no row or no row id")
            )
            return True
        if not checked and not t.fits(row) and (problem := t.row_problem(row)) is not None:
            self._refused.append((place, change, *problem))
            return True
        return False

    @staticmethod
    def superseded(changes: list[Any]) -> set[int]:
        """The places in a page of changes that a later change of the same row follows: only the last one of a
        row is written or set aside (the page's rows are written a group of columns at a time, not in the
        page's order, so an earlier version written after the later one would take its place)."""
        # a checked page: each change a dict whose table and row id are text (ids that only ``_key`` makes the
        # same are too long for an id, and each is set aside as malformed)
        if isinstance(changes, CheckedChanges) and len({(c["table"], c["row_id"]) for c in changes}) == len(
            changes
        ):
            return set()
        last = {_key(change): place for place, change in enumerate(changes)}
        if len(last) == len(changes):  # nearly every page: no row twice
            return set()
        return set(range(len(changes))) - set(last.values())

    def malformed(self, change: Any, error: BaseException, place: int = 0) -> None:
        """A change that could not even be read as a row of a table (taken when the page ends)."""
        self._refused.append((place, change, "malformed", f"{type(error).__name__}: {error}"[:500]))

    def end_page(self, changes: list[Any]) -> None:
        """Set aside the changes of this page refused before writing, unless a later change of the page is of
        the same row (that one decides: it was written after them, or set aside itself)."""
        refused, self._refused = self._refused, []
        for place, change, rule, message in refused:
            key = _key(change)
            if not any(_key(later) == key for later in changes[place + 1 :]):
                self.put(change, rule, message)

    def failed(self, change: Any, error: BaseException) -> None:
        """A change whose row the database refused (``error``)."""
        self.put(change, rule_of(error), f"{type(error).__name__}: {error}"[:500])

    def put(self, change: Any, rule: str, message: str) -> None:
        c: Mapping[str, Any] = change if isinstance(change, Mapping) else {"row": change}
        table, row_id = _key(change)
        entry = Entry(table, row_id, _version(c.get("version")), rule, _clean(message)[:500], _json(change))
        log.warning("pulled row set aside: %s %s: %s", entry.table, entry.row_id, entry.message)
        key = (entry.table, entry.row_id)
        self.outcome.pop(key, None)  # the order of the entries is the order heard
        self.outcome[key] = entry

    # -- writing -------------------------------------------------------------------------------------------
    def write(self, table: str, rows: list[Row], insert: Callable[[list[Row]], None]) -> list[Row]:
        """``insert(rows)`` in a SAVEPOINT; when it fails, each row on its own, and the ones that fail again
        once more after the others (a rename in the same batch may free a name). The rows stored."""
        if self.attempt(partial(insert, rows)) is None:
            if self.held or self.outcome:
                self._stored(table, rows)
            return rows
        errors: dict[int, BaseException] = {}  # the rows that failed, by their place in ``rows``
        for i, row in enumerate(rows):
            if (error := self.attempt(partial(insert, [row]))) is not None:
                errors[i] = error
        if len(errors) < len(rows):  # once more after the others (not over a later version stored since)
            later = {}  # row id -> the place of its last version
            for i, row in enumerate(rows):
                later[row["id"]] = i
            for i in list(errors):
                if later[rows[i]["id"]] == i and self.attempt(partial(insert, [rows[i]])) is None:
                    del errors[i]
        stored = []
        for i, row in enumerate(rows):  # in order: the last version heard of a row decides
            if i in errors:
                self.failed(envelope(table, row), errors[i])
            else:
                stored.append(row)
                self._stored(table, [row])
        return stored

    def attempt(self, work: Callable[[], None]) -> BaseException | None:
        """``work()`` in a SAVEPOINT: undone, and its error returned, when a row makes it fail."""
        self.conn.execute("SAVEPOINT set_aside_batch")
        try:
            work()
        except STORE_ERRORS as exc:
            self.conn.execute("ROLLBACK TO set_aside_batch")
            self.conn.execute("RELEASE set_aside_batch")
            return exc
        self.conn.execute("RELEASE set_aside_batch")
        return None

    def _stored(self, table: str, rows: list[Row]) -> None:
        for row in rows:
            key = (table, row["id"])
            if key in self.held or key in self.outcome:
                self.outcome.pop(key, None)
                self.outcome[key] = None

    def retry(self, prepare: Prepare, pending: set[Key]) -> list[tuple[str, Row]]:
        """Try again the rows set aside for a rule that other rows decide (a unique key), when no version of
        theirs was heard in this transaction and no change of this device waits for them. The rows stored."""
        waiting = [
            r
            for r in self.conn.execute(
                f"SELECT table_name, row_id, version, change FROM set_aside WHERE rule IN ({', '.join('?' * len(RETRIED))}) "
                "ORDER BY seen_at",
                sorted(RETRIED),
            )
        ]
        stored: list[tuple[str, Row]] = []
        for table, row_id, version, text in waiting:
            key = (table, row_id)
            if key in self.outcome or key in pending or table not in REGISTRY or version is None:
                continue
            here = self.conn.execute(f'SELECT row_version FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
            if here is not None and int(here[0]) >= int(version):
                self.outcome[key] = None  # a newer version is stored already
                continue
            try:
                data = json.loads(text)["row"]
                row = prepare(table, row_id, int(version), data)
            except STORE_ERRORS:
                continue
            if self.attempt(partial(upsert_rows, self.conn, table, tuple(row), [row])) is None:
                self.outcome[key] = None
                stored.append((table, row))
        return stored

    def finish(self) -> None:
        """Write the entries of this transaction and remove the ones their rows' stored versions clear."""
        now = utc_now()
        for (table, row_id), entry in self.outcome.items():
            if entry is None:
                if (table, row_id) in self.held:
                    self.conn.execute(
                        "DELETE FROM set_aside WHERE table_name = ? AND row_id = ?", (table, row_id)
                    )
                continue
            self.conn.execute(
                "INSERT INTO set_aside(table_name, row_id, version, rule, message, change, first_seen_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(table_name, row_id) DO UPDATE SET "
                "version = excluded.version, rule = excluded.rule, message = excluded.message, "
                "change = excluded.change, seen_at = excluded.seen_at",
                (entry.table, entry.row_id, entry.version, entry.rule, entry.message, entry.change, now, now),
            )


def envelope(table: str, row: Row) -> dict[str, Any]:
    """A row about to be stored, as the change it came in (derived columns left out)."""
    skip = REGISTRY.derived_columns(table) | {"id", "row_version"}
    return {
        "table": table,
        "row_id": row.get("id"),
        "version": row.get("row_version"),
        "row": {k: v for k, v in row.items() if k not in skip},
    }


# -- reading them ---------------------------------------------------------------------------------------------
def set_aside_count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM set_aside").fetchone()[0])


def set_aside_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every row set aside, the most recently heard first: table, row id, version, rule, message, when."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT table_name, row_id, version, rule, message, first_seen_at, seen_at FROM set_aside "
            "ORDER BY seen_at DESC, table_name, row_id"
        )
    ]


def set_aside_page(conn: Connection, after: tuple[str, str, str] | None, limit: int) -> list[dict[str, Any]]:
    """The next ``limit`` rows set aside after the one at ``after`` (``page_cursor`` of a row), the most recently
    heard first, each with ``key`` (table and row id) and ``label``: how a person knows the row (its name as
    pulled, or as this device holds it, or the end of its id)."""
    columns = "table_name, row_id, version, rule, message, change, first_seen_at, seen_at"
    if after is None:
        rows = conn.execute(
            f"SELECT {columns} FROM set_aside ORDER BY seen_at DESC, table_name, row_id LIMIT ?", (limit,)
        )
    else:
        seen, table, row_id = after
        rows = conn.execute(
            f"SELECT {columns} FROM set_aside WHERE seen_at < ? OR (seen_at = ? AND "
            "(table_name, row_id) > (?, ?)) ORDER BY seen_at DESC, table_name, row_id LIMIT ?",
            (seen, seen, table, row_id, limit),
        )
    found = [dict(r) for r in rows]
    labels = REGISTRY.labels()
    for r in found:
        r["key"] = f"{r['table_name']}/{r['row_id']}"
        try:
            pulled = json.loads(r.pop("change")).get("row") or {}
            label = pulled.get(labels.get(r["table_name"], "")) if isinstance(pulled, dict) else None
        except (ValueError, AttributeError):
            label = None
        r["label"] = label if isinstance(label, str) and label else None
    held: dict[Key, str] = {}  # the labels of rows this device holds (a page: a query a table)
    for table in {r["table_name"] for r in found if r["label"] is None}:
        ids = [r["row_id"] for r in found if r["table_name"] == table and r["label"] is None]
        if (sql := REGISTRY.label_query(table)) is not None:
            marks = ", ".join("?" for _ in ids)
            held.update({(table, i): str(v) for i, v in conn.execute(sql.format(marks=marks), ids) if v})
    for r in found:
        r["label"] = r["label"] or held.get((r["table_name"], r["row_id"])) or r["row_id"][-8:]
    return found


def page_cursor(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """Where ``set_aside_page`` goes on after ``row``."""
    return row["seen_at"], row["table_name"], row["row_id"]
