"""The capitation ledger by month: the budget paid in advance against spending, as bars (ui/charts.py).

The chart is built the first time it is shown — pyqtgraph takes 0.25-0.45 s to import, which the program's
start must not pay; until then the ledger handed to it waits. A few seconds after the window opens, the import
runs as an op on a worker (the GUI thread keeps turning: the import mostly runs Python, which yields the GIL),
so the first look at the ledger does not pay it either. The GUI thread never imports it: a ledger shown before
the import is done says the chart is loading and draws it when the op reports the import done."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clinic_app.heap import collector_skips_the_heap_as_it_is
from clinic_app.ledger import Ledger
from ui.i18n import tr
from ui.ops import Op, Ops
from ui.qt import (
    QEvent,
    QLabel,
    QObject,
    QSize,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    alive,
    every_binding_named,
    name_every_binding,
)

if TYPE_CHECKING:
    from ui.charts import BarChart

BUDGET, SPENT = "#2e86c1", "#e67e22"
WARM_UP_MS = 3000
CHARTS = "ui.charts"


def import_charts() -> object:
    """Off the GUI thread (a batch of Qt types named first on the GUI thread: ``after_naming_bindings``). The import
    makes many objects: the full collections they trigger skip the heap as it was (clinic_app.heap), else one
    scanned the whole program holding the GIL (~100 ms, the window still)."""
    with collector_skips_the_heap_as_it_is():
        return importlib.import_module("ui.charts")


def after_naming_bindings(owner: QObject, then: Callable[[], None]) -> None:
    """``then()`` once every Qt type pyqtgraph names is made (ui.qt.name_every_binding): at once if they are, else
    after a batch a turn of the event loop (~30 turns of 1-7 ms), while ``owner`` lives."""
    if every_binding_named():
        then()
        return
    pieces = name_every_binding()

    def step() -> None:
        if not alive(owner):
            return
        if next(pieces, False) is False:
            then()
            return
        QTimer.singleShot(0, owner, step)

    step()


class LedgerChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger: Ledger | None = None
        self.chart: BarChart | None = None
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("background: white; color: #555;")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.empty)
        self.setMinimumHeight(240)
        self._ops = Ops(self)
        self._importing: Op | None = None
        self._naming = False
        self._update()
        QTimer.singleShot(WARM_UP_MS, self.warm_up)

    def charts_ready(self) -> bool:
        """The charting library is imported (and not by an op of ours still under way)."""
        return CHARTS in sys.modules and (self._importing is None or self._importing.done)

    def warm_up(self) -> None:
        """Import the charting library off the GUI thread, once."""
        if self._importing is None and not self._naming and CHARTS not in sys.modules:
            self._naming = True
            after_naming_bindings(self, self._start_import)

    def _start_import(self) -> None:
        if CHARTS not in sys.modules:
            self._importing = self._ops.work(import_charts, self._imported)

    def _imported(self, _module: object) -> None:
        self._update()

    def sizeHint(self) -> QSize:
        return QSize(720, 280)

    def show_ledger(self, ledger: Ledger | None) -> None:
        self.ledger = ledger
        self._update()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.chart is None and self.ledger is not None:
            self._update()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._update()
        super().changeEvent(event)

    def _build(self) -> BarChart:
        from ui.charts import BarChart

        chart = BarChart()
        self.layout_.addWidget(chart)
        return chart

    def show_reading(self) -> None:
        """The ledger is being read (not "no ledger": a doctor would take that for the answer)."""
        self.empty.setText(tr("Reading the ledger…"))
        self.empty.show()
        if self.chart is not None:
            self.chart.hide()

    def _update(self) -> None:
        book = self.ledger
        if book is None or not book.months:
            self.empty.setText(tr("No ledger for this period."))
            self.empty.show()
            if self.chart is not None:
                self.chart.hide()
            return
        if self.chart is None:
            if not self.isVisible():
                return  # drawn when first shown
            if not self.charts_ready():
                self.warm_up()  # its outcome draws the chart
                self.empty.setText(tr("Loading the chart…"))
                self.empty.show()
                return
            self.chart = self._build()
        from ui.charts import Series

        self.empty.hide()
        self.chart.show()
        self.chart.set_unit(tr("yuan"))
        self.chart.set_bars(
            [m.month[5:] + tr("mo") for m in book.months],
            [
                Series(tr("Budget paid in advance"), [m.budget_fen / 100 for m in book.months], BUDGET),
                Series(tr("Spending"), [m.spending_fen / 100 for m in book.months], SPENT),
            ],
        )
