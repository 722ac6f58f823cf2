"""Issue 14 point 2: the settlement arithmetic against hand computations, and its properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic_app.errors import ValidationError
from clinic_app.settlement import CHRONIC, ORDINARY, Line, Terms, YearUse, policy_number, settle, terms

from .conftest import Clinic

CHRONIC_HTN = Terms(CHRONIC, Decimal(70), annual_cap_fen=300_000)  # 70 %, 3,000 yuan a year
ORDINARY_TERMS = Terms(ORDINARY, Decimal(50), annual_cap_fen=40_000, deductible_fen=10_000)  # 50 %, 400, 100


def test_a_chronic_visit_pays_the_ratio_of_what_is_within_the_scheme() -> None:
    lines = [Line("DRUG-A", 1_250, 4, "A"), Line("SVC-B", 1_000, 1, "B"), Line("DRUG-C", 800, 1, "C")]
    s = settle(lines, CHRONIC_HTN, YearUse())
    # total 50.00 + 10.00 + 8.00 = 68.00; within the scheme 60.00; the fund 70 % of it = 42.00
    assert (s.total_fen, s.in_scheme_fen, s.fund_fen, s.patient_fen) == (6_800, 6_000, 4_200, 2_600)
    assert (s.cap_left_fen, s.capped, s.deductible_fen) == (295_800, False, 0)


def test_the_ordinary_deductible_is_met_once_a_year_then_the_ratio_applies_after_it() -> None:
    first = settle([Line("SVC", 6_000, 1, "A")], ORDINARY_TERMS, YearUse())
    # 60.00 within the scheme, all of it toward the 100.00 deductible: the fund pays nothing
    assert (first.deductible_fen, first.fund_fen, first.patient_fen) == (6_000, 0, 6_000)
    second = settle([Line("SVC", 10_000, 1, "A")], ORDINARY_TERMS, YearUse(deductible_fen=6_000))
    # 40.00 more meets the deductible; 50 % of the other 60.00 = 30.00
    assert (second.deductible_fen, second.fund_fen, second.patient_fen) == (4_000, 3_000, 7_000)
    third = settle(
        [Line("SVC", 10_000, 1, "A")], ORDINARY_TERMS, YearUse(fund_fen=3_000, deductible_fen=10_000)
    )
    assert (third.deductible_fen, third.fund_fen) == (0, 5_000)


def test_the_cap_reached_in_the_middle_of_a_visit_pays_what_is_left_of_it() -> None:
    s = settle([Line("DRUG", 10_000, 1, "A")], CHRONIC_HTN, YearUse(fund_fen=296_000))
    # 70 % of 100.00 = 70.00 owed, 40.00 left of the cap: the fund pays 40.00, the patient 60.00
    assert (s.fund_fen, s.patient_fen, s.cap_left_fen, s.capped) == (4_000, 6_000, 0, True)
    after = settle([Line("DRUG", 10_000, 1, "A")], CHRONIC_HTN, YearUse(fund_fen=300_000))
    assert (after.fund_fen, after.patient_fen, after.cap_left_fen, after.capped) == (0, 10_000, 0, True)
    assert not s.cap_used_before and after.cap_used_before, "reached in the visit / used up before it"
    deductible_only = settle([Line("SVC", 6_000, 1, "A")], ORDINARY_TERMS, YearUse())
    assert deductible_only.fund_fen == 0 and not deductible_only.cap_used_before, "nothing of the cap in it"


def test_the_fund_share_rounds_to_the_fen_half_up() -> None:
    ratio = Terms(CHRONIC, Decimal("62.5"), annual_cap_fen=10**6)
    assert settle([Line("X", 1, 1, "A")], ratio, YearUse()).fund_fen == 1  # 0.625 fen → 1
    assert settle([Line("X", 3, 1, "A")], ratio, YearUse()).fund_fen == 2  # 1.875 → 2
    assert (
        settle([Line("X", 5, 1, "A")], Terms(CHRONIC, Decimal(50), 10**6), YearUse()).fund_fen == 3
    )  # 2.5 → 3


def test_category_c_is_the_patient_s_alone() -> None:
    s = settle([Line("C-ONLY", 9_999, 2, "C")], CHRONIC_HTN, YearUse())
    assert (s.in_scheme_fen, s.fund_fen, s.patient_fen) == (0, 0, 19_998)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (Line("X", 100, 1, "D"), "category"),
        (Line("X", -1, 1, "A"), "price"),
        (Line("X", 100, 0, "A"), "quantity"),
    ],
)
def test_a_bad_line_is_refused_naming_the_field(line: Line, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        settle([line], CHRONIC_HTN, YearUse())
    assert err.value.field == field and "X" in err.value.message


def test_a_visit_without_lines_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        settle([], CHRONIC_HTN, YearUse())
    assert err.value.field == "lines"


lines_st = st.lists(
    st.builds(
        Line,
        st.just("X"),
        st.integers(0, 1_000_000),
        st.integers(1, 50),
        st.sampled_from(["A", "B", "C"]),
    ),
    min_size=1,
    max_size=8,
)
terms_st = st.builds(
    Terms,
    st.sampled_from([ORDINARY, CHRONIC]),
    st.decimals(0, 100, places=2),
    st.integers(0, 10**7),
    st.integers(0, 10**5),
)
use_st = st.builds(YearUse, st.integers(0, 10**7), st.integers(0, 10**5))


@given(lines_st, terms_st, use_st)
def test_the_shares_add_up_and_the_fund_never_passes_the_cap_or_the_scheme(
    lines: list[Line], t: Terms, used: YearUse
) -> None:
    s = settle(lines, t, used)
    assert s.fund_fen + s.patient_fen == s.total_fen
    assert 0 <= s.fund_fen <= s.in_scheme_fen <= s.total_fen
    assert s.fund_fen <= max(0, t.annual_cap_fen - used.fund_fen)
    assert s.cap_left_fen == max(0, t.annual_cap_fen - used.fund_fen) - s.fund_fen >= 0
    assert s.deductible_fen <= max(0, t.deductible_fen - used.deductible_fen)


@given(lines_st, terms_st, use_st, st.integers(0, 10**6))
def test_more_use_this_year_never_makes_the_fund_pay_more(
    lines: list[Line], t: Terms, used: YearUse, more: int
) -> None:
    later = YearUse(used.fund_fen + more, used.deductible_fen)
    assert settle(lines, t, later).fund_fen <= settle(lines, t, used).fund_fen


def _policy(clinic: Clinic, key: str, value: str, since: str) -> None:
    with clinic.store.transaction():
        clinic.store.conn.execute(
            "INSERT INTO policy(id, key, value, effective_from, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            (f"{key}@{since}", key, value, since),
        )


def test_the_terms_are_the_county_s_in_force_on_the_visit_date(clinic: Clinic) -> None:
    _policy(clinic, "settlement.chronic.ratio_pct.hypertension", "70", "2026-01-01")
    _policy(clinic, "settlement.chronic.annual_cap_fen.hypertension", "300000", "2026-01-01")
    _policy(clinic, "settlement.chronic.ratio_pct.hypertension", "75", "2026-07-01")
    conn = clinic.store.conn
    assert terms(conn, CHRONIC, "hypertension", dt.date(2026, 6, 30)).ratio_pct == 70
    assert terms(conn, CHRONIC, "hypertension", dt.date(2026, 7, 1)).ratio_pct == 75
    with pytest.raises(ValidationError) as err:
        terms(conn, CHRONIC, "diabetes", dt.date(2026, 7, 1))
    assert err.value.field == "settlement.chronic.ratio_pct.diabetes" and "not set" in err.value.message
    with pytest.raises(ValidationError) as err:
        terms(conn, CHRONIC, None, dt.date(2026, 7, 1))
    assert err.value.field == "disease"


@pytest.mark.parametrize("bad", ["100.5", "-1", "1.234", "NaN", "seventy"])
def test_a_ratio_is_a_percentage_with_two_decimals_at_most(bad: str) -> None:
    with pytest.raises(ValidationError):
        policy_number("settlement.ordinary.ratio_pct", bad)
    assert policy_number("settlement.ordinary.ratio_pct", "62.50") == Decimal("62.5")
