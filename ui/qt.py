"""The one module through which ui/ reaches PySide6: version quirks live here."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
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
from PySide6.QtGui import QCloseEvent, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractItemView", "QAbstractTableModel", "QApplication", "QCloseEvent", "QColor", "QComboBox",
    "QCoreApplication", "QDialog", "QDialogButtonBox", "QEvent", "QFont", "QFormLayout", "QFrame",
    "QGridLayout", "QGroupBox", "QHBoxLayout", "QHeaderView", "QKeySequence", "QLabel", "QLibraryInfo",
    "QLineEdit", "QListWidget", "QListWidgetItem", "QLocale", "QMainWindow", "QMessageBox", "QModelIndex",
    "QObject", "QPersistentModelIndex", "QPushButton", "QSettings", "QShortcut", "QSize", "QSizePolicy",
    "QSplitter", "QStackedWidget", "QStandardPaths", "QStatusBar", "QTableView", "QThread", "QTimer",
    "QTranslator", "QVBoxLayout", "QWidget", "Qt", "Signal", "Slot",
]
