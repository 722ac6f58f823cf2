"""Made tests/data/schema_v2.db once, with schema 2 as released (key: schema_v1.key, a test key); kept for the
upgrade test. Do not re-run: the point of the file is that it was written by the old schema."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clinic_app.db import connect, migrate
from clinic_app.migrations import MIGRATIONS

HERE = Path(__file__).parent


def main() -> None:
    import shutil

    db = HERE / "schema_v2.db"
    shutil.copyfile(HERE / "schema_v1.db", db)
    key = bytes.fromhex((HERE / "schema_v1.key").read_text().strip())
    conn = connect(db, key)
    migrate(conn, db, MIGRATIONS, target=2, backup=False)
    conn.execute(
        "INSERT INTO outbox(mutation_id, table_name, row_id, op, payload, base_version, user_id, device_time) "
        "VALUES ('01a1f000-0000-7000-8000-0000000000f1', 'resident', '01a1f000-0000-7000-8000-000000000100', "
        "'upsert', '{\"phone\": \"13812345678\"}', 0, NULL, '2026-11-01T08:00:00.000Z')"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


if __name__ == "__main__":
    main()
