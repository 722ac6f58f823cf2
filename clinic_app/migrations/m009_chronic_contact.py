"""Schema 9: the outcome of a call or a visit attempt to an overdue patient (issue 12 point 5, Simple.org's overdue
workflow) on the patient's registration: what came of it, the day, and the date agreed or to call again, which
the worklists take as the patient's due date until the next follow-up."""

from __future__ import annotations

from clinic_app.db import Connection

STATEMENTS = [
    "ALTER TABLE disease_registration ADD COLUMN contact_outcome TEXT "
    "CHECK (contact_outcome IN ('agreed', 'call_later', 'moved', 'died', 'refused'))",
    "ALTER TABLE disease_registration ADD COLUMN contacted_on TEXT",
    "ALTER TABLE disease_registration ADD COLUMN recall_on TEXT",
]


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
