"""Browser tests of sharing in the running app: the Delen page (preview, what is not in the file) and the
presentation mode (full screen, no sidebar, no citizen page reachable from it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from buurtkaart import area as area_mod
from buurtkaart import i18n, routes, saved_rounds, share
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import open_store
from buurtkaart.taxonomy import CATEGORY_KEYS
from tests.signin import TEAM, fresh_account, sign_in
from tests.test_app_browser import sidebar_select, wait_for

NL, FR = "nl", "fr"
EVIL_STOP = "Bank <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def schaerbeek() -> area_mod.Area:
    return area_mod.load_embedded().clip(area_mod.commune_boundary(), name="Schaerbeek")


def shared_frame(page: Page) -> Frame:
    """Return the frame of the shared map once its places are drawn."""

    def find() -> Frame | None:
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached():
                continue
            if frame.evaluate("() => document.body && document.body.dataset.placesDrawn"):
                return frame
        return None

    return wait_for(find, page, "the shared map's frame with places drawn", seconds=60)


@pytest.fixture(scope="module")
def saved_round(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Save a round of three stops (one with a hostile name) for the default organisation in the served app's database."""
    caches = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("buurtkaart_cache*")})
    assert len(caches) == 1, caches  # the one cache folder of the `app_url` server (tests/conftest.py)
    db = open_store(f"sqlite:///{caches[0] / 'buurtkaart.sqlite'}")
    org = vp.ensure_organisation(db, TEAM)
    name = "Deelronde dinsdag"
    if not any(r.name == name for r in saved_rounds.list_rounds(db, org)):
        stops = (
            routes.Stop(id="a", name=EVIL_STOP, lon=4.3720, lat=50.8650),
            routes.Stop(id="b", name="Wasserette Brabant", lon=4.3660, lat=50.8600),
            routes.Stop(id="c", name="Bankjes Josaphatpark", lon=4.3840, lat=50.8640),
        )
        start = routes.Stop(id="s", name="Buurthuis De Kroon", lon=4.3770, lat=50.8640)
        saved_rounds.save_round(db, org, user="test", name=name, settings=saved_rounds.Settings(start=start, stops=stops))
    db.engine.dispose()
    return name


def outside(request_log: list[str], app_url: str) -> list[str]:
    allowed = (app_url + "/", "data:", "blob:", "about:")
    return [url for url in request_log if not (url == app_url or url.startswith(allowed))]


def test_delen_page_previews_the_file_and_says_what_is_not_in_it(
    page: Page, app_url: str, request_log: list[str], schaerbeek: area_mod.Area, saved_round: str
) -> None:
    sign_in(page, app_url, "coordinator", path="/delen")  # making the file is the coordinator's (accounts.EXPORT)
    frame = shared_frame(page)
    drawn = int(frame.evaluate("document.body.dataset.placesDrawn"))
    assert drawn >= len(schaerbeek.places)
    expect(frame.locator("h1.bk-title")).to_have_text(i18n.t("share.title.map", NL, name="Schaerbeek"))
    for line in share.not_included("map", lang=NL):
        expect(page.get_by_text(line, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=i18n.t("share.download", NL))).to_be_visible()
    # the preview's search finds a place and opens its popup, as the file does
    name = schaerbeek.places.loc[schaerbeek.places["name"].str.len() > 6, "name"].iloc[0]
    frame.locator("input.bk-search").fill(name)
    frame.locator("button.bk-hit").filter(has_text=name).first.click()
    expect(frame.locator(".leaflet-popup-content b")).to_have_text(name)
    # a PNG of the same view, made by headless Chromium on the server
    page.get_by_role("button", name=i18n.t("share.make.png", NL)).click()
    download = page.get_by_role("button", name=i18n.t("share.download.png", NL))
    expect(download).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download.click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a saved round of the organisation: its file, stops numbered in walking order, the hostile name as text
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_text(i18n.t("share.what.round", NL), exact=True).click()

    def round_frame() -> Frame | None:
        title = i18n.t("share.title.round", NL, name=saved_round)
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached() or not frame.locator("h1.bk-title").count():
                continue
            if frame.locator("h1.bk-title").inner_text() == title and frame.evaluate("() => document.body.dataset.placesDrawn"):
                return frame
        return None

    frame = wait_for(round_frame, page, "the shared round's frame", seconds=90)
    expect(frame.locator("label.bk-entry").filter(has_text=i18n.t("ronde.walker", NL, letter="A") + " — 3")).to_have_count(1)
    frame.locator("input.bk-search").fill("Bank <img")
    hit = frame.locator("button.bk-hit").filter(has_text=EVIL_STOP)
    expect(hit).to_have_count(1)
    assert hit.inner_text().split(".")[0] in {"1", "2", "3"}
    hit.click()
    expect(frame.locator(".leaflet-popup-content b")).to_have_text(hit.inner_text().split(" — ")[0])
    assert frame.evaluate("() => document.querySelectorAll('img, [onerror]').length") == 0 and dialogs == []
    expect(page.get_by_role("button", name=i18n.t("share.download", NL))).to_be_visible()
    assert outside(request_log, app_url) == []


def test_presentation_mode_is_full_screen_without_sidebar_or_citizen_pages(
    page: Page, app_url: str, request_log: list[str], schaerbeek: area_mod.Area
) -> None:
    page.goto(app_url + "/?present=map&area=commune")
    frame = shared_frame(page)
    assert int(frame.evaluate("document.body.dataset.placesDrawn")) >= len(schaerbeek.places)
    assert frame.evaluate("document.body.classList.contains('bk-present')")
    assert float(frame.evaluate("getComputedStyle(document.getElementById('bk-panel')).fontSize")[:-2]) >= 20
    # full screen: the map's frame takes (nearly) the whole window; no sidebar, no navigation, no link to a citizen
    box = page.locator("iframe").first.bounding_box()
    viewport = page.viewport_size
    assert box["height"] >= 0.9 * viewport["height"] and box["width"] >= 0.95 * viewport["width"], box
    expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(page.locator('a[href*="burger"]')).to_have_count(0)
    expect(page.get_by_text(i18n.t("page.burger", NL))).to_have_count(0)
    # the layer switches for the talk work in presentation mode too
    before = int(frame.evaluate("document.body.dataset.placesDrawn"))
    cafes = int((schaerbeek.places["category"] == "cafe").sum())
    frame.locator('label.bk-entry[data-layer="cat-cafe"] input').uncheck()
    assert int(frame.evaluate("document.body.dataset.placesDrawn")) == before - cafes

    # asking for the citizen page from presentation mode still shows the presentation
    page.goto(app_url + "/burger?present=map")
    shared_frame(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)
    expect(page.get_by_role("heading", name=i18n.t("page.burger", NL))).to_have_count(0)
    assert outside(request_log, app_url) == []


@pytest.fixture(scope="module")
def demo_org(app_url: str, region, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Load the demo organisation into the served app's database (with the app's pseudonym key); return its name."""
    from buurtkaart import demo
    from buurtkaart import pseudonym as pseudo

    caches = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("buurtkaart_cache*")})
    assert len(caches) == 1, caches
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(pseudo.KEY_ENV, raising=False)
        mp.setenv(pseudo.KEY_FILE_ENV, str(caches[0] / "pseudonym.key"))
        db = open_store(f"sqlite:///{caches[0] / 'buurtkaart.sqlite'}")
        demo.load_demo(db, area=region)
        db.engine.dispose()
    return demo.DEMO_ORGANISATION


def test_a_citizen_map_only_from_the_citizen_page_with_consent(
    page: Page, app_url: str, request_log: list[str], demo_org: str
) -> None:
    import re

    # the Delen page offers the map, the analysis and a round: never a citizen's map
    sign_in(page, app_url, "demo-worker", path="/delen")
    shared_frame(page)
    options = page.locator('[data-testid="stMain"] [data-testid="stRadio"]').first.get_by_role("radio")
    expect(options).to_have_count(len(share.WHATS), timeout=60_000)  # the page's own choice, once it is drawn
    labels = options.evaluate_all("els => els.map((e) => e.closest(\"label\").innerText.trim())")
    assert sorted(labels) == sorted(i18n.t(f"share.what.{w}", NL) for w in share.WHATS)
    expect(page.get_by_text(i18n.t("share.citizen.expander", NL))).to_have_count(0)

    # the citizen's own page: the expander, a warning, no file before the consent box is ticked
    sign_in(page, app_url, "demo-worker", path="/burger")  # a worker of the demo organisation
    heading = page.get_by_role("heading", name=re.compile(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}"))
    expect(heading).to_be_visible(timeout=60_000)
    code = re.search(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}", heading.inner_text()).group(0)
    page.get_by_text(i18n.t("share.citizen.expander", NL)).click()
    expect(page.get_by_text(i18n.t("share.citizen.warning", NL)[:40])).to_be_visible()
    make = page.get_by_role("button", name=i18n.t("share.citizen.make", NL))
    expect(make).to_be_disabled()
    page.get_by_text(i18n.t("share.citizen.consent_box", NL)).click()
    expect(make).to_be_enabled()
    make.click()
    download = page.get_by_role("button", name=i18n.t("share.citizen.download", NL))
    expect(download).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download.click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"<!DOCTYPE html>") and code.encode() not in raw and b"BK-" not in raw
    assert demo_org.encode() not in raw

    # asking the presentation mode for a citizen gives the organisation's map, no citizen in it
    page.goto(app_url + "/?present=citizen")
    frame = shared_frame(page)
    expect(frame.locator("h1.bk-title")).to_have_text(i18n.t("share.title.map", NL, name="Schaerbeek"))
    assert code.encode() not in frame.content().encode()
    assert outside(request_log, app_url) == []


def test_delen_choices_and_layers_are_kept_when_the_language_changes(page: Page, app_url: str, region) -> None:
    sign_in(page, app_url, fresh_account(app_url, "Deelteam"), path="/delen")  # an empty organisation: places only
    shared_frame(page)
    names = dict(zip(region.quartiers["mdrc"], region.quartiers["name_nl"], strict=True))
    fr_names = dict(zip(region.quartiers["mdrc"], region.quartiers["name_fr"], strict=True))
    mdrc = sorted(names, key=names.get)[5]  # not the first, which a reset would show
    page.get_by_text(i18n.t("share.area.quartier", NL), exact=True).click()
    sidebar_select(page, i18n.t("map.quartier", NL), names[mdrc])
    # leave the last kind of place out of the file (Backspace removes the last chosen one)
    last = CATEGORY_KEYS[-1]
    page.get_by_role("combobox", name=i18n.t("share.categories", NL)).click()
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    quartier = share.area_of(f"quartier:{mdrc}", region)
    expected = int(quartier.places["category"].isin(CATEGORY_KEYS[:-1]).sum())
    assert expected < len(quartier.places)  # the quartier has places of the left-out kind

    def drawn(title: str) -> Frame | None:
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached() or not frame.locator("h1.bk-title").count():
                continue
            if frame.locator("h1.bk-title").inner_text() == title and frame.evaluate(
                "() => document.body.dataset.placesDrawn"
            ) == str(expected) and frame.evaluate("() => document.documentElement.lang") == lang:
                return frame
        return None

    lang = NL
    title = i18n.t("share.title.map", NL, name=names[mdrc])
    wait_for(lambda: drawn(title), page, "the quartier's file without the last kind", seconds=90)
    left_out = i18n.t("share.not.layers", NL, layers=i18n.category_label(last, NL))
    expect(page.get_by_text(left_out, exact=True)).to_be_visible()

    sidebar_select(page, "Taal", i18n.LANGUAGES[FR])
    lang = FR
    frame = wait_for(lambda: drawn(title), page, "the same file, in French", seconds=90)
    expect(page.get_by_role("radio", name=i18n.t("share.what.map", FR))).to_be_checked()
    expect(page.get_by_role("radio", name=i18n.t("share.area.quartier", FR))).to_be_checked()
    expect(page.get_by_role("combobox", name=i18n.t("map.quartier", FR))).to_have_value(fr_names[mdrc])
    expect(page.get_by_text(i18n.t("share.not.layers", FR, layers=i18n.category_label(last, FR)), exact=True)).to_be_visible()
    entries = frame.locator("label.bk-entry")
    expect(entries.filter(has_text=i18n.category_label(CATEGORY_KEYS[0], FR))).to_have_count(1)
    expect(entries.filter(has_text=i18n.category_label(last, FR))).to_have_count(0)


def test_presentation_from_the_delen_page_shows_the_team_map_and_leaving_needs_the_sign_in(
    page: Page, app_url: str, request_log: list[str]
) -> None:
    import re

    from tests.signin import STORES

    db = open_store(f"sqlite:///{STORES[app_url]}")
    org = vp.ensure_organisation(db, TEAM)
    name = "Bank <img src=x onerror=alert(11)> presentatie"
    if name not in set(vp.list_items(db, org)["name"]):
        vp.add(db, org, user="test", layer="vindplaats", name=name, kind="bench", lon=4.3760, lat=50.8655,
               bounds=area_mod.commune_boundary())  # fmt: skip
    db.engine.dispose()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, app_url, "worker", path="/delen")
    shared_frame(page)
    page.get_by_role("button", name=re.compile(re.escape(i18n.t("share.present", NL)))).click()

    def presented() -> Frame | None:
        frame = shared_frame(page)
        return frame if frame.evaluate("document.body.classList.contains('bk-present')") else None

    frame = wait_for(presented, page, "the presentation", seconds=90)
    # the session had a sidebar: its (emptied) element may stay in the page, hidden, with nothing to click in it
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stSidebar"] a, [data-testid="stSidebar"] [role="combobox"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"]')).to_be_hidden()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(page.locator('a[href*="burger"], a[href*="vindplaatsen"], a[href*="beheer"]')).to_have_count(0)
    # the signed-in team's own layer is shown, its hostile name as text
    expect(frame.locator('label.bk-entry[data-layer="team-vindplaats"]')).to_have_count(1)
    frame.locator("input.bk-search").fill("Bank <img")
    frame.locator("button.bk-hit").filter(has_text=name).click()
    expect(frame.locator(".leaflet-popup-content b")).to_have_text(name)
    assert frame.evaluate("() => document.querySelectorAll('img, [onerror]').length") == 0 and dialogs == []
    # leaving the presentation for a citizen's page asks for the sign-in again
    page.goto(app_url + "/burger")
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name=re.compile(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}"))).to_have_count(0)
    expect(page.get_by_text(i18n.t("auth.needed", NL))).to_be_visible()
    assert outside(request_log, app_url) == []
