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
from buurtkaart import caseload as caseload_mod
from buurtkaart import disclosure, settings, vocabulary
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area, buffer_metres, commune_boundary
from buurtkaart.errors import AreaError
from buurtkaart.graph import WalkGraph
from buurtkaart.i18n import t
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
    citizens: str  # how many of the organisation's citizens the unit holds, as it may be shown ("" for a drawn area)
    gaps: pd.DataFrame  # disclosure.caseload_table rows of the unit (empty for a drawn area)
    unknown: gpd.GeoDataFrame  # caseload_mod.unknown_places in the unit, counted over all the citizens
    talents: pd.DataFrame  # caseload_mod.talent_matches of the needs in the unit, counted over all the citizens
    unit: str | None = None  # disclosure.COMMUNE, a group ("group:west"), a quartier code, or None for a drawn area


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
    unit: str | None = None,
    caseload: pd.DataFrame | None = None,
) -> AreaAnalysis:
    """Return the buurtanalyse of the area inside `boundary`, walking over all of `region`'s streets.

    Caseload figures are given for a fixed `unit` only (disclosure.COMMUNE or a quartier code), from the
    protected table `caseload` (made here when not given); an area without a unit (drawn) gets none.

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
    unit
        The fixed unit the area is (``area_unit``): the commune, a quartier code, or None for a drawn area.
    caseload
        The protected table of every unit (``caseload_table``), to reuse between areas.

    Returns
    -------
    AreaAnalysis
        Walking access, place counts, sentences and the caseload; every figure about citizens is already
        protected by ``disclosure`` (primary and complementary suppression).

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
    area_items = live_items[shapely.contains_xy(boundary, live_items.geometry.x, live_items.geometry.y)]
    shown = _caseload(unit, caseload, region, citizens, all_ties, area_items, live_items, boundary, walk, lang)
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
        **shown,
    )


def caseload_table(region: Area, citizens: gpd.GeoDataFrame | None, all_ties: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Return the protected caseload figures of the commune and every quartier of `region` (disclosure rules)."""
    people = vocabulary.empty_citizens() if citizens is None else citizens
    profiles = caseload_mod.citizen_profiles(people, vocabulary.empty_ties() if all_ties is None else all_ties)
    codes = region.quartiers["mdrc"].astype(str).tolist()
    return disclosure.caseload_table(profiles, quartiers=codes, commune=_commune(region))


def _caseload(
    unit: str | None,
    caseload: pd.DataFrame | None,
    region: Area,
    citizens: gpd.GeoDataFrame | None,
    all_ties: gpd.GeoDataFrame | None,
    area_items: gpd.GeoDataFrame,
    live_items: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    walk: WalkGraph,
    lang: str,
) -> dict[str, object]:
    """Return the caseload fields of an AreaAnalysis: the unit's protected rows, places and talents; none when drawn."""
    if unit is None:
        empty_places = caseload_mod.unknown_places(vocabulary.empty_ties(), None)
        return {"citizens": "", "gaps": pd.DataFrame(columns=list(disclosure.TABLE_COLUMNS)), "unknown": empty_places,
                "talents": caseload_mod.talent_matches(vocabulary.empty_citizens(), None, walk), "unit": None}  # fmt: skip
    table = caseload_table(region, citizens, all_ties) if caseload is None else caseload
    gaps = disclosure.unit_rows(table, unit, commune=_commune(region))
    first = gaps.iloc[0]
    people = vocabulary.empty_citizens() if citizens is None else citizens
    return {
        "citizens": t("sdc.hidden", lang) if first["suppressed"] else str(first["citizens"]),
        "gaps": gaps,
        "unknown": caseload_mod.unknown_places(_ties_in(all_ties, boundary), live_items),
        "talents": caseload_mod.talent_matches(people, area_items, walk),
        "unit": unit,
    }


def _commune(region: Area) -> tuple[str, ...]:
    """Return the quartier codes of the default commune in `region`."""
    return disclosure.commune_quartiers(region.quartiers, commune_boundary())


def area_unit(kind: str, quartier: object = None) -> str | None:
    """Return the fixed unit of an area the analyse page offers: the commune, a group of quartiers ("group" with
    its name as `quartier`), a quartier code, or None (drawn)."""
    if kind == "commune":
        return disclosure.COMMUNE
    if kind == "group" and str(quartier) in disclosure.GROUPS:
        return disclosure.GROUP_PREFIX + str(quartier)
    if kind == "quartier" and quartier is not None:
        return str(quartier)
    return None


def group_boundary(region: Area, name: str) -> shapely.Geometry:
    """Return the outline of a fixed group of quartiers (disclosure.GROUPS) of the commune: its quartiers' union."""
    codes = disclosure.commune_groups(_commune(region)).get(name)
    if not codes:
        msg = f"no group of quartiers {name!r}; the groups are {sorted(disclosure.GROUPS)}"
        raise KeyError(msg)
    quartiers = region.quartiers
    return shapely.union_all(quartiers.loc[quartiers["mdrc"].astype(str).isin(codes)].geometry.to_numpy())


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


def _ties_in(all_ties: gpd.GeoDataFrame | None, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the ties placed in the area (of any citizen: a place's count does not depend on the area)."""
    if all_ties is None or all_ties.empty:
        return vocabulary.empty_ties()
    return all_ties[shapely.contains_xy(boundary, all_ties.geometry.x, all_ties.geometry.y)]
