"""Load another area: an OSM file, OpenStreetMap online, or a box of the embedded data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from buurtkaart import area as area_mod
from buurtkaart import formats, osm, safe_files
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown


def show_result(load: callable, lang: str) -> None:
    """Run a loader with a progress message; keep its area on success, the old data on error."""
    with st.spinner(t("load.busy", lang)):
        try:
            new_area: Area = load()
        except BuurtkaartError as error:
            st.error(escape_markdown(error.message(lang)))
            st.info(t("load.kept", lang))
            return
    common.set_loaded_area(new_area)
    st.success(escape_markdown(t("load.ok", lang, name=new_area.name, places=formats.number(len(new_area.places), lang), km=formats.number(new_area.street_km, lang, digits=1))))


lang = common.lang()
common.account_sidebar(lang, common.store())  # the sign-in box is on every page (loading map data needs no sign-in)
st.title(f"📂 {t('page.data', lang)}")
current = common.loaded_area() or common.embedded_commune()
st.caption(escape_markdown(t("load.current", lang, name=current.name, places=formats.number(len(current.places), lang), km=formats.number(current.street_km, lang, digits=1))))

tab_file, tab_online, tab_box = st.tabs([t("load.file", lang), t("load.online", lang), t("load.bbox.embedded", lang)])

with tab_file:
    upload = st.file_uploader(t("load.file", lang), help=t("load.file.help", lang), key="osm_upload")
    if upload is not None and st.button(t("load.file.button", lang), key="load_file"):

        def load_upload() -> Area:
            """Write the upload to a temporary file with its own name and load it."""
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                return safe_files.load_osm_file(path)  # checked, then loaded in a process with limits

        show_result(load_upload, lang)

with tab_online:
    place = st.text_input(t("load.online.place", lang), key="online_place")
    bbox_text = st.text_input(t("load.online.bbox", lang), key="online_bbox", placeholder="4.36, 50.85, 4.40, 50.87")
    if st.button(t("load.online.button", lang), key="fetch"):
        if bbox_text.strip():
            show_result(lambda: osm.fetch(bbox=area_mod.parse_bbox(bbox_text)), lang)
        else:
            show_result(lambda: osm.fetch(place=place.strip()), lang)

with tab_box:
    box_text = st.text_input(t("load.online.bbox", lang), key="embedded_bbox", placeholder="4.37, 50.855, 4.39, 50.865")
    if st.button(t("load.bbox.button", lang), key="clip_box"):
        show_result(lambda: area_mod.clip_bbox(common.embedded_region(), area_mod.parse_bbox(box_text)), lang)

if common.loaded_area() is not None and st.button(t("load.embedded.button", lang), key="back_embedded"):
    st.session_state.pop("loaded_area")
    st.session_state["scope"] = common.SCOPE_COMMUNE
    st.rerun()
