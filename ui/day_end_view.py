"""The 日结 tab of the 报表 page (issue 14 point 5): a chosen day's outpatient visits by medical type with the fund
and cash totals, the receipts reconciled against them (clinic_app.day_end: a receipt that does not match in red,
its cause in words), the cancelled visits listed apart (their receipts void), the print preview of it all
(ui/day_end_print.py), and the insurance export of the day into a chosen folder (clinic_app.visits.export_day).

Everything is read on a worker (lane "work", a connection of its own), never on the GUI thread: the tab shows the
same ``day_report`` as ``clinic report day``. A write touching visits marks it stale; the day is read again each
time the tab is shown (visits written elsewhere, by the CLI or sync, are not announced to this window)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinic_app.day_end import day_report
from clinic_app.errors import ValidationError
from clinic_app.money import yuan
from clinic_app.store import Changes, Store
from clinic_app.visits import export_day
from ui.day_end_print import preview_day_end
from ui.files import documents_folder, not_written
from ui.i18n import tr
from ui.listmodel import RIGHT, ROW_HEIGHT, Column, ListModel, ListView, Row, memory_fetch
from ui.notice import Notice
from ui.ops import LatestRead, Op, Writer, show_failure
from ui.qt import (
    QColor,
    QDate,
    QDateEdit,
    QEvent,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)

SHOWN = (
    "visit",
    "visit_line",
    "visit_cancel",
    "resident",
    "conflict",
    "dispensing",
    "dispensing_code",
)  # a change to one reads the day again
RED, GREEN, GREY, AMBER = "#c0392b", "#1e7e34", "#555", "#9a6700"


def unbilled_text(unbilled: list[dict[str, Any]]) -> str:
    """The day's dispensing installments no visit pays for (trial F2), each patient with what was given."""
    if not unbilled:
        return ""
    each = [
        tr("%1 (%2, %3 boxes, %4 yuan)")
        .replace("%1", str(u["name"]))
        .replace("%2", "、".join(u["drugs"]) or tr("drug not in the catalog"))
        .replace("%3", str(u["boxes"]))
        .replace("%4", "—" if u["amount_fen"] is None else yuan(u["amount_fen"]))
        for u in unbilled
    ]
    return tr(
        "⚠ Dispensed this day but on no visit (not charged): %1. Open a visit for the patient to charge it."
    ).replace("%1", "；".join(each))


def med_type_text(med_type: str) -> str:
    return {"11": tr("11 Ordinary outpatient"), "14": tr("14 Chronic outpatient")}.get(med_type, med_type)


def cause_text(problem: dict[str, Any]) -> str:
    """A receipt's mismatch in words (by its cause code)."""
    cause = problem["cause"]
    if cause == "no_lines":
        return tr("Its lines are not on this device (not synced yet)")
    if cause == "line_amount":
        return tr("Line %1: the amount is not price × quantity").replace(
            "%1", "、".join(str(n) for n in problem["lines"])
        )
    if cause == "lines_total":
        return tr("The lines differ from the total by %1 yuan").replace("%1", yuan(problem["difference_fen"]))
    return tr("Fund + patient differ from the total by %1 yuan").replace(
        "%1", yuan(problem["difference_fen"])
    )


def check_text(receipt: dict[str, Any]) -> str:
    words = [cause_text(p) for p in receipt["problems"]]
    if receipt["cap_pending"]:
        words.append(tr("over the county-wide cap: awaiting the county's decision"))
    if not receipt["problems"]:
        return "✓ " + (tr("Matches") + ("; " + words[0] if words else ""))
    return "✗ " + "; ".join(words)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _position(row: Row) -> int:
    return int(row["n"])


def _item(row: Row) -> dict[str, Any]:
    """The receipt a row of the receipts' or the void list stands for."""
    item: dict[str, Any] = row["item"]
    return item


def _receipt_head(number: Callable[[], str]) -> list[Column]:
    """The columns both receipt lists begin with: its number (headed ``number()``), patient, type, total."""
    return [
        Column("number", number, lambda r: _item(r)["number"], width=150),
        Column("name", lambda: tr("Patient"), lambda r: _item(r)["name"], width=80),
        Column("type", lambda: tr("Type"), lambda r: _item(r)["med_type"], align=RIGHT, width=50),
        Column("total", lambda: tr("Total"), lambda r: yuan(_item(r)["total_fen"]), align=RIGHT, width=90),
    ]


class ReceiptModel(ListModel):
    """The receipts: a row that does not reconcile is red."""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.isValid()
            and self.row_data(index.row())["item"]["problems"]
        ):
            return QColor(RED)
        return super().data(index, role)


class DayEndView(QWidget):
    """A tab of the 报表 page: ``title()``, ``show_year(year)``, ``retranslate()``."""

    def __init__(
        self, store: Store, writer: Writer, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store, self.writer = store, writer
        self.today = today or dt.date.today()
        self.report: dict[str, Any] | None = None
        self.stale = True
        self.reads = LatestRead(writer, self)
        self.printing: Op | None = None
        self.exporting: Op | None = None
        self.folder_dialog: QFileDialog | None = None
        self.message: QMessageBox | None = None

        self.date_label = QLabel()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(_qdate(self.today))
        self.date.setDate(_qdate(self.today))
        self.date_label.setBuddy(self.date)
        self.date.dateChanged.connect(lambda _d: self.read())
        self.print_button = QPushButton()
        self.print_button.clicked.connect(lambda _checked=False: self.print_preview())
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda _checked=False: self.ask_folder())
        self.status = QLabel()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.unbilled = QLabel()  # the day's dispensings no visit pays for
        self.unbilled.setObjectName("unbilled")
        self.unbilled.setWordWrap(True)
        self.unbilled.setStyleSheet(f"font-weight: bold; color: {AMBER};")
        self.unbilled.hide()
        self.totals_model = ListModel(self._total_columns(), key="key", cursor=_position, parent=self)
        self.receipts_title = QLabel()
        self.receipts_title.setStyleSheet("font-weight: bold;")
        self.receipt_model = ReceiptModel(self._receipt_columns(), key="key", cursor=_position, parent=self)
        self.cancelled_title = QLabel()
        self.cancelled_title.setStyleSheet("font-weight: bold;")
        self.cancelled_model = ListModel(self._cancelled_columns(), key="key", cursor=_position, parent=self)
        self.notice = Notice()
        # the three tables are made when the tab is first shown: every page is built as the window opens, and
        # a table view costs a few ms to make that the program's start need not pay for a tab not yet looked at
        self.tables: tuple[ListView, ListView, ListView] | None = None

        top = QHBoxLayout()
        top.addWidget(self.date_label)
        top.addWidget(self.date)
        top.addWidget(self.status, 1)
        top.addWidget(self.print_button)
        top.addWidget(self.export_button)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.verdict)
        self.layout_.addWidget(self.unbilled)
        self.layout_.addWidget(self.notice)
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)
        self.retranslate()

    # -- columns --------------------------------------------------------------------------------------------
    def _total_columns(self) -> list[Column]:
        def s(row: Row) -> dict[str, int]:
            figures: dict[str, int] = row["item"]
            return figures

        return [
            Column("type", lambda: tr("Medical type"), lambda r: r["name"], width=180),
            Column(
                "visits", lambda: tr("Visits this day"), lambda r: str(s(r)["visits"]), align=RIGHT, width=80
            ),
            Column(
                "total", lambda: tr("Total (yuan)"), lambda r: yuan(s(r)["total_fen"]), align=RIGHT, width=120
            ),
            Column(
                "fund",
                lambda: tr("Fund pays (yuan)"),
                lambda r: yuan(s(r)["fund_fen"]),
                align=RIGHT,
                width=120,
            ),
            Column(
                "cash",
                lambda: tr("Patient cash (yuan)"),
                lambda r: yuan(s(r)["cash_fen"]),
                align=RIGHT,
                width=130,
            ),
        ]

    def _receipt_columns(self) -> list[Column]:
        v = _item
        return [
            *_receipt_head(lambda: tr("Receipt no.")),
            Column("fund", lambda: tr("Fund"), lambda r: yuan(v(r)["fund_fen"]), align=RIGHT, width=90),
            Column(
                "cash", lambda: tr("Patient cash"), lambda r: yuan(v(r)["patient_fen"]), align=RIGHT, width=90
            ),
            Column(
                "lines",
                lambda: tr("Lines add up to"),
                lambda r: yuan(v(r)["lines_fen"]) if v(r)["lines"] else "—",
                align=RIGHT,
                width=100,
            ),
            Column(
                "check",
                lambda: tr("Receipt check"),
                lambda r: check_text(v(r)),
                tooltip=lambda r: check_text(v(r)),
            ),
        ]

    def _cancelled_columns(self) -> list[Column]:
        v = _item
        return [
            *_receipt_head(lambda: tr("Receipt no. (void)")),
            Column("on", lambda: tr("Cancelled on"), lambda r: v(r)["cancelled_on"], width=100),
            Column(
                "reason", lambda: tr("Reason"), lambda r: v(r)["reason"], tooltip=lambda r: v(r)["reason"]
            ),
        ]

    # -- text -----------------------------------------------------------------------------------------------
    def title(self) -> str:
        return tr("Day end")

    def retranslate(self) -> None:
        self.date_label.setText(tr("&Day:"))
        self.print_button.setText(tr("Print…"))
        self.export_button.setText(tr("Insurance export…"))
        self.export_button.setToolTip(
            tr("Write the day's file for the county's upload tool into a folder (nothing is sent anywhere)")
        )
        for model in (self.totals_model, self.receipt_model, self.cancelled_model):
            model.retranslate()
        self._show()

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def selected_day(self) -> dt.date:
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def _show(self) -> None:
        report = self.report
        reading = self.reads.running
        day = self.selected_day().isoformat()
        self.status.setText(tr("Reading the visits of %1…").replace("%1", day) if reading else "")
        self.print_button.setEnabled(report is not None and not reading)
        self.export_button.setEnabled(report is not None and not reading and report["totals"]["visits"] > 0)
        n_receipts = len(report["receipts"]) if report else 0
        n_cancelled = len(report["cancelled"]) if report else 0
        self.receipts_title.setText(tr("Receipts: %1").replace("%1", str(n_receipts)))
        self.cancelled_title.setText(
            tr("Cancelled (receipts void, counted nowhere): %1").replace("%1", str(n_cancelled))
        )
        if report is None:
            self.verdict.setText("")
            self.unbilled.hide()
            return
        self.unbilled.setText(unbilled_text(report["unbilled"]))
        self.unbilled.setVisible(bool(report["unbilled"]))
        rec = report["reconciliation"]
        if report["totals"]["visits"] == 0:
            text, colour = tr("No visits on %1.").replace("%1", report["date"]), GREY
        elif rec["balanced"]:
            text = (
                tr(
                    "✓ Reconciled: %1 receipts, patient cash %2 yuan — the same as the settlements' cash total."
                )
                .replace("%1", str(rec["receipts"]))
                .replace("%2", yuan(rec["receipts_cash_fen"]))
            )
            colour = GREEN
        else:
            text = (
                tr(
                    "✗ Not reconciled: the receipts make %1 yuan of patient cash, the settlements %2 yuan "
                    "(difference %3); %4 receipts do not match (in red)."
                )
                .replace("%1", yuan(rec["receipts_cash_fen"]))
                .replace("%2", yuan(rec["cash_fen"]))
                .replace("%3", yuan(rec["difference_fen"]))
                .replace("%4", str(len(rec["mismatched"])))
            )
            colour = RED
        if rec["cap_pending"]:
            text += " " + tr(
                "%1 receipts are over the county-wide cap and await the county's decision."
            ).replace("%1", str(len(rec["cap_pending"])))
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"font-size: 14px; font-weight: bold; padding: 2px 0; color: {colour};")

    # -- reading --------------------------------------------------------------------------------------------
    def show_year(self, year: int) -> None:
        """The days of ``year`` up to today can be chosen; a day of another year moves to the year's last."""
        first = dt.date(year, 1, 1)
        last = min(dt.date(year, 12, 31), self.today)
        self.date.blockSignals(True)
        moved = self.selected_day().year != year
        self.date.setDateRange(_qdate(first), _qdate(last))
        if moved:
            self.date.setDate(_qdate(last))
        self.date.blockSignals(False)
        if moved or self.stale or (self.report is None and not self.reads.running):
            self.read()

    def read(self) -> None:
        """Read the chosen day on a worker; what a read replaced by a newer one finds is dropped."""
        if not self.isVisible():
            self.stale = True
            return
        store, clinic, day = self.store, self.store.clinic_id, self.selected_day()
        self.stale = False

        def work() -> dict[str, Any]:
            conn = store.reader()
            try:
                return day_report(conn, clinic, day)
            finally:
                conn.close()

        def done(report: dict[str, Any]) -> None:
            self.report = report
            self.totals_model.set_fetch(memory_fetch(self._total_rows(report)))
            self.receipt_model.set_fetch(memory_fetch(_rows(report["receipts"], "visit_id")))
            self.cancelled_model.set_fetch(memory_fetch(_rows(report["cancelled"], "id")))
            self._show()

        def failed(error: BaseException) -> None:
            self._show()
            show_failure(error, self)

        self.reads.start(work, done, failed)
        self.notice.clear()
        self._show()

    def _total_rows(self, report: dict[str, Any]) -> list[Row]:
        named = [(med_type_text(t), t, s) for t, s in report["by_med_type"].items()]
        named.append((tr("All"), "all", report["totals"]))
        return [{"n": n, "key": key, "name": name, "item": s} for n, (name, key, s) in enumerate(named)]

    def _store_changed(self, changes: Changes) -> None:
        if changes.touched(*SHOWN):
            self.stale = True
            if self.isVisible():
                self.read()

    def showEvent(self, event: Any) -> None:
        if self.tables is None:
            self.tables = self._build_tables()
        super().showEvent(event)
        # visits may have come meanwhile from elsewhere (the CLI, another process, sync): the day read again
        self.stale = True
        self.read()

    def _build_tables(self) -> tuple[ListView, ListView, ListView]:
        """The totals over the verdict; the receipts over the cancelled visits, a splitter between them."""
        totals = ListView(self.totals_model)
        totals.setFixedHeight(
            totals.horizontalHeader().sizeHint().height() + 3 * ROW_HEIGHT + 4
        )  # three rows
        receipts, cancelled = ListView(self.receipt_model), ListView(self.cancelled_model)
        split = QSplitter(Qt.Orientation.Vertical)
        for title, view in ((self.receipts_title, receipts), (self.cancelled_title, cancelled)):
            part = QWidget()
            column = QVBoxLayout(part)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(title)
            column.addWidget(view)
            split.addWidget(part)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.layout_.insertWidget(1, totals)
        self.layout_.insertWidget(4, split, 1)
        return totals, receipts, cancelled

    # -- print and export ------------------------------------------------------------------------------------
    def print_preview(self) -> Op:
        """The print preview of the chosen day (read and drawn on a worker)."""
        self.printing = preview_day_end(self.store, self.writer, self.selected_day(), self.window())
        return self.printing

    def ask_folder(self) -> QFileDialog:
        """Ask for the folder the day's insurance file goes into (window-modal), then write it there."""
        dialog = QFileDialog(self, tr("Insurance export: choose the folder"), str(documents_folder()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)) if name else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.folder_dialog = dialog
        return dialog

    def export_to(self, folder: Path) -> Op:
        """Write the chosen day's insurance file into ``folder`` on a worker; tell the path and the rows."""
        store, clinic, day = self.store, self.store.clinic_id, self.selected_day()

        def work() -> tuple[Path, int]:
            conn = store.reader()
            try:
                target = export_day(conn, clinic, day, folder)
            finally:
                conn.close()
            return target, len(json.loads(target.read_text(encoding="utf-8"))["visits"])

        def written(result: tuple[Path, int]) -> None:
            target, rows = result
            self.notice.say(
                tr("The insurance file of %1 is written: %2 (%3 visits).")
                .replace("%1", day.isoformat())
                .replace("%2", str(target))
                .replace("%3", str(rows))
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError) and error.rule in ("folder_missing", "folder_not_writable"):
                where = error.details.get("folder", str(folder))
                if error.rule == "folder_missing":
                    text = tr("Not exported: the folder %1 does not exist (is the USB stick plugged in?).")
                else:
                    text = tr("Not exported: nothing can be written in the folder %1 (%2).").replace(
                        "%2", error.details.get("problem", "")
                    )
                self._warn(tr("Not exported"), text.replace("%1", where))
            elif isinstance(error, OSError):
                not_written(self, folder)(error)
            else:
                show_failure(error, self)

        self.exporting = self.writer.work(work, written, failed, parent=self)
        return self.exporting

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.message = box
        box.open()


def _rows(items: list[dict[str, Any]], key: str) -> list[Row]:
    return [{"n": n, "key": item[key], "item": item} for n, item in enumerate(items)]
