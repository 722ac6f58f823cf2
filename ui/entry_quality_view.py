"""录入质量 (entry quality, issue 12 point 8): the clinic admin's view of clinic_app.entry_quality for a year — a
table per doctor (readings, the share ending in 0 or 5, the test's p, flagged) and the flagged visits with the
reason in plain words. The report is read on a worker (``Ops.work``, its own connection), never on the GUI thread;
a change to the follow-ups marks it stale, and it is read again when shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app import entry_quality as Q
from clinic_app.db import Connection
from clinic_app.store import Changes, Store
from clinic_app.users import User
from ui.chronic_words import disease_text, mode_text
from ui.i18n import tr
from ui.listmodel import RIGHT, Column, ListModel, ListView, Row, memory_fetch
from ui.ops import Op, Writer
from ui.qt import QEvent, QLabel, QSplitter, Qt, QVBoxLayout, QWidget

SHOWN = ("followup", "user")  # a change to one of these makes the report stale


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def reason_words(visit: Q.FlaggedVisit, limits: Q.Thresholds) -> str:
    """Why a visit is flagged, in words a village admin reads at once."""
    words = []
    for reason in visit.reasons:
        if reason == "identical":
            words.append(
                tr("The same reading at %1 visits in a row of this patient").replace("%1", str(visit.run))
            )
        elif reason == "burst":
            words.append(
                tr("%1 patients' visits recorded within %2 minutes: too fast to have measured them")
                .replace("%1", str(visit.burst))
                .replace("%2", str(limits.burst_minutes))
            )
        else:
            words.append(
                tr("Typed in on %1 for a day on which this doctor recorded nothing else").replace(
                    "%1", visit.recorded_on or ""
                )
            )
    return "; ".join(words)


def reading_words(visit: Q.FlaggedVisit) -> str:
    parts = []
    if visit.sbp is not None:
        parts.append(f"{visit.sbp}/{visit.dbp}")
    if visit.fasting_glucose:
        parts.append(f"{visit.fasting_glucose} mmol/L")
    return " ".join(parts)


def _rows(items: list[Any], key: str) -> list[Row]:
    """The report's rows as a list model holds them: keyed by the record (so a selection survives a reload), paged
    by position."""
    return [{"n": n, "key": getattr(item, key), "item": item} for n, item in enumerate(items)]


def _position(row: Row) -> int:
    return int(row["n"])


class EntryQualityView(QWidget):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.year = dt.date.today().year
        self.report: Q.EntryQualityReport | None = None
        self.stale = True
        self._reading: Op | None = None
        self._read_again = False
        self._conn: Connection | None = None  # the worker's own connection, made there

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 14px; padding: 2px 0;")
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555;")
        self.doctors_title = QLabel()
        self.doctors_title.setStyleSheet("font-weight: bold;")
        self.visits_title = QLabel()
        self.visits_title.setStyleSheet("font-weight: bold;")
        self.doctor_model = ListModel(self._doctor_columns(), key="key", cursor=_position, parent=self)
        self.doctor_view = ListView(self.doctor_model)
        self.visit_model = ListModel(self._visit_columns(), key="key", cursor=_position, parent=self)
        self.visit_view = ListView(self.visit_model)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.doctors_title)
        top_layout.addWidget(self.doctor_view)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.visits_title)
        bottom_layout.addWidget(self.visit_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.rule)
        layout.addWidget(split, 1)
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)
        self.retranslate()

    # -- columns --------------------------------------------------------------------------------------------
    def _doctor_columns(self) -> list[Column]:
        def d(row: Row) -> Q.DoctorQuality:
            item: Q.DoctorQuality = row["item"]
            return item

        return [
            Column("doctor", lambda: tr("Doctor"), lambda r: d(r).display_name, width=110),
            Column("visits", lambda: tr("Visits"), lambda r: str(d(r).visits), align=RIGHT, width=60),
            Column(
                "readings", lambda: tr("BP readings"), lambda r: str(d(r).readings), align=RIGHT, width=90
            ),
            Column(
                "share",
                lambda: tr("Ending in 0 or 5"),
                lambda r: percent(d(r).share),
                tooltip=lambda r: (
                    tr("%1 of %2 readings (by chance about 20%)")
                    .replace("%1", str(d(r).ending_0_5))
                    .replace("%2", str(d(r).readings))
                ),
                align=RIGHT,
                width=110,
            ),
            Column(
                "p",
                lambda: tr("p value"),
                lambda r: Q.p_text(d(r).p_value),
                tooltip=lambda _r: tr("How likely chance alone gives this many readings ending in 0 or 5"),
                align=RIGHT,
                width=90,
            ),
            Column(
                "identical", lambda: tr("Same reading"), lambda r: str(d(r).identical), align=RIGHT, width=90
            ),
            Column("burst", lambda: tr("Too fast"), lambda r: str(d(r).burst), align=RIGHT, width=70),
            Column("lonely", lambda: tr("Lone days"), lambda r: str(d(r).lonely), align=RIGHT, width=80),
            Column("flagged", lambda: tr("Check"), lambda r: self._verdict(d(r))),
        ]

    def _verdict(self, doctor: Q.DoctorQuality) -> str:
        if doctor.digits_flagged:
            return tr("⚠ Check: %1 of readings end in 0 or 5").replace("%1", percent(doctor.share))
        if doctor.flagged:
            return tr("⚠ Check the flagged visits")
        return tr("No sign")

    def _visit_columns(self) -> list[Column]:
        def v(row: Row) -> Q.FlaggedVisit:
            item: Q.FlaggedVisit = row["item"]
            return item

        def why(row: Row) -> str:
            return reason_words(v(row), self.report.thresholds if self.report else Q.Thresholds())

        return [
            Column("visit_date", lambda: tr("Visit date"), lambda r: v(r).visit_date, width=95),
            Column("name", lambda: tr("Patient"), lambda r: v(r).name, width=80),
            Column("disease", lambda: tr("Disease"), lambda r: disease_text(v(r).disease), width=90),
            Column("mode", lambda: tr("Mode"), lambda r: mode_text(v(r).visit_mode), width=80),
            Column("reading", lambda: tr("Reading"), lambda r: reading_words(v(r)), width=110),
            Column("doctor", lambda: tr("Doctor"), lambda r: v(r).doctor, width=80),
            Column("why", lambda: tr("Why it is flagged"), why, tooltip=why),
        ]

    # -- text -----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.doctors_title.setText(tr("Doctors"))
        count = len(self.report.visits) if self.report else 0
        self.visits_title.setText(tr("Flagged visits: %1").replace("%1", str(count)))
        limits = self.report.thresholds if self.report else Q.Thresholds()
        self.rule.setText(
            tr(
                "A measured reading ends in 0 or 5 about one time in five. A doctor is flagged when the year has "
                "at least %1 of the doctor's readings, %2 or more of them end in 0 or 5, and chance would explain "
                "that less than once in %3. Visits are flagged when a patient has the same reading %4 times in a row, when %5 "
                "patients' visits were recorded within %6 minutes, or when a visit was typed in later for a day "
                "the doctor recorded nothing else. A flag is a reason to look at the paper records together."
            )
            .replace("%1", str(limits.digit_min_readings))
            .replace("%2", f"{limits.digit_min_share_pct}%")
            .replace("%3", f"{round(1 / limits.alpha):,}")
            .replace("%4", str(limits.identical_run))
            .replace("%5", str(limits.burst_visits))
            .replace("%6", str(limits.burst_minutes))
        )
        self.doctor_model.retranslate()
        self.visit_model.retranslate()
        self._show_summary()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_summary(self) -> None:
        if self._reading is not None and self._reading.running:
            self.summary.setText(tr("Reading the follow-ups of %1…").replace("%1", str(self.year)))
            return
        report = self.report
        if report is None:
            self.summary.setText("")
            return
        if not report.doctors:
            self.summary.setText(tr("No follow-ups are dated in %1.").replace("%1", str(report.period)))
            return
        flagged = [d.display_name for d in report.doctors if d.flagged]
        if flagged:
            self.summary.setText(
                tr("%1: to check — %2; %3 visits flagged.")
                .replace("%1", str(report.period))
                .replace("%2", "、".join(flagged))
                .replace("%3", str(len(report.visits)))
            )
            self.summary.setStyleSheet("font-size: 14px; padding: 2px 0; color: #a04000; font-weight: bold;")
        else:
            self.summary.setText(
                tr("%1: no sign of invented readings among %2 doctors.")
                .replace("%1", str(report.period))
                .replace("%2", str(len(report.doctors)))
            )
            self.summary.setStyleSheet("font-size: 14px; padding: 2px 0; color: #1e7e34;")

    def title(self) -> str:
        return tr("Entry quality")

    # -- reading --------------------------------------------------------------------------------------------
    def show_year(self, year: int) -> None:
        self.set_period(year)

    def set_period(self, year: int) -> None:
        """Show the report of this calendar year (read when the view is shown)."""
        if year != self.year:
            self.year = year
            self.stale = True
        if self.stale and self.isVisible():  # the page asks each time the tab is shown: read once
            self.refresh()

    def refresh(self) -> None:
        if self._reading is not None and self._reading.running:
            self._read_again = True  # one read at a time on the worker's connection; the newest after it
            return
        self.stale = False
        year = self.year
        self._reading = self.writer.work(lambda: self._read(year), self._shown, parent=self)
        self._show_summary()

    def _read(self, year: int) -> Q.EntryQualityReport:
        """Off the GUI thread: its own connection, made there once."""
        if self._conn is None:
            self._conn = self.store.reader()
        return Q.build(self._conn, self.store.clinic_id, year)

    def _shown(self, report: Q.EntryQualityReport) -> None:
        self.report = report
        self.doctor_model.set_fetch(memory_fetch(_rows(report.doctors, "user_id")))
        self.visit_model.set_fetch(memory_fetch(_rows(report.visits, "followup_id")))
        self.retranslate()  # the rule's thresholds are the county's of that year
        if self._read_again or report.period != self.year:
            self._read_again = False
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def _store_changed(self, changes: Changes) -> None:
        if any(changes.touched(t) for t in SHOWN):
            self.stale = True
            if self.isVisible():
                self.refresh()

    def shutdown(self) -> None:
        if self._reading is not None and self._reading.running:
            self._reading.wait(5)
        if self._conn is not None:
            self._conn.close()
            self._conn = None
