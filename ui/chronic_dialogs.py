"""The small dialogs of the 慢病随访 page: registering a patient's disease, the outcome of a call to a patient on a
worklist, and a referral's follow-up (arrived? the outcome). Each runs its write on the writer and stays open
with the problem shown under its fields when the write is refused; it closes (accepted) when the write is
done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app import chronic as K
from clinic_app import chronic_contacts as CC
from clinic_app import chronic_records as R
from clinic_app import contracts as C
from clinic_app.db import Connection
from clinic_app.errors import ClinicError, NotFound, ValidationError
from clinic_app.residents import mask_id_number
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_words import contact_text, disease_text, field_label, referral_reason_text
from ui.followup_dialog import problem_text
from ui.i18n import tr
from ui.messages import error_text
from ui.notice import hide_problem, reserve_problem_line, show_problem
from ui.ops import Writer
from ui.qt import (
    QButtonGroup,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
)


def chronic_error_text(error: BaseException) -> str:
    """A refused registration, call outcome or referral follow-up in the user's language."""
    if isinstance(error, NotFound):
        return tr("The record no longer exists (another device may have removed it).")

    def describe(e: ValidationError) -> str:
        code = e.details.get("code", "")
        known = {
            "secondary_hypertension": tr(
                "%1 is secondary hypertension: not enrolled. Refer the patient to a higher-level hospital."
            ),
            "icd_invalid": tr("%1 does not exist (hypertension is I10-I13): check the code, or refer."),
            "not_hypertension": tr("%1 is not primary hypertension (I10-I13): check the code, or refer."),
            "type_1_diabetes": tr("%1 is type 1 diabetes: not in this programme (type 2, E11, only). Refer."),
            "not_type_2_diabetes": tr("%1 is not type 2 diabetes (E11): check the code, or refer."),
            "not_diabetes": tr("%1 is not type 2 diabetes (E11): check the code, or refer."),
            "icd_format": tr("Type an ICD-10 code: I10, I11.9, I10.x00, E11.900."),
            "min_age": tr(
                "The programme is for residents aged 35 or more on the day confirmed (%2 then)."
            ).replace("%2", e.details.get("age", "")),
            "duplicate": tr("%3 is registered for this disease already.").replace(
                "%3", e.details.get("resident", "")
            ),
            "ended": tr("The management of this patient has ended already."),
            "status": tr("This referral was followed up already."),
        }
        if e.rule in known:
            return known[e.rule].replace("%1", code)
        if e.field == "recall_on" and e.rule == "range":
            return tr("%1: a date from today to a year on.").replace("%1", field_label(e.field))
        if e.field == "outcome" and e.rule == "required":
            return tr("Say what came of the referral.")
        if e.field == "date" and e.rule == "range":
            return tr("The day is before the referral.")
        return problem_text(e)

    if isinstance(error, ClinicError):
        return error_text(error, describe, "\n")
    raise error


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def date_edit(day: dt.date, latest: dt.date | None = None, earliest: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if latest is not None:
        edit.setMaximumDate(_qdate(latest))
    if earliest is not None:
        edit.setMinimumDate(_qdate(earliest))
    edit.setDate(_qdate(day))
    return edit


class SaveDialog(QDialog):
    def __init__(self, writer: Writer, title: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.writer = writer
        self.setWindowTitle(title)
        self.who = QLabel()
        self.who.setStyleSheet("font-weight: bold;")
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("problem")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.error.setMinimumWidth(420)
        reserve_problem_line(self.error)
        self.ok_button = QPushButton(ok)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(lambda: self.submit())
        cancel = QPushButton(tr("Cancel"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(lambda: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        raise NotImplementedError

    def run(self, work: Any) -> None:
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.writer.run(work, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self.result_value = result
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        show_problem(self.error, chronic_error_text(error))


class RegisterDialog(SaveDialog):
    """Register a resident's hypertension or type 2 diabetes: the resident found by ID number or name (one match),
    the disease, its ICD-10 code, the day confirmed and by whom; the eligibility is the rules' (refused naming
    the rule)."""

    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(writer, tr("Register a chronic disease"), tr("Register"), parent)
        self.store, self.reader, self.user, self.today = store, reader, user, today
        self.resident: dict[str, Any] | None = None
        self.finder = QLineEdit()
        self.finder.setPlaceholderText(tr("ID number, name or pinyin of the resident, then Enter"))
        self.finder.installEventFilter(self)
        self.found = QLabel()
        self.disease = QComboBox()
        for code in K.DISEASES:
            self.disease.addItem(disease_text(code), code)
        self.icd = QLineEdit()
        self.icd.setPlaceholderText("I10.x00 / E11.900")
        self.confirmed = date_edit(today, latest=today)
        self.institution = QLineEdit()
        self.form.addRow(tr("Resident"), self.finder)
        self.form.addRow("", self.found)
        self.form.addRow(tr("Disease"), self.disease)
        self.form.addRow(tr("ICD-10 code"), self.icd)
        self.form.addRow(tr("Date confirmed"), self.confirmed)
        self.form.addRow(tr("Confirming institution"), self.institution)
        self.finder.textEdited.connect(lambda _t: hide_problem(self.error))
        self.result_value: str | None = None

    def find_resident(self) -> bool:
        """The one resident the search names (several or none: said under the fields)."""
        text = self.finder.text().strip()
        hits = C.resident_page(self.reader, self.store.clinic_id, text, limit=2) if text else []
        if len(hits) != 1:
            self.resident = None
            self.found.setText("")
            show_problem(
                self.error,
                tr("No resident matches “%1”.").replace("%1", text)
                if not hits
                else tr("Several residents match “%1”: type more of the ID number.").replace("%1", text),
            )
            return False
        self.resident = hits[0]
        age = C.age_on(hits[0]["birth_date"], self.today)
        self.found.setText(
            tr("%1 · %2 years · %3")
            .replace("%1", hits[0]["name"])
            .replace("%2", str(age))
            .replace("%3", mask_id_number(hits[0]["id_number"]))
        )
        hide_problem(self.error)
        self.icd.setFocus()
        return True

    def eventFilter(self, watched: Any, event: Any) -> bool:
        """Enter in the search finds the resident and goes no further (it never registers)."""
        if (
            watched is self.finder
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.find_resident()
            return True
        return False

    def submit(self) -> None:
        if self.resident is None and not self.find_resident():
            return
        assert self.resident is not None
        store, user, today = self.store, self.user, self.today
        resident_id, disease, icd = self.resident["id"], self.disease.currentData(), self.icd.text()
        confirmed, institution = _date(self.confirmed.date()), self.institution.text()
        self.run(
            lambda: R.register(
                store,
                user,
                resident_id,
                disease,
                icd,
                confirmed,
                institution=institution or None,
                today=today,
            )
        )


class _RowDialog(SaveDialog):
    """A dialog about one row of a worklist (``title`` translated), saved through the writer."""

    def __init__(
        self,
        store: Store,
        writer: Writer,
        user: User,
        row: dict[str, Any],
        today: dt.date,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(writer, title, tr("Save"), parent)
        self.store, self.user, self.today, self.row = store, user, today, row


class ContactDialog(_RowDialog):
    """What came of a call or a visit attempt to a patient on a worklist (Simple.org's overdue workflow)."""

    def __init__(
        self,
        store: Store,
        writer: Writer,
        user: User,
        row: dict[str, Any],
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, writer, user, row, today, tr("Record the outcome of a call"), parent)
        self.who.setText(
            tr("%1 · %2 · phone %3")
            .replace("%1", row["name"])
            .replace("%2", disease_text(row["disease"]))
            .replace("%3", row.get("phone") or tr("none"))
        )
        self.outcomes = QButtonGroup(self)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QRadioButton] = {}
        for i, code in enumerate(CC.CONTACT_OUTCOMES):
            button = QRadioButton(contact_text(code))
            self.outcomes.addButton(button, i)
            self.buttons[code] = button
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)  # clickable where it is drawn
        self.buttons["agreed"].setChecked(True)
        for button in self.buttons.values():
            button.toggled.connect(lambda _on: self._outcome_changed())
        self.day = date_edit(today + dt.timedelta(days=1), earliest=today)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("What was said (kept as the reason when the management ends)"))
        self.form.addRow(tr("Outcome"), holder)
        self.form.addRow(tr("Date agreed / to call again"), self.day)
        self.form.addRow(tr("Note"), self.note)
        self.result_value: None = None

    def chosen(self) -> str:
        return CC.CONTACT_OUTCOMES[self.outcomes.checkedId()]

    def _outcome_changed(self) -> None:
        self.day.setEnabled(self.chosen() in CC.WITH_DATE)
        hide_problem(self.error)

    def submit(self) -> None:
        store, user, today, registration = self.store, self.user, self.today, self.row["registration_id"]
        outcome, note = self.chosen(), self.note.text()
        day = _date(self.day.date()) if outcome in CC.WITH_DATE else None
        self.run(
            lambda: CC.record_contact(
                store, user, registration, outcome, recall_on=day, note=note, today=today
            )
        )


class ReferralFollowupDialog(_RowDialog):
    """A referral's follow-up: did the patient arrive, and what came of it; the referral leaves the list."""

    def __init__(
        self,
        store: Store,
        writer: Writer,
        user: User,
        row: dict[str, Any],
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, writer, user, row, today, tr("Follow up the referral"), parent)
        self.who.setText(
            tr("%1 · %2 · referred %3 to %4")
            .replace("%1", row["name"])
            .replace("%2", disease_text(row["disease"]))
            .replace("%3", row["referred_on"])
            .replace("%4", " ".join(x for x in (row.get("institution"), row.get("department")) if x) or "—")
        )
        reason = QLabel(referral_reason_text(row.get("reason")))
        reason.setWordWrap(True)
        self.arrived = QRadioButton(tr("Arrived at the hospital"))
        self.not_arrived = QRadioButton(tr("Did not go"))
        self.arrived.setChecked(True)
        self._group = QButtonGroup(self)
        self._group.addButton(self.arrived)
        self._group.addButton(self.not_arrived)
        holder = QWidget()
        row_ = QHBoxLayout(holder)
        row_.setContentsMargins(0, 0, 0, 0)
        row_.addWidget(self.arrived)
        row_.addWidget(self.not_arrived)
        row_.addStretch(1)
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText(tr("What the hospital found or did"))
        referred = dt.date.fromisoformat(row["referred_on"])
        self.day = date_edit(today, latest=today, earliest=referred)
        self.form.addRow(tr("Reason"), reason)
        self.form.addRow(tr("Arrived?"), holder)
        self.form.addRow(tr("Outcome"), self.outcome)
        self.form.addRow(tr("Followed up on"), self.day)
        self.outcome.textEdited.connect(lambda _t: hide_problem(self.error))
        self.result_value: None = None

    def submit(self) -> None:
        store, user, today, referral = self.store, self.user, self.today, self.row["referral_id"]
        arrived, outcome, day = self.arrived.isChecked(), self.outcome.text(), _date(self.day.date())
        self.run(lambda: R.record_referral_followup(store, user, referral, arrived, outcome, day, today))
