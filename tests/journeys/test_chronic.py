"""The 慢病随访 page as a village doctor uses it on the 2,000-resident demo clinic (issue 12 points 5, 6, 12):
registering a patient (a refused code first), a follow-up whose classification changes on screen as the BP is
typed and is saved with Enter, an override of the classification refused without a reason, a referral
followed up, the overdue list worked (a call outcome takes the row off the list) and the patient's chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from clinic_app import chronic as K
from clinic_app import chronic_records as R
from clinic_app.idcard import age_on
from tests.journeys.conftest import Journey
from ui.followup_print import VISITS_PER_SHEET

OVERDUE, REFERRALS = 1, 2


def _qt() -> Any:
    from ui.qt import Qt

    return Qt


def cell(view: Any, row: int, column: str) -> str:
    model = view.model()
    names = [c.name for c in model.columns]
    return str(model.data(model.index(row, names.index(column))))


def open_page(journey: Journey, tab: int = 0) -> Any:
    with journey.step("open the 慢病随访 page"):
        page = journey.nav_to("followups")
        journey.wait_until(lambda: page.models["due"].rowCount() > 0)
    if tab:
        with journey.step(f"click the tab {tab}"):
            journey.click_tab(page.tabs, tab)
            journey.wait_until(lambda: page.models[page.shown()].rowCount() > 0)
    return page


def shot(journey: Journey, widget: Any, name: str) -> None:
    journey.qtbot.wait(50)  # the layout of what just appeared is done before the grab
    journey.shot(name, widget=widget)


def pick_row(journey: Journey, page: Any, test: Any) -> tuple[int, dict[str, Any]]:
    """Click the first row of the list shown that passes ``test``, as a person picks it."""
    which = page.shown()
    model, view = page.models[which], page.views[which]
    for row in range(model.rowCount()):
        data = model.row_data(row)
        if test(data):
            journey.click_row(view, row)
            journey.wait_until(lambda: page.selected() is not None)
            return row, data
    raise AssertionError(f"no row of {which} fits")


def test_register_a_patient_after_a_refused_code(journey: Journey) -> None:
    from ui.chronic_dialogs import RegisterDialog

    conn, today = journey.store.conn, journey.today
    person = next(
        dict(r)
        for r in conn.execute(
            "SELECT r.id, r.name, r.id_number, r.birth_date FROM resident r WHERE NOT EXISTS "
            "(SELECT 1 FROM disease_registration g WHERE g.resident_id = r.id) ORDER BY r.id"
        )
        if age_on(r["birth_date"], today) >= 40
    )
    page = open_page(journey)
    journey.shot("chronic-page")
    with journey.step("click 登记慢病患者…"):
        journey.click(page.register_button)
        dialog = journey.dialog(RegisterDialog)
    with journey.step("type the ID number and press Enter"):
        journey.type(dialog.finder, person["id_number"])
        journey.key(dialog.finder, _qt().Key.Key_Return)
        journey.wait_until(lambda: dialog.found.text())
    assert dialog.found.text().startswith(f"{person['name']} · {age_on(person['birth_date'], today)} 岁")
    with journey.step("type the secondary hypertension code I15 and click 登记"):
        journey.type(dialog.icd, "I15")
        journey.click(dialog.ok_button)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "I15 为继发性高血压，不纳入管理：请转诊至上级医院。"
    shot(journey, dialog, "chronic-register-refused")
    with journey.step("correct the code to I10 and register"):
        dialog.icd.clear()
        journey.type(dialog.icd, "I10")
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
    assert page.notice.text() == f"✓ 已为 {person['name']} 登记高血压：待首次随访。"
    assert page.tabs.currentIndex() == 0, "the due list is shown: a new patient is due today"
    due = page.views["due"]
    journey.wait_until(lambda: due.current_key() is not None)
    assert cell(due, due.currentIndex().row(), "name") == person["name"]
    assert cell(due, due.currentIndex().row(), "last") == "从未"
    assert R.registration(conn, person["id"], "hypertension")["icd_code"] == "I10"


def test_a_follow_up_whose_classification_changes_as_the_bp_is_typed(journey: Journey) -> None:
    from ui.followup_dialog import FollowupDialog

    conn, today = journey.store.conn, journey.today
    page = open_page(journey, OVERDUE)
    overdue = page.models["overdue"]
    before = overdue.rowCount()

    def young_hypertensive(row: dict[str, Any]) -> bool:
        born = conn.execute("SELECT birth_date FROM resident WHERE id = ?", (row["resident_id"],)).fetchone()[
            0
        ]
        return row["disease"] == "hypertension" and age_on(born, today) < 60

    _row, patient = pick_row(journey, page, young_hypertensive)
    with journey.step("press Enter on the overdue patient"):
        journey.key(page.views["overdue"], _qt().Key.Key_Return)
        form = journey.dialog(FollowupDialog)
    assert form.fields["sbp_1"].hasFocus(), "the cursor waits in the first reading"
    assert form.classification.text() == "请填写血压，分类随之显示。"
    with journey.step("type 135, Tab, 85"):
        journey.type(form.fields["sbp_1"], "135")
        journey.key(form.fields["sbp_1"], _qt().Key.Key_Tab)
        assert form.fields["dbp_1"].hasFocus(), "Tab goes on to the diastolic pressure, as on the paper form"
        journey.qtbot.keyClicks(form.fields["dbp_1"], "85")
        journey.key(form.fields["dbp_1"], _qt().Key.Key_Tab)
        assert form.fields["sbp_2"].hasFocus(), "then the second reading"
    routine = (today + dt.timedelta(days=90)).isoformat()
    assert form.classification.text() == f"控制满意 · 下次随访 {routine} 前"
    assert form.referral.text() == "无"
    with journey.step("retype the systolic pressure as 150"):
        form.fields["sbp_1"].selectAll()
        journey.type(form.fields["sbp_1"], "150")
    assert form.classification.text().startswith("控制不满意 · 下次随访 ")
    shot(journey, form, "chronic-followup-form")
    with journey.step("retype it as 185: an emergency"):
        form.fields["sbp_1"].selectAll()
        journey.type(form.fields["sbp_1"], "185")
    assert form.referral.text().startswith("紧急转诊：血压达到急症水平（≥180/110 mmHg）")
    with journey.step("retype 350: refused naming the field and the range"):
        form.fields["sbp_1"].selectAll()
        journey.type(form.fields["sbp_1"], "350")
    assert form.classification.text() == "收缩压：350 超出合理范围 70–300 mmHg。"
    with journey.step("retype 150 and press Enter to save"):
        form.fields["sbp_1"].selectAll()
        journey.type(form.fields["sbp_1"], "150")
        journey.key(form.fields["dbp_1"], _qt().Key.Key_Return)
        journey.wait_until(lambda: not form.isVisible())
        journey.wait_until(lambda: overdue.row_of(patient["registration_id"]) < 0)
    assert page.notice.text().startswith(f"✓ 已记录 {patient['name']} 的随访：控制不满意，下次随访 ")
    assert overdue.rowCount() == before - 1, "the patient left the overdue list"
    saved = R.history(conn, patient["resident_id"], "hypertension")[0]
    assert (saved["visit_date"], saved["sbp"], saved["dbp"], saved["classification"]) == (
        today.isoformat(),
        150,
        85,
        "uncontrolled",
    )


def test_an_override_of_the_classification_is_refused_without_a_reason(journey: Journey) -> None:
    from ui.followup_dialog import FollowupDialog

    conn = journey.store.conn
    page = open_page(journey)
    _row, patient = pick_row(journey, page, lambda r: r["disease"] == "hypertension")
    visits = len(R.history(conn, patient["resident_id"], "hypertension"))
    with journey.step("press Enter on a patient due this week"):
        journey.key(page.views["due"], _qt().Key.Key_Return)
        form = journey.dialog(FollowupDialog)
    with journey.step("type 150/95"):
        journey.type(form.fields["sbp_1"], "150")
        journey.type(form.fields["dbp_1"], "95")
    assert form.classification.text().startswith("控制不满意")
    with journey.step("choose 控制满意 as the doctor's classification"):
        form.override.setFocus()
        journey.key(form.override, _qt().Key.Key_Down)
    assert form.override.currentText() == "控制满意"
    assert form.classification.text().startswith("控制满意（医生判定；按规则为控制不满意）")
    with journey.step("click 保存 without a reason"):
        journey.click(form.save_button)
        journey.wait_until(form.error.isVisible)
    assert form.error.text() == "更改随访分类须填写原因（原因将记录在案）。"
    assert form.isVisible() and len(R.history(conn, patient["resident_id"], "hypertension")) == visits, (
        "nothing saved"
    )
    shot(journey, form, "chronic-override-refused")
    with journey.step("type the reason and save"):
        journey.type(form.override_reason, "家庭自测血压连续一周正常，诊室血压偏高")
        journey.click(form.save_button)
        journey.wait_until(lambda: not form.isVisible())
    assert "控制满意" in page.notice.text()
    saved = R.history(conn, patient["resident_id"], "hypertension")[0]
    assert (saved["classification"], saved["classification_rule"], saved["override_reason"]) == (
        "controlled",
        "uncontrolled",
        "家庭自测血压连续一周正常，诊室血压偏高",
    )


def test_a_referral_not_followed_up_in_14_days_is_followed_up(journey: Journey) -> None:
    from ui.chronic_dialogs import ReferralFollowupDialog

    conn = journey.store.conn
    page = open_page(journey, REFERRALS)
    model = page.models["referrals"]
    _row, referral = pick_row(journey, page, lambda r: r["days_overdue"] > 0)
    journey.shot("chronic-referrals")
    with journey.step("click 转诊随访…"):
        journey.click(page.referral_button)
        dialog = journey.dialog(ReferralFollowupDialog)
    with journey.step("click 保存 without the outcome"):
        journey.click(dialog.ok_button)
        journey.wait_until(dialog.error.isVisible)
    assert dialog.error.text() == "请填写转诊结果。"
    with journey.step("type the outcome and save"):
        journey.type(dialog.outcome, "县人民医院心内科就诊，调整降压方案")
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: model.row_of(referral["referral_id"]) < 0)
    assert page.notice.text() == f"✓ 已记录 {referral['name']} 的转诊随访。"
    held = R.get_referral(conn, referral["referral_id"])
    assert (held["status"], held["arrived"], held["outcome"]) == (
        "followed_up",
        1,
        "县人民医院心内科就诊，调整降压方案",
    )


def test_the_overdue_list_worked_a_call_outcome_removes_the_row(journey: Journey) -> None:
    from ui.chronic_dialogs import ContactDialog

    conn, today = journey.store.conn, journey.today
    page = open_page(journey, OVERDUE)
    overdue = page.models["overdue"]
    before = overdue.rowCount()
    assert before > 10 and all(int(cell(page.views["overdue"], r, "days_overdue")) > 0 for r in range(before))
    _row, first = pick_row(journey, page, lambda r: True)
    with journey.step("click 记录联系结果…"):
        journey.click(page.contact_button)
        dialog = journey.dialog(ContactDialog)
    assert dialog.buttons["agreed"].isChecked() and dialog.day.isEnabled()
    shot(journey, dialog, "chronic-call-outcome")
    with journey.step("reached, a date agreed: save"):
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: overdue.row_of(first["registration_id"]) < 0)
    assert overdue.rowCount() == before - 1
    assert page.notice.text() == f"✓ 已记录与 {first['name']} 的联系：已联系，约定随访日期。"
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert R.get_registration(conn, first["registration_id"])["recall_on"] == tomorrow
    _row, second = pick_row(journey, page, lambda r: True)
    with journey.step("the next patient died: record it"):
        journey.click(page.contact_button)
        dialog = journey.dialog(ContactDialog)
        journey.click(dialog.buttons["died"])
        assert dialog.buttons["died"].isChecked() and not dialog.day.isEnabled()
        journey.type(dialog.note, "家属告知2周前去世")
        journey.click(dialog.ok_button)
        journey.wait_until(lambda: not dialog.isVisible())
        journey.wait_until(lambda: overdue.row_of(second["registration_id"]) < 0)
    assert overdue.rowCount() == before - 2
    held = R.get_registration(conn, second["registration_id"])
    assert (held["management"], held["management_end_reason"]) == ("terminated", "died: 家属告知2周前去世")
    with journey.step("click the 本周应随访 tab: the first patient is due tomorrow"):
        journey.click_tab(page.tabs, 0)
        journey.wait_until(lambda: page.models["due"].row_of(first["registration_id"]) >= 0)


def test_the_patient_chart_shows_the_trends_with_target_lines_and_every_visit(journey: Journey) -> None:
    from ui.chronic_chart import PatientChart

    conn, today = journey.store.conn, journey.today
    page = open_page(journey, OVERDUE)
    _row, patient = pick_row(journey, page, lambda r: r["disease"] == "hypertension")
    with journey.step("click 患者档案…"):
        journey.click(page.chart_button)
        chart = journey.dialog(PatientChart)
        journey.wait_until(lambda: chart.drawn)
    visits = R.history(conn, patient["resident_id"])
    assert chart.history.rowCount() == len(visits) == int(chart.visits_label.text().split(" ")[1])
    assert chart.head.text().startswith(patient["name"])
    assert "高血压" in chart.details.text() and "当前用药：" in chart.details.text()
    born = conn.execute("SELECT birth_date FROM resident WHERE id = ?", (patient["resident_id"],)).fetchone()[
        0
    ]
    target = K.BP_TARGET_ELDERLY if age_on(born, today) >= K.ELDERLY_AGE else K.BP_TARGET
    assert [line.value() for line in chart.bp_chart.targets] == [float(target[0]), float(target[1])]
    assert len(chart.bp_chart.lines) == 2, "systolic and diastolic"
    first = chart.history.row_data(0)
    assert cell(chart.view, 0, "class").startswith(
        {"controlled": "控制满意", "uncontrolled": "控制不满意"}.get(first["classification"], "")
    )
    chart.resize(1366, 740)
    shot(journey, chart, "chronic-chart")


def test_print_the_follow_up_record_four_visits_a_sheet_through_the_preview(journey: Journey) -> None:
    from ui.printing import PrintPreview

    conn = journey.store.conn
    page = open_page(journey, OVERDUE)
    _row, patient = pick_row(
        journey, page, lambda r: len(R.history(conn, r["resident_id"], r["disease"])) > VISITS_PER_SHEET
    )
    visits = R.history(conn, patient["resident_id"], patient["disease"])
    with journey.step("click 打印随访记录…"):
        journey.click(page.print_button)
        preview = journey.dialog(PrintPreview)
        journey.wait_until(lambda: preview.preview_widget.pageCount() > 0)
    sheets = -(-len(visits) // VISITS_PER_SHEET)
    assert preview.preview_widget.pageCount() == sheets, "four visits to a sheet, each sheet one A4 page"
    assert preview.suggested_name.startswith(f"随访记录-{patient['name']}-")
    shot(journey, preview, "chronic-print-preview")


def test_todays_home_round_printed_by_village_and_household_and_saved_as_excel(
    journey: Journey, documents: Path
) -> None:
    from openpyxl import load_workbook

    from clinic_app import chronic_round as H
    from ui.printing import PrintPreview
    from ui.qt import QFileDialog, QLineEdit

    conn, clinic, today = journey.store.conn, journey.store.clinic_id, journey.today
    expected = H.round_rows(conn, clinic, today)
    assert len(expected) > 10 and None not in {r["village"] for r in expected}
    page = open_page(journey)
    with journey.step("click 打印今日上门随访清单…"):
        journey.click(page.round_button)
        preview = journey.dialog(PrintPreview)
        journey.wait_until(lambda: preview.preview_widget.pageCount() > 0)
    assert preview.suggested_name == f"上门随访清单-{today.isoformat()}.pdf"
    shot(journey, preview, "chronic-home-round")
    with journey.step("close the preview"):
        journey.click(preview.close_button)
        journey.wait_until(lambda: not preview.isVisible())
    with journey.step("click 上门随访清单导出 Excel…"):
        journey.click(page.round_excel_button)
        chooser = journey.dialog(QFileDialog)
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name_box.text() == f"上门随访清单 {today.isoformat()}.xlsx"
    with journey.step("accept the name offered"):
        journey.key(name_box, _qt().Key.Key_Return)
        journey.wait_until(lambda: page.notice.text())
    target = documents / f"上门随访清单 {today.isoformat()}.xlsx"
    assert page.notice.text() == f"✓ 今日上门随访清单（{len(expected)} 人次）已保存到 {target}。"
    sheet = load_workbook(target).active
    written = list(sheet.iter_rows(values_only=True))[1:]
    assert [(r[0], r[3]) for r in written] == [(r["village"], r["name"]) for r in expected]


def test_tab_goes_through_the_form_in_the_paper_forms_order(journey: Journey) -> None:
    from ui.followup_dialog import FollowupDialog
    from ui.qt import QApplication

    page = open_page(journey)
    for disease in ("hypertension", "diabetes"):
        pick_row(journey, page, lambda r, d=disease: r["disease"] == d)
        with journey.step(f"press Enter on a {disease} patient"):
            journey.key(page.views["due"], _qt().Key.Key_Return)
            form = journey.dialog(FollowupDialog)
        form.visit_date.setFocus()
        seen = [QApplication.focusWidget()]
        for _ in range(len(form.order) - 1):
            journey.key(QApplication.focusWidget(), _qt().Key.Key_Tab)
            seen.append(QApplication.focusWidget())
        assert seen == form.order, disease
        labels = [w.objectName() for w in seen if w.objectName()]
        paper = ["sbp_1", "dbp_1", "sbp_2", "dbp_2", "weight", "target_weight", "height"]
        assert labels[: len(paper)] == paper
        assert (
            labels.index("cigarettes_per_day")
            < labels.index("auxiliary_exam")
            < labels.index("override_reason")
        )
        with journey.step("Escape closes the form"):
            journey.key(form, _qt().Key.Key_Escape)
            journey.wait_until(form.isHidden)


def test_enter_pressed_twice_opens_one_follow_up_form_whole(journey: Journey) -> None:
    """The form is built a section a turn of the event loop and shown when whole: a second Enter pressed while it
    is being built opens no second form, and the form shown has every field, the cursor in the first reading."""
    from ui.followup_dialog import FollowupDialog
    from ui.qt import QApplication

    page = open_page(journey)
    _row, patient = pick_row(journey, page, lambda r: r["disease"] == "hypertension")
    with journey.step("press Enter twice on a patient"):
        journey.key(page.views["due"], _qt().Key.Key_Return)
        journey.key(page.views["due"], _qt().Key.Key_Return)
        form = journey.dialog(FollowupDialog)
        journey.qtbot.wait(100)
    forms = [w for w in QApplication.topLevelWidgets() if isinstance(w, FollowupDialog) and w.isVisible()]
    assert forms == [form], "one form"
    assert form.windowTitle() == f"{patient['name']} 的随访（高血压）"
    assert form.fields["sbp_1"].hasFocus(), "the cursor waits in the first reading"
    assert form.save_button.isVisible() and form.signature.isVisible(), "the whole form is shown"
    assert form.classification.text() == "请填写血压，分类随之显示。"


def test_the_patient_chart_names_the_long_term_prescriptions_and_opens_their_history(
    journey: Journey,
) -> None:
    """Issue 13 point 5: the history of a patient's drugs on the chart of the chronic-care job."""
    from clinic_app import rx_records as X
    from ui.chronic_chart import PatientChart
    from ui.rx_dialogs import HistoryDialog

    conn, today = journey.store.conn, journey.today

    def in_force(resident_id: str) -> list[dict[str, Any]]:
        return [
            rx
            for rx in X.drug_history(conn, resident_id)
            if rx["status"] != "stopped" and rx["valid_until"] >= today.isoformat()
        ]

    page = open_page(journey)
    for tab in range(page.tabs.count()):
        if tab:
            with journey.step(f"click the tab {tab}"):
                journey.click_tab(page.tabs, tab)
                journey.wait_until(lambda: page.models[page.shown()].rowCount() > 0)
        rows = [page.models[page.shown()].row_data(i) for i in range(page.models[page.shown()].rowCount())]
        if any(in_force(r["resident_id"]) for r in rows):
            break
    _row, patient = pick_row(journey, page, lambda r: bool(in_force(r["resident_id"])))
    live = in_force(patient["resident_id"])
    with journey.step("click 患者档案…"):
        journey.click(page.chart_button)
        chart = journey.dialog(PatientChart)
        journey.wait_until(lambda: chart.drawn)
    line = next(t for t in chart.details.text().split("\n") if t.startswith("长期处方："))
    for rx in live:
        assert (
            rx["items"][0]["drug_name"] in line and f"{rx['days']} 天" in line and rx["valid_until"] in line
        )
    assert chart.drugs_button.isVisible() and chart.drugs_button.isEnabled()
    with journey.step("click 用药史…: every prescription with its installments"):
        journey.click(chart.drugs_button)
        history = journey.dialog(HistoryDialog)
        journey.wait_until(lambda: history.loaded)
    shown = history.text.toPlainText()
    everything = X.drug_history(conn, patient["resident_id"])
    assert patient["name"] in shown and history.chosen.count() == len(everything)
    for rx in everything:
        assert rx["issued_on"] in shown
        if rx["status"] != "stopped" and rx["valid_until"] < today.isoformat():
            assert f"已过期 · 有效期至 {rx['valid_until']}" in shown  # past its validity it is not 有效
        for d in rx["installments"]:
            assert d["dispensed_on"] in shown
    history.resize(900, 600)
    shot(journey, history, "chronic-chart-drug-history")
    with journey.step("close the drug history"):
        history.accept()
    chart.resize(1366, 740)
    shot(journey, chart, "chronic-chart-prescriptions")
