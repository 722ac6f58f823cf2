"""The 签约 page: the contracts of a year, the worklists (renewals due, never signed, signed but not insured),
and the capitation ledger with its chart; signing (one resident or a household), renewal, termination,
transfer, the printed contract and the Excel export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from clinic_app import ledger as L
from clinic_app.db import Connection
from clinic_app.errors import ClinicError
from clinic_app.residents import mask_id_number, search_residents
from clinic_app.store import Store
from clinic_app.users import User
from ui.i18n import tr
from ui.ledger_chart import LedgerChart
from ui.ops import Writer
from ui.qt import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.sign_dialog import LookupFactory, SignDialog
from ui.tables import ReadsWhenShown, fill_table, new_table, selected_key, set_headers, with_buttons


def status_text(status: str) -> str:
    return {"provisional": tr("Provisional"), "active": tr("Active"), "terminated": tr("Terminated"),
            "expired": tr("Expired"), "conflict": tr("In conflict")}.get(status, status)  # fmt: skip


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


class ContractsPage(ReadsWhenShown, QWidget):
    def __init__(self, store: Store, reader: Connection, writer: Writer, user: User,
                 lookup_factory: LookupFactory | None = None, today: dt.date | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.lookup_factory = lookup_factory
        self.today = today or dt.date.today()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self.today.year)
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.finder = QLineEdit()
        self.finder.setPlaceholderText(tr("Name, pinyin or ID number of the resident to sign"))
        self.finder.returnPressed.connect(self.sign_found)
        self.sign_button = QPushButton(tr("Sign…"))
        self.household_button = QPushButton(tr("Sign the household…"))
        self.sign_button.clicked.connect(self.sign_found)
        self.household_button.clicked.connect(lambda: self.sign_found(household=True))
        self.teams_button = QPushButton(tr("Teams…"))
        self.teams_button.clicked.connect(lambda: self.open_teams())
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Contract year")))
        top.addWidget(self.year)
        top.addWidget(self.finder, 1)
        top.addWidget(self.sign_button)
        top.addWidget(self.household_button)
        top.addWidget(self.teams_button)

        # contracts
        self.contracts = new_table([])
        self.renew_button, self.terminate_button = QPushButton(tr("Renew")), QPushButton(tr("Terminate…"))
        self.transfer_button, self.print_button = (
            QPushButton(tr("Change team…")),
            QPushButton(tr("Print contract…")),
        )
        self.renew_button.clicked.connect(self.renew_selected)
        self.terminate_button.clicked.connect(self.terminate_selected)
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.print_button.clicked.connect(lambda: self.print_selected())
        self.contracts.doubleClicked.connect(lambda _i: self.view_selected())
        list_tab = with_buttons(self.contracts, self.renew_button, self.terminate_button, self.transfer_button,
                             self.print_button)  # fmt: skip

        # worklists
        self.which = QComboBox()
        for key, text in (("renewals30", tr("Renewals due within 30 days")), ("renewals60", tr("Renewals due within 60 days")),
                          ("never", tr("Residents never signed")), ("uninsured", tr("Signed but not insured this year"))):  # fmt: skip
            self.which.addItem(text, key)
        self.which.currentIndexChanged.connect(lambda _i: self.refresh())
        self.worklist = new_table([])
        work_tab = QWidget()
        w = QVBoxLayout(work_tab)
        w.addWidget(self.which)
        w.addWidget(self.worklist)

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
        self.export_button = QPushButton(tr("Export to Excel…"))
        self.export_button.clicked.connect(lambda: self.export_ledger())
        ledger_tab = QWidget()
        lt = QVBoxLayout(ledger_tab)
        lt.addLayout(grid)
        lt.addWidget(self.chart, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_button)
        lt.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.addTab(list_tab, "")
        self.tabs.addTab(work_tab, "")
        self.tabs.addTab(ledger_tab, "")
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        writer.store_changed.connect(lambda _r: self.refresh())
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, tr("Contracts"))
        self.tabs.setTabText(1, tr("Worklists"))
        self.tabs.setTabText(2, tr("Capitation ledger"))
        set_headers(self.contracts, [tr("Name"), tr("ID number"), tr("Team"), tr("Packages"), tr("Status"), tr("Signed"),
                                  tr("Fee (yuan)")])  # fmt: skip
        self.refresh()

    # -- reading --------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.shown_now():
            return
        conn, clinic, year = self.reader, self.store.clinic_id, self.year.value()
        names = {p.code: p.name for p in C.packages(conn).values()}
        rows = C.list_contracts(conn, clinic, period=str(year))
        fill_table(self.contracts, [[r["name"], mask_id_number(r["id_number"]), r["team"],
                                "、".join(names.get(c, c) for c in json.loads(r["packages"])), status_text(r["status"]),
                                r["signed_at"][:10], yuan(r["fee_fen"])] for r in rows], [r["id"] for r in rows])  # fmt: skip
        which = self.which.currentData()
        if which in ("renewals30", "renewals60"):
            due = C.renewals_due(conn, clinic, self.today, 30 if which == "renewals30" else 60)
            set_headers(self.worklist, [tr("Name"), tr("Team"), tr("Ends")])
            fill_table(
                self.worklist, [[r["name"], r["team"], r["period_end"]] for r in due], [r["id"] for r in due]
            )
        elif which == "never":
            never = C.never_signed(conn, clinic)
            set_headers(self.worklist, [tr("Name"), tr("Birth date")])
            fill_table(self.worklist, [[r["name"], r["birth_date"]] for r in never], [r["id"] for r in never])
        else:
            uninsured = C.signed_not_insured(conn, clinic, year)
            set_headers(self.worklist, [tr("Name"), tr("Team")])
            fill_table(
                self.worklist, [[r["name"], r["team"]] for r in uninsured], [r["id"] for r in uninsured]
            )
        self.show_ledger()

    def show_ledger(self) -> None:
        try:
            book = L.build(self.reader, self.store.clinic_id, self.year.value(), today=self.today)
        except ClinicError as exc:
            for label in self.figures.values():
                label.setText("")
            self.figures["heads"].setText(tr("No ledger: %1").replace("%1", str(exc)))
            self.chart.show_ledger(None)
            self.export_button.setEnabled(False)
            return
        self.export_button.setEnabled(True)
        f = self.figures
        f["heads"].setText(tr("Contracted and insured: %1 (provisional %2; contracted, not insured %3)")
                           .replace("%1", str(book.heads)).replace("%2", str(book.provisional_heads))
                           .replace("%3", str(book.contracted_not_insured)))  # fmt: skip
        f["budget"].setText(tr("Budget for the year: %1 yuan (%2 yuan a head)").replace("%1", yuan(book.budget_fen))
                            .replace("%2", yuan(book.rate_fen)))  # fmt: skip
        f["reserve"].setText(tr("Quality reserve %1 %: %2 yuan").replace("%1", str(book.reserve_pct))
                             .replace("%2", yuan(book.reserve_fen)))  # fmt: skip
        f["to_date"].setText(
            tr("Paid in advance to date: %1 yuan").replace("%1", yuan(book.budget_to_date_fen))
        )
        f["spending"].setText(tr("Spent to date: %1 yuan").replace("%1", yuan(book.spending_to_date_fen)))
        f["surplus"].setText(tr("Surplus to date: %1 yuan").replace("%1", yuan(book.surplus_to_date_fen)))
        f["forecast"].setText(tr("Forecast at year end: spending %1, surplus %2 yuan")
                              .replace("%1", yuan(book.forecast_spending_fen)).replace("%2", yuan(book.forecast_surplus_fen)))  # fmt: skip
        f["note"].setText(tr("No outpatient visits are recorded yet: spending counts from when they are.")
                          if any("no outpatient visits" in n for n in book.notes) else "")  # fmt: skip
        self.chart.show_ledger(book)
        self.book = book

    # -- actions ---------------------------------------------------------------------------------------------
    def open_teams(self) -> Any:
        from ui.teams_dialog import TeamsDialog

        dialog = TeamsDialog(self.store, self.reader, self.writer, self.user, parent=self)
        dialog.open()
        return dialog

    def sign_found(self, household: bool = False) -> SignDialog | None:
        text = self.finder.text().strip()
        hits = search_residents(self.reader, self.store.clinic_id, text, limit=2).rows if text else []
        if len(hits) != 1:
            QMessageBox.information(
                self, tr("Sign a contract"), tr("Type the name or ID number of one resident.")
            )
            return None
        return self.open_sign(hits[0]["id"], household)

    def open_sign(self, resident_id: str, household: bool = False) -> SignDialog:
        dialog = SignDialog(self.store, self.reader, self.writer, self.user, resident_id, household,
                            self.lookup_factory, today=self.today, parent=self)  # fmt: skip
        dialog.open()
        return dialog

    def renew_selected(self) -> None:
        contract_id = selected_key(self.contracts)
        if contract_id:
            old = C.get_contract(self.reader, contract_id)
            self.writer.run(lambda: C.renew(self.store, self.user, contract_id, witness=old["witness"] or self.user.display_name,
                                            today=self.today), on_failure=self._failed)  # fmt: skip

    def terminate_selected(self, reason: str | None = None) -> None:
        contract_id = selected_key(self.contracts)
        if contract_id is None:
            return
        if reason is None:
            from ui.qt import QInputDialog

            labels = {"moved_away": tr("Moved away"), "unreachable": tr("Unreachable for a year"),
                      "refused_service": tr("Refused the service"), "resident_request": tr("At the resident's request"),
                      "deceased": tr("Deceased")}  # fmt: skip
            choice, ok = QInputDialog.getItem(
                self, tr("Terminate"), tr("Reason"), list(labels.values()), 0, False
            )
            if not ok:
                return
            reason = next(k for k, v in labels.items() if v == choice)
        chosen = reason
        self.writer.run(
            lambda: C.terminate(self.store, self.user, contract_id, chosen, self.today),
            on_failure=self._failed,
        )

    def transfer_selected(self, team: str | None = None) -> None:
        contract_id = selected_key(self.contracts)
        if contract_id is None:
            return
        if team is None:
            from ui.qt import QInputDialog

            names = [r[0] for r in self.reader.execute("SELECT name FROM team WHERE clinic_id = ? AND deleted_at IS NULL",
                                                       (self.store.clinic_id,))]  # fmt: skip
            team, ok = QInputDialog.getItem(self, tr("Change team"), tr("Team"), names, 0, False)
            if not ok:
                return
        chosen = team
        self.writer.run(
            lambda: C.transfer(self.store, self.user, contract_id, chosen), on_failure=self._failed
        )

    def view_selected(self) -> Any:
        from ui.contract_print import view_contract

        contract_id = selected_key(self.contracts)
        return None if contract_id is None else view_contract(self.reader, contract_id, self)

    def print_selected(self, target: Path | None = None) -> Path | None:
        from ui.contract_print import write_pdf

        contract_id = selected_key(self.contracts)
        if contract_id is None:
            return None
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, tr("Print contract"), "contract.pdf", "PDF (*.pdf)")
            if not name:
                return None
            target = Path(name)
        return write_pdf(self.reader, contract_id, target)

    def export_ledger(self, target: Path | None = None) -> Path | None:
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, tr("Export to Excel…"), f"ledger-{self.year.value()}.xlsx",
                                                  "Excel (*.xlsx)")  # fmt: skip
            if not name:
                return None
            target = Path(name)
        L.export_xlsx(self.book, target)
        return target

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, ClinicError):
            raise error
        QMessageBox.warning(self, tr("Not saved"), str(error))
