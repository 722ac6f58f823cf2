"""A device never wedges on a pulled row (issue 11, rule b; DESIGN §11): a row it cannot store — a unique key
another row here holds, a value outside the registry's bounds, a malformed change — is set aside in the
device-local `set_aside` table, the rest of the page and the cursor go on, and a later version of the row that
can be stored takes its place. Everything here goes through the real apply step (clinic_app.syncstate)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app import setaside, syncstate
from clinic_app.registry import INT64_MAX, INT64_MIN, REGISTRY, Column
from clinic_app.store import Store
from clinic_app.syncstate import apply_pull_pages, apply_push_results, apply_snapshot_page, get_state
from tests.conftest import Clinic

STAMP = "2026-01-01T00:00:00Z"
COMMON = {
    "created_at": STAMP,
    "updated_at": STAMP,
    "created_by": None,
    "updated_by": None,
    "deleted_at": None,
}


def _id(n: int) -> str:
    return f"01a30000-0000-7000-8000-{n:012d}"


def _change(store: Store, table: str, n: int, version: int, **fields: Any) -> dict[str, Any]:
    return {
        "table": table,
        "row_id": _id(n),
        "op": "upsert",
        "version": version,
        "row": {**COMMON, "clinic_id": store.clinic_id, "id": _id(n), **fields},
    }


def _village(store: Store, n: int, version: int, name: str) -> dict[str, Any]:
    return _change(store, "village", n, version, name=name, code=None)


def _user(store: Store, n: int, version: int, **fields: Any) -> dict[str, Any]:
    values = {
        "username": f"user{n}",
        "display_name": f"用户{n}",
        "role": "nurse",
        "password_hash": "scrypt$32768$8$1$c2FsdA==$ZGlnZXN0",
        "active": 1,
        **fields,
    }
    return _change(store, "user", n, version, **values)


def _aside(store: Store) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in store.conn.execute(
            "SELECT table_name, row_id, version, rule FROM set_aside ORDER BY table_name, row_id"
        )
    ]


def _names(store: Store) -> list[str]:
    return sorted(r[0] for r in store.conn.execute("SELECT name FROM village"))


def test_an_integer_of_2_to_the_70_in_a_pulled_user_row_is_set_aside_and_the_sync_goes_on(
    clinic: Clinic,
) -> None:
    """Break 4, device side: before, every later sync died with OverflowError."""
    store = clinic.store
    page = [
        _village(store, 1, 2, "石头村"),
        _user(store, 7, 3, active=2**70),
        _village(store, 2, 4, "河边村"),
    ]
    assert apply_pull_pages(store, [(page, "c1")]) == 2
    assert _names(store) == ["河边村", "石头村"] and get_state(store.conn, "cursor") == "c1"
    assert _aside(store) == [("user", _id(7), 3, "range")]
    [entry] = setaside.set_aside_rows(store.conn)
    assert "user.active" in entry["message"] and entry["first_seen_at"] == entry["seen_at"]
    # the next sync works, and the county's corrected version takes the entry's place
    assert apply_pull_pages(store, [([_user(store, 7, 5, active=0)], "c2")]) == 1
    assert _aside(store) == [] and get_state(store.conn, "cursor") == "c2"
    assert store.conn.execute('SELECT active FROM "user" WHERE id = ?', (_id(7),)).fetchone()[0] == 0


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"name": None}, "required"),
        ({"name": "村" * 201}, "too_long"),
        ({"name": ["a", "list"]}, "type"),
        ({"name": {"an": "object"}}, "type"),
        ({"name": 12}, "type"),
        ({"name": "\ud800 a lone surrogate"}, "encoding"),
        ({"code": 1.5}, "type"),
        ({"row_version": 2**64, "name": "x"}, None),  # the row's own row_version is the change's: ignored
    ],
)
def test_a_village_the_device_cannot_store_is_set_aside_by_the_rule_it_breaks(
    clinic: Clinic, fields: dict[str, Any], rule: str | None
) -> None:
    store = clinic.store
    bad = _village(store, 2, 3, "河边村")
    bad["row"] = {**bad["row"], **fields}
    applied = apply_pull_pages(store, [([_village(store, 1, 2, "石头村"), bad], "c1")])
    assert get_state(store.conn, "cursor") == "c1"
    if rule is None:
        assert applied == 2 and _aside(store) == []
    else:
        assert applied == 1 and _aside(store) == [("village", _id(2), 3, rule)]


@pytest.mark.parametrize(
    "change",
    [
        {"table": "village", "row_id": _id(3), "op": "upsert", "version": "three", "row": {}},
        {"table": "village", "row_id": _id(3), "op": "upsert", "version": 2**64, "row": {}},
        {"table": "village", "row_id": _id(3), "op": "upsert", "version": -1, "row": {}},
        {"table": "village", "row_id": _id(3), "op": "upsert", "version": 3, "row": "not an object"},
        {"table": "village", "row_id": 12345, "op": "upsert", "version": 3, "row": {}},
        {"table": "village", "row_id": "x" * 500, "op": "upsert", "version": 3, "row": {}},
        {"table": "village", "op": "upsert", "version": 3, "row": {}},
        {"table": ["village"], "row_id": _id(3), "version": 3, "row": {}},
        "not even an object",
    ],
)
def test_a_malformed_change_is_set_aside_and_the_rest_of_the_page_is_stored(
    clinic: Clinic, change: Any
) -> None:
    store = clinic.store
    assert apply_pull_pages(store, [([change, _village(store, 1, 2, "石头村")], "c1")]) == 1
    assert _names(store) == ["石头村"] and get_state(store.conn, "cursor") == "c1"
    [entry] = setaside.set_aside_rows(store.conn)
    assert entry["rule"] == "malformed" and len(entry["row_id"]) <= setaside.MAX_KEY


def test_a_later_version_that_fails_too_replaces_the_entry_keeping_when_it_was_first_seen(
    clinic: Clinic,
) -> None:
    store = clinic.store
    apply_pull_pages(store, [([_user(store, 7, 3, active=2**70)], "c1")])
    [first] = setaside.set_aside_rows(store.conn)
    apply_pull_pages(store, [([_user(store, 7, 4, role="emperor")], "c2")])
    [second] = setaside.set_aside_rows(store.conn)
    assert (second["version"], second["rule"]) == (4, "not_allowed")
    assert second["first_seen_at"] == first["first_seen_at"] and second["seen_at"] >= first["seen_at"]


def test_a_row_refused_for_a_key_held_here_is_stored_once_the_key_is_free_again(clinic: Clinic) -> None:
    store = clinic.store
    apply_pull_pages(store, [([_village(store, 1, 2, "石头村")], "c1")])
    apply_pull_pages(store, [([_village(store, 2, 3, "石头村")], "c2")])  # the county's other 石头村
    assert _aside(store) == [("village", _id(2), 3, "unique")]
    apply_pull_pages(store, [([_village(store, 1, 4, "石头老村")], "c3")])  # renamed: the name is free
    assert _names(store) == ["石头村", "石头老村"] and _aside(store) == []


def test_a_name_passed_on_within_one_page_is_stored_whole(clinic: Clinic) -> None:
    store = clinic.store
    apply_pull_pages(store, [([_village(store, 1, 2, "东村"), _village(store, 2, 3, "西村")], "c1")])
    passed_on = [
        _village(store, 2, 4, "东村"),
        _village(store, 1, 5, "北村"),
    ]  # the first clashes until the second
    assert apply_pull_pages(store, [(passed_on, "c2")]) == 2
    assert dict(store.conn.execute("SELECT id, name FROM village").fetchall()) == {
        _id(1): "北村",
        _id(2): "东村",
    }
    assert _aside(store) == []


def test_the_fast_path_takes_one_savepoint_per_table_and_column_set_and_none_per_row(clinic: Clinic) -> None:
    store = clinic.store
    page = [_village(store, n, 2, f"村{n}") for n in range(1, 201)]
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("SAVEPOINT") else None)
    assert apply_pull_pages(store, [(page, "c1")]) == 200
    store.conn.set_trace_callback(None)
    assert len(seen) == 1


def test_a_table_re_read_for_the_integrity_check_sets_aside_what_it_cannot_store(clinic: Clinic) -> None:
    store = clinic.store
    apply_pull_pages(store, [([_village(store, 1, 2, "石头村")], "c1")])
    snapshot = [_village(store, 2, 3, "石头村"), _village(store, 3, 4, "河边村")]
    assert apply_snapshot_page(store, "village", snapshot) == 1
    assert _names(store) == ["河边村", "石头村"] and _aside(store) == [("village", _id(2), 3, "unique")]
    assert apply_snapshot_page(store, "village", [_village(store, 2, 5, "石头二村")]) == 1
    assert _aside(store) == []


def test_a_server_row_in_a_push_answer_the_device_cannot_store_is_set_aside_and_the_answer_kept(
    clinic: Clinic,
) -> None:
    from clinic_app import residents as R

    store = clinic.store
    with store.transaction() as conn:
        conn.execute("DELETE FROM outbox")
    village = R.add_village(store, clinic.admin, "石头村")
    entry = next(e for e in syncstate.next_batch(store.conn) if e.table == "village")
    server_row = {
        **COMMON,
        "id": village,
        "clinic_id": store.clinic_id,
        "name": "石头村",
        "code": 2**70,
        "row_version": 9,
    }
    answer = {
        "mutation_id": entry.mutation_id,
        "status": "conflict",
        "code": "edited_elsewhere",
        "conflict_id": _id(99),
        "row_id": village,
        "server_row": server_row,
    }
    outcome = apply_push_results(store, [entry], [answer])
    assert (
        outcome.conflicts == 1
        and store.conn.execute("SELECT count(*) FROM outbox WHERE table_name = 'village'").fetchone()[0] == 0
    )
    assert _aside(store) == [("village", village, 9, "type")]


# -- the property: whatever the server serves, the device stores it or sets it aside, and syncs again ---------
PULLED = [t for t in REGISTRY.tables if t.pulled]
POOL = 6  # row ids per table: later changes hit rows stored before


def _value(column: Column) -> st.SearchStrategy[Any]:
    if column.allowed is not None:
        return st.sampled_from(column.allowed)
    if column.type == "INTEGER":
        return st.one_of(st.integers(0, 3), st.integers(INT64_MIN, INT64_MAX))
    if column.refers_to is not None:
        return st.sampled_from([_id(n) for n in range(POOL)])
    if (
        column.max_length is not None and column.name != "id"
    ):  # a unique key: a few values, so that they clash
        return st.sampled_from(["甲", "乙", "丙"])
    return st.text(max_size=12)


OUTSIDE: list[Any] = [2**70, -(2**70), 2**63, "\ud800", ["a"], {"a": 1}, 1.5, True, "x" * 70_000, None, "zzz"]


@st.composite
def _changes(draw: st.DrawFn, clinic_id: str) -> dict[str, Any]:
    table = draw(st.sampled_from(PULLED))
    row_id = _id(draw(st.integers(0, POOL - 1)))
    row: dict[str, Any] = {"id": row_id, "clinic_id": None if table.kind == "reference" else clinic_id}
    for column in table.wire_columns:
        if column.name in ("id", "clinic_id"):
            continue
        if column.name in ("created_at", "updated_at"):
            row[column.name] = STAMP
        elif column.name == "deleted_at":
            row[column.name] = draw(st.sampled_from([None, None, STAMP]))
        elif column.required or draw(st.booleans()):
            row[column.name] = draw(_value(column))
    if draw(st.integers(0, 3)) == 0:  # outside the registry: one value the county should never have sent
        name = draw(st.sampled_from([c.name for c in table.wire_columns]))
        row[name] = draw(st.sampled_from(OUTSIDE))
    change: dict[str, Any] = {
        "table": table.name,
        "row_id": row_id,
        "op": "upsert",
        "version": draw(st.integers(1, 1000)),
        "row": row,
    }
    if draw(st.integers(0, 15)) == 0:
        change[draw(st.sampled_from(["version", "row", "row_id"]))] = draw(st.sampled_from(OUTSIDE))
    return change


FRESH = itertools.count()


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder: Path = tmp_path_factory.mktemp("fuzzed-device")
    store, _ = Store.initialise(folder / "d.db", "F01", "模糊卫生室", key_file=folder / "d.key")
    yield store
    store.close()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whatever_the_server_serves_the_device_stores_it_or_sets_it_aside_and_syncs_again(
    device: Store, data: st.DataObject
) -> None:
    store = device
    pages = data.draw(st.lists(st.lists(_changes(store.clinic_id), max_size=12), min_size=1, max_size=3))
    cursor = f"c{data.draw(st.integers(0, 10**6))}"
    apply_pull_pages(store, [(page, f"{cursor}-{i}") for i, page in enumerate(pages)])
    assert get_state(store.conn, "cursor") == f"{cursor}-{len(pages) - 1}"
    last: dict[tuple[str, str], int | None] = {}  # the version the device holds or sets aside, of each row
    for change in (c for page in pages for c in page):
        row_id = change.get("row_id")
        if (
            isinstance(row_id, str)
            and len(row_id) <= 64
            and not any("\ud800" <= ch <= "\udfff" for ch in row_id)
        ):
            v = change["version"]
            last[(change["table"], change["row_id"])] = v if type(v) is int and 0 <= v <= INT64_MAX else None
    held = {
        (r[0], r[1]): r[2] for r in store.conn.execute("SELECT table_name, row_id, version FROM set_aside")
    }
    for (table, row_id), version in last.items():
        here = store.conn.execute(f'SELECT row_version FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if (table, row_id) in held:  # set aside: this version (the row may still hold an earlier one)
            assert held[(table, row_id)] == version, f"{table} {row_id}: set aside {held[(table, row_id)]}"
        else:  # or stored
            assert here is not None and here[0] == version, f"{table} {row_id}: neither stored nor set aside"
    # and the next sync works: a good row arrives
    n = next(FRESH)
    fresh = _village(store, 10**9 + n, 1, f"新村{n}")
    assert apply_pull_pages(store, [([fresh], "next")]) == 1
    assert (
        store.conn.execute("SELECT count(*) FROM village WHERE id = ?", (fresh["row_id"],)).fetchone()[0] == 1
    )
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_fast_judgement_of_a_row_agrees_with_the_one_that_names_the_problem(data: st.DataObject) -> None:
    change = data.draw(_changes("01a30000-0000-7000-8000-0000000000cc"))
    table, row = REGISTRY.table(change["table"]), change["row"]
    if isinstance(row, dict):
        assert table.fits(row) == (table.row_problem(row) is None), row
