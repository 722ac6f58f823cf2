"""ui.ops.LatestRead: of a view's reads only the newest counts — an older read that comes back after a newer one
started is dropped, whether it succeeded or failed; the newest one's outcome, success or failure, is delivered on
the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ui.ops import LatestRead, Ops
from ui.qt import QLabel


def blocked(release: threading.Event, then: Callable[[], Any]) -> Callable[[], Any]:
    def work() -> Any:
        assert release.wait(10), "the test never let the read go"
        return then()

    return work


def fail() -> Any:
    raise RuntimeError("failed")


def test_an_older_read_coming_back_late_is_dropped_and_the_newest_delivered(qtbot: Any) -> None:
    ops = Ops()
    owner = QLabel()
    qtbot.addWidget(owner)
    reads = LatestRead(ops, owner)
    seen: list[Any] = []

    def failed(error: BaseException) -> None:
        seen.append(f"failed: {error}")

    try:
        for older in (lambda: "old", fail):  # an older success, then an older failure
            release = threading.Event()
            reads.start(blocked(release, older), seen.append, failed)
            newest = reads.start(lambda: "new", seen.append, failed)
            assert reads.running
            qtbot.waitUntil(lambda newest=newest: newest.done, timeout=10_000)
            assert seen == ["new"] and not reads.running
            release.set()
            qtbot.waitUntil(lambda: ops.busy == 0, timeout=10_000)
            assert seen == ["new"], "the older read's outcome is dropped"
            seen.clear()
        reads.start(fail, seen.append, failed)
        qtbot.waitUntil(lambda: not reads.running, timeout=10_000)
        assert seen == ["failed: failed"], "the newest read's failure is delivered"
    finally:
        ops.shutdown()
