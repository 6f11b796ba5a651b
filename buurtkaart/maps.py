"""Build the folium map of an area: social places by category over our own street basemap."""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.map import Layer
from folium.template import Template

from buurtkaart import accessibility as access
from buurtkaart import compact, i18n, taxonomy, wayfinding
from buurtkaart.area import Area
from buurtkaart.buurtanalyse import AreaAnalysis, area_streets
from buurtkaart.paths import STATIC_CACHE_DIR

if TYPE_CHECKING:
    from buurtkaart import routes

STATIC_URL = "/app/static"
CACHE_URL = f"{STATIC_URL}/cache"  # where `publish` puts an area's map data (served by Streamlit's static serving)
CACHE_KEEP = 24  # map data files kept in the cache folder (the oldest go first)
LOCAL_JS = [("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"), ("bkmap", f"{STATIC_URL}/share/bkmap.js")]
LOCAL_CSS = [
    ("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),
    ("buurtkaart_css", f"{STATIC_URL}/buurtkaart.css"),
]
# Above this many places the map draws on a canvas instead of one SVG element per place.
CANVAS_THRESHOLD = 4000
LARGE_AREA_EDGES = 10_000  # more street edges than this: a whole region
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_PRECISION = 6  # decimals of a place coordinate in the page: ~0.1 m
_BASEMAP_PRECISION = 5  # decimals of a street or park coordinate: ~1 m
# The zooms our own data supports: a whole region (11) to single houses (19); beyond that the basemap is an empty grey.
MIN_ZOOM, MAX_ZOOM = 11, 19
LABEL_MIN_ZOOM = 16  # street names are written on the map from this zoom on
FOCUS_ZOOM = 17  # a place picked by search is shown at this zoom (its street's name written)
BOUNDS_MARGIN = 0.02  # degrees (~1.5-2 km) the view may go beyond the area's outline
MARK_URL = "vindplaatsen?osm="  # the vindplaatsen page, relative to the app's address, opened with an OSM place to mark

# Adds `rows` ([label, value] pairs; empty values are left out) to the popup `box` as a table of text nodes.
# Every popup of the app (places, items, ties) builds its table so: no name or note is ever parsed as HTML.
POPUP_TABLE_JS = """
    const table = document.createElement('table');
    for (const [label, value] of rows) {
      if (!value) { continue; }
      const row = table.insertRow();
      row.insertCell().textContent = label;
      row.insertCell().textContent = value;
    }
    box.appendChild(table);
"""
# Builds a place's popup with DOM text nodes, so that no OSM text is ever parsed as HTML.
_POPUP_JS = """
function(feature, layer) {
  const labels = %(labels)s;
  layer.bindPopup(function() {
    const p = feature.properties;
    const box = document.createElement('div');
    box.className = 'bk-popup';
    const title = document.createElement('b');
    title.textContent = p.n || labels.unnamed;
    box.appendChild(title);
    const rows = labels.rows.map(function([key, label]) {
      let value = key === 'c' ? labels.category : p[key];
      if (Array.isArray(value)) { value = value.join(', '); }
      if (key === 'w' && value) { value = labels.wheelchair[value] || value; }
      return [label, value];
    });""" + POPUP_TABLE_JS + """    return box;
  });
  layer.bindTooltip(function() { return document.createTextNode(feature.properties.n || labels.category); });
}
"""


@dataclass(frozen=True)
class MapData:
    """The layers of an area's map in the light encoding of `compact`, computed once and reused by every map built from it."""

    bounds: tuple[float, float, float, float]
    green: str | None  # compact polygons spec, as JSON ready for a <script> (serialised once, not per page run)
    streets: str | None  # compact lines spec, idem
    quartiers: str | None  # compact polygons spec, one polygon per part, its names in the columns "nl" and "fr"
    places: dict[str, tuple[int, str]]  # category -> (count, compact points spec as JSON)
    header: dict = field(default_factory=dict)  # {"q": quantum, "o": origin}: what the decoder needs
    labels: str | None = None  # compact points spec of the street names (``wayfinding.street_labels``), as JSON

    @property
    def n_places(self) -> int:
        """Return the number of places on the map."""
        return sum(count for count, _ in self.places.values())

    def layers(self) -> dict[str, str]:
        """Return {layer key: compact spec as JSON} of every layer (the keys `build_map` asks a data file for)."""
        base = {"green": self.green, "streets": self.streets, "labels": self.labels, "quartiers": self.quartiers}
        return {**{k: v for k, v in base.items() if v}, **{f"cat-{k}": spec for k, (_, spec) in self.places.items()}}


def map_data(area: Area) -> MapData:
    """Return the layers of `area` in the light encoding (the slow part of building a map)."""
    # A whole region is seen from further away: a coarser outline and grid (~2-3 m) keep the page light.
    large = len(area.street_edges) > LARGE_AREA_EDGES
    tolerance = 0.00003 if large else 0.00001
    quantum = compact.COARSE_QUANTUM if large else compact.QUANTUM
    base = compact.origin(area.bounds, quantum)
    places = {}
    fine = compact.origin(area.bounds, compact.FINE_QUANTUM)
    for cat in taxonomy.CATEGORIES:
        rows = area.places[area.places["category"] == cat.key]
        if len(rows):
            places[cat.key] = (len(rows), script_json(places_spec(rows, quantum=compact.FINE_QUANTUM, base=fine)))
    quartiers = quartiers_spec(area.quartiers, quantum=quantum, base=base) if len(area.quartiers) else None
    green = streets = None
    if len(area.green):
        stream, count = compact.encode_polygons(
            compact.simplified(area.green, tolerance, min_area=5e-8 if large else 0.0), quantum=quantum, base=base
        )
        green = script_json({"kind": compact.POLYGONS, "c": stream, "count": count})
    if len(area.street_edges):
        stream, count = compact.encode_lines(compact.simplified(area.street_edges, tolerance), quantum=quantum, base=base)
        streets = script_json({"kind": compact.LINES, "c": stream, "count": count})
    return MapData(
        bounds=area.bounds, green=green, streets=streets, quartiers=quartiers, places=places,
        header={"q": quantum, "o": list(base)}, labels=labels_spec(wayfinding.street_labels(area), base=base, quantum=quantum),
    )  # fmt: skip


def quartiers_spec(quartiers: gpd.GeoDataFrame, *, quantum: float, base: tuple[int, int]) -> str:
    """Return the quartier outlines as compact polygons (one per part), their Dutch and French names as columns."""
    parts = quartiers[["name_nl", "name_fr", "geometry"]].set_geometry(quartiers.geometry.simplify(0.00002))
    parts = parts.explode(index_parts=False, ignore_index=True)
    parts = parts[shapely.get_type_id(np.asarray(parts.geometry.values, dtype=object)) == 3]
    stream, count = compact.encode_polygons(parts.geometry.values, quantum=quantum, base=base)
    props = {"nl": compact.column(parts["name_nl"].to_numpy()), "fr": compact.column(parts["name_fr"].to_numpy())}
    return script_json({"kind": compact.POLYGONS, "c": stream, "count": count, "p": props})


def map_file(data: MapData) -> str:
    """Return the data file of a map: its grid and every layer, by key (JSON; no organisation data is ever in it)."""
    layers = ",".join(f"{json.dumps(key)}:{spec}" for key, spec in data.layers().items())
    return f'{{"header":{script_json(data.header)},"layers":{{{layers}}}}}'


def publish(data: MapData, folder: Path = STATIC_CACHE_DIR) -> str:
    """Write the data file of a map once into `folder` (named by its content) and return its URL under `CACHE_URL`.

    The app's map then fetches it from the app itself and the browser keeps it: the page of a map only
    carries its labels and styles. Only the area's public map data (OpenStreetMap places, streets, green,
    quartiers) goes in; the organisation's layers stay in the page of the signed-in user.
    """
    text = map_file(data).encode("utf-8")
    name = f"map-{hashlib.sha256(text).hexdigest()[:24]}.json"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".map-", suffix=".tmp", delete=False) as out:
            out.write(text)
        os.replace(out.name, path)  # atomic: another process never reads half a file
        _prune(folder, keep=path)
    return f"{CACHE_URL}/{name}"


def publish_or_inline(data: MapData, folder: Path = STATIC_CACHE_DIR) -> str | None:
    """Return the URL of the map's data file (`publish`), or None when it cannot be written (the data then goes in the page)."""
    try:
        return publish(data, folder)
    except OSError:  # a read-only installation: the map still works, heavier
        return None


def _prune(folder: Path, *, keep: Path) -> None:
    """Remove the oldest map data files of `folder` beyond `CACHE_KEEP` (never `keep`)."""
    files = sorted(folder.glob("map-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[CACHE_KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)


def labels_spec(labels: gpd.GeoDataFrame, *, base: tuple[int, int], quantum: float, own_grid: bool = False) -> str | None:
    """Return street names (``wayfinding.street_labels``) as compact points (name ``n``, angle ``r``, weight ``l``) in
    script-safe JSON, None without any; with `own_grid` the spec carries its grid (a layer of a map without a data file)."""
    if labels.empty:
        return None
    stream, order = compact.encode_points(labels.geometry.values, quantum=quantum, base=base)
    props = {
        "n": compact.column(labels["name"].to_numpy()[order]),
        "r": compact.column(labels["angle"].astype(str).to_numpy()[order]),
        "l": compact.column(labels["weight"].astype(str).to_numpy()[order]),  # the longer street segment wins a crowded spot
    }
    spec = {"kind": compact.POINTS, "c": stream, "count": len(labels), "p": props}
    return script_json({**spec, "q": quantum, "o": list(base)} if own_grid else spec)


def street_names(labels: gpd.GeoDataFrame, *, lang: str) -> CompactLayer | None:
    """Return a layer that writes these street names from `LABEL_MIN_ZOOM` on (for a map of its own, e.g. a network's
    buurt view), None without any."""
    if labels.empty:
        return None
    base = compact.origin(tuple(labels.total_bounds), compact.QUANTUM)
    spec = labels_spec(labels, base=base, quantum=compact.QUANTUM, own_grid=True)
    header = {"q": compact.QUANTUM, "o": list(base)}
    return CompactLayer(header, spec, {"streetLabels": True, "minZoom": LABEL_MIN_ZOOM}, name=i18n.t("map.street_names", lang))


def script_json(data: object) -> str:
    """Return data as JSON that is safe inside a <script> element (<, > and & escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def places_spec(places: gpd.GeoDataFrame, *, quantum: float, base: tuple[int, int]) -> dict:
    """Return places as compact points: coordinates as varints, properties by index into small tables."""
    stream, order = compact.encode_points(places.geometry.values, quantum=quantum, base=base)
    props = {
        short: compact.column(places[column].to_numpy()[order])
        for short, column in (("n", "name"), ("t", "osm_tag"), ("r", "religion"), ("o", "opening_hours"),
                              ("w", "wheelchair"), ("a", "address"))
    }  # fmt: skip
    props["i"] = compact.id_column(places["place_id"].to_numpy()[order])  # the place's id, for "mark as vindplaats"
    return {"kind": compact.POINTS, "c": stream, "count": len(places), "p": props, "q": quantum, "o": list(base)}


class CompactLayer(Layer):
    """A toggleable map layer drawn by `static/share/bkmap.js` from the light encoding (see `compact`)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {% if this.url %}
            var {{ this.get_name() }} = BK.remote({{ this.url|tojson }}, {{ this.key|tojson }},
                {{ this.style|tojson }}, {labels: {{ this.labels|tojson }}});
            {% else %}
            var {{ this.get_name() }} = BK.layer({{ this.header|tojson }},
                Object.assign({{ this.data }}, {{ this.style|tojson }}), {labels: {{ this.labels|tojson }}}).group;
            {% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self, header: dict, data: str, style: dict, *, name: str, labels: dict | None = None, show: bool = True,
        url: str | None = None, key: str = "",
    ) -> None:
        """Make a layer of `data` (a compact spec as script-safe JSON, see `script_json`) drawn with `style`.

        With `url`, the spec is not in the page: the layer `key` of the data file at `url` (see `publish`) is
        fetched once for all the layers of the map and drawn when it arrives.
        """
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CompactLayer"
        self.header = header
        self.data = data
        self.style = style
        self.labels = labels or {}
        self.url = url
        self.key = key


class PlacesDrawn(MacroElement):
    """Sets ``document.body.dataset.placesDrawn`` to the places on the map (once fetched layers are in), again after every layer switch."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map) {
              function drawn() {
                if (BK.pending()) { return; }  // layers of a data file still on their way
                let n = 0;
                map.eachLayer(function (layer) { if (layer.bkPlaces) { n += layer.bkPlaces; } });
                document.body.dataset.placesDrawn = String(n);
              }
              map.on('layeradd layerremove', drawn);
              document.addEventListener('bk:loaded', drawn);
              drawn();
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's default adds feet and miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class DrawTexts(MacroElement):
    """Puts Leaflet.draw's button titles and tool tips (``L.drawLocal``) in the user's language, before the tool is made."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (texts) {
              function merge(into, from) {
                Object.keys(from).forEach(function (key) {
                  if (typeof from[key] === 'object') { into[key] = into[key] || {}; merge(into[key], from[key]); }
                  else { into[key] = from[key]; }
                });
              }
              function apply() {
                if (!(window.L && L.drawLocal)) { return; }
                merge(L.drawLocal, texts);
                // buttons made before the texts were set (a script loaded again) get them too
                var buttons = texts.draw.toolbar.buttons, edit = texts.edit.toolbar.buttons;
                [['polygon', buttons.polygon], ['rectangle', buttons.rectangle]].forEach(function (pair) {
                  document.querySelectorAll('.leaflet-draw-draw-' + pair[0]).forEach(function (a) {
                    a.title = pair[1]; a.querySelector('span') && (a.querySelector('span').textContent = pair[1]);
                  });
                });
                document.querySelectorAll('.leaflet-draw-edit-remove').forEach(function (a) {
                  var none = a.classList.contains('leaflet-disabled');
                  a.title = none ? edit.removeDisabled : edit.remove;
                  a.querySelector('span') && (a.querySelector('span').textContent = edit.remove);
                });
              }
              apply();
              window.setTimeout(apply, 0);
              window.setTimeout(apply, 1000);
            })({{ this.texts }});
        {% endmacro %}
        """
    )

    def __init__(self, texts: dict) -> None:
        """Make the element from texts shaped like ``L.drawLocal``."""
        super().__init__()
        self._name = "DrawTexts"
        self.texts = script_json(texts)


def add_scale(m: folium.Map) -> folium.Map:
    """Add a metric-only scale bar to the map (make the map with ``control_scale=False``)."""
    MetricScale().add_to(m)
    return m


def draw_texts(lang: str) -> dict:
    """Return Leaflet.draw's texts in `lang`, shaped like ``L.drawLocal`` (only the tools Buurtkaart offers)."""

    def tr(key: str) -> str:
        return i18n.t(f"draw.{key}", lang)

    return {
        "draw": {
            "toolbar": {
                "actions": {"title": tr("cancel.title"), "text": tr("cancel")},
                "finish": {"title": tr("finish.title"), "text": tr("finish")},
                "undo": {"title": tr("undo.title"), "text": tr("undo")},
                "buttons": {"polygon": tr("polygon"), "rectangle": tr("rectangle")},
            },
            "handlers": {
                "polygon": {"tooltip": {"start": tr("polygon.start"), "cont": tr("polygon.cont"), "end": tr("polygon.end")}},
                "polyline": {"error": tr("crossing"), "tooltip": {"start": tr("polygon.start"), "cont": tr("polygon.cont"), "end": tr("polygon.end")}},
                "rectangle": {"tooltip": {"start": tr("rectangle.start")}},
                "simpleshape": {"tooltip": {"end": tr("rectangle.end")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": tr("save.title"), "text": tr("save")},
                    "cancel": {"title": tr("cancel.edit.title"), "text": tr("cancel")},
                    "clearAll": {"title": tr("clear.title"), "text": tr("clear")},
                },
                "buttons": {"edit": tr("edit"), "editDisabled": tr("edit.none"), "remove": tr("remove"), "removeDisabled": tr("remove.none")},
            },
            "handlers": {
                "edit": {"tooltip": {"text": tr("edit.tip"), "subtext": tr("edit.subtip")}},
                "remove": {"tooltip": {"text": tr("remove.tip")}},
            },
        },
    }


def build_map(
    area: Area | MapData,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    categories: Iterable[str] | None = None,
    osm_tiles: bool = False,
    width: int = 900,
    height: int = 640,
    data_url: str | None = None,
    overlays: Iterable[folium.FeatureGroup] = (),
    mark: bool = False,
) -> folium.Map:
    """Return the folium map of an area: streets and their names, green, quartiers and one toggleable layer per category.

    Every asset the map needs is served by the app itself; the OSM tile layer, which asks
    openstreetmap.org for tiles, is only added when `osm_tiles` is true. Build a new map for
    every page run: streamlit-folium cannot render one folium object twice.

    Parameters
    ----------
    area
        The area, or its precomputed layers (``map_data(area)``, the slow part, to cache).
    lang
        The language of the labels and popups.
    categories
        The categories shown at first (default: all); the others start unchecked in the layer control.
    osm_tiles
        Add the OpenStreetMap background (a request to openstreetmap.org per tile).
    width, height
        The map's size in pixels, to choose the zoom that shows the whole area.
    data_url
        The URL of the map's data file (``publish(data)``, served by the app itself): the page then holds only
        labels and styles, and the browser fetches the places and the basemap once and keeps them. Without
        it, the data is in the page.
    overlays
        More layers (e.g. the team's vindplaatsen, ``item_layers``), listed in the folded layer list.
    mark
        Put a "mark as vindplaats" link in every place's popup (``MARK_URL`` + the place's id).

    Returns
    -------
    folium.Map
        The map, zoom kept to ``MIN_ZOOM``..``MAX_ZOOM`` around the area; ``m.get_root().render()`` loads nothing from elsewhere.

    Example
    -------
    >>> html = build_map(load_embedded().clip(commune_boundary(), name="Schaerbeek"), lang="fr").get_root().render()  # doctest: +SKIP
    """
    data = area if isinstance(area, MapData) else map_data(area)
    shown = set(categories) if categories is not None else set(taxonomy.CATEGORY_KEYS)
    west, south, east, north = data.bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=fit_zoom(data.bounds, width=width, height=height),
        tiles=None,
        prefer_canvas=data.n_places > CANVAS_THRESHOLD,
        control_scale=False,
        attribution_control=True,
    )
    add_scale(m)
    limit_view(m, data.bounds)
    if osm_tiles:
        folium.TileLayer(OSM_TILES, attr=i18n.t("map.attribution", lang), name="OpenStreetMap", max_zoom=19).add_to(m)
    _add_basemap(m, data, lang, url=data_url)
    radius = 6 if data.n_places <= CANVAS_THRESHOLD else 3.5  # smaller dots when seen from afar
    for cat in taxonomy.CATEGORIES:
        if cat.key in data.places:
            count, spec = data.places[cat.key]
            _add_category_layer(
                m, data.header, spec, count, cat, lang, show=cat.key in shown, radius=radius, dots=data.n_places > CANVAS_THRESHOLD,
                url=data_url,
                mark=mark,
            )
    for overlay in overlays:
        overlay.add_to(m)
    layer_control(m)
    PlacesDrawn().add_to(m)
    use_local_assets(m)
    return m


def limit_view(
    m: folium.Map, bounds: tuple[float, float, float, float] | None, *, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM
) -> folium.Map:
    """Keep the map's zoom to what our data supports and, given `bounds`, its view to them with a margin.

    The least zoom is never more than the zoom the map opens with (a large area must still fit).
    """
    start = int(m.options.get("zoom", min_zoom))
    m.options.update(min_zoom=min(min_zoom, start), max_zoom=max_zoom)
    if bounds is not None:
        west, south, east, north = bounds
        margin = BOUNDS_MARGIN
        m.options.update(max_bounds=[[south - margin, west - margin], [north + margin, east + margin]], max_bounds_viscosity=1.0)
    return m


def layer_control(m: folium.Map) -> folium.LayerControl:
    """Add the map's layer list: folded into a button (top right) so that it never covers a popup or a place."""
    control = folium.LayerControl(collapsed=True, position="topright")
    control.add_to(m)
    return control


def use_local_assets(m: folium.Map) -> folium.Map:
    """Point every JS/CSS asset of the map at the app's own static files (no CDN)."""
    for element in _walk(m):
        if hasattr(element, "default_js"):
            element.default_js = [(n, u) for n, u in element.default_js if u.startswith(STATIC_URL + "/")]
            element.default_css = [(n, u) for n, u in element.default_css if u.startswith(STATIC_URL + "/")]
    m.default_js = list(LOCAL_JS)
    m.default_css = list(LOCAL_CSS)
    return m


def add_draw(m: folium.Map, *, lang: str = i18n.DEFAULT_LANGUAGE) -> folium.Map:
    """Add a tool to draw one polygon or rectangle on the map (Leaflet.draw, served by the app), its texts in `lang`."""
    DrawTexts(draw_texts(lang)).add_to(m)  # before the tool: its buttons read L.drawLocal when they are made
    draw = plugins.Draw(
        export=False,
        draw_options={"polyline": False, "circle": False, "marker": False, "circlemarker": False, "polygon": True, "rectangle": True},
        edit_options={"edit": False},
    )
    draw.default_js = [("leaflet_draw_js", f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.js")]
    draw.default_css = [("leaflet_draw_css", f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.css")]
    draw.add_to(m)
    return m


def external_assets(m: folium.Map) -> list[str]:
    """Return the JS/CSS URLs of the map that are not served by the app itself."""
    urls = [url for element in _walk(m) for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]]
    return [u for u in urls if not u.startswith(STATIC_URL + "/")]


def places_geojson(places: gpd.GeoDataFrame) -> dict:
    """Return places as a compact GeoJSON FeatureCollection (short property names)."""
    coords = np.round(shapely.get_coordinates(places.geometry.values), _PRECISION)
    columns = {"n": "name", "t": "osm_tag", "r": "religion", "o": "opening_hours", "w": "wheelchair", "a": "address"}
    values = {short: places[col].fillna("").astype(str).tolist() for short, col in columns.items()}
    features = []
    for i, (x, y) in enumerate(coords.tolist()):
        props = {short: vals[i] for short, vals in values.items() if vals[i]}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def basemap_geojson(gdf: gpd.GeoDataFrame, *, tolerance: float = 0.00001) -> dict:
    """Return all geometries of `gdf` merged into one simplified feature (lines or polygons).

    One multi-geometry instead of thousands of features keeps the page small; the basemap
    needs no per-feature properties.
    """
    geoms = shapely.get_parts(shapely.simplify(gdf.geometry.values, tolerance))
    geoms = shapely.set_precision(geoms, 10**-_BASEMAP_PRECISION)
    geoms = geoms[~shapely.is_empty(geoms)]
    lines = geoms[shapely.get_type_id(geoms) == 1]
    polygons = geoms[shapely.get_type_id(geoms) == 3]
    features = []
    if len(lines):
        features.append(_feature(shapely.multilinestrings(lines)))
    if len(polygons):
        features.append(_feature(shapely.multipolygons(polygons)))
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: shapely.Geometry) -> dict:
    """Return a GeoJSON feature without properties."""
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": {}}


def fit_zoom(bounds: tuple[float, float, float, float], *, width: int = 900, height: int = 640) -> int:
    """Return the largest web-map zoom level at which `bounds` fits in a width × height view."""
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-6)
    lat_span = max(_mercator_y(north) - _mercator_y(south), 1e-9)
    zoom_x = math.log2(width * 360 / (256 * lon_span))
    zoom_y = math.log2(height * 2 * math.pi / (256 * lat_span))
    return int(max(1, min(18, math.floor(min(zoom_x, zoom_y)))))


def center(bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    """Return the (lat, lon) centre of (west, south, east, north) bounds."""
    west, south, east, north = bounds
    return (south + north) / 2, (west + east) / 2


def _add_basemap(m: folium.Map, data: MapData, lang: str, *, url: str | None = None) -> None:
    """Add green spaces, streets and quartier outlines drawn from our own data (on one fast canvas for many places)."""
    fast = data.n_places > CANVAS_THRESHOLD
    if data.green:
        style = {"colour": "#7dbb7d", "weight": 0.5, "fillColour": "#b9e3b0", "fillOpacity": 0.6, "className": "bk-green",
                 "dots": fast}  # fmt: skip
        CompactLayer(data.header, data.green, style, name=i18n.t("map.green", lang), url=url, key="green").add_to(m)
    if data.streets:
        style = {"colour": "#9aa0a6", "weight": 1.5, "opacity": 0.9, "className": "bk-street", "dots": fast,
                 "attribution": html.escape(i18n.t("map.attribution", lang))}  # fmt: skip
        CompactLayer(data.header, data.streets, style, name=i18n.t("map.streets", lang), url=url, key="streets").add_to(m)
    if data.labels:  # the street names, written from LABEL_MIN_ZOOM on
        style = {"streetLabels": True, "minZoom": LABEL_MIN_ZOOM}
        CompactLayer(data.header, data.labels, style, name=i18n.t("map.street_names", lang), url=url, key="labels").add_to(m)
    if data.quartiers:  # each outline's name as a text tooltip, in the page's language
        style = {"colour": "#2c3e50", "weight": 1.5, "dash": "4 4", "fill": False, "className": "bk-quartier",
                 "tip": "fr" if lang == "fr" else "nl"}  # fmt: skip
        CompactLayer(data.header, data.quartiers, style, name=i18n.t("map.quartiers", lang), url=url, key="quartiers").add_to(m)


def _add_category_layer(
    m: folium.Map, header: dict, spec: str, count: int, cat: taxonomy.Category, lang: str, *, show: bool, radius: float,
    dots: bool = False, url: str | None = None, mark: bool = False,
) -> None:
    """Add one toggleable layer of circle markers (or of dots on one canvas, for many places) with a text-only popup."""
    label = i18n.category_label(cat.key, lang)
    style = {
        "colour": cat.colour, "radius": radius, "weight": 1 if radius < 5 else 1.5, "rim": "#ffffff", "fillOpacity": 0.9,
        "className": f"bk-place bk-cat-{cat.key}", "place": True, "label": label, "sub": label, "dots": dots,
        "rows": [
            ["c", i18n.t("place.category", lang)],
            ["r", i18n.t("place.religion", lang)],
            ["o", i18n.t("place.opening_hours", lang)],
            ["w", i18n.t("place.wheelchair", lang)],
            ["a", i18n.t("place.address", lang)],
            ["t", i18n.t("place.tag", lang)],
        ],
        "values": {"w": {v: i18n.t(f"wheelchair.{v}", lang) for v in ("yes", "no", "limited")}},
    }  # fmt: skip
    if mark:
        style.update(mark=MARK_URL, markLabel=i18n.t("map.mark", lang))
    layer_name = (
        f'<span class="bk-swatch" style="background:{cat.colour}"></span>'
        f"{html.escape(cat.icon)} {html.escape(label)} <small>({count})</small>"
    )
    CompactLayer(
        header, spec, style, name=layer_name, labels={"unnamed": i18n.t("place.unnamed", lang)}, show=show, url=url,
        key=f"cat-{cat.key}",
    ).add_to(m)


# Colour of each layer of the organisation's own map (vindplaatsen and the organisation layers).
ITEM_COLOURS: dict[str, str] = {
    "vindplaats": "#e74c3c",
    "site": "#2c3e50",
    "partner": "#2980b9",
    "gatekeeper": "#8e44ad",
    "need": "#f39c12",
}


def item_layers(items: gpd.GeoDataFrame, *, lang: str, labels: dict[str, dict[str, str]]) -> list[folium.FeatureGroup]:
    """Return one feature group per layer of the organisation's map, with text-only popups.

    `labels` maps a vocabulary ("layer", "kind", "target_group", "language", "wheelchair") to
    {key: label}; the stored keys are shown through them.
    """
    groups = []
    for layer, colour in ITEM_COLOURS.items():
        rows = items[items["layer"] == layer]
        if rows.empty:
            continue
        group = folium.FeatureGroup(name=f"{labels['layer'].get(layer, layer)} ({len(rows)})")
        folium.GeoJson(
            _items_geojson(rows, labels),
            marker=folium.CircleMarker(
                radius=9, color=colour, weight=4, fill=True, fill_color="#ffffff", fill_opacity=1,
                class_name=f"bk-item bk-layer-{layer}",
            ),
            on_each_feature=folium.JsCode(_POPUP_JS % {"labels": json.dumps(_item_popup_labels(layer, lang, labels), ensure_ascii=False)}),
        ).add_to(group)
        groups.append(group)
    return groups


def _items_geojson(rows: gpd.GeoDataFrame, labels: dict[str, dict[str, str]]) -> dict:
    """Return items as GeoJSON with their labels (not their keys) as short properties."""
    def words(vocabulary: str, keys: object) -> list[str]:
        return [labels[vocabulary].get(k, k) for k in (keys or ())]

    features = []
    for row in rows.itertuples():
        props = {
            "id": row.id,
            "n": row.name,
            "k": labels["kind"].get(row.kind, row.kind),
            "g": words("target_group", row.target_groups),
            "l": words("language", row.languages),
            "h": row.hours,
            "w": labels["wheelchair"].get(row.wheelchair, "") if row.wheelchair != "unknown" else "",
            "x": row.notes,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(row.geometry.x, 7), round(row.geometry.y, 7)]},
                "properties": {k: v for k, v in props.items() if v},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _item_popup_labels(layer: str, lang: str, labels: dict[str, dict[str, str]]) -> dict:
    """Return the labels of an item popup in `lang`."""
    return {
        "unnamed": i18n.t("place.unnamed", lang),
        "category": labels["layer"].get(layer, layer),
        "rows": [
            ["c", i18n.t("item.layer", lang)],
            ["k", i18n.t("place.category", lang)],
            ["g", i18n.t("item.target_groups", lang)],
            ["l", i18n.t("item.languages", lang)],
            ["h", i18n.t("item.hours", lang)],
            ["w", i18n.t("place.wheelchair", lang)],
            ["x", i18n.t("item.notes", lang)],
        ],
        "wheelchair": {},
    }


def _mercator_y(lat: float) -> float:
    """Return the web-Mercator y (radians) of a latitude."""
    rad = math.radians(max(min(lat, 85.0), -85.0))
    return math.log(math.tan(math.pi / 4 + rad / 2))


def _walk(element: object) -> Iterable[object]:
    """Yield an element and all its descendants."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def route_layers(plan: routes.Plan, *, lang: str) -> list[folium.FeatureGroup]:
    """Return one feature group per walker of a planned round (`routes.Plan`): the walking line and numbered stops.

    Names are shown as text only (escaped); the start is a black "S", each stop a number in the walker's colour.
    """
    from buurtkaart.route_files import walker_label

    groups = []
    for r in plan.rounds:
        group = folium.FeatureGroup(name=walker_label(r.walker, lang))
        line = [(lat, lon) for leg in (*(v.path for v in r.visits), r.back_path) for lon, lat in leg]
        if len(line) >= 2:
            folium.PolyLine(line, color=r.colour, weight=5, opacity=0.85, class_name=f"bk-route bk-route-{r.walker}").add_to(group)
        for number, visit in enumerate(r.visits, start=1):
            _numbered_marker(visit.stop.lat, visit.stop.lon, str(number), visit.stop.name, r.colour, "bk-stop").add_to(group)
        groups.append(group)
    groups.append(start_layer(plan.start.lat, plan.start.lon, plan.start.name, lang=lang))
    return groups


def start_layer(lat: float, lon: float, name: str, *, lang: str) -> folium.FeatureGroup:
    """Return the start of a round as a feature group with one black "S" marker."""
    group = folium.FeatureGroup(name=i18n.t("ronde.start", lang))
    _numbered_marker(lat, lon, "S", name, "#222222", "bk-start").add_to(group)
    return group


def _numbered_marker(lat: float, lon: float, label: str, name: str, colour: str, css: str) -> folium.Marker:
    """Return a round marker with a short label (a number or "S") and the place's name as an escaped tooltip."""
    icon = folium.DivIcon(
        html=(
            f'<div class="{css}" style="width:24px;height:24px;border-radius:12px;background:#fff;border:3px solid {colour};'
            f'font:bold 12px/18px sans-serif;text-align:center;color:#222">{html.escape(label)}</div>'
        ),
        icon_size=(24, 24),
        icon_anchor=(12, 12),
    )
    return folium.Marker((lat, lon), icon=icon, tooltip=folium.Tooltip(html.escape(f"{label}. {name}")))


# --- what the pages put on a map ---


def view_of(area: Area, mdrc: int | None = None, *, width: int = 900, height: int = 640) -> tuple[tuple[float, float], int]:
    """Return the ((lat, lon) centre, zoom) that shows the whole area or one of its quartiers (`mdrc`)."""
    bounds = area.bounds
    if mdrc is not None:
        bounds = tuple(area.quartiers.loc[area.quartiers["mdrc"] == mdrc].total_bounds)
    return center(bounds), fit_zoom(bounds, width=width, height=height)


def highlight(lat: float, lon: float) -> folium.FeatureGroup:
    """Return a layer with a red ring around a place found by a search."""
    group = folium.FeatureGroup(name="search")
    folium.CircleMarker((lat, lon), radius=14, color="#e74c3c", weight=4, fill=False, class_name="bk-highlight").add_to(group)
    return group


def clicked_marker(lat: float, lon: float) -> folium.FeatureGroup:
    """Return a layer with a yellow dot where the user clicked (where a new item would go)."""
    group = folium.FeatureGroup(name="clicked")
    folium.CircleMarker(
        (lat, lon), radius=7, color="#000", weight=2, fill=True, fill_color="#ffeb3b", fill_opacity=1, class_name="bk-clicked"
    ).add_to(group)
    return group


def access_map(
    region: Area,
    *,
    boundary: shapely.Geometry | None,
    name: str,
    result: AreaAnalysis | None,
    key: str,
    group: str,
    lang: str,
    width: int = 560,
    height: int = 560,
) -> folium.Map:
    """Return the buurtanalyse map: streets coloured by walking distance to `key`, blocks beyond the threshold.

    Parameters
    ----------
    region
        The whole region (its streets are drawn around the area).
    boundary
        The analysed area, or None before one is chosen (then the map shows the region, ready to draw on).
    name
        The area's name, for its outline's layer.
    result
        The analysis of the area (``buurtanalyse.analyse_area``), or None.
    key
        The kind of place (a category or ``accessibility.VINDPLAATS``) the distances are to.
    group
        The age group whose threshold marks the blocks.
    lang
        The language of the labels.
    width, height
        The map's size in pixels, to choose the zoom.

    Returns
    -------
    folium.Map
        The map with a drawing tool, a layer control and local assets only.

    Example
    -------
    >>> m = access_map(region, boundary=None, name="", result=None, key="meeting", group="elderly", lang="nl")  # doctest: +SKIP
    """
    bounds = boundary.bounds if boundary is not None else region.bounds
    m = folium.Map(location=list(center(bounds)), zoom_start=fit_zoom(bounds, width=width, height=height), tiles=None, control_scale=False)
    add_scale(m)
    limit_view(m, region.bounds)
    if boundary is not None and result is not None:
        if key in result.access.distance:
            streets = access.streets_by_distance(result.access, area_streets(region, boundary), key, lang=lang)
            folium.GeoJson(
                streets[["label", "colour", "geometry"]], name=i18n.t("analyse.layer.streets", lang),
                style_function=lambda f: {"color": f["properties"]["colour"], "weight": 3, "className": "bk-access-street"},
                tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
            ).add_to(m)
            if result.has_population:
                beyond = access.blocks_beyond(result.access, key, group, lang=lang)
                folium.GeoJson(
                    beyond[["label", "colour", "geometry"]], name=i18n.t("analyse.layer.blocks", lang),
                    style_function=lambda f: {"color": f["properties"]["colour"], "weight": 1, "fillOpacity": 0.35, "className": "bk-block-beyond"},
                    tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
                ).add_to(m)
        folium.GeoJson(
            shapely.geometry.mapping(boundary), name=name,
            style={"color": "#2c3e50", "weight": 2, "dashArray": "6 4", "fill": False, "className": "bk-area"}, interactive=False,
        ).add_to(m)
    add_draw(m, lang=lang)
    layer_control(m)
    use_local_assets(m)
    return m
