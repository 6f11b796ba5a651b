"""Walking accessibility: how far, over the streets, each street node and each populated block is from the
nearest place of a kind (a place category, or the team's own vindplaatsen).

How it works, per area:
1. `snap_sources`: every place is snapped once to its nearest street node (one k-d tree query for all places);
   the distinct source nodes of each kind are kept. Cache it per area, like the walking graph.
2. `distances_to`: one multi-source Dijkstra pass per kind (`graph.distances_from`) gives the walking distance
   from every node to the nearest place of that kind. inf = no such place can be reached over the streets.
   `analyse_access` calls it for every kind that has places, and ties the blocks to the result (step 3).
3. `snap_blocks`: each populated block is tied to the street nodes around it (within `BLOCK_REACH_M` of its
   outline). A block's walking distance is the mean over those nodes: its residents live along those streets,
   so the mean of the corners is a fair figure for a typical door. Nodes that cannot reach the place are left
   out of the mean; a block none of whose nodes can is "unreachable". A block with no node that close (a big
   park, a railway yard) falls back to its representative point: the distance of the nearest node plus the
   straight line to it.
4. Figures (`figures`, `sentences`) and map layers (`streets_by_distance`, `blocks_beyond`) are read from
   the result. Unreachable nodes and blocks are counted apart, never as 0 or as an infinite distance.

Residents per age group are the sums of the blocks' age bands (`AGE_GROUPS`). The blocks have ten-year bands,
so "elderly" honestly means 60+ (not 65+).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import formats, settings
from buurtkaart.errors import BuurtkaartError
from buurtkaart.graph import WalkGraph, distances_from, snap
from buurtkaart.i18n import TABLE, category_label, t
from buurtkaart.taxonomy import CATEGORY_KEYS
from buurtkaart.vocabulary import AGE_BANDS

VINDPLAATS = "vindplaats"
# Age groups of the population blocks (bands of data/schaerbeek_blocks.parquet, columns "age_<band>").
AGE_GROUPS: dict[str, tuple[str, ...]] = {
    "children": ("0_9",),
    "adults": ("10_19", "20_29", "30_39", "40_49", "50_59"),
    "elderly": ("60_69", "70_plus"),
}
DEFAULT_THRESHOLDS_M: dict[str, float] = {"children": 400.0, "adults": 800.0, "elderly": 400.0}
# Walking speeds in m/s, for the minutes shown next to distances (children: as the adult they walk with).
DEFAULT_SPEEDS_MPS: dict[str, float] = {"children": 1.2, "adults": 1.2, "elderly": 0.9}
DEFAULT_BREAKS_M: tuple[float, ...] = (200.0, 400.0, 800.0)
FAR_SNAP_M = 250.0  # a place further than this from any street node is still snapped, but reported
BLOCK_REACH_M = 30.0  # street nodes within this distance of a block's outline are the block's nodes
UNREACHABLE = "unreachable"
UNREACHABLE_COLOUR = "#757575"
# near (green) to far (red); each has a contrast of at least 3:1 on white (WCAG 1.4.11), none is pale
_RAMP = ("#1b7837", "#4d9221", "#9e7c00", "#d95f02", "#c2410c", "#b2182b")

FIGURE_COLUMNS: dict[str, str] = {
    "key": "str",  # place category or extra source key ("vindplaats")
    "group": "str",  # AGE_GROUPS key
    "threshold_m": "float64",
    "minutes": "Int64",  # walking time of the threshold at the group's speed
    "residents": "Int64",  # residents of the group in all blocks
    "residents_within": "Int64",  # with a known walking distance <= threshold
    "residents_beyond": "Int64",  # with a known walking distance > threshold
    "residents_unreachable": "Int64",  # in blocks not connected to any such place over the streets
    "share_beyond": "float64",  # residents_beyond / residents
    "no_place": "bool",  # no place of this kind in the area (the counts of distances are then NA)
}
SUMMARY_COLUMNS: dict[str, str] = {
    "key": "str",
    "places": "Int64",
    "far_places": "Int64",  # places further than FAR_SNAP_M from any street node
    "source_nodes": "Int64",  # distinct street nodes the places snap to
    "nodes_reachable": "Int64",
    "nodes_unreachable": "Int64",
    "median_m": "float64",  # over the reachable nodes
    "p90_m": "float64",
    "no_place": "bool",
}


class AccessError(BuurtkaartError):
    """Accessibility asked with bad input: a threshold or speed that is not positive, a kind without places."""

    @classmethod
    def no_place(cls, key: str) -> AccessError:
        """Return the error for a kind of place of which the area has none."""
        return cls("error.no_place_of_kind", label=source_label(key, "en"), source=key)

    def shown_values(self, lang: str) -> dict[str, object]:
        """Return the message's values, with the kind of place named in `lang` too."""
        values = dict(self.values)
        if "source" in values:
            values["label"] = source_label(str(values["source"]), lang)
        return values


@dataclass(frozen=True)
class AccessSettings:
    """Thresholds (m) and walking speeds (m/s) per age group, and the distance classes of the street map."""

    thresholds_m: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS_M))
    speeds_mps: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_MPS))
    breaks_m: tuple[float, ...] = DEFAULT_BREAKS_M


@dataclass(frozen=True, eq=False)
class Sources:
    """Places snapped once to a walking graph, per source key (a place category, or e.g. "vindplaats")."""

    keys: tuple[str, ...]
    place_ids: dict[str, np.ndarray]  # key -> id of each place of that kind
    nodes: dict[str, np.ndarray]  # key -> snapped node index of each place (-1: place without coordinates)
    snap_m: dict[str, np.ndarray]  # key -> straight distance in metres from each place to its node
    source_nodes: dict[str, np.ndarray]  # key -> sorted distinct node indices (the Dijkstra sources)


@dataclass(frozen=True, eq=False)
class Blocks:
    """Populated blocks tied to a walking graph: residents per age group and the street nodes around each block."""

    frame: gpd.GeoDataFrame  # the blocks as given (block, sector, age bands, geometry)
    residents: dict[str, np.ndarray]  # group -> residents of each block
    owner: np.ndarray  # block position of each (block, node) entry
    node: np.ndarray  # node index of each entry
    extra_m: np.ndarray  # straight metres added to the node's distance (0 on the outline, > 0 for a fallback)

    @property
    def size(self) -> int:
        """Return the number of blocks."""
        return len(self.frame)


@dataclass(frozen=True, eq=False)
class Accessibility:
    """Walking distances from every node (and block) to the nearest place of each kind analysed."""

    graph: WalkGraph
    sources: Sources
    settings: AccessSettings
    distance: dict[str, np.ndarray]  # key -> metres per node (inf: no place of this kind reachable)
    missing: tuple[str, ...]  # keys analysed that have no place in the area
    blocks: Blocks | None = None
    block_distance: dict[str, np.ndarray] = field(default_factory=dict)  # key -> metres per block (inf: unreachable)

    @property
    def keys(self) -> tuple[str, ...]:
        """Return every key analysed, those without places included."""
        return self.sources.keys


# --------------------------------------------------------------------------- settings and validation


def check_threshold(value: object) -> float:
    """Return a threshold as metres; AccessError "error.threshold_invalid" unless it is a number > 0."""
    metres = _positive(value)
    if metres is None:
        raise AccessError("error.threshold_invalid", value=value)
    return metres


def check_speed(value: object) -> float:
    """Return a walking speed in m/s; AccessError "error.speed_invalid" unless it is a number > 0."""
    speed = _positive(value)
    if speed is None:
        raise AccessError("error.speed_invalid", value=value)
    return speed


def access_settings(
    thresholds_m: Mapping[str, object] | None = None,
    speeds_mps: Mapping[str, object] | None = None,
    breaks_m: Sequence[object] | None = None,
) -> AccessSettings:
    """Return validated settings: the defaults with the given thresholds, speeds and map classes."""
    thresholds = dict(DEFAULT_THRESHOLDS_M)
    speeds = dict(DEFAULT_SPEEDS_MPS)
    for group, value in (thresholds_m or {}).items():
        thresholds[_check_group(group)] = check_threshold(value)
    for group, value in (speeds_mps or {}).items():
        speeds[_check_group(group)] = check_speed(value)
    breaks = DEFAULT_BREAKS_M
    if breaks_m is not None:
        breaks = tuple(sorted({check_threshold(v) for v in breaks_m}))
        if not 1 <= len(breaks) < len(_RAMP):
            raise AccessError("error.breaks_invalid", n=len(_RAMP) - 1)
    return AccessSettings(thresholds_m=thresholds, speeds_mps=speeds, breaks_m=breaks)


# --------------------------------------------------------------------------- snapping


def snap_sources(
    graph: WalkGraph,
    places: gpd.GeoDataFrame,
    *,
    categories: Sequence[str] = CATEGORY_KEYS,
    extra_sources: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> Sources:
    """Return the places of each category (and each extra source, e.g. {"vindplaats": items}) snapped to the graph."""
    extra = dict(extra_sources or {})
    unknown = [key for key in categories if key not in CATEGORY_KEYS]
    if unknown:
        raise AccessError("error.source_unknown", kind=", ".join(map(str, unknown)))
    clash = set(extra) & set(categories)
    if clash:
        msg = f"extra source keys {sorted(clash)} are place categories already"
        raise ValueError(msg)
    keys = tuple(dict.fromkeys([*categories, *extra]))
    frames = [places[places["category"].isin(list(categories))]] if len(categories) else []
    frames += [extra[key] for key in extra]
    groups = [frames[0]["category"].to_numpy(dtype=object)] if len(categories) else []
    groups += [np.full(len(extra[key]), key, dtype=object) for key in extra]
    lon = np.concatenate([_xy(f)[0] for f in frames]) if frames else np.empty(0)
    lat = np.concatenate([_xy(f)[1] for f in frames]) if frames else np.empty(0)
    ids = np.concatenate([_ids(f) for f in frames]) if frames else np.empty(0, dtype=object)
    node, metres = snap(graph, lon, lat)
    codes = pd.Categorical(np.concatenate(groups) if groups else [], categories=list(keys)).codes
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    parts = {key: order[bounds[k] : bounds[k + 1]] for k, key in enumerate(keys)}
    nodes = {key: node[rows] for key, rows in parts.items()}
    return Sources(
        keys=keys,
        place_ids={key: ids[rows] for key, rows in parts.items()},
        nodes=nodes,
        snap_m={key: metres[rows] for key, rows in parts.items()},
        source_nodes={key: np.unique(n[n >= 0]) for key, n in nodes.items()},
    )


def snap_blocks(graph: WalkGraph, blocks: gpd.GeoDataFrame, *, reach_m: float = BLOCK_REACH_M) -> Blocks:
    """Return the populated blocks tied to the street nodes within `reach_m` of their outline (see module doc)."""
    missing = [c for c in ("block", *(f"age_{band}" for band in AGE_BANDS)) if c not in blocks.columns]
    if missing or not isinstance(blocks, gpd.GeoDataFrame):
        raise AccessError("error.blocks_invalid", missing=", ".join(missing) or "geometry")
    geoms = blocks.geometry.values
    if blocks.crs is not None and not blocks.crs.equals(settings.CRS):
        geoms = blocks.to_crs(settings.CRS).geometry.values
    metric = shapely.transform(geoms, lambda xy: graph.metric(xy[:, 0], xy[:, 1]))
    xy = graph.metric(graph.lon[graph.snappable], graph.lat[graph.snappable])
    west, south, east, north = shapely.total_bounds(metric)
    near_blocks = np.flatnonzero(
        (xy[:, 0] >= west - reach_m) & (xy[:, 0] <= east + reach_m) & (xy[:, 1] >= south - reach_m) & (xy[:, 1] <= north + reach_m)
    )  # only the nodes around the blocks become shapely points
    owner, hit = shapely.STRtree(shapely.points(xy[near_blocks])).query(metric, predicate="dwithin", distance=reach_m)
    node = graph.snappable[near_blocks[hit]]
    extra_m = np.zeros(len(node))
    alone = np.setdiff1d(np.flatnonzero(~shapely.is_empty(geoms) & shapely.is_valid_input(geoms)), owner)
    if len(alone):
        inner = shapely.point_on_surface(geoms[alone])
        near, metres = snap(graph, shapely.get_x(inner), shapely.get_y(inner))
        ok = near >= 0
        owner = np.concatenate([owner, alone[ok]])
        node = np.concatenate([node, near[ok]])
        extra_m = np.concatenate([extra_m, metres[ok]])
    residents = {
        group: blocks[[f"age_{band}" for band in bands]].fillna(0).to_numpy(dtype=np.int64).sum(axis=1)
        for group, bands in AGE_GROUPS.items()
    }
    return Blocks(frame=blocks, residents=residents, owner=owner, node=node, extra_m=extra_m)


# --------------------------------------------------------------------------- analysis


def distances_to(graph: WalkGraph, sources: Sources, key: str) -> np.ndarray:
    """Return the walking metres from every node to the nearest place of `key` (one Dijkstra pass)."""
    if key not in sources.source_nodes:
        raise AccessError("error.source_unknown", kind=key)
    nodes = sources.source_nodes[key]
    if len(nodes) == 0:
        raise AccessError.no_place(key)
    return distances_from(graph, nodes)


def analyse_access(
    graph: WalkGraph,
    places: gpd.GeoDataFrame | Sources,
    *,
    categories: Sequence[str] = CATEGORY_KEYS,
    extra_sources: Mapping[str, gpd.GeoDataFrame] | None = None,
    blocks: gpd.GeoDataFrame | Blocks | None = None,
    settings: AccessSettings | None = None,
) -> Accessibility:
    """Return the walking distances to the nearest place of each kind, from every node and every block.

    Parameters
    ----------
    graph
        The walking graph (``graph.walk_graph(area)``).
    places
        The places, or already snapped (``snap_sources``; then `categories` and `extra_sources` are ignored).
    categories
        The place categories to measure.
    extra_sources
        More kinds of place by key, e.g. ``{VINDPLAATS: items}``.
    blocks
        Population blocks (or ``snap_blocks`` of them), for the figures per age group.
    settings
        Thresholds and walking speeds (``access_settings``).

    Returns
    -------
    Accessibility
        The distance per node and kind (inf: unreachable), per block and kind; a kind without places is
        flagged in `missing`.

    Raises
    ------
    AccessError
        The only kind asked for has no place.

    Example
    -------
    >>> acc = analyse_access(walk_graph(region), region.places)  # doctest: +SKIP
    >>> figures(acc)  # doctest: +SKIP
    """
    sources = places if isinstance(places, Sources) else snap_sources(
        graph, places, categories=categories, extra_sources=extra_sources
    )
    if isinstance(blocks, gpd.GeoDataFrame):
        blocks = snap_blocks(graph, blocks)
    distance: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for key in sources.keys:
        if len(sources.source_nodes[key]) == 0:
            missing.append(key)
        else:
            distance[key] = distances_to(graph, sources, key)
    if len(sources.keys) == 1 and missing:
        raise AccessError.no_place(missing[0])
    block_distance = {} if blocks is None else {key: _block_distance(blocks, d) for key, d in distance.items()}
    return Accessibility(
        graph=graph,
        sources=sources,
        settings=settings or AccessSettings(),
        distance=distance,
        missing=tuple(missing),
        blocks=blocks,
        block_distance=block_distance,
    )


def node_distance(acc: Accessibility, key: str) -> np.ndarray:
    """Return the walking metres per node to the nearest place of `key` (inf: unreachable)."""
    _check_key(acc, key)
    return acc.distance[key]


def residents_beyond(acc: Accessibility, key: str, group: str, threshold_m: object = None) -> int:
    """Return the residents of `group` whose block is reachable but more than `threshold_m` walking from `key`."""
    distance, residents = _block_figures(acc, key, group)
    limit = _threshold(acc, group, threshold_m)
    return int(residents[np.isfinite(distance) & (distance > limit)].sum())


def residents_unreachable(acc: Accessibility, key: str, group: str) -> int:
    """Return the residents of `group` in blocks that no place of `key` can reach over the streets."""
    distance, residents = _block_figures(acc, key, group)
    return int(residents[~np.isfinite(distance)].sum())


def figures(acc: Accessibility, groups: Sequence[str] = tuple(AGE_GROUPS), *, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Return residents within, beyond and not connected to each kind, per age group (FIGURE_COLUMNS)."""
    if acc.blocks is None:
        return _typed(pd.DataFrame(columns=list(FIGURE_COLUMNS)), FIGURE_COLUMNS)
    rows = []
    for key in acc.keys if keys is None else [k for k in acc.keys if k in keys]:
        for group in map(_check_group, groups):
            limit = _threshold(acc, group, None)
            residents = acc.blocks.residents[group]
            total = int(residents.sum())
            row = {"key": key, "group": group, "threshold_m": limit, "residents": total}
            row["minutes"] = _minutes(limit, acc.settings.speeds_mps[group])
            if key in acc.missing:
                row.update(residents_within=pd.NA, residents_beyond=pd.NA, residents_unreachable=pd.NA)
                row.update(share_beyond=np.nan, no_place=True)
            else:
                distance = acc.block_distance[key]
                reachable = np.isfinite(distance)
                beyond = int(residents[reachable & (distance > limit)].sum())
                row["residents_within"] = int(residents[reachable & (distance <= limit)].sum())
                row["residents_beyond"] = beyond
                row["residents_unreachable"] = int(residents[~reachable].sum())
                row.update(share_beyond=beyond / total if total else np.nan, no_place=False)
            rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(FIGURE_COLUMNS)), FIGURE_COLUMNS)


def summary(acc: Accessibility) -> pd.DataFrame:
    """Return per kind: places, far places, source nodes, reachable and unreachable nodes, distances (SUMMARY_COLUMNS)."""
    rows = []
    for key in acc.keys:
        snap_m = acc.sources.snap_m[key]
        row = {
            "key": key,
            "places": len(snap_m),
            "far_places": int((snap_m > FAR_SNAP_M).sum()),
            "source_nodes": len(acc.sources.source_nodes[key]),
            "no_place": key in acc.missing,
        }
        if key in acc.distance:
            reachable = acc.distance[key][np.isfinite(acc.distance[key])]
            row.update(nodes_reachable=len(reachable), nodes_unreachable=acc.graph.size - len(reachable))
            row.update(zip(("median_m", "p90_m"), np.percentile(reachable, [50, 90]), strict=True))
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)), SUMMARY_COLUMNS)


def far_places(acc: Accessibility, limit_m: float = FAR_SNAP_M) -> pd.DataFrame:
    """Return the places further than `limit_m` from any street node: key, place_id, snap_m."""
    parts = [
        pd.DataFrame({"key": key, "place_id": acc.sources.place_ids[key][far], "snap_m": acc.sources.snap_m[key][far]})
        for key in acc.keys
        if (far := acc.sources.snap_m[key] > limit_m).any()
    ]
    if not parts:
        return pd.DataFrame({"key": pd.Series(dtype=str), "place_id": pd.Series(dtype=str), "snap_m": []})
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- texts


def source_label(key: str, lang: str) -> str:
    """Return the name of a kind of place in `lang` ("Vindplaats" for the team's vindplaatsen)."""
    if key in CATEGORY_KEYS:
        return category_label(key, lang)
    if key == VINDPLAATS:
        return t("layer.vindplaats", lang)
    return key


def target_phrase(key: str, *, lang: str) -> str:
    """Return "from a place of this kind" as it reads in a sentence in `lang`."""
    own = f"access.to.{key}"
    return t(own, lang) if own in TABLE else t("access.to.any", lang, label=source_label(key, lang))


def sentences(
    acc: Accessibility,
    *,
    lang: str = "nl",
    groups: Sequence[str] = tuple(AGE_GROUPS),
    keys: Sequence[str] | None = None,
    with_far_places: bool = True,
) -> list[str]:
    """Return plain sentences of the figures ("N residents aged 60+ live more than 400 m walking from ..."), for
    every kind analysed or only `keys`; `with_far_places` adds a note on places far from any street (a note on the
    data of the whole graph, not on one area)."""
    out = []
    for row in figures(acc, groups, keys=keys).itertuples(index=False):
        target = target_phrase(row.key, lang=lang)
        group = t(f"access.group.{row.group}", lang)
        if row.no_place:
            if row.group == groups[0]:
                out.append(t("access.sentence.no_place", lang, label=source_label(row.key, lang)))
            continue
        share = "0" if not row.residents else f"{100 * row.share_beyond:.0f}"
        out.append(
            t(
                "access.sentence.beyond",
                lang,
                n=_count(int(row.residents_beyond), lang),
                group=group,
                share=share,
                m=_number(row.threshold_m, lang),
                minutes=row.minutes,
                target=target,
            )
        )
        if row.residents_unreachable:
            n = _count(int(row.residents_unreachable), lang)
            out.append(t("access.sentence.unreachable", lang, n=n, group=group, target=target))
    if not with_far_places:
        return out
    far = far_places(acc)
    for key, count in far[far["key"].isin(keys if keys is not None else acc.keys)].groupby("key", sort=False).size().items():
        out.append(t("access.sentence.far_places", lang, n=count, label=source_label(key, lang), m=int(FAR_SNAP_M)))
    return out


def no_place_message(key: str, *, lang: str = "nl") -> str:
    """Return the flag shown for a kind without places in the area ("no place of this kind in the area")."""
    return t("access.no_place", lang, label=source_label(key, lang))


# --------------------------------------------------------------------------- map layers


def streets_by_distance(acc: Accessibility, edges: gpd.GeoDataFrame, key: str, *, lang: str = "nl") -> gpd.GeoDataFrame:
    """Return the street edges with the walking distance of their midpoint to `key`, a distance class, label and colour."""
    distance = node_distance(acc, key)
    u = acc.graph.index_of(edges["u"].to_numpy(dtype=np.int64))
    v = acc.graph.index_of(edges["v"].to_numpy(dtype=np.int64))
    du = np.where(u >= 0, distance[np.maximum(u, 0)], np.inf)
    dv = np.where(v >= 0, distance[np.maximum(v, 0)], np.inf)
    length = edges["length"].to_numpy(dtype=float)
    middle = np.minimum(du, dv) + length / 2
    speed = acc.settings.speeds_mps["adults"]
    klass, labels, colours = _classes(middle, acc.settings.breaks_m, speed, lang)
    reachable = np.isfinite(middle)
    return gpd.GeoDataFrame(
        {
            "u": edges["u"].to_numpy(),
            "v": edges["v"].to_numpy(),
            "name": edges["name"].to_numpy() if "name" in edges else "",
            "length": length,
            "distance_m": np.where(reachable, middle, np.nan),
            "minutes": pd.array(np.where(reachable, np.round(middle / speed / 60), np.nan), dtype="Int64"),
            "klass": klass,
            "label": labels,
            "colour": colours,
        },
        geometry=edges.geometry.values,
        crs=edges.crs,
    )


def blocks_beyond(
    acc: Accessibility, key: str, group: str, threshold_m: object = None, *, lang: str = "nl"
) -> gpd.GeoDataFrame:
    """Return the blocks whose residents of `group` live beyond the threshold from `key`, or not connected to it."""
    distance, residents = _block_figures(acc, key, group)
    limit = _threshold(acc, group, threshold_m)
    reachable = np.isfinite(distance)
    pick = ((reachable & (distance > limit)) | ~reachable) & (residents > 0)
    frame = acc.blocks.frame  # type: ignore[union-attr]
    speed = acc.settings.speeds_mps[group]
    phrase, target = t(f"access.group.{group}", lang), target_phrase(key, lang=lang)
    labels = [
        t("access.block.beyond", lang, n=_count(n, lang), group=phrase, m=_number(d, lang), minutes=_minutes(d, speed),
          target=target)
        if math.isfinite(d)
        else t("access.block.unreachable", lang, n=_count(n, lang), group=phrase, target=target)
        for n, d in zip(residents[pick].tolist(), distance[pick].tolist(), strict=True)
    ]  # fmt: skip
    picked = distance[pick]
    return gpd.GeoDataFrame(
        {
            "block": frame["block"].to_numpy()[pick],
            "sector": frame["sector"].to_numpy()[pick] if "sector" in frame else "",
            "residents": residents[pick],
            "distance_m": np.where(np.isfinite(picked), picked, np.nan),
            "unreachable": ~np.isfinite(picked),
            "label": pd.array(labels, dtype=str),
            "colour": np.where(np.isfinite(picked), _RAMP[-1], UNREACHABLE_COLOUR),
        },
        geometry=frame.geometry.values[pick],
        crs=frame.crs,
    )


# --------------------------------------------------------------------------- helpers


def _block_distance(blocks: Blocks, distance: np.ndarray) -> np.ndarray:
    """Return each block's walking metres: the mean over its reachable nodes (inf when none is reachable)."""
    metres = distance[blocks.node] + blocks.extra_m
    finite = np.isfinite(metres)
    total = np.bincount(blocks.owner, weights=np.where(finite, metres, 0.0), minlength=blocks.size)
    count = np.bincount(blocks.owner, weights=finite, minlength=blocks.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.inf)


def _block_figures(acc: Accessibility, key: str, group: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (distance per block, residents of `group` per block) for `key`."""
    _check_key(acc, key)
    if acc.blocks is None:
        raise AccessError("error.blocks_invalid", missing="block")
    return acc.block_distance[key], acc.blocks.residents[_check_group(group)]


def _check_key(acc: Accessibility, key: str) -> None:
    """Raise AccessError when `key` was not analysed, or has no place in the area."""
    if key in acc.missing:
        raise AccessError.no_place(key)
    if key not in acc.distance:
        raise AccessError("error.source_unknown", kind=key)


def _check_group(group: str) -> str:
    """Return `group` if it is an age group; AccessError "error.group_unknown" if not."""
    if group not in AGE_GROUPS:
        raise AccessError("error.group_unknown", group=group, groups=", ".join(AGE_GROUPS))
    return group


def _threshold(acc: Accessibility, group: str, threshold_m: object) -> float:
    """Return the given threshold checked, or the group's threshold in the settings."""
    return acc.settings.thresholds_m[group] if threshold_m is None else check_threshold(threshold_m)


def _positive(value: object) -> float | None:
    """Return `value` as a finite float > 0, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _classes(metres: np.ndarray, breaks: tuple[float, ...], speed: float, lang: str) -> tuple:
    """Return (class key, label, colour) arrays of distances: up to each break, beyond the last, unreachable."""
    colours = np.array([_RAMP[round(i)] for i in np.linspace(0, len(_RAMP) - 1, len(breaks) + 1)] + [UNREACHABLE_COLOUR])
    keys = np.array([f"le_{b:g}" for b in breaks] + [f"gt_{breaks[-1]:g}", UNREACHABLE])
    labels = np.array(
        [t("access.class.within", lang, m=_number(b, lang), minutes=_minutes(b, speed)) for b in breaks]
        + [t("access.class.beyond", lang, m=_number(breaks[-1], lang)), t("access.class.unreachable", lang)]
    )
    index = np.where(np.isfinite(metres), np.searchsorted(np.asarray(breaks), metres, side="left"), len(breaks) + 1)
    return keys[index], labels[index], colours[index]


def _minutes(metres: float, speed: float) -> int:
    """Return whole walking minutes of `metres` at `speed` m/s."""
    return round(metres / speed / 60)


def _number(value: float, lang: str) -> str:
    """Return a whole number with the thousands separator of `lang`."""
    return formats.number(round(value), lang)


def _count(n: int, lang: str) -> str:
    """Return a count of residents, or "fewer than 5" for 1 to 4 (small groups are not shown exactly)."""
    return t("access.fewer_than", lang, n=settings.MIN_GROUP) if 0 < n < settings.MIN_GROUP else _number(n, lang)


def _typed(frame: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return `frame` with the dtypes of its declared schema."""
    return frame.astype(dict(schema))


def _xy(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return lon/lat of each row's point (the representative point of a line or polygon; NaN when empty)."""
    geoms = frame.to_crs(settings.CRS).geometry.values if frame.crs and not frame.crs.equals(settings.CRS) else (
        frame.geometry.values
    )
    points = np.asarray(geoms, dtype=object)
    if len(points) and not (shapely.get_type_id(points) == 0).all():
        points = shapely.point_on_surface(points)
    return shapely.get_x(points), shapely.get_y(points)


def _ids(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ids of places or items (place_id, else id, else the index) as objects."""
    for column in ("place_id", "id"):
        if column in frame.columns:
            return frame[column].to_numpy(dtype=object)
    return frame.index.to_numpy(dtype=object)
