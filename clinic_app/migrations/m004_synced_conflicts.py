"""Schema 4: conflicts are synced rows of the clinic.

The county server records every conflict it answers (and, later, the domain conflicts between clinics that
a county reviewer decides), so that each device of the clinic lists the same conflicts and a decision taken
anywhere — on this device, on another one of the clinic, or by the county — closes it everywhere. The server
makes a conflict row; a device only writes its resolution.
"""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m001_register import COMMON


def upgrade(conn: Connection) -> None:
    conn.execute("ALTER TABLE conflict RENAME TO conflict_v3")
    conn.execute(f"""CREATE TABLE conflict ({COMMON},
        table_name TEXT NOT NULL,
        row_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT,
        local_row TEXT,
        server_row TEXT,
        resolved_at TEXT,
        resolution TEXT)""")
    conn.execute("CREATE INDEX conflict_open ON conflict(resolved_at, created_at)")
    # Conflicts recorded before the server kept them: the device's own; the kind is the code its message began with.
    conn.execute(
        """INSERT INTO conflict(id, clinic_id, created_at, updated_at, table_name, row_id, kind, message,
                                local_row, server_row, resolved_at)
           SELECT c.id, coalesce((SELECT id FROM clinic LIMIT 1), ''), c.created_at, c.created_at, c.table_name,
                  c.row_id, CASE WHEN instr(c.message, ':') > 0 THEN substr(c.message, 1, instr(c.message, ':') - 1)
                                 ELSE 'edited_elsewhere' END,
                  c.message, c.local_row, c.server_row, c.resolved_at
           FROM conflict_v3 AS c"""
    )
    conn.execute("DROP TABLE conflict_v3")
