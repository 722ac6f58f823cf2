"""The clinic's family-doctor teams: who leads each and who is in it; a clinic admin adds a team."""

from __future__ import annotations

from typing import Any

from clinic_app import contracts as C
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.store import Store
from clinic_app.users import User
from ui.i18n import tr
from ui.listmodel import Column, ListModel, ListView
from ui.messages import error_text
from ui.notice import Notice, reserve_problem_line
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


class TeamsDialog(QDialog):
    def __init__(
        self, store: Store, reader: Connection, writer: Writer, user: User, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.setWindowTitle(tr("Family-doctor teams"))
        columns = [
            Column("name", lambda: tr("Team"), lambda r: r["name"], width=140),
            Column("lead", lambda: tr("Lead"), lambda r: r["lead"] or "", width=120),
            Column("members", lambda: tr("Members"), lambda r: r["members"] or ""),
        ]
        clinic = store.clinic_id
        # a clinic has a handful of teams: one page holds them all
        self.model = ListModel(columns, lambda _after, limit: C.teams(reader, clinic)[:limit], parent=self)
        self.table = ListView(self.model)
        people = C.clinic_people(reader, clinic)
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
        self.add_button.clicked.connect(lambda: self.add())
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        reserve_problem_line(self.error)  # the form and its button keep their place when a problem shows
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
        close.clicked.connect(lambda: self.accept())
        self.notice = Notice()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(new)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addLayout(row)
        self.resize(560, 480)

    def add(self) -> None:
        name, lead = self.name.text().strip(), self.lead.currentData()
        members = [u for u, box in self.members.items() if box.isChecked() and u != lead]
        store, user = self.store, self.user
        self.error.hide()
        self.writer.run(lambda: C.add_team(store, user, name, lead, members), self._added, self._failed)

    def _added(self, team_id: Any) -> None:
        name = self.name.text().strip()
        self.name.clear()
        for box in self.members.values():
            box.setChecked(False)
        self.model.reload()
        self.table.select_key(team_id)
        self.notice.say(tr("Team %1 added.").replace("%1", name))

    def _failed(self, error: BaseException) -> None:
        def describe(e: ValidationError) -> str:
            return {
                "format": tr("A team name has 1-40 characters."),
                "duplicate": tr("There is a team of that name already."),
            }.get(e.rule, e.message)

        self.error.setText(error_text(error, describe))
        self.error.show()
