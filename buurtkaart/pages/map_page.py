"""The Buurtkaart page: social places by category on a map of the neighbourhood."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import area as area_mod
from buurtkaart import formats, i18n, maps
from buurtkaart import places as places_mod
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown

MAP_WIDTH, MAP_HEIGHT = common.MAP_WIDTH, common.MAP_HEIGHT

lang = common.lang()

# Sidebar: which area, which quartier, which background
scopes = {common.SCOPE_COMMUNE: t("map.scope.commune", lang), common.SCOPE_REGION: t("map.scope.region", lang)}
if common.loaded_area() is not None:
    scopes[common.SCOPE_LOADED] = f"{t('map.scope.loaded', lang)}: {common.loaded_area().name}"
if st.session_state.get("scope") not in scopes:
    st.session_state["scope"] = common.SCOPE_COMMUNE
scope = st.sidebar.radio(t("map.area", lang), list(scopes), format_func=scopes.get, key="scope")
with st.spinner(t("map.loading", lang)):
    area = common.current_area(scope)
quartier_names = area_mod.quartier_names(area.quartiers, lang=lang)
mdrc = st.sidebar.selectbox(
    t("map.quartier", lang),
    [None, *sorted(quartier_names, key=quartier_names.get)],
    format_func=lambda code: t("map.quartier.all", lang) if code is None else quartier_names[code],
    key=f"quartier_{scope}",
)
osm_tiles = st.sidebar.toggle(t("map.tiles", lang), value=False, help=t("map.tiles.help", lang))

# Header
st.title(f"🗺️ {t('app.title', lang)} — {area.name}")
st.caption(t("app.tagline", lang) + " · " + formats.plural("plural.places_on_map", len(area.places), lang))

# Search by name
query = st.text_input(t("map.search", lang), key="search", placeholder=t("hint.map_search", lang))
centre, zoom = maps.view_of(area, mdrc, width=MAP_WIDTH, height=MAP_HEIGHT)
highlight = None
if query.strip():
    found = places_mod.search(area.places, query)
    if found.empty:
        st.info(escape_markdown(t("map.search.none", lang, query=query)))
    else:
        labels = {
            row.place_id: f"{row.name or t('place.unnamed', lang)} — {i18n.category_label(row.category, lang)}"
            + (f" — {row.address}" if row.address else "")
            for row in found.itertuples()
        }
        pick = st.selectbox(formats.plural("plural.places_found", len(found), lang), list(labels), format_func=labels.get, key="search_pick")
        hit = found[found["place_id"] == pick].iloc[0]
        centre, zoom = (hit.geometry.y, hit.geometry.x), 18
        highlight = maps.highlight(hit.geometry.y, hit.geometry.x)

# The map
with st.spinner(t("map.loading", lang)):
    m = common.new_map(scope, st.session_state.get("loaded_version", 0), lang, osm_tiles)
st_folium(
    m,
    key="map",
    height=MAP_HEIGHT,
    use_container_width=True,
    returned_objects=[],
    center=centre,
    zoom=zoom,
    feature_group_to_add=highlight,
)
if area.source == "embedded":
    st.caption("ℹ️ " + t("map.streets.note", lang))
st.caption(t("map.attribution", lang))
