"""The capitation ledger by month: the budget paid in advance against spending, as bars (ui/charts.py).

The chart is built the first time it is shown — pyqtgraph takes 0.25-0.45 s to import, which the program's
start must not pay; until then the ledger handed to it waits. A few seconds after the window opens, the import
runs on a thread of its own (the GUI thread keeps turning: the import mostly runs Python, which yields the GIL),
so the first look at the ledger does not pay it either. The GUI thread never imports it: a ledger shown before
the import is done says the chart is loading and draws it when the import has finished."""

from __future__ import annotations

import importlib
import sys
import threading
from typing import TYPE_CHECKING, Any

from clinic_app.ledger import Ledger
from ui.i18n import tr
from ui.qt import QEvent, QLabel, QSize, Qt, QTimer, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ui.charts import BarChart

BUDGET, SPENT = "#2e86c1", "#e67e22"
WARM_UP_MS = 3000
LOADING_POLL_MS = 50


def charts_ready() -> bool:
    """The charting library is imported (and no thread is still importing it)."""
    return "ui.charts" in sys.modules and not any(t.is_alive() for t in _warming)
_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Import the charting library in the background, once per process."""
    if _warming or "ui.charts" in sys.modules:
        return
    worker = threading.Thread(target=importlib.import_module, args=("ui.charts",), name="charts-import",
                              daemon=True)  # fmt: skip
    _warming.append(worker)
    worker.start()


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
        self._update()
        QTimer.singleShot(WARM_UP_MS, warm_up)

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
            if not charts_ready():
                warm_up()
                self.empty.setText(tr("Loading the chart…"))
                self.empty.show()
                QTimer.singleShot(LOADING_POLL_MS, self._update)
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
