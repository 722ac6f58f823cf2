"""The Sync page: the state of this device's link with the county, a sync now (with cancel) and its progress,
the history of runs, the conflicts waiting for a person, and the changes the server refused (correct and
send again)."""

from __future__ import annotations

from typing import Any

from clinic_app import conflicts
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.store import Store
from clinic_app.syncstate import get_state, rejected_changes, resend, row_label, sync_history
from clinic_app.users import User
from ui.conflict_dialog import ConflictDialog, kind_label, table_label
from ui.i18n import tr
from ui.messages import field_label, rule_message
from ui.ops import Writer
from ui.qt import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.syncer import SyncController
from ui.tables import ReadsWhenShown, fill_table, new_table, selected_key, set_headers, with_buttons
from ui.timefmt import local_time


def state_text(state: str) -> str:
    return {
        "online": tr("● Online"),
        "offline": tr("● Offline"),
        "not_enrolled": tr("● Offline — not enrolled with a county server"),
        "needs_sign_in": tr("● The county server refused this device: enroll it again"),
        "update_required": tr("● Update Village Clinic to sync again (work goes on offline)"),
    }.get(state, state)


STATE_COLOURS = {"online": "#1e8449", "offline": "#7f8c8d", "not_enrolled": "#7f8c8d",
                 "needs_sign_in": "#c0392b", "update_required": "#c0392b"}  # fmt: skip


def outcome_text(outcome: str) -> str:
    return {
        "ok": tr("Synced"),
        "conflicts": tr("Synced; conflicts wait"),
        "offline": tr("Offline"),
        "cancelled": tr("Cancelled"),
        "needs_sign_in": tr("Refused: enroll again"),
        "update_required": tr("Update needed"),
        "error": tr("Failed"),
    }.get(outcome, outcome)


def trigger_text(trigger: str) -> str:
    return {
        "manual": tr("By hand"),
        "timer": tr("Scheduled"),
        "start": tr("At start"),
        "enroll": tr("Enrollment"),
        "cli": tr("Command line"),
    }.get(trigger, trigger)


def step_text(step: str) -> str:
    if step.startswith("push"):
        return tr("Sending changes…")
    return {"pull": tr("Receiving changes…"), "check": tr("Comparing with the server…")}.get(
        step, tr("Starting…")
    )


def when(stamp: str | None) -> str:
    return local_time(stamp, seconds=True)


def run_details(run: dict[str, Any]) -> str:
    """What the history shows of a run: the integrity check in words, or why it stopped."""
    if run["outcome"] in ("offline", "needs_sign_in", "update_required"):
        return {"offline": tr("The county server could not be reached; nothing was lost."),
                "needs_sign_in": tr("The county server refused this device's token."),
                "update_required": tr("The county server needs a newer version.")}[run["outcome"]]  # fmt: skip
    integrity = run["integrity"] or ""
    if integrity.startswith("ok"):
        return tr("Checked: this computer holds what the server holds.")
    if integrity:
        return tr("Checked: some tables differed and were read again (%1)").replace("%1", integrity)
    return run["message"] or ""


def decision_text(resolution: dict[str, Any] | None) -> str:
    """How a conflict was decided, and by whom (the county's decisions say so)."""
    if not resolution:
        return tr("Decided")
    keep = resolution.get("keep")
    text = {"server": tr("Kept the server's version"), "device": tr("Kept the device's version"),
            "merged": tr("Chosen field by field"), "transfer": tr("The later contract stands"),
            "cancel": tr("The later contract was cancelled")}.get(str(keep), str(keep))  # fmt: skip
    who = str(resolution.get("by") or "")
    if who.startswith("county:"):
        text = tr("County (%1): %2").replace("%1", who.removeprefix("county:")).replace("%2", text)
    elif who:
        text = f"{text}（{who}）"
    return text + (f" — {resolution['note']}" if resolution.get("note") else "")


def refusal_text(code: str | None, message: str | None) -> str:
    """The server's reason in the user's language where the rule is one the desktop knows."""
    field, _, rest = (message or "").partition(": ")
    if code and rest:
        return f"{field_label(field)}: {rule_message(ValidationError(field, code, rest))}"
    return message or code or ""


class SyncPage(ReadsWhenShown, QWidget):
    enroll_requested = Signal()
    edit_resident_requested = Signal(str, object)  # resident id, what to do after a save

    def __init__(self, store: Store, reader: Connection, writer: Writer, user: User, controller: SyncController,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user, self.controller = (
            store,
            reader,
            writer,
            user,
            controller,
        )
        self.state = QLabel()
        font = self.state.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.state.setFont(font)
        self.server = QLabel()
        self.server.setWordWrap(True)
        self.sync_button = QPushButton()
        self.cancel_button = QPushButton()
        self.enroll_button = QPushButton()
        self.sync_button.clicked.connect(lambda: controller.sync_now("manual"))
        self.cancel_button.clicked.connect(controller.cancel)
        self.enroll_button.clicked.connect(self.enroll_requested.emit)
        self.progress = QProgressBar()
        self.progress.setRange(
            0, 0
        )  # busy: how much is left is not known until the server says has_more=false
        self.progress.setTextVisible(False)
        self.progress_text = QLabel()

        self.history = new_table([])
        self.conflicts = new_table([])
        self.show_decided = QCheckBox()
        self.show_decided.toggled.connect(lambda _on: self.refresh())
        self.resolve_button = QPushButton()
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.conflicts.doubleClicked.connect(lambda _i: self.resolve_selected())
        self.rejected = new_table([])
        self.correct_button = QPushButton()
        self.resend_button = QPushButton()
        self.correct_button.clicked.connect(self.correct_selected)
        self.resend_button.clicked.connect(self.resend_selected)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.history, "")
        self.tabs.addTab(with_buttons(self.conflicts, self.resolve_button, self.show_decided), "")
        self.tabs.addTab(with_buttons(self.rejected, self.correct_button, self.resend_button), "")

        top = QHBoxLayout()
        top.addWidget(self.sync_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.enroll_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.server)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_text)
        layout.addWidget(self.tabs, 1)
        controller.changed.connect(self.show_state)
        controller.finished.connect(lambda _o, _r: self.refresh())
        writer.store_changed.connect(lambda _r: self.refresh())
        self.retranslate()

    # -- text ------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.sync_button.setText(tr("Sync now"))
        self.cancel_button.setText(tr("Cancel"))
        self.enroll_button.setText(tr("Enroll this device…"))
        self.resolve_button.setText(tr("Resolve…"))
        self.correct_button.setText(tr("Correct…"))
        self.resend_button.setText(tr("Send again"))
        set_headers(self.history, [tr("Started"), tr("How"), tr("Result"), tr("Sent"), tr("Received"),
                                tr("Conflicts"), tr("Refused"), tr("Details")])  # fmt: skip
        set_headers(
            self.conflicts, [tr("Since"), tr("Record"), tr("What happened"), tr("Items"), tr("Decision")]
        )
        self.show_decided.setText(tr("Show decided ones too"))
        set_headers(self.rejected, [tr("Changed"), tr("Record"), tr("Why the server refused it")])
        self.refresh()

    # -- state -----------------------------------------------------------------------------------------
    def show_state(self) -> None:
        c = self.controller
        self.state.setText(state_text(c.state))
        self.state.setStyleSheet(f"color: {STATE_COLOURS.get(c.state, '#000')};")
        url, code = self._where
        text = (tr("County server: %1 · this device belongs to clinic %2").replace("%1", url).replace("%2", code or "")
                if url else tr("This device is not enrolled: it works offline and keeps every change for later."))  # fmt: skip
        if c.message and c.state != "online":
            text += "\n" + c.message
        self.server.setText(text)
        self.enroll_button.setVisible(c.state in ("not_enrolled", "needs_sign_in"))
        self.sync_button.setEnabled(not c.running and c.state != "not_enrolled")
        self.cancel_button.setEnabled(c.running)
        self.progress.setVisible(c.running)
        if c.running and c.report is not None:
            self.progress_text.setText(step_text(c.step) + "  " + tr("sent %1, received %2")
                                       .replace("%1", f"{c.report.pushed:,}").replace("%2", f"{c.report.pulled:,}"))  # fmt: skip
        else:
            self.progress_text.setText("")

    def refresh(self) -> None:
        """Re-read the lists; while the page is hidden this only marks them stale (start-up reads nothing)."""
        # where this device syncs to: read here, not at every step of a running sync (show_state)
        self._where = (get_state(self.reader, "server_url"), get_state(self.reader, "clinic_code"))
        if not self.shown_now():
            self.show_state()
            return
        runs = sync_history(self.reader, 100)
        fill_table(self.history, [[when(r["started_at"]), trigger_text(r["trigger"]), outcome_text(r["outcome"]),
                              str(r["pushed"]), str(r["pulled"]), str(r["conflicts"]), str(r["rejected"]),
                              run_details(r)] for r in runs], [r["id"] for r in runs])  # fmt: skip
        listed = conflicts.list_conflicts(self.reader, include_resolved=self.show_decided.isChecked())
        waiting = [c for c in listed if not c.resolved_at]
        fill_table(self.conflicts, [[when(c.created_at), f"{table_label(c.table)} {row_label(self.reader, c.table, c.row_id)}",
                                kind_label(c.kind), ", ".join(field_label(f.name) for f in c.fields),
                                decision_text(c.resolution) if c.resolved_at else ""]
                               for c in listed], [c.id for c in listed])  # fmt: skip
        refused = rejected_changes(self.reader)
        fill_table(self.rejected, [[when(r["device_time"]), f"{table_label(r['table_name'])} "
                               f"{row_label(self.reader, r['table_name'], r['row_id'])}", refusal_text(r["rejected_code"], r["rejected_message"])]
                              for r in refused], [(r["table_name"], r["row_id"]) for r in refused])  # fmt: skip
        self.tabs.setTabText(0, tr("History"))
        self.tabs.setTabText(1, tr("Conflicts (%1)").replace("%1", str(len(waiting))))
        self.tabs.setTabText(2, tr("Refused changes (%1)").replace("%1", str(len(refused))))
        for button in (self.resolve_button,):
            button.setEnabled(bool(waiting))
        for button in (self.correct_button, self.resend_button):
            button.setEnabled(bool(refused))
        self.show_state()

    # -- actions ---------------------------------------------------------------------------------------
    def resolve_selected(self) -> ConflictDialog | None:
        conflict_id = selected_key(self.conflicts, first_if_none=True)
        if conflict_id is None or conflicts.get_conflict(self.reader, conflict_id).resolved_at:
            return None
        dialog = ConflictDialog(self.store, self.reader, self.writer, self.user, conflict_id, parent=self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def resend_selected(self) -> None:
        key = selected_key(self.rejected, first_if_none=True)
        if key is not None:
            table, row_id = key
            self.writer.run(lambda: resend(self.store, table, row_id))

    def correct_selected(self) -> None:
        """Open the record's own form; after a save, the corrected row is sent again."""
        key = selected_key(self.rejected, first_if_none=True)
        if key is None:
            return
        table, row_id = key
        if table == "resident":
            self.edit_resident_requested.emit(
                row_id, lambda: self.writer.run(lambda: resend(self.store, table, row_id))
            )
        else:
            self.resend_selected()
