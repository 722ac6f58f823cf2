"""The desktop's one way to run background work (ui/ops.py)."""

from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Any

from clinic_app.errors import ValidationError
from ui.ops import Ops
from ui.qt import QApplication, QLabel, QMessageBox

UI = Path(__file__).resolve().parents[2] / "ui"
# what a page would use to run work of its own, past the op mechanism
OTHER_MECHANISMS = {
    "Thread",
    "ThreadPoolExecutor",
    "ProcessPoolExecutor",
    "QThread",
    "QThreadPool",
    "QRunnable",
    "Background",
    "start_new_thread",
}


def _names_used(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.rsplit(".", 1)[-1])
    return found


def test_ui_runs_background_work_only_through_ops() -> None:
    offenders = {
        path.name: sorted(_names_used(ast.parse(path.read_text(encoding="utf-8"))) & OTHER_MECHANISMS)
        for path in sorted(UI.glob("*.py"))
        if path.name not in ("ops.py", "qt.py")  # qt.py only re-exports PySide6's names
    }
    assert {name: used for name, used in offenders.items() if used} == {}


def test_an_op_works_off_the_gui_thread_and_reports_on_it(qtbot: Any) -> None:
    ops = Ops()
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work() -> int:
        seen["work"] = threading.get_ident()
        return 42

    def succeeded(result: int) -> None:
        seen["success"] = threading.get_ident()
        seen["result"] = result

    for lane in ("write", "work"):
        seen.clear()
        op = ops.run(work, succeeded, lane=lane)
        qtbot.waitUntil(lambda: "success" in seen)
        assert seen["work"] != gui and seen["success"] == gui and seen["result"] == 42, lane
        assert op.done and ops.busy == 0
    ops.shutdown()


def test_a_failure_comes_back_to_the_gui_thread(qtbot: Any) -> None:
    ops = Ops()
    failures: list[tuple[BaseException, int]] = []

    def work() -> None:
        raise ValidationError("name", "required", "a name is required")

    ops.work(work, None, lambda e: failures.append((e, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(failures))
    [(error, thread)] = failures
    assert isinstance(error, ValidationError) and error.rule == "required"
    assert thread == threading.get_ident()
    ops.shutdown()


def test_a_failed_op_without_a_handler_shows_the_rule_in_chinese(qtbot: Any) -> None:
    ops = Ops()
    window = QLabel("page")
    qtbot.addWidget(window)
    window.show()

    def work() -> None:
        raise ValidationError("name", "required", "a name is required")

    ops.write(work, parent=window)

    def box() -> QMessageBox | None:
        return next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None
        )

    qtbot.waitUntil(lambda: box() is not None)
    shown = box()
    assert shown is not None
    assert shown.text() == "必填。" and shown.windowTitle() == "村医助手"
    shown.close()
    ops.shutdown()


def test_the_outcome_of_an_op_is_dropped_when_its_widget_is_deleted(qtbot: Any) -> None:
    ops = Ops()
    release = threading.Event()

    class Page(QLabel):
        def shown(self, text: str) -> None:
            self.setText(text)  # would raise on a deleted widget

    page = Page("waiting")
    op = ops.work(lambda: release.wait(5) and "done", page.shown)
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page))
    release.set()
    qtbot.waitUntil(
        lambda: op.done
    )  # delivered without calling the deleted page (an exception fails the test)
    ops.shutdown()


def _alive(widget: Any) -> bool:
    from ui.qt import alive

    return bool(alive(widget))


def test_cancel_reaches_work_that_looks_at_it(qtbot: Any) -> None:
    ops = Ops()
    cancel = threading.Event()
    started = threading.Event()
    steps: list[int] = []

    def work() -> list[int]:
        started.set()
        for step in range(1000):
            if cancel.wait(0.01):
                break
            steps.append(step)
        return steps

    results: list[list[int]] = []
    op = ops.work(work, results.append, cancel=cancel)
    assert started.wait(5)
    op.cancel()
    qtbot.waitUntil(lambda: bool(results))
    assert op.cancelled.is_set() and len(results[0]) < 1000, "the work stopped at its next step"
    ops.shutdown()


def test_a_shutdown_waits_for_the_work_given_but_not_for_a_warm_up(qtbot: Any) -> None:
    """A sign-out 0.3 s after signing in held the GUI thread for the place table's loading (80-220 ms)."""
    ops = Ops()
    release, warming, warmed = threading.Event(), threading.Event(), threading.Event()
    worked: list[str] = []

    def warm_up() -> None:
        warming.set()
        release.wait(10)
        warmed.set()

    ops.warm(warm_up)
    ops.work(lambda: worked.append("read"))
    assert warming.wait(5)
    try:
        ops.shutdown()
        assert worked == ["read"], "the work lane finished what it was given"
        assert not warmed.is_set(), "the shutdown returned while the warm-up still ran"
        assert any(t.name.startswith("op-warm") for t in threading.enumerate())
    finally:
        release.set()
    qtbot.waitUntil(lambda: not any(t.name.startswith("op-warm") for t in threading.enumerate()))


def test_the_window_runs_the_sync_and_the_resident_count_on_its_own_ops(qtbot: Any, ui_clinic: Any) -> None:
    from ui.mainwindow import MainWindow

    writer = Ops()
    win = MainWindow(ui_clinic.store, ui_clinic.doctor, writer)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.residents.count_label.text().startswith("已登记居民"))
    assert win.sync.ops is writer
    win.close()
    writer.shutdown()
