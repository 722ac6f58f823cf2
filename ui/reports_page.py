"""The 报表 page: a year and the clinic's reports of it, a tab each. A tab is a widget with ``title()``,
``show_year(year)`` (read the year's figures off the GUI thread) and ``retranslate()``; each is added by one
``self.tabs.addTab(...)`` line in ``__init__``. 指标 (ui/indicators_view.py): the chronic-care indicators, everyone's;
录入质量 (ui/entry_quality_view.py): the entry-quality report, the clinic admin's only (other roles do not get the tab);
日结 (ui/day_end_view.py): a day's visits, their totals and receipts reconciled, printed, exported for the insurance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app.db import Connection
from clinic_app.store import Store
from clinic_app.users import User
from ui.day_end_view import DayEndView
from ui.entry_quality_view import EntryQualityView
from ui.i18n import tr
from ui.indicators_view import IndicatorsView
from ui.ops import Writer
from ui.qt import QComboBox, QEvent, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

YEARS_SHOWN = 6  # this year and the five before it


class ReportsPage(QWidget):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.today = today or dt.date.today()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.year_label = QLabel()
        self.year = QComboBox()
        for year in range(self.today.year, self.today.year - YEARS_SHOWN, -1):
            self.year.addItem(str(year), year)
        self.year_label.setBuddy(self.year)
        self.year.currentIndexChanged.connect(lambda _i: self._show_year())
        self.indicators = IndicatorsView(store, writer)
        self.quality = EntryQualityView(store, reader, writer, user) if user.is_admin else None
        self.tabs = QTabWidget()
        self.day_end = DayEndView(store, writer, self.today)
        self.tabs.addTab(self.indicators, "")
        if self.quality is not None:
            self.tabs.addTab(self.quality, "")
        self.tabs.addTab(self.day_end, "")
        self.tabs.currentChanged.connect(lambda _i: self._show_year())
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.year_label)
        top.addWidget(self.year)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Reports"))
        self.year_label.setText(tr("&Year:"))
        for i in range(self.tabs.count()):
            tab: Any = self.tabs.widget(i)
            tab.retranslate()
            self.tabs.setTabText(i, tab.title())

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def selected_year(self) -> int:
        return int(self.year.currentData())

    def _show_year(self) -> None:
        if self.isVisible():
            tab: Any = self.tabs.currentWidget()
            tab.show_year(self.selected_year())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._show_year()

    def shutdown(self) -> None:
        if self.quality is not None:
            self.quality.shutdown()
