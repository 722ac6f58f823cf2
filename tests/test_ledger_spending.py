"""The capitation ledger's spending (issue 14 point 4, RULES §2) against a hand-built quarter: the fund's share of
the live ordinary outpatient visits (type 11) of residents contracted here, plus the claims at other institutions
the county deducted (rows it makes, ``capitation_claim``); not a visit of a resident without a contract, not a
cancelled visit, not a cancelled claim. Budget, surplus and forecast follow from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clinic_app import contracts as C
from clinic_app import ledger as L
from clinic_app import residents as R
from clinic_app import users
from clinic_app import visits as V
from clinic_app.cli import main
from clinic_app.errors import ValidationError
from clinic_app.ids import uuid7
from clinic_app.prices import load_prices_locally
from clinic_app.syncstate import store_server_rows

from .conftest import Clinic
from .test_visits import PRICES, id_number

Y = dt.date.today().year - 1
POLICY = {
    "capitation.rate_fen": ("12000", f"{Y}-01-01"),  # 120 yuan a head and year, no weights, no reserve
    "settlement.ordinary.deductible_fen": ("0", "2020-01-01"),
    "settlement.ordinary.ratio_pct": ("50", "2020-01-01"),
    "settlement.ordinary.annual_cap_fen": ("40000", "2020-01-01"),
}


@pytest.fixture
def month(clinic: Clinic, tmp_path: Path) -> Clinic:
    store, admin = clinic.store, clinic.admin
    C.install_reference(store, policy=POLICY)
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    load_prices_locally(store, tmp_path / "prices.csv")
    users.add_user(store, admin, "doctor", "village_doctor", "doctor-pass-1")
    C.add_team(store, admin, "一队", "doctor")
    vid = R.add_village(store, admin, "石头村")
    for name, born in (("张三", "1960-03-10"), ("王五", "1955-07-01"), ("李四", "1970-01-01")):
        R.add_resident(store, admin, R.ResidentInput(name=name, id_number=id_number(born), village_id=vid))
    signer = users.authenticate(store, "doctor", "doctor-pass-1")
    C.sign(store, signer, [rid(clinic, "张三"), rid(clinic, "王五")], "一队", Y, ["BASIC"],
           witness="王护士", today=dt.date(Y, 1, 2))  # fmt: skip
    for name in ("张三", "王五"):
        C.set_insurance(store, admin, rid(clinic, name), Y)
    return clinic


def rid(c: Clinic, name: str) -> str:
    return str(c.store.conn.execute("SELECT id FROM resident WHERE name = ?", (name,)).fetchone()[0])


def visit(c: Clinic, name: str, day: str, services: list[tuple[str, int]]) -> V.VisitResult:
    data = V.VisitInput(rid(c, name), day, "11", ("J06.9",), None, services)
    return V.add_visit(c.store, c.admin, data)


def claim(c: Clinic, name: str, day: str, fund_fen: int, cancelled_on: str | None = None) -> None:
    """A claim elsewhere as the county sends it: a row of this clinic the device only pulls."""
    now = "2026-01-01T00:00:00.000Z"
    row = {
        "id": uuid7(),
        "clinic_id": c.store.clinic_id,
        "created_at": now,
        "updated_at": now,
        "created_by": None,
        "updated_by": None,
        "deleted_at": None,
        "row_version": 7,
        "resident_id": rid(c, name),
        "contract_id": None,
        "visit_id": uuid7(),
        "visit_date": day,
        "med_type": "11",
        "fund_fen": fund_fen,
        "clinic_code": "B01",
        "clinic_name": "河西村卫生室",
        "cancelled_on": cancelled_on,
    }
    store_server_rows(c.store, {"capitation_claim": [row]})


def test_the_ledger_spends_the_contracted_residents_visits_and_the_claims_elsewhere(month: Clinic) -> None:
    """Heads 2 (张三, 王五 contracted and insured) × 120.00 = 240.00 a year, 20.00 a month. Ratio 50 %, no
    deductible. January: 张三 S1 (10.00) → fund 5.00. February: 张三 S1 ×2 → 10.00; 王五 S2 (8.00, B) → 4.00;
    王五 S3 (30.00, C, outside the scheme) → 0; 张三 S1 ×6 → 30.00 cancelled; 李四 S1 ×4 → 20.00 but 李四 has no
    contract. March: a claim of 王五 at clinic B01 of 7.00, and one of 9.00 the county cancelled. By 15 March
    three months are paid: 60.00; spent 5.00 + 14.00 + 7.00 = 26.00 (7.00 elsewhere); surplus 34.00; forecast
    at the pace of the 74 days gone by of the year's 365: 26.00 × 365 / 74 = 128.24, surplus at the period's end
    240.00 - 128.24 = 111.76."""
    c = month
    visit(c, "张三", f"{Y}-01-20", [("S1", 1)])
    visit(c, "张三", f"{Y}-02-03", [("S1", 2)])
    visit(c, "王五", f"{Y}-02-04", [("S2", 1)])
    visit(c, "王五", f"{Y}-02-05", [("S3", 1)])
    gone = visit(c, "张三", f"{Y}-02-06", [("S1", 6)])
    V.cancel_visit(c.store, c.admin, gone.id, "录入错误")
    stranger = visit(c, "李四", f"{Y}-02-07", [("S1", 4)])
    assert stranger.fund_fen == 2000, "settled as any insured visit, but not from this clinic's budget"
    claim(c, "王五", f"{Y}-03-02", 700)
    claim(c, "王五", f"{Y}-03-03", 900, cancelled_on=f"{Y}-03-10")

    book = L.build(c.store.conn, c.store.clinic_id, Y, today=dt.date(Y, 3, 15))
    assert (book.heads, book.budget_fen, book.advance_fen) == (2, 24000, 24000)
    by_month = {m.month: (m.budget_fen, m.spending_fen, m.elsewhere_fen) for m in book.months}
    assert by_month[f"{Y}-01"] == (2000, 500, 0)
    assert by_month[f"{Y}-02"] == (2000, 1400, 0)
    assert by_month[f"{Y}-03"] == (2000, 700, 700)
    assert all(by_month[f"{Y}-{m:02d}"][1] == 0 for m in range(4, 13))
    assert (book.budget_to_date_fen, book.spending_to_date_fen, book.elsewhere_to_date_fen) == (
        6000,
        2600,
        700,
    )
    assert book.surplus_to_date_fen == 3400
    assert (book.forecast_spending_fen, book.forecast_surplus_fen) == (12824, 11176)
    assert any("700 fen of the spending are claims at other institutions" in n for n in book.notes)
    assert L.spending_by_month(c.store.conn, c.store.clinic_id, Y, dt.date(Y, 1, 1), dt.date(Y, 12, 31)) == {
        f"{Y}-01": (500, 0),
        f"{Y}-02": (1400, 0),
        f"{Y}-03": (0, 700),
    }


def test_a_visit_outside_the_contracts_period_is_not_the_budgets(month: Clinic) -> None:
    visit(month, "张三", f"{Y - 1}-12-30", [("S1", 2)])  # the year before the contract
    book = L.build(month.store.conn, month.store.clinic_id, Y, today=dt.date(Y, 12, 31))
    assert book.spending_to_date_fen == 0


def test_the_cli_ledger_names_the_claims_elsewhere(month: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    claim(month, "王五", f"{Y}-03-02", 700)
    where = ["--db", str(month.db), "--key-file", str(month.key)]
    assert main(["ledger", "--period", str(Y), *where]) == 0
    assert "claims at other institutions: 7.00" in capsys.readouterr().out


def test_the_switch_is_one_or_zero() -> None:
    assert L.claims_elsewhere("1") and not L.claims_elsewhere("0") and not L.claims_elsewhere(None)
    with pytest.raises(ValidationError) as err:
        L.claims_elsewhere("yes")
    assert err.value.field == L.CLAIMS_ELSEWHERE and err.value.rule == "policy"
