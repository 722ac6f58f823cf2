"""The visit form (issue 14 point 7): an outpatient visit of one resident — the day (today by default, never
later), the medical type (11 ordinary; 14 chronic outpatient only for a disease the patient holds an approved
qualification for on that day, and the form says why not), the disease, the ICD-10 diagnoses, services of the
county's price list and drugs of the catalog found by one search (code, name or pinyin; Enter adds the first hit,
as the prescription form's drug search), each with its quantity.

The settlement is shown live: after every change the visit is planned by clinic_app.visits.plan_visit on a worker
(its own connection; a change made meanwhile plans again once it ends) — total, within the scheme, the deductible
met, the fund's share, the patient's, what is left of the year's cap — always marked provisional, since a device
knows only its own clinic's visits. A refusal names the field and the rule. Saved through add_visit on the writer
with Ctrl+Enter or the button; then the receipt's print preview opens (ui.visit_print)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from clinic_app import chronic_records as H
from clinic_app import drugs
from clinic_app import visit_lists as VL
from clinic_app import visits as V
from clinic_app.db import Connection
from clinic_app.errors import ClinicError, NotFound, ValidationError
from clinic_app.money import yuan
from clinic_app.residents import mask_id_number
from clinic_app.settlement import CHRONIC, ORDINARY
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_dialogs import SaveDialog, date_edit
from ui.chronic_words import disease_text
from ui.i18n import tr
from ui.messages import error_text
from ui.notice import hide_problem, show_problem
from ui.ops import Op, Writer
from ui.qt import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QShortcut,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.rx_dialogs import trace_code_texts
from ui.staged import Staged
from ui.typed_search import TypedSearch

Row = dict[str, Any]
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
HITS = 12  # of each kind: services of the price list, drugs of the catalog
MAX_QUANTITY = 100_000
LINES_SHOWN_PX = 200  # the heads and six lines


@dataclass(frozen=True)
class VisitContext:
    """What the visit form, the visit list and the receipt work with: the store, the window's writer (its work
    lane reads on connections of their own), the user and the day."""

    store: Store
    writer: Writer
    user: User
    today: dt.date


class WorkerReads:
    """One read connection of a dialog, used on workers one op at a time (opened by the first, closed last)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()
        self.conn: Connection | None = None

    def call(self, read: Callable[[Connection], Any]) -> Any:
        with self.lock:
            if self.conn is None:
                self.conn = self.store.reader()
            return read(self.conn)

    def close(self) -> None:
        with self.lock:
            if self.conn is not None:
                self.conn.close()
                self.conn = None


# -- words ----------------------------------------------------------------------------------------------------
def med_type_text(code: str) -> str:
    return {ORDINARY: tr("11 Ordinary outpatient"), CHRONIC: tr("14 Chronic outpatient")}.get(code, code)


def category_text(category: str) -> str:
    return {"A": tr("Class A"), "B": tr("Class B"), "C": tr("Class C")}.get(category, category)


def visit_field_label(name: str) -> str:
    labels = {
        "date": tr("Date of visit"),
        "type": tr("Medical type"),
        "disease": tr("Disease"),
        "diagnosis": tr("Diagnoses"),
        "service": tr("Service"),
        "item": tr("Drug"),
        "lines": tr("Services and drugs"),
        "resident": tr("Resident"),
        "reason": tr("Reason"),
        "visit": tr("Outpatient visit"),
        "trace_code": tr("Trace code"),
    }
    if name.startswith("settlement."):
        return tr("County parameter %1").replace("%1", name)
    return labels.get(name, name)


def visit_rule_text(e: ValidationError) -> str:
    """A refused visit or reversal in the user's language, by its rule code, naming the field."""
    rules = {
        "future": tr("the day lies in the future."),
        "qualification": tr(
            "a chronic outpatient visit (type 14) needs an approved chronic-outpatient qualification "
            "(门诊慢特病认定) for the disease on the visit's day."
        ),
        "chronic_diagnosis": tr(
            "a type 14 visit has a diagnosis of its disease (hypertension I10-I13, diabetes E11)."
        ),
        "not_chronic": tr("a disease is named only for a chronic outpatient visit (type 14)."),
        "icd_format": tr(
            "type ICD-10 codes: a letter, two digits and an optional extension (I10, I10.x00, E11.900)."
        ),
        "unknown": tr("not in the county's price list or the drug catalog."),
        "price": tr("the catalog has no price or insurance category for this drug."),
        "catalog": tr("this device has no drug catalog with prices yet."),
        "quantity": tr("a whole number from 1 to 100000."),
        "policy": tr(
            "the county has not set this parameter for the visit's day: the visit cannot be settled."
        ),
        "cancelled": tr("the visit was cancelled already."),
        "too_long": tr("at most 500 characters."),
        "allowed": tr("11 (ordinary outpatient) or 14 (chronic outpatient)."),
        "format": tr("write CODE,QUANTITY."),
        "date_format": tr("write the date as 2026-11-20."),
    }
    required = {
        "disease": tr("choose the chronic disease of the visit."),
        "diagnosis": tr("at least one diagnosis (ICD-10)."),
        "lines": tr("add at least one service or drug."),
        "reason": tr("say why the visit is cancelled."),
    }
    if e.field == "trace_code":
        text = trace_rule_text(e)
    elif e.rule == "required":
        text = required.get(e.field, tr("required."))
    elif e.rule == "range" and e.field == "diagnosis":
        text = tr("at most %1 diagnoses.").replace("%1", str(V.MAX_DIAGNOSES))
    else:
        text = rules.get(e.rule, e.message)
    field = e.details.get("missing", e.field) if e.rule == "policy" else e.field  # every key not set
    return tr("%1: %2").replace("%1", visit_field_label(field)).replace("%2", text)


def trace_rule_text(e: ValidationError) -> str:
    """A trace code of a drug line refused (RULES §7, as at dispensing), by its rule code."""
    d = e.details
    texts = {
        "duplicate_code": tr("%1: sold before (one box, one sale).").replace("%1", d.get("code", "")),
        "wrong_product": tr("%1: the box is not of this drug.").replace("%1", d.get("code", "")),
        "box_count": tr("%1 trace codes scanned, the line sells %2 boxes: one code a box.")
        .replace("%1", d.get("scanned", ""))
        .replace("%2", d.get("due", "")),
        **trace_code_texts(d),
        "format": tr("A trace code is at most 100 printable characters without spaces."),
    }
    return texts.get(e.rule, e.message)


def visit_error_text(error: BaseException) -> str:
    if isinstance(error, NotFound):
        return tr("The record no longer exists (another device may have removed it).")
    if isinstance(error, ClinicError):
        return error_text(error, visit_rule_text, "\n")
    raise error


def pool_reason_text(pool: VL.ChronicPool | None, disease: str | None) -> str:
    """Why type 14 is not offered for a disease (or at all)."""
    if pool is None:
        if disease:
            return tr("Type 14 is not offered: the patient is not registered for %1.").replace(
                "%1", disease_text(disease)
            )
        return tr("Type 14 is not offered: the patient is registered for no chronic disease.")
    if pool.reason == "after":
        return (
            tr("Type 14 is not offered for %1: the qualification was approved on %2, after the visit's day.")
            .replace("%1", disease_text(pool.disease))
            .replace("%2", str(pool.approved_on))
        )
    return tr(
        "Type 14 is not offered for %1: no approved chronic-outpatient qualification (门诊慢特病认定)."
    ).replace("%1", disease_text(pool.disease))


# -- a line of the visit ---------------------------------------------------------------------------------------
class LineWidgets:
    """The widgets of one service or drug on the visit: name, unit price, quantity, amount, category, remove."""

    def __init__(
        self, kind: str, hit: Row, changed: Callable[[], None], remove: Callable[[Any], None]
    ) -> None:
        self.kind, self.code, self.hit = kind, str(hit["code"]), hit
        self.installment = False  # the boxes of today's installment (their count is what was handed out)
        self.price_fen = int(hit["price_fen"] or 0)
        kind_word = tr("Service") if kind == "service" else tr("Drug")
        unit = hit.get("unit") if kind == "service" else drugs.package_unit(hit)
        spec = f" {hit.get('spec')}" if kind == "drug" and hit.get("spec") else ""
        self.name = QLabel(f"{kind_word} · {hit['name']}{spec}")
        self.name.setToolTip(self.code)
        self.price = QLabel(
            tr("%1 yuan/%2").replace("%1", yuan(self.price_fen)).replace("%2", str(unit or ""))
        )
        self.quantity = QSpinBox()
        self.quantity.setRange(1, MAX_QUANTITY)
        self.quantity.setObjectName("quantity")
        self.amount = QLabel()
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.category = QLabel(category_text(str(hit.get("insurance_category") or "")))
        self.codes = QLineEdit()  # the boxes' trace codes, scanned (each scan ends with Enter)
        self.codes.setObjectName("traceCodes")
        self.codes.setPlaceholderText(tr("Scan trace codes") if kind == "drug" else "")
        self.codes.setToolTip(tr("The trace code of each box sold (RULES §7): scan them one after another"))
        if kind != "drug":
            self.codes.hide()  # (shown with its row when a drug's: a parentless show would make it a window)
        self.codes.textEdited.connect(lambda _t: changed())
        self.codes.returnPressed.connect(lambda: self._scanned(changed))
        self.remove = QPushButton(tr("Remove"))
        self.remove.setAutoDefault(False)
        self.quantity.valueChanged.connect(lambda _v: self._changed(changed))
        self.remove.clicked.connect(lambda: remove(self))
        self.show_amount()

    def trace_codes(self) -> list[str]:
        return [c for c in self.codes.text().replace("，", ",").replace(",", " ").split() if c]

    def _scanned(self, changed: Callable[[], None]) -> None:
        """A scan ends with Enter: a space before the next code; a box more sold when the codes pass the count."""
        text = self.codes.text().rstrip()
        if text:
            self.codes.setText(text + " ")
        if len(self.trace_codes()) > self.quantity.value():
            self.quantity.setValue(len(self.trace_codes()))  # plans again
        else:
            changed()

    def _changed(self, changed: Callable[[], None]) -> None:
        self.show_amount()
        changed()

    def show_amount(self) -> None:
        self.amount.setText(yuan(self.price_fen * self.quantity.value()))

    def widgets(self) -> list[QWidget]:
        return [self.name, self.price, self.quantity, self.amount, self.category, self.codes, self.remove]


class VisitDialog(Staged, SaveDialog):
    """The visit form of one resident (``resident``: id, name, id_number); ``disease`` chosen for type 14 when
    the patient is qualified for it (opened from a chronic worklist or the refill list)."""

    def __init__(
        self,
        ctx: VisitContext,
        resident: Row,
        disease: str | None = None,
        parent: QWidget | None = None,
        prescription: tuple[str, int] | None = None,
    ) -> None:
        """``prescription`` (its id, days): its drugs become the drug lines, in the packages those days take."""
        super().__init__(ctx.writer, tr("Outpatient visit"), tr("Save the visit"), parent)
        self.ctx = ctx
        self.reads = WorkerReads(ctx.store)
        self.resident = resident
        self.resident_id = str(resident.get("resident_id") or resident["id"])
        self.wanted_disease = disease
        self.result_value: V.VisitResult | None = None
        self.pools: list[VL.ChronicPool] = []
        self.registrations: list[Row] = []
        self.receipt: Op | None = None  # the receipt's preview being prepared, once saved
        self.pools_read = False
        self.lines: list[LineWidgets] = []
        self.typed: TypedSearch[tuple[str, Row]] = TypedSearch(ctx.writer, self.show_hits, self.add_hit)
        self.planned: V.Planned | None = None
        self.dispensing_id: str | None = None  # today's installment of the prescription the visit pays for
        self.planning: Op | None = None
        self.plan_again = False
        self.planning_for: V.VisitInput | None = None  # the form being planned
        self.planned_for: V.VisitInput | None = None  # the form whose settlement is shown
        self.save_waiting: V.VisitInput | None = None  # saved once the settlement of this form is shown
        self.plans = 0  # settlements shown so far (a test waits for the next)
        self._prefilled = ""  # the diagnosis the form filled in itself (replaced when the disease changes)
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)
        self.ok_button.setToolTip(tr("Ctrl+Enter"))
        for keys in (Qt.Modifier.CTRL | Qt.Key.Key_Return, Qt.Modifier.CTRL | Qt.Key.Key_Enter):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda: self.submit())
        self.who.setText(
            tr("%1 · %2")
            .replace("%1", str(resident["name"]))
            .replace("%2", mask_id_number(str(resident.get("id_number") or "")))
        )

        self.build_in_steps(self._build(prescription))  # every section built and wired: open() waits for it

    def _build(self, prescription: tuple[str, int] | None) -> Iterator[None]:
        self.date: QDateEdit = date_edit(self.ctx.today, latest=self.ctx.today)
        self.ordinary = QRadioButton(med_type_text(ORDINARY))
        self.chronic = QRadioButton(med_type_text(CHRONIC))
        self.ordinary.setChecked(True)
        self.chronic.setEnabled(False)
        self.types = QButtonGroup(self)
        self.types.addButton(self.ordinary)
        self.types.addButton(self.chronic)
        self.why_not = QLabel(tr("Reading the patient's chronic-outpatient qualifications…"))
        self.why_not.setObjectName("whyNot")
        self.why_not.setWordWrap(True)
        self.why_not.setStyleSheet("color: #6b6b6b;")
        self.disease = QComboBox()
        self.disease.setEnabled(False)
        self.diagnoses = QLineEdit()
        self.diagnoses.setObjectName("diagnoses")
        self.diagnoses.setPlaceholderText(tr("ICD-10 codes, separated by commas: I10.x00, E11.900"))
        self.search = QLineEdit()
        self.search.setObjectName("lineSearch")
        self.search.setPlaceholderText(
            tr("Service or drug: code, name or pinyin initials; Enter adds the first, ↓ to choose")
        )
        self.search.installEventFilter(self)
        self.results = QListWidget()
        self.results.setFixedHeight(90)  # always there: the buttons never move as hits come and go
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(lambda item: self.typed.enter(self.results.row(item)))

        type_row = QHBoxLayout()
        type_row.addWidget(self.ordinary)
        type_row.addWidget(self.chronic)
        type_row.addStretch(1)
        form = QFormLayout()
        form.addRow(tr("Date of visit"), self.date)
        form.addRow(tr("Medical type"), type_row)
        form.addRow("", self.why_not)
        form.addRow(tr("Disease"), self.disease)
        form.addRow(tr("Diagnoses"), self.diagnoses)
        form.addRow(tr("Add a service or drug"), self.search)
        form.addRow("", self.results)
        self.form.addRow(form)

        yield
        self.grid = QGridLayout()
        heads = (
            tr("Item"),
            tr("Unit price"),
            tr("Quantity"),
            tr("Amount (yuan)"),
            tr("Insurance class"),
            tr("Trace codes"),
            "",
        )
        for col, text in enumerate(heads):
            head = QLabel(text)
            head.setStyleSheet("color: #555;")
            self.grid.addWidget(head, 0, col)
        self.grid.setColumnStretch(0, 1)
        for col, width in (
            (1, 100),
            (2, 90),
            (3, 90),
            (4, 70),
            (5, 160),
            (6, 70),
        ):  # the heads apart with no line yet
            self.grid.setColumnMinimumWidth(col, width)
        self.no_lines = QLabel(tr("No services or drugs yet."))
        self.no_lines.setStyleSheet("color: #6b6b6b;")
        self.grid.addWidget(self.no_lines, 1, 0, 1, len(heads))
        holder = QWidget()
        stack = QVBoxLayout(holder)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addLayout(self.grid)
        stack.addStretch(1)  # the lines at the top, each at its own height
        self.lines_area = QScrollArea()  # six lines in sight; more scroll (the dialog fits a 768-high screen)
        self.lines_area.setWidget(holder)
        self.lines_area.setWidgetResizable(True)
        self.lines_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.lines_area.setFixedHeight(LINES_SHOWN_PX)
        self.form.addRow(self.lines_area)
        self.installment_note = QLabel()  # said when today's installment is on the visit
        self.installment_note.setObjectName("installmentNote")
        self.installment_note.setStyleSheet("color: #1e6b35;")
        self.installment_note.hide()
        self.form.addRow(self.installment_note)

        yield
        self.settlement_box = QGroupBox(tr("Settlement (live)"))
        figures = QGridLayout(self.settlement_box)
        self.figures: dict[str, QLabel] = {}
        names = (
            ("total", tr("Total")),
            ("in_scheme", tr("Within the scheme")),
            ("deductible", tr("Deductible met")),
            ("fund", tr("Fund pays")),
            ("patient", tr("Patient pays")),
            ("cap_left", tr("Left of the year's cap")),
        )
        for n, (name, text) in enumerate(names):
            label = QLabel("—")
            label.setObjectName(name)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setMinimumWidth(90)
            if name in ("fund", "patient"):
                label.setStyleSheet("font-weight: bold; font-size: 14px;")
            self.figures[name] = label
            figures.addWidget(QLabel(text), n // 3, (n % 3) * 2)
            figures.addWidget(label, n // 3, (n % 3) * 2 + 1)
        self.terms = QLabel()
        self.terms.setObjectName("terms")
        self.terms.setWordWrap(True)
        self.state = QLabel()
        self.state.setObjectName("settlementState")
        self.state.setWordWrap(True)
        figures.addWidget(self.terms, 2, 0, 1, 6)
        figures.addWidget(self.state, 3, 0, 1, 6)
        self.form.addRow(self.settlement_box)
        self.error.setMinimumWidth(860)  # the lines with their trace codes without a horizontal scroll

        self.date.dateChanged.connect(lambda _d: self._date_changed())
        self.ordinary.toggled.connect(lambda _on: self._type_changed())
        self.disease.activated.connect(lambda _i: self._disease_changed())
        self.diagnoses.textEdited.connect(lambda _t: self.plan())
        self.search.textEdited.connect(lambda t: self.find_lines(t))
        self.finished.connect(lambda _r: self._close_reads())
        self._read_pools()
        if prescription is not None:
            self._read_prescription(*prescription)
        else:
            self._read_unbilled()
        self.show_settlement()
        self.search.setFocus()
        self.ready = True

    # -- the patient's chronic pools -------------------------------------------------------------------------
    def _read_pools(self) -> None:
        rid = self.resident_id
        self.ctx.writer.work(
            lambda: self.reads.call(lambda conn: H.registrations(conn, rid)), self._pools_read, parent=self
        )

    def _pools_read(self, registrations: list[Row]) -> None:
        self.registrations = registrations
        self.pools_read = True
        self._offer_pools()
        wanted = self.wanted_disease
        if wanted and any(p.qualified and p.disease == wanted for p in self.pools):
            self.chronic.setChecked(True)  # _type_changed fills the disease and the diagnosis
        elif not self.diagnoses.text().strip():
            self.plan()

    def _read_prescription(self, rx_id: str, days: int) -> None:
        """The installment dispensed today (its boxes with their trace codes, as handed out), else the
        prescription's drugs in the packages of ``days``."""
        day = self.ctx.today

        def read(conn: Connection) -> Any:
            return VL.todays_installment(conn, rx_id, day) or VL.prescription_lines(conn, rx_id, days)

        def lines(found: Any) -> None:
            if isinstance(found, tuple):
                self._show_installment(found)
                return
            for drug, packages in found:
                self.add_line("drug", drug, packages)

        self.ctx.writer.work(lambda: self.reads.call(read), lines, parent=self)

    def _read_unbilled(self) -> None:
        """Opened from any other page: the patient's installment dispensed today that no visit pays for yet is on
        the visit, as from the refill list (trial F2: a box dispensed first is never given away unbilled)."""
        rid, day = self.resident_id, self.ctx.today

        def shown(found: Any) -> None:
            if found is not None:
                self._show_installment(found)

        self.ctx.writer.work(
            lambda: self.reads.call(lambda conn: VL.patients_unbilled_installment(conn, rid, day)),
            shown,
            parent=self,
        )

    def _show_installment(self, found: tuple[str, list[tuple[Row, int, list[str]]]]) -> None:
        """Today's installment as drug lines: its boxes as handed out, with their trace codes (not editable)."""
        self.dispensing_id, boxes = found
        for drug, count, codes in boxes:
            line = self.add_line("drug", drug, count)
            line.installment = True
            line.codes.setText(" ".join(codes))  # scanned at dispensing: shown, not edited here
            line.codes.setEnabled(False)
            line.quantity.setEnabled(False)
            line.remove.setEnabled(False)
            line.name.setToolTip(
                tr("Dispensed today; trace codes: %1").replace("%1", "、".join(codes) or tr("none"))
            )
        self.installment_note.setText(
            tr("The boxes dispensed today are on this visit with their trace codes.")
        )
        self.installment_note.show()

    def visit_day(self) -> dt.date:
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def _offer_pools(self) -> None:
        """Type 14 offered for the diseases the patient is qualified for on the visit's day; said why when not."""
        self.pools = VL.chronic_pools(self.registrations, self.visit_day())
        qualified = [p for p in self.pools if p.qualified]
        kept = self.disease.currentData()
        self.disease.clear()
        for pool in qualified:
            self.disease.addItem(disease_text(pool.disease), pool.disease)
        if kept is not None and self.disease.findData(kept) >= 0:
            self.disease.setCurrentIndex(self.disease.findData(kept))
        elif self.wanted_disease and self.disease.findData(self.wanted_disease) >= 0:
            self.disease.setCurrentIndex(self.disease.findData(self.wanted_disease))
        self.chronic.setEnabled(bool(qualified))
        if not qualified and self.chronic.isChecked():
            self.ordinary.setChecked(True)
        reasons = [pool_reason_text(p, p.disease) for p in self.pools if not p.qualified]
        if not self.pools:
            reasons = [pool_reason_text(None, self.wanted_disease)]
        elif self.wanted_disease and all(p.disease != self.wanted_disease for p in self.pools):
            reasons.insert(0, pool_reason_text(None, self.wanted_disease))
        self.why_not.setText("\n".join(reasons))
        self.why_not.setVisible(bool(reasons))
        self.disease.setEnabled(self.chronic.isChecked())

    def _date_changed(self) -> None:
        if self.pools_read:
            self._offer_pools()
        self.plan()

    def med_type(self) -> str:
        return CHRONIC if self.chronic.isChecked() else ORDINARY

    def _type_changed(self) -> None:
        chronic = self.chronic.isChecked()
        self.disease.setEnabled(chronic)
        if chronic:
            self._prefill_diagnosis()
        elif self._prefilled and self.diagnoses.text().strip() == self._prefilled:
            self.diagnoses.clear()
            self._prefilled = ""
        self.plan()

    def _disease_changed(self) -> None:
        self._prefill_diagnosis()
        self.plan()

    def _prefill_diagnosis(self) -> None:
        """The registration's ICD code of the disease chosen, unless the doctor typed diagnoses of their own."""
        disease = self.disease.currentData()
        pool = next((p for p in self.pools if p.disease == disease), None)
        typed = self.diagnoses.text().strip()
        if pool is not None and (not typed or typed == self._prefilled):
            self.diagnoses.setText(pool.icd_code)
            self._prefilled = pool.icd_code

    # -- finding services and drugs ----------------------------------------------------------------------------
    def find_lines(self, text: str) -> None:
        """Services and drugs matching ``text``, read on a worker (ui.typed_search: the hits of an older text go at
        once, an Enter before the answer adds its first hit when it comes). An exact code typed comes first."""
        code = text.strip().upper()

        def read(conn: Connection) -> list[tuple[str, Row]]:
            found = [("service", s) for s in VL.search_services(conn, text, HITS)]
            for hit in drugs.search_drugs(conn, text, limit=HITS):  # with the catalog's price and class
                drug = drugs.drug_by_code(conn, str(hit["code"]))
                if drug is not None:
                    found.append(("drug", drug))
            exact = [h for h in found if str(h[1]["code"]).upper() == code]
            return exact + [h for h in found if h not in exact]

        self.typed.ask(text, lambda: self.reads.call(read), self)

    @property
    def hits(self) -> list[tuple[str, Row]]:
        return self.typed.hits

    @property
    def searching(self) -> bool:
        return self.typed.searching

    def show_hits(self, hits: list[tuple[str, Row]]) -> None:
        self.results.clear()
        for kind, hit in hits:
            if kind == "service":
                text = (
                    tr("Service · %1 · %2 yuan/%3 · %4 (%5)")
                    .replace("%1", str(hit["name"]))
                    .replace("%2", yuan(int(hit["price_fen"])))
                    .replace("%3", str(hit.get("unit") or ""))
                    .replace("%4", category_text(str(hit["insurance_category"])))
                    .replace("%5", str(hit["code"]))
                )
            else:
                price = hit.get("price_fen")
                text = (
                    tr("Drug · %1 %2 %3 · %4 yuan/%5 · %6 (%7)")
                    .replace("%1", str(hit["name"]))
                    .replace("%2", str(hit.get("brand_name") or ""))
                    .replace("%3", str(hit.get("spec") or ""))
                    .replace("%4", yuan(int(price)) if price is not None else "—")
                    .replace("%5", drugs.package_unit(hit))
                    .replace("%6", category_text(str(hit.get("insurance_category") or "")))
                    .replace("%7", str(hit["code"]))
                )
            self.results.addItem(text)
        if hits:
            self.results.setCurrentRow(0)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        return self.typed.keys(watched, event, self.search, self.results)

    def add_hit(self, found: tuple[str, Row]) -> None:
        kind, hit = found
        same = next(
            (
                line
                for line in self.lines
                if line.kind == kind and line.code == hit["code"] and not line.installment
            ),
            None,
        )
        if same is not None:  # the same item again: one more of it (never more of the boxes handed out)
            same.quantity.setValue(same.quantity.value() + 1)
        else:
            self.add_line(kind, hit)
        self.search.clear()
        self.typed.clear()
        self.search.setFocus()

    def add_line(self, kind: str, hit: Row, quantity: int = 1) -> LineWidgets:
        line = LineWidgets(kind, hit, self.plan, self.remove_line)
        line.quantity.setValue(min(max(quantity, 1), MAX_QUANTITY))
        row = len(self.lines) + 1
        for col, widget in enumerate(line.widgets()):
            self.grid.addWidget(widget, row, col)
        self.lines.append(line)
        self.no_lines.hide()
        self.lines_area.ensureWidgetVisible(line.remove)
        self.plan()
        return line

    def remove_line(self, line: LineWidgets) -> None:
        for widget in line.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.lines.remove(line)
        self.no_lines.setVisible(not self.lines)
        self.plan()
        self.search.setFocus()

    # -- the settlement, live --------------------------------------------------------------------------------
    def visit_input(self) -> V.VisitInput:
        text = self.diagnoses.text().replace("，", ",").replace("、", ",").replace(" ", ",")
        return V.VisitInput(
            resident_id=self.resident_id,
            visit_date=self.visit_day(),
            med_type=self.med_type(),
            disease=self.disease.currentData() if self.chronic.isChecked() else None,
            diagnoses=[c for c in text.split(",") if c.strip()],
            services=[(line.code, line.quantity.value()) for line in self.lines if line.kind == "service"],
            items=[
                (line.code, line.quantity.value())
                for line in self.lines
                if line.kind == "drug" and not line.installment
            ],
            dispensing_id=self.dispensing_id,
            boxes=[
                (line.code, code)
                for line in self.lines
                if line.kind == "drug" and not line.installment
                for code in line.trace_codes()
            ],
        )

    def plan(self) -> None:
        """The settlement of the form as it is now, planned on a worker; asked again while one runs, planned once
        it ends (the newest form)."""
        if not self.lines:
            self.planned = None
            hide_problem(self.error)
            self.show_settlement()
            return
        if self.planning is not None and self.planning.running:
            self.plan_again = True
            return
        data, today = self.visit_input(), self.ctx.today
        self.planning_for = data
        self.state.setText(tr("Computing…"))
        self.planning = self.ctx.writer.work(
            lambda: self.reads.call(lambda conn: V.plan_visit(conn, data, today)),
            self._planned,
            self._not_planned,
            parent=self,
        )

    def _planned(self, planned: V.Planned) -> None:
        if self._again():
            return
        self.planned, self.planned_for = planned, self.planning_for
        hide_problem(self.error)
        self.show_settlement()
        waiting, self.save_waiting = self.save_waiting, None
        if waiting is not None and waiting == self.planned_for == self.visit_input():
            self.save(waiting)  # the form saved is the one whose settlement the doctor sees

    def _not_planned(self, error: BaseException) -> None:
        if self._again():
            return
        self.planned, self.planned_for, self.save_waiting = None, None, None
        self.show_settlement(visit_error_text(error))

    def _again(self) -> bool:
        if self.plan_again:
            self.plan_again = False
            self.plan()
            return True
        return False

    def show_settlement(self, problem: str | None = None) -> None:
        p = self.planned
        if p is None:
            for label in self.figures.values():
                label.setText("—")
            self.terms.setText("")
            if problem:
                self.state.setStyleSheet("color: #c0392b;")
                self.state.setText(tr("Not settled: see the problem below."))
                show_problem(self.error, problem)
            else:
                self.state.setStyleSheet("color: #6b6b6b;")
                self.state.setText(tr("Add services or drugs: the settlement is shown as they are added."))
            self.plans += 1
            return
        s, t = p.settlement, p.terms
        values = {
            "total": s.total_fen,
            "in_scheme": s.in_scheme_fen,
            "deductible": s.deductible_fen,
            "fund": s.fund_fen,
            "patient": s.patient_fen,
            "cap_left": s.cap_left_fen,
        }
        for name, fen in values.items():
            self.figures[name].setText(yuan(fen))
        terms = (
            tr("%1: the fund pays %2 % of what is within the scheme")
            .replace("%1", med_type_text(t.med_type))
            .replace("%2", f"{t.ratio_pct.normalize():f}")
        )
        if t.med_type == ORDINARY:
            terms += (
                tr(" after a deductible of %1 yuan a year (%2 met before this visit)")
                .replace("%1", yuan(t.deductible_fen))
                .replace("%2", yuan(p.used.deductible_fen))
            )
        terms += (
            tr("; the year's cap %1 yuan, %2 used before this visit.")
            .replace("%1", yuan(t.annual_cap_fen))
            .replace("%2", yuan(p.used.fund_fen))
        )
        self.terms.setText(terms)
        state = tr(
            "Provisional: computed on this device from this clinic's visits; the county confirms it against "
            "every clinic's."
        )
        if s.capped:
            state = (
                (
                    tr("The year's cap was used up before this visit: the fund pays nothing of it.")
                    if s.cap_used_before
                    else tr(
                        "The year's cap is reached in this visit: the fund pays only what was left of it."
                    )
                )
                + " "
                + state
            )
            self.state.setStyleSheet("color: #9a6700; font-weight: bold;")
        else:
            self.state.setStyleSheet("color: #9a6700;")
        self.state.setText(state)
        self.plans += 1

    # -- saving ------------------------------------------------------------------------------------------------
    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return  # a second Ctrl+Enter while the first save runs
        hide_problem(self.error)
        data = self.visit_input()
        settling = self.planning is not None and (self.planning.running or self.plan_again)
        if self.lines and (settling or self.planned_for != data):
            # the panel does not show this form's settlement yet: saved once it does, if the form is the same
            self.save_waiting = data
            if not settling:
                self.plan()
            self.state.setText(tr("Computing… the visit is saved once its settlement is shown."))
            return
        self.save(data)

    def save(self, data: V.VisitInput) -> None:
        ctx = self.ctx
        self.run(lambda: V.add_visit(ctx.store, ctx.user, data, ctx.today))

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        show_problem(self.error, visit_error_text(error))

    def _close_reads(self) -> None:
        reads = self.reads
        self.ctx.writer.work(reads.close)  # after the reads under way (the same lock)


def open_visit(
    ctx: VisitContext,
    resident: Row,
    parent: QWidget,
    disease: str | None = None,
    said: Callable[[str], None] | None = None,
    prescription: tuple[str, int] | None = None,
) -> VisitDialog:
    """Open the visit form for a resident; once saved, ``said`` gets the confirmation naming the patient and the
    amounts, and the receipt's print preview opens."""
    from ui.visit_print import preview_receipt

    dialog = VisitDialog(ctx, resident, disease, parent, prescription)

    def saved() -> None:
        result = dialog.result_value
        if result is None:
            return
        if said is not None:
            said(
                tr("Visit of %1 saved: total %2 yuan, fund %3, patient pays %4 (provisional).")
                .replace("%1", str(resident["name"]))
                .replace("%2", yuan(result.total_fen))
                .replace("%3", yuan(result.fund_fen))
                .replace("%4", yuan(result.patient_fen))
            )
        dialog.receipt = preview_receipt(ctx, result.id, parent)

    dialog.accepted.connect(saved)
    dialog.open()
    return dialog


def open_visit_of_selected(page: Any, prescription: tuple[str, int] | None = None) -> VisitDialog | None:
    """The visit form of the row selected on a worklist page (``selected()``, ``store``, ``writer``, ``user``,
    ``today``, ``notice``): type 14 for the row's disease when the patient qualifies."""
    row = page.selected()
    if row is None:
        return None
    ctx = VisitContext(page.store, page.writer, page.user, page.today)
    return open_visit(
        ctx, row, page, disease=row.get("disease"), said=page.notice.say, prescription=prescription
    )
