"""Small read-only tables of the pages (history, conflicts, contracts, worklists): one row per record, the
record's key kept in the first cell, and the buttons that act on the selected row under the table."""

from __future__ import annotations

from typing import Any

from ui.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def new_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def set_headers(table: QTableWidget, labels: list[str]) -> None:
    table.setColumnCount(len(labels))
    table.setHorizontalHeaderLabels(labels)


def fill_table(table: QTableWidget, rows: list[list[str]], keys: list[Any]) -> None:
    table.setRowCount(len(rows))
    for r, (values, key) in enumerate(zip(rows, keys, strict=True)):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c == 0:
                item.setData(256, key)  # Qt.UserRole
            table.setItem(r, c, item)


def with_buttons(table: QTableWidget, *buttons: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    layout = QVBoxLayout(box)
    layout.addWidget(table)
    layout.addLayout(row)
    return box


def selected_key(table: QTableWidget, first_if_none: bool = False) -> Any:
    """The key of the selected row (None: none). ``first_if_none`` for harmless actions (open the first
    conflict); never for one that changes a record the user did not pick."""
    row = table.currentRow()
    if row < 0 and first_if_none and table.rowCount():
        row = 0
    item = table.item(row, 0) if row >= 0 else None
    return None if item is None else item.data(256)


class ReadsWhenShown:
    """A page that reads its lists only while it is shown (start-up reads nothing for pages not on screen):
    ``refresh`` begins with ``if not self.shown_now(): return``."""

    _stale = True

    def showEvent(self, event: Any) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)  # type: ignore[misc]

    def shown_now(self) -> bool:
        if not self.isVisible():  # type: ignore[attr-defined]
            self._stale = True
            return False
        self._stale = False
        return True

    def refresh(self) -> None:
        raise NotImplementedError
