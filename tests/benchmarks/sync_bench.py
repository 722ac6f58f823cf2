"""Device sync figures (issue 4), on this machine's PostgreSQL and a county server on loopback: `county-server
serve` in its own process, as in production (a server in a thread of this process would take the GIL from the
device it serves, and its work would be counted as the device's).

- ``initial_sync_seconds``: a new device of a demo clinic (5,000 residents) enrolls and pulls every row of its
  clinic, about 130,000 (residents, households, villages, users, and audit events making up the rest), compared
  with a raw bulk insert of the same rows into an encrypted local database in the same run (target ≤ 2×).
- ``incremental_sync_100_seconds``: 100 changes made on one device reach the other (push + pull), target ≤ 0.5 s.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Add = Callable[..., object]


def _raw_insert_seconds(rows: list[tuple[str, dict[str, Any]]], folder: Path) -> float:
    """The floor: the same rows into an encrypted database with one executemany per table, one transaction."""
    from clinic_app.store import Store

    store, _ = Store.initialise(folder / "raw.db", "RAW", "raw", key_file=folder / "raw.key")
    conn = store.conn
    by_table: dict[str, list[dict[str, Any]]] = {}
    for table, row in rows:
        by_table.setdefault(table, []).append(row)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table, items in by_table.items():
        columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        names = sorted(set(items[0]) & columns)
        conn.executemany(
            f'INSERT OR REPLACE INTO "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
            f"VALUES ({', '.join('?' for _ in names)})",
            [[r.get(n) for n in names] for r in items],
        )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def device_sync(add: Add, quick: bool) -> None:
    import sqlalchemy as sa

    from clinic_app import residents as R
    from clinic_app.demo import create_demo_database
    from clinic_app.store import Store
    from clinic_app.users import authenticate
    from sync.client import Client
    from sync.server import admin as server_admin
    from sync.server import db
    from sync.server.db import make_engine
    from tests.benchmarks.server_bench import scratch_database, serve

    residents, total = (1000, 26_000) if quick else (5000, 130_000)
    folder = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    with scratch_database() as url:
        engine = make_engine(url)
        db.migrate(engine)
        with engine.begin() as conn:
            clinic_id = server_admin.add_clinic(conn, "A01", "石头村卫生室")
            codes = [server_admin.make_enroll_code(conn, "A01") for _ in range(2)]
        first = folder / "first.db"
        create_demo_database(first, folder / "first.key", residents=residents, seed=1)
        with serve(url, workers=1) as (base, _pid):  # the county server in its own process, as in production
            store = Store.open(first, folder / "first.key")
            Client(store, base).enroll(codes[0], "PC-1")
            Client(store).sync()  # the clinic's own rows reach the county (not timed)
            store.close()
            with engine.begin() as conn:  # audit events make up the rest of a clinic's rows
                have = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(db.record)
                    .where(db.record.c.clinic_id == clinic_id)
                ).scalar_one()
                filler = max(0, total - have)
                counter = conn.execute(
                    sa.select(db.scope_counter.c.value).where(
                        db.scope_counter.c.scope == f"clinic:{clinic_id}"
                    )
                ).scalar_one()
                conn.execute(
                    sa.text(
                        "INSERT INTO record(table_name, row_id, scope, clinic_id, version, deleted_at, data, field_versions,"
                        " updated_at) SELECT 'audit_log', md5(g::text), :scope, :c, :base + g, NULL, json_build_object("
                        "'id', md5(g::text), 'clinic_id', CAST(:cj AS text), 'created_at', '2026-01-01T00:00:00Z', 'updated_at',"
                        " '2026-01-01T00:00:00Z', 'created_by', NULL, 'updated_by', NULL, 'deleted_at', NULL, 'device_id',"
                        " NULL, 'action', 'followup.add', 'summary', 'a follow-up visit recorded', 'rows', '{}')::text,"
                        " '{}', '2026-01-01T00:00:00Z' FROM generate_series(1, :n) AS g"
                    ),
                    {
                        "scope": f"clinic:{clinic_id}",
                        "c": clinic_id,
                        "cj": clinic_id,
                        "base": counter,
                        "n": filler,
                    },
                )
                conn.execute(
                    sa.update(db.scope_counter)
                    .where(db.scope_counter.c.scope == f"clinic:{clinic_id}")
                    .values(value=counter + filler)
                )
                rows_total = have + filler
                conn.execute(
                    sa.text("ANALYZE record")
                )  # a county database in use has statistics; a bulk load not
            second = folder / "second.db"
            store, _ = Store.initialise(second, "ENROLLING", "enrolling", key_file=folder / "second.key")
            started = time.perf_counter()
            client = Client(store, base)
            client.enroll(codes[1], "laptop")
            report = client.sync()
            initial = time.perf_counter() - started
            pulled = [
                (r[0], json.loads(r[1]))
                for r in engine.connect().execute(
                    sa.text("SELECT table_name, data FROM record WHERE clinic_id = :c"), {"c": clinic_id}
                )
            ]
            raw = _raw_insert_seconds(pulled, folder)

            # incremental: 100 residents edited on the first device reach the second
            first_store = Store.open(first, folder / "first.key")
            admin = authenticate(first_store, "admin", "admin1234")
            ids = [r[0] for r in first_store.conn.execute("SELECT id FROM resident LIMIT 100")]
            Client(first_store).sync()  # the first device catches up with the audit events (not timed)
            times = []
            for round_no in range(1 if quick else 3):
                for rid in ids:
                    data = R.resident_input(R.get_resident(first_store.conn, rid))
                    data.note = f"第{round_no}次随访后更新"
                    R.update_resident(first_store, admin, rid, data)
                t = time.perf_counter()
                Client(first_store).sync()
                Client(store).sync()
                times.append(time.perf_counter() - t)
            first_store.close()
            store.close()
        engine.dispose()
    add(
        "initial_sync_seconds",
        initial,
        "s",
        note=f"new device, {rows_total:,} rows of a {residents:,}-resident clinic pulled into the encrypted database "
        f"({report.pulled:,} stored)",
    )
    add(
        "raw_bulk_insert_seconds",
        raw,
        "s",
        note="the same rows, one executemany per table into SQLCipher (floor)",
    )
    add("initial_sync_vs_raw_insert", initial / raw, "x", 2)
    add(
        "incremental_sync_100_seconds",
        statistics.median(times),
        "s",
        0.5,
        note=f"100 edited residents: push from one device + pull on the other; median of {len(times)}",
    )


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    device_sync(lambda *a, **k: print(a[0], round(a[1], 3), a[2], k.get("note", "")), "--quick" in sys.argv)
