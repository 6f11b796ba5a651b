"""Browser tests of the Ronde page (plan a round past three vindplaatsen, return or not, download the GPX) and of
the printable route sheet opened from file://."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import gpxpy
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from buurtkaart import area, route_files, routes
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import open_store
from tests.signin import sign_in
from tests.test_app_browser import find_map_frame

ORG = "Ronde-testorganisatie"
EVIL = "Theehuis <img src=x onerror=alert(1)>"
PLACES = [  # (name, layer, lon, lat) in Schaerbeek
    ("Buurthuis De Kroon", "site", 4.3770, 50.8640),
    (EVIL, "vindplaats", 4.3720, 50.8650),
    ("Wasserette Brabant", "vindplaats", 4.3660, 50.8600),
    ("Bankjes Josaphatpark", "vindplaats", 4.3840, 50.8640),
]


@pytest.fixture(scope="module")
def team(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Put a site and three vindplaatsen of a test organisation in the served app's database; return the org name."""
    caches = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("buurtkaart_cache*")})
    assert len(caches) == 1, caches  # the one cache folder of the `app_url` server (tests/conftest.py)
    db = open_store(f"sqlite:///{caches[0] / 'buurtkaart.sqlite'}")
    org = vp.ensure_organisation(db, ORG)
    if vp.list_items(db, org).empty:
        bounds = area.load_embedded().boundary
        for name, layer, lon, lat in PLACES:
            vp.add(db, org, user="test", layer=layer, lon=lon, lat=lat, bounds=bounds, name=name, kind="other")
    db.engine.dispose()
    return ORG


def route_frame(page: Page, stops: int) -> Frame:
    """Return the map frame once it draws `stops` numbered stops, the start and a walking line."""
    return find_map_frame(
        page,
        lambda f: f.locator(".bk-stop").count() == stops and f.locator(".bk-start").count() == 1 and f.locator("path.bk-route").count() == 1,
        seconds=60,
    )


def route_d(page: Page) -> str:
    """Return the SVG path of the walking line as drawn now."""
    for _ in range(50):
        try:
            return route_frame(page, 3).locator("path.bk-route").get_attribute("d") or ""
        except PlaywrightError:  # a frame replaced by a rerun
            page.wait_for_timeout(200)
    return route_frame(page, 3).locator("path.bk-route").get_attribute("d") or ""


def test_plan_a_round_past_three_vindplaatsen_toggle_return_and_download_gpx(
    page: Page, app_url: str, team: str, request_log: list[str], tmp_path: Path
) -> None:
    sign_in(page, app_url, "ronde", path="/ronde")  # a worker of the test organisation `team`
    find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    expect(page.get_by_role("combobox", name="Vertrekpunt")).to_have_value("Buurthuis De Kroon — Eigen locatie", timeout=20_000)  # the site starts

    # pick three vindplaatsen
    page.get_by_label("Plekken om langs te gaan").click()
    for name in (EVIL, "Wasserette Brabant", "Bankjes Josaphatpark"):
        page.get_by_role("option", name=f"{name} — Vindplaats").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Ronde plannen").click()

    # numbered stops 1-3, the start and the walking line on the map; the evil name is text, not an image
    frame = route_frame(page, 3)
    assert sorted(frame.locator(".bk-stop").all_inner_texts()) == ["1", "2", "3"]
    assert frame.locator("img[src='x']").count() == 0 and page.locator("img[src='x']").count() == 0
    table = page.locator("[data-testid='stTable']")
    expect(table).to_have_count(1)
    expect(table).to_contain_text(EVIL)
    expect(table).to_contain_text("Terug naar het vertrekpunt")
    with_return = route_d(page)

    # no return: planned again, a shorter line ending at the last stop, no way back in the table
    page.get_by_role("checkbox", name="Terug naar het vertrekpunt").uncheck(force=True)
    expect(table).not_to_contain_text("Terug naar het vertrekpunt", timeout=30_000)
    for _ in range(100):
        without_return = route_d(page)
        if without_return != with_return:
            break
        page.wait_for_timeout(200)
    assert without_return != with_return
    order = [cell.strip() for cell in page.locator("[data-testid='stTable'] tbody tr td:nth-child(2)").all_inner_texts()]
    assert len(order) == 4 and order[0] == "Buurthuis De Kroon"

    # the GPX: start first, then the stops in the order of the table, one track
    with page.expect_download() as download:
        page.get_by_role("button", name="GPX downloaden (OsmAnd, Organic Maps)").click()
    path = tmp_path / "ronde.gpx"
    download.value.save_as(path)
    gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    assert [w.name for w in gpx.waypoints] == [f"S {order[0]}", *(f"{i} {name}" for i, name in enumerate(order[1:], start=1))]
    assert len(gpx.tracks) == 1 and len(gpx.tracks[0].segments[0].points) > 4

    # save it, open it again in a fresh page (planned again at once), and note that it was walked: a count only
    page.get_by_label("Naam van de ronde").fill("Dinsdagronde <b>Noord</b>")
    page.get_by_label("Naam van de ronde").press("Enter")
    page.get_by_role("button", name="Ronde bewaren").click()
    expect(page.get_by_text("De ronde Dinsdagronde <b>Noord</b> is bewaard.")).to_be_visible(timeout=20_000)
    sign_in(page, app_url, "ronde", path="/ronde")
    expect(page.get_by_role("button", name="Openen")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Openen").click()
    expect(page.get_by_text("is geopend")).to_be_visible(timeout=20_000)
    route_frame(page, 3)
    expect(page.get_by_role("checkbox", name="Terug naar het vertrekpunt")).not_to_be_checked()
    page.get_by_label("Aantal contacten (geen namen)").fill("4")
    page.get_by_role("button", name="Markeer als gestapt").click()
    expect(page.get_by_text("· 4 contacten")).to_be_visible(timeout=20_000)

    outside = [url for url in request_log if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname not in ("localhost", "127.0.0.1")]
    assert not outside, outside


def test_the_route_sheet_opens_from_file_with_no_request_leaving_it(browser, walk, tmp_path: Path) -> None:
    stops = [routes.Stop(id=f"s{i}", name=name, lon=lon, lat=lat, minutes=15) for i, (name, _, lon, lat) in enumerate(PLACES)]
    plan = routes.plan_round(walk, stops[0], stops[1:], walkers=2, at=datetime(2026, 12, 8, 10))
    sheet = tmp_path / "routeblad.html"
    sheet.write_text(route_files.sheet_html(plan, lang="nl", graph=walk, bring="Folders"), encoding="utf-8")
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    try:
        page = context.new_page()
        page.goto(sheet.as_uri())
        expect(page.locator("section.sheet")).to_have_count(len(plan.rounds))
        expect(page.locator("section.sheet svg.map polyline.walk")).to_have_count(len(plan.rounds))
        expect(page.locator("body")).to_contain_text(EVIL)  # as text
        assert page.locator("img").count() == 0
        pdf = page.pdf(format="A4")  # printed: one A4 page per walker
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == len(plan.rounds)
    finally:
        context.close()
    assert requests == [sheet.as_uri()]
