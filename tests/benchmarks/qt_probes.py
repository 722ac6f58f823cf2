"""Qt measurements, each run in its own process by ``run.py`` so that the benchmark process stays Qt-free.

    python tests/benchmarks/qt_probes.py model DB KEY   # ResidentTableModel built, first rows ready to draw
    python tests/benchmarks/qt_probes.py page DB KEY    # ResidentsPage built, shown, first rows painted
    python tests/benchmarks/qt_probes.py bare           # a bare PySide6 main window shown (the floor)
    python tests/benchmarks/qt_probes.py chronic DB KEY # 慢病随访 page: its refresh after a saved follow-up

``model`` and ``page`` print ``<milliseconds> <rows>``; ``chronic`` prints ``<longest GUI block ms> <wall ms>``; ``bare`` prints ``ready`` once the window is shown
(``run.py`` times it from process start). Everything before the clock starts (Qt application, imports, opening
the database and a read connection) is outside the ``model`` and ``page`` figures: the main window has all
of it ready before it builds the page.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VISIBLE_ROWS = 30  # rows a 700-pixel-high table shows at 26 px a row, rounded up


def bare() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1000, 700)
    window.show()
    QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
    return app.exec()


def model(db: str, key: str) -> int:
    from ui.qt import QApplication, Qt

    _app = QApplication(sys.argv[:1])  # kept alive until the end
    from clinic_app.store import Store
    from ui.residents_page import ResidentTableModel

    store = Store.open(db, key)
    reader = store.reader()
    started = time.perf_counter()
    table = ResidentTableModel(reader, store.clinic_id)
    if table.rowCount() == 0 and table.canFetchMore():
        table.fetchMore()
    rows = table.rowCount()
    for row in range(min(rows, VISIBLE_ROWS)):  # what the view asks for to draw the first screen
        for column in range(table.columnCount()):
            table.data(table.index(row, column), Qt.ItemDataRole.DisplayRole)
    elapsed = time.perf_counter() - started
    print(f"{elapsed * 1000:.3f} {rows}", flush=True)
    reader.close()
    store.close()
    return 0


def page(db: str, key: str) -> int:
    from ui.qt import QApplication

    app = QApplication(sys.argv[:1])
    from clinic_app.store import Store
    from ui.residents_page import ResidentsPage

    store = Store.open(db, key)
    reader = store.reader()
    started = time.perf_counter()
    widget = ResidentsPage(reader, store.clinic_id, open_reader=store.reader)
    widget.resize(1000, 700)
    widget.show()
    app.processEvents()  # layout and the first paint
    rows = widget.model.rowCount()
    elapsed = time.perf_counter() - started
    print(f"{elapsed * 1000:.3f} {rows}", flush=True)
    widget.shutdown()
    reader.close()
    store.close()
    return 0


def run_until(app: Any, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the page never showed what was waited for")
        app.processEvents()
        time.sleep(0.0005)


def chronic(db: str, key: str) -> int:
    """The 慢病随访 page on the overdue list; a follow-up of its first patient is saved on the window's writer
    (as the form saves it); the page hears what changed, reads the list again and shows it without the patient.
    Printed: the longest GUI-thread block from the save's start until then, and the wall time."""
    import datetime as dt

    from ui.qt import QApplication

    app = QApplication(sys.argv[:1])
    import importlib

    from clinic_app import chronic_records as R
    from clinic_app.demo import DEMO_USERS
    from clinic_app.store import Store
    from clinic_app.users import authenticate

    # the journeys' stall probe (a module mypy does not check: the journeys are run, not type-checked)
    GapProbe = importlib.import_module("tests.journeys.conftest").GapProbe
    from ui.chronic_page import ChronicPage
    from ui.ops import Writer

    store = Store.open(db, key)
    reader = store.reader()
    user = authenticate(store, "doctor", DEMO_USERS["doctor"])
    writer = Writer()
    today = dt.date.today()
    page = ChronicPage(store, reader, writer, user, today)
    page.resize(1300, 700)
    page.show()
    page.tabs.setCurrentIndex(1)  # overdue
    overdue = page.models["overdue"]
    run_until(app, lambda: overdue.rowCount() > 0)
    first = overdue.row_data(0)
    data = R.FollowupInput(first["resident_id"], first["disease"], today, "clinic", sbp_1=132, dbp_1=82)
    if first["disease"] == "diabetes":
        data = R.FollowupInput(first["resident_id"], first["disease"], today, "clinic", fasting_glucose="6.1")
    probe = GapProbe()
    saved: list[bool] = []
    started = time.perf_counter()
    probe.start()
    writer.write(lambda: R.add_followup(store, user, data, today), lambda _r: saved.append(True))
    run_until(app, lambda: bool(saved) and overdue.row_of(first["registration_id"]) < 0)
    app.processEvents()  # the list's repaint
    worst = probe.stop()
    wall = (time.perf_counter() - started) * 1000
    print(f"{worst:.3f} {wall:.3f}", flush=True)
    writer.shutdown()
    page.close()
    reader.close()
    store.close()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"] and len(argv) == 1:
        return bare()
    if argv[:1] == ["chronic"] and len(argv) == 3:
        return chronic(argv[1], argv[2])
    if argv[:1] in (["model"], ["page"]) and len(argv) == 3:
        return model(argv[1], argv[2]) if argv[0] == "model" else page(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
