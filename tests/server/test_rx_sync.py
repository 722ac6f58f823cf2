"""Long-term prescriptions over a real county server (SQLite and PostgreSQL): the county's catalog reaches the
devices, a prescription issued on one device dispenses on another, two devices dispensing offline never conflict
(events), and a box sold at two clinics comes back to both as a conflict row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clinic_app import catalog, conflicts, syncstate, users
from clinic_app import chronic_records as H
from clinic_app import residents as R
from clinic_app import rx_records as X
from clinic_app.store import Store
from sync import client as C
from sync.server import admin, reference

from .conftest import County
from .live import live_server

PW = "admin-pass-1"
NUMBER = "11010519491231002X"
TODAY = dt.date.today()
AMLODIPINE = "XC08CA01A0010101010001"
CODE = "81000010000000000001"


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def device(tmp_path: Path, name: str) -> Store:
    store, _ = Store.initialise(tmp_path / f"{name}.db", "LOCAL", "x", key_file=tmp_path / f"{name}.key")
    return store


def stable_patient(store: Store, actor: users.User, name: str, village: str) -> str:
    """A resident registered for hypertension whose last face-to-face follow-up was controlled."""
    vid = R.add_village(store, actor, village)
    resident_id = R.add_resident(store, actor, R.ResidentInput(name=name, id_number=NUMBER, village_id=vid))
    H.register(store, actor, resident_id, "hypertension", "I10", day(400))
    visit = H.FollowupInput(resident_id, "hypertension", day(60), "clinic", sbp_1=130, dbp_1=80)
    H.add_followup(store, actor, visit)
    return resident_id


def test_prescriptions_and_installments_sync_and_a_box_sold_at_two_clinics_is_flagged(
    county: County, tmp_path: Path
) -> None:
    county.admin(reference.load_catalog, catalog.demo_catalog_file())
    pc, laptop, other = device(tmp_path, "pc"), device(tmp_path, "laptop"), device(tmp_path, "other")
    try:
        users.add_user(pc, None, "admin", "clinic_admin", PW)
        users.add_user(other, None, "admin", "clinic_admin", PW)
        with live_server(county.engine) as url:
            for store, clinic, name in ((pc, "A01", "PC-1"), (laptop, "A01", "PC-2"), (other, "B01", "B-1")):
                C.Client(store, url).enroll(county.admin(admin.make_enroll_code, clinic), name)
                C.Client(store, url).sync()
            assert laptop.conn.execute("SELECT count(*) FROM drug").fetchone()[0] > 75, "the county's catalog"
            on_pc, on_laptop = users.authenticate(pc, "admin", PW), users.authenticate(laptop, "admin", PW)
            resident_id = stable_patient(pc, on_pc, "张三", "石头村")
            rx = X.issue(
                pc,
                on_pc,
                resident_id,
                "hypertension",
                [X.ItemInput(AMLODIPINE, "1", 1)],
                84,
                signed=True,
                assessment="稳定",
                on=day(59),
                today=TODAY - dt.timedelta(days=59),  # entered on its day
            )
            X.dispense(pc, on_pc, rx["id"], 28, [CODE], on=day(59))
            C.Client(pc, url).sync()
            C.Client(laptop, url).sync()
            assert X.get_prescription(laptop.conn, rx["id"])["status"] == "active"
            # offline on both: the next installment each (a person would not, but nothing conflicts)
            X.dispense(pc, on_pc, rx["id"], 28, ["81000010000000000002"], on=day(31))
            X.dispense(laptop, on_laptop, rx["id"], 28, ["81000010000000000003"], on=day(30))
            for store in (pc, laptop, pc):
                C.Client(store, url).sync()
            for store in (pc, laptop):
                assert [i["days"] for i in X.installments(store.conn, rx["id"])] == [28, 28, 28]
                assert conflicts.list_conflicts(store.conn) == []
                assert syncstate.rejected_changes(store.conn) == []
            # clinic B01 sells the first box again: kept there, flagged to both clinics
            catalog_rows = other.conn.execute("SELECT count(*) FROM drug").fetchone()[0]
            assert catalog_rows > 75
            on_other = users.authenticate(other, "admin", PW)
            someone = stable_patient(other, on_other, "李四", "河村")
            rx_b = X.issue(
                other,
                on_other,
                someone,
                "hypertension",
                [X.ItemInput(AMLODIPINE, "1", 1)],
                28,
                on=day(10),
                today=TODAY - dt.timedelta(days=10),
            )
            X.dispense(other, on_other, rx_b["id"], 28, [CODE], on=day(10))
            C.Client(other, url).sync()
            C.Client(pc, url).sync()
            for store, named in ((other, "A01"), (pc, "B01")):
                [flag] = [c for c in conflicts.list_conflicts(store.conn) if c.kind == "trace_code_elsewhere"]
                assert CODE in flag.message and named in flag.message and flag.county_decides
    finally:
        for store in (pc, laptop, other):
            store.close()
