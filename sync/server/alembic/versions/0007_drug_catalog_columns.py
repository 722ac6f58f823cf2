"""County server schema 7: the drug catalog's rows in the columns of issue 13 (device schema 10). Rows loaded before
hold their flags as JSON true/false and lack the new columns: each gets its flags as 1/0, ``anti_tuberculosis`` 0
and the new columns empty, under a new version of the county scope, so that every device — which had no drug
table before schema 10, and whose cursor is past the old versions — pulls the whole catalog again.

Revision ID: 0007
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

from clinic_app.migrations.m010_drug_catalog import FLAGS  # the device's schema 10

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BUMP = sa.text("UPDATE scope_counter SET value = value + 1 WHERE scope = :scope RETURNING value")
NEW_TEXT = (
    "brand_name",
    "form",
    "package_unit",
    "price_fen",
    "insurance_category",
    "atc_code",
    "trace_product_id",
)


def upgrade() -> None:
    conn = op.get_bind()
    record = sa.table(
        "record",
        sa.column("table_name"),
        sa.column("row_id"),
        sa.column("scope"),
        sa.column("version"),
        sa.column("data"),
        sa.column("field_versions"),
        sa.column("updated_at"),
    )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    rows = conn.execute(
        sa.select(record).where(record.c.table_name == "drug").order_by(record.c.version)
    ).all()
    for rec in rows:
        data = json.loads(rec.data)
        for flag in FLAGS:
            data[flag] = int(bool(data.get(flag)))
        for column in NEW_TEXT:
            data.setdefault(column, None)
        data["updated_at"] = now
        version = conn.execute(BUMP, {"scope": rec.scope}).scalar_one()
        versions = {
            **json.loads(rec.field_versions),
            **{c: version for c in (*FLAGS, *NEW_TEXT, "updated_at")},
        }
        conn.execute(
            sa.update(record)
            .where(record.c.table_name == "drug", record.c.row_id == rec.row_id)
            .values(
                version=version,
                updated_at=now,
                data=json.dumps(data, ensure_ascii=False, sort_keys=True),
                field_versions=json.dumps(versions, sort_keys=True),
            )
        )


def downgrade() -> None:
    """The rows keep their 1/0 flags (a schema-5 server reads them as numbers)."""
