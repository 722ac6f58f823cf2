"""Schema 3: an outbox entry the server rejected stays, with the server's reason, until it is corrected."""

from __future__ import annotations

from clinic_app.db import Connection


def upgrade(conn: Connection) -> None:
    conn.execute("ALTER TABLE outbox ADD COLUMN rejected_code TEXT")
    conn.execute("ALTER TABLE outbox ADD COLUMN rejected_message TEXT")
