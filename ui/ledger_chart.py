"""Budget against spending by month, as bars, drawn with QPainter (QtCharts would add PySide6-Addons, ~100 MB,
for one chart)."""

from __future__ import annotations

from typing import Any

from clinic_app.ledger import Ledger
from ui.i18n import tr
from ui.qt import QColor, QPainter, QPen, QPointF, QRectF, QSize, Qt, QWidget

BUDGET, SPENT, SURPLUS = QColor("#2e86c1"), QColor("#e67e22"), QColor("#1e8449")


class LedgerChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger: Ledger | None = None
        self.setMinimumHeight(240)

    def sizeHint(self) -> QSize:
        return QSize(720, 280)

    def show_ledger(self, ledger: Ledger | None) -> None:
        self.ledger = ledger
        self.update()

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        if self.ledger is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("No ledger for this period."))
            return
        months = self.ledger.months
        left, top, right, bottom = 70.0, 34.0, 16.0, 40.0
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        peak = max([m.budget_fen for m in months] + [m.spending_fen for m in months] + [1])
        painter.setPen(QPen(QColor("#999")))
        for i in range(5):  # grid and scale in yuan
            y = area.bottom() - area.height() * i / 4
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QRectF(0, y - 9, left - 6, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{peak * i / 4 / 100:,.0f}")  # fmt: skip
        slot = area.width() / len(months)
        bar = slot * 0.36
        for i, m in enumerate(months):
            x = area.left() + slot * i + slot * 0.12
            for offset, value, colour in ((0, m.budget_fen, BUDGET), (bar, m.spending_fen, SPENT)):
                height = area.height() * value / peak
                painter.fillRect(QRectF(x + offset, area.bottom() - height, bar, height), colour)
            painter.setPen(QPen(QColor("#333")))
            painter.drawText(QRectF(area.left() + slot * i, area.bottom() + 4, slot, 18), Qt.AlignmentFlag.AlignCenter,
                             m.month[5:] + tr("mo"))  # fmt: skip
        legend = ((BUDGET, tr("Budget paid in advance")), (SPENT, tr("Spending")))
        x = area.left()
        for colour, text in legend:
            painter.fillRect(QRectF(x, 8, 14, 14), colour)
            painter.setPen(QPen(QColor("#333")))
            painter.drawText(QPointF(x + 20, 20), text)
            x += 40 + painter.fontMetrics().horizontalAdvance(text)
        painter.drawText(QRectF(0, 8, self.width() - right, 16), Qt.AlignmentFlag.AlignRight, tr("yuan"))
        painter.end()
