"""Storing pulled pages: one transaction for a batch of pages with the last cursor, committed without a flush."""

from __future__ import annotations

from typing import Any

import pytest

from clinic_app.store import Store
from clinic_app.syncstate import apply_pull_pages, get_state
from tests.conftest import Clinic

COMMON = {
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
    "created_by": None,
    "updated_by": None,
    "deleted_at": None,
}


def _village(store: Store, n: int, version: int, name: str) -> dict[str, Any]:
    row_id = f"01a30000-0000-7000-8000-00000000{n:04d}"
    return {
        "table": "village",
        "row_id": row_id,
        "op": "upsert",
        "version": version,
        "row": {**COMMON, "clinic_id": store.clinic_id, "id": row_id, "name": name, "code": None},
    }


def _commits(store: Store) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None)
    return seen


def test_several_pages_are_stored_in_one_commit_with_the_last_cursor_and_in_server_order(
    clinic: Clinic,
) -> None:
    store = clinic.store
    page1 = [_village(store, 1, 2, "石头村"), _village(store, 2, 3, "河边村")]
    page2 = [_village(store, 1, 4, "石头新村")]  # a later version of a row of the first page
    commits = _commits(store)
    assert apply_pull_pages(store, [(page1, "c1"), (page2, "c2")]) == 3
    store.conn.set_trace_callback(None)
    assert len(commits) == 1
    assert get_state(store.conn, "cursor") == "c2"
    names = dict(store.conn.execute("SELECT id, name FROM village").fetchall())
    assert names == {page1[0]["row_id"]: "石头新村", page1[1]["row_id"]: "河边村"}
    assert (
        store.conn.execute("SELECT row_version FROM village WHERE id = ?", (page1[0]["row_id"],)).fetchone()[
            0
        ]
        == 4
    )


def test_a_row_the_device_cannot_store_is_set_aside_and_the_rest_of_the_batch_and_the_cursor_go_on(
    clinic: Clinic,
) -> None:
    store = clinic.store
    broken = dict(_village(store, 2, 3, "河边村"))
    broken["row"] = {**broken["row"], "name": None}  # NOT NULL
    assert apply_pull_pages(store, [([_village(store, 1, 2, "石头村")], "c1"), ([broken], "c2")]) == 1
    assert [r[0] for r in store.conn.execute("SELECT name FROM village")] == ["石头村"]
    assert get_state(store.conn, "cursor") == "c2"
    aside = store.conn.execute("SELECT table_name, row_id, version, rule FROM set_aside").fetchall()
    assert [tuple(r) for r in aside] == [("village", broken["row_id"], 3, "required")]


def test_a_batch_the_database_itself_fails_stores_nothing_and_keeps_the_cursor(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlcipher3

    from clinic_app import syncstate

    def full(*_args: Any) -> None:
        raise sqlcipher3.OperationalError("database or disk is full")

    store = clinic.store
    monkeypatch.setattr(syncstate, "upsert_rows", full)
    with pytest.raises(sqlcipher3.OperationalError):  # not a row's fault: nothing is set aside
        apply_pull_pages(store, [([_village(store, 1, 2, "石头村")], "c1")])
    assert store.conn.execute("SELECT count(*) FROM village").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM set_aside").fetchone()[0] == 0
    assert get_state(store.conn, "cursor") is None


def test_pulled_rows_commit_without_a_flush_and_the_devices_own_changes_with_one(clinic: Clinic) -> None:
    store = clinic.store
    levels: list[int] = []
    with store.server_rows() as conn:
        levels.append(conn.execute("PRAGMA synchronous").fetchone()[0])
    with store.unit(clinic.admin.id, "village.add") as uow:
        uow.insert("village", {"name": "石头村"})
        levels.append(uow.conn.execute("PRAGMA synchronous").fetchone()[0])
    assert levels == [
        1,
        2,
    ]  # NORMAL for rows the server holds (pulled again if lost), FULL for changes made here
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
