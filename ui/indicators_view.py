"""The 指标 tab of the 报表 page: the chronic-care indicators of a year (RULES §5, clinic_app.chronic_indicators) —
the clinic's totals, then per village and per doctor, a row per disease — read on a worker (lane "work", its own
connection), and saved as an Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clinic_app import chronic_indicators as I
from clinic_app.store import Changes, Store
from ui.chronic_words import disease_text
from ui.i18n import tr
from ui.notice import Notice
from ui.ops import LatestRead, Writer, show_failure
from ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)

SHOWN = (
    "disease_registration",
    "followup",
    "resident",
    "user",
    "village",
)  # a change to one reads them again
FIGURES = (
    "under_management",
    "standard_managed",
    "standard_rate",
    "control_counted",
    "controlled",
    "control_rate",
    "followups_done",
    "followups_due",
)


def headers() -> list[str]:
    return [
        tr("Group"),
        tr("Disease"),
        tr("Under management"),
        tr("Standard management"),
        tr("Standard management rate"),
        tr("Counted for control"),
        tr("Controlled patients"),
        tr("Control rate"),
        tr("Follow-ups done"),
        tr("Follow-ups due"),
    ]


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


class FiguresModel(QAbstractTableModel):
    """The report's rows as shown (a few dozen: a model of values, not of ids); the clinic's rows bold."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[list[str], bool]] = []
        self.labels = headers()

    def show_report(self, report: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self.rows = []
        if report is not None:
            groups = [
                (tr("Clinic total"), report["clinic"], True),
                *((tr("Village: %1").replace("%1", r["name"]), r, False) for r in report["villages"]),
                *((tr("Doctor: %1").replace("%1", r["name"]), r, False) for r in report["doctors"]),
            ]
            for name, row, total in groups:
                for disease in I.K.DISEASES:
                    f = row[disease]
                    cells = [rate_text(f[k]) if k.endswith("_rate") else str(f[k]) for k in FIGURES]
                    self.rows.append(([name, disease_text(disease), *cells], total))
        self.endResetModel()

    def retranslate(self) -> None:
        self.labels = headers()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.labels) - 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.labels)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        cells, total = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and total:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.labels[section] if 0 <= section < len(self.labels) else None
        return None


class IndicatorsView(QWidget):
    """A tab of the 报表 page: ``title()``, ``show_year(year)``, ``retranslate()``."""

    def __init__(self, store: Store, writer: Writer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.writer = store, writer
        self.year: int | None = None
        self.report: dict[str, Any] | None = None
        self.stale = True
        self.reads = LatestRead(writer, self)
        self.model = FiguresModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.status = QLabel()
        self.basis = QLabel()
        self.basis.setWordWrap(True)
        self.basis.setStyleSheet("color: #555;")
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export())
        self.notice = Notice()
        top = QHBoxLayout()
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.basis)
        layout.addWidget(self.notice)
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)
        self.retranslate()

    def title(self) -> str:
        return tr("Indicators")

    def retranslate(self) -> None:
        self.export_button.setText(tr("Export to Excel…"))
        self.model.retranslate()
        self.model.show_report(self.report)
        self.basis.setText(
            tr(
                "Standard management: at least 4 face-to-face follow-ups in the year (phone ones do not count). "
                "Control rate: the latest face-to-face follow-up of the year controlled, of the patients "
                "registered at least 3 months before the year's end. A patient counts for the doctor of the "
                "latest face-to-face follow-up of the year, else for the doctor who registered the disease. "
                "Follow-ups due: 4 a year, in proportion to the days under management."
            )
        )
        self._show_status()

    def _show_status(self) -> None:
        if self.year is None:
            self.status.setText("")
        elif self.reads.running:
            self.status.setText(tr("Reading the indicators of %1…").replace("%1", str(self.year)))
        else:
            self.status.setText(tr("Chronic-care indicators %1").replace("%1", str(self.year)))
        self.export_button.setEnabled(self.report is not None and not self.reads.running)

    # -- reading -------------------------------------------------------------------------------------------
    def show_year(self, year: int) -> None:
        if year != self.year or self.stale:
            self.year = year
            self.read()

    def read(self) -> None:
        """Read the year's figures on a worker; what a read replaced by a newer one finds is dropped."""
        if self.year is None:
            return
        store, clinic, year = self.store, self.store.clinic_id, self.year
        self.stale = False

        def work() -> dict[str, Any]:
            conn = store.reader()
            try:
                return I.clinic_report(conn, clinic, year)
            finally:
                conn.close()

        def done(report: dict[str, Any]) -> None:
            self.report = report
            self.model.show_report(report)
            self.table.resizeColumnsToContents()  # once a read, not on every repaint
            self._show_status()

        def failed(error: BaseException) -> None:
            self._show_status()
            show_failure(error, self)

        self.reads.start(work, done, failed)
        self._show_status()

    def _store_changed(self, changes: Changes) -> None:
        if not changes.touched(*SHOWN):
            return
        if self.isVisible():
            self.read()
        else:
            self.stale = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.stale and self.year is not None:
            self.read()

    # -- Excel ---------------------------------------------------------------------------------------------
    def export(self) -> Any:
        """Ask where to save the shown year's indicators (Documents, the year in the name), then write them."""
        from ui.files import ask_where_to_save

        if self.report is None:
            return None
        name = tr("Chronic-care indicators %1.xlsx").replace("%1", str(self.report["period"]))
        return ask_where_to_save(self, tr("Indicators to Excel…"), name, "Excel (*.xlsx)", "xlsx", self.write)

    def write(self, target: Path) -> None:
        report = self.report
        assert report is not None

        def work() -> None:
            I.export_xlsx(report, target)

        def written(_: None) -> None:
            self.notice.say(
                tr("The indicators of %1 are saved in %2.")
                .replace("%1", str(report["period"]))
                .replace("%2", str(target))
            )

        from ui.files import not_written

        self.writer.work(work, written, not_written(self, target), parent=self)
