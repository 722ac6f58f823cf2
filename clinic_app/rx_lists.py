"""What the 长处方 page reads beside clinic_app.rx_records: the prescriptions awaiting the patient's signature, the
earlier sales of a scanned box (to say why it is refused before the installment is saved), the catalog facts
of a prescription's drugs and what its printed sheet shows. Reads only; every write is rx_records'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clinic_app import prescriptions as P
from clinic_app.chronic_records import registration
from clinic_app.clinic import clinic_name
from clinic_app.db import Connection
from clinic_app.idcard import age_on
from clinic_app.residents import get_resident
from clinic_app.rx_records import STATUS_SQL, get_prescription, installments, limits, product_known

__all__ = [
    "awaiting_signature",
    "earlier_sales",
    "item_drugs",
    "prescription_sheet",
    "product_known",
]  # product_known: rx_records'

AWAITING_SQL = f"""
    SELECT p.id AS prescription_id, p.resident_id, r.name, r.id_number, r.phone, p.disease, p.issued_on, p.days,
           p.valid_until, p.assessment, 0 AS dispensed_days
    FROM prescription p JOIN resident r ON r.id = p.resident_id
    WHERE p.clinic_id = ? AND p.deleted_at IS NULL AND p.valid_until >= ?
      AND {STATUS_SQL.format(p="p")} = 'awaiting_signature'
    ORDER BY p.issued_on, r.name, p.id"""


def awaiting_signature(conn: Connection, clinic_id: str, today: str) -> list[dict[str, Any]]:
    """Prescriptions over four weeks held until the patient signs (and not yet past their validity)."""
    return [dict(r) for r in conn.execute(AWAITING_SQL, (clinic_id, today))]


def earlier_sales(conn: Connection, code: str) -> list[dict[str, Any]]:
    """The sales of a trace code this device knows: the day, the clinic, the patient, whether split-pack."""
    sql = """
        SELECT d.dispensed_on, c.split_pack, c.units, c.package_size, k.name AS clinic, r.name AS resident
        FROM dispensing_code c
        JOIN dispensing d ON d.id = c.dispensing_id
        JOIN prescription p ON p.id = d.prescription_id
        LEFT JOIN clinic k ON k.id = c.clinic_id
        LEFT JOIN resident r ON r.id = p.resident_id
        WHERE c.code = ? AND c.deleted_at IS NULL ORDER BY d.dispensed_on"""
    return [dict(r) for r in conn.execute(sql, (code,))]


def item_drugs(conn: Connection, rx_id: str) -> list[dict[str, Any]]:
    """A prescription's items with the catalog's trace product id and package unit of each drug (None when
    unknown)."""
    sql = """
        SELECT i.*, d.trace_product_id, d.package_unit FROM prescription_item i
        LEFT JOIN drug d ON d.code = i.drug_code AND d.deleted_at IS NULL
        WHERE i.prescription_id = ? ORDER BY i.line"""
    return [dict(r) for r in conn.execute(sql, (rx_id,))]


def prescription_sheet(conn: Connection, rx_id: str) -> dict[str, Any]:
    """What the printed prescription (处方笺) shows, read in one go: the clinic, the patient (age on the day of
    issue), the diagnosis, the items with the catalog's dosage form, the doctor, the status, and the long-term
    fields of RULES §10 — validity days, the installments dispensed so far, the minimum interval (the county's
    early days before the last installment runs out) and the earliest day of the next installment."""
    rx = get_prescription(conn, rx_id)
    resident = get_resident(conn, rx["resident_id"])
    issued = dt.date.fromisoformat(rx["issued_on"])
    rules = limits(conn, issued)
    lines = [
        dict(r)
        for r in conn.execute(
            "SELECT i.*, d.form, d.package_unit FROM prescription_item i "
            "LEFT JOIN drug d ON d.code = i.drug_code AND d.deleted_at IS NULL "
            "WHERE i.prescription_id = ? ORDER BY i.line",
            (rx_id,),
        )
    ]
    doctor = conn.execute('SELECT display_name FROM "user" WHERE id = ?', (rx["created_by"],)).fetchone()
    events = [
        dict(r)
        for r in conn.execute(
            "SELECT kind, on_date, reason FROM prescription_event WHERE prescription_id = ? "
            "AND deleted_at IS NULL ORDER BY on_date, created_at",
            (rx_id,),
        )
    ]
    given = installments(conn, rx_id)
    dispensed = sum(int(d["days"]) for d in given)
    last = given[-1] if given else None
    earliest = (
        P.earliest_next(dt.date.fromisoformat(last["dispensed_on"]), int(last["days"]), rules).isoformat()
        if last is not None and dispensed < int(rx["days"])
        else None
    )
    reg = registration(conn, rx["resident_id"], rx["disease"])
    born = resident.get("birth_date")
    return {
        "id": rx_id,
        "clinic": clinic_name(conn, rx["clinic_id"]),
        "name": resident["name"],
        "sex": resident.get("sex"),
        "age": age_on(born, issued) if born else None,
        "id_number": resident.get("id_number"),
        "disease": rx["disease"],
        "icd_code": reg["icd_code"] if reg else None,
        "issued_on": rx["issued_on"],
        "days": int(rx["days"]),
        "status": rx["status"],
        "assessment": rx["assessment"],
        "allergies": rx["allergies"],
        "valid_until": rx["valid_until"],
        "validity_days": (dt.date.fromisoformat(rx["valid_until"]) - issued).days,
        "installments": len(given),
        "dispensed_days": dispensed,
        "left_days": int(rx["days"]) - dispensed,
        "early_days": rules.refill_early_days,
        "signature_above_days": rules.signature_above_days,
        "earliest_next": earliest,
        "doctor": str(doctor[0]) if doctor else "",
        "signed": bool(rx["signed"]),
        "signed_on": next((e["on_date"] for e in events if e["kind"] == "signed"), None),
        "stopped": next((e for e in events if e["kind"] == "stopped"), None),
        "replaces": rx["replaces"],
        "replaces_issued_on": _issued_on(conn, rx["replaces"]) if rx["replaces"] else None,
        "replaces_drugs": _drug_names(conn, rx["replaces"]) if rx["replaces"] else [],
        "items": lines,
    }


def _drug_names(conn: Connection, rx_id: str) -> list[str]:
    """The drugs of a prescription as a doctor knows it (its replacement names it by its day and drugs)."""
    sql = "SELECT drug_name FROM prescription_item WHERE prescription_id = ? AND deleted_at IS NULL ORDER BY line"
    return [str(r[0]) for r in conn.execute(sql, (rx_id,))]


def _issued_on(conn: Connection, rx_id: str) -> str | None:
    row = conn.execute("SELECT issued_on FROM prescription WHERE id = ?", (rx_id,)).fetchone()
    return str(row[0]) if row else None


def known_products(conn: Connection) -> frozenset[str]:
    """Every trace product id the catalog names (a scanned box of another product is refused at once, without a
    scan of the whole catalog for each box: the column has no index)."""
    rows = conn.execute(
        "SELECT trace_product_id FROM drug WHERE trace_product_id IS NOT NULL AND deleted_at IS NULL"
    )
    return frozenset(str(r[0]) for r in rows)


def dispensing_start(conn: Connection, rx_id: str) -> dict[str, Any]:
    """What the dispensing of an installment starts from: the prescription, the days dispensed so far, its items
    with their trace product ids, and the product ids the catalog knows."""
    return {
        "rx": get_prescription(conn, rx_id),
        "dispensed_days": sum(int(i["days"]) for i in installments(conn, rx_id)),
        "lines": item_drugs(conn, rx_id),
        "known_products": known_products(conn),
    }
