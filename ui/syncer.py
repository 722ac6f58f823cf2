"""Background sync for the desktop program: on start, every N minutes with jitter, and on demand.

The sync is an op (ui/ops.py) on a worker, with its own database connection (``Store.sibling()``), so the
window and its writer thread go on while it runs (SQLite's WAL lets the window read; a write waits at most for
one page's transaction). Its steps come back as a queued signal, its outcome as the op's; no widget is touched
off the GUI thread.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clinic_app.db import Connection
from clinic_app.heap import collector_skips_the_heap_as_it_is
from clinic_app.settings import get_setting
from clinic_app.store import Changes, Store
from clinic_app.syncstate import get_state
from ui.ops import Op, Ops
from ui.qt import QObject, QTimer, Signal

if TYPE_CHECKING:
    from sync.client import SyncReport

log = logging.getLogger(__name__)
FIRST_SYNC_MS = 3_000  # after start: let the window paint first
JITTER = 0.2  # ± share of the interval, so that a county's devices do not all call at the same minute

ClientFactory = Callable[[Store], Any]


class SyncController(QObject):
    """States: ``not_enrolled``, ``online`` (the last sync reached the server), ``offline``, ``needs_sign_in``
    (the token was refused), ``update_required``; ``running`` says whether a sync is under way."""

    changed = Signal()  # state, running or the live report changed: status bar and Sync page refresh
    finished = Signal(str, object)  # outcome, SyncReport — after every run
    _progress = Signal(str)  # from the op's worker: the step it is at

    def __init__(
        self,
        store: Store,
        client_factory: ClientFactory | None = None,
        rng: random.Random | None = None,
        parent: QObject | None = None,
        reader: Connection | None = None,
        ops: Ops | None = None,
    ) -> None:
        """``ops``: the window's (its write lane the writer thread); without one the controller has its own."""
        super().__init__(parent)
        self.store = store
        self._own_ops = ops is None
        self.ops = ops or Ops(self)
        self._own_reader = reader is None  # the window's read connection when it passes one, else our own
        self.reader = reader or store.reader()
        self.client_factory: ClientFactory | None = client_factory  # None: sync.client.Client
        self.rng = rng or random.Random()
        self.state = "online" if self.enrolled() else "not_enrolled"
        self.message = ""
        self.step = ""
        self.running = False
        self.report: SyncReport | None = None
        self.last_outcome: str | None = None
        self._op: Op | None = None
        self._delays: Any = None  # backoff after failures, reset by a success
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.sync_now("timer"))
        self._progress.connect(self._on_progress)

    # -- schedule -----------------------------------------------------------------------------------
    def enrolled(self) -> bool:
        return get_state(self.reader, "server_url") is not None

    def interval_ms(self) -> int:
        minutes = int(get_setting(self.reader, "sync_interval_minutes"))
        return int(minutes * 60_000 * self.rng.uniform(1 - JITTER, 1 + JITTER))

    def start(self) -> None:
        """The automatic schedule: a first sync shortly after start, then every interval."""
        if self.enrolled():
            self.timer.start(FIRST_SYNC_MS)

    def stop(self, wait_seconds: float = 10.0) -> None:
        self.timer.stop()
        if self._op is not None:
            self._op.cancel()
            self._op.wait(wait_seconds)
        if self._own_ops:
            self.ops.shutdown(wait=False)
        if self._own_reader:
            self.reader.close()

    # -- running -------------------------------------------------------------------------------------
    def sign_in_online(self, username: str, password: str) -> str:
        """Off the GUI thread: a clinic user's online sign-in with the county; the user token it gives (for
        ``sync_now(user_token=…)``: account changes go with that sync)."""
        from sync.client import Client

        store = self.store.sibling()
        try:
            return str((self.client_factory or Client)(store).sign_in(username, password).token)
        finally:
            store.close()

    def sync_now(self, trigger: str = "manual", user_token: str | None = None) -> bool:
        """Start a sync unless one runs or the device is not enrolled; True when one was started. ``user_token``:
        an online sign-in, so that the account changes its user may make are sent (this sync only)."""
        if self.running:
            return False
        if not self.enrolled():
            self.state = "not_enrolled"
            self.changed.emit()
            return False
        from sync.client import (
            SyncReport,  # requests and pydantic load when the first sync starts, not at start-up
        )

        self.timer.stop()
        self.running = True
        self.step = ""
        report = self.report = SyncReport()
        cancel = threading.Event()
        self._op = self.ops.work(
            lambda: self._work(trigger, report, cancel.is_set, user_token),
            lambda _r: self._on_done(report, None, cancel.is_set()),
            lambda e: self._on_done(report, e, cancel.is_set()),
            cancel=cancel,
        )
        self.changed.emit()
        return True

    def cancel(self) -> None:
        """Stops at the next batch or page boundary; what was stored stays stored."""
        if self._op is not None:
            self._op.cancel()

    def _work(
        self, trigger: str, report: SyncReport, cancelled: Callable[[], bool], user_token: str | None = None
    ) -> SyncReport:
        """Off the GUI thread: the sync on its own connection; an error goes back as the op's failure. The
        first one imports the sync client (requests, the protocol's models): a full pass of the garbage
        collector that import triggered scanned the whole program holding the GIL (~120 ms, the window still),
        so the heap as it was is left out of it (clinic_app.heap), as the sync itself does."""
        with collector_skips_the_heap_as_it_is():
            return self._sync(trigger, report, cancelled, user_token)

    def _sync(
        self, trigger: str, report: SyncReport, cancelled: Callable[[], bool], user_token: str | None
    ) -> SyncReport:
        from sync.client import Client, recorded

        store: Store | None = None
        try:
            store = self.store.sibling()
            client = (self.client_factory or Client)(store)
            if user_token:
                client.user_token = user_token

            def run(r: SyncReport) -> SyncReport:
                return client.sync(cancelled=cancelled, progress=self._progress.emit, report=report)

            recorded(store, trigger, run, cancelled)
        finally:
            if store is not None:
                # the run's row in the history: its listeners (the window's, shared by the sibling) hear it too
                store.notify(Changes(action="sync.run", rows={"sync_run": {trigger}}))
                store.close()
        return report

    def _on_progress(self, step: str) -> None:
        self.step = step
        self.changed.emit()

    def _on_done(self, report: SyncReport, error: BaseException | None, cancelled: bool) -> None:
        from sync.client import BACKOFF_MAX, backoff_delays, outcome_of

        self.running = False
        self._op = None
        outcome = outcome_of(error, report, cancelled and error is None)
        self.last_outcome = outcome
        self.message = str(error) if error is not None else ""
        if outcome in ("ok", "conflicts", "cancelled"):
            self.state = "online"
            self._delays = None
            self.timer.start(self.interval_ms())
        elif outcome in ("offline", "error"):
            self.state = "offline"
            if error is not None and outcome == "error":
                log.error("sync failed", exc_info=error)
            self._delays = self._delays or backoff_delays(self.rng)
            self.timer.start(int(min(next(self._delays), BACKOFF_MAX, self.interval_ms() / 1000) * 1000))
        else:  # needs_sign_in, update_required: no point calling again until a person acts; work goes on
            self.state = outcome
            if outcome == "update_required":
                self.timer.start(self.interval_ms())
        self.changed.emit()
        self.finished.emit(outcome, report)
