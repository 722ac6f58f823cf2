from __future__ import annotations

import datetime as dt
import itertools
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from clinic_app.ledger import Ledger, Month

ROOT = Path(__file__).resolve().parents[2]
ROUND = (1.0, 2.0, 2.5, 5.0)


def is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in ROUND)


def demo_book(budget_fen: int = 803_712, spent: list[int] | None = None) -> Ledger:
    spent = spent or [120_000, 350_000, 610_000, 540_000, 0, 0, 0, 0, 0, 0, 0, 0]
    months = [Month(f"2026-{i:02d}", budget_fen, spent[i - 1]) for i in range(1, 13)]
    return Ledger(
        period=2026,
        start="2026-01-01",
        end="2026-12-31",
        heads=1170,
        provisional_heads=0,
        contracted_not_insured=131,
        rate_fen=8000,
        weighted_heads=Decimal("1205.6"),
        budget_fen=budget_fen * 12 * 10 // 9,
        reserve_pct=Decimal(10),
        reserve_fen=0,
        advance_fen=budget_fen * 12,
        months=months,
    )


def test_the_ledger_chart_has_round_ticks_and_headroom_above_the_tallest_bar(qtbot) -> None:
    from ui.ledger_chart import LedgerChart

    chart = LedgerChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 380)
    chart.show_ledger(demo_book())  # 8,037.12 yuan a month, as in the demo clinic
    chart.show()
    qtbot.waitUntil(lambda: chart.chart is not None and chart.chart.isVisible())
    plot = chart.chart
    assert plot is not None
    ticks = plot.y_ticks()  # what the AxisItem draws over the ViewBox's range
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and is_round(steps.pop()), ticks
    assert ticks[0] == 0 and all(float(t).is_integer() for t in ticks), ticks
    assert ticks == [0, 2000, 4000, 6000, 8000, 10000]
    low, top = plot.view.viewRange()[1]
    tallest = max(max(b.opts["height"]) for b in plot.bars)
    assert tallest == pytest.approx(8037.12)
    assert top > tallest * 1.05 and top == ticks[-1], "headroom, and the top is a labelled round number"
    assert low == 0
    labels = plot.y_axis.tickStrings(ticks, 1, ticks[1] - ticks[0])
    assert labels == ["0", "2,000", "4,000", "6,000", "8,000", "10,000"]
    assert plot.categories.labels == [f"{m:02d}月" for m in range(1, 13)]
    assert [label.text() for label, _colour in plot.legend_keys] == ["按月预拨", "支出"]


def test_the_ledger_chart_draws_when_it_is_first_shown_and_says_when_there_is_no_ledger(qtbot) -> None:
    from ui.ledger_chart import LedgerChart

    chart = LedgerChart()
    qtbot.addWidget(chart)
    chart.show_ledger(demo_book())
    assert chart.chart is None, "nothing built (nor pyqtgraph imported) while hidden"
    chart.show()
    qtbot.waitUntil(lambda: chart.chart is not None)
    chart.show_ledger(None)
    assert chart.empty.isVisible() and chart.empty.text() == "本年度暂无台账。"
    assert chart.chart is not None and not chart.chart.isVisible()


@pytest.mark.parametrize("peak", [0.37, 1, 9.99, 100, 803.7, 8037.12, 9900, 10_000, 123_456, 2_000_000])
def test_round_ranges_for_any_peak(peak: float) -> None:
    from ui.charts import round_range

    floor, top, step = round_range(0, peak)
    assert is_round(step) and floor == 0
    assert top > peak and (top - peak) >= 0.04 * peak, "the tallest bar stays below the top"
    assert math.isclose(top / step, round(top / step)) and 2 <= top / step <= 6


def test_the_trend_chart_draws_lines_by_date_with_a_target_band(qtbot) -> None:
    from ui.charts import LineChart, Series

    chart = LineChart()
    qtbot.addWidget(chart)
    chart.resize(800, 300)
    chart.show()
    days = [dt.date(2026, 1, 5) + dt.timedelta(days=30 * i) for i in range(6)]
    chart.set_lines(
        days,
        [
            Series("收缩压", [152, 148, 141, 138, 135, 131], "#c0392b"),
            Series("舒张压", [95, 92, 90, 88, None, 84], "#2e86c1"),
        ],
        band=(90, 140),
    )
    ticks = chart.y_ticks()
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and is_round(steps.pop()), ticks
    low, top = chart.view.viewRange()[1]
    assert low <= 84 and top > 152
    assert chart.band is not None and tuple(chart.band.getRegion()) == (90, 140)
    assert len(chart.lines) == 2


def test_the_program_starts_without_importing_pyqtgraph() -> None:
    code = "import sys, ui.mainwindow, ui.contracts_page, ui.ledger_chart; print('pyqtgraph' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", (
        "about half a second of import, paid only when the ledger is shown"
    )
