from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from clinic_app import users  # noqa: E402
from clinic_app.store import Store  # noqa: E402

ADMIN_PASSWORD = "admin-pass-1"


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLINIC_PASSWORD", "CLINIC_NEW_PASSWORD", "CLINIC_KEY_FILE", "CLINIC_DB"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Clinic:
    store: Store
    admin: users.User
    db: Path
    key: Path

    def reopen(self) -> Store:
        self.store.close()
        self.store = Store.open(self.db, self.key)
        return self.store


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    db, key = tmp_path / "clinic.db", tmp_path / "clinic.key"
    store, _ = Store.initialise(db, "C001", "石头村卫生室", key_file=key)
    admin = users.add_user(store, None, "admin", "clinic_admin", ADMIN_PASSWORD, display_name="管理员")
    c = Clinic(store, admin, db, key)
    yield c
    c.store.close()
