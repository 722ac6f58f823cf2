"""County server schema 3: ``contract_index`` holds every open contract by person (ID number) and period, so
that the one-team-per-period rule and the cross-clinic lookup are one indexed read.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_index",
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("person_key", sa.String(120), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
    )
    op.create_index("contract_index_person", "contract_index", ["person_key", "period"])
    # no contracts were stored before this revision (the contract table came with it)


def downgrade() -> None:
    op.drop_index("contract_index_person", "contract_index")
    op.drop_table("contract_index")
