"""Outpatient visits over a real county server (SQLite and PostgreSQL): the county's price list and settlement
parameters reach a device, which settles a visit (provisional) and cancels another; both events, their lines and
the reversal reach the county and a second device of the clinic, which reads the same year's use from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clinic_app import chronic_records as H
from clinic_app import conflicts, users
from clinic_app import residents as R
from clinic_app import visits as V
from clinic_app.store import Store
from sync import client as C
from sync.server import admin, reference

from ..test_visits import PRICES
from .conftest import County
from .live import live_server

PW = "admin-pass-1"
NUMBER = "11010519491231002X"
Y = dt.date.today().year - 1
SETTLEMENT = {
    "settlement.ordinary.deductible_fen": "0",
    "settlement.ordinary.ratio_pct": "50",
    "settlement.ordinary.annual_cap_fen": "40000",
    "settlement.chronic.ratio_pct.hypertension": "70",
    "settlement.chronic.annual_cap_fen.hypertension": "10000",
}


def test_visits_and_a_reversal_reach_the_county_and_the_clinic_s_other_device(
    county: County, tmp_path: Path
) -> None:
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    county.admin(reference.load_prices, tmp_path / "prices.csv")
    for key, value in SETTLEMENT.items():
        county.admin(reference.set_policy, key, value, "2020-01-01")
    pc, _ = Store.initialise(tmp_path / "pc.db", "LOCAL", "x", key_file=tmp_path / "pc.key")
    laptop, _ = Store.initialise(tmp_path / "laptop.db", "LOCAL", "x", key_file=tmp_path / "laptop.key")
    try:
        actor = users.add_user(pc, None, "admin", "clinic_admin", PW)
        vid = R.add_village(pc, actor, "石头村")
        resident_id = R.add_resident(
            pc, actor, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid)
        )
        with live_server(county.engine) as url:
            C.Client(pc, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-1")
            C.Client(pc, url).sync()
            actor = users.authenticate(pc, "admin", PW)
            reg = H.register(pc, actor, resident_id, "hypertension", "I10", f"{Y - 2}-01-01")
            H.set_qualification(pc, actor, reg, "approved", f"{Y}-01-02", "MT-1")
            lines = [("S1", 3)]  # 3000 within the scheme
            kept = V.add_visit(
                pc, actor, V.VisitInput(resident_id, f"{Y}-02-01", "14", ("I10",), "hypertension", lines)
            )
            gone = V.add_visit(
                pc, actor, V.VisitInput(resident_id, f"{Y}-02-02", "14", ("I10",), "hypertension", lines)
            )
            assert (kept.fund_fen, gone.fund_fen, gone.cap_left_fen) == (2100, 2100, 10000 - 4200)
            V.cancel_visit(pc, actor, gone.id, "录入错误")
            C.Client(pc, url).sync()
            assert (
                pc.conn.execute("SELECT count(*) FROM outbox WHERE rejected_code IS NOT NULL").fetchone()[0]
                == 0
            )

            C.Client(laptop, url).enroll(county.admin(admin.make_enroll_code, "A01"), "PC-2")
            C.Client(laptop, url).sync()
            on_laptop = users.authenticate(laptop, "admin", PW)
            held = {r["id"]: r["fund_fen"] for r in laptop.conn.execute("SELECT * FROM visit")}
            assert held == {kept.id: 2100, gone.id: 2100}
            assert laptop.conn.execute("SELECT count(*) FROM visit_line").fetchone()[0] == 2
            assert V.cancellation(laptop.conn, gone.id) is not None
            # the laptop settles from the same live visits: 10000 - 2100 left of the cap
            third = V.add_visit(
                laptop,
                on_laptop,
                V.VisitInput(resident_id, f"{Y}-03-01", "14", ("I10",), "hypertension", [("S1", 1)]),
            )
            assert (third.fund_fen, third.cap_left_fen) == (700, 10000 - 2100 - 700)
            C.Client(laptop, url).sync()
            assert conflicts.list_conflicts(laptop.conn) == [] and conflicts.list_conflicts(pc.conn) == []
    finally:
        pc.close()
        laptop.close()
