"""Facts about the database itself: the fingerprint of the pseudonym key it was used with (issue 13)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create store_settings (name, value, updated_at)."""
    op.create_table(
        "store_settings",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop store_settings (the key's fingerprint with it)."""
    op.drop_table("store_settings")
