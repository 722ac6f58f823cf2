"""The main window: navigation of DESIGN §8, the status bar, and the idle lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app.clinic import StatusCounts, clinic_name, status_counts
from clinic_app.db import Connection
from clinic_app.settings import get_setting
from clinic_app.store import Changes, Store
from clinic_app.users import User
from ui.chronic_page import ChronicPage
from ui.contracts_page import ContractsPage
from ui.i18n import tr
from ui.ops import Op, Writer
from ui.prescriptions_page import PrescriptionsPage
from ui.qt import (
    QApplication,
    QCloseEvent,
    QEvent,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QObject,
    QPushButton,
    QSize,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.reports_page import ReportsPage
from ui.resident_dialog import ResidentDialog
from ui.residents_page import ResidentsPage
from ui.sync_page import STATE_COLOURS, SyncPage, state_text
from ui.syncer import SyncController
from ui.timefmt import local_time

# (key, English source, Chinese name on the navigation, whether the page exists yet)
PAGES = (
    ("residents", "Residents"),
    ("contracts", "Contracts"),
    ("followups", "Follow-ups"),
    ("prescriptions", "Prescriptions"),
    ("reports", "Reports"),
    ("sync", "Sync"),
)
STATUS_REFRESH_MS = 30_000
PREFERRED_SIZE = QSize(1280, 800)
FRAME_ALLOWANCE = QSize(16, 40)  # the window manager's title bar and borders, before the window has them
NAV_STYLE = """
QListWidget#navigation { font-size: 15px; border: 2px solid #c8c8c8; outline: none; }
QListWidget#navigation:focus { border: 2px solid #1a5276; }
QListWidget#navigation::item { padding: 10px 8px; border-left: 4px solid transparent; }
QListWidget#navigation::item:selected { background: #d6eaf8; color: #1b2631; border-left: 4px solid #2e86c1; }
QListWidget#navigation::item:selected:focus { background: #1f6fa5; color: white; border-left: 4px solid #0b3552; }
QListWidget#navigation::item:hover:!selected { background: #eef5fb; }
"""


def initial_size(available: QSize) -> QSize:
    """The window's first size on a screen whose free area (without the taskbar) is ``available``: 1280×800
    where there is room, else all of that area less the frame, e.g. 1280×688 on a 1366×768 laptop."""
    return QSize(
        min(PREFERRED_SIZE.width(), available.width() - FRAME_ALLOWANCE.width()),
        min(PREFERRED_SIZE.height(), available.height() - FRAME_ALLOWANCE.height()),
    )


def page_title(key: str) -> str:
    return {
        "residents": tr("Residents"),
        "contracts": tr("Contracts"),
        "followups": tr("Follow-ups"),
        "prescriptions": tr("Prescriptions"),
        "reports": tr("Reports"),
        "sync": tr("Sync"),
    }[key]


class NotBuiltPage(QWidget):
    """A page of the navigation that a later version brings; it says so and pretends nothing."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(
            tr("%1 — not built yet in this version.").replace("%1", page_title(self.key))
            + "\n\n"
            + tr("Nothing on this page works yet; the data you enter elsewhere is kept.")
        )


class IdleWatcher(QObject):
    """Counts keyboard and mouse activity anywhere in the program; says when it has been idle too long.

    It listens only until it hears activity, then not for a while (``DEAF_MS``, at most a tenth of the idle time):
    an application-wide event filter is a call into Python for every Qt event of the program — every paint,
    layout and polish of what the activity opens (a follow-up form's opening took 50-80 ms with it, 12-17 ms
    without). The lock may then come that much early, never late."""

    idle = Signal()
    ACTIVITY = (
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    )
    DEAF_MS = 5000

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(seconds * 1000)
        self.timer.timeout.connect(self.idle.emit)
        self.paused = False
        self.listening = False
        self._stopped = False
        self._deaf = QTimer(self)
        self._deaf.setSingleShot(True)
        self._deaf.timeout.connect(self._listen)

    def start(self) -> None:
        self._stopped = False
        self._listen()
        self.timer.start()

    def stop(self) -> None:
        """For good: a closed window's watcher neither counts activity nor locks."""
        self._stopped = True
        self._deaf.stop()
        self._not_listen()
        self.paused = True
        self.timer.stop()

    def _listen(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._stopped and not self.listening:
            app.installEventFilter(self)
            self.listening = True

    def _not_listen(self) -> None:
        app = QApplication.instance()
        if app is not None and self.listening:
            app.removeEventFilter(self)
        self.listening = False

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if not self.paused and event.type() in self.ACTIVITY:
            self.timer.start()
            self._not_listen()
            self._deaf.start(min(self.DEAF_MS, self.timer.interval() // 10))
        return False


class MainWindow(QMainWindow):
    signed_out = Signal()  # 退出登录 (in the status bar, or on the lock screen): the sign-in comes back
    closed = Signal()  # after the window has stopped its timers and its sync

    def __init__(
        self,
        store: Store,
        user: User,
        writer: Writer,
        idle_seconds: int | None = None,
        sync: SyncController | None = None,
    ) -> None:
        super().__init__()
        self.store, self.user, self.writer = store, user, writer
        self.reader = store.reader()
        self.sync = sync or SyncController(store, parent=self, reader=self.reader, ops=writer)
        self.clinic_name = clinic_name(self.reader, store.clinic_id)
        self.locked = False
        self._counts: StatusCounts | None = None  # the status bar's, as last read (``refresh_status``)
        self._counting: Op | None = None
        self._count_again = False
        self._count_conn: Connection | None = None
        self._closed = False  # closeEvent: no more counts

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setStyleSheet(NAV_STYLE)  # the selected page, and whether the keyboard is here, at a glance
        self.pages = QStackedWidget()
        self.residents = ResidentsPage(self.reader, store.clinic_id, open_reader=store.reader, ops=writer)
        self.sync_page = SyncPage(store, self.reader, writer, user, self.sync)
        self.contracts = ContractsPage(store, self.reader, writer, user, lookup_factory=self._county_lookup)
        self.followups = ChronicPage(store, self.reader, writer, user)
        self.reports = ReportsPage(store, self.reader, writer, user)
        built: dict[str, QWidget] = {
            "residents": self.residents,
            "contracts": self.contracts,
            "followups": self.followups,
            "reports": self.reports,
            "prescriptions": PrescriptionsPage(store, self.reader, writer, user),
            "sync": self.sync_page,
        }
        for key, _english in PAGES:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            self.pages.addWidget(built.get(key) or NotBuiltPage(key))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)

        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.lock_screen = QLabel()
        self.lock_screen.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QStackedWidget()
        self.body.addWidget(central)
        self.body.addWidget(self.lock_screen)
        self.setCentralWidget(self.body)

        self.online = QLabel()
        self.last_sync = QLabel()
        self.waiting = QLabel()
        self.conflicts = QLabel()
        self.who = QLabel()
        bar = self.statusBar()
        for label in (self.online, self.last_sync, self.waiting, self.conflicts):
            label.setContentsMargins(4, 0, 14, 0)
            bar.addWidget(label)
        bar.addPermanentWidget(self.who)
        self.sign_out_button = QPushButton()
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it, Space presses it
        self.sign_out_button.clicked.connect(self.sign_out)
        bar.addPermanentWidget(self.sign_out_button)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start()

        self.residents.add_requested.connect(lambda: self.open_resident(None))
        self.residents.edit_requested.connect(self.open_resident)
        self.residents.visit_requested.connect(self.open_visit)
        self.residents.visits_requested.connect(self.open_visits)
        self.writer.watch(
            store
        )  # the sync thread's sibling store shares the listeners: pulled rows are heard too
        self.writer.store_changed.connect(self._store_changed)
        self.sync.changed.connect(self.show_sync_state)  # every sync step: the label only, no counting
        self.sync.finished.connect(self._synced)
        self.sync_page.enroll_requested.connect(self.open_enrollment)
        self.sync_page.edit_resident_requested.connect(self._correct_resident)

        seconds = idle_seconds if idle_seconds is not None else get_setting(self.reader, "idle_lock_seconds")
        self.idle = IdleWatcher(seconds, self)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        QWidget.setTabOrder(self.nav, self.residents.search)
        self.fit_to_screen()
        self.retranslate()

    def fit_to_screen(self) -> None:
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(PREFERRED_SIZE)
            return
        area = screen.availableGeometry()
        size = initial_size(area.size())
        self.resize(size)
        self.move(
            area.left() + (area.width() - size.width()) // 2,
            area.top() + max(0, (area.height() - size.height() - FRAME_ALLOWANCE.height()) // 2),
        )

    # -- text -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(tr("Village Clinic — %1").replace("%1", self.clinic_name))
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            item.setText(page_title(item.data(Qt.ItemDataRole.UserRole)))
        for i in range(self.pages.count()):
            page = self.pages.widget(i)
            if isinstance(page, NotBuiltPage | SyncPage | ContractsPage | ChronicPage | ReportsPage):
                page.retranslate()
        self.lock_screen.setText(tr("Locked"))
        self.sign_out_button.setText(tr("Sign out"))
        self.sign_out_button.setToolTip(tr("Close this window and sign in as another user"))
        self.refresh_status()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh_status(self) -> None:
        """The status bar: the sync state and who is signed in at once; the counts are read off the GUI thread
        (counting the outbox reads every page of it: ~50 ms at start with 100,000 residents waiting to be sent,
        the largest single piece of the program's start) and shown when they come, as the residents total is."""
        self.show_sync_state()
        self.who.setText(f"{self.user.display_name} · {self.clinic_name}")
        if self._counts is not None:
            self._show_counts(self._counts)  # in the language now chosen, until the new counts come
        if self._closed:
            return
        if self._counting is not None and self._counting.running:
            self._count_again = True  # one count at a time on the count connection; the newest after it
            return
        self._counting = self.writer.work(self._read_counts, self._counted, parent=self)

    def _read_counts(self) -> StatusCounts:
        """Off the GUI thread: its own connection, made there once."""
        if self._count_conn is None:
            self._count_conn = self.store.reader()
        return status_counts(self._count_conn)

    def _counted(self, counts: StatusCounts) -> None:
        self._counts = counts
        self._show_counts(counts)
        if self._count_again:
            self._count_again = False
            self.refresh_status()

    def _show_counts(self, counts: StatusCounts) -> None:
        last = counts.last_sync_at
        self.last_sync.setText(tr("Last sync: %1").replace("%1", local_time(last) if last else tr("never")))
        self.waiting.setText(tr("Changes waiting to be sent: %1").replace("%1", f"{counts.waiting:,}"))
        self.conflicts.setText(tr("Conflicts needing a person: %1").replace("%1", str(counts.conflicts)))
        self.conflicts.setStyleSheet("color: #c0392b; font-weight: bold;" if counts.conflicts else "")

    def show_sync_state(self) -> None:
        self.online.setText(tr("● Syncing…") if self.sync.running else state_text(self.sync.state))
        self.online.setStyleSheet(f"color: {STATE_COLOURS.get(self.sync.state, '#000')};")
        self.online.setToolTip(self.sync.message)

    # -- actions --------------------------------------------------------------------------------
    def open_resident(self, resident_id: str | None) -> ResidentDialog:
        dialog = ResidentDialog(self.store, self.reader, self.writer, self.user, resident_id, parent=self)
        dialog.accepted.connect(lambda: self._resident_saved(dialog, added=resident_id is None))
        dialog.open()
        return dialog

    def visit_context(self) -> Any:
        from ui.visit_dialog import VisitContext

        return VisitContext(self.store, self.writer, self.user, dt.date.today())

    def open_visit(self, resident: dict[str, Any]) -> Any:
        """The visit form of a resident of the residents page (its confirmation under the page's list)."""
        from ui.visit_dialog import open_visit

        return open_visit(self.visit_context(), resident, self.residents, said=self.residents.notice.say)

    def open_visits(self, resident: dict[str, Any]) -> Any:
        from ui.visit_list import open_visits

        return open_visits(self.visit_context(), resident, self)

    def _resident_saved(self, dialog: ResidentDialog, added: bool) -> None:
        if dialog.saved_id:
            self.residents.show_saved(dialog.saved_id, dialog.name.text().strip(), added)

    def _store_changed(self, changes: Changes) -> None:
        """Each page refreshes itself from what changed; the window only the residents list (not its page) and
        the status bar's counts (not at every page a sync pulls: ``_synced`` counts once at the end)."""
        self.residents.on_store_changed(changes.rows)
        if not changes.action.startswith("sync.") or changes.touched("conflict"):
            self.refresh_status()

    def _synced(self, _outcome: str, _report: object) -> None:
        self.writer.flush()  # what the run stored reaches every page now, not a coalescing interval later
        self.refresh_status()

    def open_enrollment(self) -> Any:
        from ui.enroll_dialog import EnrollDialog

        dialog = EnrollDialog(self.store, parent=self)
        dialog.enrolled.connect(self._enrolled)
        dialog.open()
        return dialog

    def _enrolled(self, reply: dict[str, Any]) -> None:
        """The county's clinic id replaced this database's own: everything that holds the id takes it."""
        self.store.clinic_id = reply["clinic_id"]
        self.residents.clinic_id = self.residents.model.clinic_id = reply["clinic_id"]
        self.clinic_name = reply["clinic_name"]
        self.sync.state = "online"
        self.sync.sync_now("enroll")
        self.retranslate()

    def _county_lookup(self) -> Any:
        """Signing asks the county first when this device is enrolled and was online at its last sync."""
        if self.sync.state != "online" or not self.sync.enrolled():
            return None
        from sync.client import Client

        def lookup(id_number: str, period: str) -> dict[str, Any]:
            own = (
                self.store.sibling()
            )  # the lookup runs on a thread of its own: its own connection, closed after
            try:
                return Client(own).lookup(id_number, period)
            finally:
                own.close()

        return lookup

    def _correct_resident(self, resident_id: str, after_save: Any) -> None:
        dialog = self.open_resident(resident_id)
        dialog.accepted.connect(after_save)

    def sign_out(self) -> None:
        """Close the window; the program shows the sign-in again (``signed_out``)."""
        self.signed_out.emit()
        self.close()

    # -- idle lock ------------------------------------------------------------------------------
    def lock(self) -> None:
        from ui.signin import UnlockDialog

        if self.locked:
            return
        self.locked = True
        self.idle.paused = True
        self.body.setCurrentWidget(self.lock_screen)
        for dialog in self.findChildren(ResidentDialog):
            dialog.hide()
        self.unlock_dialog = UnlockDialog(self.store, self.user, parent=self)
        self.unlock_dialog.finished.connect(self._unlock_finished)
        self.unlock_dialog.open()

    def _unlock_finished(self, result: int) -> None:
        if self.unlock_dialog.signed_out or not result:
            self.sign_out()
            return
        self.locked = False
        self.idle.paused = False
        self.body.setCurrentIndex(0)
        for dialog in self.findChildren(ResidentDialog):
            if not dialog.result() and dialog.isModal():
                dialog.show()
        self.idle.timer.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync.stop()
        self.residents.shutdown()
        self.reports.shutdown()
        self.status_timer.stop()
        self._closed = True
        if self._count_conn is not None and (self._counting is None or not self._counting.running):
            self._count_conn.close()
        self.idle.stop()
        super().closeEvent(event)
        self.closed.emit()
