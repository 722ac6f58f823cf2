"""The clinic's family-doctor teams: who leads each and who is in it; a clinic admin adds a team."""

from __future__ import annotations

from typing import Any

from clinic_app import contracts as C
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.store import Store
from clinic_app.users import User
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Writer
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.tables import fill_table, new_table, set_headers


class TeamsDialog(QDialog):
    def __init__(self, store: Store, reader: Connection, writer: Writer, user: User,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.setWindowTitle(tr("Family-doctor teams"))
        self.table = new_table([])
        set_headers(self.table, [tr("Team"), tr("Lead"), tr("Members")])
        people = [dict(r) for r in reader.execute(
            'SELECT username, display_name FROM "user" WHERE clinic_id = ? AND deleted_at IS NULL AND active = 1 '
            "ORDER BY display_name", (store.clinic_id,))]  # fmt: skip
        self.name = QLineEdit()
        self.lead = QComboBox()
        self.members: dict[str, QCheckBox] = {}
        member_box = QVBoxLayout()
        for p in people:
            self.lead.addItem(f"{p['display_name']}（{p['username']}）", p["username"])
            box = QCheckBox(f"{p['display_name']}（{p['username']}）")
            self.members[p["username"]] = box
            member_box.addWidget(box)
        self.add_button = QPushButton(tr("Add the team"))
        self.add_button.clicked.connect(self.add)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(tr("Team name"), self.name)
        form.addRow(tr("Lead doctor"), self.lead)
        form.addRow(tr("Members"), member_box)
        form.addRow("", self.add_button)
        new = QGroupBox(tr("A new team"))
        new.setLayout(form)
        new.setEnabled(user.is_admin)
        if not user.is_admin:
            new.setToolTip(tr("Only a clinic admin adds teams."))
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(new)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.resize(560, 480)
        self.refresh()

    def refresh(self) -> None:
        teams = [dict(r) for r in self.reader.execute(
            'SELECT t.id, t.name, u.display_name AS lead, (SELECT group_concat(m.display_name, "、") FROM team_member tm '
            'JOIN "user" m ON m.id = tm.user_id WHERE tm.team_id = t.id AND tm.deleted_at IS NULL) AS members '
            'FROM team t LEFT JOIN "user" u ON u.id = t.lead_user_id WHERE t.clinic_id = ? AND t.deleted_at IS NULL '
            "ORDER BY t.name", (self.store.clinic_id,))]  # fmt: skip
        fill_table(
            self.table,
            [[t["name"], t["lead"] or "", t["members"] or ""] for t in teams],
            [t["id"] for t in teams],
        )

    def add(self) -> None:
        name, lead = self.name.text().strip(), self.lead.currentData()
        members = [u for u, box in self.members.items() if box.isChecked() and u != lead]
        store, user = self.store, self.user
        self.error.hide()
        self.writer.run(lambda: C.add_team(store, user, name, lead, members), self._added, self._failed)

    def _added(self, _team_id: Any) -> None:
        self.name.clear()
        for box in self.members.values():
            box.setChecked(False)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        def describe(e: ValidationError) -> str:
            return {"format": tr("A team name has 1-40 characters."),
                    "duplicate": tr("There is a team of that name already.")}.get(e.rule, e.message)  # fmt: skip

        self.error.setText(error_text(error, describe))
        self.error.show()
