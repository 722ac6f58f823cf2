"""Long-term prescription records (issue 13 points 2, 3 and 5): issuing, signing, stopping, dispensing in
installments with the trace code of every box, and the refill worklist. Each change is one unit of work (rows,
outbox, audit); the rules are clinic_app.prescriptions'.

Every table is append-only: a prescription and its items are written once; signing and stopping are events; an
installment is a dispensing row and its boxes' codes. Two devices of a clinic therefore never edit one row. The
status is read from the events (``STATUS_SQL``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from clinic_app import chronic_records as H
from clinic_app import drugs, rx_supply
from clinic_app import prescriptions as P
from clinic_app.boxes import box_history
from clinic_app.contracts import policy_value
from clinic_app.db import Connection
from clinic_app.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from clinic_app.store import Store
    from clinic_app.users import User

MAX_TIMES_PER_DAY = 6
STATUS_SQL = rx_supply.STATUS_SQL


@dataclass(frozen=True)
class ItemInput:
    code: str  # the insurance drug code in the catalog
    dose: Any  # per time, in the catalog's unit
    times_per_day: Any
    route: str | None = None  # None: from the catalog drug's form (prescriptions.default_route)


def limits(conn: Connection, on: dt.date) -> P.Limits:
    return P.Limits.from_policy({key: policy_value(conn, key, on) for key in P.POLICY_DEFAULTS})


def _note(field: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > H.MAX_NOTE:
        raise ValidationError(field, "too_long", f"at most {H.MAX_NOTE} characters")
    return text or None


def _day(field: str, value: Any, today: dt.date) -> dt.date:
    day = H.parse_date(field, value) if value else today
    if day > today:
        raise ValidationError(field, "future", f"{day.isoformat()} lies in the future")
    return day


def get_prescription(conn: Connection, rx_id: str) -> dict[str, Any]:
    row = conn.execute(
        f"SELECT p.*, {STATUS_SQL.format(p='p')} AS status FROM prescription p WHERE p.id = ? AND p.deleted_at IS NULL",
        (rx_id,),
    ).fetchone()
    if row:
        return dict(row)
    raise NotFound(f"prescription {rx_id} does not exist")


def _rows(conn: Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, args)]


def items(conn: Connection, rx_id: str) -> list[dict[str, Any]]:
    """A prescription's items, each with its drug's ``package_unit`` (None when the catalog does not say)."""
    return _rows(
        conn,
        "SELECT i.*, d.package_unit FROM prescription_item i "
        "LEFT JOIN drug d ON d.code = i.drug_code AND d.deleted_at IS NULL "
        "WHERE i.prescription_id = ? ORDER BY i.line",
        rx_id,
    )


def installments(conn: Connection, rx_id: str) -> list[dict[str, Any]]:
    sql = "SELECT * FROM dispensing WHERE prescription_id = ? AND deleted_at IS NULL ORDER BY dispensed_on, created_at"
    return _rows(conn, sql, rx_id)


# -- issuing ------------------------------------------------------------------------------------------------------
def issue(
    store: Store,
    actor: User,
    resident_id: str,
    disease: str,
    lines: Sequence[ItemInput],
    days: Any,
    *,
    signed: bool = False,
    assessment: str | None = None,
    allergies: str | None = None,
    on: Any = None,
    replaces: str | None = None,
    change_reason: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Issue a long-term prescription for a registered chronic patient (RULES §6): refused naming the rule, or
    written with its status (``active`` or ``awaiting_signature``), the packages of each item and the warnings.
    ``replaces``: the prescription this one changes (``change``), stopped with ``change_reason`` at once."""
    from clinic_app.residents import get_resident

    conn = store.conn
    today = today or dt.date.today()
    day = _day("date", on, today)
    resident = get_resident(conn, resident_id)
    rules = limits(conn, day)
    P.check_issue_day(day, today, limits(conn, today))
    count = P.whole_in("days", days, 0, 100_000)
    status = P.status_on_issue(count, signed, _note("assessment", assessment), rules)
    if signed and status == "awaiting_signature":  # signed, over 4 weeks, no assessment (trial F21)
        raise ValidationError(
            "assessment",
            "assessment_required",
            f"over {rules.signature_above_days} days a signed prescription needs the doctor's assessment",
        )
    registration = H.registration(conn, resident_id, disease)
    if registration is None or registration["management"] != "continue":
        raise ValidationError(
            "disease", "not_registered", f"{resident['name']} is not under management for {disease}"
        )
    P.check_stable(disease, H.previous_face_to_face(conn, resident_id, disease, today + dt.timedelta(days=1)))
    first = (
        conn.execute(
            "SELECT 1 FROM prescription WHERE resident_id = ? AND disease = ? AND deleted_at IS NULL LIMIT 1",
            (resident_id, disease),
        ).fetchone()
        is None
    )
    P.check_issuing_rights(actor.role, first, rules)
    P.check_not_in_force(disease, in_force(conn, resident_id, disease, day, but=replaces))
    if not lines:
        raise ValidationError("item", "required", "a prescription has at least one drug")
    rows: list[dict[str, Any]] = []
    catalog: list[dict[str, Any]] = []
    for n, line in enumerate(lines, start=1):
        field = f"item {n}"
        drug = drugs.drug_by_code(conn, line.code)
        if drug is None:
            raise ValidationError(field, "unknown_drug", f"{line.code!r} is not in the drug catalog")
        if any(d["code"] == drug["code"] for d in catalog):
            raise ValidationError(field, "duplicate", f"{drug['name']} is on the prescription twice")
        P.check_drug(drug, rules, field)
        dose = P.dose_value(f"{field} dose", line.dose)
        times = P.whole_in(f"{field} times_per_day", line.times_per_day, 1, MAX_TIMES_PER_DAY)
        route = P.route_of(field, line.route, drug)
        catalog.append(drug)
        rows.append(
            {
                "line": n,
                "drug_code": drug["code"],
                "drug_name": drug["name"],
                "spec": drug["spec"],
                "unit": drug["unit"],
                "dose": str(dose),
                "times_per_day": times,
                "route": route,
                "package_size": drug["package_size"],
                "packages": P.packages_for(dose, times, count, drug["package_size"]),
            }
        )
    allergy_text = _note("allergies", allergies) or _last_allergies(conn, resident_id)
    warnings = P.warnings_for(catalog, (allergy_text or "").replace("，", ",").split(","))
    values = {
        "resident_id": resident_id,
        "disease": disease,
        "issued_on": day.isoformat(),
        "days": count,
        "status_on_issue": status,
        "signed": int(signed),
        "assessment": _note("assessment", assessment),
        "first_issue": int(first),
        "valid_until": P.valid_until(day, count, rules).isoformat(),
        "allergies": allergy_text,
        "warnings": json.dumps([w.message for w in warnings], ensure_ascii=False),
        "replaces": replaces,
    }
    with store.unit(actor.id, "rx.change" if replaces else "rx.issue") as uow:
        rx_id = uow.insert("prescription", values)
        for row in rows:
            uow.insert("prescription_item", {"prescription_id": rx_id, **row})
        if replaces is not None:  # a change: the old one stops in the same unit of work
            stopped = {"prescription_id": replaces, "kind": "stopped", "on_date": day.isoformat()}
            uow.insert("prescription_event", {**stopped, "reason": change_reason})
        uow.summary = f"{resident['name']}: long-term prescription, {count} days ({status})"
    return {
        "id": rx_id,
        "status": status,
        "days": count,
        "valid_until": values["valid_until"],
        "items": [
            {k: r[k] for k in ("drug_code", "drug_name", "dose", "times_per_day", "route", "packages")}
            for r in rows
        ],
        "warnings": [{"code": w.code, "message": w.message, "values": list(w.values)} for w in warnings],
    }


def in_force(
    conn: Connection, resident_id: str, disease: str, day: dt.date, *, but: str | None = None
) -> dict[str, Any] | None:
    """The patient's prescription for the disease in force on ``day`` (active or awaiting the signature, not past
    its validity, days left to dispense), the newest; ``but``: one to leave out (the prescription a change
    replaces). One wholly dispensed is not in force: its renewal is a new prescription."""
    row = conn.execute(
        f"SELECT p.id, p.issued_on FROM prescription p WHERE p.resident_id = ? AND p.disease = ? "
        f"AND p.deleted_at IS NULL AND p.valid_until >= ? AND p.id IS NOT ? "
        f"AND {STATUS_SQL.format(p='p')} IN ('active', 'awaiting_signature') "
        "AND p.days > (SELECT coalesce(sum(d.days), 0) FROM dispensing d WHERE d.prescription_id = p.id "
        "AND d.deleted_at IS NULL) "
        "ORDER BY p.issued_on DESC, p.created_at DESC LIMIT 1",
        (resident_id, disease, day.isoformat(), but),
    ).fetchone()
    return None if row is None else dict(row)


def _last_allergies(conn: Connection, resident_id: str) -> str | None:
    row = conn.execute(
        "SELECT allergies FROM prescription WHERE resident_id = ? AND allergies IS NOT NULL "
        "ORDER BY issued_on DESC, created_at DESC LIMIT 1",
        (resident_id,),
    ).fetchone()
    return None if row is None else str(row[0])


def _event(store: Store, actor: User, rx_id: str, kind: str, on: Any, today: dt.date, **fields: str) -> None:
    with store.unit(actor.id, f"rx.{kind}") as uow:
        uow.insert(
            "prescription_event",
            {
                "prescription_id": rx_id,
                "kind": kind,
                "on_date": _day("date", on, today).isoformat(),
                **fields,
            },
        )


def sign(
    store: Store, actor: User, rx_id: str, assessment: str | None = None, *, on: Any = None, today: Any = None
) -> dict[str, Any]:
    """The patient's signature (and the doctor's assessment, when not recorded at issue) on a prescription over
    four weeks: it becomes active."""
    today = today or dt.date.today()
    rx = get_prescription(store.conn, rx_id)
    if rx["status"] != "awaiting_signature":
        raise ValidationError("prescription", "not_awaiting", f"the prescription is {rx['status']}")
    text = _note("assessment", assessment) or rx["assessment"]
    if not text:
        over = limits(store.conn, today).signature_above_days
        raise ValidationError(
            "assessment", "assessment_required", f"over {over} days the doctor records an assessment first"
        )
    _event(store, actor, rx_id, "signed", on, today, assessment=text)
    return {"id": rx_id, "status": "active"}


def stop(
    store: Store, actor: User, rx_id: str, reason: str, *, on: Any = None, today: Any = None
) -> dict[str, Any]:
    """Stop a prescription with a reason (the condition changed, poor adherence): it dispenses nothing more."""
    today = today or dt.date.today()
    if get_prescription(store.conn, rx_id)["status"] == "stopped":
        raise ValidationError("prescription", "stopped", "the prescription is stopped already")
    text = _note("reason", reason)
    if text is None:
        raise ValidationError("reason", "required", "say why the prescription stops")
    _event(store, actor, rx_id, "stopped", on, today, reason=text)
    return {"id": rx_id, "status": "stopped"}


def change(
    store: Store, actor: User, rx_id: str, reason: str, lines: Sequence[ItemInput], days: Any, **kw: Any
) -> dict[str, Any]:
    """Change a prescription (another drug, dose or length) with a reason: the old one stops and a new one that
    ``replaces`` it is issued under the same rules, in one unit of work (append-only: the old one is kept)."""
    old = get_prescription(store.conn, rx_id)
    if old["status"] == "stopped":
        raise ValidationError("prescription", "stopped", "the prescription is stopped already")
    text = _note("reason", reason)
    if text is None:
        raise ValidationError("reason", "required", "say why the prescription changes")
    return issue(
        store,
        actor,
        old["resident_id"],
        old["disease"],
        lines,
        days,
        replaces=rx_id,
        change_reason=text,
        **kw,
    )


# -- dispensing -----------------------------------------------------------------------------------------------------
def dispense(
    store: Store,
    actor: User,
    rx_id: str,
    days: Any,
    codes: Sequence[str],
    *,
    split_pack: bool = False,
    on: Any = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """One installment of ``days`` with the trace code of every box (RULES §6, §7): refused naming the rule when
    the prescription cannot dispense, the days are over what is left or come before the minimum interval, or a
    code was sold before (a split-pack box may be sold again until its units are used up)."""
    conn = store.conn
    today = today or dt.date.today()
    day = _day("date", on, today)
    rx = get_prescription(conn, rx_id)
    rules = limits(conn, day)
    P.check_can_dispense(
        rx["status"], dt.date.fromisoformat(rx["issued_on"]), dt.date.fromisoformat(rx["valid_until"]), day
    )
    count = P.whole_in("days", days, 1, 366)
    earlier = installments(conn, rx_id)
    last = (dt.date.fromisoformat(earlier[-1]["dispensed_on"]), int(earlier[-1]["days"])) if earlier else None
    P.check_installment(int(rx["days"]), sum(int(i["days"]) for i in earlier), count, day, last, rules)
    lines = items(conn, rx_id)
    needed = {i["id"]: P.units_needed(Decimal(i["dose"]), int(i["times_per_day"]), count) for i in lines}
    by_product: dict[str, str] = {}
    for i in lines:
        drug = drugs.drug_by_code(conn, i["drug_code"])
        if drug and drug.get("trace_product_id"):
            by_product[drug["trace_product_id"]] = i["id"]
    if not codes:
        raise ValidationError("trace_code", "required", "scan the trace code of every box")
    seen: set[str] = set()
    boxes: list[dict[str, Any]] = []
    left = dict(needed)
    for text in codes:
        trace = P.read_trace_code(text)
        if trace.code in seen:
            raise ValidationError(
                "trace_code", "duplicate_code", f"{trace.code}: scanned twice", {"code": trace.code}
            )
        seen.add(trace.code)
        known = {trace.product_id} if trace.product_id and product_known(conn, trace.product_id) else set()
        item_id = P.check_product(trace, known, by_product) or (lines[0]["id"] if len(lines) == 1 else None)
        size = next((int(i["package_size"]) for i in lines if i["id"] == item_id), None)
        sold, was_split = box_history(conn, trace.code)
        P.check_reuse(trace.code, int(sold), size or 1, split_pack, was_split)
        if split_pack and item_id is not None and size is not None:
            units = min(Decimal(size) - sold, max(left[item_id], Decimal(0)))
        else:
            units = Decimal(size or 0)
        if item_id is not None:
            left[item_id] -= units
        boxes.append(
            {
                "prescription_item_id": item_id,
                "code": trace.code,
                "verified": int(trace.verified),
                "unverified_reason": trace.reason,
                "split_pack": int(split_pack),
                "units": str(units),
                "package_size": size,
            }
        )
    quantities = [
        {
            "item": i["id"],
            "drug_code": i["drug_code"],
            "units": str(needed[i["id"]]),
            "packages": P.packages_for(
                Decimal(i["dose"]), int(i["times_per_day"]), count, int(i["package_size"])
            ),
        }
        for i in lines
    ]
    P.check_box_count(len(boxes), sum(int(q["packages"]) for q in quantities), split_pack)
    with store.unit(actor.id, "rx.dispense") as uow:
        dispensing_id = uow.insert(
            "dispensing",
            {
                "prescription_id": rx_id,
                "dispensed_on": day.isoformat(),
                "days": count,
                "split_pack": int(split_pack),
                "quantities": json.dumps(quantities, ensure_ascii=False),
            },
        )
        for box in boxes:
            uow.insert("dispensing_code", {"dispensing_id": dispensing_id, **box})
        uow.summary = f"long-term prescription: {count} days dispensed, {len(boxes)} box(es)"
    dispensed = sum(int(i["days"]) for i in earlier) + count
    return {
        "id": dispensing_id,
        "prescription_id": rx_id,
        "days": count,
        "dispensed_days": dispensed,
        "left_days": int(rx["days"]) - dispensed,
        "next_from": P.earliest_next(day, count, rules).isoformat() if dispensed < int(rx["days"]) else None,
        "quantities": quantities,
        "codes": [
            {"code": b["code"], "verified": bool(b["verified"]), "reason": b["unverified_reason"]}
            for b in boxes
        ],
    }


def product_known(conn: Connection, product_id: str) -> bool:
    """Whether the catalog names a drug with this trace product id."""
    return (
        conn.execute(
            "SELECT 1 FROM drug WHERE trace_product_id = ? AND deleted_at IS NULL LIMIT 1", (product_id,)
        ).fetchone()
        is not None
    )


# -- the refill worklist ---------------------------------------------------------------------------------------------
REFILLS_SQL = """
    SELECT s.prescription_id, s.resident_id, r.name, r.id_number, r.phone, p.disease, p.issued_on, s.days,
           s.valid_until, s.dispensed_days, s.runs_out_on, s.due_on
    FROM prescription_supply s INDEXED BY prescription_supply_valid
    JOIN resident r ON r.id = s.resident_id
    JOIN prescription p ON p.id = s.prescription_id
    WHERE s.clinic_id = ? AND s.status = 'active' AND s.due_on <= ? AND s.valid_until >= ?
      AND (s.due_on, s.prescription_id) > (?, ?)
    ORDER BY s.due_on, s.prescription_id LIMIT ?"""
PAGE = 200


def refills_page(
    conn: Connection,
    clinic_id: str,
    today: dt.date,
    days: int,
    after: tuple[str, str] = ("", ""),
    limit: int = PAGE,
) -> list[dict[str, Any]]:
    """One page of active prescriptions due within ``days``: supply running out (from the last installment's
    days), nothing dispensed yet, or expiring — the soonest first; ``after`` is the last row's (due_on, id)."""
    horizon = (today + dt.timedelta(days=days)).isoformat()
    out = []
    for r in conn.execute(REFILLS_SQL, (clinic_id, horizon, today.isoformat(), *after, limit)):
        row = dict(r)
        left = int(row["days"]) - int(row["dispensed_days"])
        reasons = []
        if left > 0 and row["runs_out_on"] <= horizon:
            if not row["dispensed_days"]:
                reasons.append("not_dispensed")
            elif row["runs_out_on"] < today.isoformat():  # the patient is without: called first
                reasons.append("ran_out")
            else:
                reasons.append("runs_out")
        if row["valid_until"] <= horizon:
            reasons.append("expiring")
        row.update(left_days=left, reasons=reasons)
        out.append(row)
    return out


def refills(conn: Connection, clinic_id: str, today: dt.date, days: int) -> list[dict[str, Any]]:
    """Every row of the refill worklist, a page at a time."""
    rows: list[dict[str, Any]] = []
    after = ("", "")
    while True:
        page = refills_page(conn, clinic_id, today, days, after)
        rows += page
        if len(page) < PAGE:
            return rows
        after = (page[-1]["due_on"], page[-1]["prescription_id"])


def drug_history(conn: Connection, resident_id: str) -> list[dict[str, Any]]:
    """A patient's long-term prescriptions, newest first, each with its items, events and installments."""
    out = []
    for r in conn.execute(
        f"SELECT p.*, {STATUS_SQL.format(p='p')} AS status FROM prescription p "
        "WHERE p.resident_id = ? AND p.deleted_at IS NULL ORDER BY p.issued_on DESC, p.created_at DESC",
        (resident_id,),
    ):
        row = dict(r)
        row["items"] = items(conn, row["id"])
        row["events"] = _rows(
            conn,
            "SELECT kind, on_date, reason, assessment FROM prescription_event WHERE prescription_id = ? "
            "ORDER BY on_date, created_at",
            row["id"],
        )
        row["installments"] = installments(conn, row["id"])
        out.append(row)
    return out
