"""What every page shares: the UI language, the cached embedded data and the current area."""

from __future__ import annotations

import json

import geopandas as gpd
import streamlit as st
from matplotlib.figure import Figure

from buurtkaart import accessibility as access
from buurtkaart import (
    accounts,
    buurtanalyse,
    charts,
    formats,
    graph,
    i18n,
    maps,
    network_maps,
    organisations,
    wayfinding,
)
from buurtkaart import area as area_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.accounts import Actor
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import category_label  # noqa: F401  (re-exported for the pages)
from buurtkaart.plain_text import escape_markdown
from buurtkaart.store import Store, open_store
from buurtkaart.store import now as store_now
from buurtkaart.taxonomy import CATEGORY_KEYS  # noqa: F401  (re-exported for the pages)

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
    lang = selectbox(
        "🌐 Taal · Langue · Language",
        codes,
        container=st.sidebar,
        index=codes.index(current),
        format_func=i18n.LANGUAGES.get,
        key="lang_select",
    )
    st.session_state["lang"] = lang
    return lang


def widget_css(lang: str) -> None:
    """Put Streamlit's own widget texts in `lang` on this page (once per run): the file uploader's button and limit.

    Streamlit writes them in English and has no parameter for them: CSS hides its text and shows ours, and a small
    script names the button for screen readers. Captions get a grey dark enough to read (WCAG 1.4.3). Placeholders
    are given per widget (``multiselect``).
    """
    limit = formats.number(st.get_option("server.maxUploadSize"), lang) + "\u00a0MB"
    browse, instructions = _css_text(i18n.t("widget.browse", lang)), _css_text(i18n.t("widget.upload_limit", lang, size=limit))
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{display:none}'
        f'[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after{{content:"{browse}"}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] > *{display:none}'
        f'[data-testid="stFileUploaderDropzoneInstructions"]::after{{content:"{instructions}";font-size:0.875rem}}'
        '[data-testid="stCaptionContainer"]{color:#555a64;opacity:1}'  # grey captions at 6.9:1 (Streamlit fades them to 2.8:1)
        "</style>"
    )
    # The uploader's button is named by its (hidden, English) text: give it our name for screen readers too.
    texts = json.dumps({"browse": i18n.t("widget.browse", lang)}).replace("<", "\\u003c")
    st.html(
        "<script>(function (texts) {"
        "window.bkWidgetTexts = texts;"
        "if (window.bkWidgetObserver) { return; }"
        "function name() { document.querySelectorAll('[data-testid=\"stFileUploaderDropzone\"] button').forEach(function (b) {"
        "  if (b.getAttribute('aria-label') !== window.bkWidgetTexts.browse) { b.setAttribute('aria-label', window.bkWidgetTexts.browse); } }); }"
        "window.bkWidgetObserver = new MutationObserver(name);"
        "window.bkWidgetObserver.observe(document.body, {childList: true, subtree: true}); name();"
        f"}})({texts});</script>",
        unsafe_allow_javascript=True,
    )


def _css_text(text: str) -> str:
    """Return text as the inside of a CSS string (quotes, backslashes and line ends escaped)."""
    return "".join(c if c.isalnum() or c in " .,:;()'-\u00a0\u202f" else f"\\{ord(c):x} " for c in text)


def multiselect(label: str, options, *, container=None, **kwargs):
    """Show a multiselect whose placeholder is in the user's language (Streamlit's own "Select all" is left out)."""
    return (container or st).multiselect(label, options, placeholder=i18n.t("widget.choose", lang()), select_all=False, **kwargs)


def selectbox(label: str, options, *, container=None, **kwargs):
    """Show a select box whose placeholder is in the user's language (not Streamlit's "Choose an option")."""
    return (container or st).selectbox(label, options, placeholder=i18n.t("widget.choose", lang()), **kwargs)


def keep_choices_on_language_switch(*keys: str) -> None:
    """Keep the values of these widgets when the language changes; call it before they are drawn.

    A choice's labels change with the language, and Streamlit would then forget the choice; set again
    through the Session State before the widgets are drawn, each keeps its value (and a key not drawn on
    this run keeps its last value for when it is drawn again).
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


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


def map_url(scope: str, version: int) -> str | None:
    """Return the URL of the data file of a scope's map, written once into the app's static cache (`maps.publish`)."""
    return maps.publish_or_inline(map_data(scope, version))


def new_map(scope: str, version: int, lang: str, osm_tiles: bool, *, overlays: tuple = (), mark: bool = False) -> maps.folium.Map:
    """Return a new folium map of a scope (streamlit-folium renders each folium object once); its data is fetched once.

    `overlays` are more layers for the layer list (the team's vindplaatsen); `mark` puts "Markeer als vindplaats" in
    every place's popup.
    """
    return maps.build_map(
        map_data(scope, version), lang=lang, osm_tiles=osm_tiles, width=MAP_WIDTH, height=MAP_HEIGHT,
        data_url=map_url(scope, version), overlays=overlays, mark=mark,
    )  # fmt: skip


def street_at(lat: float, lon: float, area: Area | None = None) -> str | None:
    """Return the named street nearest a clicked point (of `area`, default the whole region), None when none is near."""
    return wayfinding.nearest_street(area if area is not None else embedded_region(), lon, lat)


def clicked_text(lang: str, key: str, lat: float, lon: float, area: Area | None = None) -> str:
    """Return the text `key` about a clicked point: its coordinates and, when one is near, the street's name (``key.street``).

    The text holds a street name from the data: escape it (``escape_markdown``) where it is shown through Markdown.
    """
    street = street_at(lat, lon, area)
    values = {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}
    return i18n.t(f"{key}.street", lang, street=street, **values) if street else i18n.t(key, lang, **values)


def hit_labels(found: gpd.GeoDataFrame, lang: str) -> dict[str, str]:
    """Return {id: label} of search hits (``wayfinding.search``): name — address or street — quartier, commune; each unique."""
    options: dict[str, str] = {}
    for row in found.itertuples(index=False):
        detail = row.detail if row.source == "place" else i18n.t("map.search.street", lang)
        parts = [row.label or i18n.t("place.unnamed", lang), detail, wayfinding.whereabouts(row.quartier, row.commune)]
        label = " — ".join(p for p in parts if p)
        while label in options.values():  # a select box tells its options apart by their label
            label += " ·"
        options[row.id] = label
    return options


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """Return the database (SQLite file, or PostgreSQL when BUURTKAART_DATABASE_URL is set), once per server.

    On opening, history past the retention setting is purged and an erasure still pending is finished.
    """
    from buurtkaart import erasure, keyguard

    db = open_store()
    try:
        keyguard.check(db)  # a missing, weak or other pseudonym key stops the app with what to do
    except BuurtkaartError as error:
        st.error(escape_markdown(error.message(lang())))
        st.stop()
    erasure.apply_retention(db)
    if not db.is_postgres:
        erasure.finish(db, attempts=1)
    return db


_NEXT = "_next_value_of_"


def set_next(key: str, value: object) -> None:
    """Give the widget `key` this value on the next run (a widget's value cannot change once it is drawn)."""
    st.session_state[_NEXT + key] = value


def apply_next(*keys: str) -> None:
    """Apply the values `set_next` kept for these widgets; call it before they are drawn."""
    for key in keys:
        if _NEXT + key in st.session_state:
            st.session_state[key] = st.session_state.pop(_NEXT + key)


# --- the signed-in user: the organisation and the role come from the store, never from a widget or the URL ---

SESSION_USER = "auth_user_id"  # the only thing a session keeps of its user: the account id, re-read on every run
SESSION_SEEN = "auth_last_seen"
_LOOPBACK = ("127.", "::1", "localhost")


def current_actor(db: Store) -> Actor | None:
    """Return the signed-in user of this session, re-read from the store (a disabled account or an idle session ends)."""
    user_id = st.session_state.get(SESSION_USER)
    actor = accounts.session_actor(db, user_id, st.session_state.get(SESSION_SEEN))
    if user_id and actor is None:
        forget_user()
        st.session_state["auth_expired"] = True
    if actor is None and sso_email():
        try:
            actor = accounts.actor_for_email(db, sso_email())
        except BuurtkaartError as error:
            st.session_state["auth_error"] = error.message(lang())
            st.logout()
        else:
            remember_user(actor)
    if actor is not None:
        st.session_state[SESSION_SEEN] = store_now()
    return actor


def remember_user(actor: Actor) -> None:
    """Keep the signed-in account's id in this session (nothing else: its role is read again on every run)."""
    st.session_state[SESSION_USER] = actor.user_id
    st.session_state[SESSION_SEEN] = store_now()


def forget_user() -> None:
    """End this session's sign-in and drop what the pages kept of the organisation's data."""
    for key in list(st.session_state.keys()):
        if key not in ("lang", "lang_select", GUIDE_HIDDEN):
            del st.session_state[key]


DEMO_MODE = "demo_organisation"  # the demo organisation's id while this session acts in it (see `demo_entry`)
GUIDE_HIDDEN = "guide_hidden"
GUIDE_COOKIE = "bk_guide"  # "hidden": the first-visit guide stays hidden in this browser


def demo_entry(lang: str, db: Store, actor: Actor, box) -> Actor:
    """Show the way into (or back out of) the demo organisation in the sidebar `box`; return who the pages act as.

    Every signed-in user can look at the demo at any time (``demo.demo_actor``: their own id, at most a worker);
    switching drops what the pages kept of the other organisation, never the sign-in.
    """
    from buurtkaart import demo

    demo_org = st.session_state.get(DEMO_MODE)
    if demo_org:
        box.info(i18n.t("demo.active", lang))
        if box.button(i18n.t("demo.leave", lang), key="demo_leave"):
            _switch_organisation(None)
            st.rerun()
        return demo.demo_actor(actor, demo_org)
    if box.button(i18n.t("demo.enter", lang), key="demo_enter"):
        with st.spinner(i18n.t("burger.demo.busy", lang)):
            demo_org = demo.demo_organisation(db, area=embedded_region())
        _switch_organisation(demo_org)
        st.rerun()
    return actor


def _switch_organisation(demo_org: str | None) -> None:
    """Drop what the pages kept of the organisation left (picks, forms, messages), keep the sign-in and the language."""
    keep = ("lang", "lang_select", SESSION_USER, SESSION_SEEN, GUIDE_HIDDEN)
    for key in list(st.session_state.keys()):
        if key not in keep:
            del st.session_state[key]
    if demo_org:
        st.session_state[DEMO_MODE] = demo_org


def first_visit_guide(lang: str) -> None:
    """Show the three first steps (vindplaatsen, a citizen's network, the buurtanalyse) until the user hides them.

    Hidden, they stay hidden in this browser (a cookie that holds only ``hidden``), until "show the guide" is pressed.
    """
    if GUIDE_HIDDEN in st.session_state:
        hidden = bool(st.session_state[GUIDE_HIDDEN])
    else:
        hidden = (st.context.cookies or {}).get(GUIDE_COOKIE) == "hidden"
    if hidden:
        if st.session_state.pop("guide_remember", None) is not None:
            _set_guide_cookie(st.session_state[GUIDE_HIDDEN])
        return
    with st.container(border=True, key="first_visit_guide"):
        st.markdown(f"**{i18n.t('guide.title', lang)}**")
        for step in ("guide.step1", "guide.step2", "guide.step3"):
            st.markdown(i18n.t(step, lang))
        st.caption(i18n.t("guide.demo", lang))
        if st.button(i18n.t("guide.dismiss", lang), key="guide_dismiss"):
            st.session_state[GUIDE_HIDDEN] = True
            st.session_state["guide_remember"] = True
            st.rerun()
    if st.session_state.pop("guide_remember", None) is not None:
        _set_guide_cookie(False)


def show_guide_again(lang: str) -> None:
    """Offer to show the first-visit guide again (a small button), once it is hidden."""
    hidden = st.session_state.get(GUIDE_HIDDEN, (st.context.cookies or {}).get(GUIDE_COOKIE) == "hidden")
    if hidden and st.button(i18n.t("guide.show", lang), key="guide_show", type="tertiary"):
        st.session_state[GUIDE_HIDDEN] = False
        st.session_state["guide_remember"] = False
        st.rerun()


def _set_guide_cookie(hidden: bool) -> None:
    """Remember in this browser whether the guide is hidden (a constant script: no data of the user goes in it)."""
    value = "hidden; Max-Age=31536000" if hidden else "shown; Max-Age=0"
    st.html(f"<script>document.cookie = '{GUIDE_COOKIE}={value}; Path=/; SameSite=Strict';</script>", unsafe_allow_javascript=True)


def sso_configured() -> bool:
    """Return whether single sign-on (``st.login``, an [auth] section in .streamlit/secrets.toml) is set up."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sso_email() -> str | None:
    """Return the e-mail the identity provider returned for this browser, if signed in through ``st.login``."""
    if not sso_configured():
        return None
    try:
        return st.user.get("email") if st.user.is_logged_in else None
    except Exception:
        return None


def connection_address() -> str | None:
    """Return the address of the connection as the server sees it (None when unknown, e.g. in AppTest)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def forwarded_for() -> str:
    """Return the X-Forwarded-For header of this session's request ("" when there is none)."""
    header = (st.context.headers or {}).get("X-Forwarded-For", "")
    return header if isinstance(header, str) else ""


def client_address() -> str | None:
    """Return the client's address that sign-ins are throttled by (forwarded only behind BUURTKAART_TRUSTED_PROXY)."""
    return accounts.client_address(connection_address(), forwarded_for())


def local_client() -> bool:
    """Return whether the app is used from this computer: the connection and every forwarding proxy are loopback."""
    forwarded = [a.strip() for a in forwarded_for().split(",") if a.strip()]
    addresses = [a for a in (connection_address(), *forwarded) if a]
    return all(a.startswith(_LOOPBACK) for a in addresses)


def account_sidebar(lang: str, db: Store) -> Actor | None:
    """Show who is signed in and a sign-out button, or the sign-in form, in the sidebar; return the signed-in user."""
    actor = current_actor(db)
    box = st.sidebar.container(border=True)
    if actor is not None:
        org_name = organisation_name(db, actor, lang) or "?"
        role = i18n.t(f"auth.role.{actor.role}", lang)
        box.markdown(i18n.t("auth.signed_in", lang, username=escape_markdown(actor.username), role=role, organisation=escape_markdown(org_name)))
        acting = demo_entry(lang, db, actor, box)
        if box.button(i18n.t("auth.sign_out", lang), key="auth_sign_out"):
            sso = bool(sso_email())
            forget_user()
            if sso:
                st.logout()
            st.rerun()
        return acting
    if not accounts.any_accounts(db):
        return None
    if st.session_state.pop("auth_expired", False):
        box.info(i18n.t("auth.expired", lang))
    if st.session_state.get("auth_error"):
        box.error(escape_markdown(st.session_state.pop("auth_error")))
    apply_next("auth_password")
    with box.form("auth_form", clear_on_submit=False, border=False):  # a refused sign-in keeps the username typed
        st.markdown(f"**{i18n.t('auth.title', lang)}**")
        username = st.text_input(i18n.t("auth.username", lang), key="auth_username", autocomplete="username")
        password = st.text_input(i18n.t("auth.password", lang), type="password", key="auth_password", autocomplete="current-password")
        submitted = st.form_submit_button(i18n.t("auth.submit", lang), type="primary")
    if submitted:
        try:
            actor = accounts.authenticate(db, username, password, client_address())
        except BuurtkaartError as error:
            st.session_state["auth_error"] = error.message(lang)  # shown above the form, after the rerun
            set_next("auth_password", "")  # the password is typed again; the username stays
            st.rerun()
        remember_user(actor)
        st.rerun()
    if sso_configured() and box.button(i18n.t("auth.sso", lang), key="auth_sso"):
        st.login()
    return None


def organisation_name(db: Store, actor: Actor, lang: str) -> str:
    """Return the name of the signed-in user's organisation as shown in `lang` ("" if it is gone)."""
    return formats.organisation_label(dict(organisations.listing(db)).get(actor.organisation_id, ""), lang)


def download_name(what: str, lang: str, *parts: str | None, suffix: str) -> str:
    """Return a download's file name in `lang` after what it holds and today's date (Brussels): what, organisation, area."""
    return formats.download_name(i18n.t(f"download.{what}", lang), *parts, on=store_now(), suffix=suffix)


def organisation(lang: str, db: Store, permission: str = accounts.CITIZENS_READ) -> Actor:
    """Show the account box in the sidebar and return the signed-in user, or stop the page with what to do.

    The returned ``Actor`` stands for the organisation: every package function takes it where it takes an
    organisation id, and checks its role. A visitor sees "Meld je aan…" and nothing of the organisation; while no
    account exists, the first coordinator (or the demo organisation) is made here.
    """
    actor = account_sidebar(lang, db)
    if actor is None and not accounts.any_accounts(db):
        first_start(lang, db)
        st.stop()
    if actor is None:
        st.info(i18n.t("auth.needed", lang))
        st.stop()
    if not actor.can(permission):
        st.warning(i18n.t("auth.role_needed", lang, role=i18n.t(f"auth.role.{actor.role}", lang)))
        st.stop()
    return actor


def first_start(lang: str, db: Store) -> None:
    """Offer to make the first coordinator, or to load the demo organisation, from this computer only."""
    st.subheader(i18n.t("auth.first.title", lang))
    if not local_client():
        st.error(i18n.t("auth.remote_refused", lang))
        return
    st.caption(i18n.t("auth.first.intro", lang))
    with st.form("auth_first", border=True):
        org_name = st.text_input(i18n.t("auth.first.organisation", lang), key="auth_first_org")
        username = st.text_input(i18n.t("auth.username", lang), key="auth_first_user")
        password = st.text_input(i18n.t("auth.password", lang), type="password", key="auth_first_pw")
        again = st.text_input(i18n.t("auth.password2", lang), type="password", key="auth_first_pw2")
        if st.session_state.get("auth_first_error"):  # why the last try was refused, by the fields (which keep their text)
            st.error(escape_markdown(st.session_state["auth_first_error"]), icon="⚠️")
        create = st.form_submit_button(i18n.t("auth.first.create", lang), type="primary")
    if create:
        st.session_state.pop("auth_first_error", None)
        try:
            if password != again:
                raise accounts.AccountError("error.password_mismatch")
            actor = accounts.create_first_coordinator(db, organisation_name=org_name, username=username, password=password)
        except BuurtkaartError as error:
            st.session_state["auth_first_error"] = error.message(lang)
            st.rerun()
        remember_user(actor)
        st.rerun()
    if st.button(i18n.t("auth.first.demo", lang), key="auth_first_demo"):
        from buurtkaart import demo

        with st.spinner(i18n.t("burger.demo.busy", lang)):
            org_id = demo.load_demo(db, area=embedded_region())
        try:
            actor, password = accounts.create_demo_coordinator(db, org_id)
        except BuurtkaartError as error:
            st.error(escape_markdown(error.message(lang)))
            return
        remember_user(actor)
        st.session_state["auth_demo_password"] = (actor.username, password)
        st.rerun()


def demo_password_once(lang: str) -> None:
    """Show the demo coordinator's password once, right after the demo was loaded."""
    shown = st.session_state.pop("auth_demo_password", None)
    if shown:
        st.success(i18n.t("auth.first.demo_done", lang, username=shown[0], password=shown[1]))


def load_demo(db: Store) -> str:
    """Load the invented demo organisation and return its name."""
    from buurtkaart import demo

    demo.load_demo(db, area=embedded_region())
    return demo.DEMO_ORGANISATION


@st.cache_resource(show_spinner=False)
def walk_graph() -> graph.WalkGraph:
    """Return the walking graph of the embedded region, built once per server."""
    return graph.walk_graph(embedded_region())


@st.cache_resource(show_spinner=False)
def network_basemaps() -> network_maps.Basemaps:
    """Return the background layers of the three network views, built once per server."""
    return network_maps.basemaps(embedded_region())


def show_chart(figure: Figure, *, alt: str) -> None:
    """Show a matplotlib chart as SVG at the width of its column, with `alt` as its text for who cannot see it."""
    st.image(charts.svg_element(figure), width="stretch", alt=alt)


PRESENT_WHATS = ("map", "analysis")


def presentation_mode() -> bool:
    """Return whether this session is in presentation mode (opened with ?present=map|analysis; it stays on)."""
    params = st.query_params
    what = params.get("present")
    if what:
        st.session_state["present_what"] = what if what in PRESENT_WHATS else PRESENT_WHATS[0]
        st.session_state["present_area"] = params.get("area", SCOPE_COMMUNE)
        if params.get("lang") in i18n.LANGUAGES:
            st.session_state["lang"] = params.get("lang")
    return "present_what" in st.session_state


@st.cache_resource(show_spinner=False)
def population_blocks() -> gpd.GeoDataFrame:
    """Return the population blocks of Schaerbeek (by age band), read once per server."""
    return area_mod.population_blocks()


def vindplaats_key(items: gpd.GeoDataFrame) -> tuple:
    """Return what identifies the team's live vindplaatsen (id and position), to cache their snapping."""
    live = vp.live(items, "vindplaats")
    return tuple(zip(live["id"], live.geometry.x.round(7), live.geometry.y.round(7), strict=True))


@st.cache_resource(show_spinner=False, max_entries=8)
def region_sources(key: tuple, _items: gpd.GeoDataFrame) -> access.Sources:
    """Return the region's places and the vindplaatsen `key` names, snapped (cached per set of vindplaatsen)."""
    return buurtanalyse.region_sources(walk_graph(), embedded_region(), _items)


def share_sources(what: str, items: gpd.GeoDataFrame | None) -> access.Sources | None:
    """Return the snapped places an analysis share walks to (cached), or None when the share is no analysis."""
    if what != "analysis" or items is None:
        return None
    return region_sources(vindplaats_key(items), items)
