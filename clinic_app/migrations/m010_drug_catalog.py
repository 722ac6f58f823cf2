"""Schema 10: the county's drug catalog on the device (issue 13 point 1; RULES §6, §8) — county reference data as
the server holds it, with the catalog's columns and flags — and its search keys (name parts, pinyin, initials,
code), kept by the drug table's index hook as the residents' are. Devices receive the rows on their next pull: the
server's migration 0006 gives every catalog row a new version."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.migrations.m006_contracts import REFERENCE_COMMON

# the flags as clinic_app.drugs.DRUG_FLAGS at schema 10 (the county server's revision 0006 reads them from here)
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


def upgrade(conn: Connection) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
