"""The 日结 view on a hand-built day: a receipt that does not reconcile is red with its cause in words and the
verdict says by how much; the models pass the model tester; another year moves the day into it; a visit saved
while the view is shown reads the day again (on a worker)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Clinic
from tests.test_day_end import DAY, hand_built_day
from tests.test_visits import Y, prepare, qualify, visit
from ui.day_end_view import RED, DayEndView
from ui.ops import Writer
from ui.qt import QColor, QDate, Qt


@pytest.fixture
def vc(clinic: Clinic, tmp_path: Path) -> Clinic:
    prepare(clinic, tmp_path)
    qualify(clinic, "张三")
    return clinic


def shown(qtbot: Any, c: Clinic, writer: Writer) -> DayEndView:
    view = DayEndView(c.store, writer, today=dt.date(Y, 12, 31))
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    view.show_year(Y)
    view.date.setDate(QDate.fromString(DAY, "yyyy-MM-dd"))
    qtbot.waitUntil(lambda: view.report is not None and view.report["date"] == DAY, timeout=10_000)
    return view


def test_a_receipt_that_does_not_reconcile_is_red_with_its_cause(
    qtbot: Any, qtmodeltester: Any, vc: Clinic
) -> None:
    v = hand_built_day(vc)
    with vc.store.transaction() as conn:  # a line changed outside the program: 30.00 stored as 25.00
        conn.execute(
            "UPDATE visit_line SET amount_fen = 2500 WHERE visit_id = ? AND line_no = 2", (v["a"].id,)
        )
    writer = Writer()
    try:
        view = shown(qtbot, vc, writer)
        for model in (view.totals_model, view.receipt_model, view.cancelled_model):
            qtmodeltester.check(model)
        model = view.receipt_model
        check = model.columnCount() - 1
        assert (
            model.data(model.index(0, check))
            == "✗ 第 2 行：金额不等于单价×数量; 明细合计与总费用相差 -5.00 元"
        )
        assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) == QColor(RED)
        assert model.data(model.index(1, check)) == "✓ 相符"
        assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None
        assert view.verdict.text() == (
            "✗ 对账不符：收据个人现金合计 44.30 元，结算 49.30 元（相差 -5.00 元）；1 张收据不符（红色）。"
        )
        assert view.print_button.isEnabled() and view.export_button.isEnabled()
    finally:
        writer.shutdown()


def test_another_year_moves_the_day_and_a_new_visit_reads_the_day_again(qtbot: Any, vc: Clinic) -> None:
    hand_built_day(vc)
    writer = Writer()
    try:
        view = shown(qtbot, vc, writer)
        assert view.totals_model.data(view.totals_model.index(2, 1)) == "2"
        writer.write(lambda: visit(vc, DAY, [("S2", 1)], name="王五"))
        qtbot.waitUntil(lambda: view.totals_model.data(view.totals_model.index(2, 1)) == "3", timeout=10_000)
        view.show_year(Y - 1)
        assert view.date.text() == f"{Y - 1}-12-31"
        qtbot.waitUntil(
            lambda: view.report is not None and view.report["date"] == f"{Y - 1}-12-31", timeout=10_000
        )
        assert view.verdict.text() == f"{Y - 1}-12-31 没有门诊记录。"
        assert not view.export_button.isEnabled(), "nothing to export on a day without visits"
    finally:
        writer.shutdown()


def test_a_visit_written_elsewhere_is_shown_when_the_tab_is_shown_again(qtbot: Any, vc: Clinic) -> None:
    hand_built_day(vc)
    writer = Writer()
    try:
        view = shown(qtbot, vc, writer)
        assert view.totals_model.data(view.totals_model.index(2, 1)) == "2"
        view.hide()  # another tab or page
        visit(vc, DAY, [("S2", 1)], name="王五")  # as `clinic visit add` writes it: no change announced here
        view.show()
        qtbot.waitUntil(lambda: view.totals_model.data(view.totals_model.index(2, 1)) == "3", timeout=10_000)
        assert not view.stale
    finally:
        writer.shutdown()
