"""Browser tests of the running app: the map, its layers, the quartier picker, search, language, privacy.

The fixtures of conftest.py start `streamlit run app.py` and a headless Chromium; every test gets a
fresh page. The map lives in the streamlit-folium component's iframe. Streamlit reruns are
asynchronous, so every step waits for its effect with a bounded poll, never with a fixed sleep.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from buurtkaart import area as area_mod
from buurtkaart import formats, i18n, taxonomy, wayfinding
from buurtkaart import places as places_mod

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WAIT_SECONDS = 20
CATEGORIES = taxonomy.CATEGORY_KEYS
NL, FR = "nl", "fr"
expect.set_options(timeout=10_000)  # a busy machine may need more than Playwright's 5 s for a rerun

# The Leaflet map of the component frame: streamlit-folium keeps it in window.map; fall back to any
# L.Map among the frame's globals (folium names it map_<id>).
_MAP_VIEW_JS = """() => {
  if (!window.L) { return null; }
  let m = window.map;
  if (!(m instanceof L.Map)) { m = Object.values(window).find((v) => v instanceof L.Map); }
  if (!m) { return null; }
  const c = m.getCenter();
  return {lat: c.lat, lng: c.lng, zoom: m.getZoom()};
}"""

# The centre (in page pixels of the frame) of every place marker and of the search highlight.
_MARKER_CENTRES_JS = """() => {
  const centre = (el) => { const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; };
  const h = document.querySelector('path.bk-highlight');
  return {
    highlight: h ? centre(h) : null,
    places: Array.from(document.querySelectorAll('path.bk-place')).map(centre),
  };
}"""


# --- what the app should show, computed from the data -------------------------------------------


@pytest.fixture(scope="module")
def schaerbeek() -> area_mod.Area:
    """Return the default area of the app, cut exactly as the app cuts it."""
    return area_mod.load_embedded().clip(area_mod.commune_boundary(), name="Schaerbeek")


@pytest.fixture(scope="module")
def searchable(schaerbeek: area_mod.Area) -> Any:
    """Return a named place of worship or library that a search for its full name shows first."""
    places = schaerbeek.places
    candidates = places[places["osm_tag"].str.contains("place_of_worship|library") & (places["name"].str.strip() != "")]
    for row in candidates.itertuples():
        if places_mod.search(places, row.name).iloc[0]["place_id"] == row.place_id:
            return row
    pytest.fail("No place of worship or library in Schaerbeek can be found by its name.")


# --- helpers ----------------------------------------------------------------------------------------


def wait_for(condition: Callable[[], Any], page: Page, what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Return the first truthy value of `condition()`, polling (and letting Playwright work) for `seconds`."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except PlaywrightError as error:  # a frame replaced by a rerun, for example
            last = error
        else:
            if last:
                return last
        page.wait_for_timeout(200)
    pytest.fail(f"Timed out after {seconds} s waiting for {what}; last value: {last!r}")


def find_map_frame(
    page: Page, predicate: Callable[[Frame], bool] | None = None, seconds: float = WAIT_SECONDS
) -> Frame:
    """Return the frame whose document holds the Leaflet map (and satisfies `predicate`, if given)."""

    def current() -> Frame | None:
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached():
                continue
            try:
                if frame.locator(".leaflet-container").count() and (predicate is None or predicate(frame)):
                    return frame
            except PlaywrightError:
                continue
        return None

    return wait_for(current, page, "the map frame (.leaflet-container in an iframe)", seconds)


def open_map(page: Page, app_url: str, *, reload: bool = False) -> Frame:
    """Open (or reload) the app and return the map frame once its streets and places are drawn."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if reload:
        page.reload()
    else:
        page.goto(app_url + "/")
    frame = find_map_frame(page)
    try:
        expect(frame.locator("path.bk-street")).not_to_have_count(0)
        expect(frame.locator("path.bk-place")).not_to_have_count(0)
    except AssertionError as error:
        raise AssertionError(f"{error}\nJavaScript errors on the page: {errors}") from None
    return frame


def map_view(page: Page) -> dict | None:
    """Return the {lat, lng, zoom} of the map in the current map frame, or None if there is none yet."""
    frame = find_map_frame(page)
    return frame.evaluate(_MAP_VIEW_JS)


def sidebar_select(page: Page, label: str, option: str) -> None:
    """Choose `option` in the Streamlit selectbox whose label contains `label`."""
    combo = page.get_by_role("combobox", name=label)
    expect(combo).to_have_count(1)
    combo.click()
    page.keyboard.type(option)
    # The dropdown's entries have role=option (divs in Streamlit 1.67, not li elements).
    page.get_by_role("option", name=option, exact=True).click()
    expect(combo).to_have_value(option)


def overlay_label(frame: Frame, text: str):
    """Return the layer-control label (one per layer) whose text contains `text`, the folded layer list opened first."""
    control = frame.locator(".leaflet-control-layers").first
    control.hover()  # the folded list opens under the pointer (Leaflet ignores a click in the same instant)
    expect(control).to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    frame.wait_for_timeout(50)
    return frame.locator(".leaflet-control-layers-overlays label").filter(has_text=text)


# --- tests ------------------------------------------------------------------------------------------


def test_app_starts_with_the_map_of_schaerbeek(page: Page, app_url: str) -> None:
    frame = open_map(page, app_url)

    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible()
    box = container.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200, box
    # The street basemap is one merged SVG path: it must hold real geometry, not an empty outline.
    streets = frame.locator("path.bk-street")
    assert len(streets.first.get_attribute("d") or "") > 1000
    expect(page.locator("h1")).to_contain_text(f"{i18n.t('app.title', NL)} — Schaerbeek")


def test_places_of_every_category_are_drawn(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    expected = schaerbeek.places["category"].value_counts().to_dict()
    assert len([c for c, n in expected.items() if n > 0]) >= 5, expected
    frame = open_map(page, app_url)

    for category in CATEGORIES:
        expect(frame.locator(f"path.bk-cat-{category}")).to_have_count(expected.get(category, 0))
    drawn = {c: frame.locator(f"path.bk-cat-{c}").count() for c in CATEGORIES}
    assert len([c for c, n in drawn.items() if n > 0]) >= 5, drawn
    expect(frame.locator("path.bk-place")).to_have_count(len(schaerbeek.places))


def test_map_is_drawn_again_on_a_second_visit(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    # The map page caches its folium map: every later visit (and rerun) must draw it as the first did.
    for reload in (False, True):
        frame = open_map(page, app_url, reload=reload)  # streets drawn, and:
        expect(frame.locator("path.bk-place")).to_have_count(len(schaerbeek.places))


def test_layer_control_hides_and_shows_a_category(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    expected = schaerbeek.places["category"].value_counts().to_dict()
    assert expected.get("worship", 0) > 0 and expected.get("cafe", 0) > 0
    frame = open_map(page, app_url)
    worship, cafe = frame.locator("path.bk-cat-worship"), frame.locator("path.bk-cat-cafe")
    checkbox = overlay_label(frame, i18n.category_label("worship", NL)).locator("input[type=checkbox]")
    expect(checkbox).to_have_count(1)
    expect(checkbox).to_be_checked()
    expect(worship).to_have_count(expected["worship"])

    checkbox.uncheck()
    expect(worship).to_have_count(0)
    expect(cafe).to_have_count(expected["cafe"])
    expect(frame.locator("path.bk-place")).to_have_count(len(schaerbeek.places) - expected["worship"])

    checkbox.check()
    expect(worship).to_have_count(expected["worship"])
    expect(cafe).to_have_count(expected["cafe"])


def test_quartier_picker_moves_the_map(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    name = "Josaphatpark"
    quartiers = schaerbeek.quartiers
    west, south, east, north = quartiers[quartiers["name_nl"] == name].total_bounds
    open_map(page, app_url)
    before = wait_for(lambda: map_view(page), page, "the Leaflet map object in the map frame")

    sidebar_select(page, i18n.t("map.quartier", NL), name)

    def moved() -> dict | None:
        view = map_view(page)
        if not view or abs(view["lat"] - before["lat"]) + abs(view["lng"] - before["lng"]) < 1e-4:
            return None
        inside = west <= view["lng"] <= east and south <= view["lat"] <= north
        return view if inside and view["zoom"] > before["zoom"] else None

    wait_for(moved, page, f"the map to centre on {name} {(west, south, east, north)} and zoom in from {before}")


def test_no_request_leaves_the_app(page: Page, app_url: str, request_log: list[str], searchable: Any) -> None:
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    frame = open_map(page, app_url)
    # Interact: a layer off and on, a popup, zoom in, a quartier, a search.
    checkbox = overlay_label(frame, i18n.category_label("worship", NL)).locator("input[type=checkbox]")
    checkbox.uncheck()
    expect(frame.locator("path.bk-cat-worship")).to_have_count(0)
    checkbox.check()
    frame.locator("path.bk-cat-cafe").first.dispatch_event("click")
    expect(frame.locator(".leaflet-popup-content")).to_be_visible()
    frame.locator(".leaflet-control-zoom-in").click()
    sidebar_select(page, i18n.t("map.quartier", NL), "Josaphatpark")
    search = page.get_by_label(i18n.t("map.search", NL))
    search.fill(searchable.name)
    search.press("Enter")
    wait_for(lambda: find_map_frame(page).locator("path.bk-highlight").count(), page, "the search highlight")

    assert any(url.endswith("/app/static/vendor/leaflet/leaflet.js") for url in request_log), (
        "the request log misses the map frame's own requests"
    )
    allowed = (app_url + "/", "data:", "blob:", "about:")
    others = [url for url in request_log if not (url == app_url or url.startswith(allowed))]
    assert others == [], "requests outside the app:\n" + "\n".join(others)
    ws_host = app_url.replace("http://", "ws://", 1) + "/"
    assert sockets and all(url.startswith(ws_host) for url in sockets), sockets


def test_clicking_a_place_opens_its_popup(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    places = schaerbeek.places
    names = set(places.loc[places["category"] == "worship", "name"]) | {i18n.t("place.unnamed", NL)}
    frame = open_map(page, app_url)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_have_count(0)

    frame.locator("path.bk-cat-worship").first.dispatch_event("click")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(i18n.category_label("worship", NL))
    expect(popup).to_contain_text(i18n.t("place.category", NL))
    assert popup.locator("b").inner_text() in names


def test_search_by_name_highlights_and_shows_the_place(
    page: Page, app_url: str, schaerbeek: area_mod.Area, searchable: Any
) -> None:
    found = len(wayfinding.search(schaerbeek, searchable.name, lang=NL, limit=50))  # places and streets, in Schaerbeek only
    open_map(page, app_url)
    search = page.get_by_label(i18n.t("map.search", NL))
    search.fill(searchable.name)
    search.press("Enter")

    result = page.get_by_role("combobox", name=formats.plural("plural.places_found", found, NL))
    expect(result).to_be_visible()
    expect(result).to_have_value(re.compile(rf"^{re.escape(searchable.name)} — "))
    frame = wait_for(
        lambda: find_map_frame(page, lambda f: f.locator("path.bk-highlight").count() == 1, seconds=2),
        page,
        "the highlight marker of the search result",
    )
    lat, lng = searchable.geometry.y, searchable.geometry.x

    def near() -> dict | None:
        view = frame.evaluate(_MAP_VIEW_JS)
        close = view and abs(view["lat"] - lat) < 0.001 and abs(view["lng"] - lng) < 0.001
        return view if close and view["zoom"] >= 17 else None

    wait_for(near, page, f"the map to centre on {searchable.name} at {(lat, lng)}")

    # The place under the highlight is the one we searched for: its popup shows its name.
    centres = frame.evaluate(_MARKER_CENTRES_JS)
    hx, hy = centres["highlight"]
    distance, index = min(((x - hx) ** 2 + (y - hy) ** 2, i) for i, (x, y) in enumerate(centres["places"]))
    assert distance < 4, (distance, centres["highlight"])
    frame.locator("path.bk-place").nth(index).dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(searchable.name)
    expect(popup).to_contain_text(i18n.category_label(searchable.category, NL))


def test_language_switch_to_french(page: Page, app_url: str) -> None:
    open_map(page, app_url)
    expect(page.get_by_text(i18n.t("map.quartier", FR), exact=True)).to_have_count(0)

    sidebar_select(page, "Taal", i18n.LANGUAGES[FR])

    worship_fr = i18n.category_label("worship", FR)
    frame = find_map_frame(page, lambda f: overlay_label(f, worship_fr).count() == 1)
    expect(overlay_label(frame, i18n.category_label("worship", NL))).to_have_count(0)
    expect(overlay_label(frame, i18n.category_label("cafe", FR))).to_have_count(1)
    expect(page.locator("h1")).to_contain_text("Schaerbeek")
    expect(page.get_by_text(i18n.t("app.tagline", FR))).to_be_visible()
    expect(page.get_by_text(i18n.t("map.quartier", FR), exact=True)).to_be_visible()
    expect(page.get_by_label(i18n.t("map.search", FR))).to_be_visible()
    expect(page.get_by_text(i18n.t("map.search", NL))).to_have_count(0)
    # the sidebar's choices survive the switch, in the new language
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar.get_by_role("radio", name=i18n.t("map.scope.commune", FR))).to_be_checked()
    quartier = sidebar.get_by_role("combobox", name=i18n.t("map.quartier", FR))
    expect(quartier).to_have_value(i18n.t("map.quartier.all", FR))  # not the Dutch "— hele gebied —" left over


def test_screenshot_of_the_default_map(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    frame = open_map(page, app_url)
    expect(frame.locator("path.bk-place")).to_have_count(len(schaerbeek.places))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "map_schaerbeek.png"
    path.unlink(missing_ok=True)

    page.screenshot(path=path, full_page=True)

    assert path.stat().st_size > 50_000, path.stat().st_size


def test_map_reports_the_places_it_drew(page: Page, app_url: str, schaerbeek: area_mod.Area) -> None:
    expected = schaerbeek.places["category"].value_counts().to_dict()
    frame = open_map(page, app_url)
    drawn = lambda: frame.evaluate("document.body.dataset.placesDrawn")  # noqa: E731
    wait_for(lambda: drawn() == str(len(schaerbeek.places)), page, f"placesDrawn == {len(schaerbeek.places)}")
    overlay_label(frame, i18n.category_label("worship", NL)).locator("input[type=checkbox]").uncheck()
    wait_for(lambda: drawn() == str(len(schaerbeek.places) - expected["worship"]), page, "placesDrawn without worship")


def test_region_map_data_comes_once_from_the_app_and_panning_never_reruns(page: Page, app_url: str, region: Any) -> None:
    received: list[int] = []
    sent: list[float] = []

    def watch(ws: Any) -> None:
        ws.on("framereceived", lambda payload: received.append(len(payload)))
        ws.on("framesent", lambda _: sent.append(time.monotonic()))

    page.on("websocket", watch)
    data_files: list[tuple[str, int]] = []
    page.on("response", lambda r: data_files.append((r.url, r.status)) if "/app/static/cache/" in r.url else None)
    open_map(page, app_url)
    before = len(received)
    page.get_by_text(i18n.t("map.scope.region", NL), exact=True).click()
    expected = int(region.places["category"].isin(CATEGORIES).sum())
    drawn = "() => document.body.dataset.placesDrawn"
    frame = find_map_frame(page, lambda f: f.evaluate(drawn) == str(expected), seconds=90)
    # the page of the region's map is light: the places and the basemap come in one data file from the app itself
    assert sum(received[before:]) < 200_000, sum(received[before:])
    urls = [url for url, _ in data_files]
    assert len(urls) == len(set(urls)) == 2, data_files  # Schaerbeek's and the region's, each fetched once
    assert all(url.startswith(app_url + "/app/static/cache/map-") and status == 200 for url, status in data_files)
    # panning and zooming send nothing to the server: no rerun
    page.wait_for_timeout(1500)
    mark = time.monotonic()
    for _ in range(2):
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(300)
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 500, box["y"] + 420, steps=8)
    page.mouse.up()
    page.wait_for_timeout(1500)
    assert [t for t in sent if t >= mark] == []
    assert frame.evaluate(drawn) == str(expected)
