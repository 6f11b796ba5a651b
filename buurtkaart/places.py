"""Social places: one declared schema, built from OSM features, searched and clipped."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import names, settings
from buurtkaart.taxonomy import classify_frame

CRS = settings.CRS
# The schema of a places GeoDataFrame (column -> dtype), besides `geometry` (Points, EPSG:4326).
SCHEMA: dict[str, str] = {
    "place_id": "str",
    "name": "str",
    "category": "str",
    "osm_tag": "str",
    "religion": "str",
    "opening_hours": "str",
    "wheelchair": "str",
    "address": "str",
}
_ADDRESS_KEYS = ("addr:street", "addr:housenumber", "addr:postcode", "addr:city")


def empty() -> gpd.GeoDataFrame:
    """Return a places GeoDataFrame with the schema and no rows."""
    return gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in SCHEMA}, geometry=[], crs=CRS)


def from_osm(features: gpd.GeoDataFrame, *, id_prefix: str = "osm") -> gpd.GeoDataFrame:
    """Return places (the schema) from OSM features with one column per tag.

    Polygons and lines become their representative point; every place is classified
    with the taxonomy, unknown tags falling into "other".
    """
    if features.empty:
        return empty()
    features = features.to_crs(CRS) if features.crs is not None else features.set_crs(CRS)
    features = features[features.geometry.notna() & ~features.geometry.is_empty]
    cats = classify_frame(features)
    informative = (cats["osm_tag"] != "") | (_text(features, "name") != "")
    features, cats = features[informative.to_numpy()], cats[informative.to_numpy()]
    geometry = shapely.point_on_surface(features.geometry.values)
    ids = [f"{id_prefix}:{_id_text(i)}" for i in features.index]
    places = gpd.GeoDataFrame(
        {
            "place_id": ids,
            "name": _text(features, "name"),
            "category": cats["category"].to_numpy(),
            "osm_tag": cats["osm_tag"].to_numpy(),
            "religion": _text(features, "religion"),
            "opening_hours": _text(features, "opening_hours"),
            "wheelchair": _text(features, "wheelchair"),
            "address": _address(features),
        },
        geometry=geometry,
        crs=CRS,
    )
    return places.drop_duplicates("place_id").reset_index(drop=True)


def validate(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `places` unchanged if it has the schema; raise ValueError naming what is wrong."""
    missing = [c for c in SCHEMA if c not in places.columns]
    if missing:
        msg = f"Places lack the columns {missing!r}."
        raise ValueError(msg)
    if places.crs is None or places.crs.to_epsg() != 4326:
        msg = f"Places must be in {CRS}, not {places.crs!r}."
        raise ValueError(msg)
    if len(places) and not (places.geom_type == "Point").all():
        msg = "Places must be Points."
        raise ValueError(msg)
    return places


def search(places: gpd.GeoDataFrame, query: str, *, limit: int = 50) -> gpd.GeoDataFrame:
    """Return the places whose name matches `query`, best first, then by name.

    Parameters
    ----------
    places
        A places frame (``SCHEMA``).
    query
        What was typed, in any script; case, accents and punctuation are ignored (``names.fold``).
    limit
        The most places returned.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching places: names that start with the query, then names with a word that does, then the others.

    Example
    -------
    >>> search(load_embedded().places, "maison des femmes", limit=5)  # doctest: +SKIP
    """
    ranks = names.match(places["name"], query)
    hits = ranks != names.NO_MATCH
    found = places[hits].assign(_rank=ranks[hits])
    found = found.sort_values(["_rank", "name"], kind="stable").drop(columns="_rank")
    return found.head(limit)


def within(places: gpd.GeoDataFrame, polygon: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the places inside `polygon` (EPSG:4326), using the spatial index."""
    idx = places.sindex.query(polygon, predicate="intersects")
    return places.iloc[np.sort(idx)]


def counts(places: gpd.GeoDataFrame) -> dict[str, int]:
    """Return the number of places per category."""
    return places["category"].value_counts().to_dict()


def _text(df: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as clean strings ("" where missing), or all "" if absent."""
    if column not in df.columns:
        return np.full(len(df), "", dtype=object)
    return df[column].map(lambda v: v.strip() if isinstance(v, str) else "").to_numpy(dtype=object)


def _address(df: pd.DataFrame) -> np.ndarray:
    """Return "street number, postcode city" from the addr:* tags, "" where unknown."""
    parts = {k: _text(df, k) for k in _ADDRESS_KEYS}
    out = []
    for street, number, postcode, city in zip(*parts.values(), strict=True):
        first = " ".join(p for p in (street, number) if p)
        second = " ".join(p for p in (postcode, city) if p)
        out.append(", ".join(p for p in (first, second) if p))
    return np.array(out, dtype=object)


def _id_text(index_value: object) -> str:
    """Return an index value (an osmnx (type, id) pair or a plain id) as "type/id" text."""
    if isinstance(index_value, tuple):
        return "/".join(str(v) for v in index_value)
    return str(index_value)
