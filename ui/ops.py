"""Background work as small op objects (after Anki's aqt.operations): the function runs on the single
writer thread, its result or error comes back on the GUI thread through a queued signal. Widgets are never
touched from the worker."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ui.qt import QObject, Signal

log = logging.getLogger(__name__)


class Writer(QObject):
    """All writes to the local database go through this one thread, in submission order."""

    _done = Signal(int, object, object)  # op id, result, error
    store_changed = Signal(object)  # the Changes of a unit of work, or the op's result

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self.busy = 0
        self._done.connect(self._deliver)

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
        if error is None:
            if on_success:
                on_success(result)
            self.store_changed.emit(result)
        elif on_failure:
            on_failure(error)
        else:
            log.error("background write failed", exc_info=error)
            raise error

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


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
