"""The 慢病随访 page: the worklists of chronic care (issue 12 point 5) — due this week, overdue (with the days
overdue), referrals not followed up, patients short of the standard's 4 face-to-face visits this year — each a
``ui.listmodel.ListModel`` paged from clinic_app.chronic_records. On a row: Enter starts the follow-up (on the
referrals list: the referral's follow-up), 记录联系结果… records what came of a call (the row leaves the list),
档案… opens the patient's chart; 登记慢病… registers a patient.

Like the 签约 page, a list is paged on the window's reader connection (a keyset page, ≤ 20 ms at 5,000 patients
by the benchmark's target) and every write runs on the writer; after a write anywhere the list on screen is
read again only when the write touched a table it shows (others are marked stale and read when shown)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinic_app import chronic_records as R
from clinic_app.db import Connection
from clinic_app.residents import mask_id_number
from clinic_app.store import Changes, Store
from clinic_app.users import User
from ui.chronic_dialogs import ContactDialog, ReferralFollowupDialog, RegisterDialog
from ui.chronic_words import (
    classification_text,
    contact_text,
    disease_text,
    referral_reason_text,
    referral_text,
)
from ui.followup_dialog import FollowupDialog
from ui.i18n import tr
from ui.listmodel import PAGE_SIZE, RIGHT, Column, Fetch, ListModel, ListView, Row
from ui.notice import Notice
from ui.ops import Op, Writer
from ui.qt import QEvent, QHBoxLayout, QLabel, QPushButton, Qt, QTabWidget, QVBoxLayout, QWidget, alive

LISTS = ("due", "overdue", "referrals", "short")
CURSORS = {"referrals": R.referral_cursor, "short": R.short_cursor}  # the others: R.cursor
SHOWN = ("disease_registration", "followup", "referral", "resident")  # a change to one refreshes the lists
DUE_DAYS = 7  # "due this week": today and the six days after


def reading_text(row: Row) -> str:
    if row.get("disease") == "diabetes" and row.get("fasting_glucose"):
        return f"{row['fasting_glucose']} mmol/L"
    if row.get("sbp") is not None:
        return f"{row['sbp']}/{row['dbp']}"
    return ""


def read_rows(fetch: Fetch, cursor: Callable[[Row], Any], wanted: int) -> list[Row]:
    """Pages of a list from its top until ``wanted`` rows are read or the list ends."""
    rows: list[Row] = []
    while len(rows) < wanted:
        page = fetch(cursor(rows[-1]) if rows else None, PAGE_SIZE)
        rows += page
        if len(page) < PAGE_SIZE:
            break
    return rows


def primed(rows: list[Row], fetch: Fetch) -> Fetch:
    """A list's fetch that gives ``rows`` (read already, on a worker) as its first pages, then reads on."""
    chunks = [rows[i : i + PAGE_SIZE] for i in range(0, len(rows), PAGE_SIZE)] or [[]]

    def first_pages(after: Any, limit: int) -> list[Row]:
        if chunks:  # once: a later read from the top reads afresh
            return chunks.pop(0)[:limit]
        return fetch(after, limit)

    return first_pages


class ChronicPage(QWidget):
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
        self.opening: FollowupDialog | None = None  # the follow-up form last opened
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.today = today or dt.date.today()
        self.stale = set(LISTS)
        self.read_once: set[str] = set()
        self._generation: dict[str, int] = {}  # the latest read of each list; an older one's rows are dropped
        self._select_when_read: dict[str, Any] = {}
        self._worker_lock = threading.Lock()
        self._worker_conn: Connection | None = None  # the page's reads on a worker: one at a time, warm cache
        self._printing: Op | None = None
        self.models: dict[str, ListModel] = {}
        self.views: dict[str, ListView] = {}
        self.tabs = QTabWidget()
        for which in LISTS:
            key = "referral_id" if which == "referrals" else "registration_id"
            model = ListModel(self._columns(which), key=key, parent=self)
            view = ListView(model)
            view.activated.connect(lambda _i, w=which: self.start(w))  # Enter, and a double click
            view.selectionModel().selectionChanged.connect(lambda _a, _b: self._enable())
            self.models[which], self.views[which] = model, view
            tab = QWidget()
            QVBoxLayout(tab).addWidget(view)
            self.tabs.addTab(tab, "")
        self.tabs.currentChanged.connect(lambda _i: self._shown_changed())

        self.followup_button = QPushButton()
        self.contact_button = QPushButton()
        self.referral_button = QPushButton()
        self.chart_button = QPushButton()
        self.print_button = QPushButton()
        self.visit_button = QPushButton()
        self.register_button = QPushButton()
        self.round_button = QPushButton()
        self.round_excel_button = QPushButton()
        self.followup_button.clicked.connect(lambda: self.start_followup())
        self.contact_button.clicked.connect(lambda: self.record_contact())
        self.referral_button.clicked.connect(lambda: self.follow_up_referral())
        self.chart_button.clicked.connect(lambda: self.open_chart())
        self.print_button.clicked.connect(lambda: self.print_record())
        self.visit_button.clicked.connect(lambda: self.open_visit())
        self.register_button.clicked.connect(lambda: self.open_register())
        self.round_button.clicked.connect(lambda: self.print_round())
        self.round_excel_button.clicked.connect(lambda: self.export_round())
        self.count = QLabel()
        buttons = QHBoxLayout()
        for b in (
            self.followup_button,
            self.contact_button,
            self.referral_button,
            self.chart_button,
            self.print_button,
            self.visit_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.round_button)
        top.addWidget(self.round_excel_button)
        top.addWidget(self.register_button)
        self.notice = Notice()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)
        self.retranslate()
        self._enable()

    # -- text -----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(tr("Chronic-disease follow-ups"))
        for i, text in enumerate(
            (
                tr("Due this week"),
                tr("Overdue"),
                tr("Referrals not followed up"),
                tr("Short of 4 visits this year"),
            )
        ):
            self.tabs.setTabText(i, text)
        self.followup_button.setText(tr("Follow-up… (Enter)"))
        self.contact_button.setText(tr("Record call outcome…"))
        self.referral_button.setText(tr("Follow up referral…"))
        self.chart_button.setText(tr("Patient chart…"))
        self.print_button.setText(tr("Print follow-up record…"))
        self.visit_button.setText(tr("Visit…"))
        self.register_button.setText(tr("Register a patient…"))
        self.round_button.setText(tr("Print today's home round…"))
        self.round_excel_button.setText(tr("Home round to Excel…"))
        for model in self.models.values():
            model.retranslate()
        self._show_count()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _columns(self, which: str) -> list[Column]:
        name = Column("name", lambda: tr("Name"), lambda r: r["name"], width=80)
        disease = Column("disease", lambda: tr("Disease"), lambda r: disease_text(r["disease"]), width=90)
        phone = Column("phone", lambda: tr("Phone"), lambda r: r.get("phone") or "", width=110)
        if which == "referrals":
            return [
                name,
                disease,
                Column("referred_on", lambda: tr("Referred"), lambda r: r["referred_on"], width=95),
                Column("urgency", lambda: tr("Urgency"), lambda r: referral_text(r["urgency"]), width=80),
                Column(
                    "to",
                    lambda: tr("To"),
                    lambda r: " ".join(x for x in (r["institution"], r["department"]) if x),
                    width=170,
                ),
                Column("due_on", lambda: tr("Follow up by"), lambda r: r["due_on"], width=95),
                Column(
                    "days_overdue",
                    lambda: tr("Days overdue"),
                    lambda r: str(r["days_overdue"]) if r["days_overdue"] else "",
                    align=RIGHT,
                    width=80,
                ),
                phone,
                Column(
                    "reason",
                    lambda: tr("Reason"),
                    lambda r: referral_reason_text(r["reason"]),
                    tooltip=lambda r: referral_reason_text(r["reason"]),
                ),
            ]
        if which == "short":
            return [
                name,
                disease,
                Column(
                    "id_number", lambda: tr("ID number"), lambda r: mask_id_number(r["id_number"]), width=170
                ),
                Column(
                    "done",
                    lambda: tr("Face-to-face this year"),
                    lambda r: str(r["done"]),
                    align=RIGHT,
                    width=120,
                ),
                Column("left", lambda: tr("Still to do"), lambda r: str(r["left"]), align=RIGHT, width=80),
                Column(
                    "weeks", lambda: tr("Weeks left"), lambda r: str(r["weeks_left"]), align=RIGHT, width=80
                ),
                phone,
            ]
        columns = [
            name,
            disease,
            Column("last", lambda: tr("Last visit"), lambda r: r["visit_date"] or tr("never"), width=95),
            Column(
                "class",
                lambda: tr("Classification"),
                lambda r: classification_text(r["classification"]),
                width=95,
            ),
            Column("reading", lambda: tr("Last reading"), reading_text, width=95),
            Column("due_on", lambda: tr("Due"), lambda r: r["due_on"], width=95),
        ]
        if which == "overdue":
            columns.append(
                Column(
                    "days_overdue",
                    lambda: tr("Days overdue"),
                    lambda r: str(r["days_overdue"]),
                    align=RIGHT,
                    width=80,
                )
            )
        columns += [
            phone,
            Column(
                "contact",
                lambda: tr("Last call"),
                lambda r: (
                    f"{r['contacted_on']} {contact_text(r['contact_outcome'])}"
                    if r.get("contact_outcome")
                    else ""
                ),
            ),
        ]
        return columns

    # -- reading --------------------------------------------------------------------------------------------
    def shown(self) -> str:
        return LISTS[max(self.tabs.currentIndex(), 0)]

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._read_shown()

    def _shown_changed(self) -> None:
        self._read_shown()
        self._enable()

    def _read_shown(self) -> None:
        if not self.isVisible():
            return
        which = self.shown()
        if which in self.stale:
            self.stale.discard(which)
            self._read(which)

    def _fetcher(self, which: str, conn: Connection | None = None) -> Fetch:
        """A page of one list, on ``conn`` (default: the window's reader, for the pages scrolled to)."""
        clinic, today = self.store.clinic_id, self.today
        on = conn if conn is not None else self.reader

        def fetch(after: Any, limit: int) -> list[Row]:
            if which == "due":
                return R.due_page(on, clinic, today, DUE_DAYS, after=after, limit=limit)
            if which == "overdue":
                return R.overdue_page(on, clinic, today, after=after, limit=limit)
            if which == "referrals":
                return R.referral_page(on, clinic, today, after=after, limit=limit)
            return R.short_page(on, clinic, today, after=after, limit=limit)

        return fetch

    def _read(self, which: str) -> None:
        """Read the list again on a worker — as many rows as are loaded, at least a page — and show them; the
        pages scrolled to later are read on the window's reader as the view asks for them (one page, ≤ 20 ms)."""
        model = self.models[which]
        cursor = CURSORS.get(which, R.cursor)
        wanted = max(model.rowCount(), PAGE_SIZE)
        self._generation[which] = generation = self._generation.get(which, 0) + 1

        def work() -> list[Row]:
            with self._worker_lock:
                if self._worker_conn is None:
                    self._worker_conn = self.store.reader()
                return read_rows(self._fetcher(which, self._worker_conn), cursor, wanted)

        def done(rows: list[Row]) -> None:
            if self._generation.get(which) != generation:
                return  # a later read of this list is under way
            view = self.views[which]
            kept = view.current_key()
            model.cursor = cursor
            model.set_fetch(primed(rows, self._fetcher(which)))
            while model.rowCount() < len(rows) and model.canFetchMore():
                model.fetchMore()  # the pages read on the worker: as many as were loaded before
            self.read_once.add(which)
            wanted = self._select_when_read.pop(which, None)
            if wanted is not None:
                view.select_key(wanted)
            elif kept is not None and view.current_key() != kept and model.row_of(kept) >= 0:
                view.selectRow(model.row_of(kept))  # kept beyond the first page: only among the rows read
            self._show_count()
            self._enable()

        self.writer.work(work, done, parent=self)

    def show_row(self, which: str, key: Any) -> None:
        """Select this row of the list once the list's read under way (if any) is shown."""
        self._select_when_read[which] = key

    def _show_count(self) -> None:
        model = self.models[self.shown()]
        more = "+" if model.canFetchMore() else ""
        self.count.setText(tr("%1 in this list").replace("%1", f"{model.rowCount():,}{more}"))

    def _store_changed(self, changes: Changes) -> None:
        if not changes.touched(*SHOWN):
            return
        self.stale |= set(LISTS)
        self._read_shown()

    # -- the selected row -----------------------------------------------------------------------------------
    def selected(self) -> Row | None:
        which = self.shown()
        key = self.views[which].current_key()
        model = self.models[which]
        at = model.row_of(key) if key is not None else -1
        return model.row_data(at) if at >= 0 else None

    def _enable(self) -> None:
        row = self.selected()
        which = self.shown()
        self.followup_button.setEnabled(row is not None)
        self.contact_button.setEnabled(row is not None and which != "referrals")
        self.referral_button.setEnabled(row is not None and which == "referrals")
        self.chart_button.setEnabled(row is not None)
        self.print_button.setEnabled(row is not None)
        self.visit_button.setEnabled(row is not None)
        hint = "" if row is not None else tr("Select a patient in the list first.")
        for b in (
            self.followup_button,
            self.contact_button,
            self.referral_button,
            self.chart_button,
            self.print_button,
            self.visit_button,
        ):
            b.setToolTip(hint)

    # -- actions ---------------------------------------------------------------------------------------------
    def start(self, which: str) -> Any:
        """Enter (or a double click) on a row: the referral's follow-up on the referrals list, else the form."""
        return self.follow_up_referral() if which == "referrals" else self.start_followup()

    def start_followup(self) -> FollowupDialog | None:
        row = self.selected()
        if row is None:
            return None
        if self.opening is not None and alive(self.opening) and not self.opening.ready:
            return self.opening  # a second Enter while the form is still being built (it shows when whole)
        dialog = FollowupDialog(
            self.store,
            self.reader,
            self.writer,
            self.user,
            row["resident_id"],
            row["disease"],
            self.today,
            self,
        )
        name = row["name"]

        def saved() -> None:
            result = dialog.saved
            if result is None:
                return
            text = (
                tr("Follow-up of %1 recorded: %2, next visit by %3.")
                .replace("%1", name)
                .replace("%2", classification_text(result.classification))
                .replace("%3", result.next_visit_date.isoformat())
            )
            if result.referral:
                text += " " + tr("%1 opened.").replace("%1", referral_text(result.referral))
            self.notice.say(text)

        dialog.accepted.connect(saved)
        dialog.open()
        self.opening = dialog
        return dialog

    def record_contact(self) -> ContactDialog | None:
        row = self.selected()
        if row is None or self.shown() == "referrals":
            return None
        dialog = ContactDialog(self.store, self.writer, self.user, row, self.today, self)

        def saved() -> None:
            self.notice.say(
                tr("Call to %1 recorded: %2.")
                .replace("%1", row["name"])
                .replace("%2", contact_text(dialog.chosen()))
            )

        dialog.accepted.connect(saved)
        dialog.open()
        return dialog

    def follow_up_referral(self) -> ReferralFollowupDialog | None:
        row = self.selected()
        if row is None or self.shown() != "referrals":
            return None
        dialog = ReferralFollowupDialog(self.store, self.writer, self.user, row, self.today, self)
        dialog.accepted.connect(
            lambda: self.notice.say(tr("The referral of %1 is followed up.").replace("%1", row["name"]))
        )
        dialog.open()
        return dialog

    def open_visit(self) -> Any:
        """The visit form of the selected patient, type 14 for the list's disease when the patient qualifies."""
        from ui.visit_dialog import open_visit_of_selected

        return open_visit_of_selected(self)

    def open_register(self) -> RegisterDialog:
        dialog = RegisterDialog(self.store, self.reader, self.writer, self.user, self.today, self)

        def saved() -> None:
            person = dialog.resident or {}
            self.notice.say(
                tr("%1 is registered for %2: due for a first follow-up.")
                .replace("%1", person.get("name", ""))
                .replace("%2", disease_text(dialog.disease.currentData()))
            )
            self.tabs.setCurrentIndex(LISTS.index("due"))
            if dialog.result_value:
                self.show_row("due", dialog.result_value)  # the new patient, once the list read again has it
                if "due" not in self.stale:
                    self._read("due")

        dialog.accepted.connect(saved)
        dialog.open()
        return dialog

    def open_chart(self) -> Any:
        from ui.chronic_chart import PatientChart

        row = self.selected()
        if row is None:
            return None
        chart = PatientChart(
            self.store, self.writer, row["resident_id"], self.today, self, reader=self.reader, user=self.user
        )
        chart.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chart.open()
        return chart

    def print_record(self) -> Any:
        """The print preview of the selected patient's follow-up record (the standard's form, 4 visits a sheet)."""
        from ui.followup_print import preview_record

        row = self.selected()
        if row is None or self._preparing():
            return None
        self._printing = preview_record(self.store, self.writer, row["resident_id"], row["disease"], self)
        return self._printing

    def print_round(self) -> Any:
        """The print preview of today's home-visit round (due today or overdue, by village and household)."""
        from ui.round_print import preview_round

        if self._preparing():
            return None
        self._printing = preview_round(self.store, self.writer, self.today, self)
        return self._printing

    def _preparing(self) -> bool:
        """A preview is being read and laid out: a second click opens no second one."""
        return self._printing is not None and self._printing.running

    def export_round(self) -> Any:
        """Ask where to save today's round as a workbook (Documents, the day in its name), then write it."""
        from ui.files import ask_where_to_save

        name = tr("Home round %1.xlsx").replace("%1", self.today.isoformat())
        return ask_where_to_save(
            self, tr("Home round to Excel…"), name, "Excel (*.xlsx)", "xlsx", self.write_round
        )

    def write_round(self, target: Path) -> None:
        """Reads the round and writes the workbook on a worker (its own connection); the notice says where."""
        from clinic_app import chronic_round as H

        store, clinic, today = self.store, self.store.clinic_id, self.today

        def work() -> int:
            conn = store.reader()
            try:
                rows = H.round_rows(conn, clinic, today)
            finally:
                conn.close()
            H.export_xlsx(rows, target, today)
            return len(rows)

        def written(count: int) -> None:
            self.notice.say(
                tr("Today's home round (%1 patients) is saved in %2.")
                .replace("%1", str(count))
                .replace("%2", str(target))
            )

        from ui.files import not_written

        self.writer.work(work, written, not_written(self, target), parent=self)
