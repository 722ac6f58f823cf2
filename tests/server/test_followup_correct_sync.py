"""A correction syncs as what it is (issue 12 point 10): a follow-up corrected on one device shows as corrected on
the other — the old visit kept and marked, with who corrected it, when and why; the chart's visits and the worklists
take the correction; the other device cannot correct the old visit again. Two devices that correct one visit
offline agree, with no conflict for a person: the later correction stands, the earlier shows as corrected by it. A real county server on a loopback
port (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clinic_app import chronic_records as H
from clinic_app import conflicts, syncstate, users
from clinic_app import residents as R
from clinic_app.chronic_chart import patient_chart
from clinic_app.errors import ValidationError
from clinic_app.store import Store
from sync import client as C
from sync.server import admin

from .conftest import County
from .live import live_server

PW = "admin-pass-1"
NUMBER = "11010519491231002X"
TODAY = dt.date.today()


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def reading(resident_id: str, sbp: int, dbp: int) -> H.FollowupInput:
    return H.FollowupInput(resident_id, "hypertension", day(10), "clinic", sbp_1=sbp, dbp_1=dbp)


@pytest.fixture
def clinic(county: County, tmp_path: Path) -> tuple[Store, Store, str]:
    """Device A (with a second user, 李医生) and device B of clinic A01; the patient registered with hypertension
    and one follow-up, all synced to both; the follow-up's id."""
    a, _ = Store.initialise(tmp_path / "a.db", "LOCAL", "x", key_file=tmp_path / "a.key")
    admin_user = users.add_user(a, None, "admin", "clinic_admin", PW)
    users.add_user(a, admin_user, "doctor", "village_doctor", PW, "李医生")
    vid = R.add_village(a, admin_user, "石头村")
    resident_id = R.add_resident(
        a, admin_user, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid)
    )
    H.register(a, admin_user, resident_id, "hypertension", "I10", day(400))
    first = H.add_followup(a, admin_user, reading(resident_id, 152, 96))
    b, _ = Store.initialise(tmp_path / "b.db", "LOCAL", "x", key_file=tmp_path / "b.key")
    return a, b, first.id


@contextmanager
def enrolled(county: County, a: Store, b: Store) -> Iterator[tuple[str, str]]:
    """Both devices enrolled in A01 on a live server and synced: its url and the patient's id on device B; the
    devices closed after."""
    try:
        with live_server(county.engine) as url:
            C.Client(a, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-A")
            C.Client(b, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-B")
            both_synced(url, a, b)
            [resident_id] = [r[0] for r in b.conn.execute("SELECT id FROM resident")]
            yield url, resident_id
    finally:
        a.close()
        b.close()


def both_synced(url: str, *stores: Store) -> None:
    for store in stores:
        C.Client(store, url).sync()
    for store in stores:
        assert conflicts.list_conflicts(store.conn) == []
        assert syncstate.counts(store.conn)["waiting"] == 0
        assert syncstate.rejected_changes(store.conn) == []


def test_a_follow_up_corrected_on_device_a_shows_as_corrected_on_device_b(
    county: County, clinic: tuple[Store, Store, str]
) -> None:
    a, b, first = clinic
    with enrolled(county, a, b) as (url, resident_id):
        assert [v["id"] for v in H.history(b.conn, resident_id)] == [first]

        doctor = users.authenticate(a, "doctor", PW)
        fixed = H.supersede_followup(a, doctor, first, reading(resident_id, 132, 84), "血压录错")
        assert fixed.classification == "controlled"
        both_synced(url, a, b)

        every = H.visit_history(b.conn, resident_id)
        assert [(v["id"], v["corrected_by"]) for v in every] == [(fixed.id, None), (first, fixed.id)]
        old = every[1]
        assert (old["corrected_user"], old["corrected_because"], old["classification"]) == (
            "李医生",
            "血压录错",
            "uncontrolled",
        )
        assert old["corrected_at"] == every[0]["created_at"]
        chart = patient_chart(b.conn, resident_id, TODAY)
        assert [v["id"] for v in chart.visits] == [fixed.id], "the trends and the current visit: corrected"
        assert [v["id"] for v in chart.history] == [fixed.id, first], "the history: both, the old marked"
        [due] = [r for r in H.due_page(b.conn, b.clinic_id, TODAY, 366) if r["resident_id"] == resident_id]
        assert (due["followup_id"], due["classification"]) == (fixed.id, "controlled")

        on_b = users.authenticate(b, "admin", PW)
        with pytest.raises(ValidationError) as refused:
            H.supersede_followup(b, on_b, first, reading(resident_id, 130, 80), "再改一次")
        assert (refused.value.field, refused.value.rule) == ("followup", "superseded")


def test_two_devices_that_correct_one_visit_offline_agree_without_a_conflict(
    county: County, clinic: tuple[Store, Store, str]
) -> None:
    a, b, first = clinic
    with enrolled(county, a, b) as (url, resident_id):
        on_a, on_b = users.authenticate(a, "admin", PW), users.authenticate(b, "admin", PW)
        H.supersede_followup(a, on_a, first, reading(resident_id, 132, 84), "A 的更正")
        H.supersede_followup(b, on_b, first, reading(resident_id, 134, 86), "B 的更正")
        both_synced(url, a, b, a)
        shown = [
            [(v["id"], v["sbp"], v["corrected_by"]) for v in H.visit_history(s.conn, resident_id)]
            for s in (a, b)
        ]
        assert shown[0] == shown[1], "both devices show the same history"
        every = H.visit_history(a.conn, resident_id)
        later, earlier = sorted(
            (v for v in every if v["supersedes"] == first),
            key=lambda v: (v["created_at"], v["id"]),
            reverse=True,
        )
        assert [(v["id"], v["corrected_by"]) for v in every] == [
            (later["id"], None),
            (earlier["id"], later["id"]),
            (first, later["id"]),
        ], "the later correction stands; the earlier one and the visit show as corrected by it"
        for store in (a, b):
            assert [v["id"] for v in H.history(store.conn, resident_id)] == [later["id"]], (
                "one visit, not two"
            )
            assert H.superseded_by(store.conn, earlier["id"]) == later["id"]
        short = H.short_page(a.conn, a.clinic_id, TODAY)
        assert [r["done"] for r in short if r["resident_id"] == resident_id] == [
            1 if day(10).startswith(str(TODAY.year)) else 0
        ], "counted once towards the year's face-to-face visits"
