"""Background work as small op objects (after Anki's aqt.operations): the function runs on the single
writer thread, its result or error comes back on the GUI thread through a queued signal. Widgets are never
touched from the worker.

``Writer.store_changed(Changes)`` is the one "store changed" signal (CONVENTIONS 3): ``writer.watch(store)`` hooks
the store's listener list (shared with its ``sibling()`` stores, so sync's writes are heard too); what committed
units of work changed is merged for ``COALESCE_MS`` and delivered on the GUI thread — always before the
``on_success`` of the op that wrote it, so a page that selects the new record finds it loaded."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from clinic_app.store import Changes, Store
from ui.qt import QObject, QTimer, Signal

COALESCE_MS = 50

log = logging.getLogger(__name__)


class Writer(QObject):
    """All writes to the local database go through this one thread, in submission order."""

    _done = Signal(int, object, object)  # op id, result, error
    store_changed = Signal(object)  # Changes: what committed units of work changed (table -> ids)
    _heard = Signal(object)  # Changes, from whichever thread committed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self.busy = 0
        self._done.connect(self._deliver)
        self._pending: Changes | None = None
        self._watched: list[Store] = []
        self._listener = self._heard.emit
        self._heard.connect(self._on_heard)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.flush)

    def watch(self, store: Store) -> None:
        """Hear every write to this store's database (idempotent)."""
        if not any(s is store for s in self._watched):
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

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Future[Any]:
        op_id = next(self._ids)
        self._callbacks[op_id] = (on_success, on_failure)
        self.busy += 1
        future = self._pool.submit(work)

        def finished(f: Future[Any]) -> None:  # on the writer thread: only emit
            error = f.exception()
            self._done.emit(op_id, None if error else f.result(), error)

        future.add_done_callback(finished)
        return future

    def _deliver(self, op_id: int, result: Any, error: BaseException | None) -> None:
        self.busy -= 1
        on_success, on_failure = self._callbacks.pop(op_id)
        self.flush()  # what the op wrote is known to every page before its own callback runs
        if error is None:
            if on_success:
                on_success(result)
        elif on_failure:
            on_failure(error)
        else:
            log.error("background write failed", exc_info=error)
            raise error

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
        for store in self._watched:
            store.remove_listener(self._listener)
        self._watched.clear()


class Background(QObject):
    """One piece of slow work that is not a database write of the window (enrollment, a first sync): a thread
    of its own, the result delivered on the GUI thread."""

    _done = Signal(object, object)  # result, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._done.connect(self._deliver)
        self._callbacks: tuple[Callable[[Any], None], Callable[[BaseException], None]] | None = None
        self.worker: threading.Thread | None = None

    def run(self, work: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None]) -> None:  # fmt: skip
        self._callbacks = (on_success, on_failure)

        def body() -> None:
            try:
                result, error = work(), None
            except Exception as exc:
                result, error = None, exc
            self._done.emit(result, error)

        self.worker = threading.Thread(target=body, name="background", daemon=True)
        self.worker.start()

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.is_alive()

    def _deliver(self, result: Any, error: BaseException | None) -> None:
        assert self._callbacks is not None
        on_success, on_failure = self._callbacks
        self.worker = None
        if error is None:
            on_success(result)
        else:
            on_failure(error)
