"""County server schema 1: clinics, county users, devices, enrollment codes, synced records, the mutation
log for idempotent push, conflicts, lookups, policy.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "clinic",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "county_user",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("clinic_id", sa.String(40), sa.ForeignKey("clinic.id"), nullable=True),
        sa.Column("county_user_id", sa.String(40), sa.ForeignKey("county_user.id"), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("app_version", sa.String(32)),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("last_seen_at", sa.String(40)),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_table(
        "enrollment_code",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("clinic_id", sa.String(40), sa.ForeignKey("clinic.id"), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("used_at", sa.String(40)),
        sa.Column("device_id", sa.String(40)),
    )
    op.create_table(
        "scope_counter",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "record",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("clinic_id", sa.String(40), nullable=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("deleted_at", sa.String(40)),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("field_versions", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("record_scope_version", "record", ["scope", "version"])
    op.create_table(
        "resident_key",
        sa.Column("clinic_id", sa.String(40), primary_key=True),
        sa.Column("id_number", sa.String(18), primary_key=True),
        sa.Column("row_id", sa.String(64), nullable=False),
    )
    op.create_index("resident_key_id_number", "resident_key", ["id_number"])
    op.create_table(
        "row_alias",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("alias_id", sa.String(64), primary_key=True),
        sa.Column("row_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "mutation",
        sa.Column("mutation_id", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "conflict",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=True),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("resolved_at", sa.String(40)),
        sa.Column("resolution", sa.Text),
    )
    op.create_table(
        "auth_failure",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("auth_failure_key_at", "auth_failure", ["key", "at"])
    op.create_table(
        "lookup_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(40), nullable=False),
        sa.Column("clinic_id", sa.String(40)),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_table(
        "policy",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("effective_from", sa.String(10), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "policy",
        "lookup_audit",
        "auth_failure",
        "conflict",
        "mutation",
        "row_alias",
        "resident_key",
        "record",
        "scope_counter",
        "enrollment_code",
        "device",
        "county_user",
        "clinic",
        "server_meta",
    ):
        op.drop_table(table)
