"""County server schema 10: the county's own settlement of each visit (issue 14 points 2-4). ``visit_index`` keeps
the fund's share as the county holds it after recomputing the year in commit order (``county_fund_fen``; null:
not settled by the county yet), a reviewer's decision of an overrun (``decision``: fund_pays / patient_pays), and
the capitation claim row made for the clinic where the patient is contracted (``claim_id``, ``claim_clinic_id``)
when the county deducts claims elsewhere from that clinic's budget (policy ``capitation.deduct_claims_elsewhere``).

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit_index") as table:
        table.add_column(sa.Column("county_fund_fen", sa.BigInteger, nullable=True))
        table.add_column(sa.Column("decision", sa.String(16), nullable=True))
        table.add_column(sa.Column("claim_id", sa.String(64), nullable=True))
        table.add_column(sa.Column("claim_clinic_id", sa.String(40), nullable=True))
    # visits indexed before this revision keep county_fund_fen null: the county settles them when their year is
    # next recomputed (a cancellation, a reviewer's decision)


def downgrade() -> None:
    with op.batch_alter_table("visit_index") as table:
        table.drop_column("claim_clinic_id")
        table.drop_column("claim_id")
        table.drop_column("decision")
        table.drop_column("county_fund_fen")
