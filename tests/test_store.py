from __future__ import annotations

import json
import re

import pytest

from clinic_app import residents as R
from clinic_app.errors import StoreError
from clinic_app.store import Store
from tests.conftest import Clinic


def _counts(store: Store) -> dict[str, int]:
    return store.table_counts(["resident", "household", "outbox", "audit_log", "resident_search_key"])


def test_every_action_writes_rows_outbox_and_audit_in_one_transaction(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    vid = R.add_village(store, admin, "石头村")
    before = _counts(store)
    rid = R.add_resident(
        store, admin, R.ResidentInput(name="张三", id_number="11010519491231002X", village_id=vid)
    )
    after = _counts(store)
    assert after["resident"] == before["resident"] + 1
    # the resident and the audit entry each go to the outbox
    assert after["outbox"] == before["outbox"] + 2
    assert after["audit_log"] == before["audit_log"] + 1
    entry = store.conn.execute("SELECT * FROM outbox WHERE row_id = ?", (rid,)).fetchone()
    assert entry["table_name"] == "resident" and entry["op"] == "upsert" and entry["base_version"] == 0
    payload = json.loads(entry["payload"])
    assert payload["id_number"] == "11010519491231002X"
    assert "name_pinyin" not in payload, "derived search columns are not sent"
    audit = store.conn.execute("SELECT * FROM audit_log ORDER BY created_at DESC, id DESC").fetchone()
    assert audit["action"] == "resident.add"
    assert audit["created_by"] == admin.id
    assert audit["device_id"] == store.device_id
    assert f"resident:{rid}" in json.loads(audit["rows"])["refs"]


def test_common_columns_are_filled(clinic: Clinic) -> None:
    rid = R.add_resident(
        clinic.store, clinic.admin, R.ResidentInput(name="张三", id_number="11010519491231002X")
    )
    row = R.get_resident(clinic.store.conn, rid)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", row["id"])
    assert row["clinic_id"] == clinic.store.clinic_id
    assert row["created_by"] == row["updated_by"] == clinic.admin.id
    assert row["created_at"].endswith("Z") and row["deleted_at"] is None and row["row_version"] == 0


def test_failed_action_leaves_nothing(clinic: Clinic) -> None:
    store = clinic.store
    before = _counts(store)
    with pytest.raises(RuntimeError), store.unit(clinic.admin.id, "resident.add") as uow:
        uow.insert(
            "resident",
            {
                "name": "张三",
                "sex": "F",
                "birth_date": "1949-12-31",
                "id_number": "11010519491231002X",
                "document_type": "id_card",
            },
        )
        raise RuntimeError("power cut")
    assert _counts(store) == before


def test_edit_sends_only_changed_fields_with_base_version(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    rid = R.add_resident(store, admin, R.ResidentInput(name="张三", id_number="11010519491231002X"))
    store.conn.execute("UPDATE resident SET row_version = 7 WHERE id = ?", (rid,))  # as if synced
    data = R.resident_input(R.get_resident(store.conn, rid))
    data.phone = "13812345678"
    R.update_resident(store, admin, rid, data)
    entry = store.conn.execute("SELECT * FROM outbox WHERE row_id = ? ORDER BY seq DESC", (rid,)).fetchone()
    payload = json.loads(entry["payload"])
    assert entry["base_version"] == 7
    assert set(payload) == {"phone", "updated_at", "updated_by"}
    assert R.search_residents(store.conn, store.clinic_id, "5678").rows[0]["id"] == rid


def test_delete_is_a_tombstone_that_syncs(clinic: Clinic) -> None:
    store = clinic.store
    rid = R.add_resident(store, clinic.admin, R.ResidentInput(name="张三", id_number="11010519491231002X"))
    with store.unit(clinic.admin.id, "resident.delete") as uow:
        uow.delete("resident", rid)
    row = store.conn.execute("SELECT deleted_at FROM resident WHERE id = ?", (rid,)).fetchone()
    assert row["deleted_at"] is not None
    assert (
        store.conn.execute("SELECT op FROM outbox WHERE row_id = ? ORDER BY seq DESC", (rid,)).fetchone()[0]
        == "delete"
    )
    assert R.search_residents(store.conn, store.clinic_id, "张三").rows == []
    # the ID number is free again for a new registration
    R.add_resident(store, clinic.admin, R.ResidentInput(name="张三", id_number="11010519491231002X"))


def test_database_file_holds_no_plaintext(clinic: Clinic) -> None:
    store = clinic.store
    R.add_resident(
        store,
        clinic.admin,
        R.ResidentInput(name="欧阳娜娜", id_number="11010519491231002X", phone="13812345678"),
    )
    files = [clinic.db, clinic.db.with_name(clinic.db.name + "-wal")]
    secrets = [
        "欧阳娜娜".encode(),
        b"11010519491231002X",
        b"13812345678",
        "石头村卫生室".encode(),
        b"ouyangnana",
        b"SQLite format 3",
    ]
    for path in files:
        if path.exists():
            data = path.read_bytes()
            for secret in secrets:
                assert secret not in data, f"{secret!r} in {path.name}"
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = clinic.db.read_bytes()
    assert all(s not in data for s in secrets)


def test_pragmas_for_durability(clinic: Clinic) -> None:
    conn = clinic.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reader_sees_committed_data_only(clinic: Clinic) -> None:
    store = clinic.store
    reader = store.reader()
    with store.unit(clinic.admin.id, "village.add") as uow:
        uow.insert("village", {"name": "石头村"})
        assert reader.execute("SELECT count(*) FROM village").fetchone()[0] == 0
    assert reader.execute("SELECT count(*) FROM village").fetchone()[0] == 1
    reader.close()


def test_backup_is_encrypted_and_restorable(clinic: Clinic, tmp_path) -> None:
    store = clinic.store
    R.add_resident(store, clinic.admin, R.ResidentInput(name="张三", id_number="11010519491231002X"))
    target = store.backup(tmp_path / "copy.db")
    assert b"11010519491231002X" not in target.read_bytes()
    with pytest.raises(StoreError):
        store.backup(target)  # never overwrites
    copy = Store(target, store._key)
    assert copy.table_counts(["resident"]) == {"resident": 1}
    copy.close()


def test_a_pulled_household_may_come_pages_before_its_village(clinic: Clinic) -> None:
    from clinic_app.syncstate import apply_pull_page

    store = clinic.store
    village, household = "01a30000-0000-7000-8000-0000000000v1", "01a30000-0000-7000-8000-0000000000h1"
    common = {
        "clinic_id": store.clinic_id,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
    }
    page1 = [
        {
            "table": "household",
            "row_id": household,
            "op": "upsert",
            "version": 2,
            "row": {**common, "id": household, "village_id": village, "code": "H1", "address": None},
        }
    ]
    page2 = [
        {
            "table": "village",
            "row_id": village,
            "op": "upsert",
            "version": 3,
            "row": {**common, "id": village, "name": "石头村", "code": None},
        }
    ]
    apply_pull_page(store, page1, "c1")
    apply_pull_page(store, page2, "c2")
    assert store.integrity() == []
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1, "back on for the device's own writes"
