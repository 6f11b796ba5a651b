"""Presentation mode: the shared map full screen, large legend, no sidebar and no way to the other pages."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from buurtkaart import accounts, citizens, organisations, share
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.pages import common

# Hide the sidebar, its toggle, the header and the page margins: the map takes the whole screen.
st.markdown(
    """<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
    header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
    .block-container, [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
    iframe { height: 100vh !important; display: block; }
    </style>""",
    unsafe_allow_html=True,
)

lang = common.lang()
what = st.session_state.get("present_what", "map")
region = common.embedded_region()
try:
    area = common.embedded_commune() if st.session_state.get("present_area", "commune") == "commune" else (
        share.area_of(st.session_state["present_area"], region)
    )
    db = common.store()
    # the team's layers only for this session's signed-in user: a link never names an organisation
    org = common.current_actor(db)
    org_name = dict(organisations.listing(db)).get(org.organisation_id, "") if org else ""
    items = vp.list_items(db, org) if org and org.can(accounts.MAP_READ) else None
    people = all_ties = None
    if what == "analysis" and org and org.can(accounts.CITIZENS_READ):
        people, all_ties = citizens.list_citizens(db, org), citizens.all_ties(db, org)
    shared = share.make_share(
        what, area, region=region, items=items, citizens=people, all_ties=all_ties, walk=common.walk_graph(),
        blocks=common.population_blocks(), sources=common.share_sources(what, items),
        lang=lang, organisation=org_name, unit=share.unit_of(st.session_state.get("present_area", "commune")),
    )
    components.html(share.share_html(shared, present=True), height=900)
except BuurtkaartError as error:
    st.error(error.message(lang))
