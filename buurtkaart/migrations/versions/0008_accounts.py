"""Accounts (issue 10): users with an organisation, a role and an argon2 password hash; failed sign-ins per client."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_accounts"
down_revision = "0006_tie_group"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create users and sign_in_throttle."""
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(60), nullable=False, unique=True),
        sa.Column("email", sa.String(254), nullable=True, unique=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'worker', 'coordinator')", name="ck_users_role"),
        sa.CheckConstraint("failed_count >= 0", name="ck_users_failed_count"),
    )
    op.create_index("ix_users_org", "users", ["organisation_id"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the accounts tables."""
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_users_org", table_name="users")
    op.drop_table("users")
