"""A patient's outpatient visits (issue 14 points 3, 5): newest first, each with its settlement and whether it was
cancelled (冲正: the day and the reason); on the selected visit 打印结算单… prints its receipt and 冲正… cancels it
with a reason (clinic_app.visits.cancel_visit: a new event, the visit itself is never edited); 新建就诊… opens the
visit form. The list's first page is read on a worker; it is read again when a write touches the visits."""

from __future__ import annotations

from typing import Any

from clinic_app import visit_lists as VL
from clinic_app import visits as V
from clinic_app.money import yuan
from clinic_app.residents import mask_id_number
from clinic_app.store import Changes
from ui.chronic_dialogs import SaveDialog
from ui.chronic_page import primed
from ui.chronic_words import disease_text
from ui.i18n import tr
from ui.listmodel import PAGE_SIZE, RIGHT, Column, ListModel, ListView
from ui.notice import Notice, show_problem
from ui.ops import Op
from ui.qt import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, Qt, QVBoxLayout, QWidget
from ui.visit_dialog import VisitContext, WorkerReads, med_type_text, open_visit, visit_error_text

Row = dict[str, Any]
SHOWN = ("visit", "visit_cancel")


def status_text(row: Row) -> str:
    if row.get("cancelled"):
        return (
            tr("Cancelled on %1: %2")
            .replace("%1", str(row["cancelled_on"]))
            .replace("%2", str(row.get("cancel_reason") or ""))
        )
    return tr("Settled (provisional)") if row.get("provisional") else tr("Settled")


def visit_columns() -> list[Column]:
    return [
        Column("visit_date", lambda: tr("Date of visit"), lambda r: r["visit_date"], width=95),
        Column("med_type", lambda: tr("Medical type"), lambda r: med_type_text(r["med_type"]), width=130),
        Column(
            "disease",
            lambda: tr("Disease"),
            lambda r: disease_text(r["disease"]) if r["disease"] else "",
            width=90,
        ),
        Column("diagnoses", lambda: tr("Diagnoses"), lambda r: ", ".join(r["diagnoses"]), width=110),
        Column("total", lambda: tr("Total"), lambda r: yuan(r["total_fen"]), align=RIGHT, width=80),
        Column("fund", lambda: tr("Fund pays"), lambda r: yuan(r["fund_fen"]), align=RIGHT, width=80),
        Column(
            "patient", lambda: tr("Patient pays"), lambda r: yuan(r["patient_fen"]), align=RIGHT, width=80
        ),
        Column("doctor", lambda: tr("Doctor"), lambda r: r.get("doctor") or "", width=70),
        Column("status", lambda: tr("Status"), status_text, tooltip=status_text),
    ]


def visit_line(row: Row) -> str:
    return (
        tr("%1 · %2\ntotal %3 yuan, fund %4, patient %5")  # the amounts a line of their own: never cut (F8)
        .replace("%1", str(row["visit_date"]))
        .replace("%2", med_type_text(str(row["med_type"])))
        .replace("%3", yuan(int(row["total_fen"])))
        .replace("%4", yuan(int(row["fund_fen"])))
        .replace("%5", yuan(int(row["patient_fen"])))
    )


class CancelVisitDialog(SaveDialog):
    """The reversal (冲正) of one visit: the reason, then a new event; the visit stays as it was saved."""

    def __init__(self, ctx: VisitContext, resident: Row, row: Row, parent: QWidget | None = None) -> None:
        super().__init__(ctx.writer, tr("Cancel the visit (冲正)"), tr("Cancel the visit"), parent)
        self.ctx, self.row = ctx, row
        self.result_value: Any = None
        self.who.setText(tr("%1 · %2").replace("%1", str(resident["name"])).replace("%2", visit_line(row)))
        self.who.setWordWrap(True)
        note = QLabel(
            tr(
                "The visit stays as it was saved; a reversal with the reason is recorded and the visit counts "
                "nowhere (fund, cash, the year's cap, the day's end)."
            )
        )
        note.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(tr("Why: entered by mistake, the patient did not take the drugs…"))
        self.form.addRow(note)
        self.form.addRow(tr("Reason"), self.reason)
        self.reason.setFocus()

    def submit(self) -> None:
        ctx, visit_id, reason = self.ctx, str(self.row["id"]), self.reason.text()
        if not reason.strip():  # said at once, as 停用… and 更改… say it
            show_problem(self.error, tr("Say why the visit is reversed."))
            self.reason.setFocus()
            return
        self.run(lambda: V.cancel_visit(ctx.store, ctx.user, visit_id, reason, ctx.today))

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        show_problem(self.error, visit_error_text(error))


class VisitListDialog(QDialog):
    """The visits of one resident (``resident``: id, name, id_number)."""

    def __init__(self, ctx: VisitContext, resident: Row, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.resident = ctx, resident
        self.resident_id = str(resident.get("resident_id") or resident["id"])
        self.reads = WorkerReads(ctx.store)
        self.reading: Op | None = None
        self.read_again = False
        self.loaded = 0  # lists read so far (a test waits for the next)
        self.receipt: Op | None = None
        self.visit_dialog: Any = None
        self.setWindowTitle(tr("Visits of %1").replace("%1", str(resident["name"])))
        self.who = QLabel(
            tr("%1 · %2")
            .replace("%1", str(resident["name"]))
            .replace("%2", mask_id_number(str(resident.get("id_number") or "")))
        )
        self.who.setStyleSheet("font-weight: bold;")
        self.model = ListModel(visit_columns(), key="id", cursor=VL.visit_cursor, parent=self)
        self.view = ListView(self.model)
        self.view.selectionModel().selectionChanged.connect(lambda _a, _b: self._enable())
        self.view.activated.connect(lambda _i: self.print_receipt())
        self.new_button = QPushButton(tr("New visit…"))
        self.receipt_button = QPushButton(tr("Print receipt…"))
        self.cancel_button = QPushButton(tr("Cancel the visit (冲正)…"))
        self.close_button = QPushButton(tr("Close"))
        self.new_button.clicked.connect(lambda: self.new_visit())
        self.receipt_button.clicked.connect(lambda: self.print_receipt())
        self.cancel_button.clicked.connect(lambda: self.cancel_visit())
        self.close_button.clicked.connect(lambda: self.accept())
        self.count = QLabel()
        self.notice = Notice()
        buttons = QHBoxLayout()
        for b in (self.new_button, self.receipt_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        self.resize(1000, 520)
        ctx.writer.store_changed.connect(self._store_changed)
        self.finished.connect(lambda _r: ctx.writer.work(self.reads.close))
        self.read()
        self._enable()

    # -- reading ---------------------------------------------------------------------------------------------
    def _fetch(self) -> Any:
        rid, reads = self.resident_id, self.reads

        def fetch(after: Any, limit: int) -> list[Row]:  # a page scrolled to: one keyset page (few ms)
            return reads.call(lambda conn: VL.patient_visits(conn, rid, after, limit))

        return fetch

    def read(self) -> None:
        if self.reading is not None and self.reading.running:
            self.read_again = True
            return
        rid, reads = self.resident_id, self.reads
        self.reading = self.ctx.writer.work(
            lambda: reads.call(lambda conn: VL.patient_visits(conn, rid, None, PAGE_SIZE)),
            self._show,
            parent=self,
        )

    def _show(self, rows: list[Row]) -> None:
        kept = self.view.current_key()
        self.model.set_fetch(primed(rows, self._fetch()))
        if kept is not None and self.model.row_of(kept) >= 0:
            self.view.selectRow(self.model.row_of(kept))
        elif self.model.rowCount() and self.view.current_key() is None:
            self.view.selectRow(0)
        self.loaded += 1
        more = "+" if self.model.canFetchMore() else ""
        self.count.setText(tr("%1 visits").replace("%1", f"{self.model.rowCount()}{more}"))
        self._enable()
        if self.read_again:
            self.read_again = False
            self.read()

    def _store_changed(self, changes: Changes) -> None:
        if changes.touched(*SHOWN):
            self.read()

    # -- the selected visit ----------------------------------------------------------------------------------
    def selected(self) -> Row | None:
        key = self.view.current_key()
        at = self.model.row_of(key) if key is not None else -1
        return self.model.row_data(at) if at >= 0 else None

    def _enable(self) -> None:
        row = self.selected()
        self.receipt_button.setEnabled(row is not None)
        self.cancel_button.setEnabled(row is not None and not row.get("cancelled"))
        tip = "" if row is not None else tr("Select an outpatient visit in the list first.")
        if row is not None and row.get("cancelled"):
            tip = tr("This visit is cancelled already.")
        self.cancel_button.setToolTip(tip)

    def print_receipt(self) -> Op | None:
        from ui.visit_print import preview_receipt

        row = self.selected()
        if row is None or (self.receipt is not None and self.receipt.running):
            return None
        self.receipt = preview_receipt(self.ctx, str(row["id"]), self)
        return self.receipt

    def cancel_visit(self) -> CancelVisitDialog | None:
        row = self.selected()
        if row is None or row.get("cancelled"):
            return None
        dialog = CancelVisitDialog(self.ctx, self.resident, row, self)
        dialog.accepted.connect(
            lambda: self.notice.say(
                tr("The visit of %1 on %2 is cancelled: it counts nowhere.")
                .replace("%1", str(self.resident["name"]))
                .replace("%2", str(row["visit_date"]))
            )
        )
        dialog.open()
        return dialog

    def new_visit(self) -> Any:
        self.visit_dialog = open_visit(self.ctx, self.resident, self, said=self.notice.say)
        return self.visit_dialog


def open_visits(ctx: VisitContext, resident: Row, parent: QWidget) -> VisitListDialog:
    dialog = VisitListDialog(ctx, resident, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
