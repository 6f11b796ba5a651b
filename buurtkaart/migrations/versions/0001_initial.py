"""The initial schema: organisations, map items (vindplaatsen and organisation layers), history."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_VALUE = sa.JSON().with_variant(JSONB(), "postgresql")
LAYERS = "'vindplaats', 'site', 'partner', 'gatekeeper', 'need'"
WHEELCHAIR = "'yes', 'no', 'limited', 'unknown'"
ACTIONS = "'create', 'update', 'move', 'delete', 'restore', 'import'"


def upgrade() -> None:
    """Create the three tables (and, on PostgreSQL, a PostGIS point that follows lon/lat)."""
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "map_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("layer", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("target_groups", JSON_VALUE, nullable=False),
        sa.Column("languages", JSON_VALUE, nullable=False),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("wheelchair", sa.String(10), nullable=False),
        sa.Column("formal", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("osm_place_id", sa.String(100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"layer IN ({LAYERS})", name="ck_map_items_layer"),
        sa.CheckConstraint(f"wheelchair IN ({WHEELCHAIR})", name="ck_map_items_wheelchair"),
        sa.CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="ck_map_items_lonlat"),
        sa.CheckConstraint("version >= 1", name="ck_map_items_version"),
    )
    op.create_index("ix_map_items_org_layer", "map_items", ["organisation_id", "layer"])
    op.create_index("ix_map_items_org_name_key", "map_items", ["organisation_id", "name_key"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(36), sa.ForeignKey("map_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("before", JSON_VALUE, nullable=True),
        sa.Column("after", JSON_VALUE, nullable=True),
        sa.CheckConstraint(f"action IN ({ACTIONS})", name="ck_history_action"),
    )
    op.create_index("ix_history_item_at", "history", ["item_id", "at"])
    op.create_index("ix_history_org_at", "history", ["organisation_id", "at"])
    if op.get_bind().dialect.name == "postgresql":
        # Not in the models (SQLite has no PostGIS): kept in step with lon/lat by PostgreSQL itself,
        # so that QGIS and spatial SQL can use the table directly.
        op.execute(
            "ALTER TABLE map_items ADD COLUMN geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        )
        op.execute("CREATE INDEX ix_map_items_geom ON map_items USING GIST (geom)")


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("history")
    op.drop_table("map_items")
    op.drop_table("organisations")
