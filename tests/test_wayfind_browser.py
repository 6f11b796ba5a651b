"""Browser tests of finding your way (issue 14.4): bookmarks, street names, a click that names the street, search in the
area, the team's vindplaatsen on the Kaart and "Markeer als vindplaats", the first-visit guide and the demo."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Frame, Page, expect

from buurtkaart import area as area_mod
from buurtkaart import formats, wayfinding
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import open_store
from tests.signin import STORES, fresh_account, settle, sign_in
from tests.test_app_browser import _MAP_VIEW_JS, find_map_frame, overlay_label, wait_for

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOUIS_BERTRAND = "Avenue Louis Bertrand - Louis Bertrandlaan"


def region() -> area_mod.Area:
    """Return the embedded region, loaded once for this module."""
    if not hasattr(region, "cached"):
        region.cached = area_mod.load_embedded()
    return region.cached


def kaart_frame(page: Page) -> Frame:
    """Return the Kaart's map frame once its streets and places are drawn."""
    frame = find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    expect(frame.locator("path.bk-place").first).to_be_attached(timeout=30_000)
    return frame


def set_view(frame: Frame, lat: float, lng: float, zoom: int) -> None:
    """Move the map of `frame` to (lat, lng) at `zoom`, as a user's pan and zoom would."""
    frame.evaluate(
        """([lat, lng, zoom]) => {
          let m = window.map;
          if (!(m instanceof L.Map)) { m = Object.values(window).find((v) => v instanceof L.Map); }
          m.setView([lat, lng], zoom, {animate: false});
        }""",
        [lat, lng, zoom],
    )


def click_at(frame: Frame, lat: float, lng: float) -> None:
    """Click the map of `frame` where it draws (lat, lng)."""
    xy = frame.evaluate(
        """([lat, lng]) => {
          let m = window.map;
          if (!(m instanceof L.Map)) { m = Object.values(window).find((v) => v instanceof L.Map); }
          const p = m.latLngToContainerPoint([lat, lng]);
          return [p.x, p.y];
        }""",
        [lat, lng],
    )
    container = frame.locator(".leaflet-container")
    container.scroll_into_view_if_needed()
    frame.page.wait_for_timeout(300)
    box = container.bounding_box()  # where the map is on the screen now (Streamlit scrolls its own container)
    frame.page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def open_popup(page: Page, frame: Frame, place) -> object:
    """Zoom the map of `frame` onto an OSM place, open its popup and return the popup (once the page has settled)."""
    set_view(frame, place.geometry.y, place.geometry.x, 19)
    # the place's own marker: the one drawn nearest the centre of the map
    best, distance = frame.evaluate(
        """() => {
          const box = document.querySelector('.leaflet-container').getBoundingClientRect();
          const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
          let best = -1, bestD = Infinity;
          document.querySelectorAll('path.bk-place').forEach((el, i) => {
            const r = el.getBoundingClientRect(), d = (r.x + r.width / 2 - cx) ** 2 + (r.y + r.height / 2 - cy) ** 2;
            if (d < bestD) { bestD = d; best = i; }
          });
          return [best, bestD];
        }"""
    )
    assert distance < 4, (best, distance)
    frame.locator("path.bk-place").nth(best).dispatch_event("click")
    settle(page)  # the click on the map names its street (a run of the page) before the link is followed
    frame = find_map_frame(page, lambda f: f.locator(".leaflet-popup-content").count() == 1)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(place["name"])
    return popup


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the page in tests/artifacts and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=path, full_page=True)
    return path


def test_bookmarks_of_the_pages_open_them(page: Page, app_url: str) -> None:
    page.goto(app_url + "/kaart")
    frame = kaart_frame(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.locator("h1")).to_contain_text("Schaerbeek")
    assert frame.locator(".leaflet-container").count() == 1
    assert page.url.endswith("/kaart")
    # the app's own address opens the map too, under its own address
    page.goto(app_url + "/")
    kaart_frame(page)
    wait_for(lambda: page.url.endswith("/kaart"), page, "the start to lead to /kaart")
    # every other page opens from its bookmark (a visitor first sees the sign-in, never "Page not found")
    for path, title in (("/vindplaatsen", "Vindplaatsen"), ("/burger", "Buurtkaart burger"), ("/analyse", "Buurtanalyse")):
        sign_in(page, app_url, "worker", path=path)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.locator("h1").first).to_contain_text(title.split()[0])
        assert page.url.split("?")[0].endswith(path)


def test_a_click_on_the_map_names_the_nearest_street_and_names_are_written_from_zoom_16(page: Page, app_url: str) -> None:
    page.goto(app_url + "/kaart")
    frame = kaart_frame(page)
    edges = region().street_edges
    line = edges[edges["name"] == LOUIS_BERTRAND].sort_values("length").iloc[-1].geometry
    point = line.interpolate(0.5, normalized=True)
    # at the area's zoom no street name is written; from zoom 16 on they are, none over another
    assert frame.evaluate("document.body.dataset.streetLabels || '0'") == "0"
    set_view(frame, point.y, point.x, 16)
    wait_for(lambda: int(frame.evaluate("document.body.dataset.streetLabels || '0'")) >= 10, page, "street names at zoom 16")
    overlaps = frame.evaluate(
        """() => {
          const r = Array.from(document.querySelectorAll('.bk-street-label')).map((e) => e.getBoundingClientRect());
          let n = 0;
          for (let i = 0; i < r.length; i++) {
            for (let j = i + 1; j < r.length; j++) {
              const w = Math.min(r[i].right, r[j].right) - Math.max(r[i].left, r[j].left);
              const h = Math.min(r[i].bottom, r[j].bottom) - Math.max(r[i].top, r[j].top);
              const smaller = Math.min(r[i].width * r[i].height, r[j].width * r[j].height);
              if (w > 0 && h > 0 && w * h > 0.25 * smaller) { n += 1; }
            }
          }
          return n;
        }"""
    )
    assert overlaps == 0
    set_view(frame, point.y, point.x, 18)
    labels = frame.locator(".bk-street-label")
    expect(labels.first).to_be_attached(timeout=10_000)
    expect(labels.filter(has_text=LOUIS_BERTRAND).first).to_be_attached()
    assert frame.evaluate(_MAP_VIEW_JS)["zoom"] == 18
    # zooming further than the data supports stops at 19
    set_view(frame, point.y, point.x, 25)
    wait_for(lambda: frame.evaluate(_MAP_VIEW_JS)["zoom"] == 19, page, "the zoom to stop at 19")
    set_view(frame, point.y, point.x, 18)
    click_at(frame, point.y, point.x)
    info = page.get_by_text(re.compile(r"Aangeklikt"))
    expect(info).to_be_visible(timeout=20_000)
    text = info.inner_text()
    lat, lon = (float(v) for v in re.search(r"\((-?\d+\.\d+), (-?\d+\.\d+)\)", text).groups())
    assert abs(lat - point.y) < 0.0005 and abs(lon - point.x) < 0.0005, (text, point)
    expected = wayfinding.nearest_street(region(), lon, lat)
    assert expected == LOUIS_BERTRAND
    assert f"Aangeklikt: {expected}" in text
    shot(page, "wayfind_click_street.png")


def test_search_wash_shows_schaerbeek_hits_with_commune_and_street(page: Page, app_url: str) -> None:
    page.goto(app_url + "/kaart")
    kaart_frame(page)
    search = page.get_by_label("Zoek een plek op naam")
    search.fill("wash")
    search.press("Enter")
    expected = wayfinding.search(region().clip(area_mod.commune_boundary(), name="Schaerbeek"), "wash", lang="nl", limit=50)
    combo = page.get_by_role("combobox", name=formats.plural("plural.places_found", len(expected), "nl"))  # "1 plek" or "n plekken"
    expect(combo).to_be_visible(timeout=20_000)
    combo.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(len(expected))
    texts = options.all_inner_texts()
    assert all(text.endswith(", Schaerbeek") for text in texts), texts
    assert not any(text.startswith("Wash Club") for text in texts), texts
    josaphat = next(text for text in texts if text.startswith("Josaphat Wash"))
    row = expected[expected["label"] == "Josaphat Wash"].iloc[0]
    assert josaphat == f"Josaphat Wash — {row['detail']} — {row['quartier']}, Schaerbeek"
    shot(page, "wayfind_search_wash.png")
    page.keyboard.press("Escape")


def test_the_teams_vindplaatsen_are_a_layer_of_the_kaart(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Kaartlaag")
    db = open_store(f"sqlite:///{STORES[app_url]}")
    try:
        org = _organisation_of(db, username)
        vp.add(db, org, user=username, layer="vindplaats", name="Bank <b>bij</b> de kerk", kind="bench", lon=4.3795, lat=50.8674,
               bounds=region().bounds)  # fmt: skip
    finally:
        db.close()
    sign_in(page, app_url, username, path="/kaart")
    frame = find_map_frame(page, lambda f: f.locator("path.bk-item").count() == 1, seconds=60)
    label = overlay_label(frame, "Vindplaats (1)")
    expect(label).to_have_count(1)
    frame.locator("path.bk-item").dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Bank <b>bij</b> de kerk")  # shown as text, never as markup
    assert popup.locator("b b").count() == 0
    # the layer can be switched off in the folded layer list
    label.locator("input[type=checkbox]").uncheck()
    expect(frame.locator("path.bk-item")).to_have_count(0)


def _organisation_of(db, username: str) -> str:
    """Return the organisation id of an account (the trusted server-side way the tests act for it)."""
    from sqlalchemy import select

    from buurtkaart.accounts import USERS

    with db.read() as session:
        return session.execute(select(USERS.c.organisation_id).where(USERS.c.username == username)).scalar_one()


def test_markeer_als_vindplaats_opens_the_prefilled_form_in_the_same_session(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Markeer")
    sign_in(page, app_url, username, path="/kaart")
    frame = kaart_frame(page)
    places = region().clip(area_mod.commune_boundary(), name="Schaerbeek").places
    laundry = places[(places["osm_tag"] == "shop=laundry") & (places["name"] == "Josaphat Wash")].iloc[0]
    popup = open_popup(page, frame, laundry)
    link = popup.get_by_role("link", name="📍 Markeer als vindplaats")
    expect(link).to_be_visible()
    assert link.get_attribute("href").endswith(f"/vindplaatsen?osm={laundry['place_id'].replace(':', '%3A').replace('/', '%2F')}")
    shot(page, "wayfind_mark_popup.png")
    link.click()
    # the vindplaatsen page, in the same session (no new sign-in), with the place in the new-place form
    wait_for(lambda: "/vindplaatsen" in page.url, page, "the vindplaatsen page")
    settle(page)
    new = page.get_by_role("tabpanel", name="Nieuwe plek")
    expect(new.get_by_label("Naam", exact=True)).to_have_value("Josaphat Wash", timeout=30_000)
    expect(new.get_by_role("combobox", name="Soort plek")).to_match_aria_snapshot('- combobox "Soort plek": Wassalon')
    expect(page.get_by_text(f"Gekozen punt: {laundry.geometry.y:.5f}, {laundry.geometry.x:.5f}")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"Aangemeld: {re.escape(username)}\b"))).to_be_visible()
    assert "osm=" not in page.url  # used once: a reload does not fill the form again

    def shown_close() -> bool:
        view = find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0).evaluate(_MAP_VIEW_JS)
        near = view and abs(view["lat"] - laundry.geometry.y) < 0.001 and abs(view["lng"] - laundry.geometry.x) < 0.001
        return bool(near and view["zoom"] >= 17)

    wait_for(shown_close, page, "the vindplaatsen map to show the place closely")
    shot(page, "wayfind_mark_form.png")
    new.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("“Josaphat Wash” staat op de kaart.")).to_be_visible(timeout=20_000)
    db = open_store(f"sqlite:///{STORES[app_url]}")
    try:
        items = vp.list_items(db, _organisation_of(db, username))
    finally:
        db.close()
    assert items[["name", "kind", "osm_place_id"]].values.tolist() == [["Josaphat Wash", "laundromat", laundry["place_id"]]]


def test_the_first_visit_guide_and_the_demo_at_any_time(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Gids")
    sign_in(page, app_url, username, path="/kaart")
    guide = page.locator(".st-key-first_visit_guide")
    expect(guide).to_be_visible()
    for step in ("Markeer je vindplaatsen", "Breng het netwerk van een burger in kaart", "Bekijk de buurtanalyse"):
        expect(guide).to_contain_text(step)
    shot(page, "wayfind_guide.png")
    guide.get_by_role("button", name="Begrepen, verberg deze gids").click()
    expect(guide).to_have_count(0)
    # hidden in this browser: a new visit (a new session) does not show it again, until asked for
    wait_for(lambda: any(c["name"] == "bk_guide" and c["value"] == "hidden" for c in page.context.cookies()), page, "the guide's cookie")
    sign_in(page, app_url, username, path="/kaart")
    kaart_frame(page)
    expect(guide).to_have_count(0)
    page.get_by_role("button", name="Toon de gids voor de eerste keer").click()
    expect(guide).to_be_visible()
    wait_for(lambda: not any(c["name"] == "bk_guide" and c["value"] == "hidden" for c in page.context.cookies()), page, "the cookie gone")
    guide.get_by_role("button", name="Begrepen, verberg deze gids").click()
    expect(guide).to_have_count(0)
    # the demo, from an organisation that has its own data or not, and back
    page.get_by_role("button", name="🎭 Bekijk de demo-organisatie").click()
    expect(page.get_by_text("Je bekijkt de demo-organisatie")).to_be_visible(timeout=180_000)
    settle(page, 120)
    frame = find_map_frame(page, lambda f: f.locator("path.bk-item").count() > 0, seconds=60)
    assert frame.locator("path.bk-item").count() > 0  # the demo's vindplaatsen on the Kaart
    page.get_by_role("button", name="↩️ Terug naar mijn organisatie").click()
    expect(page.get_by_text("Je bekijkt de demo-organisatie")).to_have_count(0, timeout=30_000)
    expect(page.get_by_text(re.compile(rf"Aangemeld: {re.escape(username)}\b"))).to_be_visible()


def test_markeer_als_vindplaats_on_the_vindplaatsen_page_fills_its_own_form(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Markeerhier")
    sign_in(page, app_url, username, path="/vindplaatsen")
    frame = find_map_frame(page, lambda f: f.locator("path.bk-place").count() > 0, seconds=60)
    places = region().clip(area_mod.commune_boundary(), name="Schaerbeek").places
    laundry = places[(places["osm_tag"] == "shop=laundry") & (places["name"] == "Josaphat Wash")].iloc[0]
    popup = open_popup(page, frame, laundry)
    popup.get_by_role("link", name="📍 Markeer als vindplaats").click()
    new = page.get_by_role("tabpanel", name="Nieuwe plek")
    expect(new.get_by_label("Naam", exact=True)).to_have_value("Josaphat Wash", timeout=30_000)
    expect(page.get_by_text(f"Gekozen punt: {laundry.geometry.y:.5f}, {laundry.geometry.x:.5f}")).to_be_visible()
    expect(new.get_by_role("combobox", name="Soort plek")).to_match_aria_snapshot('- combobox "Soort plek": Wassalon')
