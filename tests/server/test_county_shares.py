"""The county's recomputation of a year (sync/server/visit_cap.county_shares) is the device's settlement rule
(clinic_app.settlement.settle) applied to every clinic's visits in the order the county took them: for visits a
device settled one after the other knowing all of them, the county finds the same shares; whatever the order, the
fund never pays more than the cap in a year, nor the deductible twice."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from clinic_app.settlement import ORDINARY, Line, Terms, YearUse, settle
from sync.server.visit_cap import Held, county_shares

visits = st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 5_000)), min_size=1, max_size=12)
terms = st.builds(
    lambda ratio, cap, deductible: Terms(ORDINARY, Decimal(ratio) / 4, cap, deductible),
    st.integers(0, 400),
    st.integers(0, 60_000),
    st.integers(0, 10_000),
)


def _device_in_order(plan: list[tuple[int, int]], t: Terms) -> list[tuple[int, int, int]]:
    """(in scheme, fund, deductible) of each visit as one device settles them one after another."""
    used, met, out = 0, 0, []
    for in_scheme, outside in plan:
        lines = [Line("A", in_scheme, 1, "A"), Line("C", outside, 1, "C")]
        s = settle(lines, t, YearUse(fund_fen=used, deductible_fen=met))
        out.append((s.in_scheme_fen, s.fund_fen, s.deductible_fen))
        used, met = used + s.fund_fen, met + s.deductible_fen
    return out


def _held(settled: list[tuple[int, int, int]], t: Terms) -> list[Held]:
    return [
        Held(f"v{i}", fund, t.annual_cap_fen, None, in_scheme, t.ratio_pct, t.deductible_fen)
        for i, (in_scheme, fund, _) in enumerate(settled)
    ]


@given(visits, terms)
def test_the_county_finds_what_a_device_knowing_every_visit_settled(
    plan: list[tuple[int, int]], t: Terms
) -> None:
    settled = _device_in_order(plan, t)
    shares = county_shares(_held(settled, t))
    for i, (_, fund, deductible) in enumerate(settled):
        share = shares[f"v{i}"]
        assert (share.fund_fen, share.deductible_fen, share.overrun_fen) == (fund, deductible, 0)


@given(visits, terms, st.randoms())
def test_in_any_order_the_fund_stays_within_the_cap_and_the_deductible_is_met_once(
    plan: list[tuple[int, int]], t: Terms, rnd: object
) -> None:
    """Each visit settled by a device that knew none of the others (two clinics offline, at the extreme)."""
    alone = [_device_in_order([visit], t)[0] for visit in plan]
    held = _held(alone, t)
    rnd.shuffle(held)  # type: ignore[attr-defined]
    shares = county_shares(held)
    assert sum(s.fund_fen for s in shares.values()) <= t.annual_cap_fen
    assert sum(s.deductible_fen for s in shares.values()) <= t.deductible_fen
    for h in held:
        share = shares[h.row_id]
        assert share.overrun_fen == max(0, h.fund_fen - share.fund_fen)
