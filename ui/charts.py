"""Charts: the one module that imports pyqtgraph (the capitation ledger now, blood pressure and glucose trends
next). pyqtgraph is pure Python over numpy (pyqtgraph ~8 MB without its examples, numpy 40-70 MB with its
BLAS), where QtCharts would bring the PySide6-Addons wheel (~175 MB); it finds its Qt binding by itself, and
PySide6 is loaded (and named) before it looks.

Importing this module costs 0.25-0.45 s (pyqtgraph and numpy), so the widgets that use it import it when they
are first shown, never at start-up (see ui/ledger_chart.py).

The y axis always runs from a round floor to a round top above the highest value, in steps of 1, 2, 2.5 or 5
times a power of ten, labelled with thousands separators."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

from ui.qt import QApplication, QColor, QFont, QHBoxLayout, QLabel, Qt, QVBoxLayout, QWidget  # PySide6 first

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg

# smooth lines, points and text edges in every chart (the ledger's bars too): without it a gently falling
# blood pressure was drawn as a staircase
pg.setConfigOptions(antialias=True)

ROUND_MANTISSAS = (1.0, 2.0, 2.5, 5.0, 10.0)
AXIS_PEN, TEXT_COLOUR, GRID_PEN = "#888888", "#333333", "#e3e3e3"


def round_step(span: float, ticks: int = 5) -> float:
    """The smallest step of 1, 2, 2.5 or 5 × 10^n that covers ``span`` in at most ``ticks`` steps."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for mantissa in ROUND_MANTISSAS:
        if mantissa * power >= raw * (1 - 1e-9):
            return mantissa * power
    return 10 * power


def round_range(
    low: float, high: float, ticks: int = 5, headroom: float = 0.08
) -> tuple[float, float, float]:
    """(floor, top, step): round numbers with floor ≤ ``low`` and the top at least ``headroom`` of the span
    above ``high``, so the highest bar or point never touches the top; at most ``ticks`` + 1 steps."""
    low, high = min(low, high), max(low, high)
    span = high - low if high > low else max(abs(high), 1.0)
    step = round_step(span * (1 + headroom), ticks)
    while True:
        floor = math.floor(low / step + 1e-9) * step
        top = math.ceil((high + span * headroom) / step - 1e-9) * step
        if top > high and (top - floor) / step <= ticks + 1 + 1e-9:
            return floor, top, step
        step = round_step(step * ticks * 1.001, ticks)


@dataclass
class Series:
    name: str
    values: Sequence[float]
    colour: str


class NumberAxis(pg.AxisItem):
    """Tick labels as a person writes amounts: 10,000 (decimals only when the step needs them)."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = 0
        while decimals < 6 and abs(spacing * 10**decimals - round(spacing * 10**decimals)) > 1e-6:
            decimals += 1
        return [f"{v * scale:,.{decimals}f}" for v in values]


class LabelAxis(pg.AxisItem):
    """A category axis: one fixed label under each integer position (months, weeks)."""

    def __init__(self, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self.labels: list[str] = []

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.setTicks([[(float(i), text) for i, text in enumerate(self.labels)]])


class DateAxis(pg.AxisItem):
    """Dates as day ordinals, labelled 2026-03-01 (or 03-01 when the chart stays within one year)."""

    def __init__(self, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self.one_year = False

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            try:
                day = dt.date.fromordinal(round(v))
            except (ValueError, OverflowError):
                out.append("")
                continue
            out.append(day.strftime("%m-%d") if self.one_year else day.isoformat())
        return out


class Chart(QWidget):
    """A plot with a legend row above it (coloured squares and names, in the program's font), a y axis of round
    ticks with a unit, no mouse zoom or menu: a chart to read, not to explore."""

    def __init__(self, bottom: pg.AxisItem | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        self.chart_font = QFont(app.font()) if isinstance(app, QApplication) else QFont()
        self.y_axis = NumberAxis("left")
        self.x_axis = bottom or pg.AxisItem("bottom")
        # no context menus at all (the view box's is built, ~10 ms, only when enabled at construction)
        self.plot = pg.PlotWidget(
            background="w", axisItems={"left": self.y_axis, "bottom": self.x_axis}, enableMenu=False
        )
        self.plot.setMinimumHeight(160)
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        self.view = item.getViewBox()
        self.view.setMouseEnabled(x=False, y=False)
        self.view.enableAutoRange(enable=False)
        for axis in (self.y_axis, self.x_axis):
            axis.setPen(pg.mkPen(AXIS_PEN))
            axis.setTextPen(pg.mkPen(TEXT_COLOUR))
            axis.setStyle(tickFont=self.chart_font, tickTextOffset=6, hideOverlappingLabels=False)
        item.setContentsMargins(4, 12, 12, 4)  # room for the top and bottom tick labels
        self.unit = QLabel()
        self.legend = QHBoxLayout()
        self.legend.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 8, 0)
        top.addWidget(self.unit)
        top.addStretch(1)
        top.addLayout(self.legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("white"))
        self.setPalette(palette)
        self.legend_keys: list[tuple[QLabel, str]] = []  # the names shown, with their colour
        self.grid: list[pg.InfiniteLine] = []

    def set_unit(self, text: str) -> None:
        self.unit.setText(text)

    def set_legend(self, series: Sequence[Series]) -> None:
        if [(label.text(), colour) for label, colour in self.legend_keys] == [
            (s.name, s.colour) for s in series
        ]:
            return
        while self.legend.count():
            taken = self.legend.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.legend_keys = []
        for s in series:
            swatch = QLabel()
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {s.colour}; border: none;")
            label = QLabel(s.name)
            label.setStyleSheet(f"color: {TEXT_COLOUR};")
            self.legend.addWidget(swatch)
            self.legend.addSpacing(4)
            self.legend.addWidget(label)
            self.legend.addSpacing(16)
            self.legend_keys.append((label, s.colour))

    def set_y_range(self, low: float, high: float) -> tuple[float, float, float]:
        floor, top, step = round_range(low, high)
        self.y_axis.setTickSpacing(levels=[(step, 0.0)])
        self.view.setYRange(floor, top, padding=0)
        for line in self.grid:  # the axis's own grid would hide the labels at the ends of the range
            self.plot.removeItem(line)
        self.grid = []
        for i in range(round((top - floor) / step) + 1):
            line = pg.InfiniteLine(pos=floor + i * step, angle=0, pen=pg.mkPen(GRID_PEN), movable=False)
            line.setZValue(-10)
            self.plot.addItem(line)
            self.grid.append(line)
        return floor, top, step

    def y_ticks(self) -> list[float]:
        """The values the y axis labels now (read from the axis, as it draws them)."""
        low, high = self.view.viewRange()[1]
        levels = self.y_axis.tickValues(low, high, max(1.0, self.y_axis.height()))
        return sorted({float(v) for _spacing, values in levels for v in values})

    def y_top(self) -> float:
        return float(self.view.viewRange()[1][1])

    def clear(self) -> None:
        self.plot.getPlotItem().clear()
        self.grid = []


class BarChart(Chart):
    """Side-by-side bars, one group per category (month)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.categories = LabelAxis("bottom")
        super().__init__(bottom=self.categories, parent=parent)
        self.bars: list[pg.BarGraphItem] = []

    def set_bars(
        self, categories: Sequence[str], series: Sequence[Series], group_width: float = 0.72
    ) -> None:
        self.clear()
        self.bars = []
        self.categories.set_labels(categories)
        width = group_width / max(1, len(series))
        for i, s in enumerate(series):
            offset = -group_width / 2 + width * (i + 0.5)
            bars = pg.BarGraphItem(
                x=[c + offset for c in range(len(categories))],
                height=list(s.values),
                width=width * 0.92,
                brush=QColor(s.colour),
                pen=pg.mkPen(None),
            )
            self.plot.addItem(bars)
            self.bars.append(bars)
        self.set_legend(series)
        peak = max([float(v) for s in series for v in s.values] + [0.0])
        self.set_y_range(0.0, peak if peak > 0 else 1.0)
        self.view.setXRange(-0.6, len(categories) - 0.4, padding=0)


class LineChart(Chart):
    """Values by date as lines with points, and a shaded target band (e.g. blood pressure below 140/90)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.dates = DateAxis("bottom")
        super().__init__(bottom=self.dates, parent=parent)
        self.lines: list[pg.PlotDataItem] = []
        self.band: pg.LinearRegionItem | None = None
        self.targets: list[pg.InfiniteLine] = []

    def set_lines(
        self,
        dates: Sequence[dt.date],
        series: Sequence[Series],
        band: tuple[float, float] | None = None,
        band_colour: str = "#27ae60",
        targets: Sequence[tuple[float, str]] = (),
    ) -> None:
        """``targets``: dashed horizontal lines (a value and its colour), e.g. the target of 140 mmHg."""
        self.clear()
        self.lines, self.band = [], None
        self.targets = []
        for value, colour in targets:
            target = pg.InfiniteLine(
                pos=value,
                angle=0,
                movable=False,
                pen=pg.mkPen(QColor(colour), width=1, style=Qt.PenStyle.DashLine),
            )
            self.plot.addItem(target)
            self.targets.append(target)
        xs = [float(d.toordinal()) for d in dates]
        self.dates.one_year = bool(dates) and dates[0].year == dates[-1].year
        values = [float(v) for s in series for v in s.values if v is not None and math.isfinite(float(v))]
        if band is not None:
            shade = QColor(band_colour)
            shade.setAlpha(40)
            self.band = pg.LinearRegionItem(
                values=band, orientation="horizontal", movable=False, brush=shade, pen=pg.mkPen(None)
            )
            self.plot.addItem(self.band)
            values += list(band)
        values += [v for v, _c in targets]
        for s in series:
            pen = pg.mkPen(QColor(s.colour), width=2)
            line = pg.PlotDataItem(
                xs,
                [float("nan") if v is None else float(v) for v in s.values],
                pen=pen,
                symbol="o",
                symbolSize=6,
                symbolBrush=QColor(s.colour),
                symbolPen=None,
                connect="finite",
            )
            self.plot.addItem(line)
            self.lines.append(line)
        self.set_legend(series)
        if values:
            self.set_y_range(min(values), max(values))
        if xs:
            pad = max(1.0, (xs[-1] - xs[0]) * 0.03)
            self.view.setXRange(xs[0] - pad, xs[-1] + pad, padding=0)


__all__ = ["BarChart", "Chart", "LineChart", "Series", "round_range", "round_step"]
