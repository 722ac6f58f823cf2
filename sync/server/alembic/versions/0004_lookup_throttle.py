"""County server schema 4: ``lookup_audit`` indexed by device and by clinic with the time, so that the lookup's
throttle (throttle.py: lookups per device and per clinic in the last minute and day) is an indexed read.

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("lookup_audit_device_at", "lookup_audit", ["device_id", "at"])
    op.create_index("lookup_audit_clinic_at", "lookup_audit", ["clinic_id", "at"])


def downgrade() -> None:
    op.drop_index("lookup_audit_clinic_at", "lookup_audit")
    op.drop_index("lookup_audit_device_at", "lookup_audit")
