"""County server schema 2: ``unique_key`` keeps a clinic's village names, household codes and user names unique
as the devices' indexes do; filled from the rows already stored.

Revision ID: 0002
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# as sync.server.contract.UNIQUE when this revision was written (a migration never follows later code)
UNIQUE = {"user": ("username", False), "village": ("name", True), "household": ("code", True)}


def upgrade() -> None:
    unique_key = op.create_table(
        "unique_key",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("row_id", sa.String(64), nullable=False),
    )
    record = sa.table(
        "record",
        sa.column("table_name"),
        sa.column("row_id"),
        sa.column("clinic_id"),
        sa.column("version"),
        sa.column("data"),
    )
    conn = op.get_bind()
    taken: set[tuple[str, str, str]] = set()
    rows = []
    for table_name, row_id, clinic_id, data in conn.execute(
        sa.select(record.c.table_name, record.c.row_id, record.c.clinic_id, record.c.data)
        .where(record.c.table_name.in_(list(UNIQUE)))
        .order_by(record.c.version)
    ):
        name, freed_by_delete = UNIQUE[table_name]
        row = json.loads(data)
        value = row.get(name)
        if not isinstance(value, str) or (freed_by_delete and row.get("deleted_at")) or len(value) > 200:
            continue
        if (
            table_name,
            clinic_id,
            value,
        ) in taken:  # a duplicate stored before this revision: the first keeps it
            continue
        taken.add((table_name, clinic_id, value))
        rows.append({"table_name": table_name, "clinic_id": clinic_id, "key": value, "row_id": row_id})
    if rows:
        op.bulk_insert(unique_key, rows)


def downgrade() -> None:
    op.drop_table("unique_key")
