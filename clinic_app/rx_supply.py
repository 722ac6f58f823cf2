"""The supply of each long-term prescription on this device (``prescription_supply``, a local table): its status,
the days dispensed, when the last installment runs out and the day it is next due (that or its expiry), kept by
the hooks of the prescription tables whenever their rows are written here or pulled — so that the refill worklist
is one indexed range read, a page at a time, however many years of prescriptions a clinic holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clinic_app.db import Connection

STATUS_SQL = """CASE
    WHEN EXISTS (SELECT 1 FROM prescription_event e WHERE e.prescription_id = {p}.id AND e.kind = 'stopped')
        THEN 'stopped'
    WHEN {p}.status_on_issue = 'active'
      OR EXISTS (SELECT 1 FROM prescription_event e WHERE e.prescription_id = {p}.id AND e.kind = 'signed')
        THEN 'active'
    ELSE 'awaiting_signature' END"""
_LAST = (
    "(SELECT {what} FROM dispensing d WHERE d.prescription_id = p.id AND d.deleted_at IS NULL "
    "ORDER BY d.dispensed_on DESC, d.created_at DESC LIMIT 1)"
)
_RUNS_OUT = f"coalesce(date({_LAST.format(what='d.dispensed_on')}, '+' || {_LAST.format(what='d.days')} || ' days'), p.issued_on)"
_DISPENSED = "(SELECT coalesce(sum(d.days), 0) FROM dispensing d WHERE d.prescription_id = p.id AND d.deleted_at IS NULL)"
_REFRESH = f"""
    INSERT OR REPLACE INTO prescription_supply
        (prescription_id, clinic_id, resident_id, status, days, dispensed_days, runs_out_on, valid_until, due_on)
    SELECT p.id, p.clinic_id, p.resident_id, s.status, p.days, s.dispensed, s.runs_out, p.valid_until,
           CASE WHEN s.dispensed < p.days AND s.runs_out < p.valid_until THEN s.runs_out ELSE p.valid_until END
    FROM prescription p
    JOIN (SELECT p.id AS id, {STATUS_SQL.format(p="p")} AS status, {_DISPENSED} AS dispensed,
                 {_RUNS_OUT} AS runs_out
          FROM prescription p WHERE p.id = ?) s ON s.id = p.id
    WHERE p.deleted_at IS NULL"""


def refresh(conn: Connection, prescription_ids: Iterable[str]) -> None:
    ids = sorted(set(prescription_ids))
    conn.executemany("DELETE FROM prescription_supply WHERE prescription_id = ?", [(i,) for i in ids])
    conn.executemany(_REFRESH, [(i,) for i in ids])


def index_prescriptions(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    refresh(conn, (r["id"] for r in rows))


def index_children(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """An event or an installment changes its prescription's supply."""
    refresh(conn, (r["prescription_id"] for r in rows if r.get("prescription_id")))
