"""The 签约 page: the contracts of a year, the worklists (renewals due, never signed, signed but not insured),
and the capitation ledger with its chart; signing (one resident or a household), renewal, termination, a change
of team, the printed contract and the Excel export.

Every list is a ``ui.listmodel.ListModel`` paged from ``clinic_app.contracts`` (pinyin order, filtered by the
search box). The page reads only what it shows: after a write anywhere it reloads a part only when the write
touched a table that part shows, and only while the part is on screen (else the part is marked stale and read
when shown). The ledger is read on a worker (its own connection): with a year of outpatient visits its spending
took 140-160 ms at 5,000 patients, too long for the GUI thread (it was 12 ms at 5,000 contracts without visits)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from clinic_app import ledger as L
from clinic_app.db import Connection
from clinic_app.digits import ascii_digits
from clinic_app.errors import ClinicError, ValidationError
from clinic_app.money import yuan
from clinic_app.residents import mask_id_number
from clinic_app.store import Changes, Store
from clinic_app.users import User
from ui.contract_dialogs import (
    ChangeTeamDialog,
    RenewDialog,
    TerminateDialog,
    contract_error_text,
    reason_text,
    status_text,
)
from ui.files import ask_where_to_save, why_not_written
from ui.i18n import tr
from ui.ledger_chart import LedgerChart
from ui.listmodel import RIGHT, Column, ListModel, ListView, Row
from ui.notice import Notice
from ui.ops import LatestRead, Op, Writer, show_failure
from ui.qt import (
    QComboBox,
    QEvent,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    Qt,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ui.sign_dialog import LookupFactory, ResidentPicker, SignDialog

# The tables each part of the page shows: a write elsewhere reloads a part only when it touched one of them.
CONTRACT_TABLES = ("contract", "resident", "team")
WORKLIST_TABLES = ("contract", "resident", "team", "insurance_status")
LEDGER_TABLES = ("contract", "resident", "insurance_status", "policy", "visit", "visit_cancel")
SEARCH_DELAY_MS = 150
MAX_CHANGED_ROWS = 2000  # more changed contracts than this (a first sync): the list is read again instead


class YearBox(QSpinBox):
    """The period's year. A Chinese input method types full-width digits (２０２７): read as 0-9, as every number
    field does (clinic_app.digits); Qt's own spin box would drop them without a word."""

    def validate(self, text: str, pos: int) -> Any:
        with contextlib.suppress(ValidationError):  # a digit of another script: Qt refuses it as a letter
            text = ascii_digits("period", text)
        return super().validate(text, pos)


class ContractsPage(QWidget):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        lookup_factory: LookupFactory | None = None,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.lookup_factory = lookup_factory
        self.today = today or dt.date.today()
        self.book: L.Ledger | None = None
        self.ledger_read = LatestRead(writer, self)  # the ledger's reads: an older one's outcome is dropped
        self.stale = {"contracts", "worklist", "ledger"}
        self._packages: dict[str, str] | None = None
        self._fetch_key: tuple[str, str] | None = None
        self.contract_total: int | None = None
        self.work_total: int | None = None
        self._printing: Op | None = None  # the contract's preview being read and drawn
        # contracts changed since the list was read (None: too many or unknown — read the list again)
        self._changed_contracts: set[str] | None = None

        self.year = YearBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self.today.year)
        self.year.valueChanged.connect(lambda _v: self._query_changed())
        self.finder = QLineEdit()
        self.finder.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(lambda: self._query_changed())
        self.finder.textEdited.connect(lambda _t: self._debounce.start())
        self.finder.returnPressed.connect(lambda: self._search_now())
        self.finder.installEventFilter(self)
        self.sign_button = QPushButton()
        self.household_button = QPushButton()
        self.teams_button = QPushButton()
        self.sign_button.clicked.connect(lambda: self.sign_found())
        self.household_button.clicked.connect(lambda: self.sign_found(household=True))
        self.teams_button.clicked.connect(lambda: self.open_teams())
        self.year_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.year_label)
        top.addWidget(self.year)
        top.addWidget(self.finder, 1)
        top.addWidget(self.sign_button)
        top.addWidget(self.household_button)
        top.addWidget(self.teams_button)

        # contracts
        self.contract_model = ListModel(self._contract_columns(), cursor=C.contract_cursor, parent=self)
        self.contracts = ListView(self.contract_model)
        self.renew_button, self.terminate_button = QPushButton(), QPushButton()
        self.transfer_button, self.print_button = QPushButton(), QPushButton()
        self.renew_button.clicked.connect(lambda: self.renew_selected())
        self.terminate_button.clicked.connect(lambda: self.terminate_selected())
        self.transfer_button.clicked.connect(lambda: self.transfer_selected())
        self.print_button.clicked.connect(lambda: self.print_selected())
        self.contracts.doubleClicked.connect(lambda _i: self.view_selected())
        self.contracts.selectionModel().selectionChanged.connect(lambda _a, _b: self._enable())
        self.contract_count = QLabel()
        list_tab = QWidget()
        lt = QVBoxLayout(list_tab)
        lt.addWidget(self.contracts, 1)
        row = QHBoxLayout()
        for b in (self.renew_button, self.terminate_button, self.transfer_button, self.print_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.contract_count)
        lt.addLayout(row)

        # worklists
        self.which = QComboBox()
        for key in ("renewals30", "renewals60", "never", "uninsured"):
            self.which.addItem("", key)
        self.which.currentIndexChanged.connect(lambda _i: self._worklist_changed())
        self.work_model = ListModel([], key="id", parent=self)
        self.worklist = ListView(self.work_model)
        self.worklist.doubleClicked.connect(lambda _i: self._work_activated())
        self.work_count = QLabel()
        work_tab = QWidget()
        w = QVBoxLayout(work_tab)
        w.addWidget(self.which)
        w.addWidget(self.worklist, 1)
        w.addWidget(self.work_count)

        # ledger
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        for i, key in enumerate(
            ("heads", "budget", "reserve", "to_date", "spending", "surplus", "forecast", "note")
        ):
            label = QLabel()
            label.setWordWrap(True)
            self.figures[key] = label
            grid.addWidget(label, i // 2, i % 2)
        self.chart = LedgerChart()
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export_ledger())
        ledger_tab = QWidget()
        gt = QVBoxLayout(ledger_tab)
        gt.addLayout(grid)
        gt.addWidget(self.chart, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_button)
        gt.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.addTab(list_tab, "")
        self.tabs.addTab(work_tab, "")
        self.tabs.addTab(ledger_tab, "")
        self.tabs.currentChanged.connect(lambda _i: self._read_shown())
        self.notice = Notice()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice)
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)
        self.retranslate()
        self._enable()

    # -- text -----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.year_label.setText(tr("Contract year"))
        self.finder.setPlaceholderText(
            tr("Search or sign: name, pinyin (zhangsan), initials (zs), ID digits")
        )
        self.sign_button.setText(tr("Sign…"))
        self.household_button.setText(tr("Sign the household…"))
        self.teams_button.setText(tr("Teams…"))
        self.renew_button.setText(tr("Renew…"))
        self.terminate_button.setText(tr("Terminate…"))
        self.transfer_button.setText(tr("Change team…"))
        self.print_button.setText(tr("Print contract…"))
        self.export_button.setText(tr("Export to Excel…"))
        self.tabs.setTabText(0, tr("Contracts"))
        self.tabs.setTabText(1, tr("Worklists"))
        self.tabs.setTabText(2, tr("Capitation ledger"))
        for i, text in enumerate(
            (
                tr("Renewals due within 30 days"),
                tr("Renewals due within 60 days"),
                tr("Residents never signed"),
                tr("Signed but not insured this year"),
            )
        ):
            self.which.setItemText(i, text)
        self.contract_model.retranslate()
        self.work_model.retranslate()
        if self.book is not None:
            self._show_book(self.book)
        self._show_counts()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- columns --------------------------------------------------------------------------------------------
    def _package_names(self, row: Row) -> str:
        if self._packages is None:
            self._packages = C.package_names(self.reader)
        return C.packages_text(self._packages, json.loads(row["packages"]))

    def _contract_columns(self) -> list[Column]:
        def status(r: Row) -> str:
            if r["status"] == "terminated":
                return f"{status_text('terminated')}（{reason_text(r['stop_reason'])}）"
            return status_text(r["status"])

        return [
            Column("name", lambda: tr("Name"), lambda r: r["name"], width=90),
            Column("id_number", lambda: tr("ID number"), lambda r: mask_id_number(r["id_number"]), width=170),
            Column("team", lambda: tr("Team"), lambda r: r["team"], width=120),
            Column("packages", lambda: tr("Packages"), self._package_names, width=220),
            Column("status", lambda: tr("Status"), status, tooltip=status, width=200),
            Column("signed", lambda: tr("Signed"), lambda r: r["signed_at"][:10], width=95),
            Column("fee", lambda: tr("Fee (yuan)"), lambda r: yuan(r["fee_fen"]), align=RIGHT),
        ]

    def _work_columns(self, which: str) -> list[Column]:
        name = Column("name", lambda: tr("Name"), lambda r: r["name"], width=90)
        number = Column(
            "id_number", lambda: tr("ID number"), lambda r: mask_id_number(r["id_number"]), width=170
        )
        team = Column("team", lambda: tr("Team"), lambda r: r["team"], width=120)
        if which in ("renewals30", "renewals60"):
            return [name, number, team, Column("ends", lambda: tr("Ends"), lambda r: r["period_end"])]
        if which == "never":
            return [
                name,
                number,
                Column("birth", lambda: tr("Birth date"), lambda r: r["birth_date"], width=100),
                Column("household", lambda: tr("Household"), lambda r: r["household_code"] or ""),
            ]
        return [name, number, team]

    # -- reading --------------------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # the page is laid out and painted first, its list read the turn after: the two together held the window
        # still for 60-140 ms on a loaded machine
        QTimer.singleShot(0, self, self._read_shown)

    def _part_shown(self) -> str:
        return ("contracts", "worklist", "ledger")[max(self.tabs.currentIndex(), 0)]

    def _read_shown(self) -> None:
        """Read the part on screen if it is stale (the others wait until they are shown)."""
        if not self.isVisible():
            return
        part = self._part_shown()
        if part in self.stale:
            self.stale.discard(part)
            {"contracts": self._read_contracts, "worklist": self._read_worklist, "ledger": self._read_ledger}[
                part
            ]()

    def _read_contracts(self, keep: bool = True) -> None:
        conn, clinic, year, query = (
            self.reader,
            self.store.clinic_id,
            str(self.year.value()),
            self.finder.text(),
        )

        def fetch(after: Any, limit: int) -> list[Row]:
            return C.contract_page(conn, clinic, year, query, after=after, limit=limit)

        def lookup(ids: list[Any]) -> list[Row]:
            return C.contract_rows(conn, clinic, ids, year, query)

        if keep and self._fetch_key == (year, query) and self._changed_contracts is not None:
            self.contract_model.update_keys(self._changed_contracts)  # only what changed while hidden
        elif keep and self._fetch_key == (year, query):
            self.contract_model.reload()
        else:
            self.contract_model.set_fetch(fetch, lookup=lookup)
        self._changed_contracts = set()
        self._fetch_key = (year, query)
        self.contract_total = None  # the rows read so far ("200+") until the count comes
        self._show_counts()
        self._enable()
        QTimer.singleShot(
            0, lambda: self._count_contracts(year, query)
        )  # a turn of its own: the list is shown

    def _count_contracts(self, year: str, query: str) -> None:
        if self._fetch_key != (year, query):
            return  # the search changed before the count came: the newer read counts
        self.contract_total = C.count_contracts(self.reader, self.store.clinic_id, year, query)
        self._show_counts()

    def _read_worklist(self) -> None:
        conn, clinic, query = self.reader, self.store.clinic_id, self.finder.text()
        which, year, today = self.which.currentData(), self.year.value(), self.today

        def fetch(after: Any, limit: int) -> list[Row]:
            if which in ("renewals30", "renewals60"):
                days = 30 if which == "renewals30" else 60
                return C.renewal_page(conn, clinic, today, days, query, after=after, limit=limit)
            if which == "never":
                return C.never_signed_page(conn, clinic, query, after=after, limit=limit)
            return C.uninsured_page(conn, clinic, year, query, after=after, limit=limit)

        def total() -> int:
            if which in ("renewals30", "renewals60"):
                return C.count_renewals(conn, clinic, today, 30 if which == "renewals30" else 60, query)
            if which == "never":
                return C.count_never_signed(conn, clinic, query)
            return C.count_uninsured(conn, clinic, year, query)

        self.work_model.cursor = C.resident_cursor if which == "never" else C.contract_cursor
        self.work_model.set_fetch(fetch, self._work_columns(which))
        self.worklist.apply_widths()
        self.work_total = total()
        self._show_counts()

    def _read_ledger(self) -> None:
        """Read the year's ledger on a worker; what a read replaced by a newer one finds is dropped."""
        store, clinic, year, today = self.store, self.store.clinic_id, self.year.value(), self.today

        def work() -> L.Ledger:
            conn = store.reader()
            try:
                return L.build(conn, clinic, year, today=today)
            finally:
                conn.close()

        def failed(error: BaseException) -> None:
            if not isinstance(error, ClinicError):
                show_failure(error, self)
                return
            self.book = None
            for label in self.figures.values():
                label.setText("")
            self.figures["heads"].setText(ledger_error_text(error, year))
            self.chart.show_ledger(None)
            self.export_button.setEnabled(False)

        self.export_button.setEnabled(False)
        if self.book is None or self.book.period != year:  # a new year: its figures are not the ones shown
            for label in self.figures.values():
                label.setText("")
            self.figures["heads"].setText(tr("Reading the ledger…"))
            self.chart.show_reading()
        self.ledger_read.start(work, self._show_book, failed)

    def _show_book(self, book: L.Ledger) -> None:
        self.book = book
        self.export_button.setEnabled(True)
        f = self.figures
        f["heads"].setText(
            tr("Contracted and insured: %1 (provisional %2; contracted, not insured %3)")
            .replace("%1", f"{book.heads:,}")
            .replace("%2", f"{book.provisional_heads:,}")
            .replace("%3", f"{book.contracted_not_insured:,}")
        )
        f["budget"].setText(
            tr("Budget for the year: %1 yuan (weighted heads %3 × %2 yuan a head)")
            .replace("%1", yuan(book.budget_fen))
            .replace("%2", yuan(book.rate_fen))
            .replace("%3", f"{book.weighted_heads.normalize():,f}")
        )
        f["reserve"].setText(
            tr("Quality reserve %1 %: %2 yuan")
            .replace("%1", str(book.reserve_pct))
            .replace("%2", yuan(book.reserve_fen))
        )
        f["to_date"].setText(
            tr("Paid in advance to date: %1 yuan").replace("%1", yuan(book.budget_to_date_fen))
        )
        f["spending"].setText(tr("Spent to date: %1 yuan").replace("%1", yuan(book.spending_to_date_fen)))
        f["surplus"].setText(tr("Surplus to date: %1 yuan").replace("%1", yuan(book.surplus_to_date_fen)))
        f["forecast"].setText(
            tr("Forecast at year end: spending %1, surplus %2 yuan")
            .replace("%1", yuan(book.forecast_spending_fen))
            .replace("%2", yuan(book.forecast_surplus_fen))
        )
        f["note"].setText(
            tr("No outpatient visits are recorded yet: spending counts from when they are.")
            if any("no outpatient visits" in n for n in book.notes)
            else ""
        )
        self.chart.show_ledger(book)

    def _show_counts(self) -> None:
        def count(model: ListModel) -> str:
            return f"{model.rowCount()}{'+' if model.canFetchMore() else ''}"

        total = self.contract_total if self.contract_total is not None else count(self.contract_model)
        self.contract_count.setText(
            tr("%1 contracts").replace("%1", f"{total:,}" if isinstance(total, int) else total)
        )
        work = f"{self.work_total:,}" if self.work_total is not None else count(self.work_model)
        self.work_count.setText(tr("%1 in this list").replace("%1", work))

    def _store_changed(self, changes: Changes) -> None:
        if changes.touched("service_package"):
            self._packages = None
        if changes.touched(*CONTRACT_TABLES) and self._fetch_key is not None:
            residents, teams = changes.rows.get("resident", set()), changes.rows.get("team", set())
            keys = set(changes.rows.get("contract", set()))
            if residents or teams:
                keys.update(
                    self.contract_model.keys_where(
                        lambda r: r["resident_id"] in residents or r["team_id"] in teams
                    )
                )
            if self._changed_contracts is not None:
                self._changed_contracts |= keys
                if len(self._changed_contracts) > MAX_CHANGED_ROWS:
                    self._changed_contracts = None
            self.stale.add("contracts")
        for part, tables in (("worklist", WORKLIST_TABLES), ("ledger", LEDGER_TABLES)):
            if changes.touched(*tables):
                self.stale.add(part)
        self._read_shown()

    def _query_changed(self) -> None:
        """The year or the search changed: every list is read again from its first page (the one shown now)."""
        self._debounce.stop()
        self.notice.clear()  # it told of an action in the list shown before
        self.stale |= {"contracts", "worklist"}
        if self.year.value() != (self.book.period if self.book else None):
            self.stale.add("ledger")
        self._read_shown()

    def _worklist_changed(self) -> None:
        self.stale.add("worklist")
        self._read_shown()

    def _search_now(self) -> None:
        self._query_changed()
        view = self.worklist if self._part_shown() == "worklist" else self.contracts
        if view.model().rowCount():
            view.setFocus()
            view.selectRow(0)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.finder and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self._search_now()
            return True
        return False

    def _enable(self) -> None:
        """Each button only for a contract selected and on screen whose status allows its action
        (``C.allowed_actions``); the tooltip says why a button is off."""
        chosen = self._selected()
        self.print_button.setEnabled(chosen is not None)
        self.print_button.setToolTip("" if chosen else tr("Select a contract in the list first."))
        allowed = C.allowed_actions(chosen["status"]) if chosen else set()
        for action, button in (
            ("renew", self.renew_button),
            ("terminate", self.terminate_button),
            ("transfer", self.transfer_button),
        ):
            button.setEnabled(action in allowed)
            if chosen is None:
                button.setToolTip(tr("Select a contract in the list first."))
            elif action not in allowed:
                button.setToolTip(action_refused_text(action, chosen["status"]))
            else:
                button.setToolTip("")

    # -- showing a record -----------------------------------------------------------------------------------
    def show_contract(self, contract_id: str, year: int | None = None) -> bool:
        """The contract on screen and selected: its year, the Contracts tab, the search kept if it finds it."""
        self.tabs.setCurrentIndex(0)
        if year is not None and self.year.value() != year:
            self.year.blockSignals(True)
            self.year.setValue(year)
            self.year.blockSignals(False)
            self.stale |= {"contracts", "worklist", "ledger"}
        if "contracts" in self.stale and self.isVisible():
            self.stale.discard("contracts")
            self._read_contracts()
        if self.contracts.select_key(contract_id):
            self._enable()
            return True
        if self.finder.text():  # the search hides it: show it without the search
            self.finder.clear()
            self._read_contracts(keep=False)
            found = self.contracts.select_key(contract_id)
            self._enable()
            return found
        return False

    # -- actions ---------------------------------------------------------------------------------------------
    def open_teams(self) -> Any:
        from ui.teams_dialog import TeamsDialog

        dialog = TeamsDialog(self.store, self.reader, self.writer, self.user, parent=self)
        dialog.open()
        return dialog

    def sign_found(self, household: bool = False) -> QWidget:
        """Sign whom the search box names: one match opens the sign dialog, several are offered to pick from."""
        text = self.finder.text().strip()
        hits = C.resident_page(self.reader, self.store.clinic_id, text, limit=2) if text else []
        if not text or not hits:
            message = (
                tr("No resident matches “%1”.").replace("%1", text)
                if text
                else tr("Type the name, pinyin, initials or ID number of the resident to sign.")
            )
            return self._tell(QMessageBox.Icon.Information, tr("Sign a contract"), message)
        if len(hits) == 1:
            return self.open_sign(hits[0]["id"], household)
        picker = ResidentPicker(self.reader, self.store.clinic_id, text, self.today, parent=self)
        picker.accepted.connect(lambda: self.open_sign(picker.chosen, household) if picker.chosen else None)
        picker.open()
        return picker

    def open_sign(self, resident_id: str, household: bool = False) -> SignDialog:
        dialog = SignDialog(
            self.store,
            self.reader,
            self.writer,
            self.user,
            resident_id,
            household,
            self.lookup_factory,
            today=self.today,
            parent=self,
        )
        dialog.accepted.connect(lambda: self._signed(dialog))
        dialog.open()
        return dialog

    def _signed(self, dialog: SignDialog) -> None:
        ids, year = dialog.result_ids, dialog.period.value()
        if not ids:
            return
        names = [dialog.people[rid]["name"] for rid in dialog.chosen_residents()]
        if len(ids) == 1:
            text = tr("Signed %1 for %2.").replace("%1", names[0])
        else:
            text = (
                tr("Signed the household of %1 for %2: %3 people.")
                .replace("%1", names[0])
                .replace("%3", str(len(ids)))
            )
        self.notice.say(text.replace("%2", str(year)))
        self.show_contract(ids[0], year)

    def _selected(self) -> Row | None:
        key = self.contracts.current_key()
        row = self.contract_model.row_of(key) if key is not None else -1
        return self.contract_model.row_data(row) if row >= 0 else None

    def renew_selected(self) -> RenewDialog | None:
        """Ask first (the resident, the new year, the same packages) and take the resident's consent to the new
        contract, as signing does; the dialog renews on the writer."""
        chosen = self._selected()
        if chosen is None:
            return None
        dialog = RenewDialog(
            self.store,
            self.reader,
            self.writer,
            self.user,
            chosen["id"],
            self._package_names(chosen),
            self.today,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name, year = chosen["name"], int(chosen["period"]) + 1

        def renewed() -> None:
            self.notice.say(
                tr("Renewed the contract of %1 for %2.").replace("%1", name).replace("%2", str(year))
            )
            self.show_contract(dialog.result_ids[0], year)

        dialog.accepted.connect(renewed)
        dialog.open()
        return dialog

    def terminate_selected(self) -> TerminateDialog | None:
        chosen = self._selected()
        if chosen is None:
            return None
        dialog = TerminateDialog(
            self.store, self.reader, self.writer, self.user, chosen["id"], self.today, self
        )

        def done() -> None:
            self.notice.say(
                tr("Terminated the contract of %1 (%2).")
                .replace("%1", chosen["name"])
                .replace("%2", reason_text(dialog.chosen_reason))
            )
            self.show_contract(chosen["id"])

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def transfer_selected(self) -> ChangeTeamDialog | None:
        chosen = self._selected()
        if chosen is None:
            return None
        dialog = ChangeTeamDialog(self.store, self.reader, self.writer, self.user, chosen["id"], self)

        def done() -> None:
            self.notice.say(
                tr("The contract of %1 is with %2 now.")
                .replace("%1", chosen["name"])
                .replace("%2", dialog.team.currentText())
            )
            self.show_contract(chosen["id"])

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def _work_activated(self) -> None:
        key = self.worklist.current_key()
        if key is None:
            return
        if self.which.currentData() == "never":
            self.open_sign(key)
        else:
            row = self.work_model.row_data(self.work_model.row_of(key))
            self.show_contract(key, int(row["period"]))

    def view_selected(self) -> Any:
        from ui.contract_print import view_contract

        contract_id = self.contracts.current_key()
        return None if contract_id is None else view_contract(self.reader, contract_id, self)

    def print_selected(self) -> Any:
        """The print preview of the selected contract (print it, or save it as a PDF in Documents), read and
        drawn on a worker; a second click meanwhile opens no second one."""
        from ui.contract_print import preview_contract_when_ready

        contract_id = self.contracts.current_key()
        if contract_id is None or (self._printing is not None and self._printing.running):
            return None
        self._printing = preview_contract_when_ready(self.store, self.writer, contract_id, self)
        return self._printing

    def export_ledger(self) -> Any:
        """Ask where to save the ledger's workbook (Documents, a name with the year), then write it."""
        if self.book is None:
            return None
        name = tr("Capitation ledger %1.xlsx").replace("%1", str(self.book.period))
        return ask_where_to_save(
            self, tr("Export to Excel…"), name, "Excel (*.xlsx)", "xlsx", self.write_ledger
        )

    def write_ledger(self, target: Path) -> None:
        """Writes the workbook as an op on a worker (openpyxl takes 0.2-0.3 s to load and write: not on the
        GUI thread); the notice or the reason it failed comes back on it."""
        book = self.book
        if book is None:
            return

        def written(_result: object) -> None:
            self.notice.say(
                tr("The ledger of %1 is saved in %2.")
                .replace("%1", str(book.period))
                .replace("%2", str(target))
            )

        def failed(error: BaseException) -> None:
            if not isinstance(error, OSError):
                raise error
            reason = (
                tr("Could not write %1: %2").replace("%1", str(target)).replace("%2", why_not_written(error))
            )
            self._tell(QMessageBox.Icon.Warning, tr("Not saved"), reason)

        self.writer.work(lambda: L.export_xlsx(book, target), written, failed, parent=self)

    def _failed(self, error: BaseException) -> None:
        self._enable()
        self._tell(QMessageBox.Icon.Warning, tr("Not saved"), contract_error_text(error))

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """A message box opened window-modal without a nested event loop (``exec`` would stall the window's
        writer callbacks and sync signals until it is closed)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box


def action_refused_text(action: str, status: str) -> str:
    """Why a contract of this status cannot be renewed, terminated or moved to another team."""
    what = {"renew": tr("renewed"), "terminate": tr("terminated"), "transfer": tr("moved to another team")}[
        action
    ]
    return tr("This contract is %1: it cannot be %2.").replace("%1", status_text(status)).replace("%2", what)


def ledger_error_text(error: ClinicError, year: int) -> str:
    if isinstance(error, ValidationError) and error.rule == "policy_missing":
        return tr("No ledger for %1: the county has not set the per-capita rate for the year yet.").replace(
            "%1", str(year)
        )
    if isinstance(error, ValidationError) and error.rule == "policy":
        return tr("No ledger for %1: the county's settings for the year are not readable.").replace(
            "%1", str(year)
        )
    return tr("No ledger for %1.").replace("%1", str(year))
