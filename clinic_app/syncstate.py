"""The device side of sync that needs no network: what to send next, what the server answered, applying what
was pulled. Each function is one transaction, so an interruption anywhere leaves a state the next sync resumes
from (the outbox is the only record of "not yet sent"; the cursor moves with the page it belongs to)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from clinic_app.db import Connection
from clinic_app.ids import uuid7
from clinic_app.registry import REGISTRY
from clinic_app.setaside import STORE_ERRORS, CheckedChanges, Keeper, Prepare, set_aside_count
from clinic_app.store import Changes, Store, upsert_rows, utc_now

# Tables the device keeps from the server (registry order); anything else pulled (reference data of later
# versions, tables this device has none of) is skipped.
_PULLED = REGISTRY.pulled_tables
_PULLED_SET = frozenset(_PULLED)


@dataclass
class OutboxEntry:
    seq: int
    mutation_id: str
    table: str
    row_id: str
    op: str
    base_version: int
    payload: dict[str, Any]
    user_id: str | None
    device_time: str

    def wire(self) -> dict[str, Any]:
        fields = {
            k: v for k, v in self.payload.items() if k != "clinic_id"
        }  # the server takes it from the token
        return {
            "mutation_id": self.mutation_id,
            "table": self.table,
            "op": self.op,
            "row_id": self.row_id,
            "base_version": self.base_version,
            "fields": fields,
            "user_id": self.user_id,
            "device_time": self.device_time,
        }


ACCOUNTS_WAITING = "accounts_waiting"  # sync_state: account changes the last sync kept for an online sign-in


def get_state(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_state(conn: Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO sync_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def adopt_clinic(store: Store, clinic_id: str, server_url: str, device_id: str, clinic_code: str) -> None:
    """After enrollment: take the county's id for this clinic (rows made before enrollment are rewritten) and
    drop outbox entries for rows the county owns."""
    conn = store.conn
    with store.transaction():
        old = store.clinic_id
        if old != clinic_id:
            # A clinic joining a county for the first time holds no conflict the county made: any it holds were
            # made without one (the demo's box sold at two clinics, clinic_app.demo_care) and the county would
            # never close them nor count them in the comparison after each sync.
            conn.execute('DELETE FROM "conflict"')
            conn.execute("PRAGMA defer_foreign_keys = ON")
            for table in _PULLED:
                conn.execute(f'UPDATE "{table}" SET clinic_id = ? WHERE clinic_id = ?', (clinic_id, old))
            conn.execute('DELETE FROM "clinic" WHERE id = ?', (old,))
            conn.execute("UPDATE local_meta SET value = ? WHERE key = 'clinic_id'", (clinic_id,))
        for table in REGISTRY.server_owned_tables:  # the county creates these rows; devices never push them
            conn.execute("DELETE FROM outbox WHERE table_name = ?", (table,))
        set_state(conn, "server_url", server_url)
        set_state(conn, "device_id", device_id)
        set_state(conn, "clinic_code", clinic_code)
        set_state(conn, "cursor", None)
    store.clinic_id = clinic_id


def next_batch(conn: Connection, limit: int = 500) -> list[OutboxEntry]:
    """The oldest pending entries in commit order, at most one per row: the next entry of a row waits for the
    server's answer to this one, which gives it the right base version."""
    rows = conn.execute(
        "SELECT * FROM outbox WHERE rejected_code IS NULL ORDER BY seq LIMIT ?", (limit * 4,)
    ).fetchall()
    batch: list[OutboxEntry] = []
    blocked: set[tuple[str, str]] = set()
    for r in rows:
        key = (r["table_name"], r["row_id"])
        if key in blocked:
            continue
        blocked.add(key)
        batch.append(
            OutboxEntry(
                r["seq"],
                r["mutation_id"],
                r["table_name"],
                r["row_id"],
                r["op"],
                r["base_version"],
                json.loads(r["payload"]),
                r["user_id"],
                r["device_time"],
            )
        )
        if len(batch) >= limit:
            break
    return batch


@dataclass
class PushOutcome:
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0


def apply_push_results(
    store: Store, entries: list[OutboxEntry], results: list[dict[str, Any]]
) -> PushOutcome:
    outcome = PushOutcome()
    by_id = {e.mutation_id: e for e in entries}
    conn = store.conn
    changes = Changes(action="sync.push")
    with store.transaction():
        keeper = Keeper(conn)  # a server row this device cannot store is set aside (clinic_app.setaside)
        for result in results:
            entry = by_id.get(result.get("mutation_id", ""))
            if entry is None:
                continue
            changes.add("outbox", str(entry.seq))
            status = result.get("status")
            if status in ("applied", "duplicate"):
                version = int(result.get("version") or 0)
                conn.execute("DELETE FROM outbox WHERE seq = ?", (entry.seq,))
                moved_to = result.get("row_id")
                if moved_to and moved_to != entry.row_id and result.get("server_row"):
                    server_row = result["server_row"]
                    merged = partial(_merge_into, conn, entry.table, entry.row_id, moved_to, server_row)
                    if (error := keeper.attempt(merged)) is not None:  # this device keeps its own row
                        keeper.failed(
                            {
                                "table": entry.table,
                                "row_id": moved_to,
                                "op": "upsert",
                                "version": server_row.get("row_version"),
                                "row": server_row,
                            },
                            error,
                        )
                    outcome.applied += 1
                    continue
                if version and entry.table not in REGISTRY.local_tables:
                    old = conn.execute(
                        f'SELECT row_version FROM "{entry.table}" WHERE id = ?', (entry.row_id,)
                    ).fetchone()
                    if old is not None and version > old[0]:
                        conn.execute(
                            f'UPDATE "{entry.table}" SET row_version = ? WHERE id = ?',
                            (version, entry.row_id),
                        )
                        # this device's later edits of the row were based on the version just replaced
                        conn.execute(
                            "UPDATE outbox SET base_version = ? WHERE table_name = ? AND row_id = ? "
                            "AND base_version = ?",
                            (version, entry.table, entry.row_id, old[0]),
                        )
                outcome.applied += 1
            elif status == "conflict":
                conn.execute("DELETE FROM outbox WHERE seq = ?", (entry.seq,))
                server_row = result.get("server_row")
                later = conn.execute(
                    "SELECT 1 FROM outbox WHERE table_name = ? AND row_id = ?", (entry.table, entry.row_id)
                ).fetchone()
                if server_row and entry.table in _PULLED_SET and later is None:
                    # the row shows what the server holds; this device's version waits in the conflict
                    _keep_remote_row(
                        keeper, conn, entry.table, result.get("row_id") or entry.row_id, server_row
                    )
                if entry.table in REGISTRY.server_made_tables:  # decided elsewhere first: that decision
                    continue  # stands, shown as stored
                _record_conflict(conn, entry, result)
                changes.add("conflict", result.get("conflict_id") or entry.row_id)
                changes.add(entry.table, result.get("row_id") or entry.row_id)
                outcome.conflicts += 1
            elif status == "rejected":
                conn.execute(
                    "UPDATE outbox SET rejected_code = ?, rejected_message = ? WHERE seq = ?",
                    (result.get("code") or "rejected", result.get("message") or "", entry.seq),
                )
                outcome.rejected += 1
        keeper.finish()
    if keeper.outcome:
        changes.add("set_aside", "")
    store.notify(changes)
    return outcome


def _keep_remote_row(
    keeper: Keeper, conn: Connection, table: str, row_id: str, server_row: dict[str, Any]
) -> None:
    """Store the server's row, or set it aside when this device cannot store it."""
    change = {
        "table": table,
        "row_id": row_id,
        "op": "upsert",
        "version": server_row.get("row_version") or 0,
        "row": server_row,
    }
    try:
        if not keeper.refuses(table, change):
            row = _local_row(conn, table, row_id, int(server_row.get("row_version") or 0), server_row, {})
            keeper.write(table, [row], partial(upsert_rows, conn, table, tuple(row)))
    except STORE_ERRORS as exc:
        keeper.malformed(change, exc)
    keeper.end_page([change])


def _merge_into(conn: Connection, table: str, alias: str, target: str, server_row: dict[str, Any]) -> None:
    """The server merged this device's row into another (the same person registered on two devices): the row
    it kept takes the place of this one here too, and every local reference follows it."""
    conn.execute(
        "PRAGMA defer_foreign_keys = ON"
    )  # until commit: the alias goes before its replacement comes
    if (unindex := REGISTRY.hooks(table).unindex) is not None:
        unindex(conn, [alias])
    conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (alias,))
    _store_remote_row(conn, table, target, int(server_row.get("row_version") or 0), server_row, {})
    for other, column in REGISTRY.referring(table):  # foreign keys and soft references alike
        conn.execute(f'UPDATE "{other}" SET "{column}" = ? WHERE "{column}" = ?', (target, alias))
    # later edits made here to the alias go to the kept row (the server redirects them too), based on its version
    conn.execute(
        "UPDATE outbox SET row_id = ?, base_version = ? WHERE table_name = ? AND row_id = ?",
        (target, int(server_row.get("row_version") or 0), table, alias),
    )


def local_checksums(conn: Connection) -> dict[str, dict[str, int]]:
    """The device's side of the server's checksums: rows the server has acknowledged (row_version > 0), and each
    row set aside counted as if held at the version set aside (the server holds that one: re-reading the table
    would only set it aside again)."""
    out = {}
    for table in _PULLED:
        n, total = conn.execute(
            f'SELECT count(*), coalesce(sum(row_version), 0) FROM "{table}" WHERE row_version > 0'
        ).fetchone()
        out[table] = {"count": int(n), "version_sum": int(total)}
    aside = conn.execute(
        "SELECT table_name, row_id, version FROM set_aside WHERE version IS NOT NULL"
    ).fetchall()
    for table, row_id, version in aside:
        if table not in out:
            continue
        here = conn.execute(
            f'SELECT row_version FROM "{table}" WHERE id = ? AND row_version > 0', (row_id,)
        ).fetchone()
        if here is None:
            out[table]["count"] += 1
            out[table]["version_sum"] += int(version)
        else:
            out[table]["version_sum"] += int(version) - int(here[0])
    return out


def tables_with_pending_changes(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM outbox")}


def apply_snapshot_page(store: Store, table: str, changes: list[dict[str, Any]]) -> int:
    """Rows of a re-read table that this device lacks or holds at an older version; rows with changes waiting
    here keep their local values (the push answers for them)."""
    with store.server_rows() as conn:
        pending = {r[0] for r in conn.execute("SELECT row_id FROM outbox WHERE table_name = ?", (table,))}
        ids = [c["row_id"] for c in changes]
        local: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            local.update(
                conn.execute(
                    f'SELECT id, row_version FROM "{table}" WHERE id IN ({", ".join("?" for _ in chunk)})',
                    chunk,
                ).fetchall()
            )
        cache: Shapes = {}
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        keeper = Keeper(conn)
        checked = isinstance(changes, CheckedChanges)  # the client's page reader checked every row
        named = [{**c, "table": table} if isinstance(c, dict) else c for c in changes]  # as a pulled change
        superseded = keeper.superseded(named)  # the last change of a row in the page decides
        for place, c in enumerate(named):
            if place in superseded:
                continue
            try:
                if c["row_id"] in pending or local.get(c["row_id"], -1) >= int(c["version"]):
                    continue
                if keeper.refuses(table, c, place, checked):
                    continue
                row = _local_row(conn, table, c["row_id"], int(c["version"]), c["row"], cache)
            except STORE_ERRORS as exc:
                keeper.malformed(c, exc, place)
                continue
            groups.setdefault(tuple(row), []).append(row)
        stored: list[dict[str, Any]] = []
        for names, rows in groups.items():
            stored += keeper.write(table, rows, partial(upsert_rows, conn, table, names))
        keeper.end_page(named)
        keeper.finish()
    notice = _changed("sync.snapshot", ((table, r) for r in stored))
    if keeper.outcome:
        notice.add("set_aside", "")
    store.notify(notice)
    return len(stored)


def store_server_rows(store: Store, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Rows as the server holds them (whole rows, one column set a table), in one transaction."""
    store.write_server_rows(tables, "sync.reference")


def _changed(action: str, rows: Iterable[tuple[str, dict[str, Any]]]) -> Changes:
    changes = Changes(action=action)
    for table, row in rows:
        changes.add(table, row["id"])
    return changes


def _record_conflict(conn: Connection, entry: OutboxEntry, result: dict[str, Any]) -> None:
    """The server keeps the conflict too (its id comes back with the result) and every device of the clinic pulls
    it; the same row is written here at once so that the person at this device sees it before the next pull."""
    now = utc_now()
    clinic = conn.execute("SELECT id FROM clinic LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO conflict(id, clinic_id, created_at, updated_at, created_by, table_name, row_id, kind, message, "
        "local_row, server_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        (
            result.get("conflict_id") or uuid7(),
            clinic[0] if clinic else "",
            now,
            now,
            entry.user_id,
            entry.table,
            result.get("row_id") or entry.row_id,
            result.get("code") or "conflict",
            result.get("message"),
            json.dumps(entry.payload, ensure_ascii=False),
            json.dumps(result.get("server_row"), ensure_ascii=False),
        ),
    )


def _columns(conn: Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def apply_pull_page(store: Store, changes: list[dict[str, Any]], cursor: str) -> int:
    """Store one page and its cursor in one transaction. Rows with changes still waiting in the outbox keep
    their local values (the push answers for them)."""
    return apply_pull_pages(store, [(changes, cursor)])


def apply_pull_pages(store: Store, pages: Sequence[tuple[list[dict[str, Any]], str]]) -> int:
    """Store several pages, in server order, and the last one's cursor in one transaction: what a page stores
    and the cursor still move together, and an initial sync pays for one commit per batch instead of per page
    (each commit encrypts and writes again the index pages every page touches)."""
    if not pages:
        return 0
    applied = 0
    heard: list[tuple[str, dict[str, Any]]] = []
    with store.server_rows() as conn:
        pending = {(r[0], r[1]) for r in conn.execute("SELECT table_name, row_id FROM outbox")}
        shapes: Shapes = {}
        keeper = Keeper(conn)  # rows it cannot store are set aside, the rest goes on (clinic_app.setaside)
        for changes, _cursor in pages:
            checked = isinstance(changes, CheckedChanges)  # the client's page reader checked every row
            groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
            superseded = keeper.superseded(changes)  # the last change of a row in the page decides
            for place, change in enumerate(changes):
                if place in superseded:
                    continue
                try:
                    table = change["table"]
                    if table not in _PULLED_SET or (table, change["row_id"]) in pending:
                        continue
                    if keeper.refuses(table, change, place, checked):
                        continue
                    row = _local_row(
                        conn, table, change["row_id"], int(change["version"]), change["row"], shapes
                    )
                except STORE_ERRORS as exc:
                    keeper.malformed(change, exc, place)
                    continue
                groups.setdefault((table, tuple(row)), []).append(row)
            for (table, names), rows in groups.items():  # one statement per table and column set of a page
                stored = keeper.write(table, rows, partial(upsert_rows, conn, table, names))
                applied += len(stored)
                heard.extend((table, r) for r in stored)
            keeper.end_page(changes)
        heard.extend(keeper.retry(_prepare(conn, shapes), pending))
        keeper.finish()
        set_state(conn, "cursor", pages[-1][1])
    notice = _changed("sync.pull", heard)
    if keeper.outcome:
        notice.add("set_aside", "")
    store.notify(notice)
    return applied


def _prepare(conn: Connection, shapes: Shapes) -> Prepare:
    return lambda table, row_id, version, data: _local_row(conn, table, row_id, version, data, shapes)


# A table's columns in this database and the hook deriving its local columns, read once a transaction (a pull
# asks it of every row).
Shapes = dict[str, tuple[frozenset[str], Callable[[dict[str, Any]], None] | None]]


def _local_row(
    conn: Connection,
    table: str,
    row_id: str,
    version: int,
    data: dict[str, Any],
    shapes: Shapes,
) -> dict[str, Any]:
    shape = shapes.get(table)
    if shape is None:
        shape = shapes[table] = (frozenset(_columns(conn, table)), REGISTRY.hooks(table).derive)
    columns, derive = shape
    row = dict(data) if columns.issuperset(data) else {k: v for k, v in data.items() if k in columns}
    row["id"] = row_id
    row["row_version"] = version
    if derive is not None:
        derive(row)
    return row


def _store_remote_row(
    conn: Connection,
    table: str,
    row_id: str,
    version: int,
    data: dict[str, Any],
    shapes: Shapes,
) -> None:
    row = _local_row(conn, table, row_id, version, data, shapes)
    upsert_rows(conn, table, tuple(row), [row])


def counts(conn: Connection) -> dict[str, int]:
    waiting = conn.execute("SELECT count(*) FROM outbox WHERE rejected_code IS NULL").fetchone()[0]
    rejected = conn.execute("SELECT count(*) FROM outbox WHERE rejected_code IS NOT NULL").fetchone()[0]
    conflicts = conn.execute("SELECT count(*) FROM conflict WHERE resolved_at IS NULL").fetchone()[0]
    return {
        "waiting": waiting,
        "rejected": rejected,
        "conflicts": conflicts,
        "set_aside": set_aside_count(conn),
    }


# -- changes the server refused -------------------------------------------------------------------------
REFUSED_COLUMNS = (
    "seq, table_name, row_id, op, payload, rejected_code, rejected_message, device_time, user_id"
)


def rejected_changes(conn: Connection) -> list[dict[str, Any]]:
    """Every refused change, oldest first (the CLI and tests; the Sync page pages them with ``refused_page``)."""
    return [
        dict(r)
        for r in conn.execute(
            f"SELECT {REFUSED_COLUMNS} FROM outbox WHERE rejected_code IS NOT NULL ORDER BY seq"
        )
    ]


def refused_page(conn: Connection, after: int | None, limit: int) -> list[dict[str, Any]]:
    """Refused changes, newest first: the next ``limit`` after the one of outbox sequence number ``after``
    (keyset on the partial index ``outbox_refused``, so an outbox of 100,000 waiting changes costs nothing), each
    with ``label``, how a person knows the row."""
    if after is None:
        rows = conn.execute(
            f"SELECT {REFUSED_COLUMNS} FROM outbox WHERE rejected_code IS NOT NULL ORDER BY seq DESC LIMIT ?",
            (limit,),
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {REFUSED_COLUMNS} FROM outbox WHERE rejected_code IS NOT NULL AND seq < ? "
            "ORDER BY seq DESC LIMIT ?",
            (after, limit),
        ).fetchall()
    return _labelled([dict(r) for r in rows], conn)


def _labelled(rows: list[dict[str, Any]], conn: Connection) -> list[dict[str, Any]]:
    labels = row_labels(conn, [(r["table_name"], r["row_id"]) for r in rows])
    for r in rows:
        r["label"] = labels[(r["table_name"], r["row_id"])]
    return rows


def refused_count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE rejected_code IS NOT NULL").fetchone()[0])


def _in_chunks(conn: Connection, sql: str, keys: list[Any], chunk: int = 500) -> Iterator[Any]:
    """``sql`` with ``{marks}`` standing for the placeholders of one chunk of ``keys``."""
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        yield from conn.execute(sql.format(marks=", ".join("?" for _ in part)), part)


def resend(store: Store, table: str, row_id: str) -> int:
    """Send a refused row again, as it is now (after a correction): its waiting changes become one change with
    a new mutation id (the server keeps its answer to the old one) carrying the row's current values — the
    whole row if the server never accepted it. Returns how many outbox entries it replaced."""
    conn = store.conn
    with store.transaction():
        entries = conn.execute(
            "SELECT * FROM outbox WHERE table_name = ? AND row_id = ? ORDER BY seq", (table, row_id)
        ).fetchall()
        current = conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if not entries or current is None:
            return 0
        row = dict(current)
        skip = REGISTRY.derived_columns(table) | {"row_version"}
        if int(row["row_version"]) == 0:  # never on the server: the whole row, as a new one
            payload = {k: v for k, v in row.items() if k not in skip}
        else:
            names = {k for e in entries for k in json.loads(e["payload"])} - skip
            payload = {k: row[k] for k in sorted(names) if k in row}
        op = "delete" if row.get("deleted_at") and any(e["op"] == "delete" for e in entries) else "upsert"
        conn.execute("DELETE FROM outbox WHERE table_name = ? AND row_id = ?", (table, row_id))
        conn.execute(
            "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, device_time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uuid7(),
                table,
                row_id,
                op,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                int(row["row_version"]),
                entries[-1]["user_id"],
                utc_now(),
            ),
        )
    store.notify(Changes(action="sync.resend", rows={"outbox": {row_id}, table: {row_id}}))
    return len(entries)


def row_label(conn: Connection, table: str, row_id: str) -> str:
    """How a person recognises a row: a resident's name, a household's code, a village's name."""
    return row_labels(conn, [(table, row_id)])[(table, row_id)]


def row_labels(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``row_label`` for many rows, one query per table (a page of a list, not a query per row). A contract is
    known by its resident and year; a row not on this device by the end of its id."""
    wanted: dict[str, set[str]] = {}
    for table, row_id in keys:
        wanted.setdefault(table, set()).add(row_id)
    found: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        if (sql := REGISTRY.label_query(table)) is None:
            continue
        found.update({(table, r[0]): str(r[1]) for r in _in_chunks(conn, sql, sorted(ids)) if r[1]})
    return {key: found.get(key) or key[1][-8:] for key in keys}


def sync_history(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The latest sync runs of this device, newest first."""
    return [dict(r) for r in conn.execute("SELECT * FROM sync_run ORDER BY id DESC LIMIT ?", (limit,))]


def sync_run_page(conn: Connection, after: int | None, limit: int) -> list[dict[str, Any]]:
    """Sync runs, newest first: the next ``limit`` after the run ``after`` (keyset on the primary key)."""
    if after is None:
        rows = conn.execute("SELECT * FROM sync_run ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = conn.execute("SELECT * FROM sync_run WHERE id < ? ORDER BY id DESC LIMIT ?", (after, limit))
    return [dict(r) for r in rows]
