"""Buurtanalyse: walking access to places to meet, and what the organisation's citizens lack, for an area."""

from __future__ import annotations

import json

import shapely
import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import accessibility as access
from buurtkaart import accounts, buurtanalyse, citizens, disclosure, maps, report
from buurtkaart import area as area_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import commune_boundary
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown

MAP_HEIGHT = 560
MAP_WIDTH = 560  # the map column's width on a laptop screen
COMMUNE, GROUP, QUARTIER, DRAWN = "commune", "group", "quartier", "drawn"


def area_choice() -> tuple[str, shapely.Geometry | None]:
    """Show the area picker in the sidebar and return (name, boundary); the boundary is None until drawn."""
    kinds = {COMMUNE: t("analyse.area.commune", lang), GROUP: t("analyse.area.group", lang), QUARTIER: t("analyse.area.quartier", lang),
             DRAWN: t("analyse.area.drawn", lang)}  # fmt: skip
    common.apply_next("an_area_kind")
    kind = st.sidebar.radio(t("map.area", lang), list(kinds), format_func=kinds.get, key="an_area_kind")
    if kind == COMMUNE:
        return t("map.scope.commune", lang), commune_boundary()
    if kind == GROUP:  # a fixed group of the commune's quartiers (never one the user puts together)
        groups = {name: t(f"sdc.group.{name}", lang) for name in disclosure.GROUPS}
        group = common.selectbox(t("analyse.quartier_group", lang), list(groups), format_func=groups.get, key="an_quartier_group", container=st.sidebar)
        return groups[group], buurtanalyse.group_boundary(region, group)
    if kind == QUARTIER:
        names = area_mod.quartier_names(region.quartiers, lang=lang)
        mdrc = common.selectbox(t("map.quartier", lang), sorted(names, key=names.get), format_func=names.get, key="an_quartier", container=st.sidebar)
        return names[mdrc], region.quartiers.loc[region.quartiers["mdrc"] == mdrc].geometry.iloc[0]
    drawn = st.session_state.get("an_drawn")
    return t("analyse.area.drawn.name", lang), shapely.from_geojson(drawn) if drawn else None


def settings_form() -> access.AccessSettings | None:
    """Show thresholds and walking speeds per age group; return validated settings, or None with an error shown."""
    with st.sidebar.expander(t("analyse.settings", lang)):
        thresholds, speeds = {}, {}
        for group in access.AGE_GROUPS:
            label = t(f"access.group.{group}", lang)
            thresholds[group] = st.number_input(
                t("analyse.threshold", lang, group=label), value=access.DEFAULT_THRESHOLDS_M[group], step=50.0, key=f"an_thr_{group}"
            )
            speeds[group] = st.number_input(
                t("analyse.speed", lang, group=label), value=access.DEFAULT_SPEEDS_MPS[group] * 3.6, step=0.5, key=f"an_speed_{group}"
            ) / 3.6
    try:
        return access.access_settings(thresholds, speeds)
    except BuurtkaartError as error:
        st.error(escape_markdown(error.message(lang)))
        return None


lang = common.lang()
db = common.store()
region = common.embedded_region()
actor = common.account_sidebar(lang, db)  # the access figures are public; the team's data needs a sign-in
name, boundary = area_choice()
kind_now = st.session_state.get("an_area_kind", COMMUNE)
unit = buurtanalyse.area_unit(kind_now, st.session_state.get("an_quartier_group" if kind_now == GROUP else "an_quartier"))
settings = settings_form()

st.title(f"🔎 {t('analyse.title', lang)}")
st.caption(t("analyse.intro", lang))
if settings is None:
    st.stop()

items = vp.list_items(db, actor) if actor is not None and actor.can(accounts.MAP_READ) else None
caseload_shown = actor is not None and actor.can(accounts.CITIZENS_READ)
with st.spinner(t("analyse.busy", lang)):
    walk = common.walk_graph()
    people = citizens.list_citizens(db, actor) if caseload_shown else None
    all_ties = citizens.all_ties(db, actor) if caseload_shown else None
    result = None
    if boundary is not None:
        try:
            result = buurtanalyse.analyse_area(
                name, boundary, region=region, walk=walk, blocks=common.population_blocks(), items=items, citizens=people,
                all_ties=all_ties, settings=settings, lang=lang, sources=common.region_sources(common.vindplaats_key(items), items), unit=unit,
            )
        except BuurtkaartError as error:
            st.error(escape_markdown(error.message(lang)))

col_map, col_report = st.columns([3, 2], gap="medium")
with col_map:
    keys = result.keys if result is not None else (*common.CATEGORY_KEYS,)
    key = common.selectbox(t("analyse.kind", lang), keys, format_func=lambda k: access.source_label(k, lang), key="an_kind")
    group = st.radio(t("analyse.group", lang), list(access.AGE_GROUPS), horizontal=True, key="an_group",
                     format_func=lambda g: t(f"access.group.{g}", lang))
    if result is not None and key not in result.access.distance:
        st.warning(access.no_place_message(key, lang=lang))
    m = maps.access_map(
        region, boundary=boundary, name=name, result=result, key=key, group=group, lang=lang, width=MAP_WIDTH, height=MAP_HEIGHT
    )
    drawn = st_folium(m, key="an_map", height=MAP_HEIGHT, use_container_width=True, returned_objects=["last_active_drawing"])
    shape = (drawn or {}).get("last_active_drawing")
    if shape and shape.get("geometry"):
        text = json.dumps(shape["geometry"])
        if text != st.session_state.get("an_drawn"):
            st.session_state["an_drawn"] = text
            common.set_next("an_area_kind", DRAWN)
            st.rerun()
    st.caption(t("analyse.draw.help", lang) + " " + t("map.streets.note", lang))

with col_report:
    if result is None:
        st.info(t("analyse.draw.first", lang))
        st.stop()
    st.markdown(f"**{t('analyse.area.current', lang, name=name)}**")
    st.subheader(t("report.access", lang))
    if not result.has_population:
        st.info(t("report.no_population", lang))
    else:
        for sentence in access.sentences(result.access, lang=lang, keys=[key], with_far_places=False):
            st.markdown(f"- {sentence}")
        common.show_chart(report.access_chart(result, lang=lang), alt=t("report.access", lang))
    st.dataframe(report.place_table(result, lang=lang), hide_index=True)
    st.subheader(t("report.caseload", lang))
    if not caseload_shown:
        st.info(t("auth.needed", lang) if actor is None else t("auth.role_needed", lang, role=t(f"auth.role.{actor.role}", lang)))
    for line in report.caseload_notes(result, lang=lang) if caseload_shown else ():
        st.caption(line)
    if caseload_shown and result.unit is not None and not result.gaps.iloc[0]["suppressed"]:
        common.show_chart(report.gaps_chart(result, lang=lang), alt=t("report.caseload", lang))
        st.dataframe(report.gaps_table(result, lang=lang, quartier_names=report.quartier_names(region.quartiers, lang=lang)), hide_index=True)
    if caseload_shown and result.unit is not None:  # a drawn area gets no figure about citizens
        st.subheader(t("report.unknown", lang))
        if len(result.unknown):
            st.dataframe(report.unknown_table(result, lang=lang), hide_index=True)
        for line in report.unknown_notes(result, lang=lang):
            st.caption(line)
        st.subheader(t("report.talents", lang))
        if len(result.talents):
            st.dataframe(report.talents_table(result, lang=lang), hide_index=True)
        for line in report.talents_notes(result, lang=lang):
            st.caption(line)

    st.download_button(
        t("analyse.export", lang), lambda: report.area_report(result, region, lang=lang), file_name=common.download_name("analysis", lang, name, suffix=".html"), mime="text/html", key="an_export", type="primary",
    )
