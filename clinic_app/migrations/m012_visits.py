"""Schema 12: outpatient visits and their settlement (issue 14) —
the county's price list of services (reference data like the drug catalog), the visit as an append-only event
with the settlement computed on save stored with it, its lines (services and drugs, events too), and the
reversal (冲正): a cancelling event naming the visit and the reason, never an edit of the visit."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m001_register import COMMON
from clinic_app.migrations.m006_contracts import REFERENCE_COMMON

STATEMENTS = [
    f"""CREATE TABLE service_price ({REFERENCE_COMMON},
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        price_fen INTEGER NOT NULL,
        insurance_category TEXT NOT NULL CHECK (insurance_category IN ('A', 'B', 'C')),
        unit TEXT)""",
    "CREATE UNIQUE INDEX service_price_code ON service_price(code)",
    f"""CREATE TABLE visit ({COMMON},
        resident_id TEXT NOT NULL REFERENCES resident(id),
        visit_date TEXT NOT NULL,
        doctor_id TEXT REFERENCES "user"(id),
        med_type TEXT NOT NULL CHECK (med_type IN ('11', '14')),
        disease TEXT CHECK (disease IN ('hypertension', 'diabetes')),
        diagnoses TEXT NOT NULL DEFAULT '[]',
        total_fen INTEGER NOT NULL,
        in_scheme_fen INTEGER NOT NULL,
        deductible_fen INTEGER NOT NULL DEFAULT 0,
        fund_fen INTEGER NOT NULL,
        patient_fen INTEGER NOT NULL,
        cap_left_fen INTEGER NOT NULL,
        capped INTEGER NOT NULL DEFAULT 0,
        ratio_pct TEXT NOT NULL,
        annual_cap_fen INTEGER NOT NULL,
        used_fund_fen INTEGER NOT NULL DEFAULT 0,
        used_deductible_fen INTEGER NOT NULL DEFAULT 0,
        provisional INTEGER NOT NULL DEFAULT 1)""",
    "CREATE INDEX visit_resident_date ON visit(resident_id, visit_date)",
    "CREATE INDEX visit_clinic_date ON visit(clinic_id, visit_date)",
    f"""CREATE TABLE visit_line ({COMMON},
        visit_id TEXT NOT NULL REFERENCES visit(id),
        line_no INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('service', 'drug')),
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        unit_price_fen INTEGER NOT NULL,
        quantity INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL,
        insurance_category TEXT NOT NULL CHECK (insurance_category IN ('A', 'B', 'C')),
        trace_code TEXT,
        split_pack INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX visit_line_visit ON visit_line(visit_id)",
    f"""CREATE TABLE visit_cancel ({COMMON},
        visit_id TEXT NOT NULL REFERENCES visit(id),
        cancelled_on TEXT NOT NULL,
        reason TEXT NOT NULL)""",
    "CREATE INDEX visit_cancel_visit ON visit_cancel(visit_id)",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
