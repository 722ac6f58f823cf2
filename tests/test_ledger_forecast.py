"""The ledger's spending and its forecast against a hand-built month (issue 14 point 4): the live ordinary
settlements of February are the month's spending, a cancelled one counts nowhere, and the year's forecast goes at
the pace of the days gone by — not of the months begun (on the first of a month that month counted whole)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app import contracts as C
from clinic_app import ledger as L
from clinic_app import users
from clinic_app import visits as V

from .conftest import Clinic
from .test_visits import Y, prepare, rid, visit


@pytest.fixture
def vc(clinic: Clinic, tmp_path: Path) -> Clinic:
    """张三 and 王五 contracted here for the year: their ordinary visits are the ledger's spending."""
    prepare(clinic, tmp_path)
    store, admin = clinic.store, clinic.admin
    C.install_reference(store, policy={"capitation.rate_fen": ("12000", "2020-01-01")})
    users.add_user(store, admin, "doctor", "village_doctor", "doctor-pass-1")
    C.add_team(store, admin, "一队", "doctor")
    signer = users.authenticate(store, "doctor", "doctor-pass-1")
    C.sign(store, signer, [rid(clinic, "张三"), rid(clinic, "王五")], "一队", Y, ["BASIC"],
           witness="王护士", today=dt.date(Y, 1, 2))  # fmt: skip
    return clinic


def test_a_hand_built_february_is_the_month_s_spending_and_the_forecast_goes_by_days(vc: Clinic) -> None:
    visit(vc, f"{Y}-02-01", [("S1", 5)])  # 50.00: all to the deductible, the fund 0
    kept = visit(vc, f"{Y}-02-10", [("S2", 1)])  # 8.00 at 55 %: 4.40
    gone = visit(vc, f"{Y}-02-20", [("S1", 2)])  # 20.00 at 55 %: 11.00, cancelled
    visit(vc, f"{Y}-02-21", [("S1", 1)], name="王五")  # 王五's first: his deductible, the fund 0
    V.cancel_visit(vc.store, vc.admin, gone.id, "录入错误")
    book = L.build(vc.store.conn, vc.store.clinic_id, Y, today=dt.date(Y, 3, 1))
    assert [m.spending_fen for m in book.months] == [0, 440] + [0] * 10
    assert kept.fund_fen == 440 and book.spending_to_date_fen == 440
    days = (dt.date(Y, 12, 31) - dt.date(Y, 1, 1)).days + 1
    elapsed = (dt.date(Y, 3, 1) - dt.date(Y, 1, 1)).days + 1  # 60 days (61 in a leap year)
    assert book.forecast_spending_fen == round(440 * days / elapsed)
    assert book.forecast_surplus_fen == book.advance_fen - book.forecast_spending_fen


def test_the_forecast_by_hand() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert L.forecast_spending(100_000, start, end, dt.date(2025, 12, 31)) == 0, "before the period: nothing"
    assert L.forecast_spending(100_000, start, end, dt.date(2026, 1, 1)) == 100_000 * 365
    assert (
        L.forecast_spending(33_400, start, end, dt.date(2026, 12, 1)) == 36_391
    )  # 33400 × 365 / 335 = 36391.04…
    assert L.forecast_spending(100_000, start, end, dt.date(2027, 3, 1)) == 100_000, (
        "after it: what was spent"
    )


@given(st.integers(0, 10**9), st.integers(0, 364))
def test_the_forecast_never_falls_below_what_was_spent(spent: int, day: int) -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert L.forecast_spending(spent, start, end, start + dt.timedelta(days=day)) >= spent
