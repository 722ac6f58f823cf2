"""The 报表 page: a year and one tab per report. 录入质量 (entry quality) is the clinic admin's only: other roles do
not get the tab."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app.db import Connection
from clinic_app.store import Store
from clinic_app.users import User
from ui.entry_quality_view import EntryQualityView
from ui.i18n import tr
from ui.ops import Writer
from ui.qt import QEvent, QHBoxLayout, QLabel, QSpinBox, Qt, QTabWidget, QVBoxLayout, QWidget

FIRST_YEAR = 2000


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
        today = today or dt.date.today()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.year_label = QLabel()
        self.year = QSpinBox()
        self.year.setRange(FIRST_YEAR, today.year)
        self.year.setValue(today.year)
        self.year.setKeyboardTracking(False)  # a typed year counts when complete (Enter, or leaving the box)
        self.year_label.setBuddy(self.year)
        self.year.valueChanged.connect(self._year_changed)
        self.empty = QLabel()
        self.tabs = QTabWidget()
        self.quality: EntryQualityView | None = None
        if user.is_admin:
            self.quality = EntryQualityView(store, reader, writer, user)
            self.quality.set_period(today.year)
            self.tabs.addTab(self.quality, "")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.year_label)
        top.addWidget(self.year)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty, 1)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        has_reports = self.tabs.count() > 0  # none for this role: a plain sentence, not an empty frame
        for widget in (self.tabs, self.year_label, self.year):
            widget.setVisible(has_reports)
        self.empty.setVisible(not has_reports)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Reports"))
        self.year_label.setText(tr("&Year:"))
        self.empty.setText(tr("No report is open to your role yet."))
        if self.quality is not None:
            self.tabs.setTabText(self.tabs.indexOf(self.quality), tr("Entry quality"))

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _year_changed(self, year: int) -> None:
        if self.quality is not None:
            self.quality.set_period(year)

    def shutdown(self) -> None:
        if self.quality is not None:
            self.quality.shutdown()
