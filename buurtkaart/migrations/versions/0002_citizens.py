"""Citizens' networks: citizens (pseudonymised), their ties, who knows whom, and dated versions of a network."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_VALUE = sa.JSON().with_variant(JSONB(), "postgresql")
# The vocabularies of buurtkaart.ties as they were at this revision (a later change needs a new migration).
AGE_BANDS = "'0_9', '10_19', '20_29', '30_39', '40_49', '50_59', '60_69', '70_plus'"
ANCHOR_KINDS = "'quartier', 'place', 'vindplaats'"
ROLES = (
    "'family', 'partner', 'friend', 'neighbour', 'colleague', 'volunteer', 'professional', 'social_worker', "
    "'shopkeeper', 'cafe_owner', 'fellow_member', 'acquaintance', 'other'"
)
CAPITALS = "'bonding', 'bridging', 'linking'"
FREQUENCIES = "'daily', 'weekly', 'monthly', 'yearly', 'rarely'"
STRENGTHS = "'strong', 'light'"
STATES = "'active', 'slapend', 'breuklijn'"
INFLUENCES = "'positive', 'negative', 'mixed'"
RECIPROCITIES = "'gives', 'receives', 'both'"
LEVELS = "'buurt', 'stad', 'translokaal'"
PLACE_KIND_FITS_LEVEL = (
    "(level = 'buurt' AND place_kind IN ('vindplaats', 'place', 'street')) OR "
    "(level = 'stad' AND place_kind IN ('municipality', 'quartier')) OR "
    "(level = 'translokaal' AND place_kind IN ('city', 'country'))"
)
LONLAT = "{lon} >= -180 AND {lon} <= 180 AND {lat} >= -90 AND {lat} <= 90"


def _organisation() -> sa.Column:
    """Return the organisation_id column every table of this revision carries."""
    return sa.Column(
        "organisation_id", sa.String(36), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create citizens, ties, tie_links and network_versions (on PostgreSQL: with PostGIS points)."""
    op.create_table(
        "citizens",
        sa.Column("id", sa.String(36), primary_key=True),
        _organisation(),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("age_band", sa.String(10), nullable=False),
        sa.Column("situations", JSON_VALUE, nullable=False),
        sa.Column("talents", JSON_VALUE, nullable=False),
        sa.Column("interests", JSON_VALUE, nullable=False),
        sa.Column("languages", JSON_VALUE, nullable=False),
        sa.Column("anchor_kind", sa.String(20), nullable=False),
        sa.Column("anchor_ref", sa.String(200), nullable=False),
        sa.Column("anchor_label", sa.String(200), nullable=False),
        sa.Column("anchor_lon", sa.Float(), nullable=False),
        sa.Column("anchor_lat", sa.Float(), nullable=False),
        sa.Column("quartier", sa.String(10), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation_id", "code", name="uq_citizens_org_code"),
        sa.UniqueConstraint("organisation_id", "pseudonym", name="uq_citizens_org_pseudonym"),
        sa.CheckConstraint(f"age_band = '' OR age_band IN ({AGE_BANDS})", name="ck_citizens_age_band"),
        sa.CheckConstraint(f"anchor_kind IN ({ANCHOR_KINDS})", name="ck_citizens_anchor_kind"),
        sa.CheckConstraint(LONLAT.format(lon="anchor_lon", lat="anchor_lat"), name="ck_citizens_lonlat"),
    )
    op.create_table(
        "ties",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("citizen_id", sa.String(36), sa.ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False),
        _organisation(),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("capital", sa.String(10), nullable=False),
        sa.Column("functions", JSON_VALUE, nullable=False),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("strength", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("influence", sa.String(10), nullable=False),
        sa.Column("reciprocity", sa.String(10), nullable=False),
        sa.Column("level", sa.String(12), nullable=False),
        sa.Column("place_kind", sa.String(20), nullable=False),
        sa.Column("place_ref", sa.String(200), nullable=False),
        sa.Column("place_label", sa.String(200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"role IN ({ROLES})", name="ck_ties_role"),
        sa.CheckConstraint(f"capital IN ({CAPITALS})", name="ck_ties_capital"),
        sa.CheckConstraint(f"frequency IN ({FREQUENCIES})", name="ck_ties_frequency"),
        sa.CheckConstraint(f"strength IN ({STRENGTHS})", name="ck_ties_strength"),
        sa.CheckConstraint(f"state IN ({STATES})", name="ck_ties_state"),
        sa.CheckConstraint(f"influence IN ({INFLUENCES})", name="ck_ties_influence"),
        sa.CheckConstraint(f"reciprocity IN ({RECIPROCITIES})", name="ck_ties_reciprocity"),
        sa.CheckConstraint(f"level IN ({LEVELS})", name="ck_ties_level"),
        sa.CheckConstraint(PLACE_KIND_FITS_LEVEL, name="ck_ties_place_kind"),
        sa.CheckConstraint(LONLAT.format(lon="lon", lat="lat"), name="ck_ties_lonlat"),
    )
    op.create_index("ix_ties_citizen", "ties", ["citizen_id"])
    op.create_index("ix_ties_org", "ties", ["organisation_id"])
    op.create_table(
        "tie_links",
        sa.Column("tie_a", sa.String(36), sa.ForeignKey("ties.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tie_b", sa.String(36), sa.ForeignKey("ties.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("citizen_id", sa.String(36), sa.ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False),
        _organisation(),
        sa.CheckConstraint("tie_a < tie_b", name="ck_tie_links_order"),
    )
    op.create_index("ix_tie_links_citizen", "tie_links", ["citizen_id"])
    op.create_index("ix_tie_links_tie_b", "tie_links", ["tie_b"])
    op.create_table(
        "network_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("citizen_id", sa.String(36), sa.ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False),
        _organisation(),
        sa.Column("saved_on", sa.Date(), nullable=False),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("ties", JSON_VALUE, nullable=False),
        sa.Column("links", JSON_VALUE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("citizen_id", "saved_on", name="uq_network_versions_citizen_day"),
    )
    op.create_index("ix_network_versions_org", "network_versions", ["organisation_id"])
    if op.get_bind().dialect.name == "postgresql":
        # As for map_items in 0001: points kept in step with lon/lat by PostgreSQL, for QGIS and spatial SQL.
        for table, lon, lat in (("citizens", "anchor_lon", "anchor_lat"), ("ties", "lon", "lat")):
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN geom geometry(Point, 4326) "
                f"GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_geom ON {table} USING GIST (geom)")


def downgrade() -> None:
    """Drop the four tables (every citizen, tie and version with them)."""
    op.drop_table("network_versions")
    op.drop_table("tie_links")
    op.drop_table("ties")
    op.drop_table("citizens")
