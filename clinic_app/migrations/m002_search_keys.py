"""Schema 2: search keys computed on write (pinyin, initials, name parts, reversed numbers), backfilled."""

from __future__ import annotations

from clinic_app.db import Connection
from clinic_app.search import name_initials, name_pinyin, resident_keys


def upgrade(conn: Connection) -> None:
    conn.execute("ALTER TABLE resident ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE resident ADD COLUMN name_initials TEXT NOT NULL DEFAULT ''")
    conn.execute(
        """CREATE TABLE resident_search_key (
            key TEXT NOT NULL,
            resident_id TEXT NOT NULL REFERENCES resident(id),
            PRIMARY KEY (key, resident_id)) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX resident_search_key_resident ON resident_search_key(resident_id)")
    conn.execute(
        "CREATE INDEX resident_list ON resident(clinic_id, name_pinyin, id) WHERE deleted_at IS NULL"
    )
    rows = conn.execute(
        "SELECT id, name, id_number, phone, document_number FROM resident WHERE deleted_at IS NULL"
    ).fetchall()
    for rid, name, id_number, phone, document_number in rows:
        conn.execute(
            "UPDATE resident SET name_pinyin = ?, name_initials = ? WHERE id = ?",
            (name_pinyin(name), name_initials(name), rid),
        )
        conn.executemany(
            "INSERT INTO resident_search_key(key, resident_id) VALUES (?, ?)",
            [(k, rid) for k in resident_keys(name, id_number, phone, document_number)],
        )
