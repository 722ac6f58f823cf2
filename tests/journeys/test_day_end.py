"""The day's end on the demo clinic (issue 14 points 5 and 7): today's visits are recorded (two ordinary, one
chronic, one of them cancelled); on 报表 the doctor clicks the 日结 tab and sees the totals by medical type, the
receipts reconciled, the cancelled visit listed apart and counted nowhere; opens the print preview; writes the
insurance file into a folder of a USB stick and reads it back with the platform's field names; is told clearly
when the folder cannot be written in. Then the 签约 page's ledger shows this month's spending as a bar, and a
cancelled ordinary visit takes its fund share out of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clinic_app import ledger as L
from clinic_app import visits as V
from clinic_app.day_end import day_report, receipt_number
from clinic_app.money import yuan
from tests.journeys.conftest import Journey

CONSULT = "DEMO-110200001"  # 普通门诊诊查费（演示）10.00, category A
AMLODIPINE = "XC08CA01A0010101010001"  # 16.50 a box, 甲


def _qt() -> Any:
    from ui.qt import Qt

    return Qt


def spending_bars(contracts: Any) -> list[float]:
    """The heights of the ledger chart's spending bars (the second series), as drawn now."""
    return list(contracts.chart.chart.bars[1].opts["height"])


def cells(model: Any) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def todays_visits(journey: Journey) -> dict[str, V.VisitResult]:
    """Two ordinary visits past the deductible (80.00 and 120.00 of consultations: the fund pays 55 % of what
    passes 50.00), a chronic one of a qualified hypertension patient, and the second ordinary one cancelled."""
    store, today = journey.store, journey.today
    conn = store.conn
    qualified = conn.execute(
        "SELECT resident_id FROM disease_registration WHERE disease = 'hypertension' AND deleted_at IS NULL "
        "AND qualification_status = 'approved' AND qualification_date <= ? ORDER BY resident_id LIMIT 1",
        (today.isoformat(),),
    ).fetchone()
    assert qualified is not None, "the demo clinic has a patient qualified for chronic outpatient care"
    others = [
        r[0]
        for r in conn.execute(
            # contracted here this year (their ordinary visits are the ledger's spending), no visit yet
            "SELECT id FROM resident WHERE deleted_at IS NULL AND id != ? AND NOT EXISTS (SELECT 1 FROM visit v "
            "WHERE v.resident_id = resident.id) AND EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = "
            "resident.id AND c.period = ? AND c.status IN ('provisional', 'active') AND c.deleted_at IS NULL "
            "AND ? BETWEEN c.period_start AND c.period_end) ORDER BY id LIMIT 2",
            (qualified[0], str(today.year), today.isoformat()),
        )
    ]
    first = V.add_visit(
        store, journey.user, V.VisitInput(others[0], today, "11", ("J06.9",), None, [(CONSULT, 8)])
    )
    chronic = V.add_visit(
        store,
        journey.user,
        V.VisitInput(qualified[0], today, "14", ("I10",), "hypertension", [(CONSULT, 1)], [(AMLODIPINE, 2)]),
    )
    second = V.add_visit(
        store, journey.user, V.VisitInput(others[1], today, "11", ("J06.9",), None, [(CONSULT, 12)])
    )
    return {"first": first, "chronic": chronic, "second": second}


def test_the_day_end_reconciles_prints_and_exports_and_the_ledger_shows_the_spending(
    journey: Journey, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.printing import PrintPreview
    from ui.qt import QFileDialog, QLineEdit

    conn, clinic = journey.store.conn, journey.store.clinic_id
    before = day_report(conn, clinic, journey.today)  # the demo's own visits of today, if it has any
    assert before["reconciliation"]["balanced"], "visits saved by the program reconcile"
    visits = todays_visits(journey)
    V.cancel_visit(journey.store, journey.user, visits["second"].id, "录入错误", today=journey.today)
    today = journey.today.isoformat()
    first, chronic, second = visits["first"], visits["chronic"], visits["second"]
    assert first.fund_fen == 1650, "80.00: 50.00 to the deductible, 55 % of 30.00 from the fund"

    def row(name: str, was: dict[str, int], *mine: V.VisitResult) -> list[str]:
        return [
            name,
            str(was["visits"] + len(mine)),
            yuan(was["total_fen"] + sum(v.total_fen for v in mine)),
            yuan(was["fund_fen"] + sum(v.fund_fen for v in mine)),
            yuan(was["cash_fen"] + sum(v.patient_fen for v in mine)),
        ]

    with journey.step("open the 报表 page"):
        page = journey.nav_to("reports")
    view = page.day_end
    tab = page.tabs.indexOf(view)
    assert page.tabs.tabText(tab) == "日结"
    with journey.step("click the 日结 tab"):
        journey.click_tab(page.tabs, tab)
        journey.wait_until(lambda: view.report is not None and view.verdict.text())
    assert view.date.text() == today
    assert cells(view.totals_model) == [
        row("11 普通门诊", before["by_med_type"]["11"], first),
        row("14 门诊慢特病", before["by_med_type"]["14"], chronic),
        row("合计", before["totals"], first, chronic),
    ], "the cancelled visit counts nowhere"
    n = before["reconciliation"]["receipts"] + 2
    cash = yuan(before["totals"]["cash_fen"] + first.patient_fen + chronic.patient_fen)
    assert view.verdict.text() == f"✓ 对账相符：收据 {n} 张，个人现金 {cash} 元，与结算的个人现金合计一致。"
    receipts = {r[0]: r for r in cells(view.receipt_model)}
    for v in (first, chronic):
        shown = receipts[receipt_number(v.id, today)]
        assert shown[3:] == [
            yuan(v.total_fen),
            yuan(v.fund_fen),
            yuan(v.patient_fen),
            yuan(v.total_fen),
            "✓ 相符",
        ]
    assert view.receipts_title.text() == f"收据：{n} 张"
    void = {r[0]: r for r in cells(view.cancelled_model)}
    assert void[receipt_number(second.id, today)][-1] == "录入错误"
    assert receipt_number(second.id, today) not in receipts, (
        "a cancelled visit's receipt is void, not counted"
    )
    journey.qtbot.wait(50)
    journey.shot("day-end", widget=journey.window)

    with journey.step("click 打印…"):
        journey.click(view.print_button)
        preview = journey.dialog(PrintPreview)
        journey.wait_until(lambda: preview.preview_widget.pageCount() >= 1)
    assert preview.windowTitle() == f"打印预览：门诊日结报表 {today}"
    journey.shot("day-end-print-preview", preview)
    with journey.step("close the preview"), journey.qtbot.waitSignal(preview.finished):
        journey.click(preview.close_button)

    stick = documents / "usb-stick"
    stick.mkdir()
    with journey.step("click 医保导出…"):
        journey.click(view.export_button)
        chooser = journey.dialog(QFileDialog)
    assert chooser.windowTitle() == "医保导出：选择文件夹"
    assert Path(chooser.directory().absolutePath()) == documents, "it opens in the Documents folder"
    name_box = chooser.findChild(QLineEdit, "fileNameEdit")
    journey.type(name_box, stick.name)
    with journey.step("choose the USB stick's folder (Enter)"):
        journey.key(name_box, _qt().Key.Key_Return)
        journey.wait_until(lambda: view.notice.text())
    target = stick / f"visits-{today}.json"
    assert view.notice.text() == f"✓ {today} 的医保上传文件已写入：{target}（{n} 条门诊记录）。"
    document = json.loads(target.read_text(encoding="utf-8"))
    by_id = {v["mdtrt_id"]: v for v in document["visits"]}
    assert len(by_id) == n and {first.id, chronic.id} <= set(by_id)
    assert second.id not in by_id, "the cancelled visit is not exported"
    assert by_id[chronic.id]["med_type"] == "14" and by_id[chronic.id]["dise_codg"] == "I10"
    assert by_id[first.id]["psn_cash_pay"] == yuan(first.patient_fen, grouped=False)
    line = by_id[chronic.id]["feedetail"][1]
    assert {"med_list_codg", "cnt", "pric", "drug_trac_codg", "trdn_flag", "chrgitm_lv"} <= set(line)
    assert line["med_list_codg"] == AMLODIPINE and line["cnt"] == 2

    # a folder nothing can be written in (this user is root here, for whom every folder is writable: the
    # system's answer to a doctor's account is given instead)
    monkeypatch.setattr(V, "write_problem", lambda _target: "Permission denied")
    with journey.step("export again into a folder that cannot be written in"):
        journey.click(view.export_button)
        chooser = journey.dialog(QFileDialog)
        name_box = chooser.findChild(QLineEdit, "fileNameEdit")
        journey.type(name_box, stick.name)
        journey.key(name_box, _qt().Key.Key_Return)
        box = journey.message_box()
    assert box.text() == f"未导出：文件夹 {stick} 中无法写入文件（Permission denied）。"
    journey.shot("day-end-not-writable", box)
    journey.click(box.button(box.StandardButton.Ok))

    # the ledger: this month's spending is the fund's share of today's live ordinary visit
    with journey.step("open the 签约 page"):
        contracts = journey.nav_to("contracts")
    with journey.step("click the ledger tab"):
        journey.click_tab(contracts.tabs, 2)
        journey.wait_until(lambda: contracts.book is not None)
    with journey.step("wait for the chart (its library loads off the GUI thread)"):
        journey.wait_until(
            lambda: contracts.chart.chart is not None and contracts.chart.chart.isVisible(), 20_000
        )
    month = journey.today.strftime("%Y-%m")
    book = L.build(conn, clinic, journey.today.year, today=journey.today)
    at = [m.month for m in book.months].index(month)
    spent = book.months[at].spending_fen
    assert spent >= first.fund_fen > 0
    assert len(contracts.chart.chart.bars) == 2, (
        "the budget paid in advance and the spending, a bar a month each"
    )
    assert list(spending_bars(contracts)) == [m.spending_fen / 100 for m in book.months]
    assert spending_bars(contracts)[at] == spent / 100
    assert contracts.figures["spending"].text() == f"至今支出：{yuan(book.spending_to_date_fen)} 元"
    journey.qtbot.wait(50)
    journey.shot("ledger-spending", widget=journey.window)

    with journey.step("a visit of today is cancelled: the ledger takes its fund share out"):
        V.cancel_visit(journey.store, journey.user, first.id, "患者退费", today=journey.today)
        journey.wait_until(lambda: spending_bars(contracts)[at] == (spent - first.fund_fen) / 100)
    after = L.build(conn, clinic, journey.today.year, today=journey.today)
    assert contracts.figures["spending"].text() == f"至今支出：{yuan(after.spending_to_date_fen)} 元"
