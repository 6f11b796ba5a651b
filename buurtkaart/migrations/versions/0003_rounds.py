"""Saved rounds on foot (rondes): the stops and settings of a round, and each time it was walked (a count of contacts)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_rounds"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_VALUE = sa.JSON().with_variant(JSONB(), "postgresql")


def _organisation() -> sa.Column:
    """Return the organisation_id column every table of this revision carries."""
    return sa.Column(
        "organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create rounds and round_walks."""
    op.create_table(
        "rounds",
        sa.Column("id", sa.String(36), primary_key=True),
        _organisation(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("spec", JSON_VALUE, nullable=False),
        sa.Column("planned_for", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("version >= 1", name="ck_rounds_version"),
    )
    op.create_index("ix_rounds_org", "rounds", ["organisation_id"])
    op.create_table(
        "round_walks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("round_id", sa.String(36), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        _organisation(),
        sa.Column("walked_on", sa.Date(), nullable=False),
        sa.Column("walked_by", sa.String(200), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("contacts >= 0", name="ck_round_walks_contacts"),
    )
    op.create_index("ix_round_walks_round", "round_walks", ["round_id", "walked_on"])


def downgrade() -> None:
    """Drop round_walks and rounds."""
    op.drop_table("round_walks")
    op.drop_table("rounds")
