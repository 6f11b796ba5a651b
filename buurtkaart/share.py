"""Share the map in meetings: one standalone HTML file per share, and a PNG/PDF snapshot of it.

A share is a title, an area's basemap (streets, green, quartiers: our own data, no tile server) and
layers of points, lines or polygons (`ShareLayer`, the generic layer API), written by `share_html` as
one file: Leaflet, the styles, the script and the data (in the compact form of `compact`) inlined, a
strict Content-Security-Policy (scripts and styles allowed by their sha256 hash only, no request of
any kind), popups and search results built as text. Once its places are drawn, the file sets
``document.body.dataset.placesDrawn`` to how many it drew.

What can be shared: the organisation map (`organisation_share`: places by category and the team's
vindplaatsen layers; notes only when asked), a buurtanalyse (`analysis_share`: access maps and the
caseload figures as the analysis already suppresses them), a saved walking round (`round_share`: each
walker's line, the stops numbered in walking order, the start). Nothing about a single citizen enters
these: no code, no tie, no anchor. The one exception is a citizen's own map (`citizen_share`), made
from that citizen's page only and only with their consent recorded: their buurt ties as numbered
roles, the quartier instead of the anchor, no code, name or organisation.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import accessibility as access
from buurtkaart import area as area_mod
from buurtkaart import compact, i18n, settings, taxonomy, vocabulary
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.maps import ITEM_COLOURS
from buurtkaart.paths import ROOT

if TYPE_CHECKING:
    from buurtkaart.buurtanalyse import AreaAnalysis
    from buurtkaart.consent import Consent
    from buurtkaart.graph import WalkGraph
    from buurtkaart.routes import Plan, WalkerRound
    from buurtkaart.saved_rounds import SavedRound

STATIC = ROOT / "static"
LEAFLET_JS = STATIC / "vendor" / "leaflet" / "leaflet.js"
LEAFLET_CSS = STATIC / "vendor" / "leaflet" / "leaflet.css"
BKMAP_JS = STATIC / "share" / "bkmap.js"
BKSHARE_JS = STATIC / "share" / "bkshare.js"
BKSHARE_CSS = STATIC / "share" / "bkshare.css"
WHATS: tuple[str, ...] = ("map", "analysis", "round")
SNAPSHOT_SUFFIXES: tuple[str, ...] = (".png", ".pdf")
OUT_SUFFIXES: tuple[str, ...] = (".html", *SNAPSHOT_SUFFIXES)
ROUND_MARGIN_M = 350.0  # metres around a round's lines and stops (or a citizen's ties): the map they are drawn on
LARGE_AREA_EDGES = 10_000  # more street edges than this: a whole region, drawn coarser
HEADLINE_KEYS: tuple[str, ...] = ("meeting", access.VINDPLAATS)
_TZ = ZoneInfo("Europe/Brussels")


class ShareError(BuurtkaartError):
    """A share that cannot be made (an unknown kind, area or output file)."""


@dataclass(frozen=True)
class ShareLayer:
    """One layer of a shared map: points, lines or polygons of a GeoDataFrame (EPSG:4326) with a style.

    `fields` are (column, label) pairs shown in the popup, `name_column` the bold title of the popup
    and what the search looks in; `place` counts its points in ``placesDrawn``.
    """

    key: str
    label: str
    features: gpd.GeoDataFrame
    colour: str
    fields: tuple[tuple[str, str], ...] = ()
    name_column: str | None = "name"
    show: bool = True
    section: str = ""
    place: bool = False
    radius: float = 6.0
    weight: float = 1.5
    rim: str = "#ffffff"
    fill_colour: str | None = None
    fill_opacity: float | None = None
    dash: str | None = None
    popup_kind: str = ""  # shown as the first popup row ("kind: ...") when given
    number_column: str | None = None  # a short text drawn on each point (the stop's number in walking order)


@dataclass(frozen=True)
class Share:
    """What one shared file holds: its texts, the area's basemap and the layers."""

    title: str
    area: Area
    layers: list[ShareLayer]
    lang: str = i18n.DEFAULT_LANGUAGE
    organisation: str = ""
    subtitle: str = ""
    made_at: datetime = field(default_factory=lambda: datetime.now(_TZ))
    notes: tuple[str, ...] = ()
    not_included: tuple[str, ...] = ()


# --------------------------------------------------------------------------- what can be shared


def make_share(
    what: str,
    area: Area,
    *,
    region: Area,
    items: gpd.GeoDataFrame | None = None,
    citizens: gpd.GeoDataFrame | None = None,
    all_ties: gpd.GeoDataFrame | None = None,
    walk: object | None = None,
    blocks: gpd.GeoDataFrame | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    organisation: str = "",
    notes: bool = False,
    plan: Plan | None = None,
    round_name: str = "",
    unit: str | None = None,
    sources: access.Sources | None = None,
    categories: Sequence[str] | None = None,
    item_layers: Sequence[str] | None = None,
) -> Share:
    """Return the share of one kind ("map", "analysis" or "round") of an area: what the page and the CLI write.

    Parameters
    ----------
    what
        "map" (the organisation map), "analysis" (a buurtanalyse; needs `walk`) or "round" (needs `plan`).
    area
        The area shared; `region` is the whole region the analysis walks over.
    items, citizens, all_ties
        The organisation's map and caseload (citizens and ties only feed the suppressed analysis figures).
    plan, round_name
        The planned walking round to share and its name (`plan_saved_round`).
    unit
        The fixed unit the area is (`unit_of`): caseload figures are given for the commune and quartiers
        only, never for the region or a drawn area (``disclosure``).
    sources
        The region's places already snapped (``buurtanalyse.region_sources``), to reuse between shares.
    categories, item_layers
        For the organisation map: the kinds of place and the team's layers to put in the file (default: all);
        the others are left out of it, and the list of what is not in the file names them.

    Returns
    -------
    Share
        The share; ShareError for a round without a plan or an unknown kind.
    """
    if what == "map":
        return organisation_share(
            area, items, lang=lang, organisation=organisation, notes=notes, categories=categories, item_layers=item_layers,
            leave_out_hidden=True,
        )  # fmt: skip
    if what == "analysis":
        from buurtkaart import buurtanalyse, graph

        result = buurtanalyse.analyse_area(
            area.name, area.boundary, region=region, walk=walk if walk is not None else graph.walk_graph(region),
            blocks=area_mod.population_blocks() if blocks is None else blocks, items=items, citizens=citizens,
            all_ties=all_ties, lang=lang, unit=unit, sources=sources,
        )  # fmt: skip
        return analysis_share(result, area, lang=lang, organisation=organisation, items=items)
    if what == "round":
        if plan is None:
            raise ShareError("error.share_round_needs_plan")
        return round_share(plan, region, name=round_name, items=items, lang=lang, organisation=organisation)
    raise ShareError("error.share_what", what=what, whats=", ".join(WHATS))


def organisation_share(
    area: Area,
    items: gpd.GeoDataFrame | None = None,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    organisation: str = "",
    notes: bool = False,
    categories: Sequence[str] | None = None,
    item_layers: Sequence[str] | None = None,
    made_at: datetime | None = None,
    leave_out_hidden: bool = False,
) -> Share:
    """Return the organisation map of an area: places by category and the team's layers.

    Parameters
    ----------
    area
        The area (its places and basemap are shared).
    items
        The organisation's items (`vindplaatsen.list_items`); deleted ones and those outside the area are left out.
    lang
        The language of the file.
    organisation
        The organisation's name, shown under the title.
    notes
        Whether the notes of the team's places go into the file (off by default).
    categories, item_layers
        The layers switched on when the file opens (default: all).
    leave_out_hidden
        Leave the other layers out of the file altogether (what the Delen page does with the layers not chosen).

    Returns
    -------
    Share
        The share, to write with `share_html` or `write`.
    """
    shown = set(taxonomy.CATEGORY_KEYS if categories is None else categories)
    layers = place_layers(area.places, lang=lang, shown=shown)
    layers += team_layers(_inside(vp.live(items), area), lang=lang, notes=notes, shown=item_layers)
    left_out = [layer.label for layer in layers if not layer.show] if leave_out_hidden else []
    if leave_out_hidden:
        layers = [layer for layer in layers if layer.show]
    return Share(
        title=t("share.title.map", lang, name=area.name),
        area=area,
        layers=layers,
        lang=lang,
        organisation=organisation,
        made_at=made_at or datetime.now(_TZ),
        not_included=tuple(not_included("map", lang=lang, notes=notes, left_out=left_out)),
    )


def analysis_share(
    result: AreaAnalysis,
    area: Area,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    organisation: str = "",
    items: gpd.GeoDataFrame | None = None,
    keys: Sequence[str] = HEADLINE_KEYS,
    made_at: datetime | None = None,
) -> Share:
    """Return a buurtanalyse as a map: streets by walking distance, blocks beyond the threshold, the caseload figures.

    Parameters
    ----------
    result
        A `buurtanalyse.AreaAnalysis`; its caseload figures are already suppressed below 5 citizens.
    area
        The analysed area (its basemap and streets).
    items
        The organisation's items: its vindplaatsen are the places of the "vindplaats" access map.
    keys
        The kinds of place whose access maps (and places) go into the file (the first is switched on).

    Returns
    -------
    Share
        The share; its notes hold the sentences and the overall caseload figures.
    """
    acc = result.access
    layers: list[ShareLayer] = []
    present = [k for k in keys if k in acc.distance]
    for n, key in enumerate(present):
        section = t("share.section.access", lang, label=access.source_label(key, lang))
        streets = access.streets_by_distance(acc, area.street_edges, key, lang=lang)
        rank = streets.groupby("klass")["distance_m"].transform("min").fillna(np.inf)
        streets = streets.assign(rank=rank).sort_values("rank", kind="stable")
        for (colour, label), part in streets.groupby(["colour", "label"], sort=False):
            layers.append(ShareLayer(
                key=f"access-{key}-{len(layers)}", label=str(label), features=part[["geometry"]], colour=str(colour),
                name_column=None, show=n == 0, section=section, weight=3,
            ))  # fmt: skip
        if acc.blocks is not None and key in acc.block_distance:
            group = "elderly"
            blocks = access.blocks_beyond(acc, key, group, lang=lang)
            if len(blocks):
                layers.append(ShareLayer(
                    key=f"blocks-{key}", label=t("share.blocks_beyond", lang, group=t(f"access.group.{group}", lang)),
                    features=blocks[["label", "geometry"]], colour="#c0392b", fields=(("label", ""),), name_column=None,
                    show=n == 0, section=section, weight=1, fill_colour="#e74c3c", fill_opacity=0.35,
                ))  # fmt: skip
        targets = _inside(vp.live(items, "vindplaats"), area) if key == access.VINDPLAATS else None
        if key == access.VINDPLAATS:
            layers += [replace(layer, show=n == 0, section=section) for layer in team_layers(targets, lang=lang)]
        else:
            layers += [
                replace(layer, show=n == 0, section=section)
                for layer in place_layers(area.places[area.places["category"] == key], lang=lang)
            ]
    return Share(
        title=t("share.title.analysis", lang, name=result.name),
        area=area,
        layers=layers,
        lang=lang,
        organisation=organisation,
        made_at=made_at or datetime.now(_TZ),
        notes=tuple(analysis_notes(result, lang=lang)),
        not_included=tuple(not_included("analysis", lang=lang)),
    )


def analysis_notes(result: AreaAnalysis, *, lang: str) -> list[str]:
    """Return the sentences of a buurtanalyse and its unit's protected caseload figures (none for a drawn area)."""
    from buurtkaart import report

    lines = list(result.sentences) if result.has_population else [t("report.no_population", lang)]
    lines += report.caseload_notes(result, lang=lang)
    if result.unit is None or result.gaps.iloc[0]["suppressed"]:
        return lines
    overall = result.gaps.iloc[0]
    for function in vocabulary.FUNCTIONS:
        share = overall[f"lacking_{function}"]
        label = t("report.col.lacking", lang, function=vocabulary.label("function", function, lang))
        lines.append(f"{label}: {100 * float(share):.0f}%")
    lines.append(f"{t('report.bonding_only', lang)}: {100 * float(overall['bonding_only']):.0f}%")
    return lines


def round_share(
    plan: Plan,
    region: Area,
    *,
    name: str = "",
    items: gpd.GeoDataFrame | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    organisation: str = "",
    made_at: datetime | None = None,
) -> Share:
    """Return a walking round as a shared map: each walker's line, the numbered stops, the start, and the places.

    Parameters
    ----------
    plan
        A planned round (`routes.plan_round`, or `plan_saved_round` for a saved one).
    region
        The region; the file shows the part of it around the round (its basemap and places).
    name
        The round's name, in the title.
    items
        The organisation's items, drawn as on the organisation map (without notes).

    Returns
    -------
    Share
        The share; the legend gives each walker's distance and time, the stops are numbered in walking order.
    """
    from buurtkaart.route_files import round_total, walker_label

    west, south, east, north = plan.bounds
    area = region.clip(area_mod.buffer_metres(shapely.box(west, south, east, north), ROUND_MARGIN_M), name=name or t("ronde.title", lang))
    section = t("share.section.round", lang)
    layers = [_start_layer(plan, lang=lang, section=section)]
    several = len(plan.rounds) > 1
    for r in plan.rounds:
        label = walker_label(r.walker, lang)
        total = round_total(r, lang)
        path = _walking_line(r)
        if len(path) > 1:
            layers.append(ShareLayer(
                key=f"round-line-{r.walker}", label=f"{label} — {total}", colour=r.colour, name_column=None,
                features=gpd.GeoDataFrame(geometry=[shapely.linestrings(path)], crs=settings.CRS), section=section, weight=5,
            ))  # fmt: skip
        letter = chr(ord("A") + r.walker) if several else ""
        numbers = [f"{letter}{k}" for k in range(1, len(r.visits) + 1)]
        stops = gpd.GeoDataFrame(
            {
                "number": numbers,
                "name": [f"{n}. {v.stop.name}" for n, v in zip(numbers, r.visits, strict=True)],
                "arrive": [v.arrive.strftime("%H:%M") for v in r.visits],
                "minutes": [f"{round(v.stop.minutes)} min" for v in r.visits],
            },
            geometry=shapely.points([(v.stop.lon, v.stop.lat) for v in r.visits]),
            crs=settings.CRS,
        )
        layers.append(ShareLayer(
            key=f"round-stops-{r.walker}", label=t("share.round.stops", lang, walker=label), features=stops,
            colour="#ffffff", rim=r.colour, fields=(("arrive", t("share.round.arrive", lang)), ("minutes", t("share.round.stay", lang))),
            section=section, place=True, radius=11, weight=3, number_column="number",
        ))  # fmt: skip
    layers += organisation_share(area, items, lang=lang).layers
    lines = [t("share.round.when", lang, day=plan.at.strftime("%Y-%m-%d %H:%M"), speed=f"{plan.speed_kmh:g}")]
    lines += [f"{walker_label(r.walker, lang)}: {round_total(r, lang)}" for r in plan.rounds]
    return Share(
        title=t("share.title.round", lang, name=name or t("ronde.title", lang)),
        area=area,
        layers=layers,
        lang=lang,
        organisation=organisation,
        made_at=made_at or datetime.now(_TZ),
        notes=tuple(lines),
        not_included=tuple(not_included("round", lang=lang)),
    )


def plan_saved_round(saved: SavedRound, walk: WalkGraph) -> Plan:
    """Return the plan of a saved round, on the day it is planned for (today when it has none)."""
    from datetime import date

    from buurtkaart import routes

    s = saved.settings
    at = datetime.combine(saved.planned_for or date.today(), s.start_time)
    return routes.plan_round(
        walk, s.start, s.stops, returns=s.returns, walkers=s.walkers, max_minutes=s.max_minutes, speed_kmh=s.speed_kmh, at=at
    )


def find_saved_round(rounds: Sequence[SavedRound], ref: str) -> SavedRound:
    """Return the saved round whose id or name is `ref`; ShareError naming the rounds otherwise."""
    ref = " ".join(str(ref or "").split())
    found = [r for r in rounds if r.id == ref] or [r for r in rounds if r.name.casefold() == ref.casefold()]
    if len(found) != 1:
        names = ", ".join(f"{r.name} ({r.id})" for r in rounds) or "-"
        raise ShareError("error.share_round_unknown", round=ref, rounds=names)
    return found[0]


def _start_layer(plan: Plan, *, lang: str, section: str) -> ShareLayer:
    """Return the start of a round as one marked point ("S")."""
    start = gpd.GeoDataFrame(
        {"number": ["S"], "name": [f"S. {plan.start.name}"]}, geometry=shapely.points([(plan.start.lon, plan.start.lat)]),
        crs=settings.CRS,
    )
    return ShareLayer(
        key="round-start", label=t("ronde.start", lang), features=start, colour="#222222", rim="#ffffff", section=section,
        place=True, radius=11, weight=3, number_column="number",
    )


def _walking_line(r: WalkerRound) -> list[tuple[float, float]]:
    """Return a walker's whole walking line (lon, lat), legs joined."""
    line: list[tuple[float, float]] = []
    for leg in (*(v.path for v in r.visits), r.back_path):
        line += [p for p in leg if not line or line[-1] != p]
    return line


def citizen_share(
    person: pd.Series,
    tie_frame: gpd.GeoDataFrame,
    region: Area,
    *,
    consent: Consent | None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    made_at: datetime | None = None,
) -> Share:
    """Return a citizen's own buurt view, for that citizen only, once their consent is recorded.

    What is in it: the quartier the citizen lives in (its outline and a point inside it, never the anchor),
    one numbered line to each buurt tie (colour by capital) with its role, level and functions, and the
    numbers, roles and functions of the ties in the city and abroad as text. What is never in it: the
    citizen's code or file number, the anchor's coordinates, any name (of people or of the places of the
    ties), age, situations, talents, the organisation.

    Parameters
    ----------
    person
        The citizen (a row of `citizens.list_citizens`); only its quartier is used.
    tie_frame
        The citizen's ties, numbered (`network_maps.numbered`).
    region
        The region (the basemap around the quartier and the ties).
    consent
        The consent recorded with `consent.record_consent`; ShareError when there is none.

    Returns
    -------
    Share
        The share of the buurt view.
    """
    from buurtkaart.inclusieweb import CAPITAL_COLOURS

    if consent is None or consent.citizen_id != str(person.get("citizen_id", person.name)):
        raise ShareError("error.share_consent")
    quartiers = region.quartiers[region.quartiers["mdrc"].astype(str) == str(person["quartier"])]
    if quartiers.empty:
        raise ShareError("error.share_citizen_quartier")
    quartier = quartiers.iloc[0]
    q_name = str(quartier["name_fr" if lang == "fr" else "name_nl"])
    centre = shapely.point_on_surface(quartier.geometry)
    buurt = tie_frame[(tie_frame["level"] == "buurt") & ~tie_frame.geometry.is_empty]
    reach = shapely.union_all([quartier.geometry, *buurt.geometry.values])
    west, south, east, north = reach.bounds
    area = region.clip(area_mod.buffer_metres(shapely.box(west, south, east, north), ROUND_MARGIN_M), name=q_name)
    section = t("share.section.citizen", lang)

    def functions(keys: object) -> str:
        return ", ".join(vocabulary.label("function", f, lang) for f in (keys or ()))

    table = buurt.assign(
        number=buurt["num"].astype(str),
        title=[f"{n}. {vocabulary.label('role', r, lang)}" for n, r in zip(buurt["num"], buurt["role"], strict=True)],
        level_label=buurt["level"].map(lambda k: vocabulary.label("level", k, lang)),
        functions_label=buurt["functions"].map(functions),
        capital_label=buurt["capital"].map(lambda k: vocabulary.label("capital", k, lang)),
        strength_label=buurt["strength"].map(lambda k: vocabulary.label("strength", k, lang)),
        state_label=buurt["state"].map(lambda k: vocabulary.label("state", k, lang)),
    )
    fields = (
        ("level_label", t("share.citizen.level", lang)),
        ("functions_label", t("share.citizen.functions", lang)),
        ("strength_label", t("share.citizen.strength", lang)),
        ("state_label", t("share.citizen.state", lang)),
    )
    middle = gpd.GeoDataFrame(
        {"number": ["•"], "title": [t("share.citizen.quartier", lang, name=q_name)]}, geometry=[centre], crs=settings.CRS
    )
    layers = [
        ShareLayer(
            key="citizen-quartier", label=t("share.citizen.quartier", lang, name=q_name), section=section,
            features=gpd.GeoDataFrame(geometry=[quartier.geometry], crs=settings.CRS), colour="#2c3e50", name_column=None,
            weight=3, fill_colour="#2c3e50", fill_opacity=0.08,
        ),
    ]  # fmt: skip
    for capital, colour in CAPITAL_COLOURS.items():
        rows = table[table["capital"] == capital]
        if rows.empty:
            continue
        lines = rows.assign(geometry=[shapely.linestrings([(centre.x, centre.y), (g.x, g.y)]) for g in rows.geometry])
        layers.append(ShareLayer(
            key=f"citizen-ties-{capital}", label=vocabulary.label("capital", capital, lang), features=lines.set_geometry("geometry"),
            colour=colour, fields=fields, name_column="title", section=section, weight=4,
        ))  # fmt: skip
        layers.append(ShareLayer(
            key=f"citizen-ends-{capital}", label=t("share.citizen.ends", lang, capital=vocabulary.label("capital", capital, lang)),
            features=rows[["number", "title", *(c for c, _ in fields), "geometry"]], colour="#ffffff", rim=colour,
            fields=fields, name_column="title", section=section, radius=10, weight=3, number_column="number",
        ))  # fmt: skip
    layers.append(ShareLayer(
        key="citizen-centre", label=t("share.citizen.quartier", lang, name=q_name), features=middle, colour="#2c3e50",
        name_column="title", section=section, radius=8, weight=2, number_column="number",
    ))  # fmt: skip
    notes = [t("share.citizen.consent", lang, day=consent.given_on.isoformat()), t("share.citizen.privacy", lang)]
    for row in tie_frame[tie_frame["level"] != "buurt"].itertuples():
        notes.append(
            f"{row.num}. {vocabulary.label('role', row.role, lang)} — {vocabulary.label('level', row.level, lang)}"
            + (f" — {functions(row.functions)}" if row.functions else "")
        )
    return Share(
        title=t("share.title.citizen", lang, name=q_name),
        area=area,
        layers=layers,
        lang=lang,
        made_at=made_at or datetime.now(_TZ),
        notes=tuple(notes),
        not_included=tuple(not_included("citizen", lang=lang)),
    )


def not_included(
    what: str, *, lang: str = i18n.DEFAULT_LANGUAGE, notes: bool = False, left_out: Sequence[str] = ()
) -> list[str]:
    """Return the list of what is NOT in a shared file of this kind (and the layers `left_out`), to show next to its preview."""
    lines = [t("share.not.codes", lang), t("share.not.ties", lang), t("share.not.anchors", lang), t("share.not.history", lang)]
    if what in ("map", "round") and not notes:
        lines.append(t("share.not.notes", lang))
    if what == "round":
        lines.append(t("share.not.walks", lang))
    if what == "citizen":  # the citizen's own map: their ties are in it, nothing that names or locates them
        lines = [t("share.not.codes", lang), t("share.not.anchor_exact", lang), t("share.not.names", lang)]
    if what == "analysis":
        lines += [t("share.not.groups", lang), t("share.not.unknown", lang)]
    if left_out:
        lines.append(t("share.not.layers", lang, layers=", ".join(left_out)))
    return lines


def place_layers(places: gpd.GeoDataFrame, *, lang: str, shown: set[str] | None = None) -> list[ShareLayer]:
    """Return one layer of points per category of place, with the place's details in its popup."""
    wheelchair = {v: t(f"wheelchair.{v}", lang) for v in ("yes", "no", "limited")}
    fields = (
        ("religion", t("place.religion", lang)),
        ("opening_hours", t("place.opening_hours", lang)),
        ("wheelchair_label", t("place.wheelchair", lang)),
        ("address", t("place.address", lang)),
        ("osm_tag", t("place.tag", lang)),
    )
    layers = []
    section = t("map.categories", lang)
    for cat in taxonomy.CATEGORIES:
        rows = places[places["category"] == cat.key]
        if rows.empty:
            continue
        rows = rows.assign(wheelchair_label=rows["wheelchair"].map(wheelchair).fillna(""))
        layers.append(ShareLayer(
            key=f"cat-{cat.key}", label=i18n.category_label(cat.key, lang), features=rows, colour=cat.colour,
            fields=fields, show=shown is None or cat.key in shown, section=section, place=True,
            radius=6 if len(places) <= 4000 else 3.5, weight=1.5 if len(places) <= 4000 else 1,
            popup_kind=t("place.category", lang),
        ))  # fmt: skip
    return layers


def team_layers(
    items: gpd.GeoDataFrame, *, lang: str, notes: bool = False, shown: Sequence[str] | None = None
) -> list[ShareLayer]:
    """Return one layer of points per layer of the organisation's map (vindplaatsen, sites, partners…)."""
    if items is None or items.empty:
        return []

    def words(vocabulary: str, keys: object) -> str:
        return ", ".join(vp.label(vocabulary, k, lang) for k in (keys or ()))

    table = items.assign(
        kind_label=items["kind"].map(lambda k: vp.label("kind", k, lang) if k else ""),
        groups_label=items["target_groups"].map(lambda v: words("target_group", v)),
        languages_label=items["languages"].map(lambda v: words("language", v)),
        wheelchair_label=items["wheelchair"].map(lambda v: vp.label("wheelchair", v, lang) if v and v != "unknown" else ""),
    )
    fields = [
        ("kind_label", t("place.category", lang)),
        ("groups_label", t("item.target_groups", lang)),
        ("languages_label", t("item.languages", lang)),
        ("hours", t("item.hours", lang)),
        ("wheelchair_label", t("place.wheelchair", lang)),
    ]
    if notes:
        fields.append(("notes", t("item.notes", lang)))
    section = t("share.section.team", lang)
    layers = []
    for layer, colour in ITEM_COLOURS.items():
        rows = table[table["layer"] == layer]
        if rows.empty:
            continue
        label = vp.label("layer", layer, lang)
        layers.append(ShareLayer(
            key=f"team-{layer}", label=label, features=rows, colour="#ffffff", rim=colour, fields=tuple(fields),
            show=shown is None or layer in shown, section=section, place=True, radius=9, weight=4,
            popup_kind=t("item.layer", lang),
        ))  # fmt: skip
    return layers


# --------------------------------------------------------------------------- the file


def share_data(share: Share, *, present: bool = False) -> dict:
    """Return the data block of a shared file: texts, the compact basemap and the compact layers."""
    large = len(share.area.street_edges) > LARGE_AREA_EDGES
    quantum = compact.COARSE_QUANTUM if large else compact.QUANTUM
    bounds = share.area.bounds
    base = compact.origin(bounds, quantum)
    lang = share.lang
    return {
        "q": quantum,
        "o": list(base),
        "bounds": [round(v, 6) for v in bounds],
        "meta": {
            "title": share.title,
            "subtitle": share.subtitle,
            "organisation": share.organisation,
            "date": t("share.made", lang, date=share.made_at.strftime("%Y-%m-%d")),
            "lang": lang,
            "present": present,
            "attribution": t("map.attribution", lang),
            "streets_note": t("map.streets.note", lang) if share.area.source == "embedded" else "",
            "notes": list(share.notes),
            "labels": {
                "unnamed": t("place.unnamed", lang),
                "search": t("map.search", lang),
                "none": t("share.search.none", lang),
                "legend": t("map.legend", lang),
            },
        },
        "base": basemap_specs(share.area, lang=lang, quantum=quantum, base=base, large=large),
        "layers": [layer_spec(layer, quantum=quantum, base=base) for layer in share.layers],
    }


def basemap_specs(area: Area, *, lang: str, quantum: float, base: tuple[int, int], large: bool) -> list[dict]:
    """Return the basemap layers (green, streets, quartier outlines) in the compact form."""
    tolerance = 0.00005 if large else 0.00001
    section = t("share.section.base", lang)
    specs = []
    if len(area.green):
        geoms = compact.simplified(area.green, tolerance, min_area=5e-8 if large else 0.0)
        stream, count = compact.encode_polygons(geoms, quantum=quantum, base=base)
        specs.append({
            "key": "green", "label": t("map.green", lang), "kind": compact.POLYGONS, "c": stream, "count": count,
            "colour": "#7dbb7d", "weight": 0.5, "fillColour": "#b9e3b0", "fillOpacity": 0.6, "section": section,
            "className": "bk-green",
        })  # fmt: skip
    if len(area.street_edges):
        geoms = compact.simplified(area.street_edges, tolerance)
        stream, count = compact.encode_lines(geoms, quantum=quantum, base=base)
        specs.append({
            "key": "streets", "label": t("map.streets", lang), "kind": compact.LINES, "c": stream, "count": count,
            "colour": "#9aa0a6", "weight": 1.2 if large else 1.5, "section": section, "className": "bk-street",
        })  # fmt: skip
    if len(area.quartiers):
        quartiers = area.quartiers
        names = quartiers["name_fr" if lang == "fr" else "name_nl"].astype(str).tolist()
        stream, count = compact.encode_polygons(
            shapely.simplify(quartiers.geometry.values, 0.00002), quantum=quantum, base=base
        )
        if count == len(names):  # one polygon per quartier: each gets its name as a tooltip
            props = {"q": compact.column(names)}
            specs.append({
                "key": "quartiers", "label": t("map.quartiers", lang), "kind": compact.POLYGONS, "c": stream,
                "count": count, "colour": "#2c3e50", "weight": 1.5, "dash": "4 4", "fill": False, "tip": "q",
                "p": props, "section": section, "className": "bk-quartier", "interactive": True,
            })  # fmt: skip
        else:
            outlines, count = compact.encode_lines(
                shapely.boundary(shapely.simplify(quartiers.geometry.values, 0.00002)), quantum=quantum, base=base
            )
            specs.append({
                "key": "quartiers", "label": t("map.quartiers", lang), "kind": compact.LINES, "c": outlines,
                "count": count, "colour": "#2c3e50", "weight": 1.5, "dash": "4 4", "section": section,
            })  # fmt: skip
    return specs


def layer_spec(layer: ShareLayer, *, quantum: float, base: tuple[int, int]) -> dict:
    """Return one layer (points, lines or polygons) in the compact form, with its style and popup fields."""
    frame = layer.features
    if len(frame):  # one row per part, so that every part keeps its popup
        frame = frame[~frame.geometry.is_empty].explode(index_parts=False, ignore_index=True)
    types = set(shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object)).tolist()) if len(frame) else {0}
    if 3 in types and types <= {0, 1, 3}:  # polygons, with stray points or lines of a collection left out
        frame = frame[shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object)) == 3]
        types = {3}
    geoms = frame.geometry.values
    spec: dict = {
        "key": layer.key, "label": layer.label, "colour": layer.colour, "section": layer.section, "show": layer.show,
        "place": layer.place, "radius": layer.radius, "weight": layer.weight, "rim": layer.rim,
    }  # fmt: skip
    if layer.fill_colour:
        spec["fillColour"] = layer.fill_colour
    if layer.fill_opacity is not None:
        spec["fillOpacity"] = layer.fill_opacity
    if layer.dash:
        spec["dash"] = layer.dash
    order = np.arange(len(frame))
    if types == {0}:
        spec["kind"] = compact.POINTS
        spec["c"], order = compact.encode_points(geoms, quantum=quantum, base=base)
    elif types == {1}:
        spec["kind"] = compact.LINES
        spec["c"], _ = compact.encode_lines(geoms, quantum=quantum, base=base)
    elif types == {3}:
        spec["kind"] = compact.POLYGONS
        spec["c"], _ = compact.encode_polygons(geoms, quantum=quantum, base=base)
    else:
        msg = f"Layer {layer.key!r} mixes geometry types {sorted(types)}; give points, lines or polygons."
        raise ValueError(msg)
    spec["count"] = len(frame)
    props: dict = {}
    rows: list[list[str]] = []
    if layer.popup_kind:
        rows.append(["c", layer.popup_kind])
    if layer.name_column:
        props["n"] = compact.column(frame[layer.name_column].to_numpy()[order])
    if layer.number_column:
        props["k"] = compact.column(frame[layer.number_column].to_numpy()[order])
        spec["numbers"] = "k"
    for k, (column, label) in enumerate(layer.fields):
        props[f"f{k}"] = compact.column(frame[column].to_numpy()[order])
        rows.append([f"f{k}", label])
    if props:
        spec["p"] = props
        spec["rows"] = rows
        spec["sub"] = layer.label
    return spec


def share_html(share: Share, *, present: bool = False) -> str:
    """Return the standalone HTML file of a share (no external request; CSP with the hashes of its scripts).

    Parameters
    ----------
    share
        What to share (`organisation_share`, `analysis_share` or a `Share` of your own layers).
    present
        Open in presentation mode (large legend and labels).

    Returns
    -------
    str
        The whole file.
    """
    data = _json_block(share_data(share, present=present))
    scripts = [LEAFLET_JS.read_text(encoding="utf-8"), BKMAP_JS.read_text(encoding="utf-8"), BKSHARE_JS.read_text(encoding="utf-8")]
    css = _without_urls(LEAFLET_CSS.read_text(encoding="utf-8")) + "\n" + BKSHARE_CSS.read_text(encoding="utf-8")
    for text in scripts:
        if "</script" in text.lower():
            msg = "An inlined script holds '</script'; it would end its element."
            raise ValueError(msg)
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join(_hash(s) for s in scripts)}; "
        f"style-src {_hash(css)}; img-src data:; base-uri 'none'; form-action 'none'"
    )
    lang = html.escape(share.lang, quote=True)
    return (
        f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{html.escape(share.title)}</title>\n<style>{css}</style>\n</head>\n"
        "<body><aside id=\"bk-panel\"></aside><main id=\"bk-map\"></main>\n"
        f"<script type=\"application/json\" id=\"bk-data\">{data}</script>\n"
        + "".join(f"<script>{s}</script>\n" for s in scripts)
        + "</body></html>\n"
    )


def snapshot_bytes(share: Share, suffix: str) -> bytes:
    """Return a PNG or PDF (`suffix` ".png" or ".pdf") of a share as bytes, for a download."""
    import tempfile

    if suffix not in SNAPSHOT_SUFFIXES:
        raise ShareError("error.share_out", path=suffix, suffixes=", ".join(SNAPSHOT_SUFFIXES))
    with tempfile.TemporaryDirectory() as folder:
        path = snapshot(share_html(share), Path(folder) / f"snapshot{suffix}")
        return path.read_bytes()


def write(share: Share, out: str | Path, *, present: bool = False) -> Path:
    """Write a share to `out`: .html (the standalone file), .png or .pdf (a snapshot of it in Chromium)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise ShareError("error.share_out", path=str(out), suffixes=", ".join(OUT_SUFFIXES))
    text = share_html(share, present=present)
    if suffix == ".html":
        path.write_text(text, encoding="utf-8")
        return path
    return snapshot(text, path)


def snapshot(text: str, out: Path, *, width: int = 1600, height: int = 1000, timeout_s: float = 60.0) -> Path:
    """Write a PNG or PDF of a shared file as headless Chromium draws it (Playwright, the system's Chromium).

    Playwright runs in a thread of its own, so that a caller inside an event loop (a page, a test) can ask too.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_snapshot, text, out, width, height, timeout_s).result()


def _snapshot(text: str, out: Path, width: int, height: int, timeout_s: float) -> Path:
    """Draw the file in headless Chromium and save the PNG or PDF (see `snapshot`)."""
    import tempfile

    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ShareError("error.share_snapshot", path=CHROMIUM) from error
    if not Path(CHROMIUM).exists():
        raise ShareError("error.share_snapshot", path=CHROMIUM)
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "share.html"
        page_file.write_text(text, encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_file.as_uri())
                page.wait_for_function("document.body.dataset.placesDrawn !== undefined", timeout=timeout_s * 1000)
                page.wait_for_timeout(300)  # let the canvas paint its last frame
                if out.suffix.lower() == ".pdf":
                    page.emulate_media(media="screen")
                    page.pdf(path=str(out), width=f"{width}px", height=f"{height}px", print_background=True)
                else:
                    page.screenshot(path=str(out))
            finally:
                browser.close()
    return out


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


# --------------------------------------------------------------------------- areas


def unit_of(spec: str) -> str | None:
    """Return the fixed unit of `--area` for caseload figures: the commune, a quartier code, or None (the region)."""
    from buurtkaart.buurtanalyse import area_unit

    spec = (spec or "commune").strip().lower()
    match = re.fullmatch(r"quartier:(\d+)", spec)
    return area_unit("quartier", match.group(1)) if match else area_unit(spec)


def area_of(spec: str, region: Area) -> Area:
    """Return the area of `--area`: "commune" (Schaerbeek), "region" or "quartier:N"."""
    spec = (spec or "commune").strip().lower()
    if spec == "region":
        return region
    if spec == "commune":
        return region.clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)
    match = re.fullmatch(r"quartier:(\d+)", spec)
    if match:
        found = region.quartiers[region.quartiers["mdrc"] == int(match.group(1))]
        if not found.empty:
            row = found.iloc[0]
            return region.clip(row.geometry, name=str(row["name_nl"]))
    raise ShareError("error.share_area", area=spec)


# --------------------------------------------------------------------------- helpers


def _inside(items: gpd.GeoDataFrame, area: Area) -> gpd.GeoDataFrame:
    """Return the items whose point lies in the area (a little around its edge)."""
    if items.empty:
        return items
    outline = area_mod.buffer_metres(area.boundary, settings.STREET_MARGIN_M)
    return items[shapely.contains_xy(outline, items.geometry.x, items.geometry.y)]


def _json_block(data: dict) -> str:
    """Return data as JSON that is safe inside a <script> element (no <, > or & left)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(value: object) -> object:
    """Return numpy and pandas scalars as plain Python values for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    msg = f"Cannot write {value!r} of type {type(value).__name__} into a shared file."
    raise TypeError(msg)


def _hash(text: str) -> str:
    """Return the CSP source of an inline script or style: its sha256 hash in base64."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _without_urls(css: str) -> str:
    """Return CSS without url(...) references (the file loads nothing, not even an image next to it)."""
    return re.sub(r"url\([^)]*\)", "none", css)
