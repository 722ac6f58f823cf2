"""Chronic care over a real county server (SQLite and PostgreSQL): registrations, follow-ups and their drugs,
referrals sync; two devices recording follow-ups of one patient offline never conflict (events); a correction shows
as such everywhere; two devices that register one patient hold one registration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clinic_app import chronic_records as H
from clinic_app import conflicts, syncstate, users
from clinic_app import residents as R
from clinic_app.store import Store
from sync import client as C
from sync.server import admin

from .conftest import County
from .live import live_server

PW = "admin-pass-1"
NUMBER = "11010519491231002X"  # born 1949-12-31
TODAY = dt.date.today()


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def devices(county: County, tmp_path: Path) -> tuple[Store, Store, str]:
    """Two enrolled devices of clinic A01 holding the same resident; the live server's url."""
    pc, _ = Store.initialise(tmp_path / "pc.db", "LOCAL", "x", key_file=tmp_path / "pc.key")
    actor = users.add_user(pc, None, "admin", "clinic_admin", PW)
    vid = R.add_village(pc, actor, "石头村")
    R.add_resident(pc, actor, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid))
    laptop, _ = Store.initialise(tmp_path / "laptop.db", "LOCAL", "x", key_file=tmp_path / "laptop.key")
    return pc, laptop, ""


def visit(
    store: Store, actor: users.User, resident_id: str, when: str, sbp: int, dbp: int
) -> H.FollowupResult:
    data = H.FollowupInput(resident_id, "hypertension", when, "clinic", sbp_1=sbp, dbp_1=dbp)
    return H.add_followup(store, actor, data)


def followups(store: Store) -> list[tuple[str, str, str, int]]:
    return sorted(
        (r["id"], r["visit_date"], r["classification"], r["sbp"])
        for r in store.conn.execute("SELECT * FROM followup")
    )


def test_follow_ups_of_one_patient_from_two_devices_sync_without_conflict(
    county: County, devices: tuple[Store, Store, str]
) -> None:
    pc, laptop, _ = devices
    try:
        with live_server(county.engine) as url:
            C.Client(pc, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-1")
            C.Client(pc, url).sync()
            C.Client(laptop, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-2")
            C.Client(laptop, url).sync()
            on_pc = users.authenticate(pc, "admin", PW)
            on_laptop = users.authenticate(laptop, "admin", PW)
            [resident_id] = [r[0] for r in pc.conn.execute("SELECT id FROM resident")]
            H.register(pc, on_pc, resident_id, "hypertension", "I10.x00", day(400))
            C.Client(pc, url).sync()
            C.Client(laptop, url).sync()
            assert H.registration(laptop.conn, resident_id, "hypertension") is not None

            # offline on both: a follow-up each (the laptop's with a drug and an emergency referral)
            visit(pc, on_pc, resident_id, day(30), 150, 95)
            laptop_visit = H.add_followup(
                laptop,
                on_laptop,
                H.FollowupInput(
                    resident_id,
                    "hypertension",
                    day(20),
                    "home",
                    sbp_1=185,
                    dbp_1=100,
                    drugs=[H.DrugInput("苯磺酸氨氯地平片", "5 mg", 1)],
                ),
            )
            for store in (pc, laptop, pc):
                C.Client(store, url).sync()
            assert followups(pc) == followups(laptop) and len(followups(pc)) == 2
            for store in (pc, laptop):
                assert conflicts.list_conflicts(store.conn) == []
                assert syncstate.counts(store.conn)["waiting"] == 0
                assert syncstate.rejected_changes(store.conn) == []
            drug = pc.conn.execute("SELECT name FROM followup_drug WHERE followup_id = ?", (laptop_visit.id,))
            assert [r[0] for r in drug] == ["苯磺酸氨氯地平片"]
            [referral] = H.referral_page(pc.conn, pc.clinic_id, TODAY)
            assert (referral["urgency"], referral["referral_id"]) == ("emergency", laptop_visit.referral_id)

            # the PC corrects the laptop's follow-up and follows the referral up: shown so on the laptop
            fixed = H.supersede_followup(
                pc,
                on_pc,
                laptop_visit.id,
                H.FollowupInput(resident_id, "hypertension", day(20), "home", sbp_1=135, dbp_1=85),
                "读数录错",
            )
            assert fixed.referral is None
            C.Client(pc, url).sync()
            C.Client(laptop, url).sync()
            assert H.superseded_by(laptop.conn, laptop_visit.id) == fixed.id
            assert [h["id"] for h in H.history(laptop.conn, resident_id)] == [
                fixed.id,
                *(
                    r[0]
                    for r in laptop.conn.execute(
                        "SELECT id FROM followup WHERE visit_date = ? AND supersedes IS NULL", (day(30),)
                    )
                ),
            ]
            assert H.get_referral(laptop.conn, str(laptop_visit.referral_id))["status"] == "cancelled"
            assert H.referral_page(laptop.conn, laptop.clinic_id, TODAY) == []
    finally:
        pc.close()
        laptop.close()


def test_two_devices_that_register_one_patient_offline_hold_one_registration(
    county: County, devices: tuple[Store, Store, str]
) -> None:
    pc, laptop, _ = devices
    try:
        with live_server(county.engine) as url:
            C.Client(pc, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-1")
            C.Client(pc, url).sync()
            C.Client(laptop, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-2")
            C.Client(laptop, url).sync()
            [resident_id] = [r[0] for r in pc.conn.execute("SELECT id FROM resident")]
            for store in (pc, laptop):
                actor = users.authenticate(store, "admin", PW)
                H.register(store, actor, resident_id, "hypertension", "I10", day(100), institution="县医院")
            for store in (pc, laptop, pc):
                C.Client(store, url).sync()
            for store in (pc, laptop):
                rows = store.conn.execute("SELECT id, icd_code FROM disease_registration").fetchall()
                assert [tuple(r) for r in rows] == [
                    (H.registration(pc.conn, resident_id, "hypertension")["id"], "I10")  # type: ignore[index]
                ]
                assert syncstate.rejected_changes(store.conn) == []
                assert conflicts.list_conflicts(store.conn) == [], "the same values: nothing for a person"
    finally:
        pc.close()
        laptop.close()


def test_the_county_refuses_a_pushed_follow_up_the_form_would_not_let_through(county: County) -> None:
    from clinic_app.ids import uuid7

    from .test_api import mutation, push, resident

    device = county.enroll("A01")
    person = resident()
    stamp = "2026-11-23T08:00:00.000Z"

    def row(**fields: object) -> dict[str, object]:
        return {
            "id": uuid7(),
            "resident_id": person["id"],
            "disease": "hypertension",
            "visit_date": "2026-11-20",
            "visit_mode": "clinic",
            "classification": "controlled",
            "created_at": stamp,
            "updated_at": stamp,
            **fields,
        }

    results = push(
        county,
        device,
        mutation("resident", person),
        mutation("followup", row(sbp_1=130, dbp_1=80, sbp=130, dbp=80, weight="62.5", symptoms='["none"]')),
        mutation("followup", row(sbp_1=80, dbp_1=90, sbp=80, dbp=90)),
        mutation("followup", row(sbp=350, dbp=90)),
        mutation("followup", row(fasting_glucose="40.0", disease="diabetes")),
        mutation("followup", row(symptoms='["polyuria"]')),
    )
    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [r.get("code") for r in results[2:]] == ["sbp_above_dbp", "range", "range", "choice"]
    assert "sbp_1" in results[2]["message"] and "70-300 mmHg" in results[3]["message"]
    assert "1.0-33.3 mmol/L" in results[4]["message"]
