"""Schema 10: the county's drug catalog on the device (issue 13 point 1; RULES §6, §8) — county reference data as
the server holds it, with the catalog's columns and flags — and its search keys (name parts, pinyin, initials,
code), kept by the drug table's index hook as the residents' are. A device had no drug table before: its pull
cursor may be past the catalog's rows (the county loaded them, or its revision 0006 renumbered them, before this
device was upgraded), so the county part of the cursor goes back to the start and the next pull brings every
county reference row again (packages, policy, the catalog: a few thousand rows; the clinic's part is kept)."""

from __future__ import annotations

import base64
import binascii
import json

from clinic_app.db import Connection
from clinic_app.migrations.m006_contracts import REFERENCE_COMMON

# the flags as clinic_app.drugs.DRUG_FLAGS at schema 10 (the county server's revision 0007 reads them from here)
EXCLUDED = ("narcotic", "psychotropic_1", "toxic", "radioactive", "precursor", "antimicrobial")
FLAGS = (*EXCLUDED, "anti_tuberculosis", "special_storage")

STATEMENTS = [
    f"""CREATE TABLE drug ({REFERENCE_COMMON},
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        brand_name TEXT,
        form TEXT,
        spec TEXT,
        unit TEXT,
        package_size INTEGER NOT NULL,
        package_unit TEXT,
        price_fen INTEGER,
        insurance_category TEXT CHECK (insurance_category IN ('A', 'B', 'C')),
        atc_code TEXT,
        trace_product_id TEXT,
        {", ".join(f"{flag} INTEGER NOT NULL DEFAULT 0" for flag in FLAGS)})""",
    "CREATE UNIQUE INDEX drug_code ON drug(code)",
    """CREATE TABLE drug_search_key (
        key TEXT NOT NULL,
        drug_id TEXT NOT NULL REFERENCES drug(id),
        PRIMARY KEY (key, drug_id)) WITHOUT ROWID""",
    "CREATE INDEX drug_search_key_drug ON drug_search_key(drug_id)",
]


def county_part_reset(cursor: str) -> str | None:
    """The server's cursor (base64 of {"e": epoch, "c": clinic version, "r": county version}, sync.server.pull as
    at revision 0006) with the county version 0; None when it is not one (the next pull starts from nothing)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, dict) or "r" not in raw:
            return None
    except (ValueError, binascii.Error):
        return None
    text = json.dumps({**raw, "r": 0}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
    if row is not None and row[0]:
        reset = county_part_reset(row[0])
        if reset is None:
            conn.execute("DELETE FROM sync_state WHERE key = 'cursor'")
        else:
            conn.execute("UPDATE sync_state SET value = ? WHERE key = 'cursor'", (reset,))
