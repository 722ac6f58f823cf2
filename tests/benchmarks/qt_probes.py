"""Qt measurements, each run in its own process by ``run.py`` so that the benchmark process stays Qt-free.

    python tests/benchmarks/qt_probes.py model DB KEY   # ResidentTableModel built, first rows ready to draw
    python tests/benchmarks/qt_probes.py page DB KEY    # ResidentsPage built, shown, first rows painted
    python tests/benchmarks/qt_probes.py bare           # a bare PySide6 main window shown (the floor)

``model`` and ``page`` print ``<milliseconds> <rows>``; ``bare`` prints ``ready`` once the window is shown
(``run.py`` times it from process start). Everything before the clock starts (Qt application, imports, opening
the database and a read connection) is outside the ``model`` and ``page`` figures: the main window has all
of it ready before it builds the page.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

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


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"] and len(argv) == 1:
        return bare()
    if argv[:1] in (["model"], ["page"]) and len(argv) == 3:
        return model(argv[1], argv[2]) if argv[0] == "model" else page(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
