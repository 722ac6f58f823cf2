"""Schema 14: the lookups of one box, one sale (clinic_app.boxes) and of the day's unbilled installments read an
index, not the whole table: a visit's drug line by its box's trace code (trial F1: visits sell boxes too), a
clinic's installments by their day (the day end's 未计费 list)."""

from __future__ import annotations

from clinic_app.db import Connection

STATEMENTS = [
    "CREATE INDEX visit_line_trace_code ON visit_line(trace_code) WHERE trace_code IS NOT NULL",
    "CREATE INDEX dispensing_day ON dispensing(dispensed_on)",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
