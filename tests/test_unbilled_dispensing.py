"""Trial F2: dispensing (发药) charges nothing by itself. An installment no live visit pays for is found for the
patient (so the visit form opened from any page bills it, as from the refill list) and listed on the day's end,
until a visit pays for it; a split-pack box, whose code comes back on later sales, is paid by a visit of its day."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_app import contracts as C
from clinic_app import visit_lists as VL
from clinic_app import visits as V
from clinic_app.day_end import day_report
from clinic_app.errors import ValidationError

from .conftest import Clinic
from .test_rx_records import AMLODIPINE, CODE, TODAY, dispense, doctor, issue, rid
from .test_rx_records import rx as rx  # the fixture
from .test_visits import POLICY

DAY = dt.date(2026, 11, 2)


@pytest.fixture
def billing(rx: Clinic) -> Clinic:
    C.install_reference(rx.store, policy=POLICY)
    return rx


def bill(c: Clinic, dispensing_id: str | None, day: dt.date = DAY, items: tuple = ()) -> V.VisitResult:
    data = V.VisitInput(rid(c), day, "11", ["I10"], items=items, dispensing_id=dispensing_id)
    return V.add_visit(c.store, doctor(c), data, today=TODAY)


def unbilled(c: Clinic, day: dt.date = DAY) -> list[str]:
    return [u["id"] for u in V.unbilled_dispensings(c.store.conn, day, clinic_id=c.store.clinic_id)]


def test_a_dispensing_on_no_visit_is_on_the_day_end_until_a_visit_pays_for_it(billing: Clinic) -> None:
    given = dispense(billing, issue(billing, 84)["id"], 28, CODE)
    report = day_report(billing.store.conn, billing.store.clinic_id, DAY)
    [row] = report["unbilled"]
    assert (row["id"], row["name"], row["boxes"], row["drugs"]) == (
        given["id"],
        "张三",
        1,
        ["苯磺酸氨氯地平片"],
    )
    assert row["amount_fen"] is not None and row["amount_fen"] > 0
    bill(billing, given["id"])
    assert day_report(billing.store.conn, billing.store.clinic_id, DAY)["unbilled"] == []


def test_the_visit_form_of_any_page_finds_the_patient_s_unbilled_box_of_the_day(billing: Clinic) -> None:
    given = dispense(billing, issue(billing, 84)["id"], 28, CODE)
    found = VL.patients_unbilled_installment(billing.store.conn, rid(billing), DAY)
    assert found is not None
    dispensing_id, [(drug, count, codes)] = found
    assert (dispensing_id, drug["code"], count, codes) == (given["id"], AMLODIPINE, 1, [CODE])
    assert VL.patients_unbilled_installment(billing.store.conn, rid(billing), DAY + dt.timedelta(1)) is None
    bill(billing, dispensing_id)
    assert VL.patients_unbilled_installment(billing.store.conn, rid(billing), DAY) is None


def test_a_cancelled_visit_leaves_its_dispensing_unbilled_again(billing: Clinic) -> None:
    given = dispense(billing, issue(billing, 84)["id"], 28, CODE)
    paid = bill(billing, given["id"])
    assert unbilled(billing) == []
    V.cancel_visit(billing.store, doctor(billing), paid.id, "收错了", today=TODAY)
    assert unbilled(billing) == [given["id"]]


def test_a_split_pack_box_is_paid_by_a_visit_of_its_day_not_by_an_earlier_one(billing: Clinic) -> None:
    rx_id = issue(billing, 84)["id"]
    first = dispense(billing, rx_id, 14, CODE, split_pack=True, on="2026-11-02")
    bill(billing, first["id"])
    assert unbilled(billing) == []
    later = dt.date(2026, 11, 12)
    second = dispense(billing, rx_id, 14, CODE, split_pack=True, on=later.isoformat())
    assert unbilled(billing, later) == [second["id"]], (
        "the same box's code on the first visit pays not for this"
    )
    with pytest.raises(ValidationError) as err:  # and the first installment cannot be billed twice
        bill(billing, first["id"])
    assert err.value.rule == "paid"


def test_clinic_report_day_prints_the_box_dispensed_and_not_billed(billing: Clinic) -> None:
    import contextlib
    import io

    from clinic_app import cli

    given = dispense(billing, issue(billing, 84)["id"], 28, CODE)
    billing.store.close()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        args = [
            "--db",
            str(billing.db),
            "--key-file",
            str(billing.key),
            "report",
            "day",
            "--date",
            DAY.isoformat(),
        ]
        code = cli.main(args)
    billing.reopen()
    assert code == 0
    [line] = [t for t in printed.getvalue().splitlines() if t.startswith("NOT BILLED")]
    assert "张三" in line and "苯磺酸氨氯地平片" in line and "1 box(es)" in line and given["id"] in line
