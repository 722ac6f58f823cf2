"""County server schema: uniqueness held by the database (issue 11).

- ``contract_index`` is unique by person and period: one open contract per person and period in the county
  even when two clinics push at the same instant. Pairs stored before (the race this closes) keep the first
  indexed; the contracts themselves are left as they are.
- ``mutation`` is keyed by clinic and mutation id: a clinic's mutation ids are its own.
- ``unique_key`` also holds the unique keys naming a merged row (insurance by resident and year), under the
  key's name; of rows stored before with the same key the first stays, every later one is deleted (a
  tombstone at a new version of its clinic), so that the devices that could not store it can sync again.

Revision ID: 0005
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# as sync.server.contract.DEPENDANT_KEYS when this revision was written (a migration never follows later code):
# key name -> (table, columns)
DEPENDANT_KEYS = {"insurance_resident_year": ("insurance_status", ("resident_id", "year"))}


def _key(values: list[object]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    conn = op.get_bind()
    index = sa.table("contract_index", sa.column("row_id"), sa.column("person_key"), sa.column("period"))
    seen: set[tuple[str, str]] = set()
    for row_id, person_key, period in conn.execute(
        sa.select(index.c.row_id, index.c.person_key, index.c.period).order_by(index.c.row_id)
    ).all():
        if (person_key, period) in seen:
            conn.execute(sa.delete(index).where(index.c.row_id == row_id))
        seen.add((person_key, period))
    op.drop_index("contract_index_person", "contract_index")
    op.create_index("contract_index_person", "contract_index", ["person_key", "period"], unique=True)

    if conn.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE mutation DROP CONSTRAINT mutation_pkey, ADD PRIMARY KEY (mutation_id, clinic_id)"
        )
    else:
        op.create_table(
            "mutation_new",
            sa.Column("mutation_id", sa.String(64), primary_key=True),
            sa.Column("clinic_id", sa.String(40), primary_key=True),
            sa.Column("result", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
        )
        op.execute("INSERT INTO mutation_new SELECT mutation_id, clinic_id, result, created_at FROM mutation")
        op.drop_table("mutation")
        op.rename_table("mutation_new", "mutation")

    record = sa.table(
        "record",
        sa.column("table_name"),
        sa.column("row_id"),
        sa.column("scope"),
        sa.column("clinic_id"),
        sa.column("version"),
        sa.column("deleted_at"),
        sa.column("data"),
        sa.column("field_versions"),
        sa.column("updated_at"),
    )
    unique_key = sa.table(
        "unique_key", sa.column("table_name"), sa.column("clinic_id"), sa.column("key"), sa.column("row_id")
    )
    counter = sa.table("scope_counter", sa.column("scope"), sa.column("value"))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    for name, (table, columns) in DEPENDANT_KEYS.items():
        held: set[tuple[str, str]] = set()
        for rec in conn.execute(
            sa.select(record)
            .where(record.c.table_name == table, record.c.deleted_at.is_(None))
            .order_by(record.c.version)
        ).all():
            data = json.loads(rec.data)
            values = [data.get(c) for c in columns]
            if any(v is None for v in values):
                continue
            key = _key(values)
            if (rec.clinic_id, key) not in held:
                held.add((rec.clinic_id, key))
                conn.execute(
                    unique_key.insert().values(
                        table_name=name, clinic_id=rec.clinic_id, key=key, row_id=rec.row_id
                    )
                )
                continue
            version = conn.execute(
                sa.update(counter)
                .where(counter.c.scope == rec.scope)
                .values(value=counter.c.value + 1)
                .returning(counter.c.value)
            ).scalar_one()
            data.update(deleted_at=now, updated_at=now)
            versions = {**json.loads(rec.field_versions), "deleted_at": version, "updated_at": version}
            conn.execute(
                sa.update(record)
                .where(record.c.table_name == table, record.c.row_id == rec.row_id)
                .values(
                    version=version,
                    deleted_at=now,
                    updated_at=now,
                    data=json.dumps(data, ensure_ascii=False, sort_keys=True),
                    field_versions=json.dumps(versions, sort_keys=True),
                )
            )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM unique_key WHERE table_name IN :names").bindparams(
            sa.bindparam("names", list(DEPENDANT_KEYS), expanding=True)
        )
    )
    op.drop_index("contract_index_person", "contract_index")
    op.create_index("contract_index_person", "contract_index", ["person_key", "period"])
