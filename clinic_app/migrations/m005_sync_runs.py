"""Schema 5: a history of sync runs (local to the device): when, what triggered it, sent, received, the
outcome and the integrity check, for the Sync page and for whoever supports the clinic."""

from __future__ import annotations

from clinic_app.db import Connection


def upgrade(conn: Connection) -> None:
    conn.execute("""CREATE TABLE sync_run (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        trigger TEXT NOT NULL,
        outcome TEXT NOT NULL,
        pushed INTEGER NOT NULL DEFAULT 0,
        pulled INTEGER NOT NULL DEFAULT 0,
        conflicts INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        message TEXT,
        integrity TEXT)""")
    conn.execute("CREATE INDEX sync_run_started ON sync_run(started_at)")
    # the Sync page lists refused changes: a few rows among an outbox that can hold 100,000 after an import
    conn.execute("CREATE INDEX outbox_refused ON outbox(seq) WHERE rejected_code IS NOT NULL")
