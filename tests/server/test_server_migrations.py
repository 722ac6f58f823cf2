"""Alembic revisions upgrade an empty database and one holding rows of an earlier revision, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import json

import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync.server import db
from sync.server.db import make_engine

HEAD = "0004_db_held_uniqueness"


def _revision(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


def _record(table: str, clinic_id: str, version: int, **data: object) -> dict[str, object]:
    row_id = uuid7()
    return {"table_name": table, "row_id": row_id, "scope": f"clinic:{clinic_id}", "clinic_id": clinic_id,
            "version": version, "deleted_at": data.get("deleted_at"), "field_versions": "{}", "updated_at": "x",
            "data": json.dumps({"id": row_id, "clinic_id": clinic_id, **data}, ensure_ascii=False)}  # fmt: skip


def test_revision_0001_with_rows_upgrades_to_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        db.migrate(engine, "0001")
        assert _revision(engine) == "0001"
        clinic = uuid7()
        rows = [
            _record("village", clinic, 1, name="东村"),
            _record(
                "village", clinic, 2, name="东村"
            ),  # a duplicate stored before 0002: the first keeps the name
            _record("village", clinic, 3, name="西村", deleted_at="2026-01-01T00:00:00.000Z"),
            _record("household", clinic, 4, code="H-1", village_id="v"),
            _record("user", clinic, 5, username="doctor", deleted_at="2026-01-01T00:00:00.000Z"),
            _record("resident", clinic, 6, name="张三"),
        ]
        with engine.begin() as conn:
            conn.execute(db.record.insert(), rows)
        db.migrate(engine)
        assert _revision(engine) == HEAD
        with engine.connect() as conn:
            keys = {(r.table_name, r.key): r.row_id for r in conn.execute(sa.select(db.unique_key))}
        assert keys == {
            ("village", "东村"): rows[0]["row_id"],
            ("household", "H-1"): rows[3]["row_id"],
            ("user", "doctor"): rows[4]["row_id"],  # a deleted user keeps the name on the devices too
        }
        db.migrate(engine)  # again: nothing to do
        assert _revision(engine) == HEAD
    finally:
        engine.dispose()


def test_an_empty_database_upgrades_from_the_first_revision(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        db.migrate(engine)
        assert _revision(engine) == HEAD
        assert set(sa.inspect(engine).get_table_names()) >= set(db.metadata.tables)
    finally:
        engine.dispose()
