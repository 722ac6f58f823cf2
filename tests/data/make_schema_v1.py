"""Made tests/data/schema_v1.db once, with schema 1 as released; kept for the upgrade test. Do not re-run:
the point of the file is that it was written by the old schema. (Key: schema_v1.key, a test key.)"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clinic_app.db import connect, migrate
from clinic_app.migrations import MIGRATIONS

HERE = Path(__file__).parent
KEY = bytes.fromhex((HERE / "schema_v1.key").read_text().strip())
NOW = "2026-11-01T08:00:00.000Z"
CLINIC = "01a1f000-0000-7000-8000-000000000001"
ADMIN = "01a1f000-0000-7000-8000-000000000002"
VILLAGE = "01a1f000-0000-7000-8000-000000000003"


def main() -> None:
    db = HERE / "schema_v1.db"
    conn = connect(db, KEY, must_exist=False)
    migrate(conn, db, MIGRATIONS, target=1, backup=False)
    common = (NOW, NOW, ADMIN, ADMIN)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO local_meta(key, value) VALUES (?, ?)",
        [("clinic_id", CLINIC), ("device_id", "01a1f000-0000-7000-8000-0000000000aa"), ("created_at", NOW)],
    )
    conn.execute(
        "INSERT INTO clinic(id, clinic_id, created_at, updated_at, created_by, updated_by, code, name) "
        "VALUES (?, ?, ?, ?, ?, ?, 'V1', '旧版卫生室')",
        (CLINIC, CLINIC, *common),
    )
    # password "admin-pass-1"
    from clinic_app.users import hash_password

    conn.execute(
        'INSERT INTO "user"(id, clinic_id, created_at, updated_at, created_by, updated_by, username, '
        "display_name, role, password_hash) VALUES (?, ?, ?, ?, ?, ?, 'admin', '管理员', 'clinic_admin', ?)",
        (ADMIN, CLINIC, *common, hash_password("admin-pass-1")),
    )
    conn.execute(
        "INSERT INTO village(id, clinic_id, created_at, updated_at, created_by, updated_by, name) "
        "VALUES (?, ?, ?, ?, ?, ?, '石头村')",
        (VILLAGE, CLINIC, *common),
    )
    people = [
        ("张三", "11010519491231002X", "F", "1949-12-31", "13812345678"),
        ("曾国强", "445224199202290042", "F", "1992-02-29", None),
    ]
    for i, (name, number, sex, born, phone) in enumerate(people):
        conn.execute(
            "INSERT INTO resident(id, clinic_id, created_at, updated_at, created_by, updated_by, id_number, "
            "name, sex, birth_date, phone, village_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"01a1f000-0000-7000-8000-00000000010{i}",
                CLINIC,
                *common,
                number,
                name,
                sex,
                born,
                phone,
                VILLAGE,
            ),
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


if __name__ == "__main__":
    main()
