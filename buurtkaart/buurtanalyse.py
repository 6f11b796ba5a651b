"""The buurtanalyse of one area (a quartier, a commune or a drawn polygon): walking access to each kind of
place, and the gaps of the organisation's caseload there, in one result a page, a report or the CLI shows.

Distances are walked over the whole region's streets, so that a place just across the area's edge counts;
figures are then taken over the area's own blocks, street nodes and citizens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import accessibility as access
from buurtkaart import caseload, settings, vocabulary
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area, buffer_metres
from buurtkaart.errors import AreaError
from buurtkaart.graph import WalkGraph
from buurtkaart.taxonomy import CATEGORY_KEYS

HEADLINE_KEYS: tuple[str, ...] = ("meeting", access.VINDPLAATS)  # the kinds the report puts in sentences
PLACE_COUNT_COLUMNS: tuple[str, ...] = ("key", "in_area", "median_m", "p90_m", "unreachable_nodes")


@dataclass(frozen=True, eq=False)
class AreaAnalysis:
    """Everything the buurtanalyse of an area shows; every figure about citizens is already suppressed below 5."""

    name: str
    boundary: shapely.Geometry
    made_at: datetime
    access: access.Accessibility
    keys: tuple[str, ...]
    figures: pd.DataFrame  # accessibility.FIGURE_COLUMNS, over the blocks in the area
    places: pd.DataFrame  # PLACE_COUNT_COLUMNS: places of each kind in the area, walking distances of its nodes
    sentences: list[str]
    has_population: bool
    citizens: str  # how many of the organisation's citizens are anchored in the area, as it may be shown
    gaps: pd.DataFrame  # caseload.caseload_gaps of those citizens
    unknown: gpd.GeoDataFrame  # caseload.unknown_places named by those citizens
    talents: pd.DataFrame  # caseload.talent_matches of those citizens and the needs in the area


def analyse_area(
    name: str,
    boundary: shapely.Geometry,
    *,
    region: Area,
    walk: WalkGraph,
    blocks: gpd.GeoDataFrame | None = None,
    items: gpd.GeoDataFrame | None = None,
    citizens: gpd.GeoDataFrame | None = None,
    all_ties: gpd.GeoDataFrame | None = None,
    settings: access.AccessSettings | None = None,
    lang: str = "nl",
    sources: access.Sources | None = None,
) -> AreaAnalysis:
    """Return the buurtanalyse of the area inside `boundary`, walking over all of `region`'s streets.

    Parameters
    ----------
    name, boundary
        The area's name and polygon (EPSG:4326): the commune, a quartier or a drawn area.
    region, walk
        The whole region and its walking graph: distances may cross the area's edge.
    blocks
        The population blocks (``area.population_blocks()``), for residents per age group.
    items, citizens, all_ties
        The organisation's map, citizens and all their ties (None: no caseload figures).
    settings
        Thresholds and walking speeds (``accessibility.access_settings``).
    lang
        The language of the sentences.
    sources
        The region's places already snapped (``region_sources``), to reuse between areas.

    Returns
    -------
    AreaAnalysis
        Walking access, place counts, sentences and the caseload; every figure about citizens is already
        suppressed below ``settings.MIN_GROUP``.

    Raises
    ------
    AreaError
        The area has no street.

    Example
    -------
    >>> result = analyse_area("Schaerbeek", commune_boundary(), region=region, walk=walk_graph(region))  # doctest: +SKIP
    >>> html = report.area_report(result, region)  # doctest: +SKIP
    """
    inside_nodes = shapely.contains_xy(boundary, walk.lon, walk.lat)
    if not inside_nodes.any():
        raise AreaError("error.area_no_streets", name=name)
    live_items = vp.live(items)
    if sources is None:
        sources = region_sources(walk, region, live_items)
    area_blocks = _blocks_in(blocks, boundary)
    acc = access.analyse_access(walk, sources, blocks=area_blocks if len(area_blocks) else None, settings=settings)
    people = _citizens_in(citizens, boundary)
    people_ties = _ties_of(all_ties, people)
    profiles = caseload.citizen_profiles(people, people_ties)
    area_items = live_items[shapely.contains_xy(boundary, live_items.geometry.x, live_items.geometry.y)]
    return AreaAnalysis(
        name=name,
        boundary=boundary,
        made_at=datetime.now(UTC),
        access=acc,
        keys=acc.keys,
        figures=access.figures(acc),
        places=place_counts(acc, region.places, vp.live(live_items, "vindplaats"), boundary, inside_nodes),
        sentences=access.sentences(acc, lang=lang, keys=HEADLINE_KEYS, with_far_places=False),
        has_population=len(area_blocks) > 0,
        citizens=caseload.shown_count(len(people)),
        gaps=caseload.caseload_gaps(profiles),
        unknown=caseload.unknown_places(people_ties, live_items),
        talents=caseload.talent_matches(people, area_items, walk),
    )


def area_streets(region: Area, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the region's streets in and just around the area (settings.ANALYSE_STREETS_M), for its map and report."""
    around = buffer_metres(boundary, settings.ANALYSE_STREETS_M)
    edges = region.street_edges
    return edges.iloc[np.sort(edges.sindex.query(around, predicate="intersects"))]


def region_sources(walk: WalkGraph, region: Area, items: gpd.GeoDataFrame | None) -> access.Sources:
    """Return the region's places and the team's live vindplaatsen snapped to the walking graph (once per set of them)."""
    vindplaatsen = vp.live(items, "vindplaats")
    extra = {access.VINDPLAATS: vindplaatsen} if len(vindplaatsen) else None
    return access.snap_sources(walk, region.places, categories=CATEGORY_KEYS, extra_sources=extra)


def summary_row(result: AreaAnalysis) -> dict[str, object]:
    """Return the headline figures of an area as one flat row (for a CSV over many areas)."""
    row: dict[str, object] = {"area": result.name, "citizens": result.citizens}
    places = result.places.set_index("key")
    for key in result.keys:
        row[f"{key}_in_area"] = int(places.loc[key, "in_area"])
        row[f"{key}_median_m"] = None if pd.isna(places.loc[key, "median_m"]) else round(float(places.loc[key, "median_m"]))
    figures = result.figures[result.figures["key"].isin(HEADLINE_KEYS)]
    for fig in figures.itertuples():
        row[f"{fig.key}_{fig.group}_beyond"] = None if pd.isna(fig.residents_beyond) else int(fig.residents_beyond)
    overall = result.gaps.iloc[0] if len(result.gaps) else None
    for function in vocabulary.FUNCTIONS:
        value = None if overall is None else overall[f"lacking_{function}"]
        row[f"lacking_{function}"] = None if value is None or pd.isna(value) else round(float(value), 3)
    return row


def place_counts(
    acc: access.Accessibility,
    places: gpd.GeoDataFrame,
    vindplaatsen: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    inside_nodes: np.ndarray,
) -> pd.DataFrame:
    """Return per kind: how many places lie in the area, and the walking distance from its street nodes."""
    in_area = places[shapely.contains_xy(boundary, places.geometry.x, places.geometry.y)]
    counts = in_area["category"].value_counts()
    rows = []
    for key in acc.keys:
        if key == access.VINDPLAATS:
            n = int(shapely.contains_xy(boundary, vindplaatsen.geometry.x, vindplaatsen.geometry.y).sum())
        else:
            n = int(counts.get(key, 0))
        row = {"key": key, "in_area": n, "median_m": np.nan, "p90_m": np.nan, "unreachable_nodes": 0}
        if key in acc.distance:
            d = acc.distance[key][inside_nodes]
            reachable = d[np.isfinite(d)]
            row["unreachable_nodes"] = int(len(d) - len(reachable))
            if len(reachable):
                row["median_m"], row["p90_m"] = np.percentile(reachable, [50, 90])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(PLACE_COUNT_COLUMNS))


def _blocks_in(blocks: gpd.GeoDataFrame | None, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the population blocks whose inner point lies in the area."""
    if blocks is None or blocks.empty:
        return gpd.GeoDataFrame(geometry=[], crs=settings.CRS)
    inner = blocks.geometry.representative_point()
    return blocks[shapely.contains_xy(boundary, inner.x, inner.y)]


def _citizens_in(citizens: gpd.GeoDataFrame | None, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the citizens anchored in the area."""
    if citizens is None or citizens.empty:
        return vocabulary.empty_citizens()
    return citizens[shapely.contains_xy(boundary, citizens.geometry.x, citizens.geometry.y)]


def _ties_of(all_ties: gpd.GeoDataFrame | None, people: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the ties of these citizens."""
    if all_ties is None or all_ties.empty:
        return vocabulary.empty_ties()
    return all_ties[all_ties["citizen_id"].isin(people["citizen_id"])]
