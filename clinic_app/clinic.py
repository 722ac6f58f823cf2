"""The clinic itself: its name, and the counts the desktop's status bar shows (a small module of its own:
the clinic table has no other domain module, and the outbox's count here reads only what syncstate writes)."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.conflicts import waiting_count
from clinic_app.db import Connection
from clinic_app.syncstate import get_state


def clinic_name(conn: Connection, clinic_id: str) -> str:
    row = conn.execute("SELECT name FROM clinic WHERE id = ?", (clinic_id,)).fetchone()
    return str(row[0]) if row else ""


@dataclass(frozen=True)
class StatusCounts:
    waiting: int  # changes in the outbox, refused ones too: not yet off this computer for good
    conflicts: int  # conflicts no one has decided yet
    last_sync_at: str | None  # UTC ISO time of the last sync that reached the server


def status_counts(conn: Connection) -> StatusCounts:
    waiting = int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
    return StatusCounts(waiting, waiting_count(conn), get_state(conn, "last_sync_at"))
