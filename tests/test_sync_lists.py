"""The Sync page's lists as the domain serves them: keyed pages, newest first, on indexes, labels a page at a
time — history of runs, conflicts, refused changes."""

from __future__ import annotations

import json
from typing import Any

from clinic_app import conflicts
from clinic_app import residents as R
from clinic_app.store import utc_now
from clinic_app.syncstate import (
    refused_count,
    refused_page,
    row_labels,
    sync_run_page,
)
from tests.conftest import Clinic


def _all_pages(page: Any, size: int, key: str = "id") -> list[Any]:
    """Every row, page by page, each page asked for after the key of the last row of the one before."""
    rows: list[Any] = []
    after = None
    while True:
        got = page(after, size)
        assert len(got) <= size
        rows += got
        if len(got) < size:
            return rows
        after = got[-1][key]


def test_history_pages_newest_first_without_gaps_or_repeats(clinic: Clinic) -> None:
    conn = clinic.store.conn
    for i in range(23):
        conn.execute(
            "INSERT INTO sync_run(started_at, finished_at, trigger, outcome, pushed) VALUES (?, ?, 'timer', 'ok', ?)",
            (utc_now(), utc_now(), i),
        )
    runs = _all_pages(lambda after, n: sync_run_page(conn, after, n), 5)
    assert [r["pushed"] for r in runs] == list(range(22, -1, -1))


def _conflict(conn: object, cid: str, created: str, resolved: bool = False) -> None:
    conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO conflict(id, clinic_id, created_at, updated_at, table_name, row_id, kind, local_row, "
        "server_row, resolved_at) VALUES (?, '', ?, ?, 'resident', 'r1', 'edited_elsewhere', ?, ?, ?)",
        (
            cid,
            created,
            created,
            json.dumps({"phone": "1"}),
            json.dumps({"phone": "2"}),
            created if resolved else None,
        ),
    )


def test_conflicts_page_newest_first_and_decided_ones_only_when_asked(clinic: Clinic) -> None:
    conn = clinic.store.conn
    for i in range(12):  # two conflicts share each second: the id breaks the tie
        _conflict(conn, f"c{i:02d}", f"2026-11-{10 + i // 2:02d}T08:00:00.000Z", resolved=i % 3 == 0)
    waiting = _all_pages(lambda after, n: conflicts.conflict_page(conn, after, n), 3)
    assert [r["id"] for r in waiting] == ["c11", "c10", "c08", "c07", "c05", "c04", "c02", "c01"]
    everything = _all_pages(
        lambda after, n: conflicts.conflict_page(conn, after, n, include_resolved=True), 5
    )
    assert [r["id"] for r in everything] == [f"c{i:02d}" for i in range(11, -1, -1)]
    assert conflicts.waiting_count(conn) == 8
    assert everything[-1]["conflict"].resolved_at and everything[0]["conflict"].fields[0].mine == "1"
    assert everything[0]["label"] == "r1", "a row not on this device: the end of its id"


def test_refused_changes_page_on_the_partial_index_among_many_waiting(clinic: Clinic) -> None:
    conn = clinic.store.conn
    vid = R.add_village(clinic.store, clinic.admin, "石头村")
    rid = R.add_resident(
        clinic.store,
        clinic.admin,
        R.ResidentInput(name="张三", id_number="11010519491231002X", village_id=vid),
    )
    conn.executemany(
        "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, device_time) "
        "VALUES (?, 'resident', ?, 'upsert', '{}', 0, ?)",
        [(f"m{i}", rid, utc_now()) for i in range(3000)],
    )
    conn.execute(
        "UPDATE outbox SET rejected_code = 'format', rejected_message = 'phone: bad' "
        "WHERE mutation_id IN ('m10', 'm20', 'm2990')"
    )
    rows = _all_pages(lambda after, n: refused_page(conn, after, n), 2, key="seq")
    seqs = [r["seq"] for r in rows]
    assert len(seqs) == 3 and seqs == sorted(seqs, reverse=True) and refused_count(conn) == 3
    assert {r["label"] for r in rows} == {"张三"} and rows[0]["rejected_message"] == "phone: bad"
    for sql, args in (
        (
            "SELECT seq FROM outbox WHERE rejected_code IS NOT NULL AND seq < ? ORDER BY seq DESC LIMIT ?",
            (10**9, 5),
        ),
        ("SELECT count(*) FROM outbox WHERE rejected_code IS NOT NULL", ()),
    ):
        plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "outbox_refused" in plan, plan


def test_row_labels_name_each_row_and_fall_back_to_the_end_of_its_id(clinic: Clinic) -> None:
    vid = R.add_village(clinic.store, clinic.admin, "石头村")
    rid = R.add_resident(
        clinic.store,
        clinic.admin,
        R.ResidentInput(name="李四", id_number="445224199202290042", village_id=vid),
    )
    labels = row_labels(
        clinic.store.conn,
        [
            ("resident", rid),
            ("village", vid),
            ("resident", "gone-0123456789"),
            ("audit_log", "abcdefgh12345678"),
        ],
    )
    assert labels == {
        ("resident", rid): "李四",
        ("village", vid): "石头村",
        ("resident", "gone-0123456789"): "23456789",
        ("audit_log", "abcdefgh12345678"): "12345678",
    }
