"""Correcting a follow-up as a village doctor does it on the demo clinic (issue 12 points 2 and 10): in the
patient's chart the newest visit is selected and 更正… clicked; the follow-up form opens filled in with that
visit; saving without the 更正原因 is refused naming the field; with it, the chart shows the old visit marked
已更正 (who, when, why) beside the correction, classified afresh; a corrected visit cannot be corrected again."""

from __future__ import annotations

from typing import Any

from clinic_app import chronic_records as R
from tests.journeys.conftest import Journey
from tests.journeys.test_chronic import OVERDUE, cell, open_page, pick_row, shot

REASON = "血压录错，重新核对"
# the reading typed in the correction: the other side of the target, so the classification changes
RETYPED = {"uncontrolled": ("128", "78", "控制满意"), "controlled": ("166", "98", "控制不满意")}
WORDS = {"uncontrolled": "控制不满意", "controlled": "控制满意"}


def followups(journey: Journey) -> int:
    return int(journey.store.conn.execute("SELECT count(*) FROM followup").fetchone()[0])


def test_a_visit_corrected_from_the_chart_shows_as_corrected_with_the_correction_beside_it(
    journey: Journey,
) -> None:
    from ui.chronic_chart import PatientChart
    from ui.followup_dialog import FollowupDialog

    conn = journey.store.conn

    def measured_at_the_clinic(row: dict[str, Any]) -> bool:
        return (
            row["disease"] == "hypertension"
            and row["classification"] in RETYPED
            and row["visit_mode"] == "clinic"
            and row["sbp"] is not None
            and len(R.registrations(conn, row["resident_id"])) == 1
        )

    page = open_page(journey, OVERDUE)
    _row, patient = pick_row(journey, page, measured_at_the_clinic)
    newest = R.history(conn, patient["resident_id"])[0]
    sbp, dbp, now = RETYPED[newest["classification"]]
    was = WORDS[newest["classification"]]
    with journey.step("click 患者档案…"):
        journey.click(page.chart_button)
        chart = journey.dialog(PatientChart)
        journey.wait_until(lambda: chart.drawn)
    visits = chart.history.rowCount()
    assert chart.correct_button.text() == "更正…"
    assert not chart.correct_button.isEnabled(), "nothing selected yet"
    with journey.step("click the newest visit"):
        journey.click_row(chart.view, 0)
        journey.wait_until(chart.correct_button.isEnabled)
    assert chart.history.row_data(0)["id"] == newest["id"]
    with journey.step("click 更正…"):
        journey.click(chart.correct_button)
        form = journey.dialog(FollowupDialog)
    assert form.windowTitle().startswith(f"更正 {patient['name']} 的随访")
    assert form.corrected_note is not None and newest["visit_date"] in form.corrected_note.text()
    assert form.visit_date.date().toString("yyyy-MM-dd") == newest["visit_date"]
    assert form.fields["sbp_1"].text() == str(newest["sbp_1"]), "the form holds the visit as recorded"
    assert form.fields["dbp_1"].text() == str(newest["dbp_1"])
    assert form.classification.text().startswith(f"{was} ·")
    with journey.step(f"retype the reading as {sbp}/{dbp}"):
        form.fields["sbp_1"].selectAll()
        journey.type(form.fields["sbp_1"], sbp)
        form.fields["dbp_1"].selectAll()
        journey.type(form.fields["dbp_1"], dbp)
        for name in ("sbp_2", "dbp_2"):
            form.fields[name].clear()
    assert form.classification.text().startswith(f"{now} ·"), "classified afresh as it is typed"
    before = followups(journey)
    with journey.step("click 保存 without the correction reason"):
        journey.click(form.save_button)
        journey.wait_until(form.error.isVisible)
    assert form.error.text() == "更正原因：必填。"
    assert form.isVisible() and followups(journey) == before, "nothing saved"
    assert form.correction_reason is not None and form.correction_reason.hasFocus()
    shot(journey, form, "followup-correct-refused")
    with journey.step("type the reason and save"):
        journey.type(form.correction_reason, REASON)
        journey.click(form.save_button)
        journey.wait_until(lambda: not form.isVisible())
        journey.wait_until(lambda: chart.drawn and chart.history.rowCount() == visits + 1)
    assert followups(journey) == before + 1
    correction, old = chart.history.row_data(0), chart.history.row_data(1)
    assert (old["id"], correction["supersedes"]) == (newest["id"], newest["id"])
    assert cell(chart.view, 0, "record") == "更正" and cell(chart.view, 1, "record") == "已更正"
    assert cell(chart.view, 0, "bp") == f"{sbp}/{dbp}" and cell(chart.view, 0, "class").startswith(now)
    assert cell(chart.view, 1, "class") == was, "the old record stays as it was"
    said = cell(chart.view, 1, "correction")
    assert said.endswith(f"由 {journey.user.display_name} 更正：{REASON}")
    assert cell(chart.view, 0, "correction") == f"更正此前的记录：{REASON}"
    assert chart.visits_label.text().endswith("（另有 1 条已更正的记录，已标明）")
    assert chart.view.current_key() == correction["id"], "the correction is selected"
    assert chart.correct_button.isEnabled(), "the newest record can be corrected"
    chart.resize(1366, 740)
    shot(journey, chart, "followup-corrected-chart")
    with journey.step("click the corrected visit"):
        journey.click_row(chart.view, 1)
        journey.wait_until(lambda: not chart.correct_button.isEnabled())
    assert chart.correct_button.toolTip() == "此记录已被更正：请更正最新的那条。"
    assert chart.correction_note.text() == f"已更正：{said}", "who, when and why, under the list"
    held = R.history(conn, patient["resident_id"])[0]
    assert (held["id"], held["sbp"], held["classification"], held["correction_reason"]) == (
        correction["id"],
        int(sbp),
        "controlled" if now == "控制满意" else "uncontrolled",
        REASON,
    )


def test_the_override_reason_field_holds_a_sentence(journey: Journey) -> None:
    """The reason for the doctor's own classification is a sentence: its field takes the column's width (it was a
    150-pixel box beside the choice, its hint cut off), as the correction reason does."""
    from ui.followup_dialog import FollowupDialog
    from ui.qt import Qt

    page = open_page(journey)
    pick_row(journey, page, lambda r: r["disease"] == "hypertension")
    with journey.step("press Enter on a patient due this week"):
        journey.key(page.views["due"], Qt.Key.Key_Return)
        form = journey.dialog(FollowupDialog)
    reason = form.override_reason
    sentence = "家庭自测血压连续一周正常，诊室血压偏高"
    with journey.step("choose 控制满意 and type the reason"):
        form.override.setFocus()
        journey.key(form.override, Qt.Key.Key_Down)
        journey.type(reason, sentence)
    metrics = reason.fontMetrics()
    assert reason.width() >= metrics.horizontalAdvance(sentence) + 8, "the reason typed is seen whole"
    assert reason.width() >= metrics.horizontalAdvance(reason.placeholderText()) + 8
    assert reason.width() >= form.fields["auxiliary_exam"].width(), "as wide as the other sentence fields"
    shot(journey, form, "followup-override-reason")


def test_a_diabetes_visit_opens_for_correction_as_it_was_recorded_and_escape_writes_nothing(
    journey: Journey,
) -> None:
    from ui.chronic_chart import PatientChart
    from ui.followup_dialog import FollowupDialog
    from ui.qt import Qt

    conn = journey.store.conn
    page = open_page(journey, OVERDUE)
    _row, patient = pick_row(
        journey, page, lambda r: r["disease"] == "diabetes" and r["fasting_glucose"] is not None
    )
    with journey.step("click 患者档案…, then the newest diabetes visit"):
        journey.click(page.chart_button)
        chart = journey.dialog(PatientChart)
        journey.wait_until(lambda: chart.drawn)
        row = next(
            i for i in range(chart.history.rowCount()) if chart.history.row_data(i)["disease"] == "diabetes"
        )
        journey.click_row(chart.view, row)
        journey.wait_until(chart.correct_button.isEnabled)
    visit = chart.history.row_data(row)
    drugs = visit["drugs"]
    with journey.step("click 更正…"):
        journey.click(chart.correct_button)
        form = journey.dialog(FollowupDialog)
    assert form.fields["fasting_glucose"].text() == str(visit["fasting_glucose"])
    assert form.glucose_method.currentData() == visit["glucose_method"]
    assert form.mode.currentData() == visit["visit_mode"]
    assert form.adherence.currentData() == visit["adherence"]
    assert [(n.text(), d.text()) for n, d, _t in form.drugs[: len(drugs)]] == [
        (d["name"], d["dose"] or "") for d in drugs
    ]
    before = followups(journey)
    with journey.step("Escape closes the form"):
        journey.key(form, Qt.Key.Key_Escape)
        journey.wait_until(form.isHidden)
    assert followups(journey) == before and chart.history.rowCount() == len(
        R.visit_history(conn, patient["resident_id"])
    )
