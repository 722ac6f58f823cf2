"""Outpatient visits and their settlement (issue 14 points 1-3): a visit is an append-only event — resident, date,
doctor, medical type (11 ordinary, 14 chronic outpatient), ICD-10 diagnoses, lines (services of the county's price
list, drugs of the catalog) and the settlement computed on save by clinic_app.settlement, stored with it. A
reversal (冲正) is a ``visit_cancel`` event naming the visit and the reason; a cancelled visit counts nowhere.

The year's use a settlement starts from is the fund's payments and the deductible met by the patient's live
visits of the same calendar year and pool (type 14: the same disease) recorded on this device before it — in the
order they were recorded, as the county recomputes the year in commit order. A device knows only its own clinic's
visits, so every settlement made here is provisional until the county confirms it against every clinic's."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_app import chronic as K
from clinic_app.boxes import LIVE, box_sold
from clinic_app.chronic_records import registration
from clinic_app.contracts import has_table
from clinic_app.db import Connection
from clinic_app.digits import parse_date, whole_number
from clinic_app.drugs import drug_by_code
from clinic_app.errors import ValidationError
from clinic_app.files import require_folder, write_private, write_problem
from clinic_app.money import yuan
from clinic_app.prices import service_price
from clinic_app.settlement import (
    CHRONIC,
    MED_TYPES,
    ORDINARY,
    Line,
    Settlement,
    Terms,
    YearUse,
    cap_used_before,
    settle,
    terms,
)

if TYPE_CHECKING:
    from clinic_app.store import Store
    from clinic_app.users import User

MAX_REASON = 500
MAX_DIAGNOSES = 10
CHRONIC_CODES = {"hypertension": K.HYPERTENSION_CODES, "diabetes": K.DIABETES_CODES}


@dataclass(frozen=True)
class VisitLine:
    kind: str  # service or drug
    code: str
    name: str
    unit_price_fen: int
    quantity: int
    insurance_category: str
    trace_code: str | None = None  # drug_trac_codg
    split_pack: bool = False  # trdn_flag

    @property
    def line(self) -> Line:
        return Line(self.code, self.unit_price_fen, self.quantity, self.insurance_category)


@dataclass(frozen=True)
class VisitInput:
    resident_id: str
    visit_date: Any  # a date or its ISO text; None: today
    med_type: str
    diagnoses: Sequence[str]
    disease: str | None = None  # type 14: hypertension or diabetes
    services: Sequence[tuple[str, Any]] = ()  # (code, quantity)
    items: Sequence[tuple[str, Any]] = ()  # (drug code, quantity)
    # the trace codes of boxes sold on the drug lines of ``items`` (RULES §7): (drug code, trace code)
    boxes: Sequence[tuple[str, str]] = ()
    # a dispensing installment this visit pays for: its boxes become drug lines with their trace codes
    dispensing_id: str | None = None


@dataclass(frozen=True)
class Planned:
    """A visit checked and settled, not yet saved: what the doctor sees before confirming."""

    resident: dict[str, Any]
    visit_date: dt.date
    med_type: str
    disease: str | None
    diagnoses: list[str]
    lines: list[VisitLine]
    terms: Terms
    used: YearUse
    settlement: Settlement


@dataclass(frozen=True)
class VisitResult:
    id: str
    total_fen: int
    in_scheme_fen: int
    deductible_fen: int
    fund_fen: int
    patient_fen: int
    cap_left_fen: int
    capped: bool
    provisional: bool
    med_type: str
    disease: str | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    visit_date: str = ""  # ISO

    @property
    def cap_used_before(self) -> bool:
        return cap_used_before(self.capped, self.fund_fen)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the lines ---------------------------------------------------------------------------------------------
def quantity(field_name: str, value: Any) -> int:
    try:
        n = whole_number(field_name, str(value))
    except ValidationError:
        raise ValidationError(field_name, "quantity", f"{value!r}: the quantity is a whole number") from None
    if not 1 <= n <= 100_000:
        raise ValidationError(field_name, "quantity", f"{n}: the quantity is 1-100000")
    return n


def code_and_quantity(field_name: str, text: str) -> tuple[str, int]:
    """``CODE,QTY`` as typed (a full-width comma too); the quantity 1 when left out."""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) > 2 or not parts[0]:
        raise ValidationError(field_name, "format", f"{text!r}: write CODE,QUANTITY")
    return parts[0].upper(), quantity(field_name, parts[1] if len(parts) == 2 else "1")


def trace_box(text: str, drugs: Sequence[str]) -> tuple[str, str]:
    """``DRUG_CODE,TRACE_CODE`` as typed (a full-width comma too), or the trace code alone when the visit sells
    one drug: the box of a drug line (``VisitInput.boxes``)."""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) == 2 and all(parts):
        return parts[0].upper(), parts[1]
    if len(parts) == 1 and parts[0] and len({d.upper() for d in drugs}) == 1:
        return drugs[0].upper(), parts[0]
    raise ValidationError(
        "trace_code", "format", f"{text!r}: write DRUG_CODE,TRACE_CODE (the code alone when one drug is sold)"
    )


def service_line(conn: Connection, code: str, qty: Any) -> VisitLine:
    row = service_price(conn, code)
    return VisitLine(
        "service",
        row["code"],
        row["name"],
        row["price_fen"],
        quantity("service", qty),
        row["insurance_category"],
    )


def drug_line(conn: Connection, code: str, qty: Any) -> VisitLine:
    """A drug of the county's catalog as a line: the one place a visit reads the catalog's price and category."""
    code = code.strip().upper()
    if not has_table(conn, "drug"):
        raise ValidationError("item", "catalog", "this device has no drug catalog with prices yet")
    row = drug_by_code(conn, code)
    if row is None:
        raise ValidationError("item", "unknown", f"{code}: no such drug in the drug catalog")
    if row["price_fen"] is None or row["insurance_category"] is None:
        raise ValidationError(
            "item", "price", f"{code}: the catalog has no price or insurance category for it"
        )
    return VisitLine(
        "drug", row["code"], row["name"], row["price_fen"], quantity("item", qty), row["insurance_category"]
    )


def drug_lines(
    conn: Connection, items: Sequence[tuple[str, Any]], boxes: Sequence[tuple[str, str]]
) -> list[VisitLine]:
    """The drug lines of a visit sold at the desk (trial F1), a line a box scanned with its trace code
    (``drug_trac_codg``) and one for the boxes without: each code checked as at dispensing (RULES §7: a trace code's
    characters and length, the product of a verified code, one box one sale against every dispensing and live
    visit), never more codes than boxes of the drug."""
    from clinic_app import prescriptions as P
    from clinic_app.rx_records import product_known

    scanned: dict[str, list[P.TraceCode]] = {}
    seen: set[str] = set()
    for drug, text in boxes:
        trace = P.read_trace_code(text)
        if trace.code in seen:
            raise ValidationError(
                "trace_code", "duplicate_code", f"{trace.code}: scanned twice", {"code": trace.code}
            )
        seen.add(trace.code)
        scanned.setdefault(drug.strip().upper(), []).append(trace)
    lines: list[VisitLine] = []
    for code, qty in items:
        line = drug_line(conn, code, qty)
        traces = scanned.pop(line.code, [])
        if len(traces) > line.quantity:
            _too_many_codes(line.code, len(traces), line.quantity)
        product = (drug_by_code(conn, line.code) or {}).get("trace_product_id")
        for trace in traces:
            known = (
                {trace.product_id} if trace.product_id and product_known(conn, trace.product_id) else set()
            )
            P.check_product(trace, known, {product: line.code} if product else {})
            if box_sold(conn, trace.code):
                raise ValidationError(
                    "trace_code",
                    "duplicate_code",
                    f"{trace.code}: sold before (one box, one sale)",
                    {"code": trace.code},
                )
            lines.append(replace(line, quantity=1, trace_code=trace.code))
        if line.quantity > len(traces):
            lines.append(replace(line, quantity=line.quantity - len(traces)))
    for drug, traces in scanned.items():  # codes of a drug the visit does not sell
        _too_many_codes(drug, len(traces), 0)
    return lines


def _too_many_codes(drug: str, scanned: int, due: int) -> None:
    raise ValidationError(
        "trace_code",
        "box_count",
        f"{drug}: {scanned} trace code(s) scanned, the visit sells {due} box(es) of it (one code a box)",
        {"drug": drug, "scanned": str(scanned), "due": str(due)},
    )


def dispensing_lines(
    conn: Connection, dispensing_id: str, resident_id: str, disease: str | None
) -> list[VisitLine]:
    """The boxes of a dispensing installment as the drug lines of the visit that pays for them (issue 14 point
    1): a line a box with its trace code (``drug_trac_codg``); a split-pack box (``trdn_flag``) is charged for the
    units it gave, in whole units of its package's price, rounded half up to the fen. Refused naming the rule
    when the installment is another patient's, of another disease than a type-14 visit's, or a whole box of it
    is on a live visit already."""
    rx = conn.execute(
        "SELECT p.resident_id, p.disease FROM dispensing d JOIN prescription p ON p.id = d.prescription_id "
        "WHERE d.id = ? AND d.deleted_at IS NULL",
        (dispensing_id,),
    ).fetchone()
    if rx is None:
        raise ValidationError("dispensing", "unknown", f"no dispensing {dispensing_id} on this device")
    if rx["resident_id"] != resident_id:
        raise ValidationError(
            "dispensing", "other_patient", "the installment was dispensed to another patient"
        )
    if disease is not None and rx["disease"] != disease:
        raise ValidationError(
            "dispensing",
            "other_disease",
            f"the installment is of a {rx['disease']} prescription, not {disease}",
        )
    given = conn.execute("SELECT quantities FROM dispensing WHERE id = ?", (dispensing_id,)).fetchone()
    items = json.loads(given[0] or "[]")  # [{item, drug_code, packages, …}] in the prescription's order
    boxes = conn.execute(
        "SELECT code, split_pack, units, package_size, prescription_item_id FROM dispensing_code "
        "WHERE dispensing_id = ? AND deleted_at IS NULL ORDER BY created_at, code",
        (dispensing_id,),
    ).fetchall()
    # each box to its drug: by the product its code names, else (a product the catalog does not know) to the
    # first drug still short of its packages
    codes: dict[str, list[Any]] = {str(i["item"]): [] for i in items}
    loose = [b for b in boxes if b["prescription_item_id"] not in codes]
    for box in boxes:
        if box["prescription_item_id"] in codes:
            codes[box["prescription_item_id"]].append(box)
    for i in items:
        mine = codes[str(i["item"])]
        while loose and len(mine) < int(i["packages"]):
            mine.append(loose.pop(0))
    if (paid := paying_visit(conn, dispensing_id)) is not None:
        raise ValidationError("dispensing", "paid", f"visit {paid} already pays for this installment")
    lines: list[VisitLine] = []
    for i in items:
        whole = drug_line(conn, str(i["drug_code"]), 1)
        mine = codes[str(i["item"])]
        for box in mine:
            price = whole.unit_price_fen
            if box["split_pack"] and box["package_size"]:
                share = Decimal(box["units"]) / Decimal(box["package_size"])
                price = int((Decimal(price) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            lines.append(
                replace(
                    whole, unit_price_fen=price, trace_code=box["code"], split_pack=bool(box["split_pack"])
                )
            )
        if int(i["packages"]) > len(mine):  # boxes handed out without a code scanned
            lines.append(replace(whole, quantity=int(i["packages"]) - len(mine)))
    return lines


def paying_visit(conn: Connection, dispensing_id: str) -> str | None:
    """The live visit of the patient that pays for a dispensing installment: one holding a whole box of it (a box
    is sold once), or, since a split-pack box's code comes back on later sales, a visit of the installment's day
    holding that code as a split-pack line; None when nothing pays for it yet."""
    found = conn.execute(
        "SELECT v.id FROM dispensing d JOIN prescription p ON p.id = d.prescription_id "
        "JOIN visit v ON v.resident_id = p.resident_id AND v.deleted_at IS NULL "
        "JOIN visit_line l ON l.visit_id = v.id AND l.deleted_at IS NULL "
        "JOIN dispensing_code b ON b.dispensing_id = d.id AND b.code = l.trace_code "
        "AND b.split_pack = l.split_pack AND b.deleted_at IS NULL "
        f"WHERE d.id = ? AND (b.split_pack = 0 OR v.visit_date = d.dispensed_on) AND {LIVE.format(v='v')} "
        "LIMIT 1",
        (dispensing_id,),
    ).fetchone()
    return None if found is None else str(found[0])


def unbilled_dispensings(
    conn: Connection, day: dt.date, *, clinic_id: str | None = None, resident_id: str | None = None
) -> list[dict[str, Any]]:
    """The installments dispensed on ``day`` (of the clinic, or of one patient) that no live visit pays for
    (trial F2: dispensing charges nothing by itself), newest first: ``id``, ``resident_id``, ``name``,
    ``disease``, ``boxes`` (trace codes scanned), ``drugs`` (names) and ``amount_fen`` at the catalog's
    prices (None when the catalog no longer prices a drug of it)."""
    sql = (
        "SELECT d.id, d.created_at, p.resident_id, p.disease, r.name FROM dispensing d "
        "JOIN prescription p ON p.id = d.prescription_id JOIN resident r ON r.id = p.resident_id "
        "WHERE d.dispensed_on = ? AND d.deleted_at IS NULL"
    )
    args: list[Any] = [day.isoformat()]
    if clinic_id is not None:
        sql += " AND p.clinic_id = ?"
        args.append(clinic_id)
    if resident_id is not None:
        sql += " AND p.resident_id = ?"
        args.append(resident_id)
    found: list[dict[str, Any]] = []
    for d in conn.execute(sql + " ORDER BY d.created_at DESC, d.id", args).fetchall():
        if paying_visit(conn, str(d["id"])) is not None:
            continue
        boxes = conn.execute(
            "SELECT count(*) FROM dispensing_code WHERE dispensing_id = ? AND deleted_at IS NULL", (d["id"],)
        ).fetchone()[0]
        try:
            lines = dispensing_lines(conn, str(d["id"]), str(d["resident_id"]), None)
            amount: int | None = sum(line.line.amount_fen for line in lines)
            names = list(dict.fromkeys(line.name for line in lines))
        except ValidationError:  # the catalog lost a drug or its price: listed all the same
            amount, names = None, []
        found.append(
            {
                "id": d["id"],
                "resident_id": d["resident_id"],
                "name": d["name"],
                "disease": d["disease"],
                "boxes": int(boxes),
                "drugs": names,
                "amount_fen": amount,
            }
        )
    return found


# -- the rules of a visit ------------------------------------------------------------------------------------
def diagnoses(codes: Iterable[str]) -> list[str]:
    """ICD-10 codes in both forms (I10, I10.x00), each once, in the order given."""
    found: list[str] = []
    for text in codes:
        try:
            code = K.parse_icd(text).code
        except ValidationError as exc:
            raise ValidationError("diagnosis", exc.rule, exc.message) from None
        if code not in found:
            found.append(code)
    if not found:
        raise ValidationError("diagnosis", "required", "a visit has at least one diagnosis (ICD-10)")
    if len(found) > MAX_DIAGNOSES:
        raise ValidationError("diagnosis", "range", f"at most {MAX_DIAGNOSES} diagnoses")
    return found


def check_qualification(conn: Connection, resident: dict[str, Any], disease: str, on: dt.date) -> None:
    """Type 14 only for a patient whose chronic-outpatient qualification (门诊慢特病认定) for the disease was
    approved on or before the visit's day."""
    held = registration(conn, resident["id"], disease)
    rule = f"a chronic outpatient visit (type 14) needs an approved chronic-outpatient qualification for {disease}"
    if held is None:
        raise ValidationError("type", "qualification", f"{rule}: {resident['name']} is not registered for it")
    if held["qualification_status"] != "approved":
        raise ValidationError(
            "type", "qualification", f"{rule}: {resident['name']}'s is {held['qualification_status']}"
        )
    if held["qualification_date"] > on.isoformat():
        raise ValidationError(
            "type",
            "qualification",
            f"{rule}: {resident['name']}'s was approved on {held['qualification_date']}, after {on.isoformat()}",
        )


def year_use(conn: Connection, resident_id: str, med_type: str, disease: str | None, year: int) -> YearUse:
    """What the fund paid and the deductible met this calendar year for the pool, by the live visits held."""
    sql = (
        "SELECT coalesce(sum(v.fund_fen), 0), coalesce(sum(v.deductible_fen), 0) FROM visit v "
        "WHERE v.resident_id = ? AND v.med_type = ? AND v.visit_date >= ? AND v.visit_date <= ? "
        f"AND v.deleted_at IS NULL AND {LIVE.format(v='v')}"
    )
    args: list[Any] = [resident_id, med_type, f"{year:04d}-01-01", f"{year:04d}-12-31"]
    if med_type == CHRONIC:
        sql += " AND v.disease = ?"
        args.append(disease)
    fund, deductible = conn.execute(sql, args).fetchone()
    return YearUse(fund_fen=int(fund), deductible_fen=int(deductible))


def plan_visit(conn: Connection, data: VisitInput, today: dt.date | None = None) -> Planned:
    """The visit checked and settled as it would be saved; a refusal names the field and the rule."""
    today = today or dt.date.today()
    resident = conn.execute(
        "SELECT * FROM resident WHERE id = ? AND deleted_at IS NULL", (data.resident_id,)
    ).fetchone()
    if resident is None:
        raise ValidationError("resident", "unknown", f"no resident {data.resident_id}")
    resident = dict(resident)
    day = today if data.visit_date is None else parse_date("date", data.visit_date)
    if day > today:
        raise ValidationError("date", "future", f"{day.isoformat()} lies in the future")
    if data.med_type not in MED_TYPES:
        raise ValidationError(
            "type", "allowed", f"the medical type is 11 (ordinary) or 14 (chronic), not {data.med_type!r}"
        )
    codes = diagnoses(data.diagnoses)
    disease = data.disease
    if data.med_type == ORDINARY and disease is not None:
        raise ValidationError(
            "disease", "not_chronic", "a disease is named only for a chronic outpatient visit (type 14)"
        )
    if data.med_type == CHRONIC:
        if disease not in K.DISEASES:
            raise ValidationError(
                "disease", "required", "a chronic outpatient visit (type 14) names hypertension or diabetes"
            )
        check_qualification(conn, resident, disease, day)
        if not any(c.split(".")[0] in CHRONIC_CODES[disease] for c in codes):
            raise ValidationError(
                "diagnosis",
                "chronic_diagnosis",
                f"a type 14 visit for {disease} has a diagnosis of it ({', '.join(CHRONIC_CODES[disease])})",
            )
    lines = [service_line(conn, code, qty) for code, qty in data.services]
    lines += drug_lines(conn, data.items, data.boxes)
    if data.dispensing_id is not None:
        lines += dispensing_lines(conn, data.dispensing_id, resident["id"], disease)
    if not lines:
        raise ValidationError("lines", "required", "a visit needs at least one service or drug")
    t = terms(conn, data.med_type, disease, day)
    used = year_use(conn, resident["id"], data.med_type, disease, day.year)
    result = settle([line.line for line in lines], t, used)
    return Planned(resident, day, data.med_type, disease, codes, lines, t, used, result)


def add_visit(store: Store, actor: User, data: VisitInput, today: dt.date | None = None) -> VisitResult:
    """Save a visit with its lines and settlement (provisional: the county confirms it), one unit of work."""
    p = plan_visit(store.conn, data, today)
    s = p.settlement
    with store.unit(actor.id, "visit.add") as uow:
        visit_id = uow.insert(
            "visit",
            {
                "resident_id": p.resident["id"],
                "visit_date": p.visit_date.isoformat(),
                "doctor_id": actor.id,
                "med_type": p.med_type,
                "disease": p.disease,
                "diagnoses": json.dumps(p.diagnoses),
                "total_fen": s.total_fen,
                "in_scheme_fen": s.in_scheme_fen,
                "deductible_fen": s.deductible_fen,
                "fund_fen": s.fund_fen,
                "patient_fen": s.patient_fen,
                "cap_left_fen": s.cap_left_fen,
                "capped": int(s.capped),
                "ratio_pct": str(p.terms.ratio_pct),
                "annual_cap_fen": p.terms.annual_cap_fen,
                "used_fund_fen": p.used.fund_fen,
                "used_deductible_fen": p.used.deductible_fen,
                "provisional": 1,
            },
        )
        for n, line in enumerate(p.lines, start=1):
            uow.insert("visit_line", {"visit_id": visit_id, "line_no": n, **_line_row(line)})
        uow.summary = (
            f"visit {p.visit_date.isoformat()} ({p.resident['name']}, type {p.med_type}): "
            f"total {yuan(s.total_fen)}, fund {yuan(s.fund_fen)}, patient {yuan(s.patient_fen)}"
        )
    return VisitResult(
        visit_id,
        s.total_fen,
        s.in_scheme_fen,
        s.deductible_fen,
        s.fund_fen,
        s.patient_fen,
        s.cap_left_fen,
        s.capped,
        True,
        p.med_type,
        p.disease,
        [_line_row(line) for line in p.lines],
        p.visit_date.isoformat(),
    )


def _line_row(line: VisitLine) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "code": line.code,
        "name": line.name,
        "unit_price_fen": line.unit_price_fen,
        "quantity": line.quantity,
        "amount_fen": line.line.amount_fen,
        "insurance_category": line.insurance_category,
        "trace_code": line.trace_code,
        "split_pack": int(line.split_pack),
    }


def get_visit(conn: Connection, visit_id: str) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM visit WHERE id = ? AND deleted_at IS NULL", (visit_id,)).fetchone()
    if row is None:
        raise ValidationError("visit", "unknown", f"no visit {visit_id} on this device")
    return dict(row)


def cancellation(conn: Connection, visit_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT * FROM visit_cancel WHERE visit_id = ? AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
        (visit_id,),
    ).fetchone()
    return None if row is None else dict(row)


def cancel_visit(store: Store, actor: User, visit_id: str, reason: str, today: dt.date | None = None) -> str:
    """The reversal (冲正) of a visit: a new event with the reason; the visit stays as it was saved."""
    visit = get_visit(store.conn, visit_id)
    if (held := cancellation(store.conn, visit_id)) is not None:
        raise ValidationError(
            "visit",
            "cancelled",
            f"the visit was cancelled already on {held['cancelled_on']}: {held['reason']}",
        )
    text = (reason or "").strip()
    if not text:
        raise ValidationError("reason", "required", "say why the visit is cancelled")
    if len(text) > MAX_REASON:
        raise ValidationError("reason", "too_long", f"at most {MAX_REASON} characters")
    on = (today or dt.date.today()).isoformat()
    with store.unit(actor.id, "visit.cancel") as uow:
        cancel_id = uow.insert("visit_cancel", {"visit_id": visit["id"], "cancelled_on": on, "reason": text})
        uow.summary = f"visit {visit['visit_date']} cancelled ({yuan(visit['total_fen'])}): {text}"
    return cancel_id


# -- the insurance export (the day's end itself: clinic_app.day_end) ----------------------------------------
CATEGORY_LEVEL = {"A": "01", "B": "02", "C": "03"}  # 甲 乙 丙, as the platform's chrgitm_lv


def export_rows(conn: Connection, clinic_id: str, day: dt.date) -> list[dict[str, Any]]:
    """The day's live visits in the insurance platform's field names (RULES §10: med_type, dise_codg,
    drug_trac_codg, trdn_flag; the fee details' names seen in public client code, not verified against the
    specification). Amounts in yuan with two decimals, as the platform writes them."""
    visits = conn.execute(
        "SELECT v.*, r.id_number, r.document_number, r.name FROM visit v JOIN resident r ON r.id = v.resident_id "
        f"WHERE v.clinic_id = ? AND v.visit_date = ? AND v.deleted_at IS NULL AND {LIVE.format(v='v')} "
        "ORDER BY v.created_at, v.id",
        (clinic_id, day.isoformat()),
    ).fetchall()
    found: list[dict[str, Any]] = []
    for v in visits:
        long_rx = _long_rx_fields(conn, v["resident_id"])
        codes = json.loads(v["diagnoses"])
        chronic = [c for c in codes if v["disease"] and c.split(".")[0] in CHRONIC_CODES[v["disease"]]]
        lines = conn.execute(
            "SELECT * FROM visit_line WHERE visit_id = ? AND deleted_at IS NULL ORDER BY line_no", (v["id"],)
        ).fetchall()
        found.append(
            {
                "mdtrt_id": v["id"],
                "certno": v["id_number"] or v["document_number"],
                "psn_name": v["name"],
                "begndate": v["visit_date"],
                "med_type": v["med_type"],
                "dise_codg": (chronic or codes)[0],
                "diag_list": codes,
                "medfee_sumamt": yuan(v["total_fen"], grouped=False),
                "fund_pay_sumamt": yuan(v["fund_fen"], grouped=False),
                "psn_cash_pay": yuan(v["patient_fen"], grouped=False),
                "provisional": bool(v["provisional"]),
                "feedetail": [
                    {
                        "feedetl_sn": line["line_no"],
                        "list_type": line["kind"],
                        "med_list_codg": line["code"],
                        "name": line["name"],
                        "pric": yuan(line["unit_price_fen"], grouped=False),
                        "cnt": line["quantity"],
                        "det_item_fee_sumamt": yuan(line["amount_fen"], grouped=False),
                        "chrgitm_lv": CATEGORY_LEVEL[line["insurance_category"]],
                        "drug_trac_codg": line["trace_code"],
                        "trdn_flag": "1" if line["split_pack"] else "0",
                        **long_rx(line["trace_code"]),
                    }
                    for line in lines
                ],
            }
        )
    return found


def _long_rx_fields(conn: Connection, resident_id: str) -> Any:
    """For a fee line, the long-term prescription fields of RULES §10 when its box was dispensed from one of the
    patient's long-term prescriptions: ``long_rx_flag``, ``vali_days`` (the prescription's validity), ``max_rept_cnt``
    (the installments it takes at this installment's size), ``reptd_cnt`` (the installments dispensed up to this
    one), ``min_inrv_days`` (the days before the next may come: this installment's days less the county's early
    days); ``long_rx_flag`` 0 otherwise."""
    from clinic_app.rx_records import limits

    def fields(code: str | None) -> dict[str, Any]:
        given = (
            conn.execute(
                "SELECT d.id, d.prescription_id, d.dispensed_on, d.days, p.issued_on, p.valid_until, "
                "p.days AS rx_days FROM dispensing_code c JOIN dispensing d ON d.id = c.dispensing_id "
                "JOIN prescription p ON p.id = d.prescription_id WHERE c.code = ? AND p.resident_id = ? "
                "AND c.deleted_at IS NULL AND d.deleted_at IS NULL ORDER BY d.dispensed_on DESC LIMIT 1",
                (code, resident_id),
            ).fetchone()
            if code
            else None
        )
        if given is None:
            return {"long_rx_flag": "0"}
        done = conn.execute(
            "SELECT count(*) FROM dispensing WHERE prescription_id = ? AND deleted_at IS NULL AND "
            "(dispensed_on < ? OR (dispensed_on = ? AND id <= ?))",
            (given["prescription_id"], given["dispensed_on"], given["dispensed_on"], given["id"]),
        ).fetchone()[0]
        early_days = limits(conn, dt.date.fromisoformat(given["dispensed_on"])).refill_early_days
        issued = dt.date.fromisoformat(given["issued_on"])
        days = int(given["days"])
        return {
            "long_rx_flag": "1",
            "vali_days": (dt.date.fromisoformat(given["valid_until"]) - issued).days,
            "max_rept_cnt": -(-int(given["rx_days"]) // days),
            "reptd_cnt": int(done),
            "min_inrv_days": max(days - early_days, 0),
        }

    return fields


def export_day(conn: Connection, clinic_id: str, day: dt.date, folder: Path) -> Path:
    """One file for the day (visits-YYYY-MM-DD.json) in ``folder``, for the county's upload tool: written to
    the disk, never sent anywhere; written under a temporary name then renamed (no half file)."""
    target = Path(folder) / f"visits-{day.isoformat()}.json"
    require_folder(target, "export")
    if (problem := write_problem(target)) is not None:
        raise ValidationError(
            "export",
            "folder_not_writable",
            f"no file can be written in {target.parent} ({problem}); nothing written",
            {"folder": str(target.parent), "problem": problem},
        )
    document = {"date": day.isoformat(), "visits": export_rows(conn, clinic_id, day)}
    write_private(target, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    return target
