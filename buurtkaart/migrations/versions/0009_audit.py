"""The audit log: who viewed a citizen's page, changed, erased or exported what, and when (issue 10)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_audit"
down_revision = "0007_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create audit_events."""
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_events_org_at", "audit_events", ["organisation_id", "at"])


def downgrade() -> None:
    """Drop audit_events."""
    op.drop_table("audit_events")
