"""One table model and one view for every list that can grow (CONVENTIONS 5, 15).

The model holds the rows of the pages it fetched (each row a ``dict`` carrying its key), pages from SQL as the
view scrolls (``canFetchMore``/``fetchMore``) through a query function of the domain, and shows the columns
declared once. It never sorts or filters: the query does, in SQL.

Use::

    columns = [Column("name", lambda: tr("Name"), lambda r: r["name"]),
               Column("fee", lambda: tr("Fee (yuan)"), lambda r: yuan(r["fee_fen"]), align=RIGHT)]

    def fetch(after: Any, limit: int) -> list[Row]:     # keyset paging in clinic_app: at most ``limit``
        return contracts.contract_page(conn, clinic_id, year, query, after=after, limit=limit)

    model = ListModel(columns, fetch, cursor=contracts.contract_cursor)
    view = ListView(model)                                # fixed row height, whole rows, one at a time
    view.current_key()                                    # the key of the selected row, or None; after a
                                                          # reload the kept row is scrolled into sight, or
                                                          # dropped (selectionChanged) if the list lost it
    view.select_key(contract_id)                          # fetches pages until found; selects and scrolls
    model.set_fetch(other_fetch)                          # a new query (the search box changed): from the top
    model.reload()                                        # the same query again (the data changed): as many
                                                          # rows as were loaded, the current row kept by key
    model.update_keys(changed_ids)                        # only these rows again, through ``lookup``

- ``lookup(keys)`` (optional, with ``set_fetch(fetch, lookup=...)``): the rows of these keys that the current query
  lists, as it lists them. ``update_keys`` then replaces, removes or inserts just those rows (in cursor order;
  a row beyond the loaded pages is left to paging) — a change of one record costs one small query, whatever the
  length of the list.

- ``fetch(after, limit)``: ``after`` is ``None`` for the first page, else ``cursor(last row)`` — the sort key of
  the last row fetched (``cursor`` defaults to the row's key). Fewer than ``limit`` rows means the end.
- ``key``: the name of the row's key field (default ``"id"``). ``key_at(row)``, ``row_of(key)`` (-1 when not
  loaded), ``row_data(row)`` (the dict), ``find(key)`` (loads pages until found; -1 at the end).
- The key is also ``Qt.UserRole`` of every cell, so delegates and tests can read it.
- Headers are functions (``tr`` at call time): ``model.retranslate()`` after a language change.

**Confirmations** after a save are shown one way on every page: a ``ui.notice.Notice`` line under the page's
list (``page.notice.say(text)``, the text naming the resident: "已为 张三 签约 2026 年度。"), and the new or
changed record shown and selected with ``view.select_key(key)``.

**Refresh from what changed**: ``Writer.store_changed(Changes)`` (ui/ops.py) reaches every page after each unit of
work (the window's writes and sync's pulls alike); a page reloads a model only when ``changes.touched(table)``
for a table it shows, and only when visible (else it marks itself stale and reloads when shown).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHeaderView,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QWidget,
)

Row = dict[str, Any]
Fetch = Callable[[Any, int], list[Row]]
Lookup = Callable[[list[Any]], list[Row]]


def memory_fetch(rows: list[Row]) -> Fetch:
    """Pages of a list already read (the cursor is the row's place in it: ``cursor=position``)."""

    def fetch(after: Any, limit: int) -> list[Row]:
        start = 0 if after is None else int(after) + 1
        return rows[start : start + limit]

    return fetch


ModelIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
ROW_HEIGHT = 26
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    """One column: its name, its header (a function, so that ``tr`` runs in the current language), how to show
    a row's value in it, and optionally a tooltip and the alignment."""

    name: str
    header: Callable[[], str]
    show: Callable[[Row], str]
    tooltip: Callable[[Row], str | None] | None = None
    align: Qt.AlignmentFlag = LEFT
    width: int | None = None  # initial width in pixels (None: Qt's default)


def _empty(_after: Any, _limit: int) -> list[Row]:
    return []


class ListModel(QAbstractTableModel):
    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Fetch | None = None,
        *,
        key: str = "id",
        cursor: Callable[[Row], Any] | None = None,
        page_size: int = PAGE_SIZE,
        lookup: Lookup | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.key = key
        self.cursor = cursor or (lambda row: row[key])
        self.page_size = page_size
        self._fetch: Fetch = fetch or _empty
        self._lookup = lookup
        self._rows: list[Row] = []
        self._rows_of: dict[Any, int] = {}
        self._done = fetch is None
        if fetch is not None:
            self._load(page_size)

    # -- the query -------------------------------------------------------------------------------
    def set_fetch(
        self, fetch: Fetch, columns: Sequence[Column] | None = None, lookup: Lookup | None = None
    ) -> None:
        """A new query (and optionally new columns): the list starts again from its first page."""
        self.beginResetModel()
        self._fetch, self._lookup = fetch, lookup
        if columns is not None:
            self.columns = list(columns)
        self._clear()
        self._load(self.page_size)
        self.endResetModel()

    def reload(self) -> None:
        """The same query again, as many rows as were loaded (at least a page), so the view keeps its place."""
        wanted = max(len(self._rows), self.page_size)
        self.beginResetModel()
        self._clear()
        self._load(wanted)
        self.endResetModel()

    def update_keys(self, keys: Iterable[Any]) -> None:
        """These rows changed (or may have): read just them again through ``lookup`` (without one: ``reload``)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return
        if self._lookup is None:
            self.reload()
            return
        fresh = {row[self.key]: row for row in self._lookup(wanted)}
        for key in wanted:
            at = self.row_of(key)
            if at < 0:
                continue
            new = fresh.get(key)
            if new is not None and self.cursor(new) == self.cursor(self._rows[at]):
                self._rows[at] = fresh.pop(key)
                self.dataChanged.emit(self.index(at, 0), self.index(at, max(len(self.columns) - 1, 0)))
                continue
            self.beginRemoveRows(QModelIndex(), at, at)
            del self._rows[at]
            self._reindex()
            self.endRemoveRows()
        cursors = [self.cursor(r) for r in self._rows]
        for new in sorted(fresh.values(), key=self.cursor):
            where = self.cursor(new)
            if not self._done and (not cursors or where > cursors[-1]):
                continue  # beyond the pages loaded: paging brings it in its place
            at = bisect.bisect_left(cursors, where)
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, new)
            cursors.insert(at, where)
            self._reindex()
            self.endInsertRows()

    def keys_where(self, test: Callable[[Row], bool]) -> list[Any]:
        """The keys of the loaded rows that pass ``test`` (rows showing a changed resident, say)."""
        return [row[self.key] for row in self._rows if test(row)]

    def _reindex(self) -> None:
        self._rows_of = {}
        for i, row in enumerate(self._rows):
            self._rows_of.setdefault(row[self.key], i)

    def _clear(self) -> None:
        self._rows, self._rows_of, self._done = [], {}, False

    def _load(self, wanted: int) -> None:
        while not self._done and len(self._rows) < wanted:
            self._append_page()

    def _next_page(self) -> list[Row]:
        after = self.cursor(self._rows[-1]) if self._rows else None
        rows = self._fetch(after, self.page_size)
        if len(rows) > self.page_size:
            raise ValueError(f"a page of {len(rows)} rows, more than the {self.page_size} asked for")
        if len(rows) < self.page_size:
            self._done = True
        return rows

    def _append_page(self) -> None:
        self._add(self._next_page())

    def _add(self, rows: list[Row]) -> None:
        for row in rows:
            self._rows_of.setdefault(row[self.key], len(self._rows))
            self._rows.append(row)

    # -- keys ------------------------------------------------------------------------------------
    def key_at(self, row: int) -> Any:
        return self._rows[row][self.key] if 0 <= row < len(self._rows) else None

    def row_data(self, row: int) -> Row:
        return self._rows[row]

    def row_of(self, key: Any) -> int:
        """The row of this key among the rows loaded, -1 if it is not (yet) loaded."""
        return self._rows_of.get(key, -1)

    def find(self, key: Any) -> int:
        """The row of this key, loading further pages until it is found or the list ends (-1)."""
        row = self.row_of(key)
        while row < 0 and self.canFetchMore():
            self.fetchMore()
            row = self.row_of(key)
        return row

    def retranslate(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))

    # -- paging ----------------------------------------------------------------------------------
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._done

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._done:
            return
        rows = self._next_page()
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._add(rows)
        self.endInsertRows()

    # -- the model interface ---------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header()
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return section + 1
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.show(row)
        if role == Qt.ItemDataRole.UserRole:
            return row[self.key]
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ListView(QTableView):
    """The view of a ``ListModel``: whole rows, one at a time, read-only, fixed row height; the current row is
    kept by its key when the model reloads."""

    def __init__(self, model: ListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self._kept: Any = None
        model.modelAboutToBeReset.connect(self._keep_current)
        model.modelReset.connect(self._restore_current)
        self.apply_widths()

    def list_model(self) -> ListModel:
        model = self.model()
        assert isinstance(model, ListModel)
        return model

    def apply_widths(self) -> None:
        for i, column in enumerate(self.list_model().columns):
            if column.width is not None:
                self.horizontalHeader().resizeSection(i, column.width)

    def current_key(self) -> Any:
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return self.list_model().key_at(index.row())

    def select_key(self, key: Any) -> bool:
        """Select the row of this key (loading pages until it is found) and scroll to it; False if absent."""
        row = self.list_model().find(key)
        if row < 0:
            return False
        self.selectRow(row)
        self.scrollTo(self.list_model().index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _keep_current(self) -> None:
        self._kept = self.current_key()

    def _restore_current(self) -> None:
        """After a reload the selected record is shown selected and scrolled into sight if the list still holds
        it among the rows read again; else the selection is dropped and ``selectionChanged`` says so (a reset
        clears it silently), so that no button acts on a record the person cannot see."""
        kept, self._kept = self._kept, None
        if kept is None:
            return
        row = self.list_model().row_of(kept)  # only among the rows reloaded: never a long load here
        if row >= 0:
            self.selectRow(row)
            self.scrollTo(self.list_model().index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
            return
        self.setCurrentIndex(QModelIndex())
        self.selectionModel().selectionChanged.emit(QItemSelection(), QItemSelection())
