"""Situation and talent keys an organisation adds to the fixed vocabulary (issue 13: no free text about citizens)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create vocabulary_entries (organisation, field, key; who added it and when)."""
    op.create_table(
        "vocabulary_entries",
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(20), primary_key=True),
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    """Drop vocabulary_entries."""
    op.drop_table("vocabulary_entries")
