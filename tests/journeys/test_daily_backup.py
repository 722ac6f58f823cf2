"""The program backs the clinic up by itself once a day, while the doctor works on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clinic_app import backups, keystore
from clinic_app.store import Store
from tests.journeys.conftest import Journey


@pytest.fixture
def soon(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import ui.app

    monkeypatch.setattr(ui.app, "DAILY_BACKUP_DELAY_MS", 300)  # not 20 s into the test
    yield


def test_the_day_s_first_window_writes_a_backup_while_the_doctor_searches(
    soon: None, journey: Journey
) -> None:
    db = journey.store.path
    assert backups.daily_backups(db) == []
    residents: Any = journey.nav_to("residents")
    with journey.step("search while the daily backup is written"):
        journey.type(residents.search, "王")
        journey.wait_until(lambda: backups.daily_backups(db) != [], timeout=30_000)
    (copy_path,) = backups.daily_backups(db)
    assert copy_path.name == f"{db.name}.daily-{journey.today.isoformat()}.bak"
    copy = Store(copy_path, keystore.load_key(db, db.with_name("demo.key")))
    counts = copy.table_counts(["resident"])
    copy.close()
    assert counts == journey.store.table_counts(["resident"])
