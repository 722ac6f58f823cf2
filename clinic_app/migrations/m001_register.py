"""Schema 1: clinic, users, the resident register, audit log, outbox and local sync bookkeeping."""

from __future__ import annotations

from clinic_app.db import Connection

COMMON = """
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    updated_by TEXT,
    deleted_at TEXT,
    row_version INTEGER NOT NULL DEFAULT 0
"""

STATEMENTS = [
    f"""CREATE TABLE clinic ({COMMON},
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL)""",
    f"""CREATE TABLE "user" ({COMMON},
        username TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('village_doctor', 'nurse', 'team_member', 'clinic_admin')),
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1)""",
    'CREATE UNIQUE INDEX user_username ON "user"(clinic_id, username)',
    f"""CREATE TABLE village ({COMMON},
        code TEXT,
        name TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX village_name ON village(clinic_id, name) WHERE deleted_at IS NULL",
    f"""CREATE TABLE household ({COMMON},
        village_id TEXT NOT NULL REFERENCES village(id),
        code TEXT NOT NULL,
        address TEXT,
        head_resident_id TEXT)""",
    "CREATE UNIQUE INDEX household_code ON household(clinic_id, code) WHERE deleted_at IS NULL",
    "CREATE INDEX household_village ON household(village_id)",
    f"""CREATE TABLE resident ({COMMON},
        id_number TEXT,
        document_type TEXT NOT NULL DEFAULT 'id_card'
            CHECK (document_type IN ('id_card', 'passport', 'other')),
        document_number TEXT,
        name TEXT NOT NULL,
        sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),
        birth_date TEXT NOT NULL,
        phone TEXT,
        village_id TEXT REFERENCES village(id),
        household_id TEXT REFERENCES household(id),
        relation_to_head TEXT,
        needs_identity_check INTEGER NOT NULL DEFAULT 0,
        note TEXT)""",
    """CREATE UNIQUE INDEX resident_id_number ON resident(clinic_id, id_number)
        WHERE id_number IS NOT NULL AND deleted_at IS NULL""",
    "CREATE INDEX resident_household ON resident(household_id)",
    f"""CREATE TABLE audit_log ({COMMON},
        device_id TEXT,
        action TEXT NOT NULL,
        summary TEXT NOT NULL,
        rows TEXT NOT NULL)""",
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        mutation_id TEXT NOT NULL UNIQUE,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
        payload TEXT NOT NULL,
        base_version INTEGER NOT NULL,
        user_id TEXT,
        device_time TEXT NOT NULL)""",
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE conflict (
        id TEXT PRIMARY KEY,
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        local_row TEXT,
        server_row TEXT,
        message TEXT,
        created_at TEXT NOT NULL,
        resolved_at TEXT)""",
    "CREATE TABLE local_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE login_state (
        user_id TEXT PRIMARY KEY REFERENCES "user"(id),
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT)""",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
