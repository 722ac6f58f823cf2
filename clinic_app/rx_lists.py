"""What the 长处方 page reads beside clinic_app.rx_records: the prescriptions awaiting the patient's signature, the
earlier sales of a scanned box (to say why it is refused before the installment is saved) and the catalog facts
of a prescription's drugs. Reads only; every write is rx_records'."""

from __future__ import annotations

from typing import Any

from clinic_app.db import Connection
from clinic_app.rx_records import STATUS_SQL, product_known

__all__ = ["awaiting_signature", "earlier_sales", "item_drugs", "product_known"]  # product_known: rx_records'

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
    """A prescription's items with the catalog's trace product id of each drug (None when unknown)."""
    sql = """
        SELECT i.*, d.trace_product_id FROM prescription_item i
        LEFT JOIN drug d ON d.code = i.drug_code AND d.deleted_at IS NULL
        WHERE i.prescription_id = ? ORDER BY i.line"""
    return [dict(r) for r in conn.execute(sql, (rx_id,))]
