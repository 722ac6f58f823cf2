"""Schema 6: family-doctor teams, service packages and policy (county reference data pulled by sync), insurance
status per resident and year, and contracts (DESIGN §3; RULES §2 and §10)."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m001_register import COMMON

# County reference data: made by the county (or shipped defaults), never by a device; no clinic of its own.
REFERENCE_COMMON = """
    id TEXT PRIMARY KEY,
    clinic_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at TEXT,
    row_version INTEGER NOT NULL DEFAULT 0
"""

STATEMENTS = [
    f"""CREATE TABLE team ({COMMON},
        name TEXT NOT NULL,
        lead_user_id TEXT REFERENCES "user"(id),
        note TEXT)""",
    "CREATE UNIQUE INDEX team_name ON team(clinic_id, name) WHERE deleted_at IS NULL",
    f"""CREATE TABLE team_member ({COMMON},
        team_id TEXT NOT NULL REFERENCES team(id),
        user_id TEXT NOT NULL REFERENCES "user"(id),
        role TEXT NOT NULL DEFAULT 'member')""",
    "CREATE INDEX team_member_team ON team_member(team_id)",
    f"""CREATE TABLE service_package ({REFERENCE_COMMON},
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'personalised',
        fee_fen INTEGER NOT NULL DEFAULT 0,
        insurance_fund_fen INTEGER NOT NULL DEFAULT 0,
        public_health_fund_fen INTEGER NOT NULL DEFAULT 0,
        resident_share_fen INTEGER NOT NULL DEFAULT 0,
        eligibility TEXT NOT NULL DEFAULT '{{}}',
        services TEXT NOT NULL DEFAULT '[]',
        active INTEGER NOT NULL DEFAULT 1)""",
    "CREATE UNIQUE INDEX service_package_code ON service_package(code)",
    f"""CREATE TABLE policy ({REFERENCE_COMMON},
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        effective_from TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX policy_key_from ON policy(key, effective_from)",
    f"""CREATE TABLE insurance_status ({COMMON},
        resident_id TEXT NOT NULL REFERENCES resident(id),
        year INTEGER NOT NULL,
        paid INTEGER NOT NULL DEFAULT 1,
        paid_on TEXT,
        note TEXT)""",
    "CREATE UNIQUE INDEX insurance_resident_year ON insurance_status(resident_id, year) WHERE deleted_at IS NULL",
    f"""CREATE TABLE contract ({COMMON},
        resident_id TEXT NOT NULL REFERENCES resident(id),
        team_id TEXT NOT NULL REFERENCES team(id),
        period TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        packages TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'provisional'
            CHECK (status IN ('provisional', 'active', 'terminated', 'expired', 'conflict')),
        signed_at TEXT NOT NULL,
        signed_by TEXT,
        consent TEXT NOT NULL DEFAULT 'paper' CHECK (consent IN ('screen', 'paper')),
        signature TEXT,
        witness TEXT,
        resident_group TEXT,
        fee_fen INTEGER NOT NULL DEFAULT 0,
        resident_share_fen INTEGER NOT NULL DEFAULT 0,
        fund_share_fen INTEGER NOT NULL DEFAULT 0,
        household_id TEXT,
        renewed_from TEXT,
        terminated_at TEXT,
        stop_reason TEXT)""",
    "CREATE INDEX contract_resident ON contract(resident_id, period)",
    "CREATE INDEX contract_period_status ON contract(period, status)",
    "CREATE INDEX contract_end ON contract(period_end) WHERE status IN ('active', 'provisional')",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
