"""Terminating a contract (a reason of RULES §10 and the day) and moving it to another team of the clinic; the
translated message of every failed contract action. Each dialog runs its write on the writer and stays open with
the problem shown under its fields when the write is refused; it closes (accepted) only when the write is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app import contracts as C
from clinic_app.db import Connection
from clinic_app.errors import AuthError, ClinicError, NotFound, ValidationError
from clinic_app.store import Store
from clinic_app.users import User
from ui.i18n import tr
from ui.messages import error_text
from ui.notice import hide_problem, reserve_problem_line, show_problem
from ui.ops import Writer
from ui.qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def reason_text(reason: str | None) -> str:
    return {
        "moved_away": tr("Moved away"),
        "unreachable": tr("Unreachable for a year"),
        "refused_service": tr("Refused the service"),
        "resident_request": tr("At the resident's request"),
        "deceased": tr("Deceased"),
        "transferred": tr("Transferred"),
        "duplicate": tr("Duplicate"),
    }.get(reason or "", reason or "")


# The reasons a person chooses (RULES §10, and death); "transferred" and "duplicate" are the system's own.
CHOSEN_REASONS = ("moved_away", "unreachable", "refused_service", "resident_request", "deceased")


def status_text(status: str) -> str:
    return {
        "provisional": tr("Provisional"),
        "active": tr("Active"),
        "terminated": tr("Terminated"),
        "expired": tr("Expired"),
        "conflict": tr("In conflict"),
    }.get(status, status)


def contract_error_text(error: BaseException) -> str:
    """A refused contract action in the user's language, from the error's field and rule (never its English)."""
    from ui.sign_dialog import sign_error_text

    if isinstance(error, NotFound):
        return tr("The contract no longer exists (another device may have removed it).")
    if isinstance(error, AuthError):
        return tr("Your role may not change contracts.")

    def describe(e: ValidationError) -> str:
        status = e.details.get("status", "")
        known = {
            ("contract", "status"): tr("This contract is %1: it cannot be changed so.").replace(
                "%1", status_text(status)
            ),
            ("date", "range"): tr("The day lies outside the contract's period."),
            ("reason", "choice"): tr("Choose the reason."),
            ("team", "same"): tr("The contract is with that team already."),
            ("team", "unknown"): tr("That team is not one of this clinic's."),
            ("period", "range"): tr("A contract is signed for last year, this year or next year only."),
        }
        return known.get((e.field, e.rule)) or sign_error_text(e)

    if isinstance(error, ClinicError):
        return error_text(error, describe, "\n")
    raise error


class _ContractDialog(QDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        contract_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.contract = C.contract_row(reader, store.clinic_id, contract_id)
        self.who = QLabel(
            tr("%1 · contract %2 · team %3")
            .replace("%1", self.contract["name"])
            .replace("%2", self.contract["period"])
            .replace("%3", self.contract["team"])
        )
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.error.setMinimumWidth(396)  # the dialog's width (SetMinimumSize below overrides setMinimumWidth)
        reserve_problem_line(self.error)  # the buttons stay where the mouse aims when a problem shows or goes
        self.ok_button = QPushButton()
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(lambda: self.submit())
        cancel = QPushButton(tr("Cancel"))
        cancel.clicked.connect(lambda: self.reject())
        self.form = QFormLayout()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.setSizeConstraint(
            QLayout.SizeConstraint.SetMinimumSize
        )  # grows for a message of several lines
        self.setMinimumWidth(420)

    def submit(self) -> None:
        raise NotImplementedError

    def _done(self, _result: Any) -> None:
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        show_problem(self.error, contract_error_text(error))


class TerminateDialog(_ContractDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        contract_id: str,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, reader, writer, user, contract_id, parent)
        self.setWindowTitle(tr("Terminate the contract"))
        self.reason = QComboBox()
        self.reason.addItem(tr("Choose…"), None)
        for code in CHOSEN_REASONS:
            self.reason.addItem(reason_text(code), code)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        start, end = (dt.date.fromisoformat(self.contract[k]) for k in ("period_start", "period_end"))
        self.day.setDateRange(QDate(start.year, start.month, start.day), QDate(end.year, end.month, end.day))
        day = min(max(today, start), end)
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.reason.currentIndexChanged.connect(lambda _i: hide_problem(self.error))
        self.form.addRow(tr("Reason"), self.reason)
        self.form.addRow(tr("Terminated on"), self.day)
        self.ok_button.setText(tr("Terminate"))
        self.chosen_reason: str | None = None

    def submit(self) -> None:
        self.error.hide()
        reason = self.reason.currentData()
        if reason is None:
            show_problem(self.error, tr("Choose the reason."))
            return
        d = self.day.date()
        day = dt.date(d.year(), d.month(), d.day())
        store, user, contract_id = self.store, self.user, self.contract["id"]
        self.chosen_reason = reason
        self.ok_button.setEnabled(False)
        self.writer.run(lambda: C.terminate(store, user, contract_id, reason, day), self._done, self._failed)


class ChangeTeamDialog(_ContractDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        contract_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, reader, writer, user, contract_id, parent)
        self.setWindowTitle(tr("Change team"))
        self.team = QComboBox()
        for t in C.teams(reader, store.clinic_id):
            if t["id"] != self.contract["team_id"]:
                self.team.addItem(t["name"], t["id"])
        self.form.addRow(tr("New team"), self.team)
        self.ok_button.setText(tr("Change team"))
        if self.team.count() == 0:
            self.error.setText(tr("This clinic has no other team: a clinic admin adds one under Teams…"))
            self.error.show()
            self.ok_button.setEnabled(False)

    def submit(self) -> None:
        self.error.hide()
        team = self.team.currentData()
        store, user, contract_id = self.store, self.user, self.contract["id"]
        self.ok_button.setEnabled(False)
        self.writer.run(lambda: C.transfer(store, user, contract_id, team), self._done, self._failed)


class RenewDialog(_ContractDialog):
    """A renewal is a new contract: the resident consents again, as when signing (the same consent fields and
    rule); the same team and packages, the next year."""

    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        contract_id: str,
        packages: str,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        from ui.sign_dialog import ConsentBox

        super().__init__(store, reader, writer, user, contract_id, parent)
        self.today = today
        self.setWindowTitle(tr("Renew the contract"))
        name, year, team = self.contract["name"], int(self.contract["period"]) + 1, self.contract["team"]
        self.question = QLabel(
            tr("Renew the contract of %1 for %2 with team %3?")
            .replace("%1", name)
            .replace("%2", str(year))
            .replace("%3", team)
            + "\n\n"
            + tr("Packages (the same as this year): %1").replace("%1", packages)
            + "\n\n"
            + tr("To sign other packages, cancel and use Sign… with the year %1.").replace("%1", str(year))
        )
        self.question.setWordWrap(True)
        self.form.addRow(self.question)
        self.consent = ConsentBox()
        self.form.addRow(tr("Consent"), self.consent)
        self.consent.witness.textChanged.connect(lambda _t: hide_problem(self.error))
        self.ok_button.setText(tr("Renew"))
        self.result_ids: list[str] = []

    def submit(self) -> None:
        self.error.hide()
        consent, signature, witness = self.consent.given()
        store, user, contract_id, today = self.store, self.user, self.contract["id"], self.today
        self.ok_button.setEnabled(False)
        self.writer.run(
            lambda: C.renew(
                store, user, contract_id, consent=consent, signature=signature, witness=witness, today=today
            ),
            self._renewed,
            self._failed,
        )

    def _renewed(self, result: C.SignResult) -> None:
        self.result_ids = result.contract_ids
        self.accept()
