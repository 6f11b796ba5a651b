"""Map OpenStreetMap tags to the categories of social places that matter to outreach work."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

OTHER = "other"


@dataclass(frozen=True)
class Category:
    """One category of social place: its key, map colour and icon (labels live in i18n)."""

    key: str
    colour: str
    icon: str


CATEGORIES: tuple[Category, ...] = (
    Category("meeting", "#c0392b", "🤝"),
    Category("cafe", "#d35400", "☕"),
    Category("worship", "#8e44ad", "🛐"),
    Category("park", "#27ae60", "🌳"),
    Category("playground", "#f1c40f", "🛝"),
    Category("sport", "#16a085", "⚽"),
    Category("learning", "#2980b9", "📚"),
    Category("care", "#e84393", "🩺"),
    Category("market", "#b7950b", "🛒"),
    Category("culture", "#6c5ce7", "🎭"),
    Category("public", "#34495e", "🏛"),
    Category(OTHER, "#7f8c8d", "•"),
)
CATEGORY_KEYS: tuple[str, ...] = tuple(c.key for c in CATEGORIES)
_BY_KEY = {c.key: c for c in CATEGORIES}

# (OSM key, OSM value or "*" for any value, category). The first rule that matches wins,
# so specific rules come before broad ones ("amenity=marketplace" before "shop=*").
RULES: tuple[tuple[str, str, str], ...] = (
    ("amenity", "community_centre", "meeting"),
    ("amenity", "social_centre", "meeting"),
    ("amenity", "senior_center", "meeting"),
    ("community_centre", "*", "meeting"),
    ("amenity", "cafe", "cafe"),
    ("amenity", "bar", "cafe"),
    ("amenity", "pub", "cafe"),
    ("amenity", "biergarten", "cafe"),
    ("amenity", "restaurant", "cafe"),
    ("amenity", "fast_food", "cafe"),
    ("amenity", "ice_cream", "cafe"),
    ("amenity", "food_court", "cafe"),
    ("amenity", "place_of_worship", "worship"),
    ("leisure", "park", "park"),
    ("leisure", "garden", "park"),
    ("leisure", "nature_reserve", "park"),
    ("landuse", "recreation_ground", "park"),
    ("landuse", "grass", "park"),
    ("landuse", "forest", "park"),
    ("landuse", "meadow", "park"),
    ("natural", "wood", "park"),
    ("amenity", "bench", "park"),
    ("leisure", "playground", "playground"),
    ("leisure", "sports_centre", "sport"),
    ("leisure", "sports_hall", "sport"),
    ("leisure", "pitch", "sport"),
    ("leisure", "fitness_centre", "sport"),
    ("leisure", "fitness_station", "sport"),
    ("leisure", "swimming_pool", "sport"),
    ("leisure", "stadium", "sport"),
    ("leisure", "track", "sport"),
    ("leisure", "dance", "sport"),
    ("club", "sport", "sport"),
    ("sport", "*", "sport"),
    ("amenity", "library", "learning"),
    ("amenity", "public_bookcase", "learning"),
    ("amenity", "school", "learning"),
    ("amenity", "kindergarten", "learning"),
    ("amenity", "childcare", "learning"),
    ("amenity", "college", "learning"),
    ("amenity", "university", "learning"),
    ("amenity", "language_school", "learning"),
    ("amenity", "training", "learning"),
    ("amenity", "social_facility", "care"),
    ("social_facility", "*", "care"),
    ("amenity", "doctors", "care"),
    ("amenity", "doctor", "care"),
    ("amenity", "dentist", "care"),
    ("amenity", "pharmacy", "care"),
    ("amenity", "clinic", "care"),
    ("amenity", "hospital", "care"),
    ("healthcare", "*", "care"),
    ("amenity", "marketplace", "market"),
    ("shop", "*", "market"),
    ("craft", "*", "market"),
    ("amenity", "arts_centre", "culture"),
    ("amenity", "theatre", "culture"),
    ("amenity", "cinema", "culture"),
    ("tourism", "museum", "culture"),
    ("tourism", "gallery", "culture"),
    ("leisure", "bandstand", "culture"),
    ("amenity", "townhall", "public"),
    ("amenity", "post_office", "public"),
    ("amenity", "police", "public"),
    ("amenity", "fire_station", "public"),
    ("amenity", "courthouse", "public"),
    ("amenity", "bank", "public"),
    ("amenity", "toilets", "public"),
    ("office", "government", "public"),
    ("tourism", "information", "public"),
)

# The OSM keys the rules read, in a stable order (also the tags asked of osmnx/pyrosm).
TAG_KEYS: tuple[str, ...] = tuple(dict.fromkeys(key for key, _, _ in RULES))


def category(key: str) -> Category:
    """Return the category with this key ("other" for an unknown key)."""
    return _BY_KEY.get(key, _BY_KEY[OTHER])


def classify(tags: dict[str, object]) -> tuple[str, str]:
    """Return (category, "key=value" of the tag that decided it) for one place's OSM tags."""
    for key, value, cat in RULES:
        found = tags.get(key)
        if isinstance(found, str) and found and (value == "*" or found == value):
            return cat, f"{key}={found}"
    return OTHER, _first_tag(tags)


def classify_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a frame with columns `category` and `osm_tag` for every row of OSM tag columns."""
    category_col = pd.Series(pd.NA, index=df.index, dtype="object")
    tag_col = pd.Series(pd.NA, index=df.index, dtype="object")
    for key, value, cat in RULES:
        if key not in df.columns:
            continue
        values = df[key].where(df[key].map(lambda v: isinstance(v, str) and v != ""))
        hit = values.notna() & category_col.isna()
        if value != "*":
            hit &= values == value
        category_col[hit] = cat
        tag_col[hit] = key + "=" + values[hit].astype(str)
    unmatched = category_col.isna()
    category_col[unmatched] = OTHER
    if unmatched.any():
        tag_col[unmatched] = df.loc[unmatched].apply(lambda row: _first_tag(row.to_dict()), axis=1)
    return pd.DataFrame({"category": category_col.astype(str), "osm_tag": tag_col.fillna("")})


def _first_tag(tags: dict[str, object]) -> str:
    """Return the first typical feature tag as "key=value", or "" when there is none."""
    for key in ("amenity", "leisure", "shop", "tourism", "craft", "office", "building"):
        found = tags.get(key)
        if isinstance(found, str) and found:
            return f"{key}={found}"
    return ""
