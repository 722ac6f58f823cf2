"""A conflict decided by a person: both versions side by side, field by field; keep mine, keep the server's, or
pick per field. The decision is written as a normal change (and the conflict row closed) in one unit of work on
the writer thread, and both sync."""

from __future__ import annotations

from typing import Any

from clinic_app import conflicts
from clinic_app.db import Connection
from clinic_app.money import yuan
from clinic_app.store import Store
from clinic_app.syncstate import row_label
from clinic_app.users import User
from ui.i18n import tr
from ui.messages import error_text, field_label, rule_message
from ui.ops import Writer
from ui.qt import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


def table_label(table: str) -> str:
    """The name of a synced table's records on screen (tests/ui prove every table of the registry that syncs has
    one, so a table added to the registry without its name here fails there)."""
    return {
        "resident": tr("Resident"),
        "household": tr("Household"),
        "village": tr("Village"),
        "user": tr("User"),
        "conflict": tr("Conflict"),
        "contract": tr("Contract"),
        "team": tr("Team"),
        "team_member": tr("Team member"),
        "insurance_status": tr("Insurance"),
        "service_package": tr("Service package"),
        "policy": tr("Policy"),
        "clinic": tr("Clinic"),
        "audit_log": tr("Audit entry"),
        "drug": tr("Drug"),
        "disease_registration": tr("Chronic-disease registration"),
        "followup": tr("Follow-up"),
        "followup_drug": tr("Drug of a follow-up"),
        "referral": tr("Referral"),
        "prescription": tr("Long-term prescription"),
        "dispensing": tr("Dispensing"),
        "dispensing_code": tr("Trace code"),
        "prescription_item": tr("Drug of a prescription"),
        "prescription_event": tr("Signature or stop of a prescription"),
        "service_price": tr("Price of a service"),
        "visit": tr("Outpatient visit"),
        "visit_line": tr("Line of a visit"),
        "visit_cancel": tr("Reversal of a visit"),
        "capitation_claim": tr("Claim at another institution"),
    }.get(table, table)


def kind_label(kind: str) -> str:
    return {
        "edited_elsewhere": tr("Changed on another device as well"),
        "deleted": tr("Deleted on another device"),
        "contract_elsewhere": tr("Signed at two clinics"),
        "trace_code_elsewhere": tr("Box sold at two clinics"),
        "cap_overrun": tr("Over the county-wide annual cap"),
    }.get(kind, kind)


def cap_overrun_text(settled: dict[str, Any], county: dict[str, Any]) -> str:
    """A visit over the county-wide annual cap: the fund's share as the clinic settled it (``settled``, the
    conflict's own row) and as the county settles it (the visit as the server holds it)."""
    mine, theirs = int(settled.get("fund_fen") or 0), int(county.get("fund_fen") or 0)
    text = (
        tr(
            "The patient's county-wide annual cap was used first by visits at other clinics: the fund pays %1 yuan of this visit, not %2 yuan as settled here, %3 yuan less. A county reviewer decides whether the fund or the patient pays the difference; both clinics see the decision after their next sync."
        )
        if county.get("capped")
        else tr(
            "The county settled the patient's visits of the year in the order it received them, and the deductible fell on this visit: the fund pays %1 yuan of it, not %2 yuan as settled here, %3 yuan less. A county reviewer decides whether the fund or the patient pays the difference; both clinics see the decision after their next sync."
        )
    )
    return text.replace("%1", yuan(theirs)).replace("%2", yuan(mine)).replace("%3", yuan(mine - theirs))


def box_sale_text(sale: dict[str, Any]) -> str:
    """This clinic's sale of a box whose trace code the county found in another clinic's sale too."""
    if sale["resident"] is None:
        return tr(
            "Trace code %1: this clinic's sale of the box is not on this device. The county's reviewer sees both sales."
        ).replace("%1", sale["code"])
    return (
        tr(
            "Trace code %1: this clinic dispensed the box to %2 on %3, and a sale at another clinic names the same code. The county's reviewer sees both sales."
        )
        .replace("%1", sale["code"])
        .replace("%2", str(sale["resident"]))
        .replace("%3", str(sale["dispensed_on"]))
    )


def labelled(label: str, text: str) -> str:
    """ "Item: text" with the colon of the user's language (：in Chinese)."""
    return tr("%1: %2").replace("%1", label).replace("%2", text)


def shown(value: Any) -> str:
    return tr("(empty)") if value is None or value == "" else str(value)


class ConflictDialog(QDialog):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        conflict_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.writer, self.user = store, writer, user
        self.conflict = conflicts.get_conflict(reader, conflict_id)
        c = self.conflict
        self.setWindowTitle(tr("Resolve a conflict"))
        self.setModal(True)
        title = QLabel(labelled(table_label(c.table), row_label(reader, c.table, c.row_id)))
        font = title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        title.setFont(font)
        explain = QLabel(
            tr(
                "This box's trace code was sold at another clinic as well. A county reviewer looks into it; both clinics see the decision after their next sync."
            )
            if c.kind == "trace_code_elsewhere"
            else cap_overrun_text(c.mine, c.server)
            if c.kind == "cap_overrun"
            else tr(
                "This contract was signed at another clinic as well. A county reviewer decides which one stands; both clinics see the decision after their next sync."
            )
            if c.county_decides
            else tr(
                "This record was deleted on another device; your change cannot be kept. Close the conflict to accept the deletion."
            )
            if c.row_deleted
            else tr(
                "This record was changed on another device too. Choose, for each item, which value to keep."
            )
        )
        explain.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        for column, text in enumerate((tr("Item"), tr("This device's value"), tr("Value on the server"))):
            head = QLabel(f"<b>{text}</b>")
            grid.addWidget(head, 0, column)
        self.groups: dict[str, tuple[QRadioButton, QRadioButton]] = {}
        for row, choice in enumerate(c.fields, start=1):
            mine, server = QRadioButton(shown(choice.mine)), QRadioButton(shown(choice.server))
            group = QButtonGroup(self)
            group.addButton(mine)
            group.addButton(server)
            server.setChecked(True)
            mine.setEnabled(not c.row_deleted)
            grid.addWidget(QLabel(field_label(choice.name)), row, 0)
            grid.addWidget(mine, row, 1)
            grid.addWidget(server, row, 2)
            self.groups[choice.name] = (mine, server)
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setLayout(grid)

        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.all_mine = QPushButton(tr("Keep all of mine"))
        self.all_mine.setEnabled(not c.row_deleted)
        self.all_server = QPushButton(tr("Keep all of the server's"))
        self.save = QPushButton(tr("Save the choice"))
        self.save.setDefault(True)
        cancel = QPushButton(tr("Decide later"))
        self.all_mine.clicked.connect(lambda: self._choose_all(0))
        self.all_server.clicked.connect(lambda: self._choose_all(1))
        self.save.clicked.connect(self.submit)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.all_mine, self.all_server):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(explain)  # says what happened (kind_label's words are the Sync page's column)
        layout.addWidget(frame)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        if c.county_decides:
            for widget in (self.all_mine, self.all_server, self.save, frame):
                widget.hide()
        if c.county_decides and c.kind != "cap_overrun":  # an overrun's amounts are said above, in words
            message = QLabel(
                box_sale_text(conflicts.box_sale(reader, c))
                if c.kind == "trace_code_elsewhere"  # by the code, never the server's English (trial F5)
                else c.message
            )
            message.setWordWrap(True)
            layout.insertWidget(2, message)
        self.resize(620, self.sizeHint().height())  # as tall as its items, no gaps between the parts

    def _choose_all(self, side: int) -> None:
        for pair in self.groups.values():
            pair[side].setChecked(True)

    def choices(self) -> dict[str, conflicts.Side]:
        return {name: ("mine" if mine.isChecked() else "server") for name, (mine, _s) in self.groups.items()}

    def submit(self) -> None:
        self.save.setEnabled(False)
        choices, conflict_id = self.choices(), self.conflict.id
        self.writer.run(
            lambda: conflicts.resolve(self.store, self.user, conflict_id, choices),
            on_success=lambda _r: self.accept(),
            on_failure=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self.save.setEnabled(True)
        self.error.setText(error_text(error, lambda e: labelled(field_label(e.field), rule_message(e))))
        self.error.show()
