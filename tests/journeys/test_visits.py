"""Outpatient visits on the 2,000-resident demo clinic (issue 14 points 3, 5, 7), as a village doctor clicks them:
the visit form opened from the residents page, its settlement changing as services and drugs are added (checked
against a hand computation from the demo's county parameters), saved, the receipt's print preview; a type-14 visit
from the chronic worklist, a refusal naming the field, the reversal (冲正) from the patient's visit list, and the
visit form from the 长处方 refill list."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from clinic_app.day_end import receipt_number
from clinic_app.demo import DEMO_POLICY
from tests.journeys.conftest import SHOT_DIR, Journey

SHOTS = Path(os.environ.get("VISIT_SHOTS") or SHOT_DIR)  # the window at 1366x768 with the dialog over it
CONSULT = "DEMO-110200001"  # 普通门诊诊查费（演示）10.00 yuan, class A
ECG = "DEMO-310701001"  # 心电图检查（演示）20.00 yuan, class B
MASSAGE = "DEMO-480000001"  # 中医推拿（演示）30.00 yuan, class C: not within the scheme
AMLODIPINE = "XC08CA01A0010101010001"  # 苯磺酸氨氯地平片 16.50 yuan a box, class A (甲)


def shot(journey: Journey, name: str, widget: Any) -> None:
    """The window as the person sees it at 1366x768, the dialog drawn over it where it stands (centred)."""
    from ui.qt import QPainter

    SHOTS.mkdir(parents=True, exist_ok=True)
    picture = journey.window.grab()
    over = widget.grab()
    painter = QPainter(picture)
    x = max(0, (picture.width() - over.width()) // 2)
    y = max(0, (picture.height() - over.height()) // 2)
    painter.drawPixmap(x, y, over)
    painter.end()
    picture.save(str(SHOTS / f"{name}.png"))
    journey.shot(f"visit-{name}", widget)


def figures(dialog: Any) -> dict[str, str]:
    return {name: label.text() for name, label in dialog.figures.items()}


def no_visits_this_year(journey: Journey, where: str = "1 = 1") -> dict[str, Any]:
    """A resident (with an 18-character ID number) with no visit this year: the year's use starts at nothing."""
    year = journey.today.year
    row = journey.store.conn.execute(
        "SELECT r.id, r.name, r.id_number FROM resident r WHERE r.deleted_at IS NULL AND length(r.id_number) = 18 "
        f"AND {where} AND NOT EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = r.id AND v.visit_date >= ?) "
        "ORDER BY r.id_number LIMIT 1",
        (f"{year}-01-01",),
    ).fetchone()
    assert row is not None
    return dict(row)


def add_by_code(journey: Journey, dialog: Any, code: str) -> None:
    """Type a code into the one search, wait for its hit, press Enter: the line is added and settled."""
    from ui.qt import Qt

    journey.type(dialog.search, code)
    journey.wait_until(lambda: any(hit["code"] == code for _kind, hit in dialog.hits))
    before = dialog.plans
    journey.key(dialog.search, Qt.Key.Key_Return)
    journey.wait_until(lambda: dialog.plans > before and not dialog.planning.running)


def set_quantity(journey: Journey, dialog: Any, code: str, quantity: int) -> None:
    from ui.qt import Qt

    line = next(line for line in dialog.lines if line.code == code)
    editor = line.quantity.lineEdit()
    before = dialog.plans
    line.quantity.setFocus()
    journey.key(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    journey.type(editor, str(quantity))
    journey.wait_until(lambda: line.quantity.value() == quantity)
    journey.wait_until(
        lambda: dialog.plans > before and not dialog.planning.running and not dialog.plan_again
    )


def wait_settled(journey: Journey, dialog: Any) -> None:
    journey.wait_until(
        lambda: dialog.planning is None or (not dialog.planning.running and not dialog.plan_again)
    )


def search_resident(journey: Journey, page: Any, id_number: str) -> None:
    from ui.qt import Qt

    journey.type(page.search, id_number)
    journey.key(page.search, Qt.Key.Key_Return)
    journey.wait_until(lambda: page.visit_button.isEnabled())


def preview_of_receipt(journey: Journey) -> Any:
    from ui.printing import PrintPreview

    preview = journey.dialog(PrintPreview, timeout=20_000)
    journey.wait_until(lambda: preview.rendered is not None and preview.preview_widget.pageCount() >= 1)
    return preview


def receipt_text(preview: Any, tmp: Path, name: str = "receipt-pdf") -> str:
    """The receipt as a PDF, read back as text (pdftotext), and drawn to a PNG beside the screenshots."""
    from ui.printing import write_pdf

    target = tmp / "receipt.pdf"
    write_pdf(preview.builder, target, preview.title, preview.footer)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-singlefile", str(target), str(SHOTS / name)],
            check=True,
        )
    if not shutil.which("pdftotext"):
        return ""
    return subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout


def visit_form_of_a_resident_without_disease(journey: Journey) -> tuple[Any, dict[str, Any], Any]:
    """居民 → a resident with no registered disease and no visit this year → 就诊…: (the page, the person, the
    visit form once it has read the patient's pools)."""
    from ui.visit_dialog import VisitDialog

    person = no_visits_this_year(
        journey, "NOT EXISTS (SELECT 1 FROM disease_registration g WHERE g.resident_id = r.id)"
    )
    page = journey.nav_to("residents")
    with journey.step("find the resident"):
        search_resident(journey, page, person["id_number"])
    with journey.step("click 就诊…"):
        journey.click(page.visit_button)
        dialog = journey.dialog(VisitDialog)
        journey.wait_until(lambda: dialog.pools_read)
    return page, person, dialog


def test_a_visit_from_the_residents_page_settles_live_and_prints_its_receipt(
    journey: Journey, tmp_path: Path
) -> None:
    from ui.qt import Qt

    # the demo's county parameters the hand computation uses (type 11: deductible 50.00, 55 %, cap 400.00)
    assert DEMO_POLICY["settlement.ordinary.deductible_fen"][0] == "5000"
    assert DEMO_POLICY["settlement.ordinary.ratio_pct"][0] == "55"
    assert DEMO_POLICY["settlement.ordinary.annual_cap_fen"][0] == "40000"
    page, person, dialog = visit_form_of_a_resident_without_disease(journey)
    assert dialog.who.text().startswith(person["name"])
    assert dialog.date.date().toString("yyyy-MM-dd") == journey.today.isoformat()
    assert (
        dialog.date.maximumDate().toString("yyyy-MM-dd") == journey.today.isoformat()
    )  # never in the future
    assert not dialog.chronic.isEnabled() and dialog.ordinary.isChecked()
    assert (
        dialog.why_not.isVisible() and "未登记任何慢病" in dialog.why_not.text()
    )  # says why 14 is not offered
    assert set(figures(dialog).values()) == {"—"}
    shot(journey, "dialog-empty", dialog)

    journey.type(dialog.diagnoses, "J06.900")
    with journey.step("add the consultation (10.00, class A)"):
        add_by_code(journey, dialog, CONSULT)
    # 10.00 within the scheme, all of it towards the 50.00 deductible: the fund pays nothing yet
    assert figures(dialog) == {
        "total": "10.00",
        "in_scheme": "10.00",
        "deductible": "10.00",
        "fund": "0.00",
        "patient": "10.00",
        "cap_left": "400.00",
    }
    with journey.step("add amlodipine (16.50 a box, class A)"):
        add_by_code(journey, dialog, AMLODIPINE)
    assert figures(dialog)["total"] == "26.50" and figures(dialog)["deductible"] == "26.50"
    assert figures(dialog)["fund"] == "0.00"
    with journey.step("four boxes of amlodipine"):
        set_quantity(journey, dialog, AMLODIPINE, 4)
    # 10.00 + 4 × 16.50 = 76.00 within the scheme; 50.00 deductible; 55 % of 26.00 = 14.30 from the fund
    assert figures(dialog) == {
        "total": "76.00",
        "in_scheme": "76.00",
        "deductible": "50.00",
        "fund": "14.30",
        "patient": "61.70",
        "cap_left": "385.70",
    }
    with journey.step("add massage (30.00, class C)"):
        add_by_code(journey, dialog, MASSAGE)
    # class C is the patient's: the total grows, the fund's share does not
    assert figures(dialog) == {
        "total": "106.00",
        "in_scheme": "76.00",
        "deductible": "50.00",
        "fund": "14.30",
        "patient": "91.70",
        "cap_left": "385.70",
    }
    assert "暂算" in dialog.state.text()
    assert dialog.height() <= 768 - 60  # on a 1366x768 laptop, with its title bar and the taskbar
    shot(journey, "dialog-lines", dialog)

    with journey.step("save with Ctrl+Enter: the receipt's preview opens"):
        journey.key(dialog.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        preview = preview_of_receipt(journey)
    assert not dialog.isVisible() and dialog.result_value is not None
    saved = journey.store.conn.execute(
        "SELECT total_fen, fund_fen, patient_fen, deductible_fen, cap_left_fen, provisional FROM visit WHERE id = ?",
        (dialog.result_value.id,),
    ).fetchone()
    assert tuple(saved) == (10600, 1430, 9170, 5000, 38570, 1)
    assert person["name"] in page.notice.text() and "91.70" in page.notice.text()
    assert preview.preview_widget.pageCount() == 1 and person["name"] in preview.windowTitle()
    shot(journey, "receipt-preview", preview)
    text = receipt_text(preview, tmp_path)
    if text:
        assert "门诊结算单" in text and person["name"] in text and "14.30" in text and "91.70" in text
        assert "暂算" in text
        day = journey.store.conn.execute(
            "SELECT visit_date FROM visit WHERE id = ?", (dialog.result_value.id,)
        ).fetchone()[0]
        assert receipt_number(dialog.result_value.id, day) in text  # the number the day end lists
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)


def qualified_row(journey: Journey, page: Any) -> tuple[int, int, dict[str, Any]]:
    """A patient on a chronic worklist qualified for type 14 for the list's disease today, with no visit this
    year: (tab, row, row data)."""
    conn = journey.store.conn
    for tab in range(page.tabs.count()):
        journey.click_tab(page.tabs, tab)
        which = page.shown()
        journey.wait_until(lambda which=which: which in page.read_once, timeout=20_000)
        model = page.models[which]
        for at in range(model.rowCount()):
            row = model.row_data(at)
            if which == "referrals":
                break
            ok = conn.execute(
                "SELECT 1 FROM disease_registration g WHERE g.resident_id = ? AND g.disease = ? "
                "AND g.qualification_status = 'approved' AND g.qualification_date <= ? AND g.deleted_at IS NULL "
                "AND NOT EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = g.resident_id AND v.visit_date >= ?)",
                (
                    row["resident_id"],
                    row["disease"],
                    journey.today.isoformat(),
                    f"{journey.today.year}-01-01",
                ),
            ).fetchone()
            if ok and row["disease"] == "hypertension":
                return tab, at, row
    raise AssertionError("no qualified hypertension patient on the chronic worklists")


def test_a_chronic_visit_from_the_worklist_a_refusal_and_its_reversal(
    journey: Journey, tmp_path: Path
) -> None:
    from ui.printing import PrintPreview
    from ui.visit_dialog import VisitDialog
    from ui.visit_list import CancelVisitDialog, VisitListDialog

    assert DEMO_POLICY["settlement.chronic.ratio_pct.hypertension"][0] == "70"
    assert DEMO_POLICY["settlement.chronic.annual_cap_fen.hypertension"][0] == "150000"
    page = journey.nav_to("followups")
    _tab, at, row = qualified_row(journey, page)
    with journey.step("pick the patient on the worklist"):
        journey.click_row(page.views[page.shown()], at)
        journey.wait_until(lambda: page.visit_button.isEnabled())
    with journey.step("click 就诊…"):
        journey.click(page.visit_button)
        dialog = journey.dialog(VisitDialog)
        journey.wait_until(lambda: dialog.pools_read)
    assert dialog.chronic.isChecked() and dialog.disease.currentData() == "hypertension"
    registered = journey.store.conn.execute(
        "SELECT icd_code FROM disease_registration WHERE resident_id = ? AND disease = 'hypertension'",
        (row["resident_id"],),
    ).fetchone()[0]
    assert dialog.diagnoses.text() == registered  # the registration's code, filled in

    with journey.step("type a diabetes code for a hypertension visit"):
        dialog.diagnoses.clear()
        journey.type(dialog.diagnoses, "E11.900")
        add_by_code(journey, dialog, CONSULT)
        wait_settled(journey, dialog)
    assert dialog.error.isVisible() and dialog.error.text().startswith("诊断：")
    assert set(figures(dialog).values()) == {"—"}
    shot(journey, "dialog-refusal", dialog)

    with journey.step("the hypertension code again"):
        dialog.diagnoses.clear()
        journey.type(dialog.diagnoses, "I10.x00")
        add_by_code(journey, dialog, ECG)
        wait_settled(journey, dialog)
    # type 14: no deductible; 70 % of 30.00 within the scheme = 21.00 from the fund; cap 1,500.00 less it
    assert not dialog.error.isVisible()
    assert figures(dialog) == {
        "total": "30.00",
        "in_scheme": "30.00",
        "deductible": "0.00",
        "fund": "21.00",
        "patient": "9.00",
        "cap_left": "1,479.00",
    }
    with journey.step("click 保存就诊"):
        journey.click(dialog.ok_button)
        preview = preview_of_receipt(journey)
    visit_id = dialog.result_value.id
    assert row["name"] in page.notice.text()
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)

    residents = journey.nav_to("residents")
    id_number = journey.store.conn.execute(
        "SELECT id_number FROM resident WHERE id = ?", (row["resident_id"],)
    ).fetchone()[0]
    with journey.step("find the patient, click 就诊记录…"):
        search_resident(journey, residents, id_number)
        journey.click(residents.visits_button)
        visits = journey.dialog(VisitListDialog)
        journey.wait_until(lambda: visits.loaded >= 1)
    assert visits.model.rowCount() == 1 and visits.selected()["id"] == visit_id
    assert visits.cancel_button.isEnabled()
    with journey.step("click 冲正…"):
        journey.click(visits.cancel_button)
        cancel = journey.dialog(CancelVisitDialog)
    with journey.step("no reason: refused naming the field"):
        journey.click(cancel.ok_button)
        journey.wait_until(lambda: cancel.error.isVisible())
    assert cancel.error.text() == "请填写冲正原因。" and cancel.ok_button.isEnabled()
    shot(journey, "reversal-noreason", cancel)
    journey.type(cancel.reason, "录入错误")
    loaded = visits.loaded
    with journey.step("cancel the visit with the reason"):
        journey.click(cancel.ok_button)
        journey.wait_until(lambda: visits.loaded > loaded)
    shown = visits.selected()
    assert shown is not None and shown["cancelled"] and shown["cancel_reason"] == "录入错误"
    status = visits.model.index(0, len(visits.model.columns) - 1).data()
    assert status.startswith("已冲正") and "录入错误" in status
    assert not visits.cancel_button.isEnabled()  # a visit is cancelled once
    assert "已冲正" in visits.notice.text() and row["name"] in visits.notice.text()
    shot(journey, "visit-list-reversed", visits)
    with journey.step("print the cancelled visit's receipt"):
        journey.click(visits.receipt_button)
        preview = journey.dialog(PrintPreview, timeout=20_000)
        journey.wait_until(lambda: preview.rendered is not None)
    text = receipt_text(preview, tmp_path, "receipt-cancelled-pdf")
    if text:
        assert "已冲正" in text and "录入错误" in text
    shot(journey, "receipt-cancelled", preview)
    with journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)
    held = journey.store.conn.execute(
        "SELECT reason FROM visit_cancel WHERE visit_id = ?", (visit_id,)
    ).fetchall()
    assert [r[0] for r in held] == ["录入错误"]
    visits.close()


def test_the_visit_form_from_the_refill_list_takes_the_prescriptions_drugs(journey: Journey) -> None:
    from tests.journeys.test_prescriptions import issue_for, stable_patients
    from ui.visit_dialog import VisitDialog

    patient = next(stable_patients(journey))
    issued = issue_for(journey, patient)  # amlodipine 5 mg once a day, 84 days: nothing dispensed yet
    page = journey.nav_to("prescriptions")
    view = page.views["refills"]
    journey.wait_until(lambda: page.models["refills"].row_of(issued["id"]) >= 0, timeout=20_000)
    with journey.step("pick the new prescription on the refill list"):
        journey.click_row(view, page.models["refills"].row_of(issued["id"]))
        journey.wait_until(lambda: page.visit_button.isEnabled())
    assert page.selected()["name"] == patient["name"]
    with journey.step("click 就诊…"):
        journey.click(page.visit_button)
        dialog = journey.dialog(VisitDialog)
        journey.wait_until(lambda: dialog.pools_read and dialog.lines)
        wait_settled(journey, dialog)
    assert dialog.who.text().startswith(patient["name"])
    # the next installment's 28 days of one tablet a day: one box of 28, 16.50 yuan
    assert [(line.code, line.quantity.value()) for line in dialog.lines] == [(AMLODIPINE, 1)]
    qualified = any(p.qualified and p.disease == "hypertension" for p in dialog.pools)
    assert dialog.chronic.isChecked() == qualified
    if qualified:  # type 14 at 70 %: 11.55 from the fund
        assert (figures(dialog)["total"], figures(dialog)["fund"]) == ("16.50", "11.55")
    dialog.reject()

    # the box handed out today: the visit of the refill list is that installment, its trace code on the line
    from clinic_app import rx_records as X
    from ui.qt import Qt

    code = "81000010000000000717"
    X.dispense(journey.store, journey.user, issued["id"], 28, [code], on=journey.today)
    journey.wait_until(lambda: page.models["refills"].row_of(issued["id"]) >= 0, timeout=20_000)
    with journey.step("pick it again and click 就诊…: today's installment is the drug line"):
        journey.click_row(view, page.models["refills"].row_of(issued["id"]))
        journey.wait_until(lambda: page.visit_button.isEnabled())
        journey.click(page.visit_button)
        dialog = journey.dialog(VisitDialog)
        journey.wait_until(lambda: dialog.pools_read and dialog.lines and dialog.dispensing_id is not None)
        wait_settled(journey, dialog)
    [line] = dialog.lines
    assert (line.code, line.quantity.value(), line.installment) == (AMLODIPINE, 1, True)
    assert not line.quantity.isEnabled() and not line.remove.isEnabled(), "the boxes are what was handed out"
    assert code in line.name.toolTip() and dialog.installment_note.isVisible()
    if not dialog.diagnoses.text().strip():
        journey.type(dialog.diagnoses, "I10")
        wait_settled(journey, dialog)
    with journey.step("save with Ctrl+Enter"):
        journey.key(dialog.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: dialog.result_value is not None)
    saved = journey.store.conn.execute(
        "SELECT code, quantity, trace_code FROM visit_line WHERE visit_id = ? AND kind = 'drug'",
        (dialog.result_value.id,),
    ).fetchall()
    assert [tuple(r) for r in saved] == [(AMLODIPINE, 1, code)], "drug_trac_codg of the export"
    if dialog.receipt is not None:
        preview = preview_of_receipt(journey)
        with journey.step("close the receipt's preview"), journey.qtbot.waitSignal(preview.finished):
            journey.click(preview.close_button)


def test_a_box_dispensed_first_is_on_the_day_end_and_billed_by_the_visit_from_the_residents_page(
    journey: Journey,
) -> None:
    """Trial F2: 发药 charges nothing by itself and the row leaves the refill list; the 日结 then says the box is on
    no visit, and 就诊… opened from the 居民 page bills that installment, its trace code on the line."""
    from clinic_app import rx_records as X
    from tests.journeys.test_prescriptions import issue_for, stable_patients
    from ui.qt import Qt
    from ui.visit_dialog import VisitDialog

    patient = next(stable_patients(journey))
    issued = issue_for(journey, patient)
    code = "81000010000000000718"
    X.dispense(journey.store, journey.user, issued["id"], 28, [code], on=journey.today)

    reports = journey.nav_to("reports")
    view = reports.day_end
    with journey.step("click the 日结 tab: the box given out is said to be on no visit"):
        journey.click_tab(reports.tabs, reports.tabs.indexOf(view))
        journey.wait_until(lambda: view.report is not None and not view.reads.running)
    assert view.unbilled.isVisible() and patient["name"] in view.unbilled.text()
    assert "16.50" in view.unbilled.text() and "未收费" in view.unbilled.text()
    journey.shot("day-end-unbilled", widget=journey.window)

    page = journey.nav_to("residents")
    with journey.step("居民: find the patient, click 就诊…: today's box is the drug line"):
        search_resident(journey, page, patient["id_number"])
        journey.click(page.visit_button)
        dialog = journey.dialog(VisitDialog)
        journey.wait_until(lambda: dialog.pools_read and dialog.lines and dialog.dispensing_id is not None)
        wait_settled(journey, dialog)
    [line] = dialog.lines
    assert (line.code, line.quantity.value(), line.installment) == (AMLODIPINE, 1, True)
    assert code in line.name.toolTip() and dialog.installment_note.isVisible()
    shot(journey, "dialog-unbilled-box", dialog)
    if not dialog.diagnoses.text().strip():
        journey.type(dialog.diagnoses, "I10")
        wait_settled(journey, dialog)
    with journey.step("save with Ctrl+Enter"):
        journey.key(dialog.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: dialog.result_value is not None)
    saved = journey.store.conn.execute(
        "SELECT code, trace_code FROM visit_line WHERE visit_id = ? AND kind = 'drug'",
        (dialog.result_value.id,),
    ).fetchall()
    assert [tuple(r) for r in saved] == [(AMLODIPINE, code)]
    if dialog.receipt is not None:
        preview = preview_of_receipt(journey)
        with journey.step("close the receipt's preview"), journey.qtbot.waitSignal(preview.finished):
            journey.click(preview.close_button)
    reports = journey.nav_to("reports")
    with journey.step("back to 日结: nothing of the patient is left unbilled"):
        journey.wait_until(lambda: view.report is not None and not view.reads.running)
        journey.wait_until(lambda: all(u["name"] != patient["name"] for u in view.report["unbilled"]))
    assert patient["name"] not in view.unbilled.text()


def test_boxes_sold_at_the_desk_are_scanned_on_their_drug_line(journey: Journey) -> None:
    """Trial F1: 居民 → 就诊… → a drug added → its boxes scanned into the line's 追溯码 field (the scanner types the
    code and Enter): the second scan makes the line two boxes; saved, each box is a line with its code
    (drug_trac_codg)."""
    from ui.qt import Qt

    _page, _person, dialog = visit_form_of_a_resident_without_disease(journey)
    journey.type(dialog.diagnoses, "J06.900")
    with journey.step("add amlodipine by its code"):
        add_by_code(journey, dialog, AMLODIPINE)
    [line] = dialog.lines
    codes = ["81000010000000000731", "81000010000000000732"]
    for code in codes:
        with journey.step(f"scan {code} into the line's trace codes"):
            line.codes.setFocus()
            journey.type(line.codes, code)
            journey.key(line.codes, Qt.Key.Key_Return)
            wait_settled(journey, dialog)
    assert line.quantity.value() == 2 and figures(dialog)["total"] == "33.00"
    shot(journey, "dialog-trace-codes", dialog)
    with journey.step("save with Ctrl+Enter"):
        journey.key(dialog.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        journey.wait_until(lambda: dialog.result_value is not None)
    saved = journey.store.conn.execute(
        "SELECT trace_code, quantity FROM visit_line WHERE visit_id = ? AND kind = 'drug' ORDER BY line_no",
        (dialog.result_value.id,),
    ).fetchall()
    assert [tuple(r) for r in saved] == [(codes[0], 1), (codes[1], 1)]
    if dialog.receipt is not None:
        preview = preview_of_receipt(journey)
        with journey.step("close the receipt's preview"), journey.qtbot.waitSignal(preview.finished):
            journey.click(preview.close_button)


def test_a_fast_typist_gets_what_is_typed_now_and_services_by_initials(journey: Journey) -> None:
    """The trial's steps (F12, F13, F14): a drug searched, the field cleared, a code typed and Enter at once adds
    the code's service, never the drug shown before; 心电图 found by its initials; Ctrl+Enter at once after the
    type changes saves what the panel then shows."""
    from ui.qt import Qt

    _page, _person, dialog = visit_form_of_a_resident_without_disease(journey)
    journey.type(dialog.diagnoses, "J06.900")
    with journey.step("search ejsg (二甲双胍), wait for its hits"):
        journey.type(dialog.search, "ejsg")
        journey.wait_until(lambda: not dialog.searching and len(dialog.hits) > 0)
    assert all(kind == "drug" and "二甲双胍" in hit["name"] for kind, hit in dialog.hits)
    with journey.step("clear the field: the hits go with the text"):
        dialog.search.selectAll()
        journey.key(dialog.search, Qt.Key.Key_Backspace)
    assert dialog.hits == [] and dialog.results.count() == 0
    with journey.step("type the consultation's code and Enter at once"):
        journey.type(dialog.search, CONSULT)
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: len(dialog.lines) == 1)
        wait_settled(journey, dialog)
    assert [(line.kind, line.code) for line in dialog.lines] == [("service", CONSULT)]
    with journey.step("type xdt (心电图) and Enter at once"):
        journey.type(dialog.search, "xdt")
        journey.key(dialog.search, Qt.Key.Key_Return)
        journey.wait_until(lambda: len(dialog.lines) == 2)
        wait_settled(journey, dialog)
    assert [(line.kind, line.code) for line in dialog.lines] == [("service", CONSULT), ("service", ECG)]
    assert figures(dialog)["total"] == "30.00"
    shot(journey, "dialog-fast-enter", dialog)
    with journey.step("save with Ctrl+Enter right after a change: saved once its settlement is shown"):
        dialog.lines[1].quantity.setValue(2)  # 50.00: the deductible is met, the fund pays 0.00 still
        journey.key(dialog.search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        preview = preview_of_receipt(journey)
    assert dialog.result_value is not None and dialog.result_value.total_fen == 5000
    assert figures(dialog)["total"] == "50.00"  # what the panel showed when it was saved
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)
