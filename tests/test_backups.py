"""The desktop's daily backup: one encrypted copy a day beside the database, the newest seven kept, never a half
copy under a backup's name, found by the damaged-database search."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from clinic_app import backups, health, keystore
from clinic_app import residents as R
from clinic_app.errors import DiskFull
from clinic_app.store import Store

from .conftest import Clinic

DAY = dt.date(2026, 12, 1)


def _resident(clinic: Clinic, id_number: str = "11010519491231002X") -> None:
    R.add_resident(clinic.store, clinic.admin, R.ResidentInput(name="张三", id_number=id_number))


def test_the_first_run_of_a_day_writes_an_encrypted_copy_that_opens_with_the_key(clinic: Clinic) -> None:
    _resident(clinic)
    target = backups.take_daily_backup(clinic.store, DAY)
    assert target == clinic.db.with_name("clinic.db.daily-2026-12-01.bak")
    assert b"11010519491231002X" not in target.read_bytes()
    copy = Store(target, keystore.load_key(clinic.db, clinic.key))
    assert copy.table_counts(["resident"]) == {"resident": 1}
    copy.close()


def test_a_second_run_the_same_day_writes_nothing(clinic: Clinic) -> None:
    first = backups.take_daily_backup(clinic.store, DAY)
    assert first is not None
    written = first.stat().st_mtime_ns
    _resident(clinic)
    assert backups.take_daily_backup(clinic.store, DAY) is None
    assert first.stat().st_mtime_ns == written


def test_the_newest_seven_days_are_kept_and_other_backups_are_left_alone(
    clinic: Clinic, tmp_path: Path
) -> None:
    mine = clinic.store.backup(tmp_path / "usb-stick.db")  # `clinic backup` elsewhere: not ours to remove
    before_migration = clinic.db.with_name("clinic.db.schema-8.bak")
    before_migration.write_bytes(b"not ours either")
    for n in range(10):
        backups.take_daily_backup(clinic.store, DAY + dt.timedelta(days=n))
    kept = backups.daily_backups(clinic.db)
    assert [p.name for p in kept] == [
        f"clinic.db.daily-{(DAY + dt.timedelta(days=n)).isoformat()}.bak" for n in range(9, 2, -1)
    ]
    assert mine.exists() and before_migration.exists()


def test_a_full_disk_leaves_no_partial_backup_and_says_so(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app import store as store_module
    from clinic_app.db import DatabaseError

    def full(_conn: object, target: Path) -> None:
        target.write_bytes(b"half")
        target.unlink()  # vacuum_into removes what it wrote when the disk fills
        error = DatabaseError("database or disk is full")
        error.sqlite_errorcode = 13  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(store_module, "vacuum_into", full)
    with pytest.raises(DiskFull):
        backups.take_daily_backup(clinic.store, DAY)
    assert list(clinic.db.parent.glob("clinic.db.daily-*")) == []


def test_the_copy_is_written_while_a_save_is_in_progress_and_holds_only_what_was_committed(
    clinic: Clinic,
) -> None:
    _resident(clinic)
    written: list[Path | None] = []
    with clinic.store.unit(clinic.admin.id, "a save that takes its time") as uow:
        uow.insert("village", {"name": "东村"})
        thread = threading.Thread(target=lambda: written.append(backups.take_daily_backup(clinic.store, DAY)))
        thread.start()
        thread.join(30)  # not waiting for the save's lock: a WAL reader
        assert written and written[0] is not None
    copy = Store(written[0], keystore.load_key(clinic.db, clinic.key))
    assert copy.table_counts(["resident", "village"]) == {"resident": 1, "village": 0}
    copy.close()


def test_a_damaged_database_offers_the_newest_daily_copy(clinic: Clinic) -> None:
    _resident(clinic)
    older = backups.take_daily_backup(clinic.store, DAY)
    newer = backups.take_daily_backup(clinic.store, DAY + dt.timedelta(days=1))
    assert older is not None and newer is not None
    key = keystore.load_key(clinic.db, clinic.key)
    assert health.newest_good_backup(clinic.db, key) == newer.resolve()
