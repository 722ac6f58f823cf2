"""The dialogs of the 长处方 page: dispensing an installment with a scan field that keeps the focus (each Enter adds
a box's trace code, a code refused says why), issuing a prescription (drug search, whole packages and each rule
shown as the doctor types), the patient's signature, stopping with a reason and a patient's drug history. Every
write goes through clinic_app.rx_records on the writer; a refusal stays in the dialog naming the rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from clinic_app import chronic_records as H
from clinic_app import contracts as C
from clinic_app import drugs
from clinic_app import prescriptions as P
from clinic_app import rx_lists as L
from clinic_app import rx_records as X
from clinic_app.db import Connection
from clinic_app.digits import plain_number
from clinic_app.errors import ClinicError, NotFound, ValidationError
from clinic_app.residents import mask_id_number
from clinic_app.store import Store
from clinic_app.users import User
from ui.chronic_dialogs import SaveDialog
from ui.chronic_words import disease_text
from ui.i18n import tr
from ui.messages import error_text
from ui.notice import hide_problem, reserve_problem_line, show_problem
from ui.ops import Op, Writer
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QEvent,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QShortcut,
    QSpinBox,
    Qt,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from ui.rx_print import PAPERS, preview_prescription
from ui.typed_search import TypedSearch

Row = dict[str, Any]
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
DEFAULT_DAYS = 28
DRUG_HITS = 12


def class_text(flag: str) -> str:
    return {
        "narcotic": tr("a narcotic (麻醉药品)"),
        "psychotropic_1": tr("a class-I psychotropic (第一类精神药品)"),
        "toxic": tr("a toxic drug for medical use (医疗用毒性药品)"),
        "radioactive": tr("a radiopharmaceutical (放射性药品)"),
        "precursor": tr("a precursor chemical (易制毒化学品)"),
        "antimicrobial": tr("an antimicrobial other than for tuberculosis (抗菌药物)"),
    }.get(flag, tr("a drug with special storage requirements"))


def sale_text(sale: Row) -> str:
    where = sale.get("clinic") or tr("this clinic")
    return (
        tr("sold on %1 at %2 (%3)")
        .replace("%1", str(sale["dispensed_on"]))
        .replace("%2", str(where))
        .replace("%3", str(sale.get("resident") or ""))
    )


def trace_code_texts(d: dict[str, str]) -> dict[str, str]:
    """A scanned code that cannot be a trace code (RULES §7), at dispensing and at the visit form alike."""
    return {
        "too_short": tr("%1: %2 characters cannot be a trace code (at least %3; RULES §7).")
        .replace("%1", d.get("code", ""))
        .replace("%2", d.get("length", ""))
        .replace("%3", d.get("min", "")),
        "characters": tr("%1: a trace code is digits and letters (RULES §7).").replace(
            "%1", d.get("code", "")
        ),
    }


def rx_rule_text(e: ValidationError) -> str:
    """A refused prescription, installment or box in the user's language, naming the rule."""
    d = e.details
    if e.rule.startswith("excluded_"):
        return (
            tr("%1 is %2: never on a long-term prescription (RULES §6).")
            .replace("%1", d.get("drug", ""))
            .replace("%2", class_text(d.get("class", "")))
        )
    known = {
        "over_max_days": tr("%1 days is over %2 days (12 weeks), the most a long-term prescription holds.")
        .replace("%1", d.get("days", ""))
        .replace("%2", d.get("max", "")),
        "not_stable": tr("The patient is not stable: the last face-to-face follow-up was not controlled."),
        "not_registered": tr("The patient is not under management for this disease."),
        "issuing_rights": tr("This account may not issue this long-term prescription (county rule)."),
        "unknown_drug": tr("The drug is not in the catalog."),
        "stopped": tr("The prescription is stopped: it dispenses nothing more."),
        "unsigned": tr("The prescription awaits the patient's signature: it dispenses nothing yet."),
        "expired": tr("The prescription expired on %1.").replace("%1", d.get("valid_until", "")),
        "before_issue": tr("The day is before the prescription was issued."),
        "over_prescription": tr("More days than the prescription has left (%1 of %2 days).")
        .replace("%1", d.get("left", ""))
        .replace("%2", d.get("prescribed", "")),
        "too_early": tr(
            "Too early: the last installment lasts; the next one from %1 (minimum interval)."
        ).replace("%1", d.get("earliest", "")),
        "duplicate_code": tr("%1: sold before (one box, one sale).").replace("%1", d.get("code", "")),
        "wrong_product": tr("%1: the product is not a drug of this prescription.").replace(
            "%1", d.get("code", "")
        ),
        "not_awaiting": tr("The prescription does not await a signature."),
        "assessment_required": tr("Record the doctor's assessment first (over 28 days)."),
        "box_count": tr("Scan every box: %1 scanned, this installment is %2 box(es).")
        .replace("%1", d.get("scanned", ""))
        .replace("%2", d.get("due", "")),
        **trace_code_texts(d),
        "in_force": tr("A prescription for %1 issued %2 is in force: change it (更改…) or stop it first.")
        .replace("%1", disease_text(d.get("disease", "")))
        .replace("%2", d.get("issued_on", "")),
    }
    if e.rule in known:
        return known[e.rule]
    if e.field == "trace_code" and e.rule == "format":
        return tr("A trace code is at most 100 printable characters without spaces.")
    if e.field == "trace_code" and e.rule == "required":
        return tr("Scan the trace code of every box.")
    if e.field == "item" and e.rule == "required":
        return tr("Add at least one drug.")
    if e.field == "reason" and e.rule == "required":
        return tr("Say why the prescription stops.")
    if e.rule == "duplicate":
        return tr("The drug is on the prescription twice.")
    if e.rule == "range":
        return tr("%1: %2.").replace("%1", e.field).replace("%2", e.message)
    return e.message


def stability_text(e: ValidationError, last: Row | None) -> str:
    if last is None:
        return tr(
            "No face-to-face follow-up of this disease yet: the patient's control is unknown (RULES §6)."
        )
    return tr(
        "The last face-to-face follow-up (%1) was not controlled: a long-term prescription is for a stable "
        "patient (RULES §6)."
    ).replace("%1", str(last["visit_date"]))


def rx_error_text(error: BaseException) -> str:
    if isinstance(error, NotFound):
        return tr("The record no longer exists (another device may have removed it).")
    if isinstance(error, ClinicError):
        return error_text(error, rx_rule_text, "\n")
    raise error


def problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("problem")
    label.setStyleSheet("color: #c0392b;")
    label.setWordWrap(True)
    label.hide()
    reserve_problem_line(label)
    return label


@dataclass(frozen=True)
class RxContext:
    """What every dialog of the page works with: the store and the window's reader, writer, user and day."""

    store: Store
    reader: Connection
    writer: Writer
    user: User
    today: dt.date


class RxDialog(SaveDialog):
    """The chronic-care dialog (the patient's line, the fields, the problem line, Cancel and save) whose save is
    never the default button: Enter belongs to the fields (the scan, the searches), Ctrl+Enter saves."""

    def __init__(self, ctx: RxContext, title: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx.writer, title, ok, parent)
        self.ctx = ctx
        self.result_value: Any = None
        self.ok_button.setDefault(False)
        self.ok_button.setAutoDefault(False)
        self.who.setWordWrap(True)
        for keys in (Qt.Modifier.CTRL | Qt.Key.Key_Return, Qt.Modifier.CTRL | Qt.Key.Key_Enter):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda: self.submit())

    def run(self, work: Any) -> None:
        if self.ok_button.isEnabled():  # a second Ctrl+Enter while the first save runs does nothing
            hide_problem(self.error)
            super().run(work)

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        show_problem(self.error, rx_error_text(error))


class RowDialog(RxDialog):
    """A dialog about one prescription of the page's lists (``row``)."""

    def __init__(self, ctx: RxContext, row: Row, title: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, title, ok, parent)
        self.row = row
        self.rx_id = str(row["prescription_id"])
        self.who.setText(patient_line(row))


def patient_line(row: Row) -> str:
    return (
        tr("%1 · %2 · %3")
        .replace("%1", str(row["name"]))
        .replace("%2", mask_id_number(str(row["id_number"])))
        .replace("%3", disease_text(row["disease"]))
    )


def item_text(item: Row) -> str:
    return (
        tr("%1 %2: %3 %4 × %5 a day")
        .replace("%1", str(item["drug_name"]))
        .replace("%2", str(item.get("spec") or ""))
        .replace("%3", plain_number(item["dose"]))
        .replace("%4", str(item.get("unit") or ""))
        .replace("%5", str(item["times_per_day"]))
    )


# -- dispensing -------------------------------------------------------------------------------------------------
class DispenseDialog(RowDialog):
    """One installment of a prescription: days (or packages of the first drug, giving the days they last), the
    trace code of every box scanned into a field that keeps the focus, split-pack, saved with Ctrl+Enter."""

    def __init__(self, ctx: RxContext, row: Row, start: Row, parent: QWidget | None = None) -> None:
        """``start``: ``rx_lists.dispensing_start`` of the prescription, read on a worker (``read_dispensing``)."""
        super().__init__(ctx, row, tr("Dispense an installment"), tr("Dispense"), parent)
        self.reader = ctx.reader
        self.lines = start["lines"]
        self.known_products: frozenset[str] = start["known_products"]
        self.codes: list[str] = []
        rx = start["rx"]
        done = int(start["dispensed_days"])
        self.left = int(rx["days"]) - done
        summary = QLabel(
            tr("%1 days prescribed on %2, %3 dispensed, %4 left; valid until %5.")
            .replace("%1", str(rx["days"]))
            .replace("%2", str(rx["issued_on"]))
            .replace("%3", str(done))
            .replace("%4", str(self.left))
            .replace("%5", str(rx["valid_until"]))
        )
        drugs_label = QLabel("\n".join(item_text(i) for i in self.lines))
        self.days = QSpinBox()
        self.days.setRange(1, 366)
        self.days.setValue(max(1, min(self.left, DEFAULT_DAYS)))
        self.packages = QSpinBox()
        self.packages.setRange(0, 9999)
        self.quantity = QLabel()
        self.split = QCheckBox(tr("Split pack (拆零): the box's code is sold again until its units are used"))
        self.scan = QLineEdit()
        self.scan.setObjectName("scan")
        self.scan.setPlaceholderText(tr("Scan each box (the scanner types the code and Enter)"))
        self.scan.installEventFilter(self)
        self.boxes = QListWidget()
        self.boxes.setMaximumHeight(150)
        self.remove_button = QPushButton(tr("Remove box"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda: self.remove_box())
        self.scanned = QLabel()
        form = QFormLayout()
        form.addRow(tr("Days"), self.days)
        first = self.lines[0]
        form.addRow(
            tr("Packages of %1 (%2)")
            .replace("%1", str(first["drug_name"]))
            .replace("%2", drugs.package_unit(first)),
            self.packages,
        )
        form.addRow(tr("Quantity"), self.quantity)
        form.addRow("", self.split)
        form.addRow(tr("Trace code"), self.scan)
        self.form.addRow(summary)
        self.form.addRow(drugs_label)
        self.form.addRow(form)
        self.form.addRow(self.boxes)
        row_under = QHBoxLayout()
        row_under.addWidget(self.scanned)
        row_under.addStretch(1)
        row_under.addWidget(self.remove_button)
        self.form.addRow(row_under)
        self._syncing = False
        self.days.valueChanged.connect(lambda _v: self._days_changed())
        self.packages.valueChanged.connect(lambda _v: self._packages_changed())
        self._days_changed()
        self._show_boxes()
        self.scan.setFocus()

    def _days_changed(self) -> None:
        first = self.lines[0]
        dose, times = Decimal(first["dose"]), int(first["times_per_day"])
        if not self._syncing:
            self._syncing = True
            self.packages.setValue(P.packages_for(dose, times, self.days.value(), int(first["package_size"])))
            self._syncing = False
        parts = []
        for i in self.lines:
            packs = P.packages_for(
                Decimal(i["dose"]), int(i["times_per_day"]), self.days.value(), int(i["package_size"])
            )
            parts.append(
                tr("%1: %2").replace("%1", str(i["drug_name"])).replace("%2", drugs.packages_text(packs, i))
            )
        self.quantity.setText("; ".join(parts))

    def _packages_changed(self) -> None:
        if self._syncing:
            return
        first = self.lines[0]
        units = self.packages.value() * int(first["package_size"])
        days = P.days_supplied(units, Decimal(first["dose"]), int(first["times_per_day"]))
        self._syncing = True
        self.days.setValue(max(1, days))
        self._syncing = False
        self._days_changed()

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.scan and event.type() == QEvent.Type.KeyPress and event.key() in ENTER:
            self.add_code(self.scan.text())
            return True
        return False

    def add_code(self, text: str) -> bool:
        """A scanned box: added to the list, or refused with the reason (and where it was sold); the field is
        cleared and keeps the focus either way."""
        self.scan.clear()
        self.scan.setFocus()
        if not text.strip():
            return False
        try:
            trace = self.check(text)
        except ValidationError as e:
            show_problem(self.error, self._refusal(e))
            return False
        hide_problem(self.error)
        self.codes.append(trace.code)
        item = QListWidgetItem(
            trace.code
            if trace.verified
            else tr("%1 — unverified: %2").replace("%1", trace.code).replace("%2", unverified_text(trace))
        )
        item.setData(Qt.ItemDataRole.UserRole, trace.code)
        self.boxes.addItem(item)
        self._show_boxes()
        return True

    def check(self, text: str) -> P.TraceCode:
        trace = P.read_trace_code(text)
        if trace.code in self.codes:
            raise ValidationError("trace_code", "scanned_twice", "scanned twice", {"code": trace.code})
        by_product = {
            str(i["trace_product_id"]): str(i["id"]) for i in self.lines if i.get("trace_product_id")
        }
        item_id = P.check_product(trace, self.known_products, by_product)
        sales = L.earlier_sales(self.reader, trace.code)
        if sales:
            size = next((int(i["package_size"]) for i in self.lines if i["id"] == item_id), None)
            size = size or int(sales[0].get("package_size") or self.lines[0]["package_size"])
            sold = sum(Decimal(str(s["units"])) for s in sales)
            try:
                P.check_reuse(
                    trace.code, int(sold), size, self.split.isChecked(), any(s["split_pack"] for s in sales)
                )
            except ValidationError as e:
                e.details["sold"] = sale_text(sales[-1])
                raise
        return trace

    def _refusal(self, e: ValidationError) -> str:
        if e.rule == "scanned_twice":
            return tr("%1: this box is in the list already.").replace("%1", e.details.get("code", ""))
        text = rx_rule_text(e)
        if sold := e.details.get("sold"):
            text = tr("%1 It was %2.").replace("%1", text).replace("%2", sold)
        return text

    def remove_box(self) -> None:
        row = self.boxes.currentRow()
        if row < 0:
            return
        item = self.boxes.takeItem(row)
        self.codes.remove(str(item.data(Qt.ItemDataRole.UserRole)))
        self._show_boxes()
        self.scan.setFocus()

    def _show_boxes(self) -> None:
        self.scanned.setText(tr("%1 box(es) scanned").replace("%1", str(len(self.codes))))
        self.remove_button.setEnabled(bool(self.codes))

    def submit(self) -> None:
        ctx, rx_id = self.ctx, self.rx_id
        days, codes, split = self.days.value(), list(self.codes), self.split.isChecked()
        self.run(
            lambda: X.dispense(ctx.store, ctx.user, rx_id, days, codes, split_pack=split, today=ctx.today)
        )


def read_dispensing(store: Store, rx_id: str) -> Row:
    """Off the GUI thread: what the dispensing dialog starts from (``rx_lists.dispensing_start``)."""
    conn = store.reader()
    try:
        return L.dispensing_start(conn, rx_id)
    finally:
        conn.close()


def unverified_text(trace: P.TraceCode) -> str:
    if trace.code.isdigit():
        return tr("%1 digits, not the 20 of the common family").replace("%1", str(len(trace.code)))
    return tr("not the 20-digit family: not checked")


# -- issuing ----------------------------------------------------------------------------------------------------
def route_text(route: str) -> str:
    """A route (给药途径) as the doctor chooses it."""
    return {
        "oral": tr("Oral"),
        "subcutaneous": tr("Subcutaneous injection"),
        "inhaled": tr("Inhaled"),
        "topical": tr("Topical"),
        "sublingual": tr("Sublingual"),
        "other": tr("Other"),
    }.get(route, route)


class ItemLine:
    """The widgets of one drug on the prescription being written."""

    def __init__(self, drug: Row, changed: Any, remove: Any) -> None:
        self.drug = drug
        self.route_choice = QComboBox()  # defaults from the drug's form (trial F3: never 口服 for insulin)
        for route in P.ROUTES:
            self.route_choice.addItem(route_text(route), route)
        self.route = P.default_route(drug.get("form"), drug.get("name"))
        self.name = QLabel(f"{drug['name']} {drug.get('spec') or ''}")
        self.dose = QLineEdit("1")
        self.dose.setMaximumWidth(60)
        self.unit = QLabel(str(drug.get("unit") or ""))
        self.times = QSpinBox()
        self.times.setRange(1, X.MAX_TIMES_PER_DAY)
        self.packages = QLabel()
        self.remove = QPushButton(tr("Remove"))
        self.remove.setAutoDefault(False)
        self.dose.textChanged.connect(lambda _t: changed())
        self.times.valueChanged.connect(lambda _v: changed())
        self.remove.clicked.connect(lambda: remove(self))

    def widgets(self) -> list[QWidget]:
        return [self.name, self.dose, self.unit, self.times, self.route_choice, self.packages, self.remove]

    @property
    def route(self) -> str:
        """The route chosen for the line (one of ``prescriptions.ROUTES``)."""
        return str(self.route_choice.currentData())

    @route.setter
    def route(self, value: str) -> None:
        index = self.route_choice.findData(value)
        self.route_choice.setCurrentIndex(index if index >= 0 else self.route_choice.findData("other"))

    def dose_value(self) -> Decimal | None:
        try:
            return P.dose_value("dose", self.dose.text())
        except (ValidationError, InvalidOperation):
            return None


class IssueDialog(RxDialog):
    """A long-term prescription for a registered chronic patient: the patient (found by ID number or name), the
    disease, drugs from the catalog's search with dose and times a day, the days; the whole packages and the rules
    of RULES §6 shown as the doctor types; saved with Ctrl+Enter."""

    def __init__(
        self, ctx: RxContext, resident: Row | None, start: Row, parent: QWidget | None = None
    ) -> None:
        """``start``: ``read_issue`` — the county's limits and, with ``resident``, that patient's facts (read on a
        worker)."""
        super().__init__(ctx, tr("Issue a long-term prescription"), tr("Issue"), parent)
        self.limits: P.Limits = start["limits"]
        self.last: dict[str, Row | None] = {}  # the patient's last face-to-face follow-up of each disease
        self.finding: Op | None = None
        self.resident: Row | None = None
        self.lines: list[ItemLine] = []
        self.typed: TypedSearch[Row] = TypedSearch(ctx.writer, self.show_hits, self.add_drug)
        self.finder = QLineEdit()
        self.finder.setPlaceholderText(tr("ID number, name or pinyin of the resident, then Enter"))
        self.finder.installEventFilter(self)
        self.disease = QComboBox()
        self.search = QLineEdit()
        self.search.setObjectName("drugSearch")
        self.search.setPlaceholderText(tr("Drug: name, pinyin initials or code; Enter adds the first"))
        self.search.installEventFilter(self)
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(lambda item: self.typed.enter(self.results.row(item)))
        self.grid = QGridLayout()
        heads = (tr("Drug"), tr("Dose per time"), "", tr("Times a day"), tr("Route"), tr("Quantity"))
        for col, text in enumerate(heads):
            self.grid.addWidget(QLabel(text), 0, col)
        self.days = QSpinBox()
        self.days.setRange(1, 366)
        self.days.setValue(DEFAULT_DAYS)
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.assessment = QLineEdit()
        self.assessment.setPlaceholderText(tr("The doctor's assessment: condition stable, adherence"))
        self.signed = QCheckBox(tr("The patient has signed the prescription"))
        self.allergies = QLineEdit()
        self.allergies.setPlaceholderText(tr("Recorded allergies, separated by commas"))
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #9a6700;")
        form = QFormLayout()
        form.addRow(tr("Patient"), self.finder)
        form.addRow(tr("Disease"), self.disease)
        form.addRow(tr("Add a drug"), self.search)
        form.addRow("", self.results)
        self.form.addRow(form)
        self.form.addRow(self.grid)
        more = QFormLayout()
        more.addRow(tr("Days"), self.days)
        more.addRow("", self.rule)
        more.addRow(tr("Assessment"), self.assessment)
        more.addRow("", self.signed)
        more.addRow(tr("Allergies"), self.allergies)
        self.form.addRow(more)
        self.form.addRow(self.warnings)
        self.error.setMinimumWidth(600)  # the dialog grows to its fields, at least this wide
        self.search.textEdited.connect(lambda t: self.find_drugs(t))
        self.disease.activated.connect(lambda _i: self.check_stable())
        self.days.valueChanged.connect(lambda _v: self.show_rules())
        self.allergies.textChanged.connect(lambda _t: self.show_rules())
        if start.get("patient") is not None:
            self.use_patient(start["patient"])
        self.show_rules()

    # -- the patient --------------------------------------------------------------------------------------
    def find_resident(self) -> Op | None:
        """The patient typed in the finder (ID number, name, pinyin), looked up on a worker with the diseases
        under management and the last face-to-face follow-up of each; one lookup at a time."""
        text = self.finder.text().strip()
        if not text or (self.finding is not None and self.finding.running):
            return None
        ctx = self.ctx

        def found(result: Row) -> None:
            if result["patient"] is not None:
                self.use_patient(result["patient"])
                return
            show_problem(
                self.error,
                tr("No resident matches “%1”.").replace("%1", text)
                if not result["hits"]
                else tr("Several residents match “%1”: type more of the ID number.").replace("%1", text),
            )

        self.finding = ctx.writer.work(lambda: find_patient(ctx.store, text, ctx.today), found, parent=self)
        return self.finding

    def use_patient(self, facts: Row) -> None:
        """A patient found (``patient_facts``): the diseases to prescribe for, the stability of the one chosen."""
        resident = facts["resident"]
        self.resident = {"id": resident["id"], "name": resident["name"], "id_number": resident["id_number"]}
        self.last = facts["last"]
        self.finder.setText(str(resident["name"]))
        self.disease.clear()
        for disease in facts["diseases"]:
            self.disease.addItem(disease_text(disease), disease)
        if resident.get("disease"):
            self.disease.setCurrentIndex(max(self.disease.findData(resident["disease"]), 0))
        self.who.setText(
            tr("%1 · %2")
            .replace("%1", str(resident["name"]))
            .replace("%2", mask_id_number(str(resident["id_number"])))
        )
        if self.disease.count() == 0:
            show_problem(
                self.error,
                tr("%1 is not registered for a chronic disease.").replace("%1", str(resident["name"])),
            )
        else:
            self.check_stable()
        self.search.setFocus()

    def check_stable(self) -> bool:
        """The patient's stability for the disease chosen (RULES §6), said as soon as the patient is chosen."""
        disease = self.disease.currentData()
        if self.resident is None or not disease:
            return False
        last = self.last.get(str(disease))
        try:
            P.check_stable(str(disease), last)
        except ValidationError as e:
            show_problem(self.error, stability_text(e, last))
            return False
        hide_problem(self.error)
        return True

    # -- drugs --------------------------------------------------------------------------------------------
    def find_drugs(self, text: str) -> None:
        """The catalog searched on a worker as the doctor types (ui.typed_search: the hits of an older text go at
        once, an Enter typed before the answer adds its first drug when it comes)."""
        store = self.ctx.store
        self.typed.ask(text, lambda: search_catalog(store, text), self)

    @property
    def hits(self) -> list[Row]:
        return self.typed.hits

    @property
    def searching(self) -> bool:
        return self.typed.searching

    def show_hits(self, hits: list[Row]) -> None:
        self.results.clear()
        for d in hits:
            self.results.addItem(
                f"{d['name']}  {d.get('brand_name') or ''}  {d.get('spec') or ''}  {d.get('form') or ''}  ({d['code']})"
            )
        if hits:
            self.results.setCurrentRow(0)

    def add_drug(self, drug: Row) -> bool:
        """Add a drug found by the search (its catalog row); an excluded one is refused naming its class
        (RULES §6)."""
        try:
            P.check_drug(drug, self.limits)
        except ValidationError as e:
            show_problem(self.error, rx_rule_text(e))
            self.search.selectAll()
            self.search.setFocus()
            return False
        if any(line.drug["code"] == drug["code"] for line in self.lines):
            show_problem(
                self.error, tr("%1 is on the prescription already.").replace("%1", str(drug["name"]))
            )
            return False
        hide_problem(self.error)
        line = self.add_line(drug)
        self.search.clear()
        self.typed.clear()
        self.show_rules()
        line.dose.setFocus()
        line.dose.selectAll()
        return True

    def add_line(self, drug: Row) -> ItemLine:
        """A drug's row on the prescription (its rules checked by the caller)."""
        line = ItemLine(drug, self.show_rules, self.remove_line)
        row = len(self.lines) + 1
        for col, widget in enumerate(line.widgets()):
            self.grid.addWidget(widget, row, col)
        self.lines.append(line)
        return line

    def remove_line(self, line: ItemLine) -> None:
        for widget in line.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.lines.remove(line)
        self.show_rules()

    # -- the rules, live ----------------------------------------------------------------------------------
    def show_rules(self) -> None:
        days = self.days.value()
        for line in self.lines:
            dose = line.dose_value()
            line.packages.setText(
                "—"
                if dose is None
                else drugs.packages_text(
                    P.packages_for(dose, line.times.value(), days, int(line.drug["package_size"])), line.drug
                )
            )
        over_signature = P.needs_signature(days, self.limits)
        self.assessment.setEnabled(over_signature)
        self.signed.setEnabled(over_signature)
        if days > self.limits.max_days:
            self.rule.setStyleSheet("color: #c0392b;")
            self.rule.setText(
                tr("%1 days is over %2 days (12 weeks), the most a long-term prescription holds.")
                .replace("%1", str(days))
                .replace("%2", str(self.limits.max_days))
            )
        elif over_signature:
            self.rule.setStyleSheet("color: #9a6700;")
            self.rule.setText(
                tr(
                    "Over %1 days: record the assessment and have the patient sign. Without the signature the "
                    "prescription is held awaiting it and dispenses nothing."
                ).replace("%1", str(self.limits.signature_above_days))
            )
        else:
            self.rule.setStyleSheet("color: #2e7d32;")
            self.rule.setText(
                tr("Up to %1 days: no signature needed.").replace("%1", str(self.limits.signature_above_days))
            )
        allergies = self.allergies.text().replace("，", ",").split(",")
        found = P.warnings_for([line.drug for line in self.lines], allergies)
        self.warnings.setText("\n".join(warning_text(w) for w in found))

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        if watched is self.finder and event.key() in ENTER:
            self.find_resident()
            return True
        return self.typed.keys(watched, event, self.search, self.results)

    def item_inputs(self) -> list[X.ItemInput] | None:
        """The drugs as written, or None (the problem shown) when a dose is not a number."""
        bad = [line for line in self.lines if line.dose_value() is None]
        if bad:
            show_problem(
                self.error,
                tr("%1: the dose is a number above 0 (at most 3 decimal places).").replace(
                    "%1", str(bad[0].drug["name"])
                ),
            )
            return None
        return [
            X.ItemInput(line.drug["code"], line.dose.text().strip(), line.times.value(), line.route)
            for line in self.lines
        ]

    def submit(self) -> None:
        if self.resident is None:
            self.find_resident()  # saved with the next Ctrl+Enter, once the patient is shown
            return
        if self.disease.count() == 0:
            return
        items = self.item_inputs()
        if items is None:
            return
        ctx, kw = self.ctx, self.written()
        rid, disease, days = str(self.resident["id"]), str(self.disease.currentData()), self.days.value()
        self.run(lambda: X.issue(ctx.store, ctx.user, rid, disease, items, days, **kw))

    def written(self) -> dict[str, Any]:
        """What the prescription holds beside its drugs and days: the signature, assessment, allergies, day."""
        return {
            "signed": self.signed.isEnabled() and self.signed.isChecked(),
            "assessment": self.assessment.text() or None,
            "allergies": self.allergies.text() or None,
            "today": self.ctx.today,
        }


def read_change(store: Store, row: Row, today: dt.date) -> Row:
    """Off the GUI thread: what the change dialog of a prescription of the lists (``row``) starts from — the
    county's limits, the patient's facts, the prescription, its items and each item's drug in the catalog (None
    when the catalog no longer has it)."""
    conn = store.reader()
    try:
        rx_id = str(row["prescription_id"])
        rx = X.get_prescription(conn, rx_id)
        lines = X.items(conn, rx_id)
        return {
            "limits": X.limits(conn, today),
            "patient": patient_facts(conn, row, today),
            "rx": rx,
            "items": lines,
            "drugs": {i["drug_code"]: drugs.drug_by_code(conn, i["drug_code"]) for i in lines},
        }
    finally:
        conn.close()


def search_catalog(store: Store, text: str) -> list[Row]:
    """Off the GUI thread: the drugs ``text`` finds (name, pinyin initials, code), each its whole catalog row."""
    conn = store.reader()
    try:
        found = (
            drugs.drug_by_code(conn, str(h["code"])) for h in drugs.search_drugs(conn, text, limit=DRUG_HITS)
        )
        return [d for d in found if d is not None]
    finally:
        conn.close()


def patient_facts(conn: Connection, resident: Row, today: dt.date) -> Row:
    """What the issue dialog knows of a patient: who (and the disease asked for), the diseases under management
    and the last face-to-face follow-up of each by ``today`` (RULES §6: a stable patient)."""
    rid = str(resident.get("resident_id") or resident["id"])
    diseases = [r["disease"] for r in H.registrations(conn, rid) if r["management"] == "continue"]
    after = today + dt.timedelta(days=1)
    return {
        "resident": {
            "id": rid,
            "name": resident["name"],
            "id_number": resident["id_number"],
            "disease": resident.get("disease"),
        },
        "diseases": diseases,
        "last": {d: H.previous_face_to_face(conn, rid, d, after) for d in diseases},
    }


def read_issue(store: Store, resident: Row | None, today: dt.date) -> Row:
    """Off the GUI thread: what the issue dialog starts from — the county's limits of ``today`` and, for a patient
    of the lists, that patient's facts."""
    conn = store.reader()
    try:
        facts = patient_facts(conn, resident, today) if resident is not None else None
        return {"limits": X.limits(conn, today), "patient": facts}
    finally:
        conn.close()


def find_patient(store: Store, text: str, today: dt.date) -> Row:
    """Off the GUI thread: the resident ``text`` names (ID number, name, pinyin) — how many match (at most 2), and
    the facts of the one when exactly one does."""
    conn = store.reader()
    try:
        hits = C.resident_page(conn, store.clinic_id, text, limit=2)
        facts = patient_facts(conn, hits[0], today) if len(hits) == 1 else None
        return {"hits": len(hits), "patient": facts}
    finally:
        conn.close()


class ChangeDialog(IssueDialog):
    """更改…: a prescription changed (another drug, dose or length) with a reason. The patient and the disease
    are the old prescription's; its drugs, doses, days and assessment fill the fields; saving stops the old one and
    issues the new one under the same rules (clinic_app.rx_records.change), in one unit of work."""

    def __init__(self, ctx: RxContext, row: Row, prefill: Row, parent: QWidget | None = None) -> None:
        """``prefill``: ``read_change`` (read on a worker)."""
        super().__init__(ctx, row, prefill, parent)
        self.setWindowTitle(tr("Change the prescription"))
        self.ok_button.setText(tr("Change"))
        self.rx_id = str(row["prescription_id"])
        rx = prefill["rx"]
        self.finder.setEnabled(False)
        self.disease.setEnabled(False)
        self.reason = QLineEdit()
        self.reason.setObjectName("changeReason")
        self.reason.setPlaceholderText(tr("Why: dose adjusted, another drug, a new length…"))
        self.reason.textEdited.connect(lambda _t: hide_problem(self.error))
        self.form.insertRow(0, tr("Reason for the change"), self.reason)
        self.old = QLabel(
            tr("Changes the prescription of %1 (%2 days); it stops when the new one is saved.")
            .replace("%1", str(rx["issued_on"]))
            .replace("%2", str(rx["days"]))
        )
        self.old.setWordWrap(True)
        self.form.insertRow(0, self.old)
        missing = []
        for item in prefill["items"]:
            drug = prefill["drugs"].get(item["drug_code"])
            if drug is None:
                missing.append(str(item["drug_name"]))
                continue
            line = self.add_line(drug)
            line.dose.setText(plain_number(item["dose"]))
            line.times.setValue(int(item["times_per_day"]))
            line.route = str(item["route"])
        self.days.setValue(int(rx["days"]))
        self.assessment.setText(str(rx.get("assessment") or ""))
        self.allergies.setText(str(rx.get("allergies") or ""))
        self.show_rules()
        if missing:
            show_problem(
                self.error,
                tr("No longer in the drug catalog, left out: %1").replace("%1", "、".join(missing)),
            )
        self.reason.setFocus()

    def submit(self) -> None:
        items = self.item_inputs()
        if items is None:
            return
        if not self.reason.text().strip():
            show_problem(self.error, tr("Say why the prescription changes."))
            self.reason.setFocus()
            return
        ctx, rx_id, reason, days, kw = (
            self.ctx,
            self.rx_id,
            self.reason.text(),
            self.days.value(),
            self.written(),
        )
        self.run(lambda: X.change(ctx.store, ctx.user, rx_id, reason, items, days, **kw))


def warning_text(warning: P.RxWarning) -> str:
    """A warning (the doctor may go on) in the user's language, from its code and values."""
    texts = {
        "allergy": tr("%1: the patient's recorded allergy to %2"),
        "same_class": tr("%1 and %2 are of one class (%3): duplicate therapy?"),
        "special_storage": tr("%1 needs special storage (e.g. 2-8 °C)"),
    }
    text = texts.get(warning.code)
    if text is None:
        return "⚠ " + warning.message
    for mark, value in zip(("%1", "%2", "%3"), warning.values, strict=False):
        text = text.replace(mark, value)
    return "⚠ " + text


# -- signing, stopping ------------------------------------------------------------------------------------------
class SignDialog(RowDialog):
    """The patient signs a prescription over four weeks (the doctor's assessment recorded first): it becomes
    active."""

    def __init__(self, ctx: RxContext, row: Row, parent: QWidget | None = None) -> None:
        super().__init__(ctx, row, tr("The patient's signature"), tr("Record the signature"), parent)
        self.assessment = QLineEdit(str(row.get("assessment") or ""))
        self.assessment.setPlaceholderText(tr("The doctor's assessment: condition stable, adherence"))
        self.signed = QCheckBox(tr("The patient has signed the prescription"))
        self.signed.toggled.connect(lambda on: self.ok_button.setEnabled(on))
        self.ok_button.setEnabled(False)
        days = (
            tr("%1 days, issued on %2.").replace("%1", str(row["days"])).replace("%2", str(row["issued_on"]))
        )
        self.form.addRow(QLabel(days))
        self.form.addRow(tr("Assessment"), self.assessment)
        self.form.addRow("", self.signed)

    def submit(self) -> None:
        ctx, rx_id, text = self.ctx, self.rx_id, self.assessment.text()
        if self.signed.isChecked():
            self.run(lambda: X.sign(ctx.store, ctx.user, rx_id, text or None, today=ctx.today))


class StopDialog(RowDialog):
    """Stop a prescription with a reason: it dispenses nothing more."""

    def __init__(self, ctx: RxContext, row: Row, parent: QWidget | None = None) -> None:
        super().__init__(ctx, row, tr("Stop the prescription"), tr("Stop"), parent)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("Why: the condition changed, poor adherence…"))
        self.form.addRow(tr("Reason"), self.reason)

    def submit(self) -> None:
        ctx, rx_id, reason = self.ctx, self.rx_id, self.reason.text()
        self.run(lambda: X.stop(ctx.store, ctx.user, rx_id, reason, today=ctx.today))


# -- the drug history -------------------------------------------------------------------------------------------
def status_text(status: str) -> str:
    return {
        "active": tr("active"),
        "awaiting_signature": tr("awaiting the patient's signature"),
        "stopped": tr("stopped"),
        P.EXPIRED: tr("expired"),
    }.get(status, status)


def status_on_text(rx: Row, today: dt.date) -> str:
    """A prescription's status as of ``today`` in words (past its validity it is expired)."""
    return status_text(P.status_on(str(rx["status"]), str(rx["valid_until"]), today))


def packages_line(item: Row) -> str:
    return (
        tr("%1 — %2")
        .replace("%1", item_text(item))
        .replace("%2", drugs.packages_text(item["packages"], item))
    )


def live_prescriptions_text(history: list[Row], today: dt.date) -> str:
    """The prescriptions still in force (active or awaiting the signature, not past their validity) on one
    line: each one's drugs, days, status and last day; the chart shows it beside the follow-ups' drugs."""
    live = [
        rx for rx in history if P.status_on(rx["status"], rx["valid_until"], today) in P.STATUSES_ON_ISSUE
    ]
    return "；".join(
        tr("%1 (%2 days, %3, until %4)")
        .replace("%1", "、".join(str(i["drug_name"]) for i in rx["items"]))
        .replace("%2", str(rx["days"]))
        .replace("%3", status_on_text(rx, today))
        .replace("%4", str(rx.get("valid_until") or ""))
        for rx in live
    )


def history_html(name: str, history: list[Row], today: dt.date) -> str:
    from html import escape

    title = tr("Drug history of %1").replace("%1", name)
    parts = [f"<h3>{escape(title)}</h3>"]
    if not history:
        none = tr("No long-term prescriptions yet.")
        parts.append(f"<p>{escape(none)}</p>")
    for rx in history:
        head = (
            tr("%1 · %2 · %3 days · %4 · valid until %5")
            .replace("%1", str(rx["issued_on"]))
            .replace("%2", disease_text(rx["disease"]))
            .replace("%3", str(rx["days"]))
            .replace("%4", status_on_text(rx, today))
            .replace("%5", str(rx["valid_until"]))
        )
        parts.append(f"<p><b>{escape(head)}</b><br>")
        parts += ["&nbsp;&nbsp;" + escape(packages_line(i)) + "<br>" for i in rx["items"]]
        issued_on = {str(other["id"]): str(other["issued_on"]) for other in history}
        if rx.get("replaces"):
            was = issued_on.get(str(rx["replaces"]), "")
            parts.append(
                "&nbsp;&nbsp;" + escape(tr("changed from the prescription of %1").replace("%1", was)) + "<br>"
            )
        # what happened to it, in the order it happened: signed, each installment, stopped
        happened: list[tuple[str, int, str]] = []
        for e in rx["events"]:
            what = (
                tr("signed")
                if e["kind"] == "signed"
                else tr("stopped: %1").replace("%1", str(e.get("reason") or ""))
            )
            happened.append((str(e["on_date"]), 0 if e["kind"] == "signed" else 2, what))
        for d in rx["installments"]:
            what = tr("dispensed %1 days").replace("%1", str(d["days"]))
            happened.append((str(d["dispensed_on"]), 1, what))
        for day, _order, what in sorted(happened):
            parts.append(f"&nbsp;&nbsp;{escape(day)} {escape(what)}<br>")
        parts.append("</p>")
    return "".join(parts)


class HistoryDialog(QDialog):
    """A patient's long-term prescriptions, newest first: items, signature and stop events, installments (read on
    a worker)."""

    def __init__(self, ctx: RxContext, row: Row, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        store = ctx.store
        self.ctx = ctx
        self.setWindowTitle(tr("Drug history"))
        self.text = QTextBrowser()
        self.text.setText(tr("Reading…"))
        self.loaded = False
        self.printing: Op | None = None
        self.chosen = QComboBox()  # the prescription to print, newest first
        self.chosen.setToolTip(tr("The prescription to print"))
        self.chosen.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chosen.setMinimumContentsLength(28)  # a date, the disease, the days and the status
        self.paper = QComboBox()
        for paper in PAPERS:
            self.paper.addItem(paper, paper)
        self.print_button = QPushButton(tr("Print prescription…"))
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda: self.print_chosen())
        close = QPushButton(tr("Close"))
        close.clicked.connect(lambda: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        under = QHBoxLayout()
        under.addWidget(self.chosen, 1)
        under.addWidget(self.paper)
        under.addWidget(self.print_button)
        under.addSpacing(24)
        under.addWidget(close)
        layout.addLayout(under)
        self.resize(640, 480)
        name, resident_id = str(row["name"]), str(row["resident_id"])

        def work() -> list[Row]:
            conn = store.reader()
            try:
                return X.drug_history(conn, resident_id)
            finally:
                conn.close()

        ctx.writer.work(work, lambda history: self.show_history(name, history), parent=self)

    def show_history(self, name: str, history: list[Row]) -> None:
        self.text.setHtml(history_html(name, history, self.ctx.today))
        self.chosen.clear()
        for rx in history:
            self.chosen.addItem(
                tr("%1 · %2 · %3 days · %4")
                .replace("%1", str(rx["issued_on"]))
                .replace("%2", disease_text(rx["disease"]))
                .replace("%3", str(rx["days"]))
                .replace("%4", status_on_text(rx, self.ctx.today)),
                rx["id"],
            )
        self.print_button.setEnabled(bool(history))
        self.loaded = True

    def print_chosen(self) -> Op | None:
        """The print preview of the prescription chosen (read and laid out on a worker; one at a time)."""
        rx_id = self.chosen.currentData()
        if not rx_id or (self.printing is not None and self.printing.running):
            return None
        ctx, paper = self.ctx, str(self.paper.currentData())
        self.printing = preview_prescription(ctx.store, ctx.writer, str(rx_id), ctx.today, self, paper)
        return self.printing
