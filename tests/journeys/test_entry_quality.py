"""报表 → 录入质量 on the demo clinic: the clinic admin sees 赵医生 (whose demo readings end in 0 or 5) flagged and
the other doctors not, changes the year, and a village doctor gets no such tab."""

from __future__ import annotations

from tests.journeys.conftest import Journey
from ui.entry_quality_view import EntryQualityView
from ui.qt import Qt
from ui.reports_page import ReportsPage


def doctor_rows(view: EntryQualityView) -> dict[str, list[str]]:
    model = view.doctor_model
    return {
        model.data(model.index(r, 0)): [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    }


def test_the_admin_sees_the_doctor_whose_readings_end_in_0_or_5_flagged(admin_journey: Journey) -> None:
    j = admin_journey
    with j.step("open the reports page"):
        page = j.nav_to("reports")
    assert isinstance(page, ReportsPage)
    tabs = page.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["指标", "录入质量", "日结"]
    with j.step("open the entry-quality tab"):
        j.click_tab(tabs, 1)
    view = tabs.currentWidget()
    assert isinstance(view, EntryQualityView) and view.isVisible()
    with j.step("the report of this year is read"):
        j.wait_until(lambda: view.report is not None and view.doctor_model.rowCount() == 3, timeout=20_000)
    rows = doctor_rows(view)
    assert set(rows) == {"赵医生", "张医生", "李医生"}
    zhao = rows["赵医生"]
    assert zhao[3] == "100%" and zhao[-1] == "⚠ 请核查：100% 的读数尾数为0或5"
    assert rows["张医生"][-1] == "未见异常" and rows["李医生"][-1] == "未见异常"
    assert view.doctor_model.data(view.doctor_model.index(0, 0)) == "赵医生"  # the flagged doctor first
    assert "需核查 — 赵医生" in view.summary.text()
    assert "五次中有一次" in view.rule.text()
    assert view.visits_title.text() == f"标记的随访：{len(view.report.visits)} 次"
    j.shot("journey-entry-quality", j.window)

    last_year = page.selected_year() - 1
    with j.step("choose last year (Down on the year box)"):
        page.year.setFocus()
        j.key(page.year, Qt.Key.Key_Down)
        j.wait_until(lambda: view.report is not None and view.report.period == last_year, timeout=20_000)
    assert view.summary.text().startswith(f"{last_year} 年")
    j.wait_until(lambda: view.doctor_model.rowCount() > 0)
    assert doctor_rows(view)["赵医生"][-1].startswith("⚠")
    flagged = view.report.visits if view.report else []
    assert view.visits_title.text() == f"标记的随访：{len(flagged)} 次"
    j.wait_until(lambda: view.visit_model.rowCount() == len(flagged))
    for r in range(view.visit_model.rowCount()):  # each with its doctor and the reason in words
        assert view.visit_model.data(view.visit_model.index(r, 5)) == "赵医生"
        assert view.visit_model.data(view.visit_model.index(r, 6)).startswith("该患者连续")
    j.shot("journey-entry-quality-last-year", j.window)


def test_a_village_doctor_has_no_entry_quality_tab(journey: Journey) -> None:
    with journey.step("open the reports page as a doctor"):
        page = journey.nav_to("reports")
    assert isinstance(page, ReportsPage)
    assert page.quality is None
    assert "录入质量" not in [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert not page.findChildren(EntryQualityView)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "指标",
        "日结",
    ]  # the indicators and the day's end are everyone's
    journey.shot("journey-reports-doctor", journey.window)
