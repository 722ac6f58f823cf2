"""The 报表 page on the demo clinic: the 指标 tab shows the chronic-care indicators of this year (the clinic's
totals, then per village and per doctor, per disease), another year chosen shows that year's, and the figures are
saved as an Excel workbook through the file dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clinic_app import chronic_indicators as I
from tests.journeys.conftest import Journey


def _qt() -> Any:
    from ui.qt import Qt

    return Qt


def shown_rows(view: Any) -> list[list[str]]:
    """What the table shows, row by row, as its cells' text."""
    model = view.table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def expected_rows(report: dict[str, Any]) -> list[list[str]]:
    """The report as the table must show it (Chinese: 中文 is the journeys' language), the figures in the
    table's column order."""
    from ui.indicators_view import FIGURES

    names = {"hypertension": "高血压", "diabetes": "2型糖尿病"}
    groups = [
        ("全卫生室合计", report["clinic"]),
        *((f"村：{r['name']}", r) for r in report["villages"]),
        *((f"医生：{r['name']}", r) for r in report["doctors"]),
    ]
    rows = []
    for name, row in groups:
        for disease in ("hypertension", "diabetes"):
            f = row[disease]
            rows.append(
                [
                    name,
                    names[disease],
                    *(
                        ("—" if f[k] is None else f"{f[k] * 100:.1f}%") if k.endswith("_rate") else str(f[k])
                        for k in FIGURES
                    ),
                ]
            )
    return rows


def test_the_indicators_of_a_year_are_shown_another_year_chosen_and_saved_as_excel(
    journey: Journey, documents: Path
) -> None:
    from openpyxl import load_workbook

    from ui.qt import QFileDialog, QLineEdit

    conn, clinic, this_year = journey.store.conn, journey.store.clinic_id, journey.today.year
    with journey.step("open the 报表 page"):
        page = journey.nav_to("reports")
        view = page.indicators
        journey.wait_until(
            lambda: view.model.rowCount() > 0 and view.status.text() == f"{this_year} 年慢病管理指标"
        )
    assert page.tabs.tabText(page.tabs.currentIndex()) == "指标"
    assert page.year.currentText() == str(this_year)
    now = I.clinic_report(conn, clinic, this_year)
    assert now["clinic"]["hypertension"]["under_management"] > 50, "the demo clinic manages its patients"
    assert shown_rows(view) == expected_rows(now)
    header = [view.table.model().headerData(c, _qt().Orientation.Horizontal) for c in range(10)]
    assert header[:5] == ["分组", "病种", "管理人数", "规范管理人数", "规范管理率"]
    assert "规范管理：全年面对面随访不少于 4 次" in view.basis.text()
    journey.qtbot.wait(50)
    journey.shot("reports-indicators", widget=journey.window)

    last_year = this_year - 1
    with journey.step("choose last year (Down on the year box)"):
        page.year.setFocus()
        journey.key(page.year, _qt().Key.Key_Down)
        journey.wait_until(lambda: view.status.text() == f"{last_year} 年慢病管理指标")
    before = I.clinic_report(conn, clinic, last_year)
    assert page.year.currentText() == str(last_year)
    assert shown_rows(view) == expected_rows(before)
    assert before["clinic"] != now["clinic"], "another year, other figures"
    journey.qtbot.wait(50)
    journey.shot("reports-indicators-last-year", widget=journey.window)

    with journey.step("click 导出Excel…"):
        journey.click(view.export_button)
        chooser = journey.dialog(QFileDialog)
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    assert name_box.text() == f"慢病管理指标 {last_year}.xlsx"
    with journey.step("accept the name offered"):
        journey.key(name_box, _qt().Key.Key_Return)
        journey.wait_until(lambda: view.notice.text())
    target = documents / f"慢病管理指标 {last_year}.xlsx"
    assert view.notice.text() == f"✓ {last_year} 年指标已保存到 {target}。"
    book = load_workbook(target)
    assert book.sheetnames == [f"全卫生室 {last_year}", f"按村 {last_year}", f"按医生 {last_year}"]
    total = list(book[f"全卫生室 {last_year}"].iter_rows(values_only=True))
    htn = before["clinic"]["hypertension"]
    assert total[2][:4] == ("合计", "高血压", htn["under_management"], htn["standard_managed"])
    assert total[2][4] == round(htn["standard_rate"] * 100, 2)
    villages = [r[0] for r in book[f"按村 {last_year}"].iter_rows(min_row=3, values_only=True)]
    assert villages == [r["name"] for r in before["villages"] for _ in ("hypertension", "diabetes")]
