"""Ronde: plan a round on foot past vindplaatsen, alone or split over walkers; take it along as GPX or on paper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import accounts, formats, maps, places, route_files, routes
from buurtkaart import saved_rounds as sr
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.pages import common

POINT = "__point__"

lang = common.lang()
db = common.store()
region = common.embedded_region()
walk = common.walk_graph()

# Sidebar: the organisation (the same on every page)
org = common.organisation(lang, db, accounts.ROUNDS_READ)  # saving is refused by the package for a viewer
st.title(f"🚶 {t('ronde.title', lang)}")
st.caption(t("ronde.intro", lang))

items = vp.list_items(db, org)
layer_labels = dict(vp.options("layer", lang))
layer_of = dict(zip(items["id"], items["layer"], strict=True))
extra: dict[str, routes.Stop] = st.session_state.setdefault("ronde_extra", {})  # OSM places added by search
choices = {s.id: s for s in routes.stops_from_items(items)} | extra
clicked = st.session_state.get("ronde_point")
common.apply_next(
    "ronde_stops", "ronde_start", "ronde_returns", "ronde_minutes", "ronde_speed", "ronde_walkers", "ronde_max", "ronde_time", "ronde_save_name"
)


def describe(stop_id: str) -> str:
    """Return a stop's name and where it comes from."""
    if stop_id == POINT:
        return common.clicked_text(lang, "ronde.start.clicked", *clicked)
    stop = choices[stop_id]
    source = {"item": layer_labels.get(layer_of.get(stop_id), ""), "place": "OpenStreetMap"}.get(stop.source, t("ronde.source.point", lang))
    return f"{stop.name} — {source}"


col_map, col_side = st.columns([3, 2], gap="medium")

# Side column: what to pass, where to start, how to walk
with col_side:
    if items.empty:
        st.info(t("ronde.none", lang))
    picked = common.multiselect(t("ronde.stops", lang), list(choices), format_func=describe, key="ronde_stops")
    minutes = st.number_input(t("ronde.minutes", lang), min_value=0, max_value=routes.MAX_MINUTES_AT_STOP, value=15, step=5, key="ronde_minutes")
    stay = {i: float(minutes) for i in picked}
    if picked:  # the time at each place, to change one by one (20 min at the tea house)
        name_col, minutes_col = t("ronde.col.stop", lang), t("ronde.col.minutes", lang)
        edited = st.data_editor(
            pd.DataFrame({name_col: [choices[i].name for i in picked], minutes_col: [int(minutes)] * len(picked)}, index=picked),
            disabled=[name_col], hide_index=True, width="stretch", key=f"ronde_stay_{hash((tuple(picked), int(minutes)))}",
            column_config={minutes_col: st.column_config.NumberColumn(min_value=0, max_value=routes.MAX_MINUTES_AT_STOP, step=5)},
        )
        stay = {i: float(v) if pd.notna(v) else float(minutes) for i, v in zip(picked, edited[minutes_col], strict=True)}
    query = st.text_input(t("ronde.search", lang), key="ronde_search")
    if query.strip():
        found = {s.id: s for s in routes.stops_from_places(places.search(region.places, query, limit=10))}
        if found:
            chosen = common.selectbox(t("ronde.search.pick", lang), list(found), format_func=lambda i: found[i].name, key="ronde_search_pick")
            if st.button(t("ronde.search.add", lang), key="ronde_search_add"):
                extra[chosen] = found[chosen]
                common.set_next("ronde_stops", [*picked, chosen])
                st.rerun()
    sites = [i for i in choices if layer_of.get(i) == "site"]
    start_options = [*sites, *(i for i in choices if i not in sites), *([POINT] if clicked else [])]
    start_id = common.selectbox(t("ronde.start", lang), start_options, format_func=describe, key="ronde_start") if start_options else None
    st.caption(t("ronde.start.click", lang))
    if clicked and st.button(t("ronde.add_point", lang), key="ronde_add_point"):
        point = routes.point_stop(clicked[1], clicked[0], t("ronde.point_name", lang, lat=f"{clicked[0]:.5f}", lon=f"{clicked[1]:.5f}"))
        extra[point.id] = point
        common.set_next("ronde_stops", [*picked, point.id])
        st.rerun()
    returns = st.checkbox(t("ronde.returns", lang), value=True, key="ronde_returns")
    c1, c2 = st.columns(2)
    speed = c1.number_input(t("ronde.speed", lang), min_value=routes.MIN_SPEED_KMH, max_value=routes.MAX_SPEED_KMH, value=routes.DEFAULT_SPEED_KMH, step=0.5, key="ronde_speed")
    walkers = c2.number_input(t("ronde.walkers", lang), min_value=1, max_value=routes.MAX_WALKERS, value=1, key="ronde_walkers")
    max_minutes = st.number_input(t("ronde.max_minutes", lang), min_value=0, max_value=600, value=0, step=15, key="ronde_max")
    d1, d2 = st.columns(2)
    day = d1.date_input(t("ronde.date", lang), value=dt.date.today(), key="ronde_date")
    clock = d2.time_input(t("ronde.time", lang), value=dt.time(10, 0), key="ronde_time")
    bring = st.text_area(t("ronde.bring", lang), key="ronde_bring", height=80)
    if st.button(t("ronde.plan", lang), type="primary", key="ronde_plan_button"):
        st.session_state["ronde_auto"] = True

# Plan (again) whenever the choices change once the team asked for a plan
plan: routes.Plan | None = None
if st.session_state.get("ronde_auto"):
    if not picked or start_id is None:
        col_side.warning(t("ronde.pick_more", lang))
    else:
        start = routes.point_stop(clicked[1], clicked[0], describe(POINT)) if start_id == POINT else choices[start_id]
        stops = [replace(choices[i], minutes=stay[i]) for i in picked if i in choices]
        spec = (start, tuple(stops), returns, int(walkers), int(max_minutes), float(speed), day, clock)
        if st.session_state.get("ronde_spec") != spec:
            try:
                with st.spinner(t("ronde.plan", lang)):
                    st.session_state["ronde_result"] = routes.plan_round(
                        walk, start, stops, returns=returns, walkers=int(walkers), max_minutes=int(max_minutes) or None,
                        speed_kmh=float(speed), at=dt.datetime.combine(day, clock),
                    )
            except BuurtkaartError as error:
                st.session_state["ronde_result"] = error
            st.session_state["ronde_spec"] = spec
        result = st.session_state.get("ronde_result")
        if isinstance(result, BuurtkaartError):
            col_side.error(result.message(lang))
        else:
            plan = result

# The map: the team's places, the round (numbered stops, the walking line), the clicked start
with col_map:
    vocab = {v: dict(vp.options(v, lang)) for v in ("layer", "kind", "target_group", "language", "wheelchair")}
    groups = maps.item_layers(items, lang=lang, labels=vocab)
    if plan is not None:
        groups += maps.route_layers(plan, lang=lang)
    elif clicked:
        groups.append(maps.start_layer(clicked[0], clicked[1], describe(POINT), lang=lang))
    # The places of the area stay in the layer list but hidden: the round is what the team looks at.
    base = maps.build_map(
        common.map_data(common.SCOPE_COMMUNE, 0), lang=lang, categories=[], width=common.MAP_WIDTH, height=common.MAP_HEIGHT,
        data_url=common.map_url(common.SCOPE_COMMUNE, 0),
    )  # fmt: skip
    view = {"center": maps.center(plan.bounds), "zoom": maps.fit_zoom(plan.bounds, width=420, height=420)} if plan is not None else {}
    result = st_folium(
        base, key="ronde_map", height=560, use_container_width=True, returned_objects=["last_clicked"],
        feature_group_to_add=groups or None, **view,
    )
    last = (result or {}).get("last_clicked")
    if last and (last["lat"], last["lng"]) != st.session_state.get("ronde_last_click"):
        st.session_state["ronde_last_click"] = (last["lat"], last["lng"])
        st.session_state["ronde_point"] = (last["lat"], last["lng"])
        common.set_next("ronde_start", POINT)
        st.rerun()
    st.caption(t("ronde.graph_note", lang))

# The plan: per walker the stops with times, what to know, and the files to take along
if plan is not None:
    with col_map:
        st.caption(t(f"ronde.method.{plan.method}", lang))
        for notice in plan.notices:
            st.warning(notice.message(lang))
        for r in plan.rounds:
            total = route_files.round_total(r, lang)
            st.markdown(f"**:material/directions_walk: {route_files.walker_label(r.walker, lang)}** · {total}")
            st.table(route_files.table_rows(plan, r, lang=lang))
        d1, d2 = st.columns(2)
        d1.download_button(
            t("ronde.download.gpx", lang), route_files.gpx_text(plan, lang=lang), file_name=formats.download_name(t("download.round", lang), common.organisation_name(db, org, lang), on=day, suffix=".gpx"),
            mime="application/gpx+xml", key="ronde_gpx",
        )
        d2.download_button(
            t("ronde.download.sheet", lang), route_files.sheet_html(plan, lang=lang, graph=walk, bring=bring),
            file_name=formats.download_name(t("download.round", lang), common.organisation_name(db, org, lang), on=day, suffix=".html"), mime="text/html", key="ronde_sheet",
        )

# Saved rounds: keep this plan, reopen one (to repeat it on another day), mark it walked (a count, never names)
with col_side:
    st.subheader(t("ronde.saved", lang))
    message = st.session_state.pop("ronde_message", None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    opened: sr.SavedRound | None = st.session_state.get("ronde_opened")

    def keep(action: Callable[[], object], success: Callable[[object], str]) -> None:
        """Run a store action; keep its message for the next run: success above, an error under the round's name."""
        st.session_state.pop("ronde_save_error", None)
        try:
            result = action()
        except BuurtkaartError as error:
            st.session_state["ronde_save_error"] = error.message(lang)  # the name and the plan stay as they were
        else:
            if isinstance(result, sr.SavedRound):
                st.session_state["ronde_opened"] = result
            st.session_state["ronde_message"] = ("success", success(result))
        st.rerun()

    can_save = org.can(accounts.ROUNDS_WRITE)  # a viewer plans and opens rounds, but saves and marks nothing
    if not can_save:
        st.info(t("auth.read_only", lang, role=t(f"auth.role.{org.role}", lang)))
    if plan is not None and can_save:
        settings = sr.Settings(
            start=plan.start, stops=tuple(stops), returns=returns, walkers=int(walkers),
            max_minutes=int(max_minutes) or None, speed_kmh=float(speed), start_time=clock,
        )
        save_name = st.text_input(t("ronde.save.name", lang), key="ronde_save_name")
        if st.session_state.get("ronde_save_error"):  # why the last save was refused, right under the name
            st.error(st.session_state["ronde_save_error"], icon="⚠️")
        b1, b2 = st.columns(2)
        if b1.button(t("ronde.save", lang), key="ronde_save"):
            keep(lambda: sr.save_round(db, org, name=save_name, settings=settings, planned_for=day), lambda r: t("ronde.save.done", lang, name=r.name))
        if opened is not None and b2.button(t("ronde.update", lang, name=opened.name), key="ronde_update"):
            keep(
                lambda: sr.update_round(
                    db, org, opened.id, expected_version=opened.version, name=save_name or opened.name,
                    settings=settings, planned_for=day,
                ),
                lambda r: t("ronde.save.done", lang, name=r.name),
            )
    saved = sr.list_rounds(db, org)
    if not saved:
        st.caption(t("ronde.saved.none", lang))
    else:
        names = sr.round_names(saved)
        round_id = common.selectbox(t("ronde.open", lang), list(names), format_func=names.get, key="ronde_open_pick")
        chosen_round = next(r for r in saved if r.id == round_id)
        if st.button(t("ronde.open.button", lang), key="ronde_open"):
            kept = chosen_round.settings
            for stop in (kept.start, *kept.stops):
                if stop.id not in choices:
                    extra[stop.id] = stop
            for key, value in {
                "ronde_stops": [s.id for s in kept.stops], "ronde_start": kept.start.id, "ronde_returns": kept.returns,
                "ronde_minutes": int(kept.stops[0].minutes), "ronde_speed": kept.speed_kmh, "ronde_walkers": kept.walkers,
                "ronde_max": kept.max_minutes or 0, "ronde_time": kept.start_time, "ronde_save_name": chosen_round.name,
            }.items():
                common.set_next(key, value)
            st.session_state["ronde_opened"] = chosen_round
            st.session_state["ronde_auto"] = True
            st.session_state["ronde_message"] = ("success", t("ronde.open.done", lang, name=chosen_round.name))
            st.rerun()
        if can_save:
            walked_form = f"ronde_walked_{st.session_state.setdefault('ronde_walked_form', 0)}"  # a new number = an empty form
            with st.form("ronde_walked"):  # not cleared on submit: a refused mark keeps what was typed
                st.markdown(f"**{t('ronde.walked', lang)}** · {chosen_round.name}")
                walked_on = st.date_input(t("ronde.walked.on", lang), value=dt.date.today(), max_value=dt.date.today(), key=f"{walked_form}_on")
                walked_by = st.text_input(t("ronde.walked.by", lang), value=org.username, key=f"{walked_form}_by")
                contacts = st.number_input(t("ronde.walked.contacts", lang), min_value=0, max_value=sr.MAX_CONTACTS, value=0, step=1, key=f"{walked_form}_n")
                refused = st.session_state.get("ronde_walked_error")
                if refused and refused[0] == chosen_round.id:  # why the last mark of this round was refused, in the form
                    st.error(refused[1], icon="⚠️")
                if st.form_submit_button(t("ronde.walked.button", lang)):
                    st.session_state.pop("ronde_walked_error", None)
                    try:
                        sr.mark_walked(db, org, chosen_round.id, walked_on=walked_on, walked_by=walked_by, contacts=int(contacts))
                    except BuurtkaartError as error:
                        st.session_state["ronde_walked_error"] = (chosen_round.id, error.message(lang))
                    else:
                        st.session_state["ronde_walked_form"] += 1  # an empty form for the next walk
                        st.session_state["ronde_message"] = ("success", t("ronde.walked.done", lang, name=chosen_round.name, on=formats.date_text(walked_on, lang)))
                    st.rerun()
        for w in sr.walks(db, org, chosen_round.id):
            st.caption(t("ronde.walked.line", lang, on=formats.date_text(w.walked_on, lang), by=w.walked_by, n=w.contacts))
