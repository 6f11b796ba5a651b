"""The three map views of one citizen's network: buurt (walking scale), Brussels, and the world.

A line runs from the citizen's anchor (a quartier or a chosen place, never a home) to each tie,
coloured by capital, thicker for a strong tie, dashed when slapend, dotted when a breuklijn; a
negative influence is marked at the tie's end. Each tie carries the same number in every view and
in the inclusieweb chart, so the views read together.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import folium
import geopandas as gpd
import pandas as pd
import shapely

from buurtkaart import gazetteer, i18n, inclusieweb, maps, settings, vocabulary, wayfinding
from buurtkaart.area import Area, buffer_metres
from buurtkaart.paths import DATA_DIR

VIEWS: tuple[str, ...] = ("buurt", "stad", "translokaal")
CAPITAL_COLOURS: dict[str, str] = inclusieweb.CAPITAL_COLOURS  # the same colours as the inclusieweb chart
LOST_COLOUR = "#95a5a6"
NEGATIVE_COLOUR = "#c0392b"
WORLD_MIN_SPAN = (40.0, 25.0)  # degrees: the world view shows at least Europe and North Africa
# Which levels each view draws: the Brussels view also shows the buurt, the world view everything.
VIEW_LEVELS: dict[str, tuple[str, ...]] = {
    "buurt": ("buurt",),
    "stad": ("buurt", "stad"),
    "translokaal": ("buurt", "stad", "translokaal"),
}
STATE_DASH: dict[str, str | None] = {"active": None, "slapend": "8 6", "breuklijn": "2 7"}

# Binds a text-only popup (DOM textContent: no label is parsed as HTML) and the tie's number.
_TIE_JS = """
function(feature, layer) {
  const p = feature.properties;
  if (feature.geometry.type === 'Point') {
    layer.bindTooltip(String(p.num), {permanent: true, direction: 'right', offset: [6, 0], className: 'bk-tie-num'});
  }
  layer.bindPopup(function() {
    const box = document.createElement('div');
    box.className = 'bk-popup';
    const title = document.createElement('b');
    title.textContent = p.num + '. ' + p.role;
    box.appendChild(title);
    const rows = p.rows;""" + maps.POPUP_TABLE_JS + """    return box;
  });
}
"""


@dataclass(frozen=True)
class Basemaps:
    """The light background layers of the three views, computed once per area."""

    streets: gpd.GeoDataFrame  # the area's street edges (clipped around each anchor when drawn)
    green: gpd.GeoDataFrame
    quartiers: dict | None  # GeoJSON of the quartier outlines
    region: tuple[float, float, float, float]  # bounds of the Brussels view
    world: dict  # GeoJSON of the country outlines
    labels: gpd.GeoDataFrame | None = None  # where the street names are written (``wayfinding.street_labels``)


def basemaps(area: Area) -> Basemaps:
    """Return the background layers of the three views for an area."""
    quartiers = maps.basemap_geojson(area.quartiers.boundary.to_frame("geometry"), tolerance=0.0001) if len(area.quartiers) else None
    return Basemaps(
        streets=area.street_edges[["geometry"]],
        green=area.green[["geometry"]],
        quartiers=quartiers,
        region=area.bounds,
        world=_world_geojson(),
        labels=wayfinding.street_labels(area),
    )


@lru_cache(maxsize=1)
def _world_geojson() -> dict:
    """Return the country outlines (Natural Earth 1:110m) as one GeoJSON feature."""
    world = gpd.read_parquet(DATA_DIR / "world_countries.parquet")
    return maps.basemap_geojson(world, tolerance=0.05)


def numbered(tie_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the ties with a stable number 1..n (their order), the same in every view and chart."""
    out = tie_frame.reset_index(drop=True).copy()
    out["num"] = range(1, len(out) + 1)
    return out


def tie_table(tie_frame: gpd.GeoDataFrame, *, lang: str) -> pd.DataFrame:
    """Return numbered ties as a table in `lang`: every property (TIE_TABLE_COLUMNS), how many people included."""
    def labels(field: str, vocabulary_name: str) -> pd.Series:
        return tie_frame[field].map(lambda k: vocabulary.label(vocabulary_name, k, lang))

    group = tie_frame["group_size"] if "group_size" in tie_frame.columns else pd.Series(1, index=tie_frame.index)
    return tie_frame.assign(
        place_label=place_labels(tie_frame, lang),
        role=labels("role", "role"),
        level=labels("level", "level"),
        functions=tie_frame["functions"].map(lambda fs: ", ".join(vocabulary.label("function", f, lang) for f in fs)),
        capital=labels("capital", "capital"),
        state=labels("state", "state"),
        frequency=labels("frequency", "frequency"),
        strength=labels("strength", "strength"),
        influence=labels("influence", "influence"),
        reciprocity=labels("reciprocity", "reciprocity"),
        group_size=group.fillna(1).astype(int),
    )[list(TIE_TABLE_COLUMNS)]


# The columns of `tie_table`: the number on the maps, then every property of a tie.
TIE_TABLE_COLUMNS: tuple[str, ...] = (
    "num", "role", "group_size", "level", "place_label", "functions", "capital", "state",
    "frequency", "strength", "influence", "reciprocity",
)  # fmt: skip


def tie_names(tie_frame: gpd.GeoDataFrame, *, lang: str) -> dict[str, str]:
    """Return {tie_id: "3. Buur — Josaphatpark"} of numbered ties, to pick one (never a person's name: a role)."""
    places = place_labels(tie_frame, lang)
    return {row.tie_id: f"{row.num}. {vocabulary.label('role', row.role, lang)} — {places[i]}" for i, row in zip(tie_frame.index, tie_frame.itertuples(), strict=True)}


def place_labels(tie_frame: pd.DataFrame, lang: str) -> pd.Series:
    """Return each tie's place as shown in `lang` (a country or a municipality in that language's name)."""
    return pd.Series(
        [gazetteer.shown_label(k, r, label, lang) for k, r, label in zip(tie_frame["place_kind"], tie_frame["place_ref"], tie_frame["place_label"], strict=True)],
        index=tie_frame.index, dtype=object,
    )


def view_ties(tie_frame: gpd.GeoDataFrame, view: str) -> gpd.GeoDataFrame:
    """Return the ties a view draws."""
    return tie_frame[tie_frame["level"].isin(VIEW_LEVELS[view])]


def view_bounds(view: str, anchor: tuple[float, float], shown: gpd.GeoDataFrame, base: Basemaps) -> tuple[float, float, float, float]:
    """Return the (west, south, east, north) a view opens on."""
    lon, lat = anchor
    xs = [lon, *shown.geometry.x.tolist()]
    ys = [lat, *shown.geometry.y.tolist()]
    if view == "buurt":
        box = shapely.box(min(xs), min(ys), max(xs), max(ys))
        return tuple(float(v) for v in buffer_metres(box, settings.BUURT_VIEW_MARGIN_M).bounds)  # type: ignore[return-value]
    if view == "stad":
        west, south, east, north = base.region
        return min(west, *xs), min(south, *ys), max(east, *xs), max(north, *ys)
    west, south, east, north = min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2
    grow_x, grow_y = max(0.0, WORLD_MIN_SPAN[0] - (east - west)) / 2, max(0.0, WORLD_MIN_SPAN[1] - (north - south)) / 2
    return west - grow_x, max(south - grow_y, -80.0), east + grow_x, min(north + grow_y, 80.0)


def network_map(
    view: str,
    *,
    anchor: tuple[float, float],
    anchor_label: str,
    tie_frame: gpd.GeoDataFrame,
    base: Basemaps,
    lang: str = i18n.DEFAULT_LANGUAGE,
    changes: pd.Series | None = None,
    lost: gpd.GeoDataFrame | None = None,
    width: int = 900,
    height: int = 480,
    suggestions: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Return one view of a citizen's network: a line from the anchor to each numbered tie of that view.

    `tie_frame` comes from `numbered`; `changes` (tie_id -> change, from comparing two versions)
    marks added and reactivated ties, and `lost` ties of the older version are drawn in grey.
    `suggestions` (from `suggestions.suggest`, in list order) are drawn on the buurt view, numbered 1, 2… like the list.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    shown = view_ties(tie_frame, view)
    lost_shown = view_ties(lost, view) if lost is not None and len(lost) else None
    bounds = view_bounds(view, anchor, shown if lost_shown is None else pd.concat([shown, lost_shown]), base)
    m = folium.Map(
        location=list(maps.center(bounds)),
        zoom_start=maps.fit_zoom(bounds, width=width, height=height),
        tiles=None,
        control_scale=False,
    )
    maps.add_scale(m)
    maps.limit_view(m, None if view == "world" else bounds, min_zoom=0 if view == "world" else maps.MIN_ZOOM)
    _add_background(m, view, bounds, base, lang)
    for level in VIEW_LEVELS[view]:
        group = folium.FeatureGroup(name=f"{vocabulary.label('level', level, lang)} ({(shown['level'] == level).sum()})")
        level_ties = shown[shown["level"] == level]
        if len(level_ties):
            _add_ties(group, anchor, level_ties, lang, changes)
        if lost_shown is not None and (lost_shown["level"] == level).any():
            _add_ties(group, anchor, lost_shown[lost_shown["level"] == level], lang, None, lost=True)
        group.add_to(m)
    if view == "buurt" and suggestions is not None and len(suggestions):
        _add_suggestions(m, suggestions, lang)
    folium.CircleMarker(
        (anchor[1], anchor[0]), radius=10, color="#2c3e50", weight=3, fill=True, fill_color="#f1c40f", fill_opacity=1,
        class_name="bk-anchor", tooltip=folium.Tooltip(_text(anchor_label)),
    ).add_to(m)
    maps.layer_control(m)
    maps.use_local_assets(m)
    return m


def ties_geojson(
    anchor: tuple[float, float], rows: gpd.GeoDataFrame, *, lang: str, changes: pd.Series | None, lost: bool = False, ends: bool = False
) -> dict:
    """Return the tie lines (anchor → tie), or with `ends` their end points, as GeoJSON with a style and text-only labels."""
    features = []
    for row in rows.itertuples():
        change = "lost" if lost else (changes.get(row.tie_id, "") if changes is not None else "")
        functions = ", ".join(vocabulary.label("function", f, lang) for f in row.functions)
        props = {
            "num": int(row.num) if not lost else "–",
            "role": vocabulary.label("role", row.role, lang),
            "rows": [
                [i18n.t("tie.functions", lang), functions],
                [i18n.t("tie.capital", lang), vocabulary.label("capital", row.capital, lang)],
                [i18n.t("tie.strength", lang), vocabulary.label("strength", row.strength, lang)],
                [i18n.t("tie.state", lang), vocabulary.label("state", row.state, lang)],
                [i18n.t("tie.influence", lang), vocabulary.label("influence", row.influence, lang)],
                [i18n.t("tie.reciprocity", lang), vocabulary.label("reciprocity", row.reciprocity, lang)],
                [i18n.t("tie.frequency", lang), vocabulary.label("frequency", row.frequency, lang)],
                [i18n.t("tie.place", lang), gazetteer.shown_label(row.place_kind, row.place_ref, row.place_label, lang)],
                [i18n.t("tie.change", lang), i18n.t(f"change.{change}", lang) if change else ""],
            ],
            "style": _end_style(row, change) if ends else _style(row, change),
        }
        end = (row.geometry.x, row.geometry.y)
        shape = shapely.Point(end) if ends else shapely.LineString([anchor, end])
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(shape), "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _style(row: object, change: str) -> dict:
    """Return the Leaflet path style of one tie line."""
    classes = ["bk-tie", f"bk-level-{row.level}", f"bk-capital-{row.capital}", f"bk-state-{row.state}"]
    if row.influence == "negative":
        classes.append("bk-negative")
    if change:
        classes.append(f"bk-change-{change}")
    colour = LOST_COLOUR if change == "lost" else CAPITAL_COLOURS.get(row.capital, "#7f8c8d")
    return {
        "color": colour,
        "weight": (5 if row.strength == "strong" else 2.5) + (2 if change in ("added", "reactivated") else 0),
        "opacity": 0.5 if change == "lost" else 0.9,
        "dashArray": "1 6" if change == "lost" else STATE_DASH.get(row.state),
        "className": " ".join(classes),
    }


def _end_style(row: object, change: str) -> dict:
    """Return the style of a tie's end marker: red-rimmed for a negative influence (folium applies a feature's style)."""
    negative = row.influence == "negative"
    classes = ["bk-tie-end", f"bk-level-{row.level}"] + (["bk-negative"] if negative else [])
    return {
        "color": NEGATIVE_COLOUR if negative else ("#2c3e50" if change != "lost" else LOST_COLOUR),
        "weight": 3 if negative else 1,
        "radius": 6 if negative else 4,
        "fillColor": "#ffffff",
        "fillOpacity": 1,
        "className": " ".join(classes),
    }


def _add_ties(
    group: folium.FeatureGroup,
    anchor: tuple[float, float],
    rows: gpd.GeoDataFrame,
    lang: str,
    changes: pd.Series | None,
    *,
    lost: bool = False,
) -> None:
    """Add tie lines and their end markers (red for a negative influence) to a layer."""
    geojson = ties_geojson(anchor, rows, lang=lang, changes=changes, lost=lost)
    folium.GeoJson(
        geojson,
        style_function=lambda feature: feature["properties"]["style"],
        on_each_feature=folium.JsCode(_TIE_JS),
    ).add_to(group)
    folium.GeoJson(  # the end markers: each feature's style (see _end_style) sets its colour, rim and size
        ties_geojson(anchor, rows, lang=lang, changes=changes, lost=lost, ends=True),
        on_each_feature=folium.JsCode(_TIE_JS),
        marker=folium.CircleMarker(radius=4, fill=True),
    ).add_to(group)


def _add_background(m: folium.Map, view: str, bounds: tuple[float, float, float, float], base: Basemaps, lang: str) -> None:
    """Add the light background of a view: nearby streets and green, quartier outlines, or countries."""
    if view == "buurt":
        box = buffer_metres(shapely.box(*bounds), settings.BUURT_BACKGROUND_M)
        green = base.green.iloc[base.green.sindex.query(box, predicate="intersects")]  # the index is built once per basemap
        streets = base.streets.iloc[base.streets.sindex.query(box, predicate="intersects")]
        if len(green):
            folium.GeoJson(
                maps.basemap_geojson(green), interactive=False,
                style={"color": "#7dbb7d", "weight": 0.5, "fillColor": "#b9e3b0", "fillOpacity": 0.6, "className": "bk-green"},
            ).add_to(m)
        if len(streets):
            folium.GeoJson(
                maps.basemap_geojson(streets), interactive=False, attribution=i18n.t("map.attribution", lang),
                style={"color": "#9aa0a6", "weight": 1.5, "className": "bk-street"},
            ).add_to(m)
        if base.labels is not None and len(base.labels):
            names = maps.street_names(base.labels.iloc[base.labels.sindex.query(box, predicate="intersects")], lang=lang)
            if names is not None:
                names.add_to(m)
    elif view == "stad" and base.quartiers:
        folium.GeoJson(
            base.quartiers, interactive=False, attribution=i18n.t("map.attribution", lang),
            style={"color": "#7f8c8d", "weight": 1, "className": "bk-quartier"},
        ).add_to(m)
    if view == "translokaal":
        folium.GeoJson(
            base.world, interactive=False, attribution="Natural Earth",
            style={"color": "#7f8c8d", "weight": 0.8, "fillColor": "#ecf0f1", "fillOpacity": 1, "className": "bk-country"},
        ).add_to(m)


def _add_suggestions(m: folium.Map, suggestions: gpd.GeoDataFrame, lang: str) -> None:
    """Add the suggested places as numbered markers (1 = the first of the list), their name as text in a tooltip."""
    group = folium.FeatureGroup(name=f"{i18n.t('burger.suggestions', lang)} ({len(suggestions)})")
    for number, row in enumerate(suggestions.itertuples(), start=1):
        folium.Marker(
            (row.geometry.y, row.geometry.x),
            icon=folium.DivIcon(
                html=f'<div class="bk-suggestion" style="background:#8e44ad;color:#fff;border-radius:50%;width:22px;height:22px;'
                f'line-height:22px;text-align:center;font:bold 12px sans-serif;border:2px solid #fff">{int(number)}</div>',
                icon_size=(22, 22), icon_anchor=(11, 11), class_name="bk-suggestion-icon",
            ),
            tooltip=folium.Tooltip(f"{int(number)}. {_text(str(row.name))}"),
        ).add_to(group)
    group.add_to(m)


def _text(value: str) -> str:
    """Return a label escaped for a folium tooltip (which is HTML)."""
    return html.escape(value or "")
