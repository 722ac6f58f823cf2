"""The one module through which ui/ reaches PySide6: version quirks live here."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QDate,
    QEvent,
    QItemSelection,
    QLibraryInfo,
    QLocale,
    QLockFile,
    QMarginsF,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    QStandardPaths,
    Qt,
    QThread,
    QTimer,
    QTranslator,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QT_TRANSLATE_NOOP",
    "QAbstractItemView",
    "QAbstractTableModel",
    "QApplication",
    "QBuffer",
    "QButtonGroup",
    "QByteArray",
    "QCheckBox",
    "QCloseEvent",
    "QColor",
    "QComboBox",
    "QCoreApplication",
    "QDate",
    "QDateEdit",
    "QDialog",
    "QDialogButtonBox",
    "QEvent",
    "QFileDialog",
    "QFont",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QHBoxLayout",
    "QHeaderView",
    "QImage",
    "QInputDialog",
    "QItemSelection",
    "QKeySequence",
    "QLabel",
    "QLayout",
    "QLibraryInfo",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QLocale",
    "QLockFile",
    "QMainWindow",
    "QMarginsF",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPageLayout",
    "QPageSize",
    "QPainter",
    "QPainterPath",
    "QPdfWriter",
    "QPen",
    "QPersistentModelIndex",
    "QPoint",
    "QPointF",
    "QProgressBar",
    "QPushButton",
    "QRadioButton",
    "QRectF",
    "QScrollArea",
    "QSettings",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSpinBox",
    "QSplitter",
    "QStackedWidget",
    "QStandardPaths",
    "QStatusBar",
    "QTabWidget",
    "QTableView",
    "QTextBrowser",
    "QTextDocument",
    "QTextEdit",
    "QThread",
    "QTimer",
    "QToolButton",
    "QTranslator",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
]

# printing (ui/printing.py): every printed document goes through a print preview
from PySide6.QtCore import QSizeF, QUrl
from PySide6.QtGui import QAction, QPagedPaintDevice, QTextBlock, QTextCursor, QTextFormat
from PySide6.QtPrintSupport import (
    QPrintDialog,
    QPrinter,
    QPrinterInfo,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import QBoxLayout, QToolBar

__all__ += [
    "QAction",
    "QBoxLayout",
    "QPagedPaintDevice",
    "QPrintDialog",
    "QPrintPreviewDialog",
    "QPrintPreviewWidget",
    "QPrinter",
    "QPrinterInfo",
    "QSizeF",
    "QTextBlock",
    "QTextCursor",
    "QTextFormat",
    "QToolBar",
    "QUrl",
]

# ops (ui/ops.py): an op's outcome is not delivered to a widget that was deleted while it ran
from shiboken6 import isValid as alive  # noqa: E402

__all__ += ["alive"]


# the chart library (ui/charts.py): PySide6 makes the Python type of a Qt class the first time it is named, and
# pyqtgraph names every one of QtCore, QtGui and QtWidgets as it is imported (it copies them into modules of its
# own): ~50 ms of type making (up to 4 ms a name) inside the 0.3-0.5 s import, on a worker that holds the GIL
# while it makes them. Named here, a batch a turn of the event loop on the GUI thread, before the import.
def name_every_binding(batch: int = 25) -> Iterator[None]:
    """Yields after each batch of names (a few ms); also imports the modules pyqtgraph imports beside them."""
    import contextlib
    import importlib

    from PySide6 import QtCore, QtGui, QtWidgets

    for module in (QtCore, QtGui, QtWidgets):
        names = dir(module)
        for at in range(0, len(names), batch):
            for name in names[at : at + batch]:
                getattr(module, name)
            yield
    for extra in ("QtSvg", "QtOpenGLWidgets", "QtTest"):
        with contextlib.suppress(ImportError):  # pyqtgraph does without them
            importlib.import_module(f"PySide6.{extra}")
        yield
    _named.append(True)


_named: list[bool] = []


def every_binding_named() -> bool:
    return bool(_named)


__all__ += ["every_binding_named", "name_every_binding"]
