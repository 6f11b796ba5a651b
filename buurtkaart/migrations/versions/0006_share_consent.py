"""A citizen's consent to share their own map: the day it was given and the worker who recorded it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_share_consent"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create share_consents."""
    op.create_table(
        "share_consents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("citizen_id", sa.String(36), sa.ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_share_consents_citizen", "share_consents", ["citizen_id"])


def downgrade() -> None:
    """Drop share_consents."""
    op.drop_table("share_consents")
