"""Schema 11: long-term prescriptions (issue 13 points 2, 3 and 5; RULES §6, §7). Every table is append-only
(events), so that two devices of a clinic never edit one row: a prescription and its items are written once at
issue; signing and stopping are events naming it (a change is a stop and a new prescription that ``replaces`` the
old); each installment is a dispensing row with one row a box's trace code. A prescription's status is read from
its events."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m001_register import COMMON

STATEMENTS = [
    f"""CREATE TABLE prescription ({COMMON},
        issued_on TEXT NOT NULL,
        resident_id TEXT NOT NULL REFERENCES resident(id),
        disease TEXT NOT NULL CHECK (disease IN ('hypertension', 'diabetes')),
        days INTEGER NOT NULL,
        status_on_issue TEXT NOT NULL CHECK (status_on_issue IN ('active', 'awaiting_signature')),
        signed INTEGER NOT NULL DEFAULT 0,
        assessment TEXT,
        first_issue INTEGER NOT NULL DEFAULT 1,
        valid_until TEXT NOT NULL,
        allergies TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        replaces TEXT)""",
    f"""CREATE TABLE prescription_item ({COMMON},
        prescription_id TEXT NOT NULL REFERENCES prescription(id),
        line INTEGER NOT NULL,
        drug_code TEXT NOT NULL,
        drug_name TEXT NOT NULL,
        spec TEXT,
        unit TEXT,
        dose TEXT NOT NULL,
        times_per_day INTEGER NOT NULL,
        route TEXT NOT NULL DEFAULT 'oral'
            CHECK (route IN ('oral', 'subcutaneous', 'inhaled', 'topical', 'sublingual', 'other')),
        package_size INTEGER NOT NULL,
        packages INTEGER NOT NULL)""",
    f"""CREATE TABLE prescription_event ({COMMON},
        prescription_id TEXT NOT NULL REFERENCES prescription(id),
        kind TEXT NOT NULL CHECK (kind IN ('signed', 'stopped')),
        on_date TEXT NOT NULL,
        reason TEXT,
        assessment TEXT)""",
    f"""CREATE TABLE dispensing ({COMMON},
        prescription_id TEXT NOT NULL REFERENCES prescription(id),
        dispensed_on TEXT NOT NULL,
        days INTEGER NOT NULL,
        split_pack INTEGER NOT NULL DEFAULT 0,
        quantities TEXT NOT NULL DEFAULT '[]')""",
    f"""CREATE TABLE dispensing_code ({COMMON},
        dispensing_id TEXT NOT NULL REFERENCES dispensing(id),
        prescription_item_id TEXT,
        code TEXT NOT NULL,
        verified INTEGER NOT NULL DEFAULT 0,
        unverified_reason TEXT,
        split_pack INTEGER NOT NULL DEFAULT 0,
        units TEXT NOT NULL,
        package_size INTEGER)""",
    # device-local: each prescription's supply (clinic_app.rx_supply), for the refill worklist
    """CREATE TABLE prescription_supply (
        prescription_id TEXT PRIMARY KEY REFERENCES prescription(id),
        clinic_id TEXT NOT NULL,
        resident_id TEXT NOT NULL,
        status TEXT NOT NULL,
        days INTEGER NOT NULL,
        dispensed_days INTEGER NOT NULL,
        runs_out_on TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        due_on TEXT NOT NULL)""",
]


INDEXES = {  # name: (table, columns)
    "prescription_resident": ("prescription", "resident_id, disease, issued_on"),
    "prescription_valid": ("prescription", "clinic_id, valid_until"),
    "prescription_item_prescription": ("prescription_item", "prescription_id, line"),
    "prescription_event_prescription": ("prescription_event", "prescription_id, kind"),
    "dispensing_prescription": ("dispensing", "prescription_id, dispensed_on"),
    "dispensing_code_code": ("dispensing_code", "code"),
    "dispensing_code_dispensing": ("dispensing_code", "dispensing_id"),
    "prescription_supply_valid": ("prescription_supply", "clinic_id, status, valid_until, due_on"),
}


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    for name, (table, columns) in INDEXES.items():
        conn.execute(f"CREATE INDEX {name} ON {table}({columns})")
