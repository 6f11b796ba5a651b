"""Buurtkaart burger: one anonymised citizen's network of ties on three maps, the inclusieweb, indicators and suggestions."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import (
    accounts,
    caseload,
    citizens,
    formats,
    gazetteer,
    inclusieweb,
    indicators,
    network_maps,
    suggestions,
    vocabulary,
)
from buurtkaart import area as area_mod
from buurtkaart import audit as audit_log
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown
from buurtkaart.vocabulary_entries import VERSION_LABELS, allowed

VIEW_HEIGHT = 420
VIEW_WIDTH = 380  # each of the three views takes a third of the page


def choices(name: str) -> tuple[list[str], dict[str, str]]:
    """Return the keys and {key: label} of a tie vocabulary in the page's language."""
    labels = dict(vocabulary.options(name, lang))
    return list(labels), labels


def pick(label: str, name: str, *, key: str, value: str | None = None) -> str:
    """Show a select box of a tie vocabulary and return the chosen key."""
    keys, labels = choices(name)
    return common.selectbox(label, keys, index=keys.index(value) if value in keys else 0, format_func=labels.get, key=key)


def version_label(key: str) -> str:
    """Return a version's label in the page's language ("—" for none; a date or an older free label as it is)."""
    return t(f"version.label.{key}", lang) if key in VERSION_LABELS else key or "—"


def flash(kind: str, text: str) -> None:
    """Keep a message to show after the next rerun."""
    st.session_state["bg_message"] = (kind, text)


def refuse(form: str, error: BuurtkaartError, field: str | None = None) -> NoReturn:
    """Keep why a save of `form` was refused, to show under its field after a rerun (the form keeps what was typed)."""
    st.session_state["bg_refused"] = (form, field or error.field or "", error.message(lang))
    st.rerun()


def field_error(form: str, *fields: str) -> None:
    """Show, right under a field, why the last save of `form` was refused because of it (any of `fields`)."""
    refused = st.session_state.get("bg_refused")
    if refused and refused[0] == form and refused[1] in fields:
        st.error(escape_markdown(refused[2]), icon="⚠️")


def other_error(form: str, *shown: str) -> None:
    """Show, by the save button, why the last save of `form` was refused, if no field of `shown` said it already."""
    refused = st.session_state.get("bg_refused")
    if refused and refused[0] == form and refused[1] not in shown:
        st.error(escape_markdown(refused[2]), icon="⚠️")


def anchor_picker(prefix: str) -> vocabulary.Location | None:
    """Show the anchor choice (a quartier, or a place the citizen chooses: never a home) and return it."""
    kind = st.radio(
        t("burger.anchor", lang), ["quartier", "place"], horizontal=True, key=f"{prefix}_anchor_kind",
        format_func=lambda k: vocabulary.label("anchor_kind", k, lang), help=t("burger.anchor.help", lang),
    )
    if kind == "quartier":
        names = area_mod.quartier_names(region.quartiers, lang=lang)
        in_commune = set(commune.quartiers["mdrc"])
        commune_first = sorted(names, key=lambda m: (m not in in_commune, names[m]))
        mdrc = common.selectbox(t("map.quartier", lang), commune_first, format_func=names.get, key=f"{prefix}_quartier")
        return gazetteer.quartier_location(mdrc, area=region)
    query = st.text_input(t("burger.anchor.place", lang), key=f"{prefix}_anchor_query", placeholder=t("hint.anchor_place", lang))
    if not query.strip():
        return None
    # a place or a vindplaats, never a street (too close to a home address)
    found = [loc for loc in gazetteer.suggest("buurt", query, area=region, items=items, limit=12) if loc.place_kind != "street"][:8]
    if not found:
        st.warning(escape_markdown(t("burger.place.none", lang, query=query)))
        return None
    pick_index = common.selectbox(t("burger.place.pick", lang), range(len(found)), format_func=lambda i: found[i].label, key=f"{prefix}_anchor_pick")
    return found[pick_index]


def citizen_form() -> None:
    """Show the form that creates a citizen: a pseudonym, no name."""
    st.subheader(t("burger.new", lang))
    st.caption(t("burger.new.privacy", lang))
    reference = st.text_input(t("burger.reference", lang), type="password", help=t("burger.reference.help", lang), key="bg_reference")
    field_error("bg_new", "reference")
    col1, col2 = st.columns(2)
    with col1:
        bands, band_labels = choices("age_band")
        age_band = common.selectbox(t("burger.age_band", lang), ["", *bands], format_func=lambda k: band_labels.get(k, "—"), key="bg_age")
        _, situation_labels = choices("situation")  # the organisation's own words (a coordinator's) are offered too
        situation_keys = list(allowed(db, org, "situations"))
        situations = common.multiselect(t("burger.situations", lang), situation_keys, key="bg_situations",
                                    format_func=lambda k: situation_labels.get(k, k.replace("_", " ")))
        _, talent_labels = choices("talent")
        talent_keys = list(allowed(db, org, "talents"))
        talents = common.multiselect(t("burger.talents", lang), talent_keys, key="bg_talents",
                                 format_func=lambda k: talent_labels.get(k, k.replace("_", " ")))
    with col2:
        interest_labels = {k: common.category_label(k, lang) for k in common.CATEGORY_KEYS}
        interests = common.multiselect(t("burger.interests", lang), list(interest_labels), format_func=interest_labels.get, key="bg_interests")
        language_labels = dict(vp.options("language", lang))
        languages = common.multiselect(t("burger.languages", lang), list(language_labels), format_func=language_labels.get, key="bg_languages")
        anchor = anchor_picker("bg_new")
    other_error("bg_new", "reference")
    if st.button(t("burger.create", lang), type="primary", disabled=anchor is None, key="bg_create"):
        st.session_state.pop("bg_refused", None)
        try:
            citizen = citizens.create_citizen(
                db, org, reference=reference.strip() or None, age_band=age_band, situations=situations, talents=talents,
                interests=interests, languages=languages, anchor=anchor, area=region,
            )
        except BuurtkaartError as error:
            refuse("bg_new", error)  # what was typed stays in the widgets; the reason under its field
        common.set_next("bg_pick", citizen.id)
        flash("success", t("burger.created", lang, code=citizen.code))
        st.rerun()


def tie_form(citizen_id: str) -> None:
    """Show the compact form that adds a tie during a conversation."""
    level = st.radio(
        t("tie.level", lang), list(vocabulary.LEVELS), horizontal=True, key="bg_tie_level",
        format_func=lambda k: vocabulary.label("level", k, lang), help=t("burger.level.help", lang),
    )
    st.caption(t(f"burger.place.example.{level}", lang))
    common.apply_next("bg_tie_place", "bg_tie_functions")  # blank after a saved tie, or a closest match picked
    with st.form("bg_tie", clear_on_submit=False):
        col1, col2, col3 = st.columns(3)
        with col1:
            place = st.text_input(t("burger.place", lang), key="bg_tie_place")
            field_error("bg_tie", "place", "level")
            role = pick(t("tie.role", lang), "role", key="bg_tie_role")
            capital = pick(t("tie.capital", lang), "capital", key="bg_tie_capital")
        with col2:
            function_keys, function_labels = choices("function")
            functions = common.multiselect(t("tie.functions", lang), function_keys, format_func=function_labels.get, key="bg_tie_functions")
            field_error("bg_tie", "functions")
            frequency = pick(t("tie.frequency", lang), "frequency", key="bg_tie_frequency", value="weekly")
            strength = pick(t("tie.strength", lang), "strength", key="bg_tie_strength")
        with col3:
            state = pick(t("tie.state", lang), "state", key="bg_tie_state")
            influence = pick(t("tie.influence", lang), "influence", key="bg_tie_influence")
            reciprocity = pick(t("tie.reciprocity", lang), "reciprocity", key="bg_tie_reciprocity", value="both")
            group_size = st.number_input(t("tie.group_size", lang), min_value=1, max_value=citizens.GROUP_MAX, value=1, step=1, key="bg_tie_group")
            field_error("bg_tie", "group_size")
        other_error("bg_tie", "place", "level", "functions", "group_size")
        submitted = st.form_submit_button(t("burger.tie.add", lang), type="primary")
    matches = st.session_state.get("bg_place_matches", [])
    if matches and not submitted:
        st.caption(t("burger.place.matches", lang))
        for i, label in enumerate(matches):
            if st.button(label, key=f"bg_place_match_{i}"):
                common.set_next("bg_tie_place", label)
                st.session_state.pop("bg_place_matches")
                st.rerun()
    if not submitted:
        return
    st.session_state.pop("bg_place_matches", None)
    st.session_state.pop("bg_refused", None)
    try:
        location = gazetteer.resolve(level, place, area=region, items=items)
    except BuurtkaartError as error:
        suggestions_found = [loc.label for loc in getattr(error, "suggestions", [])]
        if suggestions_found:  # offer the closest matches as buttons (nothing was saved)
            st.session_state["bg_place_matches"] = suggestions_found[:6]
        refuse("bg_tie", error, "place")
    try:
        citizens.add_tie(
            db, org, citizen_id, role=role, capital=capital, functions=functions, frequency=frequency, strength=strength,
            state=state, influence=influence, reciprocity=reciprocity, location=location, group_size=group_size, area=region,
        )
    except BuurtkaartError as error:
        refuse("bg_tie", error)  # the form keeps what was typed; the reason under its field
    common.set_next("bg_tie_place", "")  # a blank place and functions for the next tie
    common.set_next("bg_tie_functions", [])
    flash("success", t("burger.tie.added", lang, place=gazetteer.shown_label(location.place_kind, location.place_ref, location.label, lang)))
    st.rerun()


def tie_edit_form(tie_id: str) -> None:
    """Show the form that changes every property of one tie, with the same checks as when it was added."""
    tie = citizens.get_tie(db, org, tie_id)
    st.subheader(t("burger.tie.edit", lang))
    prefix = f"bg_edit_{tie_id}_{tie.updated_at.timestamp():.0f}"  # fresh values once a change is saved
    with st.form(prefix):
        col1, col2, col3 = st.columns(3)
        with col1:
            levels = list(vocabulary.LEVELS)
            level = st.radio(t("tie.level", lang), levels, index=levels.index(tie.level), horizontal=True, key=f"{prefix}_level",
                             format_func=lambda k: vocabulary.label("level", k, lang))
            shown_place = gazetteer.shown_label(tie.place_kind, tie.place_ref, tie.place_label, lang)  # "Maroc", not "Marokko"
            place = st.text_input(t("burger.tie.place.new", lang), key=f"{prefix}_place", help=t("burger.tie.place.keep", lang, place=shown_place),
                                  placeholder=shown_place)
            field_error(prefix, "place", "level")
            role = pick(t("tie.role", lang), "role", key=f"{prefix}_role", value=tie.role)
            capital = pick(t("tie.capital", lang), "capital", key=f"{prefix}_capital", value=tie.capital)
        with col2:
            function_keys, function_labels = choices("function")
            functions = common.multiselect(t("tie.functions", lang), function_keys, default=list(tie.functions), format_func=function_labels.get, key=f"{prefix}_functions")
            field_error(prefix, "functions")
            frequency = pick(t("tie.frequency", lang), "frequency", key=f"{prefix}_frequency", value=tie.frequency)
            strength = pick(t("tie.strength", lang), "strength", key=f"{prefix}_strength", value=tie.strength)
        with col3:
            state = pick(t("tie.state", lang), "state", key=f"{prefix}_state", value=tie.state)
            influence = pick(t("tie.influence", lang), "influence", key=f"{prefix}_influence", value=tie.influence)
            reciprocity = pick(t("tie.reciprocity", lang), "reciprocity", key=f"{prefix}_reciprocity", value=tie.reciprocity)
            group_size = st.number_input(t("tie.group_size", lang), min_value=1, max_value=citizens.GROUP_MAX, value=int(tie.group_size), step=1, key=f"{prefix}_group")
            field_error(prefix, "group_size")
        other_error(prefix, "place", "level", "functions", "group_size")
        saved = st.form_submit_button(t("burger.tie.save", lang), type="primary")
    if not saved:
        return
    changes = {"role": role, "capital": capital, "functions": functions, "frequency": frequency, "strength": strength,
               "state": state, "influence": influence, "reciprocity": reciprocity, "group_size": group_size}  # fmt: skip
    st.session_state.pop("bg_refused", None)
    try:
        if place.strip() or level != tie.level:  # a new place (or level) is resolved as on creation
            changes["location"] = gazetteer.resolve(level, place, area=region, items=items)
    except BuurtkaartError as error:
        refuse(prefix, error, "place")
    try:
        changed = citizens.update_tie(db, org, tie_id, area=region, **changes)
    except BuurtkaartError as error:
        refuse(prefix, error)  # the form keeps what was typed; the reason under its field
    shown_place = gazetteer.shown_label(changed.place_kind, changed.place_ref, changed.place_label, lang)
    flash("success", t("burger.tie.saved", lang, name=f"{vocabulary.label('role', changed.role, lang)} — {shown_place}"))
    st.rerun()


def profile_form(citizen_id: str, person) -> None:
    """Show the form that changes a citizen's profile and anchor, with the same checks as on creation."""
    st.subheader(t("burger.profile.edit", lang))
    prefix = f"bg_profile_{citizen_id}_{person['updated_at']}"
    col1, col2 = st.columns(2)
    with col1:
        bands, band_labels = choices("age_band")
        band = person["age_band"] or ""
        age_band = common.selectbox(t("burger.age_band", lang), ["", *bands], index=["", *bands].index(band) if band in bands else 0,
                                format_func=lambda k: band_labels.get(k, "—"), key=f"{prefix}_age")
        situation_keys, situation_labels = choices("situation")
        situations = common.multiselect(t("burger.situations", lang), situation_keys, default=[k for k in person["situations"] if k in situation_keys],
                                    format_func=situation_labels.get, key=f"{prefix}_situations")
        talent_keys, talent_labels = choices("talent")
        talents = common.multiselect(t("burger.talents", lang), talent_keys, default=[k for k in person["talents"] if k in talent_keys],
                                 format_func=talent_labels.get, key=f"{prefix}_talents")
    with col2:
        interest_labels = {k: common.category_label(k, lang) for k in common.CATEGORY_KEYS}
        interests = common.multiselect(t("burger.interests", lang), list(interest_labels), default=[k for k in person["interests"] if k in interest_labels],
                                   format_func=interest_labels.get, key=f"{prefix}_interests")
        language_labels = dict(vp.options("language", lang))
        languages = common.multiselect(t("burger.languages", lang), list(language_labels), default=[k for k in person["languages"] if k in language_labels],
                                   format_func=language_labels.get, key=f"{prefix}_languages")
        keep = st.checkbox(t("burger.profile.anchor.keep", lang, place=person["anchor_label"]), value=True, key=f"{prefix}_keep")
        anchor = None if keep else anchor_picker(prefix)
    other_error(prefix)
    if st.button(t("burger.profile.save", lang), type="primary", disabled=not keep and anchor is None, key=f"{prefix}_save"):
        changes = {"age_band": age_band, "situations": situations, "talents": talents, "interests": interests, "languages": languages}
        if anchor is not None:
            changes["anchor"] = anchor
        st.session_state.pop("bg_refused", None)
        try:
            citizens.update_citizen(db, org, citizen_id, area=region, **changes)
        except BuurtkaartError as error:
            refuse(prefix, error)  # what was typed stays in the widgets
        flash("success", t("burger.profile.saved", lang, code=person["code"]))
        st.rerun()


def links_form(citizen_id: str, tie_frame, links) -> None:
    """Show who knows whom among the ties, and let the worker add or remove a pair."""
    if len(tie_frame) < 2:
        return
    numbers = network_maps.tie_names(tie_frame, lang=lang)
    pairs = {(row.tie_a, row.tie_b) for row in links.itertuples()}
    col1, col2, col3 = st.columns([2, 2, 1])
    a = common.selectbox(t("burger.links.a", lang), list(numbers), format_func=numbers.get, key="bg_link_a", container=col1)
    b = common.selectbox(t("burger.links.b", lang), list(numbers), format_func=numbers.get, index=1, key="bg_link_b", container=col2)
    if col3.button(t("burger.links.add", lang), key="bg_link_add", disabled=a == b):
        try:
            citizens.set_links(db, org, citizen_id, [*pairs, tuple(sorted((a, b)))])
        except BuurtkaartError as error:
            st.error(escape_markdown(error.message(lang)))
        else:
            st.rerun()
    if pairs:
        st.caption(escape_markdown(" · ".join(f"{numbers[x].split('.')[0]} ↔ {numbers[y].split('.')[0]}" for x, y in sorted(pairs) if x in numbers and y in numbers)))


lang = common.lang()
db = common.store()
region = common.embedded_region()
commune = common.embedded_commune()
org = common.organisation(lang, db)
items = vp.list_items(db, org)

st.title(f"🕸️ {t('burger.title', lang)}")
st.caption(t("burger.intro", lang))
common.demo_password_once(lang)
message = st.session_state.pop("bg_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(escape_markdown(message[1]))

people = citizens.list_citizens(db, org)
if people.empty:
    st.info(t("burger.empty", lang))

codes = citizens.citizen_names(people, lang=lang)
NEW = "__new__"
options = [NEW, *codes]
if st.session_state.get("bg_org") != org:  # another organisation: its own first citizen
    st.session_state["bg_org"] = org
    st.session_state.pop("bg_pick", None)
common.apply_next("bg_pick")  # a citizen just created or found: show them
if st.session_state.get("bg_pick") not in options:
    st.session_state["bg_pick"] = options[1] if codes else NEW
choice = common.selectbox(
    t("burger.pick", lang), options,
    format_func=lambda k: f"➕ {t('burger.new', lang)}" if k == NEW else codes[k], key="bg_pick", container=st.sidebar,
)
code_query = st.sidebar.text_input(t("burger.find", lang), key="bg_find", help=t("burger.find.help", lang))
if code_query.strip():
    found = citizens.find_by_code(db, org, code_query.strip()) or citizens.find_by_reference(db, org, code_query.strip())
    if found is None:
        st.sidebar.warning(t("burger.find.none", lang))
    elif found.id != choice:
        common.set_next("bg_pick", found.id)
        st.rerun()

if choice == NEW:
    citizen_form()
    st.stop()

person = people.set_index("citizen_id").loc[choice]
if st.session_state.get("bg_viewed") != (org, choice):  # one audit event per opening of a citizen, not per rerun
    audit_log.record(db, org, None, "citizen.view", person["code"])
    st.session_state["bg_viewed"] = (org, choice)
    st.session_state.pop("bg_refused", None)  # a refusal was about the citizen shown before
tie_frame = network_maps.numbered(citizens.list_ties(db, org, choice))
links = citizens.list_links(db, org, choice)
anchor = (person.geometry.x, person.geometry.y)

st.header(f"{t('burger.citizen', lang)} {person['code']}")
st.caption(escape_markdown(citizens.citizen_facts(person, lang=lang)))

# One section at a time (a choice kept across reruns, unlike tabs): entering ties does not redraw the maps.
SECTIONS = ("network", "ties", "time", "manage")
if st.session_state.get("bg_section") not in SECTIONS:
    st.session_state["bg_section"] = "network" if len(tie_frame) else "ties"
section = st.segmented_control(
    t("burger.section", lang), SECTIONS, format_func=lambda k: t(f"burger.tab.{k}", lang), key="bg_section",
    label_visibility="collapsed",
) or "network"

if section == "ties":
    tie_form(choice)
    if len(tie_frame):
        headers = {c: t(f"tie.col.{c}" if c in ("num", "group_size") else "tie.place" if c == "place_label" else f"tie.{c}", lang)
                   for c in network_maps.TIE_TABLE_COLUMNS}  # fmt: skip
        st.dataframe(network_maps.tie_table(tie_frame, lang=lang).rename(columns=headers), hide_index=True, key="bg_tie_table")
        numbers = network_maps.tie_names(tie_frame, lang=lang)
        col_pick, col_delete = st.columns([3, 1])
        gone = common.selectbox(t("burger.tie.pick", lang), list(numbers), format_func=numbers.get, key="bg_tie_delete_pick", container=col_pick)
        if col_delete.button(t("burger.tie.delete", lang), key="bg_tie_delete"):
            citizens.delete_tie(db, org, gone)
            flash("success", t("burger.tie.deleted", lang))
            st.rerun()
        tie_edit_form(gone)
        st.subheader(t("burger.links", lang))
        links_form(choice, tie_frame, links)

if section == "network":
    if tie_frame.empty:
        st.info(t("burger.no_ties", lang))
    base = common.network_basemaps()
    cols = st.columns(3)
    for col, view in zip(cols, network_maps.VIEWS, strict=True):
        with col:
            st.markdown(f"**{t(f'view.{view}', lang)}**")
            m = network_maps.network_map(view, anchor=anchor, anchor_label=person["anchor_label"], tie_frame=tie_frame, base=base, lang=lang, width=VIEW_WIDTH, height=VIEW_HEIGHT)
            st_folium(m, key=f"bg_map_{view}", height=VIEW_HEIGHT, use_container_width=True, returned_objects=[])
    st.caption(t("burger.maps.legend", lang))
    ind = indicators.compute(tie_frame, links)
    st.subheader(t("burger.indicators", lang))
    sentences = indicators.sentences(ind, lang=lang)
    half = (len(sentences) + 1) // 2
    for col, part in zip(st.columns(2), (sentences[:half], sentences[half:]), strict=True):
        col.markdown("\n".join(f"- {sentence}" for sentence in part))
    st.subheader(t("burger.inclusieweb", lang))
    ring = st.radio(t("burger.ring", lang), ["level", "capital"], horizontal=True, key="bg_ring", format_func=lambda k: t(f"burger.ring.{k}", lang))
    common.show_chart(inclusieweb.figure(tie_frame, lang=lang, ring=ring, title=person["code"]), alt=t("burger.inclusieweb", lang))
    st.subheader(t("burger.suggestions", lang))
    walk = common.walk_graph()
    max_m = st.slider(t("burger.suggestions.distance", lang), 200, 2000, 800, 100, key="bg_max_m")
    with st.spinner(t("burger.suggestions.busy", lang)):
        found = suggestions.suggest(person, tie_frame, area=region, graph=walk, items=items, max_m=max_m, lang=lang)
    if found.empty:
        st.info(found.attrs.get("reason") or t("burger.suggestions.none", lang, m=max_m))
    else:
        columns = {c: t(f"burger.col.{c}", lang) for c in ("name", "walk_m", "walk_min", "reason")}
        table = found[list(columns)].assign(walk_m=found["walk_m"].round()).rename(columns=columns)
        table.insert(0, t("tie.col.num", lang), range(1, len(table) + 1))  # the numbers on the map below
        st.dataframe(table, hide_index=True, key="bg_suggestions")
        m = network_maps.network_map("buurt", anchor=anchor, anchor_label=person["anchor_label"], tie_frame=tie_frame, base=base,
                                     lang=lang, width=2 * VIEW_WIDTH, height=VIEW_HEIGHT, suggestions=found)
        st_folium(m, key="bg_map_suggestions", height=VIEW_HEIGHT, use_container_width=True, returned_objects=[])
    roles = caseload.citizen_roles(person, items, walk, max_m=max_m)
    if len(roles):
        st.subheader(t("burger.roles", lang))
        for row in roles.itertuples():
            st.markdown("- " + escape_markdown(t("burger.role", lang, need=row.need, talent=vocabulary.label("talent", row.talent, lang), m=round(row.walk_m))))

if section == "time":
    st.caption(t("burger.time.intro", lang))
    col1, col2, col3 = st.columns([2, 2, 1])
    on = col1.date_input(t("burger.version.date", lang), value=date.today(), key="bg_version_date")
    label = common.selectbox(t("burger.version.label", lang), ["", *VERSION_LABELS], format_func=version_label, key="bg_version_label", container=col2)  # no free text
    if col3.button(t("burger.version.save", lang), key="bg_version_save"):
        try:
            citizens.save_version(db, org, choice, on=on, label=label)
        except BuurtkaartError as error:
            st.error(escape_markdown(error.message(lang)))
        else:
            flash("success", t("burger.version.saved", lang, on=formats.date_text(on, lang)))
            st.rerun()
    versions = citizens.list_versions(db, org, choice)
    if len(versions) == 0:
        st.info(t("burger.version.none", lang))
    else:
        names = {row.id: formats.date_text(row.saved_on, lang) + (f" — {version_label(row.label)}" if row.label else "") for row in versions.itertuples()}
        ids = list(names)
        NOW = "__now__"
        col_old, col_new = st.columns(2)
        old_id = common.selectbox(t("burger.version.old", lang), ids, format_func=names.get, key="bg_version_old", container=col_old)
        new_id = common.selectbox(t("burger.version.new", lang), [NOW, *ids], format_func=lambda k: t("burger.version.now", lang) if k == NOW else names[k], key="bg_version_new", container=col_new)
        col_date, col_redate = st.columns([2, 1], vertical_alignment="bottom")
        old_on = versions.set_index("id").loc[old_id, "saved_on"]
        redate_on = col_date.date_input(t("burger.version.redate", lang), value=old_on, key=f"bg_redate_{old_id}")
        if col_redate.button(t("burger.version.redate.button", lang), key=f"bg_redate_button_{old_id}", disabled=redate_on == old_on):
            try:
                citizens.redate_version(db, org, old_id, on=redate_on)
            except BuurtkaartError as error:
                st.error(escape_markdown(error.message(lang)))  # under the date field, which keeps the date typed
            else:
                flash("success", t("burger.version.redated", lang, on=formats.date_text(redate_on, lang)))
                st.rerun()
        old = citizens.version_ties(db, org, old_id)
        new = tie_frame if new_id == NOW else network_maps.numbered(citizens.version_ties(db, org, new_id))
        change = citizens.compare(old, new)
        st.markdown(citizens.change_summary(change, lang=lang))
        changes = change.set_index("tie_id")["change"]
        lost = old[old["tie_id"].isin(change.loc[change["change"] == "lost", "tie_id"])]
        cols = st.columns(3)
        for col, view in zip(cols, network_maps.VIEWS, strict=True):
            with col:
                st.markdown(f"**{t(f'view.{view}', lang)}**")
                m = network_maps.network_map(view, anchor=anchor, anchor_label=person["anchor_label"], tie_frame=new, base=common.network_basemaps(),
                                             lang=lang, changes=changes, lost=lost, width=VIEW_WIDTH, height=VIEW_HEIGHT)
                st_folium(m, key=f"bg_cmp_{view}", height=VIEW_HEIGHT, use_container_width=True, returned_objects=[])
        common.show_chart(inclusieweb.figure(new, lang=lang, previous=old, title=t("burger.compare.chart", lang)), alt=t("burger.compare.chart", lang))

if section == "manage":
    profile_form(choice, person)
    st.subheader(t("burger.erase", lang))
    st.caption(t("burger.erase.help", lang))
    if not org.can(accounts.CITIZENS_ERASE):
        st.info(t("auth.role_needed", lang, role=t(f"auth.role.{org.role}", lang)))
    sure = org.can(accounts.CITIZENS_ERASE) and st.checkbox(t("burger.erase.confirm", lang, code=person["code"]), key="bg_erase_sure")
    if org.can(accounts.CITIZENS_ERASE) and st.button(t("burger.erase.button", lang), disabled=not sure, type="primary", key="bg_erase"):
        from buurtkaart import erasure

        erased = erasure.erase_citizen(db, org, choice)  # checked: out of the database files, or said to be pending
        flash("success", t("burger.erased", lang, code=person["code"]) + (" " + t("erase.pending", lang) if erased.pending else ""))
        st.rerun()

# Share this citizen's own map: for the citizen only, with their consent recorded (never from the Delen page).
if section == "network" and len(tie_frame):
    from buurtkaart import consent, share

    with st.expander(t("share.citizen.expander", lang)):
        st.warning(t("share.citizen.warning", lang))
        agreed = st.checkbox(t("share.citizen.consent_box", lang), key="bg_share_consent")
        given_on = st.date_input(t("share.citizen.consent_day", lang), value=date.today(), max_value=date.today(), key="bg_share_day")
        if not agreed:  # a file made before stays only while the consent box is ticked
            st.session_state.pop("bg_share_file", None)
        if st.button(t("share.citizen.make", lang), disabled=not agreed, key="bg_share_make"):
            try:
                given = consent.record_consent(db, org, choice, given=agreed, given_on=given_on)
                shared = share.citizen_share(person, tie_frame, region, consent=given, lang=lang)
                st.session_state["bg_share_file"] = (choice, share.share_html(shared).encode("utf-8"))
            except BuurtkaartError as error:
                st.error(error.message(lang))
        made = st.session_state.get("bg_share_file")
        if made and made[0] == choice:
            st.download_button(
                t("share.citizen.download", lang), made[1], file_name=common.download_name("network", lang, suffix=".html"), mime="text/html", key="bg_share_download"
            )
