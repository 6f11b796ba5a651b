"""Finding your way on the map: the street nearest a point, where a point lies, street labels and search in an area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import area as area_mod
from buurtkaart import names, settings
from buurtkaart import places as places_mod
from buurtkaart.area import Area

CRS = settings.CRS
SEARCH_COLUMNS = ("id", "label", "source", "detail", "address", "street", "quartier", "commune")
_CACHE_SIZE = 8  # street indexes kept (one per area's street frame: the commune, the region, a loaded area)


@dataclass(frozen=True)
class _StreetIndex:
    """The named streets of an area in the metric CRS, with a spatial index on them."""

    tree: shapely.STRtree
    names: np.ndarray


_INDEXES: dict[int, tuple[gpd.GeoDataFrame, _StreetIndex | None]] = {}  # id(street frame) -> (the frame, its index)


def _street_index(area: Area) -> _StreetIndex | None:
    """Return the index of the area's named streets (built once per street frame), None when it has none."""
    edges = area.street_edges
    kept = _INDEXES.get(id(edges))
    if kept is not None and kept[0] is edges:
        return kept[1]
    index = None
    if "name" in edges.columns and len(edges):
        named = edges[edges["name"].fillna("").astype(str).str.strip() != ""]
        if len(named):
            geoms = area_mod.to_metric(np.asarray(named.geometry.values, dtype=object))
            index = _StreetIndex(shapely.STRtree(geoms), named["name"].astype(str).to_numpy())
    if len(_INDEXES) >= _CACHE_SIZE:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(edges)] = (edges, index)  # the frame is kept with its index, so its id cannot be reused meanwhile
    return index


def nearest_streets(area: Area, lon: Sequence[float], lat: Sequence[float], *, max_metres: float | None = settings.NEAREST_STREET_M) -> list[str | None]:
    """Return the name of the named street nearest to each point (None where none lies within `max_metres`)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out: list[str | None] = [None] * len(lon)
    index = _street_index(area)
    if index is None or not len(lon):
        return out
    points = area_mod.to_metric(shapely.points(lon, lat))
    where = index.tree.query_nearest(points, max_distance=max_metres, all_matches=False)
    for point, street in zip(*where, strict=True):
        out[int(point)] = str(index.names[int(street)])
    return out


def nearest_street(area: Area, lon: float, lat: float, *, max_metres: float | None = settings.NEAREST_STREET_M) -> str | None:
    """Return the name of the named street nearest to a point (lon, lat in degrees), None when none is that close.

    Example
    -------
    >>> nearest_street(load_embedded(), 4.3795, 50.8674)  # doctest: +SKIP
    'Avenue Louis Bertrand - Louis Bertrandlaan'
    """
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return None
    return nearest_streets(area, [lon], [lat], max_metres=max_metres)[0]


def find_place(area: Area, place_id: str) -> pd.Series | None:
    """Return the place of `area` with this id (a row of its places), or None when it has none by that id."""
    found = area.places.loc[area.places["place_id"] == str(place_id)]
    return None if found.empty else found.iloc[0]


def quartiers_at(area: Area, lon: Sequence[float], lat: Sequence[float], *, lang: str) -> list[str]:
    """Return the name (in `lang`: French in French, else Dutch) of the quartier each point lies in ("" outside every one)."""
    quartiers = area.quartiers
    out = [""] * len(lon)
    column = "name_fr" if lang == "fr" else "name_nl"
    if quartiers.empty or column not in quartiers.columns or not len(lon):
        return out
    where = quartiers.sindex.query(shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)), predicate="within")
    labels = quartiers[column].fillna("").astype(str).to_numpy()
    for point, quartier in zip(*where, strict=True):
        out[int(point)] = out[int(point)] or labels[int(quartier)]
    return out


def communes_at(lon: Sequence[float], lat: Sequence[float]) -> list[str]:
    """Return the commune each point lies in, where our data knows it: the default commune's outline; "" elsewhere."""
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    if not len(points):
        return []
    inside = shapely.contains_xy(area_mod.commune_boundary(), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return [area_mod.DEFAULT_COMMUNE if i else "" for i in inside]


def whereabouts(quartier: str, commune: str) -> str:
    """Return "quartier, commune" (either may be missing)."""
    return ", ".join(p for p in (quartier, commune) if p)


def search(area: Area, query: str, *, lang: str = "nl", limit: int = 10, streets: bool = True) -> gpd.GeoDataFrame:
    """Return the places (then the streets) of `area` whose name matches `query`, each with its address and commune.

    Only what lies in the area is found (a commune's search never shows a namesake elsewhere in Brussels).

    Parameters
    ----------
    area
        The area searched (the commune, the region or a loaded area); its places and the streets that cross its outline.
    query
        What was typed, in any script (``names.fold``).
    lang
        The language of the quartier names.
    limit
        The most hits returned.
    streets
        Also find streets by name (after the places).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id`` (the place's own id, ``street:<name>`` for a street), ``label`` (the name), ``source`` ("place" or
        "street"), ``address`` (OSM's street and number, "" when OSM has none), ``street`` (the nearest street),
        ``detail`` (the address, else the nearest street), ``quartier``, ``commune`` and the point.

    Example
    -------
    >>> search(schaerbeek, "wash", lang="nl")[["label", "detail", "commune"]]  # doctest: +SKIP
    """
    if not names.fold(query):
        return _hits([])
    hits = []
    found = places_mod.search(area.places, query, limit=limit)
    if len(found):
        address = found["address"].fillna("").astype(str).tolist() if "address" in found.columns else [""] * len(found)
        near = nearest_streets(area, found.geometry.x, found.geometry.y, max_metres=None)
        for row, addr, street in zip(found.itertuples(), address, near, strict=True):
            hits.append((str(row.place_id), str(row.name), "place", addr, street or "", row.geometry))
    if streets and len(hits) < limit and "name" in area.street_edges.columns and len(area.street_edges):
        edges = area.street_edges[["name", "geometry"]].dropna(subset=["name"])
        edges = edges[names.match(edges["name"].astype(str), query) != names.NO_MATCH]
        edges = edges.iloc[np.sort(edges.sindex.query(area.boundary, predicate="intersects"))] if len(edges) else edges
        for name, group in edges.groupby("name", sort=True):
            line = group.geometry.union_all()
            inside = line.intersection(area.boundary)
            hits.append((f"street:{name}", str(name), "street", "", str(name), shapely.point_on_surface(inside if not inside.is_empty else line)))
    return _hits(hits[:limit], area=area, lang=lang)


def _hits(hits: list[tuple], *, area: Area | None = None, lang: str = "nl") -> gpd.GeoDataFrame:
    """Return search hits (id, label, source, address, street, point) as a frame with where each lies."""
    if not hits:
        return gpd.GeoDataFrame({k: pd.Series(dtype="str") for k in SEARCH_COLUMNS}, geometry=[], crs=CRS)
    points = [h[5] for h in hits]
    lon, lat = [p.x for p in points], [p.y for p in points]
    quartiers = quartiers_at(area, lon, lat, lang=lang) if area is not None else [""] * len(hits)
    return gpd.GeoDataFrame(
        {
            "id": [h[0] for h in hits],
            "label": [h[1] for h in hits],
            "source": [h[2] for h in hits],
            "detail": [h[3] or (h[4] if h[2] == "place" else "") for h in hits],
            "address": [h[3] for h in hits],
            "street": [h[4] for h in hits],
            "quartier": quartiers,
            "commune": communes_at(lon, lat),
        },
        geometry=points,
        crs=CRS,
    )


def street_labels(area: Area, *, min_length: float = 60.0, spacing: float = 300.0) -> gpd.GeoDataFrame:
    """Return where to write street names on the map: one point per named street every `spacing` metres, and its angle.

    Each label sits at the middle of a street segment at least `min_length` metres long; `angle` is the
    clockwise rotation (degrees, -90..90, so the text never reads upside down) that lays the text along it;
    `weight` (the segment's length in 50 m steps) says which label the map writes where labels would overlap.
    """
    empty = gpd.GeoDataFrame(
        {"name": pd.Series(dtype="str"), "angle": pd.Series(dtype="int"), "weight": pd.Series(dtype="int")}, geometry=[], crs=CRS
    )
    edges = area.street_edges
    if "name" not in edges.columns or edges.empty:
        return empty
    edges = edges[edges["name"].fillna("").astype(str).str.strip() != ""]
    if edges.empty:
        return empty
    lines = area_mod.to_metric(np.asarray(edges.geometry.values, dtype=object))
    length = shapely.length(lines)
    keep = length >= min_length
    lines, length, labels = lines[keep], length[keep], edges["name"].astype(str).to_numpy()[keep]
    mid = shapely.line_interpolate_point(lines, 0.5, normalized=True)
    before = shapely.line_interpolate_point(lines, np.maximum(length / 2 - 10, 0))
    after = shapely.line_interpolate_point(lines, np.minimum(length / 2 + 10, length))
    dx = shapely.get_x(after) - shapely.get_x(before)
    dy = shapely.get_y(after) - shapely.get_y(before)
    angle = -np.degrees(np.arctan2(dy, dx))  # screen y points down: a street rising to the east turns anticlockwise
    angle = (angle + 90) % 180 - 90
    x, y = shapely.get_x(mid), shapely.get_y(mid)
    chosen = []
    order = np.lexsort((-length, labels))  # per name, the longest segments first
    start = 0
    while start < len(order):
        stop = start
        while stop < len(order) and labels[order[stop]] == labels[order[start]]:
            stop += 1
        kept: list[int] = []
        for i in order[start:stop]:
            if all((x[i] - x[k]) ** 2 + (y[i] - y[k]) ** 2 >= spacing**2 for k in kept):
                kept.append(int(i))
        chosen.extend(kept)
        start = stop
    chosen_idx = np.asarray(sorted(chosen), dtype=int)
    points = area_mod.from_metric(mid[chosen_idx]) if len(chosen_idx) else np.asarray([], dtype=object)
    weight = np.minimum(np.round(length[chosen_idx] / 50), 99).astype(int)  # 50 m steps: which label wins a crowded spot
    return gpd.GeoDataFrame(
        {"name": labels[chosen_idx], "angle": np.round(angle[chosen_idx]).astype(int), "weight": weight}, geometry=list(points), crs=CRS
    )
