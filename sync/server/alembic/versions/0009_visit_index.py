"""County server schema 6 (renumbered at merge after the drug catalog's): ``visit_index`` holds every visit's fund
share by person (ID number), pool and year in the order the county took them, for the county-wide annual cap.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_index",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("row_id", sa.String(64), nullable=False, unique=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("person_key", sa.String(120), nullable=False),
        sa.Column("pool", sa.String(32), nullable=False),
        sa.Column("year", sa.String(4), nullable=False),
        sa.Column("fund_fen", sa.BigInteger, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("visit_index_person", "visit_index", ["person_key", "pool", "year"])
    # no visits were stored before this revision (the visit table came with it)


def downgrade() -> None:
    op.drop_index("visit_index_person", "visit_index")
    op.drop_table("visit_index")
