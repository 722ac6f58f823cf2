"""The county settles every visit (issue 14 points 2-4) on a real loopback server, SQLite and PostgreSQL: after a
sync the device holds the county's settlement — confirmed (provisional 0) within the cap, the county's amounts
while an overrun waits for a reviewer, whose decision confirms it; a reversal recomputes the year and closes the
overrun; the optional county rule deducts a contracted resident's claims at another clinic from the contracted
clinic's budget, through a row the county makes for that clinic; two clinics pushing visits of one patient at the
same instant never both get the full cap.

Hand computation (ordinary outpatient, no deductible, ratio 50 %, annual cap 5000 fen): a visit of S1 × 8 is 8000
within the scheme, the fund 4000. Two such visits at two clinics: the first taken is confirmed (4000, 1000 of the
cap left); the second passes the cap by 4000 + 4000 - 5000 = 3000: the county settles it at 1000 from the fund and
7000 from the patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clinic_app import conflicts, users
from clinic_app import contracts as K
from clinic_app import ledger as L
from clinic_app import residents as R
from clinic_app import visits as V
from clinic_app.ids import uuid7
from clinic_app.store import Store
from sync import client as C
from sync.server import admin, reference
from sync.server.county import resolve_conflict

from ..test_visits import PRICES
from .conftest import County
from .live import live_server
from .test_api import mutation, resident
from .test_db_uniqueness import at_once, device, number
from .test_db_uniqueness import push as live_push

PW = "admin-pass-1"
NUMBER = "11010519491231002X"
Y = dt.date.today().year - 1
POLICY = {
    "settlement.ordinary.deductible_fen": "0",
    "settlement.ordinary.ratio_pct": "50",
    "settlement.ordinary.annual_cap_fen": "5000",
}
SETTLED = ("fund_fen", "patient_fen", "used_fund_fen", "cap_left_fen", "capped", "provisional")


def _county(county: County, tmp: Path, *policy: tuple[str, str, str]) -> None:
    (tmp / "prices.csv").write_text(PRICES, encoding="utf-8")
    county.admin(reference.load_prices, tmp / "prices.csv")
    for key, value in POLICY.items():
        county.admin(reference.set_policy, key, value, "2020-01-01")
    for key, value, since in policy:  # (key, value, effective from)
        county.admin(reference.set_policy, key, value, since)


def _clinic(tmp: Path, name: str) -> tuple[Store, str]:
    store, _ = Store.initialise(tmp / f"{name}.db", "LOCAL", name, key_file=tmp / f"{name}.key")
    actor = users.add_user(store, None, "admin", "clinic_admin", PW)
    vid = R.add_village(store, actor, "石头村")
    return store, R.add_resident(store, actor, R.ResidentInput(name="张三", id_number=NUMBER, village_id=vid))


def _join(store: Store, url: str, county: County, code: str) -> users.User:
    C.Client(store, url).enroll(county.admin(admin.make_enroll_code, code), f"PC-{code}")
    C.Client(store, url).sync()
    return users.authenticate(store, "admin", PW)


def _visit(store: Store, actor: users.User, resident_id: str, day: str, s1: int = 8) -> V.VisitResult:
    return V.add_visit(store, actor, V.VisitInput(resident_id, day, "11", ("J06.9",), None, [("S1", s1)]))


def settled(store: Store, visit_id: str) -> tuple[int, ...]:
    row = store.conn.execute("SELECT * FROM visit WHERE id = ?", (visit_id,)).fetchone()
    return tuple(int(row[name]) for name in SETTLED)


def test_after_sync_the_device_holds_the_county_s_confirmed_settlement(
    county: County, tmp_path: Path
) -> None:
    _county(county, tmp_path)
    store, resident_id = _clinic(tmp_path, "a")
    try:
        with live_server(county.engine) as url:
            actor = _join(store, url, county, "A01")
            first = _visit(store, actor, resident_id, f"{Y}-03-01", s1=4)  # 4000 within, fund 2000
            assert first.provisional and settled(store, first.id) == (2000, 2000, 0, 3000, 0, 1)
            C.Client(store, url).sync()
            assert settled(store, first.id) == (2000, 2000, 0, 3000, 0, 0), "confirmed by the county"
            second = _visit(store, actor, resident_id, f"{Y}-03-02", s1=2)  # 2000 within, fund 1000
            C.Client(store, url).sync()
            assert settled(store, second.id) == (1000, 1000, 2000, 2000, 0, 0)
            assert conflicts.list_conflicts(store.conn) == []
            assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    finally:
        store.close()


def test_the_deductible_met_at_one_clinic_is_not_charged_again_at_another(
    county: County, tmp_path: Path
) -> None:
    """Deductible 1000 a year. A: S1 × 4 = 4000 within, 1000 of it the deductible, fund 50 % of 3000 = 1500. B,
    offline, charges the deductible again (fund 1500); the county, which took A's first, settles B's at 50 % of
    4000 = 2000 from the fund, 2000 from the patient, confirmed (the patient paid 500 too much at B)."""
    _county(county, tmp_path, ("settlement.ordinary.deductible_fen", "1000", f"{Y}-01-01"))
    a, a_resident = _clinic(tmp_path, "a")
    b, b_resident = _clinic(tmp_path, "b")
    try:
        with live_server(county.engine) as url:
            on_a, on_b = _join(a, url, county, "A01"), _join(b, url, county, "B01")
            first = _visit(a, on_a, a_resident, f"{Y}-03-01", s1=4)
            later = _visit(b, on_b, b_resident, f"{Y}-03-02", s1=4)
            assert (
                (first.deductible_fen, first.fund_fen)
                == (later.deductible_fen, later.fund_fen)
                == (1000, 1500)
            )
            for store in (a, b):
                C.Client(store, url).sync()
            assert settled(a, first.id) == (1500, 2500, 0, 3500, 0, 0)
            assert settled(b, later.id) == (2000, 2000, 1500, 1500, 0, 0)
            row = b.conn.execute("SELECT deductible_fen, used_deductible_fen FROM visit").fetchone()
            assert tuple(row) == (0, 1000)
            assert conflicts.list_conflicts(a.conn) == [] == conflicts.list_conflicts(b.conn)
    finally:
        a.close()
        b.close()


@dataclass
class Overrun:
    """Two clinics' visits of one patient, synced: the first (at A) confirmed, the later (at B) over the cap."""

    url: str
    a: Store
    on_a: users.User
    first: V.VisitResult
    b: Store
    on_b: users.User
    later: V.VisitResult


@contextmanager
def overrun_at_two_clinics(county: County, tmp_path: Path) -> Iterator[Overrun]:
    _county(county, tmp_path)
    a, a_resident = _clinic(tmp_path, "a")
    b, b_resident = _clinic(tmp_path, "b")
    try:
        with live_server(county.engine) as url:
            on_a, on_b = _join(a, url, county, "A01"), _join(b, url, county, "B01")
            first = _visit(a, on_a, a_resident, f"{Y}-03-01")
            later = _visit(b, on_b, b_resident, f"{Y}-03-02")  # offline: neither knows the other's
            assert first.fund_fen == later.fund_fen == 4000
            for store in (a, b, a):
                C.Client(store, url).sync()
            yield Overrun(url, a, on_a, first, b, on_b, later)
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize(
    ("keep", "decided"),
    [
        (
            "patient_pays",
            (1000, 7000, 4000, 0, 1, 0),
        ),  # the county's amounts stand: the clinic collects 30.00
        ("fund_pays", (4000, 4000, 4000, 0, 0, 0)),  # the fund pays the device's share after all
    ],
)
def test_an_overrun_is_settled_by_the_county_until_a_reviewer_decides(
    county: County, tmp_path: Path, keep: str, decided: tuple[int, ...]
) -> None:
    with overrun_at_two_clinics(county, tmp_path) as o:
        assert settled(o.a, o.first.id) == (4000, 4000, 0, 1000, 0, 0)
        assert settled(o.b, o.later.id) == (1000, 7000, 4000, 0, 1, 1), (
            "the county's amounts, still provisional"
        )
        [seen_a] = conflicts.list_conflicts(o.a.conn)
        [seen_b] = conflicts.list_conflicts(o.b.conn)
        assert seen_a.row_id == seen_b.row_id == o.later.id and "by 3000 fen" in seen_b.message
        assert (seen_b.mine["fund_fen"], seen_b.server["fund_fen"]) == (4000, 1000), (
            "both shares, for the words"
        )
        with county.engine.begin() as conn:
            resolve_conflict(conn, seen_b.id, keep, "li", "")
        for store in (o.a, o.b):
            C.Client(store, o.url).sync()
        assert settled(o.b, o.later.id) == decided
        assert settled(o.a, o.first.id) == (4000, 4000, 0, 1000, 0, 0)
        assert conflicts.list_conflicts(o.a.conn) == [] == conflicts.list_conflicts(o.b.conn)


@pytest.mark.parametrize("cancelled", ["earlier", "overrunning"])
def test_a_cancellation_closes_the_overrun(county: County, tmp_path: Path, cancelled: str) -> None:
    """The earlier visit cancelled: the later one is within the cap after all and is confirmed with the device's
    own settlement. The overrunning one cancelled: its conflict closes and it counts nowhere."""
    with overrun_at_two_clinics(county, tmp_path) as o:
        assert len(conflicts.list_conflicts(o.a.conn)) == len(conflicts.list_conflicts(o.b.conn)) == 1
        if cancelled == "earlier":
            V.cancel_visit(o.a, o.on_a, o.first.id, "录入错误")
            C.Client(o.a, o.url).sync()
        else:
            V.cancel_visit(o.b, o.on_b, o.later.id, "患者自费")
            C.Client(o.b, o.url).sync()
        for store in (o.a, o.b):
            C.Client(store, o.url).sync()
        assert conflicts.list_conflicts(o.a.conn) == [] == conflicts.list_conflicts(o.b.conn)
        [closed] = conflicts.list_conflicts(o.b.conn, include_resolved=True)
        assert closed.resolution is not None
        if cancelled == "earlier":
            assert closed.resolution["keep"] == "recomputed"
            assert settled(o.b, o.later.id) == (4000, 4000, 0, 1000, 0, 0), (
                "confirmed as the device settled it"
            )
        else:
            assert closed.resolution["keep"] == "cancelled"
            assert settled(o.a, o.first.id) == (4000, 4000, 0, 1000, 0, 0)


def test_a_contracted_residents_claim_at_another_clinic_is_the_contracted_clinics_spending(
    county: County, tmp_path: Path
) -> None:
    """The county deducts claims elsewhere from 1 March: B's visit of A's contracted resident in February is not
    A's spending; the one of 5 March (fund 2000) is, until B cancels it."""
    county.admin(reference.install_default_packages)
    _county(
        county,
        tmp_path,
        ("capitation.rate_fen", "12000", f"{Y}-01-01"),
        (L.CLAIMS_ELSEWHERE, "0", "2020-01-01"),
        (L.CLAIMS_ELSEWHERE, "1", f"{Y}-03-01"),
    )
    a, a_resident = _clinic(tmp_path, "a")
    b, b_resident = _clinic(tmp_path, "b")
    try:
        with live_server(county.engine) as url:
            on_a, on_b = _join(a, url, county, "A01"), _join(b, url, county, "B01")
            K.add_team(a, on_a, "一队", "admin")
            K.sign(a, on_a, [a_resident], "一队", Y, ["BASIC"], witness="王护士", today=dt.date(Y, 1, 2))
            K.set_insurance(a, on_a, a_resident, Y)
            C.Client(a, url).sync()
            _visit(b, on_b, b_resident, f"{Y}-02-10", s1=2)  # before the county's rule: not A's
            elsewhere = _visit(b, on_b, b_resident, f"{Y}-03-05", s1=4)  # fund 2000
            C.Client(b, url).sync()
            C.Client(a, url).sync()
            [claim] = [dict(r) for r in a.conn.execute("SELECT * FROM capitation_claim")]
            assert (claim["visit_id"], claim["resident_id"], claim["fund_fen"]) == (
                elsewhere.id,
                a_resident,
                2000,
            )
            assert (claim["clinic_code"], claim["visit_date"], claim["cancelled_on"]) == (
                "B01",
                f"{Y}-03-05",
                None,
            )
            book = L.build(a.conn, a.clinic_id, Y, today=dt.date(Y, 3, 31))
            assert (book.spending_to_date_fen, book.elsewhere_to_date_fen) == (2000, 2000)
            assert [m.elsewhere_fen for m in book.months][:3] == [0, 0, 2000]

            V.cancel_visit(b, on_b, elsewhere.id, "录入错误")
            C.Client(b, url).sync()
            C.Client(a, url).sync()
            [claim] = [dict(r) for r in a.conn.execute("SELECT * FROM capitation_claim")]
            assert claim["cancelled_on"] == dt.date.today().isoformat()
            assert L.build(a.conn, a.clinic_id, Y, today=dt.date(Y, 3, 31)).spending_to_date_fen == 0
    finally:
        a.close()
        b.close()


def visit_row(resident_id: str, fund_fen: int = 4000) -> dict[str, Any]:
    """A type-11 visit as a device settles it offline knowing no other: S1 × 8, the fund half of it."""
    return {
        "id": uuid7(),
        "resident_id": resident_id,
        "visit_date": f"{Y}-03-01",
        "med_type": "11",
        "diagnoses": '["J06.9"]',
        "total_fen": 2 * fund_fen,
        "in_scheme_fen": 2 * fund_fen,
        "fund_fen": fund_fen,
        "patient_fen": fund_fen,
        "cap_left_fen": 5000 - fund_fen,
        "ratio_pct": "50",
        "annual_cap_fen": 5000,
        "provisional": 1,
        "created_at": "2026-11-23T08:00:00.000Z",
        "updated_at": "2026-11-23T08:00:00.000Z",
    }


ROUNDS = 10


def test_two_clinics_pushing_one_patients_visits_at_the_same_instant_never_both_get_the_full_cap(
    county: County, tmp_path: Path
) -> None:
    _county(county, tmp_path)
    with live_server(county.engine) as base:
        a, b = device(base, county, "A01", "A-1"), device(base, county, "B01", "B-1")
        people: dict[str, list[str]] = {}
        for clinic, headers in (("A01", a), ("B01", b)):
            rows = [resident(id_number=number(i)) for i in range(ROUNDS)]
            assert {
                r["status"] for r in live_push(base, headers, *(mutation("resident", r) for r in rows))
            } == {"applied"}
            people[clinic] = [r["id"] for r in rows]
        rounds = []
        for i in range(ROUNDS):
            answers = at_once(
                *(
                    lambda h=h, who=people[c][i]: live_push(base, h, mutation("visit", visit_row(who)))[0]
                    for c, h in (("A01", a), ("B01", b))
                )
            )
            for answer in answers:
                assert isinstance(answer, dict) and answer["status"] == "applied", answer
            rounds.append(
                (
                    sorted(x["server_row"]["fund_fen"] for x in answers),
                    sorted(x["server_row"]["provisional"] for x in answers),
                    sum(bool(x.get("conflict_id")) for x in answers),
                )
            )
    assert rounds == [([1000, 4000], [0, 1], 1)] * ROUNDS, (
        "each round: one visit confirmed with its full share, the other cut to what the cap left and in conflict"
    )
