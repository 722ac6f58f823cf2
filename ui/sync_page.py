"""The Sync page: the state of this device's link with the county, a sync now (with cancel) and its progress,
the history of runs, the conflicts waiting for a person, and the changes the server refused (correct and
send again)."""

from __future__ import annotations

from typing import Any

from clinic_app import conflicts
from clinic_app.db import Connection
from clinic_app.errors import ValidationError
from clinic_app.setaside import page_cursor, set_aside_count, set_aside_page
from clinic_app.store import Changes, Store
from clinic_app.syncstate import (
    ACCOUNTS_WAITING,
    get_state,
    refused_count,
    refused_page,
    resend,
    sync_run_page,
)
from clinic_app.users import User
from ui.account_signin import AccountSignInDialog
from ui.conflict_dialog import ConflictDialog, kind_label, labelled, table_label
from ui.i18n import tr
from ui.listmodel import RIGHT, Column, ListModel, ListView, Row
from ui.messages import field_label, rule_text
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
from ui.timefmt import local_time

# What each list shows, by the tables that change it (the store-changed signal names the tables).
LIST_TABLES = {
    "history": ("sync_run",),
    "conflicts": ("conflict",),
    "refused": ("outbox",),
    "set_aside": ("set_aside",),
}
SET_ASIDE_TAB = 3


def state_text(state: str) -> str:
    return {
        "online": tr("● Online"),
        "offline": tr("● Offline"),
        "not_enrolled": tr("● Offline — not enrolled with a county server"),
        "needs_sign_in": tr("● The county server refused this device: enroll it again"),
        "update_required": tr("● Update Village Clinic to sync again (work goes on offline)"),
    }.get(state, state)


STATE_COLOURS = {
    "online": "#1e8449",
    "offline": "#7f8c8d",
    "not_enrolled": "#7f8c8d",
    "needs_sign_in": "#c0392b",
    "update_required": "#c0392b",
}


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
    """What the history shows of a run: the integrity check in words, or why it stopped — by the outcome's
    code; the English message of a failure is the tooltip (for whoever supports the clinic)."""
    outcome = run["outcome"]
    stopped = {
        "offline": tr("The county server could not be reached; nothing was lost."),
        "needs_sign_in": tr("The county server refused this device's token."),
        "update_required": tr("The county server needs a newer version."),
        "error": tr("The sync stopped on an error; nothing was lost. The details are in the log."),
        "cancelled": tr("Stopped by hand; what was sent and received is kept."),
    }
    if outcome in stopped:
        return stopped[outcome]
    integrity = run["integrity"] or ""
    if integrity.startswith("ok"):
        return tr("Checked: this computer holds what the server holds.")
    if integrity:
        return tr("Checked: some tables differed and were read again (%1)").replace("%1", integrity)
    return ""


def decision_text(resolution: dict[str, Any] | None) -> str:
    """How a conflict was decided, and by whom (the county's decisions say so)."""
    if not resolution:
        return tr("Decided")
    keep = resolution.get("keep")
    text = {
        "server": tr("Kept the server's version"),
        "device": tr("Kept the device's version"),
        "merged": tr("Chosen field by field"),
        "transfer": tr("The later contract stands"),
        "cancel": tr("The later contract was cancelled"),
        "fund_pays": tr("The fund pays the amount over the cap"),
        "patient_pays": tr("The patient pays the amount over the cap"),
        "recomputed": tr("Within the cap once the county recomputed the year"),
        "cancelled": tr("The visit was cancelled"),
        "acknowledged": tr("Looked into (the sale stands)"),  # a box sold at two clinics
    }.get(str(keep), str(keep))
    who = str(resolution.get("by") or "")
    if who.startswith("county:"):
        text = tr("County (%1): %2").replace("%1", who.removeprefix("county:")).replace("%2", text)
    elif who:
        text = f"{text}（{who}）"
    return text + (f" — {resolution['note']}" if resolution.get("note") else "")


def refusal_text(code: str | None, message: str | None) -> str:
    """The server's reason in the user's language: the rule's code (and the field the message names) mapped to
    a translated sentence; a rule the desktop does not know is named by its code."""
    field, _, rest = (message or "").partition(": ")  # the server's message starts with the field's name
    if code and rest:
        said = rule_text(ValidationError(field, code, rest)) or tr(
            "refused by the county server (rule %1)"
        ).replace("%1", code)
        return labelled(field_label(field), said)
    return tr("Refused by the county server (rule %1)").replace("%1", code or "?")


def set_aside_rule_text(rule: str) -> str:
    """Why a row from the county could not be stored here, by the rule's code (clinic_app.registry
    SET_ASIDE_RULES); the database's English message is the row's tooltip."""
    return {
        "unique": tr("Another record on this computer has the same name or number"),
        "required": tr("A required item is missing"),
        "type": tr("An item holds the wrong kind of value"),
        "range": tr("A number is out of range"),
        "too_long": tr("A text is too long"),
        "not_allowed": tr("An item holds a value this program does not know"),
        "encoding": tr("A text holds broken characters"),
        "malformed": tr("Not a readable record"),
        "not_stored": tr("The database refused it"),
    }.get(rule, rule)


def _count(value: int) -> str:
    return f"{value:,}"


def history_columns() -> list[Column]:
    return [
        Column("started", lambda: tr("Started"), lambda r: when(r["started_at"]), width=150),
        Column("trigger", lambda: tr("How"), lambda r: trigger_text(r["trigger"]), width=90),
        Column("outcome", lambda: tr("Result"), lambda r: outcome_text(r["outcome"]), width=130),
        Column("pushed", lambda: tr("Sent"), lambda r: _count(r["pushed"]), align=RIGHT, width=80),
        Column("pulled", lambda: tr("Received"), lambda r: _count(r["pulled"]), align=RIGHT, width=80),
        Column("conflicts", lambda: tr("Conflicts"), lambda r: _count(r["conflicts"]), align=RIGHT, width=60),
        Column("rejected", lambda: tr("Refused"), lambda r: _count(r["rejected"]), align=RIGHT, width=60),
        Column("details", lambda: tr("Details"), run_details, tooltip=lambda r: r["message"]),
    ]


def conflict_columns() -> list[Column]:
    def c(r: Row) -> conflicts.Conflict:
        conflict: conflicts.Conflict = r["conflict"]
        return conflict

    return [
        Column("since", lambda: tr("Since"), lambda r: when(c(r).created_at), width=150),
        Column(
            "record", lambda: tr("Record"), lambda r: f"{table_label(c(r).table)} {r['label']}", width=220
        ),
        Column("kind", lambda: tr("What happened"), lambda r: kind_label(c(r).kind), width=200),
        Column(
            "items",
            lambda: tr("Items"),
            lambda r: tr(", ").join(field_label(f.name) for f in c(r).fields),
            width=200,
        ),
        Column(
            "decision",
            lambda: tr("Decision"),
            lambda r: decision_text(c(r).resolution) if c(r).resolved_at else "",
        ),
    ]


def refused_columns() -> list[Column]:
    return [
        Column("changed", lambda: tr("Changed"), lambda r: when(r["device_time"]), width=150),
        Column(
            "record",
            lambda: tr("Record"),
            lambda r: f"{table_label(r['table_name'])} {r['label']}",
            width=180,
        ),
        Column(
            "why",
            lambda: tr("Why the server refused it"),
            lambda r: refusal_text(r["rejected_code"], r["rejected_message"]),
            tooltip=lambda r: r["rejected_message"],
        ),
    ]


def set_aside_columns() -> list[Column]:
    return [
        Column("seen", lambda: tr("Last received"), lambda r: when(r["seen_at"]), width=150),
        Column(
            "record",
            lambda: tr("Record"),
            lambda r: f"{table_label(r['table_name'])} {r['label']}",
            width=200,
        ),
        Column(
            "why",
            lambda: tr("Why it could not be stored"),
            lambda r: set_aside_rule_text(r["rule"]),
            tooltip=lambda r: r["message"],
            width=380,
        ),
        Column("first", lambda: tr("First received"), lambda r: when(r["first_seen_at"])),
    ]


def with_buttons(view: QWidget, *buttons: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    layout = QVBoxLayout(box)
    layout.addWidget(view)
    layout.addLayout(row)
    return box


class SyncPage(QWidget):
    """Its three lists are ``ListModel`` pages from SQL, newest first. A list reads again only when the
    store-changed signal names a table it shows (``LIST_TABLES``) — the window's writes and the sync thread's
    alike — and only while the page is shown; hidden, it notes the list as stale and reads it when shown."""

    enroll_requested = Signal()
    edit_resident_requested = Signal(str, object)  # resident id, what to do after a save

    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        controller: SyncController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.controller = controller
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
        self.sync_button.clicked.connect(lambda _checked=False: controller.sync_now("manual"))
        self.cancel_button.clicked.connect(lambda _checked=False: controller.cancel())
        self.enroll_button.clicked.connect(lambda _checked=False: self.enroll_requested.emit())
        # account changes the county keeps until an administrator signs in online (DESIGN §5 "Accounts")
        self.accounts_notice = QLabel()
        self.accounts_notice.setWordWrap(True)
        self.accounts_notice.setStyleSheet("color: #b9770e; font-weight: bold;")
        self.account_sign_in_button = QPushButton()
        self.account_sign_in_button.clicked.connect(lambda _checked=False: self.sign_in_for_accounts())
        self.progress = QProgressBar()
        # busy: how much is left is not known until the server says has_more=false
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress_text = QLabel()

        self.history_model = ListModel(history_columns())
        self.history = ListView(self.history_model)
        self.conflict_model = ListModel(conflict_columns())
        self.conflicts = ListView(self.conflict_model)
        self.show_decided = QCheckBox()
        self.show_decided.toggled.connect(lambda _on: self._load("conflicts"))
        self.resolve_button = QPushButton()
        self.resolve_button.clicked.connect(lambda _checked=False: self.resolve_selected())
        self.conflicts.doubleClicked.connect(lambda _i: self.resolve_selected())
        self.refused_model = ListModel(refused_columns(), key="seq")
        self.rejected = ListView(self.refused_model)
        self.correct_button = QPushButton()
        self.resend_button = QPushButton()
        self.correct_button.clicked.connect(lambda _checked=False: self.correct_selected())
        self.resend_button.clicked.connect(lambda _checked=False: self.resend_selected())
        for view in (self.conflicts, self.rejected):
            view.selectionModel().selectionChanged.connect(lambda _s, _d: self._enable_buttons())
            view.list_model().modelReset.connect(self._enable_buttons)
        self.set_aside_model = ListModel(set_aside_columns(), key="key", cursor=page_cursor)
        self.set_aside = ListView(self.set_aside_model)
        # what the county sent that this computer could not store: said above the lists, shown in the last tab
        self.set_aside_note = QLabel()
        self.set_aside_note.setWordWrap(True)
        self.set_aside_note.setStyleSheet("color: #b9770e;")
        self.show_set_aside = QPushButton()
        self.tabs = QTabWidget()
        self.show_set_aside.clicked.connect(lambda _checked=False: self.tabs.setCurrentIndex(SET_ASIDE_TAB))
        self.tabs.addTab(self.history, "")
        self.tabs.addTab(with_buttons(self.conflicts, self.resolve_button, self.show_decided), "")
        self.tabs.addTab(with_buttons(self.rejected, self.correct_button, self.resend_button), "")
        self.tabs.addTab(self.set_aside, "")

        top = QHBoxLayout()
        top.addWidget(self.sync_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.enroll_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.server)
        layout.addLayout(top)
        accounts_row = QHBoxLayout()
        accounts_row.addWidget(self.accounts_notice, 1)
        accounts_row.addWidget(self.account_sign_in_button)
        layout.addLayout(accounts_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_text)
        note = QHBoxLayout()
        note.addWidget(self.set_aside_note, 1)
        note.addWidget(self.show_set_aside)
        layout.addLayout(note)
        layout.addWidget(self.tabs, 1)
        self._stale = set(LIST_TABLES)  # nothing is read until the page is first shown
        self._where: tuple[str | None, str | None] = (None, None)
        self._waiting = self._refused = self._set_aside = 0
        self._accounts_waiting = 0
        controller.changed.connect(self.show_state)
        controller.finished.connect(lambda _o, _r: self._read_where())
        writer.watch(store)  # idempotent; the sync thread's sibling store shares its listeners
        writer.store_changed.connect(self.store_changed)
        self._read_where()
        self.retranslate()

    # -- text ------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.sync_button.setText(tr("Sync now"))
        self.cancel_button.setText(tr("Cancel"))
        self.enroll_button.setText(tr("Enroll this device…"))
        self.resolve_button.setText(tr("Resolve…"))
        self.correct_button.setText(tr("Correct…"))
        self.resend_button.setText(tr("Send again"))
        self.show_decided.setText(tr("Show decided ones too"))
        self.account_sign_in_button.setText(tr("Sign in online and send…"))
        self.show_set_aside.setText(tr("Show which…"))
        for model in (self.history_model, self.conflict_model, self.refused_model, self.set_aside_model):
            model.retranslate()
        self._tab_texts()
        self.show_state()

    def _tab_texts(self) -> None:
        self.tabs.setTabText(0, tr("History"))
        self.tabs.setTabText(1, tr("Conflicts (%1)").replace("%1", _count(self._waiting)))
        self.tabs.setTabText(2, tr("Refused changes (%1)").replace("%1", _count(self._refused)))
        self.tabs.setTabText(SET_ASIDE_TAB, tr("Not stored (%1)").replace("%1", _count(self._set_aside)))
        self.set_aside_note.setText(
            tr(
                "%1 rows from the county could not be stored on this computer. The rest of the sync went on; "
                "a corrected version from the county takes their place."
            ).replace("%1", _count(self._set_aside))
        )
        for widget in (self.set_aside_note, self.show_set_aside):
            widget.setVisible(self._set_aside > 0)

    # -- state -----------------------------------------------------------------------------------------
    def _read_where(self) -> None:
        """Where this device syncs to: read after enrollment and each run, not at every step of a sync."""
        self._where = (get_state(self.reader, "server_url"), get_state(self.reader, "clinic_code"))
        self._accounts_waiting = int(get_state(self.reader, ACCOUNTS_WAITING) or 0)
        self.show_state()

    def show_state(self) -> None:
        c = self.controller
        if self._where[0] is None and c.state != "not_enrolled":  # enrolled just now
            self._where = (get_state(self.reader, "server_url"), get_state(self.reader, "clinic_code"))
        self.state.setText(state_text(c.state))
        self.state.setStyleSheet(f"color: {STATE_COLOURS.get(c.state, '#000')};")
        self.state.setToolTip(c.message)  # the technical reason, in English, for whoever supports the clinic
        url, code = self._where
        text = (
            tr("County server: %1 · this device belongs to clinic %2")
            .replace("%1", url)
            .replace("%2", code or "")
            if url
            else tr("This device is not enrolled: it works offline and keeps every change for later.")
        )
        self.server.setText(text)
        self.enroll_button.setVisible(c.state in ("not_enrolled", "needs_sign_in"))
        self.sync_button.setEnabled(not c.running and c.state != "not_enrolled")
        self.cancel_button.setEnabled(c.running)
        self.progress.setVisible(c.running)
        if c.running and c.report is not None:
            self.progress_text.setText(
                step_text(c.step)
                + "  "
                + tr("sent %1, received %2")
                .replace("%1", f"{c.report.pushed:,}")
                .replace("%2", f"{c.report.pulled:,}")
            )
        else:
            self.progress_text.setText("")
        self.progress_text.setVisible(c.running)  # no empty line under the buttons between runs
        waiting = self._accounts_waiting > 0 and c.state not in ("not_enrolled", "needs_sign_in")
        self.accounts_notice.setText(
            tr(
                "%1 account changes wait: they are sent only after a clinic administrator signs in online (a password change: that user)."
            ).replace("%1", _count(self._accounts_waiting))
        )
        self.accounts_notice.setVisible(waiting)
        self.account_sign_in_button.setVisible(waiting)
        self.account_sign_in_button.setEnabled(not c.running)

    # -- the lists -------------------------------------------------------------------------------------
    def store_changed(self, changes: object) -> None:
        """The store-changed signal: read again the lists whose tables changed (now if shown, else when shown)."""
        if not isinstance(changes, Changes):
            return
        stale = {name for name, tables in LIST_TABLES.items() if any(changes.touched(t) for t in tables)}
        if not stale:
            return
        self._stale |= stale
        if self.isVisible():
            self._load_stale()

    def showEvent(self, event: Any) -> None:
        self._load_stale()
        super().showEvent(event)

    def _load_stale(self) -> None:
        stale, self._stale = self._stale, set()
        for name in sorted(stale):
            self._load(name)

    def _load(self, name: str) -> None:
        if not self.isVisible():
            self._stale.add(name)
            return
        conn = self.reader
        if name == "history":
            self._read_or_set(self.history_model, lambda after, n: sync_run_page(conn, after, n))
        elif name == "conflicts":
            decided = self.show_decided.isChecked()
            fetch = lambda after, n: conflicts.conflict_page(conn, after, n, include_resolved=decided)  # noqa: E731
            self.conflict_model.set_fetch(fetch)
            self._waiting = conflicts.waiting_count(conn)
        elif name == "refused":
            self._read_or_set(self.refused_model, lambda after, n: refused_page(conn, after, n))
            self._refused = refused_count(conn)
        elif name == "set_aside":
            self._read_or_set(self.set_aside_model, lambda after, n: set_aside_page(conn, after, n))
            self._set_aside = set_aside_count(conn)
        self._tab_texts()

    def _read_or_set(self, model: ListModel, fetch: Any) -> None:
        if model.canFetchMore() or model.rowCount():
            model.reload()
        else:
            model.set_fetch(fetch)

    def _enable_buttons(self) -> None:
        chosen = self._chosen_conflict()
        self.resolve_button.setEnabled(chosen is not None and not chosen.resolved_at)
        refused = self.rejected.current_key() is not None
        for button in (self.correct_button, self.resend_button):
            button.setEnabled(refused)

    # -- actions ---------------------------------------------------------------------------------------
    def sign_in_for_accounts(self) -> AccountSignInDialog:
        """The online sign-in; once the county accepts it, a sync sends the account changes with it."""
        dialog = AccountSignInDialog(self.controller.sign_in_online, self.user.username, parent=self)
        dialog.accepted.connect(lambda: self.controller.sync_now("manual", user_token=dialog.token))
        dialog.open()
        return dialog

    def _chosen_conflict(self) -> conflicts.Conflict | None:
        """The selected conflict; with none selected, the first one waiting (opening a dialog is harmless)."""
        key = self.conflicts.current_key()
        row = self.conflict_model.row_of(key) if key is not None else -1
        if row < 0:
            row = next(
                (
                    i
                    for i in range(self.conflict_model.rowCount())
                    if not self.conflict_model.row_data(i)["conflict"].resolved_at
                ),
                -1,
            )
        return self.conflict_model.row_data(row)["conflict"] if row >= 0 else None

    def resolve_selected(self) -> ConflictDialog | None:
        chosen = self._chosen_conflict()
        if chosen is None or chosen.resolved_at:
            return None
        dialog = ConflictDialog(self.store, self.reader, self.writer, self.user, chosen.id, parent=self)
        dialog.open()
        return dialog

    def _chosen_refusal(self) -> tuple[str, str] | None:
        """The selected refused change (never a default: sending again changes the record)."""
        row = self.refused_model.row_of(self.rejected.current_key())
        if row < 0:
            return None
        data = self.refused_model.row_data(row)
        return str(data["table_name"]), str(data["row_id"])

    def resend_selected(self) -> None:
        key = self._chosen_refusal()
        if key is not None:
            table, row_id = key
            self.writer.run(lambda: resend(self.store, table, row_id))

    def correct_selected(self) -> None:
        """Open the record's own form; after a save, the corrected row is sent again."""
        key = self._chosen_refusal()
        if key is None:
            return
        table, row_id = key
        if table == "resident":
            self.edit_resident_requested.emit(
                row_id, lambda: self.writer.run(lambda: resend(self.store, table, row_id))
            )
        else:
            self.resend_selected()
