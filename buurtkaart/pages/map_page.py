"""The Buurtkaart page: social places by category on a map of the neighbourhood, the team's vindplaatsen, where you are."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import accounts, formats, maps, wayfinding
from buurtkaart import area as area_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown

MAP_WIDTH, MAP_HEIGHT = common.MAP_WIDTH, common.MAP_HEIGHT

lang = common.lang()
db = common.store()
# Sidebar: who is signed in (or the sign-in form, as on every page), which area, which quartier, which background
actor = common.account_sidebar(lang, db)  # the map is open to all; the team's vindplaatsen only to its members
scopes = {common.SCOPE_COMMUNE: t("map.scope.commune", lang), common.SCOPE_REGION: t("map.scope.region", lang)}
if common.loaded_area() is not None:
    scopes[common.SCOPE_LOADED] = f"{t('map.scope.loaded', lang)}: {common.loaded_area().name}"
common.keep_choices_on_language_switch("scope")  # its labels change with the language, the choice stays
if st.session_state.get("scope") not in scopes:
    st.session_state["scope"] = common.SCOPE_COMMUNE
scope = st.sidebar.radio(t("map.area", lang), list(scopes), format_func=scopes.get, key="scope")
with st.spinner(t("map.loading", lang)):
    area = common.current_area(scope)
quartier_names = area_mod.quartier_names(area.quartiers, lang=lang)
quartier_options = [None, *sorted(quartier_names, key=quartier_names.get)]
kept = st.session_state.get(f"quartier_{scope}")  # the choice in any language (the box itself is drawn per language)
mdrc = common.selectbox(
    t("map.quartier", lang),
    quartier_options,
    index=quartier_options.index(kept) if kept in quartier_options else 0,
    format_func=lambda code: t("map.quartier.all", lang) if code is None else quartier_names[code],
    key=f"quartier_{scope}_{lang}", container=st.sidebar,
)
st.session_state[f"quartier_{scope}"] = mdrc
osm_tiles = st.sidebar.toggle(t("map.tiles", lang), value=False, help=t("map.tiles.help", lang))

# Header
st.title(f"🗺️ {t('app.title', lang)} — {area.name}")
st.caption(t("app.tagline", lang) + " · " + formats.plural("plural.places_on_map", len(area.places), lang))

common.first_visit_guide(lang)

# Search by name, in this area only; each hit says its street (or address) and its quartier and commune
query = st.text_input(t("map.search", lang), key="search", placeholder=t("hint.map_search", lang))
centre, zoom = maps.view_of(area, mdrc, width=MAP_WIDTH, height=MAP_HEIGHT)
marks = []
if query.strip():
    found = wayfinding.search(area, query, lang=lang, limit=50)
    if found.empty:
        st.info(escape_markdown(t("map.search.none", lang, query=query)))
    else:
        labels = common.hit_labels(found, lang)
        pick = common.selectbox(formats.plural("plural.places_found", len(found), lang), list(labels), format_func=labels.get, key="search_pick")
        hit = found.set_index("id", drop=False).loc[pick]
        centre, zoom = (hit.geometry.y, hit.geometry.x), 18
        marks.append(maps.highlight(hit.geometry.y, hit.geometry.x))

# Where the user clicked: the nearest street
clicked = st.session_state.get("map_clicked")
if clicked:
    marks.append(maps.clicked_marker(*clicked))
    st.info(escape_markdown(common.clicked_text(lang, "map.clicked", *clicked, area=area)))
else:
    st.caption(t("map.click.hint", lang))

# The team's vindplaatsen, a layer of the map (members only)
overlays = ()
if actor is not None and actor.can(accounts.MAP_READ):
    vocab = {v: dict(vp.options(v, lang)) for v in ("layer", "kind", "target_group", "language", "wheelchair")}
    overlays = tuple(maps.item_layers(vp.list_items(db, actor, layers=["vindplaats"]), lang=lang, labels=vocab))

# The map
with st.spinner(t("map.loading", lang)):
    m = common.new_map(scope, st.session_state.get("loaded_version", 0), lang, osm_tiles, overlays=overlays, mark=True)
result = st_folium(
    m,
    key="map",
    height=MAP_HEIGHT,
    use_container_width=True,
    returned_objects=["last_clicked"],
    center=centre,
    zoom=zoom,
    feature_group_to_add=marks or None,
)
last = (result or {}).get("last_clicked")
if last and (last["lat"], last["lng"]) != st.session_state.get("map_last_click"):
    st.session_state["map_last_click"] = (last["lat"], last["lng"])
    st.session_state["map_clicked"] = (last["lat"], last["lng"])
    st.rerun()
if area.source == "embedded":
    st.caption("ℹ️ " + t("map.streets.note", lang))
st.caption(t("map.attribution", lang))
common.show_guide_again(lang)
