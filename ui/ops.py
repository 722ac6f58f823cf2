"""The one way the desktop runs background work (after Anki's aqt.operations): an op's function runs off the
GUI thread — on the single writer thread (``lane="write"``, database writes, in submission order) or on a
worker (``lane="work"``: the network, a slow read, a password check), or on the warm-up thread (``lane="warm"``:
a process-wide table loaded once, which no closing window waits for) — and its result or error comes back on
the GUI thread through a queued signal. The function never touches a widget; the callbacks may. An op whose
caller gives no ``on_failure`` shows the default error dialog: a domain error's text in the user's language,
anything else goes to the program's unexpected-error handler. Work that can stop early takes ``cancel``
(a ``threading.Event``) and looks at it between steps; ``Op.cancel()`` sets it.

``Ops.store_changed(Changes)`` is the one "store changed" signal (CONVENTIONS 3): ``ops.watch(store)`` hooks
the store's listener list (shared with its ``sibling()`` stores, so sync's writes are heard too); what committed
units of work changed is merged for ``COALESCE_MS`` and delivered on the GUI thread — always before the
``on_success`` of the op that wrote it, so a page that selects the new record finds it loaded."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from clinic_app.db import storage_error
from clinic_app.errors import DatabaseDamaged, DiskFull
from clinic_app.store import Changes, Store
from ui.qt import QObject, Qt, QTimer, QWidget, Signal, alive

COALESCE_MS = 50
WORKERS = 2  # network and slow reads; the machine of a village clinic has two to four cores

Lane = Literal["write", "work", "warm"]
log = logging.getLogger(__name__)


@dataclass
class Op:
    """A running (or finished) op, as its caller holds it."""

    lane: Lane
    cancelled: threading.Event = field(default_factory=threading.Event)
    done: bool = False  # the outcome was delivered (on the GUI thread)
    finished: threading.Event = field(default_factory=threading.Event)  # the work returned or raised

    def cancel(self) -> None:
        """Asks the work to stop at its next step (work that takes no ``cancel`` runs to its end)."""
        self.cancelled.set()

    @property
    def running(self) -> bool:
        return not self.done

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work has ended (not its delivery): for closing a window. True if it ended."""
        return self.finished.wait(timeout)


_Callbacks = tuple[
    Op, Callable[[Any], None] | None, Callable[[BaseException], None] | None, QWidget | None, QObject | None
]


def _owner(*callbacks: Callable[..., Any] | None) -> QObject | None:
    """The Qt object a callback is a method of: its outcome is dropped if that object is deleted meanwhile."""
    for callback in callbacks:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject):
            return owner
    return None


class Ops(QObject):
    """The window's background work: one writer thread for the database, a few workers for the rest."""

    _done = Signal(int, object, object)  # op id, result, error
    store_changed = Signal(object)  # Changes: what committed units of work changed (table -> ids)
    _heard = Signal(object)  # Changes, from whichever thread committed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[Lane, ThreadPoolExecutor] = {}
        self._ids = itertools.count(1)
        self._callbacks: dict[int, _Callbacks] = {}
        self._done.connect(self._deliver)
        self._pending: Changes | None = None
        self._watched: list[Store] = []
        self.db_path: Path | None = None  # of the watched store: a SQLite failure is told about this file
        self._listener = self._heard.emit
        self._heard.connect(self._on_heard)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.flush)

    # -- the store-changed signal ---------------------------------------------------------------------
    def watch(self, store: Store) -> None:
        """Hear every write to this store's database (idempotent)."""
        if not any(s is store for s in self._watched):
            self.db_path = self.db_path or store.path
            self._watched.append(store)
            store.add_listener(self._listener)

    def _on_heard(self, changes: Changes) -> None:
        if self._pending is None:
            self._pending = Changes(action=changes.action)
        elif self._pending.action != changes.action:
            self._pending.action = "several"
        for table, ids in changes.rows.items():
            self._pending.rows.setdefault(table, set()).update(ids)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def flush(self) -> None:
        """Deliver what changed now (a test or an op's result need not wait for the timer)."""
        self._coalesce.stop()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.store_changed.emit(pending)

    # -- ops ------------------------------------------------------------------------------------------
    @property
    def busy(self) -> int:
        """How many ops have not yet delivered their outcome."""
        return len(self._callbacks)

    def _pool(self, lane: Lane) -> ThreadPoolExecutor:
        if lane not in self._pools:  # made on first use: a dialog that never checks a password has no thread
            workers = WORKERS if lane == "work" else 1
            self._pools[lane] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"op-{lane}")
        return self._pools[lane]

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        lane: Lane = "write",
        parent: QWidget | None = None,
        cancel: threading.Event | None = None,
    ) -> Op:
        """Run ``work`` off the GUI thread; ``on_success(result)`` or ``on_failure(error)`` on it afterwards.
        Without ``on_failure`` a failure shows the default error dialog over ``parent``. When ``parent`` or the
        object whose methods the callbacks are is deleted before the work ends, the outcome is dropped."""
        op = Op(lane) if cancel is None else Op(lane, cancel)
        op_id = next(self._ids)
        self._callbacks[op_id] = (
            op,
            on_success,
            on_failure,
            parent,
            parent or _owner(on_success, on_failure),
        )

        def body() -> None:  # off the GUI thread: only the work and one emit
            try:
                result, error = work(), None
            except Exception as exc:  # every outcome goes back to the GUI thread
                result, error = None, exc
            op.finished.set()
            self._done.emit(op_id, result, error)

        self._pool(lane).submit(body)
        return op

    def write(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        parent: QWidget | None = None,
    ) -> Op:
        """A database write of the window, on the single writer thread."""
        return self.run(work, on_success, on_failure, lane="write", parent=parent)

    def work(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        parent: QWidget | None = None,
        cancel: threading.Event | None = None,
    ) -> Op:
        """Network or slow reading work, on a worker (its own connection when it reads the database)."""
        return self.run(work, on_success, on_failure, lane="work", parent=parent, cancel=cancel)

    def warm(self, work: Callable[[], Any]) -> Op:
        """Fill a process-wide cache off the GUI thread (the ID numbers' place table): a shutdown (a sign-out
        0.3 s after signing in) does not wait for it; a failure shows the default error dialog."""
        return self.run(work, lane="warm")

    def _deliver(self, op_id: int, result: Any, error: BaseException | None) -> None:
        op, on_success, on_failure, parent, owner = self._callbacks.pop(op_id)
        op.done = True
        if error is not None and self.db_path is not None:  # damage, a full disk: a clear error, not a bug
            clear = storage_error(error, self.db_path)
            error = clear if isinstance(clear, DatabaseDamaged | DiskFull) else error
        self.flush()  # what the op wrote is known to every page before its own callback runs
        if owner is not None and not alive(owner):  # the page or dialog closed while the work ran
            if error is not None:
                log.info("outcome of an op dropped: its window is gone", exc_info=error)
            return
        if error is None:
            if on_success:
                on_success(result)
        elif on_failure:
            on_failure(error)
        else:
            show_failure(error, parent)

    def shutdown(self, wait: bool = True) -> None:
        for lane, pool in self._pools.items():
            pool.shutdown(wait=wait and lane != "warm")  # a warm-up ends on its own, moments later
        self._pools.clear()
        for store in self._watched:
            store.remove_listener(self._listener)
        self._watched.clear()


Writer = Ops  # the name the window's pages know it by: its write lane is the single writer thread


class LatestRead:
    """A view's reads on the work lane of which only the newest counts (a day, a year chosen again before the
    last read came back): the outcome of a read that a newer one replaced is dropped, success or failure."""

    def __init__(self, ops: Ops, parent: QWidget) -> None:
        self.ops, self.parent = ops, parent
        self.op: Op | None = None  # the newest read while it runs

    @property
    def running(self) -> bool:
        return self.op is not None

    def start(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> Op:
        mine: list[Op] = []

        def done(result: Any) -> None:
            if self.op is mine[0]:
                self.op = None
                on_success(result)

        def failed(error: BaseException) -> None:
            if self.op is mine[0]:
                self.op = None
                on_failure(error)

        mine.append(self.ops.work(work, done, failed, parent=self.parent))
        self.op = mine[0]
        return self.op


def show_failure(error: BaseException, parent: QWidget | None = None) -> None:
    """The default error dialog of an op: an expected failure (a domain error) in the user's language; a bug
    goes on up to the unexpected-error handler (log file and dialog)."""
    from clinic_app.errors import ClinicError

    if not isinstance(error, ClinicError):
        log.error("background work failed", exc_info=error)
        raise error
    from ui.i18n import tr
    from ui.messages import error_text, rule_message
    from ui.qt import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        tr("Village Clinic"),
        error_text(error, rule_message, "\n"),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
    box.open()
