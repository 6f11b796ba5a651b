"""The vocabulary of a citizen's network of ties: the domain's keys (levels, roles, functions…) and frame schemas.

Keys are stored; labels come from i18n under "<vocabulary>.<key>" (see `label_key`). Domain words keep
their Dutch names where DOMAIN.md defines them (buurt, stad, translokaal, slapend, breuklijn, the four
functions).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from buurtkaart import settings
from buurtkaart.i18n import t

CRS = settings.CRS

# --- vocabularies ---
LEVELS: tuple[str, ...] = ("buurt", "stad", "translokaal")
ROLES: tuple[str, ...] = (
    "family",
    "partner",
    "friend",
    "neighbour",
    "colleague",
    "volunteer",
    "professional",
    "social_worker",
    "shopkeeper",
    "cafe_owner",
    "fellow_member",
    "acquaintance",
    "other",
)
# The seed's composition of a rich network (12 family, 13 friends, 5 professionals) groups roles like this.
ROLE_GROUPS: dict[str, str] = {
    "family": "family",
    "partner": "family",
    "friend": "friends",
    "neighbour": "other",
    "colleague": "other",
    "volunteer": "other",
    "professional": "professionals",
    "social_worker": "professionals",
    "shopkeeper": "other",
    "cafe_owner": "other",
    "fellow_member": "other",
    "acquaintance": "other",
    "other": "other",
}
CAPITALS: tuple[str, ...] = ("bonding", "bridging", "linking")
FUNCTIONS: tuple[str, ...] = ("materieel", "affectief", "informatief", "verbindend")
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "yearly", "rarely")
STRENGTHS: tuple[str, ...] = ("strong", "light")
STATES: tuple[str, ...] = ("active", "slapend", "breuklijn")
INFLUENCES: tuple[str, ...] = ("positive", "negative", "mixed")
RECIPROCITIES: tuple[str, ...] = ("gives", "receives", "both")
# Where a tie is placed, per level: never a home address.
PLACE_KINDS: dict[str, tuple[str, ...]] = {
    "buurt": ("vindplaats", "place", "street"),
    "stad": ("municipality", "quartier"),
    "translokaal": ("city", "country"),
}
# The citizen's anchor on the map: a quartier, or a place they choose (an OSM place or a vindplaats).
ANCHOR_KINDS: tuple[str, ...] = ("quartier", "place", "vindplaats")
# The same bands as the population blocks (data/schaerbeek_blocks.parquet: age_0_9 ... age_70_plus).
AGE_BANDS: tuple[str, ...] = ("0_9", "10_19", "20_29", "30_39", "40_49", "50_59", "60_69", "70_plus")
# Suggested situation tags and talents (free tags are allowed too; they are keys, not free text about a person).
SITUATIONS: tuple[str, ...] = (
    "newcomer",
    "single_parent",
    "lives_alone",
    "wheelchair",
    "low_income",
    "job_seeker",
    "learning_dutch",
    "caregiver",
    "elderly",
)
TALENTS: tuple[str, ...] = (
    "cooking",
    "gardening",
    "repairs",
    "languages",
    "music",
    "sewing",
    "computers",
    "childcare",
    "sport",
    "listening",
    "greeting",
)

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "level": LEVELS,
    "role": ROLES,
    "capital": CAPITALS,
    "function": FUNCTIONS,
    "frequency": FREQUENCIES,
    "strength": STRENGTHS,
    "state": STATES,
    "influence": INFLUENCES,
    "reciprocity": RECIPROCITIES,
    "place_kind": tuple(kind for kinds in PLACE_KINDS.values() for kind in kinds),
    "anchor_kind": ANCHOR_KINDS,
    "age_band": AGE_BANDS,
    "situation": SITUATIONS,
    "talent": TALENTS,
}

# --- declared frame schemas (geometry is a Point in EPSG:4326 besides these columns) ---
CITIZEN_COLUMNS: tuple[str, ...] = (
    "citizen_id",
    "organisation_id",
    "code",  # the short pseudonym shown in the UI (from an HMAC; never a name)
    "age_band",  # one of AGE_BANDS, or "" when not given
    "situations",  # tuple of tags
    "talents",  # tuple of tags
    "interests",  # tuple of place category keys (taxonomy.CATEGORY_KEYS)
    "languages",  # tuple of language codes the citizen speaks (nl, fr, ar, ...)
    "anchor_kind",  # one of ANCHOR_KINDS
    "anchor_ref",  # quartier mdrc, place_id or vindplaats id
    "anchor_label",  # the quartier's or the place's name (never an address)
    "quartier",  # the mdrc of the quartier the anchor lies in ("" outside the 145 quartiers)
    "demo",  # True for invented demo citizens
    "created_at",
    "updated_at",
)
TIE_COLUMNS: tuple[str, ...] = (
    "tie_id",
    "citizen_id",
    "role",
    "capital",
    "functions",  # tuple of FUNCTIONS, at least one
    "frequency",
    "strength",
    "state",
    "influence",
    "reciprocity",
    "level",
    "place_kind",  # one of PLACE_KINDS[level]
    "place_ref",  # vindplaats id, place_id, street name, municipality key, quartier mdrc, geonameid or country code
    "place_label",  # what the map shows: "Josaphatpark", "Evere", "Casablanca (MA)"
)
LINK_COLUMNS: tuple[str, ...] = ("tie_a", "tie_b")  # who knows whom, among one citizen's ties


@dataclass(frozen=True)
class Location:
    """Where a tie (or a citizen's anchor) is placed: a level, a kind of place, a reference, a label and a point."""

    level: str  # one of LEVELS
    place_kind: str  # one of PLACE_KINDS[level] (or an ANCHOR_KINDS entry for an anchor)
    place_ref: str  # vindplaats id, place_id, street name, municipality key, quartier mdrc, geonameid, country code
    label: str  # what the map shows: "Josaphatpark", "Evere", "Casablanca (MA)"
    lon: float
    lat: float


def label_key(vocabulary: str, key: str) -> str:
    """Return the i18n key of a vocabulary entry."""
    return f"{vocabulary}.{key}"


def label(vocabulary: str, key: str, lang: str) -> str:
    """Return the label of a vocabulary entry in `lang` (the key itself for a free tag with no label)."""
    text = t(label_key(vocabulary, key), lang)
    return key if text == label_key(vocabulary, key) else text


def options(vocabulary: str, lang: str) -> list[tuple[str, str]]:
    """Return (key, label) of every entry of a vocabulary, in its order, for a select box."""
    return [(key, label(vocabulary, key, lang)) for key in VOCABULARIES[vocabulary]]


def empty_citizens() -> gpd.GeoDataFrame:
    """Return an empty citizen frame with the declared columns."""
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in CITIZEN_COLUMNS}, geometry=[], crs=CRS)


def empty_ties() -> gpd.GeoDataFrame:
    """Return an empty tie frame with the declared columns."""
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in TIE_COLUMNS}, geometry=[], crs=CRS)
