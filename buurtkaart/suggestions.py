"""Places within walking distance of a citizen's anchor that could fill a missing network function or an interest.

Walking distance is measured over the street network (buurtkaart.graph), not as the crow flies. The anchor
and the places are snapped to the nearest node of the main connected street network, so that a small
fragment of streets at the edge of an area never cuts a place off. `walk_m` is the network distance between
those two nodes. The organisation's own map items (vindplaatsen, sites, partners) rank before OSM places.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from buurtkaart import names
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area
from buurtkaart.graph import WalkGraph, distances_from, snap
from buurtkaart.i18n import category_label, t
from buurtkaart.indicators import as_keys, compute, fragile_functions, missing_functions
from buurtkaart.vocabulary import CRS, label

# Which kinds of place typically fill each network function: taxonomy.CATEGORY_KEYS and vindplaatsen.INFORMAL_KINDS.
FUNCTION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "verbindend": ("meeting", "cafe", "sport", "culture", "park", "worship", "tea_house", "self_organisation", "square"),
    "informatief": ("learning", "public", "care", "meeting", "self_organisation"),
    "affectief": ("meeting", "worship", "care", "self_organisation", "tea_house"),
    "materieel": ("care", "public", "market", "self_organisation", "laundromat"),
}
# Situations (vocabulary.SITUATIONS, plus the free tag "young_children") refine what fits.
SITUATION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "newcomer": ("learning", "public", "self_organisation"),
    "learning_dutch": ("learning",),
    "single_parent": ("playground", "sport", "school_gate"),
    "young_children": ("playground", "sport", "school_gate"),
    "elderly": ("meeting", "park", "bench"),
    "lives_alone": ("meeting", "cafe", "tea_house"),
    "job_seeker": ("public", "learning"),
    "low_income": ("care", "public", "market"),
    "caregiver": ("care", "meeting"),
}
# Which target groups of a vindplaats (vindplaatsen.TARGET_GROUPS) fit a situation.
SITUATION_TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "newcomer": ("newcomers",),
    "learning_dutch": ("newcomers",),
    "single_parent": ("parents", "children"),
    "young_children": ("parents", "children"),
    "elderly": ("elderly",),
    "wheelchair": ("people_with_disability",),
}
ITEM_LAYERS: tuple[str, ...] = ("vindplaats", "site", "partner")  # not gatekeepers, not needs
# Target groups that keep others out: a place only for men is suggested only to a citizen whose profile says "man".
EXCLUSIVE_GROUPS: dict[str, str] = {"men": "man", "women": "woman"}  # group -> the situation tag that fits it
# Influence of a tie that makes its place one not to send the citizen back to.
HARMFUL_INFLUENCES: tuple[str, ...] = ("negative", "mixed")
HARMFUL_PLACE_M = 30.0  # a place this close to a harmful tie's place is that place (an OSM place and its vindplaats)
# OSM places that are not meeting places: shops (except the laundromat), banks, fast food, hotels, parking...
NOT_MEETING_TAGS: frozenset[str] = frozenset(
    {"amenity=bank", "amenity=atm", "amenity=bureau_de_change", "amenity=money_transfer", "amenity=fast_food",
     "amenity=fuel", "amenity=parking", "amenity=car_rental", "amenity=vending_machine", "amenity=post_box",
     "amenity=pharmacy", "amenity=dentist", "amenity=veterinary", "amenity=police", "tourism=hotel",
     "tourism=information", "tourism=viewpoint"}
)  # fmt: skip
MEETING_SHOP_TAGS: frozenset[str] = frozenset({"shop=laundry"})  # the one kind of shop where people wait together
WHEELCHAIR_RANK: dict[str, int] = {"yes": 0, "limited": 1, "unknown": 2}  # "no" is left out
# Ranks: what a suggestion answers, most important first.
BASIS_RANK: dict[str, int] = {"function": 0, "fragile": 1, "interest": 2, "situation": 3, "target_group": 3}
WALK_M_PER_MIN = 75.0  # 4.5 km/h, an unhurried pace
MAX_SNAP_M = 400.0  # an anchor farther than this from the streets of the area is outside it
SIGN_OR_OTHER_LANGUAGES: tuple[str, ...] = ("vgt", "sfb", "other")
SUGGESTION_COLUMNS: tuple[str, ...] = (
    "name", "category", "source", "ref", "function", "basis", "walk_m", "walk_min", "reason", "wheelchair",
    "node_id", "snap_m",
)  # fmt: skip


SAME_PLACE_M = 150  # two suggestions of the same name this close are one place (an OSM park as outline and as point)


def suggest(
    citizen: Mapping[str, object] | pd.Series,
    ties: pd.DataFrame,
    *,
    area: Area,
    graph: WalkGraph,
    items: pd.DataFrame | None = None,
    max_m: float = 800,
    limit: int = 12,
    lang: str = "nl",
) -> gpd.GeoDataFrame:
    """Return up to `limit` places within `max_m` walking metres that fit what the citizen's network lacks.

    Parameters
    ----------
    citizen
        The citizen (a row of ``citizens.list_citizens``): its anchor, interests, situations and languages.
    ties
        The citizen's ties, to see which functions are missing or fragile.
    area, graph
        The places and the walking graph (``graph.walk_graph(area)``).
    items
        The organisation's map (its vindplaatsen come first).
    max_m, limit
        The walking distance and the number of places.
    lang
        The language of the reasons (keyword-only).

    Returns
    -------
    geopandas.GeoDataFrame
        ``SUGGESTION_COLUMNS`` + Point geometry: the organisation's items first (those with activities in one
        of the citizen's languages before the others), then OSM places; within each, the nearest place of every
        kind first, missing functions before interests and situations, then by distance. An empty result says
        why in ``attrs["reason"]`` (translated) and ``attrs["reason_key"]``; ``attrs["anchor_node_id"]`` and
        ``attrs["anchor_snap_m"]`` tell where the walk starts.

    Example
    -------
    >>> suggest(person, ties, area=region, graph=walk_graph(region), lang="fr")  # doctest: +SKIP
    """
    situations = as_keys(_get(citizen, "situations"))
    targets = _targets(ties, as_keys(_get(citizen, "interests")), situations)
    if targets.empty:
        return _empty("suggest.none.nothing_missing", lang)
    lon, lat = _anchor(citizen)
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return _empty("suggest.none.no_anchor", lang)
    anchor, anchor_snap = snap(graph, np.array([lon]), np.array([lat]), main_only=True)
    if anchor_snap[0] > MAX_SNAP_M:
        return _empty("suggest.none.far", lang, metres=round(float(anchor_snap[0])))
    distance = distances_from(graph, anchor, limit=max_m)
    wheelchair = "wheelchair" in situations
    candidates = pd.concat(
        [
            _item_candidates(items, targets, situations, as_keys(_get(citizen, "languages"))),
            _place_candidates(area.places, targets, items),
        ],
        ignore_index=True,
    )
    candidates = _fits_profile(_not_harmful(candidates, ties), situations)
    if wheelchair:
        candidates = candidates[candidates["wheelchair"] != "no"]
    node, snap_m = snap(graph, candidates["lon"].to_numpy(float), candidates["lat"].to_numpy(float), main_only=True)
    candidates = candidates.assign(node=node, snap_m=snap_m, walk_m=np.where(node >= 0, distance[node.clip(0)], np.inf))
    candidates = candidates[np.isfinite(candidates["walk_m"]) & (candidates["walk_m"] <= max_m)]
    if candidates.empty:
        return _empty("suggest.none.none_within", lang, metres=round(max_m), anchor=(graph, anchor, anchor_snap))
    chosen = _once(_ranked(candidates, wheelchair)).head(limit)
    return _frame(chosen, lang, wheelchair, anchor=(graph, anchor, anchor_snap))


def _targets(ties: pd.DataFrame, interests: tuple[str, ...], situations: tuple[str, ...]) -> pd.DataFrame:
    """Return what to look for, one row per (basis, key, category): missing functions, interests, situations."""
    indicators = compute(ties)
    missing = missing_functions(indicators)
    functions = [("function", f) for f in missing] or [("fragile", f) for f in fragile_functions(indicators)]
    rows = [(basis, f, category, f) for basis, f in functions for category in FUNCTION_CATEGORIES[f]]
    rows += [("interest", key, key, "") for key in interests]
    rows += [("situation", s, category, "") for s in situations for category in SITUATION_CATEGORIES.get(s, ())]
    frame = pd.DataFrame(rows, columns=["basis", "key", "category", "function"])
    frame["basis_rank"] = frame["basis"].map(BASIS_RANK)
    frame["order"] = np.arange(len(frame))
    return frame


def _not_harmful(candidates: pd.DataFrame, ties: pd.DataFrame) -> pd.DataFrame:
    """Return the candidates that are not the place of a negative or mixed-influence tie (never send someone back there)."""
    if ties.empty or "influence" not in ties.columns:
        return candidates
    harmful = ties[ties["influence"].astype(str).isin(HARMFUL_INFLUENCES) & (ties["level"].astype(str) == "buurt")]
    if harmful.empty or candidates.empty:
        return candidates
    refs = set(harmful["place_ref"].astype(str))
    metres = _metres(
        candidates["lon"].to_numpy(float)[:, None], candidates["lat"].to_numpy(float)[:, None],
        harmful.geometry.x.to_numpy(float)[None, :], harmful.geometry.y.to_numpy(float)[None, :],
    )  # fmt: skip
    near = (metres <= HARMFUL_PLACE_M).any(axis=1)
    return candidates[~near & ~candidates["ref"].astype(str).isin(refs)]


def _fits_profile(candidates: pd.DataFrame, situations: tuple[str, ...]) -> pd.DataFrame:
    """Return the candidates whose target groups let the citizen in (a men-only place only to a citizen tagged "man")."""
    def fits(groups: object) -> bool:
        keys = set(as_keys(groups))
        exclusive = keys & set(EXCLUSIVE_GROUPS)
        if not exclusive or "everyone" in keys or exclusive == set(EXCLUSIVE_GROUPS):
            return True
        return any(EXCLUSIVE_GROUPS[g] in situations for g in exclusive)

    if candidates.empty:
        return candidates
    return candidates[candidates["groups"].map(fits).astype(bool)]


def _meeting_places(places: pd.DataFrame) -> pd.DataFrame:
    """Return the OSM places that can be meeting places: named, and not a shop, bank, fast food or the like."""
    tag = places["osm_tag"].fillna("").astype(str) if "osm_tag" in places.columns else pd.Series("", index=places.index)
    named = places["name"].fillna("").astype(str).str.strip() != ""
    shop = tag.str.startswith("shop=") & ~tag.isin(MEETING_SHOP_TAGS)
    return places[named & ~shop & ~tag.isin(NOT_MEETING_TAGS)]


def _place_candidates(places: pd.DataFrame, targets: pd.DataFrame, items: pd.DataFrame | None) -> pd.DataFrame:
    """Return the area's meeting places whose category fits a target (the best target per place)."""
    places = _meeting_places(places)
    wanted = places[places["category"].isin(targets["category"])]
    if items is not None and "osm_place_id" in items and len(wanted):
        wanted = wanted[~wanted["place_id"].isin(items["osm_place_id"].dropna())]  # the organisation's item wins
    merged = wanted.drop(columns="geometry").assign(lon=wanted.geometry.x, lat=wanted.geometry.y).merge(targets, on="category")
    best = merged.sort_values(["basis_rank", "order"], kind="stable").drop_duplicates("place_id")
    return pd.DataFrame(
        {
            "name": best["name"].fillna("").astype(str),
            "category": best["category"],
            "source": "place",
            "ref": best["place_id"].astype(str),
            "function": best["function"],
            "basis": best["basis"],
            "key": best["key"],
            "basis_rank": best["basis_rank"],
            "language": "",
            "wheelchair": best["wheelchair"].fillna("").replace("", "unknown"),
            "lon": best["lon"],
            "lat": best["lat"],
            "also_interest": _also_interest(best, targets),
            "groups": [()] * len(best),
        }
    )


def _item_candidates(
    items: pd.DataFrame | None, targets: pd.DataFrame, situations: tuple[str, ...], languages: tuple[str, ...]
) -> pd.DataFrame:
    """Return the organisation's items that fit a target by kind or by target group, with a language they share."""
    columns = [
        "name", "category", "source", "ref", "function", "basis", "key", "basis_rank", "language", "wheelchair", "lon", "lat",
        "also_interest", "groups",
    ]  # fmt: skip
    if items is None or items.empty:
        return pd.DataFrame(columns=columns)
    usable = vp.live(items, *ITEM_LAYERS)
    usable = usable.drop(columns="geometry").assign(lon=usable.geometry.x, lat=usable.geometry.y, id=usable["id"].astype(str))
    by_kind = usable.merge(targets, left_on="kind", right_on="category")
    groups = pd.DataFrame(
        [(s, g) for s in situations for g in SITUATION_TARGET_GROUPS.get(s, ())], columns=["situation", "group"]
    )
    exploded = usable.assign(group=usable["target_groups"].map(as_keys)).explode("group")
    by_group = exploded.merge(groups, on="group").assign(
        basis="target_group", key=lambda f: f["group"], function="", basis_rank=BASIS_RANK["target_group"], order=len(targets)
    )
    fits = pd.concat([by_kind, by_group], ignore_index=True)
    best = fits.sort_values(["basis_rank", "order"], kind="stable").drop_duplicates("id")
    spoken = best.assign(language=best["languages"].map(as_keys)).explode("language")
    spoken = spoken[spoken["language"].isin(languages)]
    spoken = spoken.assign(pref=spoken["language"].map({code: i for i, code in enumerate(languages)}))
    first_language = spoken.sort_values("pref", kind="stable").drop_duplicates("id").set_index("id")["language"].to_dict()
    return pd.DataFrame(
        {
            "name": best["name"].astype(str),
            "category": best["kind"].astype(str),
            "source": "vindplaats",
            "ref": best["id"],
            "function": best["function"],
            "basis": best["basis"],
            "key": best["key"],
            "basis_rank": best["basis_rank"],
            "language": [first_language.get(i, "") for i in best["id"]],
            "wheelchair": best["wheelchair"].fillna("").replace("", "unknown"),
            "lon": best["lon"],
            "lat": best["lat"],
            "also_interest": _also_interest(best.assign(category=best["kind"]), targets),
            "groups": best["target_groups"].map(as_keys),
        }
    )[columns]


def _also_interest(best: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    """Return whether a candidate chosen for another reason also matches one of the citizen's interests."""
    interests = targets.loc[targets["basis"] == "interest", "category"]
    return best["category"].isin(interests) & (best["basis"] != "interest")


def _ranked(candidates: pd.DataFrame, wheelchair: bool) -> pd.DataFrame:
    """Return candidates in suggestion order: items, language match, nearest of each kind, basis, distance."""
    frame = candidates.assign(
        source_rank=(candidates["source"] != "vindplaats").astype(int),
        language_rank=(candidates["language"] == "").astype(int),
        wheel_rank=candidates["wheelchair"].map(WHEELCHAIR_RANK).fillna(2) if wheelchair else 0,
    ).sort_values("walk_m", kind="stable")
    frame["round"] = frame.groupby(["source_rank", "basis", "category"]).cumcount()
    order = ["source_rank", "language_rank", "round", "basis_rank", "wheel_rank", "walk_m"]
    if wheelchair:  # a place marked wheelchair "ja" comes first for who needs it
        order = ["wheel_rank", *order]
    return frame.sort_values(order, kind="stable")


def _metres(lon: np.ndarray, lat: np.ndarray, other_lon: np.ndarray | float, other_lat: np.ndarray | float) -> np.ndarray:
    """Return the distances in metres between points in degrees (equirectangular: exact enough within a few hundred metres)."""
    lon, lat, other_lon, other_lat = (np.radians(v) for v in (lon, lat, other_lon, other_lat))
    return 6_371_000 * np.hypot((lon - other_lon) * np.cos((lat + other_lat) / 2), lat - other_lat)


def _once(ranked: pd.DataFrame, metres: float = SAME_PLACE_M) -> pd.DataFrame:
    """Return ranked candidates with each place once: a later one of the same name within `metres` is the same place."""
    if ranked.empty:
        return ranked
    keys = ranked["name"].fillna("").astype(str).map(names.fold).to_numpy()
    lon, lat = ranked["lon"].to_numpy(float), ranked["lat"].to_numpy(float)
    keep = np.ones(len(ranked), dtype=bool)
    for i in range(len(ranked)):
        if not keys[i] or not keep[i]:
            continue
        later = np.arange(i + 1, len(ranked))
        later = later[(keys[later] == keys[i]) & keep[later]]
        if len(later):
            keep[later[_metres(lon[later], lat[later], lon[i], lat[i]) <= metres]] = False
    return ranked[keep]


def _frame(
    chosen: pd.DataFrame, lang: str, wheelchair: bool, *, anchor: tuple[WalkGraph, np.ndarray, np.ndarray]
) -> gpd.GeoDataFrame:
    """Return the chosen candidates as the declared suggestion frame, with translated reasons."""
    names = [name or _kind_label(kind, lang) for name, kind in zip(chosen["name"], chosen["category"], strict=True)]
    reasons = [_reason(row, lang, wheelchair) for row in chosen.itertuples(index=False)]
    frame = pd.DataFrame(
        {
            "name": names,
            "category": chosen["category"].to_numpy(),
            "source": chosen["source"].to_numpy(),
            "ref": chosen["ref"].to_numpy(),
            "function": chosen["function"].to_numpy(),
            "basis": chosen["basis"].to_numpy(),
            "walk_m": chosen["walk_m"].to_numpy(float),
            "walk_min": np.ceil(chosen["walk_m"].to_numpy(float) / WALK_M_PER_MIN).astype(int),
            "reason": reasons,
            "wheelchair": chosen["wheelchair"].to_numpy(),
            "node_id": anchor[0].node_ids[chosen["node"].to_numpy()],
            "snap_m": chosen["snap_m"].to_numpy(float),
        }
    )
    geometry = gpd.points_from_xy(chosen["lon"], chosen["lat"], crs=CRS)
    result = gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
    _describe(result, "", "", anchor)
    return result


def _reason(row: object, lang: str, wheelchair: bool) -> str:
    """Return why a place is suggested, in plain sentences."""
    basis, key = row.basis, row.key  # type: ignore[attr-defined]
    if basis in ("function", "fragile"):
        parts = [t(f"suggest.reason.{basis}", lang, function=label("function", key, lang))]
    elif basis == "interest":
        parts = [t("suggest.reason.interest", lang, category=_kind_label(key, lang))]
    elif basis == "situation":
        parts = [t("suggest.reason.situation", lang, situation=label("situation", key, lang))]
    else:
        parts = [t("suggest.reason.target_group", lang, group=t(f"target.{key}", lang))]
    if row.also_interest:  # type: ignore[attr-defined]
        parts.append(t("suggest.reason.interest", lang, category=_kind_label(row.category, lang)))  # type: ignore[attr-defined]
    language = row.language  # type: ignore[attr-defined]
    if language:
        name = t(f"language.{language}", lang)
        other = language in SIGN_OR_OTHER_LANGUAGES
        parts.append(t("suggest.reason.language_other" if other else "suggest.reason.language", lang,
                       language=name.lower() if lang == "fr" else name))  # fmt: skip
    if wheelchair and row.wheelchair in ("limited", "unknown"):  # type: ignore[attr-defined]
        parts.append(t(f"suggest.reason.wheelchair_{row.wheelchair}", lang))  # type: ignore[attr-defined]
    return " ".join(parts)


def _kind_label(kind: str, lang: str) -> str:
    """Return the label of a place category or an informal vindplaats kind."""
    text = category_label(kind, lang)
    return t(f"kind.{kind}", lang) if text == f"category.{kind}" else text


def _get(citizen: Mapping[str, object] | pd.Series, key: str) -> object:
    """Return a field of a citizen mapping or row (None when absent)."""
    return citizen.get(key) if hasattr(citizen, "get") else None


def _anchor(citizen: Mapping[str, object] | pd.Series) -> tuple[float, float]:
    """Return the citizen's anchor as (lon, lat): from its Point geometry, or from lon/lat fields."""
    geometry = _get(citizen, "geometry")
    if geometry is not None and not getattr(geometry, "is_empty", True) and geometry.geom_type == "Point":
        return float(geometry.x), float(geometry.y)
    try:
        return float(_get(citizen, "lon")), float(_get(citizen, "lat"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan, np.nan


def _empty(key: str, lang: str, *, anchor: tuple[WalkGraph, np.ndarray, np.ndarray] | None = None, **values: object) -> gpd.GeoDataFrame:
    """Return an empty suggestion frame that says why it is empty."""
    frame = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS}, geometry=[], crs=CRS)
    _describe(frame, key, t(key, lang, **values), anchor)
    return frame


def _describe(frame: gpd.GeoDataFrame, key: str, reason: str, anchor: tuple[WalkGraph, np.ndarray, np.ndarray] | None) -> None:
    """Write why the frame is empty (or "") and where the walk starts into `frame.attrs`."""
    frame.attrs["reason_key"] = key
    frame.attrs["reason"] = reason
    if anchor is not None:
        graph, node, metres = anchor
        frame.attrs["anchor_node_id"] = int(graph.node_ids[node[0]])
        frame.attrs["anchor_snap_m"] = float(metres[0])
