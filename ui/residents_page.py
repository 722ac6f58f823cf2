"""The Residents page: one search box, a lazily paged table, the selected resident's household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from typing import Any

from clinic_app.db import Connection
from clinic_app.idcard import age_on
from clinic_app.residents import (
    ResidentQuery,
    household_codes,
    household_members,
    household_summary,
    mask_id_number,
    village_names,
)
from ui.i18n import tr
from ui.notice import Notice
from ui.ops import Op, Ops
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QEvent,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QShortcut,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

ModelIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
ROW_HEIGHT = 26
NBSP = "\u00a0"
RESIDENT_TABLES = frozenset({"resident", "household", "village"})  # what this page shows
# The widest text a column usually holds (the ID is always 18 characters, masked), to size it before any row.
COLUMN_SAMPLES = {
    "name": "欧阳娜娜 ⚑",
    "sex": "女",  # in the language shown: see fit_columns
    "age": "100",
    "id_number": "110105********002X",
    "phone": "13812345678",
    "village": "青石岭村",
    "household": "H000000",
}


def unbroken(text: str) -> str:
    """``text`` that a wrapping label keeps on one line ("共 5 人", "5 members")."""
    return text.strip().replace(" ", NBSP)


def sex_text(sex: str | None) -> str:
    return {"M": tr("Male"), "F": tr("Female")}.get(sex or "", "")


def relation_text(relation: str | None) -> str:
    return {
        "head": tr("Head"),
        "spouse": tr("Spouse"),
        "child": tr("Child"),
        "parent": tr("Parent"),
        "grandchild": tr("Grandchild"),
        "sibling": tr("Sibling"),
        "other": tr("Other relation"),
    }.get(relation or "", "")


class ResidentTableModel(QAbstractTableModel):
    """Rows of one search, fetched a keyset page at a time as the view scrolls (``canFetchMore``)."""

    COLUMNS = ("name", "sex", "age", "id_number", "phone", "village", "household")

    def __init__(self, conn: Connection, clinic_id: str, query: str = "", page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.conn, self.clinic_id, self.page_size = conn, clinic_id, page_size
        self.today = dt.date.today()
        self._rows: list[dict[str, Any]] = []
        self._villages: dict[str, str] = {}
        self._households: dict[str, str] = {}
        self._search = ResidentQuery(conn, clinic_id, query)
        self.query = query
        self._load_villages()
        self._append(self._search.next_page(page_size))

    # -- data loading ---------------------------------------------------------------------------
    def _load_villages(self) -> None:
        self._villages = village_names(self.conn, self.clinic_id)

    def _append(self, rows: list[dict[str, Any]]) -> None:
        missing = {
            r["household_id"] for r in rows if r["household_id"] and r["household_id"] not in self._households
        }
        if missing:
            self._households.update(household_codes(self.conn, missing))
        self._rows.extend(rows)

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self.query = query
        self._rows = []
        self._search = ResidentQuery(self.conn, self.clinic_id, query)
        self._load_villages()
        self._append(self._search.next_page(self.page_size))
        self.endResetModel()

    def refresh(self) -> None:
        self.set_query(self.query)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._search.done

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._search.done:
            return
        rows = self._search.next_page(self.page_size)
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._append(rows)
        self.endInsertRows()

    # -- model interface ------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return {
                "name": tr("Name"),
                "sex": tr("Sex"),
                "age": tr("Age"),
                "id_number": tr("ID number"),
                "phone": tr("Phone"),
                "village": tr("Village"),
                "household": tr("Household"),
            }[self.COLUMNS[section]]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        if role == Qt.ItemDataRole.ToolTipRole and column == "name" and row["needs_identity_check"]:
            return tr("No ID card number yet: check the identity at the next visit")
        if role == Qt.ItemDataRole.ForegroundRole and column == "name" and row["needs_identity_check"]:
            return Qt.GlobalColor.darkYellow
        return None

    def _display(self, row: dict[str, Any], column: str) -> str:
        if column == "name":
            return str(row["name"]) + (" ⚑" if row["needs_identity_check"] else "")
        if column == "sex":
            return sex_text(row["sex"])
        if column == "age":
            return str(age_on(row["birth_date"], self.today))
        if column == "id_number":
            return mask_id_number(row["id_number"]) or (row["document_number"] or "")
        if column == "phone":
            return row["phone"] or ""
        if column == "village":
            return self._villages.get(row["village_id"] or "", "")
        if column == "household":
            return self._households.get(row["household_id"] or "", "")
        return ""

    def resident_at(self, row: int) -> dict[str, Any]:
        return self._rows[row]


class HouseholdPanel(QGroupBox):
    resident_activated = Signal(str)

    def __init__(self, conn: Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.members = QListWidget()
        self.members.itemActivated.connect(
            lambda item: self.resident_activated.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.members, 1)
        self._resident: dict[str, Any] | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(tr("Household"))
        self.show_resident(self._resident)

    def show_resident(self, resident: dict[str, Any] | None) -> None:
        from ui.qt import QListWidgetItem

        self._resident = resident
        self.members.clear()
        if resident is None:
            self.summary.setText(tr("Select a resident to see the household."))
            return
        if not resident.get("household_id"):
            self.summary.setText(tr("%1 belongs to no household yet.").replace("%1", resident["name"]))
            return
        hh = household_summary(self.conn, resident["household_id"]) or {
            "code": "",
            "address": None,
            "village": None,
        }
        members = household_members(self.conn, resident["household_id"])
        parts = [  # the label wraps between the parts, never inside one
            tr("Household %1").replace("%1", hh["code"]),
            " ".join(p for p in (hh["village"], hh["address"]) if p),
            tr("%1 members").replace("%1", str(len(members))),
        ]
        self.summary.setText(" · ".join(unbroken(p) for p in parts if p))
        today = dt.date.today()
        for m in members:
            age = age_on(m["birth_date"], today)
            text = (
                f"{m['name']}  ·  {relation_text(m['relation_to_head'])}  ·  {sex_text(m['sex'])}  ·  "
                + tr("%1 years").replace("%1", str(age))
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, m["id"])
            if m["id"] == resident["id"]:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.members.addItem(item)


class ResidentsPage(QWidget):
    add_requested = Signal()
    edit_requested = Signal(str)
    visit_requested = Signal(object)  # the selected resident's row: the visit form
    visits_requested = Signal(object)  # the selected resident's row: their visits (receipts, reversals)

    def __init__(
        self,
        conn: Connection,
        clinic_id: str,
        open_reader: Callable[[], Connection] | None = None,
        parent: QWidget | None = None,
        ops: Ops | None = None,
    ) -> None:
        """``open_reader`` makes the connection on which the total is counted off the GUI thread, by an op
        of ``ops`` (counting 100,000 encrypted rows takes 60 ms: not before the first rows are shown)."""
        super().__init__(parent)
        self.conn, self.clinic_id = conn, clinic_id
        self._open_reader = open_reader
        self._ops = ops
        self._own_ops = False
        self._counting: Op | None = None
        self._count_again = False
        self._count_conn: Connection | None = None
        self.total: int | None = None
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.notice = Notice()
        self.add_button = QPushButton()
        self.edit_button = QPushButton()
        self.edit_button.setEnabled(False)
        self.visit_button = QPushButton()
        self.visit_button.setEnabled(False)
        self.visits_button = QPushButton()
        self.visits_button.setEnabled(False)

        self.model = ResidentTableModel(conn, clinic_id)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons; arrows move in it
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.household = HouseholdPanel(conn)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.visit_button)
        top.addWidget(self.visits_button)
        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(self.notice)
        splitter.addWidget(left)
        splitter.addWidget(self.household)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        # proportions: the household gets a third, the table never less than its columns need
        splitter.setSizes([650, 350])
        splitter.setChildrenCollapsible(False)
        self.household.setMinimumWidth(240)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.run_search)
        self.search.textEdited.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)  # a scanner types the ID and ends with Enter
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda index: self._edit_row(index.row()))
        self.add_button.clicked.connect(self.add_requested.emit)
        self.edit_button.clicked.connect(lambda: self._edit_row(self.table.currentIndex().row()))
        self.visit_button.clicked.connect(lambda: self._ask_for(self.visit_requested))
        self.visits_button.clicked.connect(lambda: self._ask_for(self.visits_requested))
        self.household.resident_activated.connect(self.edit_requested.emit)
        QShortcut(QKeySequence.StandardKey.New, self, self.add_requested.emit)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        self.table.installEventFilter(self)
        self.search.installEventFilter(self)
        QWidget.setTabOrder(self.search, self.table)
        QWidget.setTabOrder(self.table, self.add_button)
        QWidget.setTabOrder(self.add_button, self.edit_button)
        QWidget.setTabOrder(self.edit_button, self.visit_button)
        QWidget.setTabOrder(self.visit_button, self.visits_button)
        QWidget.setTabOrder(self.visits_button, self.household.members)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            tr("Search: name, pinyin (zhangsan), initials (zs), last digits of ID or phone")
        )
        self.add_button.setText(tr("Add resident"))
        self.edit_button.setText(tr("Edit"))
        self.visit_button.setText(tr("Visit…"))
        self.visit_button.setToolTip(
            tr("An outpatient visit of the selected resident, settled as lines are added")
        )
        self.visits_button.setText(tr("Visits…"))
        self.visits_button.setToolTip(tr("The selected resident's visits: receipts and reversals (冲正)"))
        self.household.retranslate()
        self.fit_columns()
        self.update_count()

    def fit_columns(self) -> None:
        """Each column as wide as its header or its usual widest value, whichever is wider (the last one
        stretches); the table is never narrower than all of them together, so no column is ever cut off."""
        header = self.table.horizontalHeader()
        cells, heads = self.table.fontMetrics(), header.fontMetrics()
        total = 0
        samples = {**COLUMN_SAMPLES, "sex": max(sex_text("M"), sex_text("F"), key=cells.horizontalAdvance)}
        for column, key in enumerate(self.model.COLUMNS):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(cells.horizontalAdvance(samples[key]) + 16, heads.horizontalAdvance(title) + 24)
            header.resizeSection(column, width)
            total += width
        scroll = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(total + scroll + 2 * self.table.frameWidth())

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if (
            watched is self.table
            and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.table.currentIndex().isValid()
        ):
            self._edit_row(self.table.currentIndex().row())
            return True
        if watched is self.search and key == Qt.Key.Key_Down:  # from the box into the results
            self._debounce.stop()
            if self.model.query != self.search.text():
                self.run_search()
            if self.model.rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                self.table.selectRow(0)
                return True
            return False
        if watched is self.table and key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)  # back up into the box
            return True
        return False

    def _search_now(self) -> None:
        self._debounce.stop()
        self.run_search()
        if self.model.rowCount() >= 1:
            self.table.setFocus()
            self.table.selectRow(0)

    def run_search(self) -> None:
        self.model.set_query(self.search.text())
        self.household.show_resident(None)
        self.edit_button.setEnabled(False)
        self.visit_button.setEnabled(False)
        self.visits_button.setEnabled(False)
        self.update_count()

    def refresh(self) -> None:
        current = self.table.currentIndex()
        selected = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.model.refresh()
        if selected:
            for row in range(self.model.rowCount()):
                if self.model.resident_at(row)["id"] == selected:
                    self.table.selectRow(row)
                    break
        self.update_count()

    def on_store_changed(self, changes: Mapping[str, Collection[str]] | None) -> None:
        """A write somewhere: the page refreshes only when it touched what the page shows (``changes`` maps a
        table to the ids written; ``None`` means unknown, so refresh)."""
        if changes is None or RESIDENT_TABLES.intersection(changes):
            self.refresh()

    def show_saved(self, resident_id: str, name: str, added: bool) -> None:
        """After a save: the resident's row shown and selected (the search becomes their name, since the old
        one may hide them), and a confirmation naming them."""
        self.search.setText(name)
        self._debounce.stop()
        self.run_search()
        row = self.select_resident(resident_id)
        if row is None and self.search.text():
            self.search.clear()
            self.run_search()
            row = self.select_resident(resident_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        text = tr("Added %1 to the residents.") if added else tr("Saved the changes to %1.")
        self.notice.say(text.replace("%1", name))

    def select_resident(self, resident_id: str, fetch_limit: int = 10) -> int | None:
        """Select the row of ``resident_id``, fetching up to ``fetch_limit`` more pages to find it."""
        fetched = 0
        while True:
            for row in range(self.model.rowCount()):
                if self.model.resident_at(row)["id"] == resident_id:
                    self.table.selectRow(row)
                    self.table.scrollTo(self.model.index(row, 0))
                    return row
            if fetched >= fetch_limit or not self.model.canFetchMore():
                return None
            self.model.fetchMore()
            fetched += 1

    def update_count(self) -> None:
        shown = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        if self.model.query.strip():
            self.count_label.setText(tr("%1 found").replace("%1", f"{shown}{more}"))
            return
        if self.total is not None:
            self.count_label.setText(tr("%1 residents registered").replace("%1", f"{self.total:,}"))
        self._count_in_background()

    def _count_in_background(self) -> None:
        from clinic_app.residents import count_residents

        if self._open_reader is None:
            self._show_total(count_residents(self.conn, self.clinic_id))
            return
        if self._counting is not None and self._counting.running:
            self._count_again = True  # one count at a time on the count connection; the newest after it
            return
        if self._ops is None:
            self._ops, self._own_ops = Ops(self), True
        clinic_id, opener = self.clinic_id, self._open_reader

        def count() -> int:  # off the GUI thread: its own connection, made there once
            if self._count_conn is None:
                self._count_conn = opener()
            return count_residents(self._count_conn, clinic_id)

        self._counting = self._ops.work(count, self._counted_total, parent=self)

    def _counted_total(self, total: int) -> None:
        self._show_total(total)
        if self._count_again:
            self._count_again = False
            self._count_in_background()

    def _show_total(self, total: int) -> None:
        self.total = total
        if not self.model.query.strip():
            self.count_label.setText(tr("%1 residents registered").replace("%1", f"{total:,}"))

    def shutdown(self) -> None:
        if self._own_ops and self._ops is not None:
            self._ops.shutdown(wait=True)
        if self._count_conn is not None and (self._counting is None or not self._counting.running):
            self._count_conn.close()
            self._count_conn = None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        resident = self.model.resident_at(current.row()) if current.isValid() else None
        self.edit_button.setEnabled(resident is not None)
        self.visit_button.setEnabled(resident is not None)
        self.visits_button.setEnabled(resident is not None)
        self.household.show_resident(resident)

    def _ask_for(self, signal: Any) -> None:
        """Emit ``signal`` with the selected resident's row (nothing when none is selected)."""
        current = self.table.currentIndex()
        if current.isValid():
            signal.emit(self.model.resident_at(current.row()))

    def _edit_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.edit_requested.emit(self.model.resident_at(row)["id"])

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
