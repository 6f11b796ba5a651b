"""A tie may stand for a group ("3 drinking friends"): its number of people, 1 for one person."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_tie_group"
down_revision = "0005_share_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ties.group_size (1 for every existing tie)."""
    with op.batch_alter_table("ties") as batch:
        batch.add_column(sa.Column("group_size", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    """Drop ties.group_size."""
    with op.batch_alter_table("ties") as batch:
        batch.drop_column("group_size")
