"""Buurtkaart: the Streamlit entry (navigation and shared settings only)."""

from __future__ import annotations

import streamlit as st

from buurtkaart.i18n import t
from buurtkaart.pages import common

st.set_page_config(page_title="Buurtkaart", page_icon="🗺️", layout="wide")
if common.presentation_mode():  # the map full screen; no sidebar, no other page is routed
    present = st.Page("buurtkaart/pages/present_page.py", title=t("page.present", common.lang()), url_path="presentatie", default=True)
    st.navigation([present], position="hidden").run()
    st.stop()
lang = common.language_switch()
common.widget_css(lang)  # Streamlit's own widget texts in the user's language, once per page

kaart = st.Page("buurtkaart/pages/map_page.py", title=t("page.map", lang), icon="🗺️", url_path="kaart")


def start() -> None:
    """Open the map: the app's address alone leads to /kaart (every page keeps its own address, for a bookmark)."""
    st.switch_page(kaart)


# Streamlit serves the default page at "/" only; a hidden start page is the default, so that /kaart works too.
pages = [
    st.Page(start, title=t("page.map", lang), url_path="start", default=True, visibility="hidden"),
    kaart,
    st.Page("buurtkaart/pages/vindplaatsen_page.py", title=t("page.vindplaatsen", lang), icon="📍", url_path="vindplaatsen"),
    st.Page("buurtkaart/pages/burger_page.py", title=t("page.burger", lang), icon="🕸️", url_path="burger"),
    st.Page("buurtkaart/pages/analyse_page.py", title=t("page.analyse", lang), icon="🔎", url_path="analyse"),
    st.Page("buurtkaart/pages/ronde_page.py", title=t("page.ronde", lang), icon="🚶", url_path="ronde"),
    st.Page("buurtkaart/pages/load_page.py", title=t("page.data", lang), icon="📂", url_path="laden"),
    st.Page("buurtkaart/pages/delen_page.py", title=t("page.delen", lang), icon="📤", url_path="delen"),
    st.Page("buurtkaart/pages/beheer_page.py", title=t("page.beheer", lang), icon="🛡️", url_path="beheer"),
]
st.navigation(pages).run()
