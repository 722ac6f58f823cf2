"""The local store and its unit of work.

Every user action is one ``UnitOfWork``: one ``BEGIN IMMEDIATE`` transaction that writes the rows, one
``outbox`` entry per changed synced row and one ``audit_log`` entry (who, when, what). It commits all or
nothing and returns what it changed, so each screen can decide whether to refresh.
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_app import keystore
from clinic_app.db import (
    SQLITE_FULL,
    Connection,
    DatabaseError,
    connect,
    database_size,
    disk_full,
    migrate,
    page_check,
    schema_version,
    storage_error,
    vacuum_into,
)
from clinic_app.errors import DatabaseDamaged, StoreError
from clinic_app.files import require_folder, write_problem
from clinic_app.ids import utc_now, uuid7
from clinic_app.migrations import MIGRATIONS, SCHEMA_VERSION
from clinic_app.registry import REGISTRY

log = logging.getLogger(__name__)

_LOCAL = REGISTRY.local_tables  # rows of these never leave this device: no outbox entry, not audited
AUDIT_ROW_REFS_MAX = 200
AUDIT_SHOWN_REFS_MAX = 1000  # rows whose personal data one action showed (a search page is at most 1,000)
OUTBOX_FLUSH_ROWS = 1000  # a big import writes its outbox as it goes, not all at the end

__all__ = [
    "AUDIT_ROW_REFS_MAX",
    "AUDIT_SHOWN_REFS_MAX",
    "Changes",
    "Listener",
    "Store",
    "UnitOfWork",
    "upsert_rows",
    "utc_now",
]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Changes:
    """What one unit of work changed: table -> ids."""

    action: str = ""
    rows: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, row_id: str) -> None:
        self.rows.setdefault(table, set()).add(row_id)

    def touched(self, *tables: str) -> bool:
        """Whether any of these tables changed."""
        return any(self.rows.get(t) for t in tables)


Listener = Callable[[Changes], None]


class UnitOfWork:
    def __init__(self, store: Store, actor_id: str | None, action: str) -> None:
        self.store = store
        self.conn = store.conn
        self.actor_id = actor_id
        self.action = action
        self.now = utc_now()
        self.changes = Changes(action=action)
        self.summary = action
        self.shown: dict[str, list[str]] = {}  # rows this action showed, not changed (whole ID numbers)
        self._outbox: list[tuple[Any, ...]] = []

    def show(self, table: str, row_ids: Iterable[str]) -> None:
        """Rows whose personal data this action showed: their count and references go in its audit entry."""
        self.shown.setdefault(table, []).extend(row_ids)

    # -- writes ---------------------------------------------------------------------------------
    def insert(self, table: str, values: dict[str, Any]) -> str:
        row = dict(values)
        row.setdefault("id", uuid7())
        row.setdefault("clinic_id", self.store.clinic_id)
        row.setdefault("created_at", self.now)
        row["updated_at"] = self.now
        row.setdefault("created_by", self.actor_id)
        row["updated_by"] = self.actor_id
        row.setdefault("deleted_at", None)
        row.setdefault("row_version", 0)
        hooks = REGISTRY.hooks(table)
        if hooks.derive is not None:
            hooks.derive(row)
        columns = list(row)
        self.conn.execute(
            f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )
        if hooks.index is not None:
            hooks.index(self.conn, [row])
        self._queue(table, row["id"], "upsert", self._payload(table, row), base_version=0)
        return str(row["id"])

    def update(self, table: str, row_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Change some fields of a row; the outbox carries only the fields that really changed."""
        current = self.get(table, row_id)
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            return current
        new = {**current, **changed, "updated_at": self.now, "updated_by": self.actor_id}
        hooks = REGISTRY.hooks(table)
        if hooks.derive is not None:
            hooks.derive(new)
        sets = {k: new[k] for k in new if k not in ("id",) and new[k] != current.get(k)}
        sets["updated_at"] = self.now
        sets["updated_by"] = self.actor_id
        self.conn.execute(
            f"UPDATE {_quote(table)} SET {', '.join(f'{_quote(k)} = ?' for k in sets)} WHERE id = ?",
            [*sets.values(), row_id],
        )
        if hooks.index is not None:
            hooks.index(self.conn, [new])
        payload = self._payload(table, {**changed, "updated_at": self.now, "updated_by": self.actor_id})
        self._queue(table, row_id, "upsert", payload, base_version=int(current["row_version"]))
        return new

    def delete(self, table: str, row_id: str) -> None:
        """Tombstone: the row stays with ``deleted_at`` set, so the deletion can sync."""
        current = self.get(table, row_id)
        self.conn.execute(
            f"UPDATE {_quote(table)} SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            (self.now, self.now, self.actor_id, row_id),
        )
        if (unindex := REGISTRY.hooks(table).unindex) is not None:
            unindex(self.conn, [row_id])
        self._queue(
            table, row_id, "delete", {"deleted_at": self.now}, base_version=int(current["row_version"])
        )

    def get(self, table: str, row_id: str) -> dict[str, Any]:
        row = self.conn.execute(f"SELECT * FROM {_quote(table)} WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            raise StoreError(f"{table} {row_id} does not exist")
        return dict(row)

    # -- internals ------------------------------------------------------------------------------
    def _payload(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        skip = REGISTRY.derived_columns(table) | {"row_version"}
        return {k: v for k, v in row.items() if k not in skip}

    def _queue(self, table: str, row_id: str, op: str, payload: dict[str, Any], base_version: int) -> None:
        self.changes.add(table, row_id)
        if table in _LOCAL:
            return
        self._outbox.append(
            (
                uuid7(),
                table,
                row_id,
                op,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                base_version,
                self.actor_id,
                self.now,
            )
        )
        if len(self._outbox) >= OUTBOX_FLUSH_ROWS:
            self._flush_outbox()

    def _flush_outbox(self) -> None:
        self.conn.executemany(
            "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, device_time)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self._outbox,
        )
        self._outbox.clear()

    def _finish(self) -> None:
        refs: list[str] = []
        for table, ids in sorted(self.changes.rows.items()):
            if table in _LOCAL:
                continue
            refs.extend(f"{table}:{i}" for i in sorted(ids)[: AUDIT_ROW_REFS_MAX - len(refs)])
        counts = {t: len(ids) for t, ids in self.changes.rows.items() if t not in _LOCAL}
        rows: dict[str, Any] = {"counts": counts, "refs": refs}
        if self.shown:
            rows["shown"] = {t: len(ids) for t, ids in self.shown.items()}
            rows["shown_refs"] = [f"{t}:{i}" for t, ids in sorted(self.shown.items()) for i in ids][
                :AUDIT_SHOWN_REFS_MAX
            ]
        # Every user action is audited, a read-only one such as an export too.
        self.insert(
            "audit_log",
            {
                "device_id": self.store.device_id,
                "action": self.action,
                "summary": self.summary,
                "rows": json.dumps(rows, ensure_ascii=False, sort_keys=True),
            },
        )
        self._flush_outbox()


def copy_database(conn: Connection, db: Path, target: Path) -> None:
    """An encrypted copy of ``db`` (read on ``conn``) at ``target``: a full disk there leaves no partial file
    (``DiskFull``), damage met while copying is ``DatabaseDamaged``, any other failure a ``StoreError``."""
    try:
        vacuum_into(conn, target)
    except DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
            raise disk_full(target, database_size(db)) from None
        if isinstance(damaged := storage_error(exc, db), DatabaseDamaged):
            raise damaged from None
        raise StoreError(f"cannot write the backup to {target}: {write_problem(target) or exc}") from None


class Store:
    """One open database: the writer connection and the identity of this clinic and device."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key
        self.conn: Connection = connect(path, key)
        version = schema_version(self.conn)
        if version < SCHEMA_VERSION:
            self.migrated_backups = migrate(self.conn, path, MIGRATIONS)
        elif version > SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(
                f"{path} has schema version {version}, newer than this program knows ({SCHEMA_VERSION}): "
                "update Village Clinic"
            )
        self._write_lock = threading.Lock()
        # Called with the Changes of every committed unit of work (and of rows stored from the server), on the
        # thread that committed; shared with ``sibling()`` stores, so a listener hears the sync thread's writes.
        self.listeners: list[Listener] = []
        meta = dict(self.conn.execute("SELECT key, value FROM local_meta").fetchall())
        if "clinic_id" not in meta:
            raise StoreError(f"{path} was never initialised; run `clinic init`")
        self.clinic_id: str = meta["clinic_id"]
        self.device_id: str = meta["device_id"]

    # -- opening --------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], key_file: str | os.PathLike[str] | None = None) -> Store:
        path = Path(path)
        if not path.exists():
            raise StoreError(f"database {path} does not exist; create it with `clinic init`")
        key = keystore.load_key(path, key_file)
        store = cls(path, key)
        if keystore.key_matches(path, key) is None:  # a database from before key check values: it gets one
            keystore.write_key_check(path, key)
        return store

    @classmethod
    def initialise(
        cls,
        path: str | os.PathLike[str],
        clinic_code: str,
        clinic_name: str,
        key_file: str | os.PathLike[str] | None = None,
    ) -> tuple[Store, str]:
        """Create a new encrypted database for one clinic. Returns the store and where its key went."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"{path} exists already; `clinic init` never overwrites a database")
        path.parent.mkdir(parents=True, exist_ok=True)
        key, where = keystore.create_key(path, key_file)
        keystore.write_key_check(path, key)
        conn = connect(path, key, must_exist=False)
        try:
            migrate(conn, path, MIGRATIONS, backup=False)
            clinic_id = uuid7()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO local_meta(key, value) VALUES (?, ?)",
                [("clinic_id", clinic_id), ("device_id", uuid7()), ("created_at", utc_now())],
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        store = cls(path, key)
        with store.unit(None, "clinic.init") as uow:
            uow.insert("clinic", {"id": clinic_id, "code": clinic_code, "name": clinic_name})
            uow.summary = f"clinic {clinic_code} {clinic_name} created"
        return store, where

    @functools.cached_property
    def db(self) -> Any:
        """sqlite-utils on the writer connection, for introspection and counts (imported when first used:
        it costs 0.1 s of start-up)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def sibling(self) -> Store:
        """Another writer connection to the same database, for a thread of its own (sync runs beside the
        window's writer; SQLite's busy timeout makes either wait for the other's short transaction)."""
        other = Store(self.path, self._key)
        other.listeners = self.listeners  # the same list: one hook hears every connection's writes
        return other

    def reader(self) -> Connection:
        """A separate read connection (WAL readers never wait for the writer)."""
        return connect(self.path, self._key)

    def close(self) -> None:
        self.conn.close()

    # -- writing --------------------------------------------------------------------------------
    @contextmanager
    def unit(self, actor_id: str | None, action: str) -> Iterator[UnitOfWork]:
        with self._write_lock:
            uow = UnitOfWork(self, actor_id, action)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield uow
                uow._finish()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        self.notify(uow.changes)

    def add_listener(self, listener: Listener) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def notify(self, changes: Changes) -> None:
        """Tell the listeners what a committed transaction changed (never called inside one)."""
        if not changes.rows:
            return
        for listener in list(self.listeners):
            try:
                listener(changes)
            except Exception:  # the transaction stands; a listener's fault is logged, not the caller's
                log.exception("store listener failed")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction outside a unit of work — sync and sign-in bookkeeping, no outbox and no audit:
        under this store's write lock, ``BEGIN IMMEDIATE``, committed when the block ends, rolled back if it
        raises."""
        with self._write_lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    # -- rows as the server holds them -----------------------------------------------------------
    @contextmanager
    def server_rows(self) -> Iterator[Connection]:
        """One transaction writing rows as the server holds them (no outbox, no audit: they are not changes
        made here). Pages come in server version order: a household can arrive pages before the village it
        names (when the village was edited later), so foreign keys are not checked page by page
        (`PRAGMA foreign_key_check` in `clinic check` finds any row whose parent never came).

        The commit is not flushed to the disk (``synchronous = NORMAL``; WAL keeps it atomic): rows the server
        holds, with the cursor that goes with them, can be lost only together at a power cut, and are pulled
        again. Changes made here (units of work) keep ``FULL``, and their flush carries these frames too."""
        conn = self.conn
        with self._write_lock:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")

    def write_server_rows(self, tables: dict[str, list[dict[str, Any]]], action: str) -> None:
        """Whole rows as the server holds them (one column set a table), in one transaction; the listeners
        hear them as ``action``."""
        changes = Changes(action=action)
        with self.server_rows() as conn:
            for table, rows in tables.items():
                if rows:
                    upsert_rows(conn, table, tuple(rows[0]), rows)
                    for row in rows:
                        changes.add(table, row["id"])
        self.notify(changes)

    # -- whole-file operations ------------------------------------------------------------------
    def backup(self, target: str | os.PathLike[str]) -> Path:
        """An encrypted copy at ``target``; a full disk there leaves no partial file (``DiskFull``), damage
        met while copying is ``DatabaseDamaged``."""
        target = Path(target)
        require_folder(target)
        with self._write_lock:  # not in the middle of another thread's unit of work
            copy_database(self.conn, self.path, target)
        return target

    def integrity(self, full: bool = False) -> list[str]:
        """What is wrong with the file (``quick_check``; ``full``: ``integrity_check``, indexes against their
        tables too, about 3× slower) and with its references (``foreign_key_check``)."""
        return page_check(self.conn, full) + self.reference_problems()

    def reference_problems(self) -> list[str]:
        """Rows pointing to a parent that is not there (``foreign_key_check``)."""
        return [
            f"foreign key: {r[0]} row {r[1]} points to a missing {r[2]}"
            for r in self.conn.execute("PRAGMA foreign_key_check").fetchall()
        ]

    def table_counts(self, tables: Iterable[str] | None = None) -> dict[str, int]:
        names = tables or [t for t in self.db.table_names() if not t.startswith("sqlite_")]
        return {t: self.db[t].count for t in names}


def upsert_rows(conn: Connection, table: str, names: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Write whole rows as the server holds them, each with the columns ``names`` (derived columns filled
    already), and run the table's index hook on them."""
    quoted = [_quote(n) for n in names]
    updates = ", ".join(f"{q} = excluded.{q}" for n, q in zip(names, quoted, strict=True) if n != "id")
    values = operator.itemgetter(*names)  # a tuple per row (names always has id and at least one more)
    conn.executemany(
        f"INSERT INTO {_quote(table)} ({', '.join(quoted)}) VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        map(values, rows) if len(names) > 1 else ([r[n] for n in names] for r in rows),
    )
    if (index := REGISTRY.hooks(table).index) is not None:
        index(conn, rows)
