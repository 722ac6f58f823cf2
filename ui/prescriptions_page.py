"""The 长处方 page (issue 13 point 7): the refill worklist — active prescriptions whose supply runs out within the
next days, with nothing dispensed yet, or expiring — and the prescriptions awaiting the patient's signature. On a
row: Enter dispenses (on the awaiting list: the signature), 用药史… shows the patient's drug history, 停用… stops
the prescription with a reason; 开长处方… issues one.

Both lists are read on a worker (``lane="work"``, its own connection): the refill worklist in keyset pages
(``rx_records.refills_page``; the pages scrolled to later on the window's reader), the awaiting list whole (it
holds only prescriptions not yet signed). After a write the lists are read again only when it touched a
prescription table (when the page is hidden: when it is shown)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clinic_app import rx_lists as L
from clinic_app import rx_records as X
from clinic_app.db import Connection
from clinic_app.residents import mask_id_number
from clinic_app.store import Changes, Store
from clinic_app.users import User
from ui.chronic_page import primed, read_rows
from ui.chronic_words import disease_text
from ui.i18n import tr
from ui.listmodel import PAGE_SIZE, RIGHT, Column, Fetch, ListModel, ListView, Row, memory_fetch
from ui.notice import Notice
from ui.ops import Op, Writer
from ui.qt import (
    QComboBox,
    QEvent,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.rx_dialogs import (
    ChangeDialog,
    DispenseDialog,
    HistoryDialog,
    IssueDialog,
    RxContext,
    SignDialog,
    StopDialog,
    read_change,
    read_dispensing,
    read_issue,
)
from ui.rx_print import PAPERS, preview_prescription, preview_round

LISTS = ("refills", "awaiting")
SHOWN = ("prescription", "prescription_event", "dispensing", "dispensing_code", "resident")
REFILL_DAYS = 7  # the worklist's default horizon: what runs out this week


def reason_text(row: Row) -> str:
    words = {
        "ran_out": tr("ran out %1").replace("%1", str(row.get("runs_out_on", ""))),
        "runs_out": tr("runs out %1").replace("%1", str(row.get("runs_out_on", ""))),
        "not_dispensed": tr("nothing dispensed yet"),
        "expiring": tr("valid to %1").replace("%1", str(row.get("valid_until", ""))),  # its last day (F10)
    }
    return "; ".join(words.get(r, r) for r in row.get("reasons", []))


def runs_out_text(row: Row) -> str:
    """The day the boxes given run out; none before anything is dispensed (not the day of issue: F10)."""
    return str(row["runs_out_on"]) if row.get("dispensed_days") else ""


def list_columns(which: str) -> list[Column]:
    """The columns of a list: both name the patient and the prescription; the refills add what was dispensed."""
    # the widths fit the 1366×768 window (the list ~1060 px wide): the phone's 11 digits are never cut (F8)
    shown: list[tuple[str, Any, Any, int]] = [
        ("name", lambda: tr("Name"), lambda r: r["name"], 75),
        ("id_number", lambda: tr("ID number"), lambda r: mask_id_number(r["id_number"]), 145),
        ("disease", lambda: tr("Disease"), lambda r: disease_text(r["disease"]), 85),
        ("issued_on", lambda: tr("Issued"), lambda r: r["issued_on"], 88),
        ("days", lambda: tr("Days"), lambda r: str(r["days"]), 45),
    ]
    if which == "refills":
        shown += [
            ("dispensed", lambda: tr("Dispensed"), lambda r: str(r["dispensed_days"]), 70),
            ("left", lambda: tr("Left"), lambda r: str(r["left_days"]), 45),
            ("runs_out_on", lambda: tr("Runs out"), runs_out_text, 88),
        ]
    shown.append(("valid_until", lambda: tr("Valid until"), lambda r: r["valid_until"], 88))
    if which == "refills":
        shown.append(("why", lambda: tr("Why on the list"), reason_text, 170))
    shown.append(("phone", lambda: tr("Phone"), lambda r: r.get("phone") or "", 110))
    numbers = {"days", "dispensed", "left"}
    return [
        Column(name, header, show, align=RIGHT, width=width)
        if name in numbers
        else Column(name, header, show, width=width)
        for name, header, show, width in shown
    ]


def refill_cursor(row: Row) -> tuple[str, str]:
    """Where a page of the refill worklist ends (its keyset: the day due, then the prescription)."""
    return (str(row["due_on"]), str(row["prescription_id"]))


def refill_fetch(conn: Connection, clinic_id: str, today: dt.date, days: int) -> Fetch:
    """Keyset pages of the refill worklist on ``conn`` (``rx_records.refills_page``)."""

    def fetch(after: Any, limit: int) -> list[Row]:
        return X.refills_page(conn, clinic_id, today, days, after or ("", ""), limit)

    return fetch


def button_for(action: Any) -> QPushButton:
    """A button whose click runs ``action()`` (never with Qt's ``checked`` argument)."""
    button = QPushButton()
    button.clicked.connect(lambda: action())
    return button


def hbox(*widgets: QWidget | None) -> QHBoxLayout:
    """A row of widgets, None where the row stretches."""
    row = QHBoxLayout()
    for widget in widgets:
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget)
    return row


class PrescriptionsPage(QWidget):
    def __init__(
        self,
        store: Store,
        reader: Connection,
        writer: Writer,
        user: User,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.reader, self.writer, self.user = store, reader, writer, user
        self.today = today or dt.date.today()
        self.stale = True
        self.reading: Op | None = None
        self.read_again = False
        self.loaded = 0  # lists read so far (a test waits for the next)
        self.models: dict[str, ListModel] = {}
        self.views: dict[str, ListView] = {}
        self.tabs = QTabWidget()
        for which in LISTS:
            cursor = refill_cursor if which == "refills" else (lambda r: r["_n"])
            model = ListModel(list_columns(which), key="prescription_id", cursor=cursor, parent=self)
            model.rowsInserted.connect(lambda *_: self._show_count())  # the pages scrolled to
            view = ListView(model)
            view.activated.connect(lambda _i, w=which: self.start(w))  # Enter, and a double click
            view.selectionModel().selectionChanged.connect(lambda _a, _b: self._enable())
            self.models[which], self.views[which] = model, view
            tab = QWidget()
            QVBoxLayout(tab).addWidget(view)
            self.tabs.addTab(tab, "")
        self.tabs.currentChanged.connect(lambda _i: self._enable())
        self.horizon = QSpinBox()
        self.horizon.setRange(0, 90)
        self.horizon.setValue(REFILL_DAYS)
        self.horizon.valueChanged.connect(lambda _v: self.read())
        self.horizon_label = QLabel()
        (
            self.dispense_button,
            self.sign_button,
            self.history_button,
            self.change_button,
            self.stop_button,
            self.issue_button,
            self.print_button,
            self.round_button,
        ) = (
            button_for(action)
            for action in (
                self.open_dispense,
                self.open_sign,
                self.open_history,
                self.open_change,
                self.open_stop,
                self.open_issue,
                self.print_prescription,
                self.print_round,
            )
        )
        self.paper_label = QLabel()
        self.paper = QComboBox()  # the sheet the prescription prints on
        for paper in PAPERS:
            self.paper.addItem(paper, paper)
        self.printing: Op | None = None
        self.opening: Op | None = None  # a dialog's facts being read (dispensing, a change)
        self.dialog: Any = None  # the last dialog opened that way
        self.visit_button = button_for(self.open_visit)
        self.count = QLabel()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.notice = Notice()
        layout = QVBoxLayout(self)
        top = (self.title, None, self.horizon_label, self.horizon, self.round_button, self.issue_button)
        layout.addLayout(hbox(*top))
        layout.addWidget(self.tabs, 1)
        actions = (
            self.dispense_button,
            self.sign_button,
            self.history_button,
            self.change_button,
            self.visit_button,
        )
        printing = (self.stop_button, self.print_button, self.paper_label, self.paper)
        layout.addLayout(hbox(*actions, *printing, None, self.count))
        layout.addWidget(self.notice)
        self.retranslate()
        self._enable()
        writer.watch(store)
        writer.store_changed.connect(self._store_changed)

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        texts: dict[QLabel | QPushButton, str] = {
            self.title: tr("Long-term prescriptions"),
            self.horizon_label: tr("Running out within (days)"),
            self.dispense_button: tr("Dispense… (Enter)"),
            self.sign_button: tr("Patient signs…"),
            self.history_button: tr("Drug history…"),
            self.stop_button: tr("Stop…"),
            self.issue_button: tr("Issue a prescription…"),
            self.change_button: tr("Change…"),
            self.paper_label: tr("Paper"),
            self.print_button: tr("Print prescription…"),
            self.round_button: tr("Print refill round…"),
            self.visit_button: tr("Visit…"),
        }
        for widget, text in texts.items():
            widget.setText(text)
        self.tabs.setTabText(0, tr("Refills due"))
        self.tabs.setTabText(1, tr("Awaiting signature"))
        self.paper.setToolTip(tr("The paper the prescription prints on"))
        self.round_button.setToolTip(tr("The refill worklist of this horizon, to take on a round"))
        for model in self.models.values():
            model.retranslate()
        self._show_count()

    # -- reading --------------------------------------------------------------------------------------------
    def shown(self) -> str:
        return LISTS[max(self.tabs.currentIndex(), 0)]

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.stale:
            self.read()

    def read(self) -> None:
        """Both lists, on a worker — of the refills as many rows as are loaded (whole keyset pages, at least one),
        the pages scrolled to later read on the window's reader as the view asks for them (one page, as the
        residents page pages); a read asked for while one runs is made once it ends."""
        self.stale = False
        if self.reading is not None and self.reading.running:
            self.read_again = True
            return
        store, clinic, today, days = self.store, self.store.clinic_id, self.today, self.horizon.value()
        wanted = max(self.models["refills"].rowCount(), PAGE_SIZE)

        def work() -> tuple[list[Row], list[Row], int]:
            conn = store.reader()
            try:
                refills = read_rows(refill_fetch(conn, clinic, today, days), refill_cursor, wanted)
                return refills, L.awaiting_signature(conn, clinic, today.isoformat()), days
            finally:
                conn.close()

        self.reading = self.writer.work(work, self._show, parent=self)

    def _show(self, lists: tuple[list[Row], list[Row], int]) -> None:
        refills, awaiting, days = lists
        model = self.models["refills"]
        model.set_fetch(primed(refills, refill_fetch(self.reader, self.store.clinic_id, self.today, days)))
        while model.rowCount() < len(refills) and model.canFetchMore():
            model.fetchMore()  # the pages read on the worker: as many as were loaded before
        for n, row in enumerate(awaiting):
            row["_n"] = n
        self.models["awaiting"].set_fetch(memory_fetch(awaiting))
        self.loaded += 1
        self._show_count()
        self._enable()
        if self.read_again:
            self.read_again = False
            self.read()

    def _show_count(self) -> None:
        model = self.models[self.shown()]
        more = "+" if model.canFetchMore() else ""
        self.count.setText(tr("%1 in this list").replace("%1", f"{model.rowCount():,}{more}"))

    def _store_changed(self, changes: Changes) -> None:
        if not changes.touched(*SHOWN):
            return
        if self.isVisible():
            self.read()
        else:
            self.stale = True

    # -- the selected row -----------------------------------------------------------------------------------
    def selected(self) -> Row | None:
        which = self.shown()
        key = self.views[which].current_key()
        model = self.models[which]
        at = model.row_of(key) if key is not None else -1
        return model.row_data(at) if at >= 0 else None

    def _enable(self) -> None:
        row = self.selected()
        which = self.shown()
        self.dispense_button.setEnabled(row is not None and which == "refills")
        self.sign_button.setEnabled(row is not None and which == "awaiting")
        self.history_button.setEnabled(row is not None)
        self.stop_button.setEnabled(row is not None)
        self.change_button.setEnabled(row is not None)
        self.print_button.setEnabled(row is not None)
        self.visit_button.setEnabled(row is not None)
        hint = "" if row is not None else tr("Select a prescription in the list first.")
        for b in (
            self.dispense_button,
            self.sign_button,
            self.history_button,
            self.change_button,
            self.stop_button,
            self.print_button,
            self.visit_button,
        ):
            b.setToolTip(hint)
        self._show_count()

    # -- actions ---------------------------------------------------------------------------------------------
    def context(self) -> RxContext:
        return RxContext(self.store, self.reader, self.writer, self.user, self.today)

    def start(self, which: str) -> Any:
        """Enter (or a double click) on a row: dispense; on the awaiting list, the patient's signature."""
        return self.open_sign() if which == "awaiting" else self.open_dispense()

    def open_dispense(self) -> Op | None:
        """发药… (or Enter on a row of the worklist): the prescription read on a worker, then the dispensing dialog
        of that prescription."""
        row = self.selected()
        if row is None or self.shown() != "refills":
            return None

        def saved(dialog: DispenseDialog) -> None:
            result = dialog.result_value or {}
            text = (
                tr("%1: %2 days dispensed, %3 box(es); %4 days left.")
                .replace("%1", str(row["name"]))
                .replace("%2", str(result.get("days", "")))
                .replace("%3", str(len(result.get("codes", []))))
                .replace("%4", str(result.get("left_days", "")))
            )
            self.notice.say(text)

        store, rx_id = self.store, str(row["prescription_id"])
        return self.open_when_read(
            lambda: read_dispensing(store, rx_id),
            lambda start: DispenseDialog(self.context(), row, start, self),
            saved,
        )

    def open_when_read(
        self, read: Callable[[], Row], make: Callable[[Row], Any], saved: Callable[[Any], None]
    ) -> Op | None:
        """A dialog made from what ``read`` reads on a worker, opened once it is read; ``saved(dialog)`` when it
        is accepted. A second press while one is being read opens no second one."""
        if self.opening is not None and self.opening.running:
            return None

        def opened(facts: Row) -> None:
            dialog = make(facts)
            dialog.accepted.connect(lambda: saved(dialog))
            dialog.open()
            self.dialog = dialog

        self.opening = self.writer.work(read, opened, parent=self)
        return self.opening

    def open_issue(self) -> Op | None:
        """开长处方…: the county's limits (and the selected row's patient) read on a worker, then the dialog."""
        row = self.selected()

        def saved(dialog: IssueDialog) -> None:
            result = dialog.result_value or {}
            name = (dialog.resident or {}).get("name", "")
            if result.get("status") == "awaiting_signature":
                text = tr("Prescription for %1 issued, %2 days: held until the patient signs.")
                self.tabs.setCurrentIndex(LISTS.index("awaiting"))
            else:
                text = tr("Prescription for %1 issued, %2 days: active.")
            self.notice.say(text.replace("%1", str(name)).replace("%2", str(result.get("days", ""))))

        store, today = self.store, self.today
        return self.open_when_read(
            lambda: read_issue(store, row, today),
            lambda start: IssueDialog(self.context(), row, start, self),
            saved,
        )

    def on_row(self, make: Any, said: str | None = None) -> Any:
        """Open ``make(context, row, page)`` on the selected row; once saved the notice says ``said`` (%1: the
        patient)."""
        row = self.selected()
        if row is None:
            return None
        dialog = make(self.context(), row, self)
        if said is not None:
            dialog.accepted.connect(lambda: self.notice.say(said.replace("%1", str(row["name"]))))
        dialog.open()
        return dialog

    def open_sign(self) -> SignDialog | None:
        if self.shown() != "awaiting":
            return None
        return self.on_row(SignDialog, tr("%1 signed: the prescription is active."))

    def open_stop(self) -> StopDialog | None:
        return self.on_row(StopDialog, tr("The prescription of %1 is stopped."))

    def open_visit(self) -> Any:
        """The visit form of the selected row's patient (type 14 for its disease when qualified); on the refill
        list the prescription's drugs are its drug lines, in the packages of the next installment."""
        from ui.rx_dialogs import DEFAULT_DAYS
        from ui.visit_dialog import open_visit_of_selected

        row = self.selected()
        if row is None:
            return None
        days = max(1, min(int(row.get("left_days") or DEFAULT_DAYS), DEFAULT_DAYS))
        prescription = (str(row["prescription_id"]), days) if self.shown() == "refills" else None
        return open_visit_of_selected(self, prescription)

    def open_history(self) -> HistoryDialog | None:
        return self.on_row(HistoryDialog)

    def open_change(self) -> Op | None:
        """更改…: the prescription's drugs read on a worker, then the change dialog filled with them (a new
        prescription replaces it, with a reason)."""
        row = self.selected()
        if row is None:
            return None

        def saved(dialog: ChangeDialog) -> None:
            result = dialog.result_value or {}
            held = result.get("status") == "awaiting_signature"
            text = (
                tr(
                    "The prescription of %1 is changed: the new one, %2 days, is held until the patient signs."
                )
                if held
                else tr("The prescription of %1 is changed: the new one, %2 days, is active.")
            )
            self.notice.say(text.replace("%1", str(row["name"])).replace("%2", str(result.get("days", ""))))
            if held:
                self.tabs.setCurrentIndex(LISTS.index("awaiting"))

        store, today = self.store, self.today
        return self.open_when_read(
            lambda: read_change(store, row, today),
            lambda prefill: ChangeDialog(self.context(), row, prefill, self),
            saved,
        )

    # -- printing --------------------------------------------------------------------------------------------
    def print_prescription(self) -> Op | None:
        """The print preview of the selected prescription on the paper chosen (A5 or A4)."""
        row = self.selected()
        if row is None or self._print_running():
            return None
        paper = str(self.paper.currentData())
        rx_id = str(row["prescription_id"])
        self.printing = preview_prescription(self.store, self.writer, rx_id, self.today, self, paper)
        return self.printing

    def print_round(self) -> Op | None:
        """The print preview of the refill worklist of the horizon shown, to take on a round."""
        if self._print_running():
            return None
        self.printing = preview_round(self.store, self.writer, self.today, self.horizon.value(), self)
        return self.printing

    def _print_running(self) -> bool:
        """A preview is being read and laid out: a second click opens no second one."""
        return self.printing is not None and self.printing.running
