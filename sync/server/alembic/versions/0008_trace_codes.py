"""County server schema 7: the county-wide index of trace codes and its flags (issue 13 point 3; RULES §7, one box
one sale): ``trace_code_index`` holds each code once (its primary key decides between clinics pushing at the same
instant), ``trace_code_flag`` a sale of a code at a clinic other than the first.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trace_code_index",
        sa.Column("code", sa.String(100), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "trace_code_flag",
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("first_clinic_id", sa.String(40), nullable=False),
        sa.Column("first_row_id", sa.String(64), nullable=False),
        sa.Column("flagged_at", sa.String(40), nullable=False),
    )
    op.create_index("trace_code_flag_code", "trace_code_flag", ["code"])


def downgrade() -> None:
    op.drop_index("trace_code_flag_code", "trace_code_flag")
    op.drop_table("trace_code_flag")
    op.drop_table("trace_code_index")
