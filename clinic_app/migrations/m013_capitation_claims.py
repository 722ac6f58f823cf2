"""Schema 13: capitation claims elsewhere (issue 14 point 4) — a row the county server makes for a clinic when a
resident contracted there had an ordinary outpatient visit (type 11) settled at another institution and the
county deducts such claims from the clinic's capitation budget (policy ``capitation.deduct_claims_elsewhere``).
The device only pulls these rows; its ledger counts them as spending."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m001_register import COMMON

STATEMENTS = [
    f"""CREATE TABLE capitation_claim ({COMMON},
        resident_id TEXT NOT NULL,
        contract_id TEXT,
        visit_id TEXT NOT NULL,
        visit_date TEXT NOT NULL,
        med_type TEXT NOT NULL CHECK (med_type IN ('11', '14')),
        fund_fen INTEGER NOT NULL,
        clinic_code TEXT NOT NULL,
        clinic_name TEXT,
        cancelled_on TEXT)""",
    "CREATE INDEX capitation_claim_clinic_date ON capitation_claim(clinic_id, visit_date)",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
