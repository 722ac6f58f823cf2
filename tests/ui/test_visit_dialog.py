"""The visit form's rules as the doctor meets them (pytest-qt, real widgets): type 14 offered from the day the
chronic-outpatient qualification was approved and not before (saying why), the year's cap reached in the middle of
a visit (the fund pays what was left, the form says so), and quick edits while a settlement is being computed end
in the settlement of the form as it last stands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from clinic_app import chronic_records as H
from clinic_app import contracts as C
from clinic_app import visits as V
from clinic_app.prices import load_prices_locally
from tests.test_visits import AMLODIPINE, POLICY, PRICES, the_catalog
from tests.ui.conftest import UiClinic

TODAY = dt.date.today()
QUALIFIED_ON = TODAY - dt.timedelta(days=10)


@pytest.fixture
def visit_clinic(ui_clinic: UiClinic, tmp_path: Path) -> UiClinic:
    store, doctor = ui_clinic.store, ui_clinic.doctor
    C.install_reference(store, policy=POLICY)  # hypertension: 70 %, a cap of 100.00 a year
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    load_prices_locally(store, tmp_path / "prices.csv")
    the_catalog(store)
    reg = H.register(store, doctor, resident(ui_clinic)["id"], "hypertension", "I10.x00", "2020-06-01")
    H.set_qualification(store, doctor, reg, "approved", QUALIFIED_ON.isoformat(), "MT-0001")
    return ui_clinic


def resident(c: UiClinic, name: str = "张三") -> dict[str, Any]:
    row = c.store.conn.execute("SELECT id, name, id_number FROM resident WHERE name = ?", (name,)).fetchone()
    return dict(row)


@pytest.fixture
def form(qtbot: Any, visit_clinic: UiClinic) -> Any:
    from ui.ops import Ops
    from ui.visit_dialog import VisitContext, VisitDialog

    ops = Ops()
    ctx = VisitContext(visit_clinic.store, ops, visit_clinic.doctor, TODAY)
    dialog = VisitDialog(ctx, resident(visit_clinic), "hypertension")
    qtbot.addWidget(dialog)
    dialog.open()  # shown once every section is built
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.pools_read)
    yield dialog
    dialog.reject()
    ops.shutdown()


def settled(qtbot: Any, dialog: Any) -> None:
    qtbot.waitUntil(
        lambda: dialog.planning is not None and not dialog.planning.running and not dialog.plan_again
    )


def add(qtbot: Any, dialog: Any, code: str) -> None:
    from ui.qt import Qt

    qtbot.keyClicks(dialog.search, code)
    qtbot.waitUntil(lambda: any(hit["code"] == code for _k, hit in dialog.hits))
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    settled(qtbot, dialog)


def test_type_14_is_offered_from_the_day_the_qualification_was_approved(qtbot: Any, form: Any) -> None:
    from ui.qt import QDate

    assert form.chronic.isEnabled() and form.chronic.isChecked()
    assert form.disease.currentData() == "hypertension" and form.diagnoses.text() == "I10.x00"
    assert not form.why_not.isVisible()
    before = QUALIFIED_ON - dt.timedelta(days=1)
    form.date.setDate(QDate(before.year, before.month, before.day))  # the doctor picks an earlier day
    assert not form.chronic.isEnabled() and form.ordinary.isChecked()
    assert form.why_not.isVisible() and QUALIFIED_ON.isoformat() in form.why_not.text()
    assert "晚于就诊日期" in form.why_not.text()
    form.date.setDate(QDate(QUALIFIED_ON.year, QUALIFIED_ON.month, QUALIFIED_ON.day))
    assert form.chronic.isEnabled() and not form.why_not.isVisible()


def test_the_cap_reached_in_the_middle_of_a_visit_pays_what_was_left(
    qtbot: Any, visit_clinic: UiClinic, form: Any
) -> None:
    # an earlier visit this year: 13,000 fen within the scheme at 70 % = 9,100 from the fund; 900 of 10,000 left
    V.add_visit(
        visit_clinic.store,
        visit_clinic.doctor,
        V.VisitInput(resident(visit_clinic)["id"], TODAY, "14", ("I10",), "hypertension", [("S1", 13)]),
    )
    add(qtbot, form, "S1")
    add(qtbot, form, "S1")  # the same service again: two of it, 2,000 fen; 70 % = 1,400 owed, 900 left
    assert [(line.code, line.quantity.value()) for line in form.lines] == [("S1", 2)]
    assert {k: v.text() for k, v in form.figures.items()} == {
        "total": "20.00",
        "in_scheme": "20.00",
        "deductible": "0.00",
        "fund": "9.00",
        "patient": "11.00",
        "cap_left": "0.00",
    }
    assert "达到年度限额" in form.state.text() and "暂算" in form.state.text()
    assert "91.00" in form.terms.text()  # what the fund paid before this visit
    # the next visit begins with nothing left: it says so, not that the cap is reached in it
    form.remove_line(form.lines[0])
    V.add_visit(
        visit_clinic.store,
        visit_clinic.doctor,
        V.VisitInput(resident(visit_clinic)["id"], TODAY, "14", ("I10",), "hypertension", [("S1", 2)]),
    )
    add(qtbot, form, "S1")
    qtbot.waitUntil(lambda: form.figures["fund"].text() == "0.00" and "已用完" in form.state.text())
    assert "本次就诊前已用完" in form.state.text() and "达到年度限额" not in form.state.text()


def test_quick_edits_while_settling_end_in_the_settlement_of_the_last(qtbot: Any, form: Any) -> None:
    add(qtbot, form, AMLODIPINE)  # 15.50 a box, class A
    line = form.lines[0]
    for n in range(2, 8):  # faster than each settlement comes back
        line.quantity.setValue(n)
    settled(qtbot, form)
    assert form.figures["total"].text() == "108.50"  # 7 × 15.50
    assert form.figures["fund"].text() == "75.95"  # 70 %, half up: 75.95


def test_enter_typed_before_the_answer_adds_the_first_hit_of_the_text_typed_now(
    qtbot: Any, form: Any
) -> None:
    from ui.qt import Qt

    qtbot.keyClicks(form.search, "bhs")  # the initials of 苯磺酸氨氯地平片
    qtbot.waitUntil(lambda: not form.searching and any(hit["code"] == AMLODIPINE for _k, hit in form.hits))
    form.search.selectAll()
    qtbot.keyClick(form.search, Qt.Key.Key_Backspace)
    assert form.hits == [] and form.results.count() == 0  # an empty field shows (and Enter takes) nothing
    qtbot.keyClicks(form.search, "S2")
    qtbot.keyClick(form.search, Qt.Key.Key_Return)  # at once, as a scanner or a fast typist does
    qtbot.waitUntil(lambda: len(form.lines) == 1)
    assert [(line.kind, line.code) for line in form.lines] == [("service", "S2")]
    assert form.search.text() == "" and not form.searching and not form.typed.enter_waiting


def test_the_answer_to_an_older_text_is_never_shown_nor_added(qtbot: Any, form: Any) -> None:
    from ui.qt import Qt

    qtbot.keyClicks(form.search, "bhs")
    qtbot.waitUntil(lambda: not form.searching and form.results.count() > 0)
    old = list(form.hits)
    qtbot.keyClicks(form.search, "x")  # "bhsx" matches nothing
    qtbot.keyClick(form.search, Qt.Key.Key_Return)
    form.typed.answer(form.typed.searched - 1, old)  # the late answer to "bhs"
    assert form.hits == [] and form.results.count() == 0
    qtbot.waitUntil(lambda: not form.searching)
    assert form.lines == [] and form.hits == []


def test_saving_while_settling_waits_for_the_settlement_of_the_form_as_it_is(qtbot: Any, form: Any) -> None:
    add(qtbot, form, "S1")  # type 14: 10.00, the patient pays 3.00
    assert form.figures["patient"].text() == "3.00"
    form.ordinary.setChecked(True)  # type 11: the deductible takes it all, the patient pays 10.00
    qtbot.keyClicks(form.diagnoses, "I10")  # type 11 clears the diagnosis the form filled in
    form.submit()  # Ctrl+Enter while the panel still shows the type-14 figures
    assert form.result_value is None and form.save_waiting is not None
    assert "结算显示后" in form.state.text()
    qtbot.waitUntil(lambda: form.result_value is not None)
    assert form.result_value.patient_fen == 1000 and form.result_value.fund_fen == 0
    assert form.figures["patient"].text() == "10.00"  # what the doctor saw when it was saved


def test_a_form_changed_while_its_save_waits_is_not_saved(qtbot: Any, form: Any) -> None:
    add(qtbot, form, "S1")
    form.ordinary.setChecked(True)
    qtbot.keyClicks(form.diagnoses, "I10")
    form.submit()
    form.lines[0].quantity.setValue(2)  # changed before the settlement came
    settled(qtbot, form)
    assert form.result_value is None and form.save_waiting is None and form.isVisible()
    assert form.figures["total"].text() == "20.00"
    form.submit()  # the doctor confirms what is shown now
    qtbot.waitUntil(lambda: form.result_value is not None)
    assert form.result_value.total_fen == 2000


def test_a_reversal_without_a_reason_says_so_and_records_nothing(qtbot: Any, visit_clinic: UiClinic) -> None:
    from ui.ops import Ops
    from ui.qt import Qt
    from ui.visit_dialog import VisitContext
    from ui.visit_list import CancelVisitDialog

    who = resident(visit_clinic)
    saved = V.add_visit(
        visit_clinic.store,
        visit_clinic.doctor,
        V.VisitInput(who["id"], TODAY, "11", ("I10",), None, [("S1", 1)]),
    )
    row = dict(V.get_visit(visit_clinic.store.conn, saved.id))
    ops = Ops()
    dialog = CancelVisitDialog(VisitContext(visit_clinic.store, ops, visit_clinic.doctor, TODAY), who, row)
    qtbot.addWidget(dialog)
    dialog.show()
    first, amounts = dialog.who.text().split("\n")  # trial F8: the title broke inside an amount
    assert first.startswith(f"{who['name']} · ") and amounts.startswith("总额 ") and "个人" in amounts
    metrics = dialog.who.fontMetrics()
    assert metrics.horizontalAdvance(first) <= dialog.who.width() >= metrics.horizontalAdvance(amounts)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and dialog.error.text() == "请填写冲正原因。"
    assert dialog.ok_button.isEnabled() and dialog.isVisible()
    assert visit_clinic.store.conn.execute("SELECT COUNT(*) FROM visit_cancel").fetchone()[0] == 0
    dialog.reject()
    ops.shutdown()


def test_the_form_names_every_county_parameter_not_set(ui_clinic: UiClinic, tmp_path: Path) -> None:
    from clinic_app.errors import ValidationError
    from ui.visit_dialog import visit_error_text

    C.install_reference(ui_clinic.store, policy={"settlement.ordinary.ratio_pct": ("55", "2020-01-01")})
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    load_prices_locally(ui_clinic.store, tmp_path / "prices.csv")
    data = V.VisitInput(resident(ui_clinic)["id"], TODAY, "11", ("J06.9",), None, [("S1", 1)])
    with pytest.raises(ValidationError) as err:
        V.plan_visit(ui_clinic.store.conn, data, TODAY)
    text = visit_error_text(err.value)
    assert "settlement.ordinary.annual_cap_fen" in text and "settlement.ordinary.deductible_fen" in text


def test_boxes_scanned_on_a_drug_line_are_sold_with_their_trace_codes(qtbot: Any, form: Any) -> None:
    """Trial F1: the visit form takes the boxes' trace codes (a scanner types each and Enter); two scanned on a
    line of one box make it two boxes; a bad code is refused naming the field and the rule, nothing saved."""
    from ui.qt import Qt

    add(qtbot, form, AMLODIPINE)
    [line] = form.lines
    assert line.codes.isVisible()
    first, second = "81000010000000000001", "81000010000000000002"
    for code in (first, second):
        qtbot.keyClicks(line.codes, code)
        qtbot.keyClick(line.codes, Qt.Key.Key_Return)
    settled(qtbot, form)
    assert line.quantity.value() == 2 and line.trace_codes() == [first, second]
    assert form.visit_input().boxes == [(AMLODIPINE, first), (AMLODIPINE, second)]
    assert form.figures["total"].text() == "31.00"
    qtbot.keyClicks(line.codes, "123")  # a third code that cannot be one
    settled(qtbot, form)
    assert form.planned is None and "追溯码" in form.error.text() and "123" in form.error.text()
    line.codes.setText(f"{first} {second}")
    line.codes.textEdited.emit(line.codes.text())
    settled(qtbot, form)
    form.submit()
    qtbot.waitUntil(lambda: form.result_value is not None)
    saved = form.ctx.store.conn.execute(
        "SELECT trace_code FROM visit_line WHERE visit_id = ? AND kind = 'drug' ORDER BY line_no",
        (form.result_value.id,),
    ).fetchall()
    assert [r[0] for r in saved] == [first, second]
