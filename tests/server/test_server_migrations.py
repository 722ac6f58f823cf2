"""Alembic revisions upgrade an empty database and one holding rows of an earlier revision, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import json

import sqlalchemy as sa

from clinic_app.ids import uuid7
from sync.server import db
from sync.server.db import make_engine

HEAD = "0011"


def _revision(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


def _record(table: str, clinic_id: str, version: int, **data: object) -> dict[str, object]:
    row_id = uuid7()
    return {
        "table_name": table,
        "row_id": row_id,
        "scope": f"clinic:{clinic_id}",
        "clinic_id": clinic_id,
        "version": version,
        "deleted_at": data.get("deleted_at"),
        "field_versions": "{}",
        "updated_at": "x",
        "data": json.dumps({"id": row_id, "clinic_id": clinic_id, **data}, ensure_ascii=False),
    }


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


def test_revision_0003_with_doubled_rows_upgrades_to_one_per_key(database_url: str) -> None:
    """Rows the races of issue 11 left: two insurance rows of one resident and year (the second is deleted at a
    new version of its clinic, so that the devices can store it), two open contracts indexed for one person and
    period (the first stays indexed), a mutation of a clinic."""
    engine = make_engine(database_url)
    try:
        db.migrate(engine, "0003")
        clinic = uuid7()
        first = _record("insurance_status", clinic, 1, resident_id="r1", year=2026, deleted_at=None)
        second = _record("insurance_status", clinic, 2, resident_id="r1", year=2026, deleted_at=None)
        other_year = _record("insurance_status", clinic, 3, resident_id="r1", year=2027, deleted_at=None)
        with engine.begin() as conn:
            conn.execute(db.record.insert(), [first, second, other_year])
            conn.execute(db.scope_counter.insert().values(scope=f"clinic:{clinic}", value=3))
            conn.execute(
                sa.text(
                    "INSERT INTO contract_index VALUES ('c1', 'A', 'id:1', '2026'), "
                    "('c2', 'B', 'id:1', '2026')"
                )
            )
            conn.execute(sa.text("INSERT INTO mutation VALUES ('m1', :c, '{}', 'x')"), {"c": clinic})
        db.migrate(engine)
        assert _revision(engine) == HEAD
        with engine.connect() as conn:
            stored = {r.row_id: r for r in conn.execute(sa.select(db.record))}
            keys = {r.key: r.row_id for r in conn.execute(sa.select(db.unique_key))}
            index = conn.execute(sa.text("SELECT row_id FROM contract_index")).scalars().all()
            mutations = conn.execute(sa.text("SELECT mutation_id, clinic_id FROM mutation")).all()
        assert stored[first["row_id"]].deleted_at is None and stored[other_year["row_id"]].deleted_at is None
        assert stored[second["row_id"]].deleted_at and int(stored[second["row_id"]].version) == 4
        assert json.loads(stored[second["row_id"]].data)["deleted_at"] == stored[second["row_id"]].deleted_at
        assert keys == {'["r1",2026]': first["row_id"], '["r1",2027]': other_year["row_id"]}
        assert index == ["c1"] and [tuple(m) for m in mutations] == [("m1", clinic)]
    finally:
        engine.dispose()


def test_revision_0005_drug_rows_get_the_new_columns_and_a_new_version(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        db.migrate(engine, "0005")
        old = {
            "id": "d1",
            "code": "XC08CAA01A001010100001",
            "name": "苯磺酸氨氯地平片",
            "spec": "5mg",
            "unit": "片",
            "package_size": 28,
            "narcotic": False,
            "antimicrobial": True,
        }
        with engine.begin() as conn:
            conn.execute(sa.delete(db.scope_counter).where(db.scope_counter.c.scope == "county"))
            conn.execute(db.scope_counter.insert().values(scope="county", value=7))
            conn.execute(
                db.record.insert(),
                [
                    {
                        "table_name": "drug",
                        "row_id": "d1",
                        "scope": "county",
                        "clinic_id": None,
                        "version": 3,
                        "deleted_at": None,
                        "field_versions": "{}",
                        "updated_at": "x",
                        "data": json.dumps(old, ensure_ascii=False),
                    }
                ],
            )
        db.migrate(engine)
        with engine.connect() as conn:
            rec = conn.execute(sa.select(db.record).where(db.record.c.row_id == "d1")).one()
        data = json.loads(rec.data)
        assert data["narcotic"] == 0 and data["antimicrobial"] == 1 and data["anti_tuberculosis"] == 0
        assert data["brand_name"] is None and data["atc_code"] is None and data["name"] == "苯磺酸氨氯地平片"
        assert rec.version == 8, "a new version of the county scope: devices pull the catalog again"
    finally:
        engine.dispose()


def _sums_by_scan(conn: sa.Connection) -> dict[tuple[str, str], tuple[int, int]]:
    rows = conn.execute(
        sa.select(
            db.record.c.scope, db.record.c.table_name, sa.func.count(), sa.func.sum(db.record.c.version)
        ).group_by(db.record.c.scope, db.record.c.table_name)
    )
    return {(s, t): (int(n), int(v)) for s, t, n, v in rows}


def _sums_kept(conn: sa.Connection) -> dict[tuple[str, str], tuple[int, int]]:
    c = db.record_checksum.c
    rows = conn.execute(sa.select(c.scope, c.table_name, c.count, c.version_sum).where(c.count > 0))
    return {(s, t): (int(n), int(v)) for s, t, n, v in rows}


def test_revision_0010_with_rows_upgrades_to_checksums_kept_as_records_change(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        db.migrate(engine, "0010")
        clinic, other = uuid7(), uuid7()
        before = [_record("village", clinic, 1, name="东村"), _record("resident", clinic, 2, name="张三")]
        with engine.begin() as conn:
            conn.execute(db.record.insert(), before)
        db.migrate(engine)
        with engine.connect() as conn:  # the rows stored before the revision are counted
            assert _sums_kept(conn) == {
                (f"clinic:{clinic}", "village"): (1, 1),
                (f"clinic:{clinic}", "resident"): (1, 2),
            }
        record = db.record.c
        with engine.begin() as conn:  # every kind of write, each checked against a scan of the records
            conn.execute(
                db.record.insert(), [_record("resident", clinic, v, name=f"人{v}") for v in range(3, 8)]
            )
            conn.execute(db.record.insert(), [_record("village", other, 1, name="西村")])
            conn.execute(sa.update(db.record).where(record.version == 3).values(version=30))  # a new version
            conn.execute(sa.update(db.record).where(record.version == 4).values(updated_at="y"))  # no new one
            conn.execute(  # a row moved to another scope
                sa.update(db.record)
                .where(record.version == 5)
                .values(scope=f"clinic:{other}", clinic_id=other, version=50)
            )
            conn.execute(sa.update(db.record).where(record.table_name == "resident").values(updated_at="z"))
            conn.execute(sa.delete(db.record).where(record.version == 6))
            assert _sums_kept(conn) == _sums_by_scan(conn)
            assert _sums_kept(conn)[(f"clinic:{clinic}", "resident")] == (4, 2 + 30 + 4 + 7)
            conn.execute(sa.delete(db.record).where(record.scope == f"clinic:{other}"))
            assert _sums_kept(conn) == _sums_by_scan(conn)
            assert (f"clinic:{other}", "village") not in _sums_kept(conn)
    finally:
        engine.dispose()
