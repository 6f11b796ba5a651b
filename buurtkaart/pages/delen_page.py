"""Delen: share the map in meetings — one offline file, its preview, what is not in it, and the presentation mode."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from buurtkaart import accounts, audit, citizens, saved_rounds, share
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import category_label, t
from buurtkaart.pages import common

PREVIEW_HEIGHT = 640
CHOICES = ("share_what", "share_round", "share_area", "share_quartier", "share_notes", "share_categories", "share_items")

lang = common.lang()
db = common.store()
org = common.organisation(lang, db, accounts.MAP_READ)  # the caseload figures of an analysis need a worker's role
org_name = common.organisation_name(db, org, lang)
region = common.embedded_region()

st.title(f"📤 {t('page.delen', lang)}")
common.keep_choices_on_language_switch(*CHOICES)  # a change of language keeps what, area and layers
st.session_state.setdefault("share_categories", list(common.CATEGORY_KEYS))
st.session_state.setdefault("share_items", list(vp.LAYERS))

# What and where
whats = {w: t(f"share.what.{w}", lang) for w in share.WHATS}
what = st.radio(t("share.what", lang), list(whats), format_func=whats.get, horizontal=True, key="share_what")
plan = None
round_name = ""
if what == "round":  # a saved round of the organisation, drawn on the part of the region around it
    rounds = saved_rounds.list_rounds(db, org)
    if not rounds:
        st.info(t("share.round.none", lang))
        st.stop()
    names = saved_rounds.round_names(rounds)
    round_id = common.selectbox(t("share.round.pick", lang), list(names), format_func=names.get, key="share_round")
areas = {"commune": t("share.area.commune", lang), "region": t("share.area.region", lang), "quartier": t("share.area.quartier", lang)}
left, right = st.columns(2)
area_kind = "commune" if what == "round" else left.radio(
    t("share.area", lang), list(areas), format_func=areas.get, horizontal=True, key="share_area"
)
area_spec = area_kind
if area_kind == "quartier":
    names = dict(zip(region.quartiers["mdrc"], region.quartiers["name_fr" if lang == "fr" else "name_nl"], strict=True))
    mdrc = common.selectbox(t("map.quartier", lang), sorted(names, key=names.get), format_func=names.get, key="share_quartier", container=right)
    area_spec = f"quartier:{mdrc}"
categories = item_layers = None
if what == "map":  # each layer in the file or not (the preview and "not in the file" follow)
    left, right = st.columns(2)
    categories = left.multiselect(
        t("share.categories", lang), list(common.CATEGORY_KEYS), format_func=lambda k: category_label(k, lang), key="share_categories"
    )
    item_layers = right.multiselect(
        t("share.item_layers", lang), list(vp.LAYERS), format_func=lambda k: vp.label("layer", k, lang), key="share_items"
    )
notes = what == "map" and st.checkbox(t("share.notes", lang), value=False, key="share_notes")

# The file, built by the package
try:
    area = common.embedded_commune() if area_spec == "commune" else share.area_of(area_spec, region)
    items = vp.list_items(db, org)
    people = all_ties = None
    if what == "analysis" and org.can(accounts.CITIZENS_READ):
        people, all_ties = citizens.list_citizens(db, org), citizens.all_ties(db, org)
    with st.spinner(t("map.loading", lang)):
        if what == "round":
            saved = saved_rounds.get_round(db, org, round_id)
            plan, round_name = share.plan_saved_round(saved, common.walk_graph()), saved.name
        shared = share.make_share(
            what, area, region=region, items=items, citizens=people, all_ties=all_ties, walk=common.walk_graph(),
            blocks=common.population_blocks(), sources=common.share_sources(what, items),
            lang=lang, organisation=org_name, notes=notes, plan=plan, round_name=round_name, unit=share.unit_of(area_spec),
            categories=categories, item_layers=item_layers,
        )
        page = share.share_html(shared)
except BuurtkaartError as error:
    st.error(error.message(lang))
    st.stop()

# The preview (the same file, in a frame) next to what is not in it, the download and the presentation mode
preview, side = st.columns([3, 1])
with preview:
    st.subheader(t("share.preview", lang))
    components.html(page, height=PREVIEW_HEIGHT)
with side:
    st.subheader(t("share.not_in_file", lang))
    st.markdown("\n".join(f"- {line}" for line in shared.not_included))
    size = f"{len(page.encode('utf-8')) / 1_000_000:.2f} MB"
    can_export = org.can(accounts.EXPORT)  # the file and its pictures leave Buurtkaart: the coordinator's call
    if can_export:
        st.download_button(
            t("share.download", lang), page.encode("utf-8"), file_name=common.download_name(what, lang, org_name, area.name, suffix=".html"),
            mime="text/html", key="share_download", on_click=audit.record, args=(db, org, None, "export.share", what),
        )
        st.caption(t("share.size", lang, size=size))
    else:
        st.info(t("auth.export_needed", lang, role=t(f"auth.role.{org.role}", lang)))
    if what != "round":  # the presentation mode shows the map or the analysis, in this session (the signed-in team's)
        if st.button(f"🖥️ {t('share.present', lang)}", key="share_present"):
            st.query_params.from_dict({"present": what, "area": area_spec, "lang": lang})
            st.rerun()
        st.caption(t("share.present.help", lang))
    if can_export:  # a picture of the same view, for slides and print
        for suffix in share.SNAPSHOT_SUFFIXES:
            kind = suffix[1:]
            if st.button(t(f"share.make.{kind}", lang), key=f"share_make_{kind}"):
                with st.spinner(t("map.loading", lang)):
                    st.session_state[f"share_{kind}"] = share.snapshot_bytes(shared, suffix)
            if st.session_state.get(f"share_{kind}"):
                st.download_button(
                    t(f"share.download.{kind}", lang), st.session_state[f"share_{kind}"],
                    file_name=common.download_name(what, lang, org_name, area.name, suffix=suffix),
                    mime="image/png" if kind == "png" else "application/pdf", key=f"share_download_{kind}",
                )  # fmt: skip
        st.caption(t("share.snapshot", lang))
