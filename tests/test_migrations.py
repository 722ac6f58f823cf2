from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from clinic_app import residents as R
from clinic_app import users
from clinic_app.db import connect, schema_version
from clinic_app.errors import StoreError
from clinic_app.migrations import SCHEMA_VERSION
from clinic_app.migrations.m010_drug_catalog import county_part_reset
from clinic_app.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def v1_copy(tmp_path: Path) -> tuple[Path, Path]:
    db, key = tmp_path / "old.db", tmp_path / "old.key"
    shutil.copyfile(DATA / "schema_v1.db", db)
    shutil.copyfile(DATA / "schema_v1.key", key)
    return db, key


def test_saved_schema_1_database_upgrades_with_a_backup_first(v1_copy: tuple[Path, Path]) -> None:
    db, key = v1_copy
    store = Store.open(db, key)
    try:
        assert schema_version(store.conn) == SCHEMA_VERSION
        assert len(store.migrated_backups) == SCHEMA_VERSION - 1
        backup = store.migrated_backups[0]
        assert backup.name.startswith("old.db.v1-") and backup.name.endswith(".bak")
        old = connect(backup, bytes.fromhex(key.read_text().strip()))
        assert schema_version(old) == 1 and old.execute("SELECT count(*) FROM resident").fetchone()[0] == 2
        old.close()
        # data written by schema 1 is searchable through the keys schema 2 computes
        found = R.search_residents(store.conn, store.clinic_id, "zgq").rows
        assert [r["name"] for r in found] == ["曾国强"]
        assert [r["name"] for r in R.search_residents(store.conn, store.clinic_id, "5678").rows] == ["张三"]
        assert users.authenticate(store, "admin", "admin-pass-1").username == "admin"
        assert store.integrity() == []
    finally:
        store.close()


def test_a_failed_migration_changes_nothing(
    v1_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app import migrations
    from clinic_app.migrations import m002_search_keys

    def broken(conn: object) -> None:
        m002_search_keys.upgrade(conn)
        raise RuntimeError("disk full half-way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.MIGRATIONS[0], broken])
    monkeypatch.setattr("clinic_app.store.MIGRATIONS", [migrations.MIGRATIONS[0], broken])
    db, key = v1_copy
    with pytest.raises(RuntimeError):
        Store.open(db, key)
    conn = connect(db, bytes.fromhex(key.read_text().strip()))
    assert schema_version(conn) == 1
    columns = {r[1] for r in conn.execute("PRAGMA table_info(resident)")}
    assert "name_pinyin" not in columns
    conn.close()


def test_a_database_from_a_newer_program_is_refused_clearly(v1_copy: tuple[Path, Path]) -> None:
    db, key = v1_copy
    conn = connect(db, bytes.fromhex(key.read_text().strip()))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program knows"):
        Store.open(db, key)


def test_saved_schema_2_database_upgrades_and_keeps_its_outbox(tmp_path: Path) -> None:
    db, key = tmp_path / "v2.db", tmp_path / "v2.key"
    shutil.copyfile(DATA / "schema_v2.db", db)
    shutil.copyfile(DATA / "schema_v1.key", key)
    store = Store.open(db, key)
    try:
        assert schema_version(store.conn) == SCHEMA_VERSION
        assert [b.name.split("-")[0] for b in store.migrated_backups] == [
            f"v2.db.v{v}" for v in range(2, SCHEMA_VERSION)
        ]
        entry = store.conn.execute("SELECT payload, rejected_code FROM outbox").fetchone()
        assert entry["payload"] == '{"phone": "13812345678"}' and entry["rejected_code"] is None
        assert [r["name"] for r in R.search_residents(store.conn, store.clinic_id, "zs").rows] == ["张三"]
    finally:
        store.close()


def test_saved_schema_3_database_upgrades_and_its_conflicts_become_synced_rows(tmp_path: Path) -> None:
    from clinic_app import conflicts

    db, key = tmp_path / "v3.db", tmp_path / "v3.key"
    shutil.copyfile(DATA / "schema_v3.db", db)
    shutil.copyfile(DATA / "schema_v1.key", key)
    store = Store.open(db, key)
    try:
        assert schema_version(store.conn) == SCHEMA_VERSION
        [kept] = conflicts.list_conflicts(store.conn)
        assert (kept.id, kept.kind, kept.table) == (
            "01a1f000-0000-7000-8000-0000000000c1",
            "edited_elsewhere",
            "resident",
        )
        assert [(f.name, f.mine, f.server) for f in kept.fields] == [("phone", "13900000002", "13800000001")]
        row = store.conn.execute("SELECT clinic_id, row_version FROM conflict").fetchone()
        assert row["clinic_id"] == store.clinic_id and row["row_version"] == 0
    finally:
        store.close()


# -- frozen databases of synced devices (tests/data/make_synced_device.py) ---------------------------------
FROZEN = [1, 2, 3, 4, 5, 6, 7]
TEST_KEY = DATA / "schema_v1.key"


def _copy(tmp_path: Path, version: int) -> tuple[Path, Path]:
    db, key = tmp_path / f"v{version}.db", tmp_path / f"v{version}.key"
    shutil.copyfile(DATA / f"schema_v{version}.db", db)
    shutil.copyfile(TEST_KEY, key)
    return db, key


def _schema(conn: Any) -> set[tuple[str, str, str, str]]:
    return {
        (r[0], r[1], r[2], " ".join((r[3] or "").split()))
        for r in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    }


def _contents(conn: Any) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's columns and rows (sorted: row order is no part of what a database keeps)."""
    found = {}
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        rows = [tuple(r) for r in conn.execute(f'SELECT * FROM "{table}"')]
        found[table] = (columns, sorted(rows, key=repr))
    return found


@pytest.mark.parametrize("version", FROZEN)
def test_every_frozen_database_upgrades_to_the_schema_a_new_database_has(
    tmp_path: Path, version: int
) -> None:
    new, _ = Store.initialise(tmp_path / "new.db", "N01", "新卫生室", key_file=tmp_path / "new.key")
    expected = _schema(new.conn)
    new.close()
    store = Store.open(*_copy(tmp_path, version))
    try:
        assert _schema(store.conn) == expected
    finally:
        store.close()


@pytest.mark.parametrize("version", [4, 5, 6, 7])
def test_a_synced_devices_database_upgrades_keeping_every_row_with_a_backup_of_each_step(
    tmp_path: Path, version: int
) -> None:
    db, key = _copy(tmp_path, version)
    test_key = bytes.fromhex(key.read_text().strip())
    old = connect(db, test_key)
    assert schema_version(old) == version
    before = _contents(old)
    old.close()
    assert all(rows for table, (_c, rows) in before.items()), "the frozen database has rows in every table"

    store = Store.open(db, key)
    try:
        assert schema_version(store.conn) == SCHEMA_VERSION
        backups = (
            sorted(  # one before each step, none when none ran; in the order of the steps (v9 before v10)
                tmp_path.glob(f"v{version}.db.v*.bak"),
                key=lambda b: int(b.name.split("-")[0].rsplit(".v", 1)[1]),
            )
        )
        assert [b.name.split("-")[0] for b in backups] == [
            f"v{version}.db.v{v}" for v in range(version, SCHEMA_VERSION)
        ]
        for step, backup in zip(range(version, SCHEMA_VERSION), backups, strict=True):
            copy = connect(backup, test_key)
            assert schema_version(copy) == step
            copy.close()
        after = _contents(store.conn)
        for table, (columns, rows) in before.items():
            names = ", ".join(f'"{c}"' for c in columns)
            kept = sorted((tuple(r) for r in store.conn.execute(f'SELECT {names} FROM "{table}"')), key=repr)
            if table == "sync_state":  # schema 10 sends the county part of the cursor back to the start
                rows = sorted(((k, county_part_reset(v) if k == "cursor" else v) for k, v in rows), key=repr)
            assert kept == rows, f"{table}: every row and value kept"
        assert set(after) >= set(before)
        assert store.integrity() == []
        _the_program_reads_it(store, version)
    finally:
        store.close()


def _the_program_reads_it(store: Store, version: int) -> None:
    from clinic_app import conflicts, syncstate

    found = R.search_residents(store.conn, store.clinic_id, "zs").rows
    assert [r["name"] for r in found] == ["张三"]
    assert [r["name"] for r in R.search_residents(store.conn, store.clinic_id, "P1234567").rows] == [
        "John Smith"
    ]
    [open_conflict] = conflicts.list_conflicts(store.conn)
    assert open_conflict.kind == "edited_elsewhere" and [f.name for f in open_conflict.fields] == ["phone"]
    assert len(conflicts.list_conflicts(store.conn, include_resolved=True)) == 2
    [refused] = syncstate.rejected_changes(store.conn)
    assert (refused["table_name"], refused["rejected_code"]) == ("village", "duplicate")
    # schema 7's program held the nurse's account (added offline) and her team membership back until an
    # administrator signs in online: two more changes wait there
    assert syncstate.counts(store.conn)["waiting"] == (4 if version >= 7 else 2)
    if version >= 7:  # the county's 北村, which this device could not store beside its own
        from clinic_app import setaside

        [aside] = setaside.set_aside_rows(store.conn)
        assert (aside["table_name"], aside["rule"]) == ("village", "unique")
    assert users.authenticate(store, "admin", "admin-pass-1").username == "admin"
    if version >= 5:
        outcomes = [r["outcome"] for r in syncstate.sync_history(store.conn)]
        assert outcomes[0] == "offline" and "ok" in outcomes
        # before schema 7 the county's 北村 stopped a sync (an error); from 7 it is set aside and the sync ends
        assert ("error" in outcomes) if version < 7 else ("conflicts" in outcomes and "error" not in outcomes)
    if version >= 6:
        from clinic_app import contracts

        rows = contracts.list_contracts(store.conn, store.clinic_id)
        assert sorted(r["status"] for r in rows) == ["active", "active", "terminated"]
        assert [t["name"] for t in contracts.teams(store.conn, store.clinic_id)] == ["一队", "二队"]
    _chronic_care_works_on_it(store)  # last: it writes


def _chronic_care_works_on_it(store: Store) -> None:
    """Schema 8's tables are there, empty, and take a registration and a follow-up of an old resident."""
    import datetime as dt

    from clinic_app import chronic_records as H

    assert store.table_counts(
        ["disease_registration", "followup", "followup_drug", "referral"]
    ) == dict.fromkeys(["disease_registration", "followup", "followup_drug", "referral"], 0)
    admin = users.find_user(store.conn, store.clinic_id, "admin")
    assert admin is not None
    [resident_id] = [r[0] for r in store.conn.execute("SELECT id FROM resident WHERE name = '张三'")]
    H.register(store, admin, resident_id, "hypertension", "I10", "2020-05-01", today=dt.date(2026, 6, 1))
    data = H.FollowupInput(resident_id, "hypertension", "2026-05-20", "clinic", sbp_1=148, dbp_1=88)
    result = H.add_followup(store, admin, data, today=dt.date(2026, 6, 1))
    assert (result.classification, result.next_visit_date) == ("controlled", dt.date(2026, 8, 18))
    assert store.integrity() == []


def test_schema_10_sends_a_synced_device_back_for_the_countys_reference_rows(tmp_path: Path) -> None:
    """The device had no drug table before schema 10: the county part of its cursor starts again, so that the next
    pull brings the catalog; the clinic part stays (no re-pull of the clinic's rows)."""
    from sync.server.pull import decode_cursor, encode_cursor

    assert decode_cursor(county_part_reset(encode_cursor("ep", 120, 35)), "ep") == (120, 0)
    assert county_part_reset("not a cursor!") is None
    db, key = _copy(tmp_path, 7)
    old = connect(db, bytes.fromhex(key.read_text().strip()))
    cursor = old.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0]
    old.close()
    store = Store.open(db, key)
    try:
        now = store.conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0]
        assert now == county_part_reset(cursor) and now != cursor
    finally:
        store.close()


def test_schema_13_a_synced_device_upgraded_stores_the_countys_claims_elsewhere(tmp_path: Path) -> None:
    """Schema 13 adds the rows the county makes for a clinic when it deducts a contracted resident's claims at
    another institution (capitation_claim): a synced device of an old schema upgrades, pulls one and its ledger
    query reads it."""
    from clinic_app.ledger import spending_by_month
    from clinic_app.syncstate import apply_pull_page, get_state

    store = Store.open(*_copy(tmp_path, 7))
    try:
        resident_id = store.conn.execute("SELECT id FROM resident LIMIT 1").fetchone()[0]
        row = {
            "id": "0190f000-0000-7000-8000-000000000001",
            "clinic_id": store.clinic_id,
            "created_at": "2026-03-05T08:00:00.000Z",
            "updated_at": "2026-03-05T08:00:00.000Z",
            "resident_id": resident_id,
            "visit_id": "0190f000-0000-7000-8000-0000000000ff",
            "visit_date": "2026-03-05",
            "med_type": "11",
            "fund_fen": 2000,
            "clinic_code": "B01",
            "clinic_name": "河西村卫生室",
        }
        change = {"table": "capitation_claim", "row_id": row["id"], "op": "upsert", "version": 99, "row": row}
        cursor = get_state(store.conn, "cursor") or ""
        assert apply_pull_page(store, [change], cursor) == 1
        spent = spending_by_month(
            store.conn, store.clinic_id, 2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        )
        assert spent == {"2026-03": (0, 2000)}
    finally:
        store.close()
