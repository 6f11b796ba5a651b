"""The buurtanalyse of an organisation's caseload: which functions its citizens lack, which places
they use that the organisation does not know, and which talents match which needs nearby.

Every figure about citizens is an aggregate; a group of fewer than MIN_GROUP citizens is
suppressed (its figures are None, its count shown as "< 5"), so no output singles anyone out.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from buurtkaart import graph as graph_mod
from buurtkaart import indicators, settings, vocabulary
from buurtkaart import vindplaatsen as vp
from buurtkaart.gazetteer import name_keys
from buurtkaart.names import fold

MIN_GROUP = settings.MIN_GROUP
ALL = "all"
# How close (metres) a named place must be to an item of the organisation's map to count as known.
KNOWN_METRES = 40.0
# Words (folded: lower case, no accents) in a need's name, kind or notes that a talent answers, in nl/fr/en.
TALENT_WORDS: dict[str, tuple[str, ...]] = {
    "cooking": ("kook", "koken", "keuken", "maaltijd", "cuisine", "cuisin", "repas", "cook", "meal", "kitchen"),
    "gardening": ("tuin", "compost", "moestuin", "planten", "jardin", "potager", "garden", "plant"),
    "repairs": ("herstel", "repair", "reparat", "klus", "fiets", "velo", "bike"),
    "languages": ("tolk", "vertal", "taal", "interpr", "tradu", "langu", "translat"),
    "music": ("muziek", "musique", "music", "zang", "chant", "sing"),
    "sewing": ("naai", "couture", "coudre", "sewing", "textiel"),
    "computers": ("computer", "digitaal", "digital", "informati", "internet", "smartphone"),
    "childcare": ("kinder", "kind", "enfant", "child", "opvang", "huiswerk", "devoirs", "homework", "creche"),
    "sport": ("sport", "voetbal", "football", "wandel", "marche", "walk", "bewegen"),
    "listening": ("luister", "ecoute", "listen", "eenzaam", "isole", "lonely", "bezoek", "visite", "visit"),
    "greeting": ("groet", "oogje", "buren", "voisin", "neighbour", "straat", "rue", "street", "balkon"),
}
# When a need's text says nothing a talent recognises, its kind (a place category) still may.
TALENT_KINDS: dict[str, tuple[str, ...]] = {
    "cooking": ("meeting", "cafe"),
    "gardening": ("park",),
    "repairs": (),
    "languages": ("learning", "public"),
    "music": ("culture",),
    "sewing": (),
    "computers": ("learning",),
    "childcare": ("playground",),
    "sport": ("sport",),
    "listening": ("care",),
    "greeting": (),
}
PROFILE_COLUMNS: tuple[str, ...] = (
    "citizen_id",
    "quartier",
    "size",
    "active",
    *(f"has_{f}" for f in vocabulary.FUNCTIONS),
    "bonding_only",
    "dormant",
    "light",
    "one_sided",
    "negative",
    "buurt",
)


def shown_count(n: int, *, min_group: int = MIN_GROUP) -> str:
    """Return a count of citizens as it may be shown: the number, or "< 5" for a small group."""
    return str(int(n)) if n >= min_group else f"< {min_group}"


def citizen_profiles(citizens: gpd.GeoDataFrame, all_ties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return one row per citizen: network size, functions covered by active ties, and the signals of a gap.

    The size counts active and slapend ties (a breuklijn is no longer a member); a function is covered by an
    active tie without a negative influence (`indicators.member_ties` and `supportive_ties`, applied to the
    distinct values). Counted with np.bincount over each tie's citizen position: 300,000 ties in a fraction
    of a second.
    """
    ids = citizens["citizen_id"].astype(str).to_numpy(dtype=object)
    n = len(ids)
    per = pd.DataFrame({"citizen_id": ids, "quartier": citizens["quartier"].astype(str).to_numpy(dtype=object)})
    codes, _ = pd.factorize(np.concatenate([ids, all_ties["citizen_id"].astype(str).to_numpy(dtype=object)]))
    if codes[:n].max(initial=-1) != n - 1:
        msg = "citizen ids must be distinct"
        raise ValueError(msg)
    keep = codes[n:] < n  # code i is citizen i; a tie of another citizen has a later code
    pos = codes[n:][keep]
    value = {c: all_ties[c].to_numpy(dtype=object)[keep] for c in ("state", "influence", "capital", "strength", "reciprocity", "level", "functions")}
    member = _by_distinct(indicators.member_ties, value, ("state",))
    supportive = _by_distinct(indicators.supportive_ties, value, ("state", "influence"))

    people = indicators.group_sizes(all_ties).to_numpy(dtype=np.int64)[keep]  # a tie for "3 friends" counts 3 people

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(pos[mask], weights=people[mask], minlength=n).astype(np.int64)

    per["size"] = count(member)
    per["active"] = count(value["state"] == "active")
    given = value["functions"][supportive]
    positions = np.repeat(pos[supportive], [len(f) for f in given])
    flat = np.array([f for functions in given for f in functions], dtype=object)
    for function in vocabulary.FUNCTIONS:
        per[f"has_{function}"] = np.bincount(positions[flat == function], minlength=n) > 0
    per["bonding_only"] = (per["size"] > 0) & (count(member & (value["capital"] != "bonding")) == 0)
    per["dormant"] = count(value["state"] == "slapend")
    per["light"] = count(member & (value["strength"] == "light"))
    per["one_sided"] = count(member & (value["reciprocity"] == "receives"))
    per["negative"] = count(member & (value["influence"] == "negative"))
    per["buurt"] = count(member & (value["level"] == "buurt"))
    return per[list(PROFILE_COLUMNS)]


def _by_distinct(keep: Callable[[pd.DataFrame], pd.DataFrame], value: dict[str, np.ndarray], columns: tuple[str, ...]) -> np.ndarray:
    """Return, per tie, whether a row filter (as indicators.member_ties) keeps it, applying it to the distinct values only."""
    codes = [pd.factorize(value[c]) for c in columns]
    grids = np.meshgrid(*[np.arange(len(keys)) for _, keys in codes], indexing="ij")
    distinct = pd.DataFrame({c: np.asarray(keys, dtype=object)[g.ravel()] for c, (_, keys), g in zip(columns, codes, grids, strict=True)})
    kept = np.zeros(len(distinct), dtype=bool)
    kept[distinct.index.get_indexer(keep(distinct).index)] = True
    flat = np.ravel_multi_index([c for c, _ in codes], [len(keys) for _, keys in codes]) if len(value[columns[0]]) else np.zeros(0, dtype=int)
    return kept[flat]


def caseload_gaps(profiles: pd.DataFrame, *, by_quartier: bool = True, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Return the gaps of the caseload, for all citizens and (optionally) per quartier; small groups suppressed.

    Columns: group, citizens (shown as text), n (None when suppressed), suppressed, lacking_<function>
    (share of citizens without an active tie giving it), bonding_only, vulnerable (size ≤ 5), rich
    (size ≥ 30), mean_size, dormant (ties worth reactivating, in total).
    """
    groups: list[tuple[str, pd.DataFrame]] = [(ALL, profiles)]
    if by_quartier:
        groups += [(str(q), rows) for q, rows in profiles.groupby("quartier", sort=True) if str(q)]
    return pd.DataFrame([_gap_row(name, rows, min_group) for name, rows in groups])


def _gap_row(group: str, rows: pd.DataFrame, min_group: int) -> dict[str, object]:
    """Return the figures of one group of citizens (None everywhere when it is too small to show)."""
    n = len(rows)
    row: dict[str, object] = {"group": group, "citizens": shown_count(n, min_group=min_group)}
    suppressed = n < min_group
    row["suppressed"] = suppressed
    row["n"] = None if suppressed else n
    for function in vocabulary.FUNCTIONS:
        row[f"lacking_{function}"] = None if suppressed else float((~rows[f"has_{function}"]).mean())
    row["bonding_only"] = None if suppressed else float(rows["bonding_only"].mean())
    row["vulnerable"] = None if suppressed else float((rows["size"] <= indicators.VULNERABLE_MAX).mean())
    row["rich"] = None if suppressed else float((rows["size"] >= indicators.RICH_MIN).mean())
    row["mean_size"] = None if suppressed else float(rows["size"].mean())
    row["dormant"] = None if suppressed else int(rows["dormant"].sum())
    return row


def unknown_places(all_ties: gpd.GeoDataFrame, items: gpd.GeoDataFrame | None, *, min_group: int = MIN_GROUP) -> gpd.GeoDataFrame:
    """Return the buurt places the citizens name in their ties that are not on the organisation's map.

    One row per place named by at least `min_group` citizens: place_kind, place_ref, label, citizens (as
    shown), n, geometry; candidates for new vindplaatsen, most named first. Places named by fewer citizens
    are not listed (that would point at a small group); `attrs["hidden"]` says how many there are.
    """
    named = all_ties[(all_ties["level"] == "buurt") & (all_ties["place_kind"] != "vindplaats")]
    columns = ["place_kind", "place_ref", "label", "citizens", "n", "geometry"]
    if named.empty:
        return gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs=vocabulary.CRS)
    places = (
        named.groupby(["place_kind", "place_ref"], sort=False)
        .agg(label=("place_label", "first"), count=("citizen_id", "nunique"), geometry=("geometry", "first"))
        .reset_index()
    )
    places = gpd.GeoDataFrame(places, geometry="geometry", crs=vocabulary.CRS)
    known = _known_mask(places, items)
    places = places[~known].sort_values(["count", "label"], ascending=[False, True])
    shown = places[places["count"] >= min_group].copy()
    shown["citizens"] = shown["count"].map(lambda c: shown_count(c, min_group=min_group))
    shown["n"] = shown["count"].astype(int)
    out = shown[columns].reset_index(drop=True)
    out.attrs["hidden"] = int((places["count"] < min_group).sum())
    return out


def _known_mask(places: gpd.GeoDataFrame, items: gpd.GeoDataFrame | None) -> np.ndarray:
    """Return True for places already on the organisation's map (same OSM id, or the same name close by)."""
    live = vp.live(items)
    if live.empty:
        return np.zeros(len(places), dtype=bool)
    by_osm = places["place_ref"].isin(set(live["osm_place_id"].dropna().astype(str)))
    metric = places.to_crs(settings.METRIC_CRS)
    near = gpd.sjoin_nearest(
        metric[["geometry"]], live[["name", "geometry"]].to_crs(settings.METRIC_CRS), how="left", max_distance=KNOWN_METRES
    )
    near = near[~near.index.duplicated()]
    same_name = [
        isinstance(item_name, str) and bool(set(name_keys(label)) & set(name_keys(item_name)))
        for label, item_name in zip(places["label"], near["name"].reindex(places.index), strict=True)
    ]
    return by_osm.to_numpy() | np.asarray(same_name, dtype=bool)


def talent_matches(
    citizens: gpd.GeoDataFrame,
    items: gpd.GeoDataFrame | None,
    walk: graph_mod.WalkGraph,
    *,
    max_m: float = 800.0,
    min_group: int = MIN_GROUP,
) -> pd.DataFrame:
    """Return, per need of a neighbourhood actor and per talent that answers it, how many citizens with that
    talent live (are anchored) within `max_m` walking: socially valued roles waiting to be offered.

    Columns: need_id, need, kind, talent, citizens (as shown), n, nearest_m. A match of fewer than `min_group`
    citizens is not listed; `attrs["hidden"]` says how many such matches there are.
    """
    columns = ["need_id", "need", "kind", "talent", "citizens", "n", "nearest_m"]
    needs = vp.live(items, "need")
    gifted = citizens[citizens["talents"].map(len) > 0]
    if needs.empty or gifted.empty:
        return pd.DataFrame(columns=columns)
    need_nodes, _ = graph_mod.snap(walk, needs.geometry.x.to_numpy(), needs.geometry.y.to_numpy())
    anchor_nodes, _ = graph_mod.snap(walk, gifted.geometry.x.to_numpy(), gifted.geometry.y.to_numpy())
    rows = []
    hidden = 0
    for need, node in zip(needs.itertuples(), need_nodes, strict=True):
        answering = need_talents(need.name, need.kind, need.notes)
        if not answering:
            continue
        distance = graph_mod.distances_from(walk, np.array([node]), limit=max_m)[anchor_nodes]
        for talent in answering:
            has = gifted["talents"].map(lambda tags, talent=talent: talent in tags).to_numpy()
            within = has & np.isfinite(distance) & (distance <= max_m)
            count = int(within.sum())
            if count == 0:
                continue
            if count < min_group:  # a small group of citizens is never shown, not even as a row
                hidden += 1
                continue
            rows.append(
                {
                    "need_id": need.id,
                    "need": need.name,
                    "kind": need.kind,
                    "talent": talent,
                    "citizens": shown_count(count, min_group=min_group),
                    "n": count,
                    "nearest_m": float(distance[within].min()),
                }
            )
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["hidden"] = hidden
    return out


def need_talents(name: str, kind: str, notes: str = "") -> tuple[str, ...]:
    """Return the talents that answer a need, from the words of its name and notes, else from its kind."""
    words = fold(f"{name} {notes}")
    by_words = tuple(talent for talent, stems in TALENT_WORDS.items() if any(stem in words for stem in stems))
    if by_words:
        return by_words
    return tuple(talent for talent, kinds in TALENT_KINDS.items() if kind in kinds)


def citizen_roles(
    citizen: pd.Series, items: gpd.GeoDataFrame | None, walk: graph_mod.WalkGraph, *, max_m: float = 800.0
) -> pd.DataFrame:
    """Return the needs within `max_m` walking of one citizen's anchor that their talents answer (for their own page)."""
    columns = ["need_id", "need", "kind", "talent", "walk_m"]
    talents = set(citizen["talents"] or ())
    needs = vp.live(items, "need")
    if needs.empty or not talents:
        return pd.DataFrame(columns=columns)
    anchor, _ = graph_mod.snap(walk, citizen.geometry.x, citizen.geometry.y)
    need_nodes, _ = graph_mod.snap(walk, needs.geometry.x.to_numpy(), needs.geometry.y.to_numpy())
    distance = graph_mod.distances_from(walk, anchor, limit=max_m)[need_nodes]
    rows = [
        {"need_id": need.id, "need": need.name, "kind": need.kind, "talent": talent, "walk_m": float(d)}
        for need, d in zip(needs.itertuples(), distance, strict=True)
        if np.isfinite(d)
        for talent in need_talents(need.name, need.kind, need.notes)
        if talent in talents
    ]
    return pd.DataFrame(rows, columns=columns).sort_values("walk_m").reset_index(drop=True)
