"""The county-wide annual cap (issue 14 point 2) on a real server, SQLite and PostgreSQL: two clinics treat one
patient offline, each settling against what it knows; the county recomputes the year in the order it took the
visits, and the visit that overran the cap becomes a conflict both clinics see with the amount, which a county
reviewer closes. Hand computation: cap 10000 fen, ratio 70 %; each clinic's visit is 10000 within the scheme, the
fund 7000 each; the second taken passes the cap by 7000 + 7000 - 10000 = 4000."""

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
from sync.server.county import resolve_conflict
from sync.server.visit_cap import overrun

from ..test_visits import PRICES
from .conftest import County
from .live import live_server

PW = "admin-pass-1"
NUMBER = "11010519491231002X"
Y = dt.date.today().year - 1


def test_the_overrun_is_what_passes_the_cap_in_the_order_taken() -> None:
    funds = [("a", 7000), ("b", 7000), ("c", 500)]
    assert [overrun(funds, 10000, v) for v in ("a", "b", "c")] == [0, 4000, 500]
    assert overrun([("a", 3000), ("b", 2000)], 10000, "b") == 0


def _clinic(tmp: Path, name: str) -> tuple[Store, str]:
    store, _ = Store.initialise(tmp / f"{name}.db", "LOCAL", name, key_file=tmp / f"{name}.key")
    actor = users.add_user(store, None, "admin", "clinic_admin", PW)
    vid = R.add_village(store, actor, "石头村")
    return store, R.add_resident(store, actor, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid))


def test_a_patient_treated_at_two_clinics_offline_shares_one_cap_and_both_see_the_overrun(
    county: County, tmp_path: Path
) -> None:
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    county.admin(reference.load_prices, tmp_path / "prices.csv")
    county.admin(reference.set_policy, "settlement.chronic.ratio_pct.hypertension", "70", "2020-01-01")
    county.admin(
        reference.set_policy, "settlement.chronic.annual_cap_fen.hypertension", "10000", "2020-01-01"
    )
    a, a_resident = _clinic(tmp_path, "a")
    b, b_resident = _clinic(tmp_path, "b")
    try:
        with live_server(county.engine) as url:
            settled = {}
            for store, code, resident_id in ((a, "A01", a_resident), (b, "B01", b_resident)):
                C.Client(store, url).enroll(county.admin(admin.make_enroll_code, code), f"PC-{code}")
                C.Client(store, url).sync()
                actor = users.authenticate(store, "admin", PW)
                reg = H.register(store, actor, resident_id, "hypertension", "I10", f"{Y - 2}-01-01")
                H.set_qualification(store, actor, reg, "approved", f"{Y}-01-02")
                data = V.VisitInput(resident_id, f"{Y}-03-01", "14", ("I10",), "hypertension", [("S1", 10)])
                settled[code] = V.add_visit(store, actor, data)  # offline: neither knows the other's
            assert [s.fund_fen for s in settled.values()] == [7000, 7000]
            assert all(s.provisional for s in settled.values())
            C.Client(a, url).sync()
            C.Client(b, url).sync()
            C.Client(a, url).sync()
            [on_a] = conflicts.list_conflicts(a.conn)
            [on_b] = conflicts.list_conflicts(b.conn)
            for seen in (on_a, on_b):
                assert seen.kind == "cap_overrun" and seen.row_id == settled["B01"].id
                assert "by 4000 fen" in seen.message
            with county.engine.begin() as conn:
                resolve_conflict(conn, on_b.id, "patient_pays", "li", "the clinic collects 40.00")
            C.Client(a, url).sync()
            C.Client(b, url).sync()
            assert conflicts.list_conflicts(a.conn) == [] and conflicts.list_conflicts(b.conn) == []
            [closed] = conflicts.list_conflicts(a.conn, include_resolved=True)
            assert closed.resolution is not None and closed.resolution["keep"] == "patient_pays"
    finally:
        a.close()
        b.close()
