"""What every page shares: the UI language, the cached embedded data and the current area."""

from __future__ import annotations

import folium
import streamlit as st

from buurtkaart import area as area_mod
from buurtkaart import i18n, maps
from buurtkaart.area import Area
from buurtkaart.store import Store, open_store

SCOPE_COMMUNE = "commune"
SCOPE_REGION = "region"
SCOPE_LOADED = "loaded"
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


def new_map(scope: str, version: int, lang: str, osm_tiles: bool) -> folium.Map:
    """Return a new folium map of a scope (streamlit-folium renders each folium object once)."""
    return maps.build_map(map_data(scope, version), lang=lang, osm_tiles=osm_tiles, width=MAP_WIDTH, height=MAP_HEIGHT)


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """Return the database (SQLite file, or PostgreSQL when BUURTKAART_DATABASE_URL is set)."""
    return open_store()
