"""Browser test of the buurtanalyse page: the distance layers on the map, the report, a quartier, a drawn area,
and the standalone HTML export; no request leaves the app."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import Frame, Page, expect

from tests.signin import sign_in
from tests.test_app_browser import find_map_frame, sidebar_select
from tests.test_burger_browser import settle


def analysis_frame(page: Page) -> Frame:
    """Return the map frame once it draws streets coloured by walking distance."""
    return find_map_frame(page, lambda f: f.locator("path.bk-access-street").count() > 100, seconds=90)


def test_analyse_schaerbeek_a_quartier_and_a_drawn_area_and_export(page: Page, app_url: str, request_log: list[str], tmp_path) -> None:
    sign_in(page, app_url, "worker", path="/analyse")  # the caseload part needs a worker's sign-in
    frame = analysis_frame(page)
    expect(frame.locator("path.bk-block-beyond").first).to_be_attached()  # blocks beyond 400 m for children
    expect(page.get_by_text(re.compile(r"kinderen van 0–9 jaar \(\d+ %\) wonen verder dan 400 m")).first).to_be_visible()
    expect(page.get_by_text("De cijfers van dit gebied zijn verborgen")).to_be_visible()  # an empty caseload shows no figure

    # the standalone report
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Rapport downloaden")).click()
    path = tmp_path / "report.html"
    download.value.save_as(path)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Buurtanalyse" in html and "<svg" in html
    assert not re.search(r"(src|href)=['\"]https?:", html)

    # one quartier: fewer coloured streets than the whole commune
    commune_streets = frame.locator("path.bk-access-street").count()
    page.get_by_text("Een wijk", exact=True).click()
    settle(page)
    sidebar_select(page, "Wijk", "Josaphat")
    settle(page)
    frame = find_map_frame(page, lambda f: 0 < f.locator("path.bk-access-street").count() < commune_streets, seconds=60)

    # a rectangle drawn on the map becomes the analysed area
    page.get_by_text("Zelf getekend op de kaart", exact=True).click()
    settle(page)
    expect(page.get_by_text("Teken eerst een gebied")).to_be_visible()
    frame = find_map_frame(page, lambda f: f.locator(".leaflet-draw-draw-rectangle").count() > 0)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    box = frame.locator(".leaflet-container").bounding_box()
    x, y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 60, steps=5)
    page.mouse.up()
    settle(page)
    expect(page.get_by_text("Teken eerst een gebied")).to_have_count(0, timeout=30_000)
    drawn = find_map_frame(page, lambda f: f.locator("path.bk-area").count() == 1, seconds=60)
    expect(drawn.locator("path.bk-access-street").first).to_be_attached()
    expect(page.get_by_text("Getekend gebied").first).to_be_attached()
    expect(page.get_by_text(re.compile("nooit voor een getekend gebied"))).to_be_visible()  # no caseload figure there

    hosts = {urlparse(url).hostname for url in request_log if url.startswith("http")}
    assert hosts <= {"localhost", "127.0.0.1"}, hosts


def test_a_group_of_quartiers_is_a_fixed_unit(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "worker", path="/analyse")
    frame = analysis_frame(page)
    commune_streets = frame.locator("path.bk-access-street").count()
    page.get_by_text("Een groep van wijken", exact=True).click()
    settle(page)
    sidebar_select(page, "Groep van wijken", "Schaarbeek oost (Plasky, Tervurense poort, station Josaphat, Reyers, kerkhof)")
    settle(page)
    frame = find_map_frame(page, lambda f: 0 < f.locator("path.bk-access-street").count() < commune_streets, seconds=60)
    expect(page.get_by_text(re.compile("Schaarbeek oost")).first).to_be_attached()
    # a fixed unit: the caseload part is there (hidden for an empty caseload), not the drawn area's "never"
    expect(page.get_by_text("De cijfers van dit gebied zijn verborgen")).to_be_visible(timeout=30_000)
    assert page.get_by_text(re.compile("nooit voor een getekend gebied")).count() == 0
    page.screenshot(path="/tmp/privacy2-group.png", full_page=True)
