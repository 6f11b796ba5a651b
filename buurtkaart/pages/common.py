"""What every page shares: the UI language, the cached embedded data and the current area."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from matplotlib.figure import Figure

from buurtkaart import accessibility as access
from buurtkaart import area as area_mod
from buurtkaart import buurtanalyse, charts, graph, i18n, maps, network_maps, organisations
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import category_label  # noqa: F401  (re-exported for the pages)
from buurtkaart.plain_text import escape_markdown
from buurtkaart.store import Store, open_store
from buurtkaart.taxonomy import CATEGORY_KEYS  # noqa: F401  (re-exported for the pages)

SCOPE_COMMUNE = "commune"
SCOPE_REGION = "region"
SCOPE_LOADED = "loaded"
DEFAULT_ORGANISATION = "Mijn organisatie"
MAP_WIDTH, MAP_HEIGHT = 1000, 640


@st.cache_resource(show_spinner=False)
def embedded_region() -> Area:
    """Return the embedded Brussels region, loaded once per server."""
    return area_mod.load_embedded()


@st.cache_resource(show_spinner=False)
def embedded_commune() -> Area:
    """Return the default commune (Schaerbeek) cut from the embedded region."""
    return embedded_region().clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)


def language_switch() -> str:
    """Show the language switch in the sidebar and return the chosen language code."""
    codes = list(i18n.LANGUAGES)
    current = st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)
    lang = st.sidebar.selectbox(
        "🌐 Taal · Langue · Language",
        codes,
        index=codes.index(current),
        format_func=i18n.LANGUAGES.get,
        key="lang_select",
    )
    st.session_state["lang"] = lang
    return lang


def lang() -> str:
    """Return the UI language of this session."""
    return st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)


def loaded_area() -> Area | None:
    """Return the area this session loaded from a file or OpenStreetMap, if any."""
    return st.session_state.get("loaded_area")


def set_loaded_area(area: Area) -> None:
    """Keep a newly loaded area in this session and show it on the map."""
    st.session_state["loaded_area"] = area
    st.session_state["loaded_version"] = st.session_state.get("loaded_version", 0) + 1
    st.session_state["scope"] = SCOPE_LOADED


def current_area(scope: str) -> Area:
    """Return the area for a scope: the default commune, the region or the loaded area."""
    if scope == SCOPE_REGION:
        return embedded_region()
    if scope == SCOPE_LOADED and loaded_area() is not None:
        return loaded_area()
    return embedded_commune()


@st.cache_resource(show_spinner=False, max_entries=4)
def map_data(scope: str, version: int) -> maps.MapData:
    """Return the map layers of a scope, computed once per (scope, loaded-data version)."""
    return maps.map_data(current_area(scope))


def new_map(scope: str, version: int, lang: str, osm_tiles: bool) -> maps.folium.Map:
    """Return a new folium map of a scope (streamlit-folium renders each folium object once)."""
    return maps.build_map(map_data(scope, version), lang=lang, osm_tiles=osm_tiles, width=MAP_WIDTH, height=MAP_HEIGHT)


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """Return the database (SQLite file, or PostgreSQL when BUURTKAART_DATABASE_URL is set), once per server.

    On opening, history past the retention setting is purged and an erasure still pending is finished.
    """
    from buurtkaart import erasure, keyguard

    db = open_store()
    try:
        keyguard.check(db)  # a missing, weak or other pseudonym key stops the app with what to do
    except BuurtkaartError as error:
        st.error(escape_markdown(error.message(lang())))
        st.stop()
    erasure.apply_retention(db)
    if not db.is_postgres:
        erasure.finish(db, attempts=1)
    return db


_NEXT = "_next_value_of_"


def set_next(key: str, value: object) -> None:
    """Give the widget `key` this value on the next run (a widget's value cannot change once it is drawn)."""
    st.session_state[_NEXT + key] = value


def apply_next(*keys: str) -> None:
    """Apply the values `set_next` kept for these widgets; call it before they are drawn."""
    for key in keys:
        if _NEXT + key in st.session_state:
            st.session_state[key] = st.session_state.pop(_NEXT + key)


def organisation(lang: str, db: Store) -> str:
    """Show the organisation field in the sidebar (the same on every page) and return the organisation's id."""
    current = st.session_state.setdefault("org_name_value", DEFAULT_ORGANISATION)
    name = st.sidebar.text_input(i18n.t("item.organisation", lang), value=current, key=f"org_name_{current}")
    st.session_state["org_name_value"] = name
    try:
        return organisations.ensure(db, name)
    except BuurtkaartError as error:
        st.error(escape_markdown(error.message(lang)))
        st.stop()


def load_demo(db: Store) -> str:
    """Load the invented demo organisation and return its name."""
    from buurtkaart import demo

    demo.load_demo(db, area=embedded_region())
    return demo.DEMO_ORGANISATION


@st.cache_resource(show_spinner=False)
def walk_graph() -> graph.WalkGraph:
    """Return the walking graph of the embedded region, built once per server."""
    return graph.walk_graph(embedded_region())


@st.cache_resource(show_spinner=False)
def network_basemaps() -> network_maps.Basemaps:
    """Return the background layers of the three network views, built once per server."""
    return network_maps.basemaps(embedded_region())


def show_chart(figure: Figure) -> None:
    """Show a matplotlib chart as SVG at the width of its column."""
    st.image(charts.svg_element(figure), width="stretch")


PRESENT_WHATS = ("map", "analysis")


def presentation_mode() -> bool:
    """Return whether this session is in presentation mode (opened with ?present=map|analysis; it stays on)."""
    params = st.query_params
    what = params.get("present")
    if what:
        st.session_state["present_what"] = what if what in PRESENT_WHATS else PRESENT_WHATS[0]
        st.session_state["present_area"] = params.get("area", SCOPE_COMMUNE)
        st.session_state["present_org"] = params.get("org", "")
        if params.get("lang") in i18n.LANGUAGES:
            st.session_state["lang"] = params.get("lang")
    return "present_what" in st.session_state


@st.cache_resource(show_spinner=False)
def population_blocks() -> gpd.GeoDataFrame:
    """Return the population blocks of Schaerbeek (by age band), read once per server."""
    return area_mod.population_blocks()


def vindplaats_key(items: gpd.GeoDataFrame) -> tuple:
    """Return what identifies the team's live vindplaatsen (id and position), to cache their snapping."""
    live = vp.live(items, "vindplaats")
    return tuple(zip(live["id"], live.geometry.x.round(7), live.geometry.y.round(7), strict=True))


@st.cache_resource(show_spinner=False, max_entries=8)
def region_sources(key: tuple, _items: gpd.GeoDataFrame) -> access.Sources:
    """Return the region's places and the vindplaatsen `key` names, snapped (cached per set of vindplaatsen)."""
    return buurtanalyse.region_sources(walk_graph(), embedded_region(), _items)


def share_sources(what: str, items: gpd.GeoDataFrame | None) -> access.Sources | None:
    """Return the snapped places an analysis share walks to (cached), or None when the share is no analysis."""
    if what != "analysis" or items is None:
        return None
    return region_sources(vindplaats_key(items), items)
