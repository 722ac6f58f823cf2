"""Made tests/data/schema_v3.db once, with schema 3 as released (key: schema_v1.key, a test key): the schema-2
database with a conflict recorded the schema-3 way (local only). Kept for the upgrade test; do not re-run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clinic_app.db import connect, migrate
from clinic_app.migrations import MIGRATIONS

HERE = Path(__file__).parent


def main() -> None:
    import shutil

    db = HERE / "schema_v3.db"
    shutil.copyfile(HERE / "schema_v2.db", db)
    key = bytes.fromhex((HERE / "schema_v1.key").read_text().strip())
    conn = connect(db, key)
    migrate(conn, db, MIGRATIONS, target=3, backup=False)
    conn.execute(
        "INSERT INTO conflict(id, table_name, row_id, local_row, server_row, message, created_at) VALUES "
        "('01a1f000-0000-7000-8000-0000000000c1', 'resident', '01a1f000-0000-7000-8000-000000000100', "
        '\'{"phone": "13900000002"}\', \'{"phone": "13800000001", "row_version": 7}\', '
        "'edited_elsewhere: changed on the server since your copy: phone', '2026-11-20T08:00:00.000Z')"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


if __name__ == "__main__":
    main()
