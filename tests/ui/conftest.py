from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.qt_session import _chinese, _settings_in_tmp, documents  # noqa: F401 (fixtures)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clinic_app import residents as R
from clinic_app import users
from clinic_app.store import Store

PASSWORD = "doctor-pass-1"


@dataclass
class UiClinic:
    store: Store
    doctor: users.User
    db: Path
    key: Path


@pytest.fixture
def ui_clinic(tmp_path: Path) -> Iterator[UiClinic]:
    db, key = tmp_path / "c.db", tmp_path / "c.key"
    store, _ = Store.initialise(db, "C001", "石头村卫生室", key_file=key)
    admin = users.add_user(store, None, "admin", "clinic_admin", "admin-pass-1")
    doctor = users.add_user(store, admin, "doctor", "village_doctor", PASSWORD, display_name="李医生")
    vid = R.add_village(store, admin, "石头村")
    R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="张三",
            id_number="11010519491231002X",
            phone="13812345678",
            village_id=vid,
            relation_to_head="head",
        ),
        household_code="H0001",
    )
    R.add_resident(
        store,
        admin,
        R.ResidentInput(
            name="李四", id_number="445224199202290042", village_id=vid, relation_to_head="spouse"
        ),
        household_code="H0001",
    )
    R.add_resident(store, admin, R.ResidentInput(name="王五", id_number="110105194912310011", village_id=vid))
    yield UiClinic(store, doctor, db, key)
    store.close()
