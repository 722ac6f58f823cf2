"""County server schema 6: the chronic-care index the county's indicators read (issue 12 point 9):
``chronic_patient_index`` (a live registration a row), ``chronic_followup_index`` (a follow-up a row) and
``chronic_year_index`` (per patient, disease and year), kept on push by sync.server.chronic_index. Rows stored before
this revision are indexed by ``county-server report rebuild-index`` (the index's code, which a migration may not
follow).

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STAMP = 40  # clinic_app.registry.MAX_STAMP when this revision was written


def upgrade() -> None:
    op.create_table(
        "chronic_patient_index",
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("resident_id", sa.String(64), nullable=False),
        sa.Column("disease", sa.String(16), nullable=False),
        sa.Column("village_id", sa.String(64)),
        sa.Column("registered_by", sa.String(64)),
        sa.Column("registered_on", sa.String(10), nullable=False),
        sa.Column("management", sa.String(16), nullable=False),
        sa.Column("ended_on", sa.String(10)),
    )
    op.create_index("chronic_patient_index_clinic", "chronic_patient_index", ["clinic_id"])
    op.create_table(
        "chronic_followup_index",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("clinic_id", sa.String(40), nullable=False),
        sa.Column("resident_id", sa.String(64), nullable=False),
        sa.Column("disease", sa.String(16), nullable=False),
        sa.Column("visit_date", sa.String(10), nullable=False),
        sa.Column("visit_mode", sa.String(8), nullable=False),
        sa.Column("classification", sa.String(20), nullable=False),
        sa.Column("created_at", sa.String(STAMP), nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("supersedes", sa.String(64)),
        sa.Column("deleted_at", sa.String(STAMP)),
    )
    op.create_index(
        "chronic_followup_index_patient",
        "chronic_followup_index",
        ["clinic_id", "resident_id", "disease", "visit_date"],
    )
    op.create_index("chronic_followup_index_supersedes", "chronic_followup_index", ["supersedes"])
    op.create_table(
        "chronic_year_index",
        sa.Column("clinic_id", sa.String(40), primary_key=True),
        sa.Column("resident_id", sa.String(64), primary_key=True),
        sa.Column("disease", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("face_to_face", sa.Integer, nullable=False),
        sa.Column("latest", sa.Text),
    )
    op.create_index("chronic_year_index_year", "chronic_year_index", ["year"])


def downgrade() -> None:
    op.drop_table("chronic_year_index")
    op.drop_table("chronic_followup_index")
    op.drop_table("chronic_patient_index")
