"""Schema 7: rows pulled from the county that this device could not store (a unique key it holds already for
another row, a value outside the registry's bounds, a malformed row) are set aside here instead of stopping
the sync: one entry per row, replaced by a later version of the row that fails too and removed when a later
version is stored (DESIGN §11: a device never wedges on a pulled row)."""

from __future__ import annotations

from clinic_app.db import Connection


def upgrade(conn: Connection) -> None:
    conn.execute("""CREATE TABLE set_aside (
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        version INTEGER,
        rule TEXT NOT NULL,
        message TEXT NOT NULL,
        change TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (table_name, row_id))""")
