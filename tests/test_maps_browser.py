"""Browser test of the app's map drawn from its data file (`maps.publish` + `build_map(data_url=...)`), without Streamlit.

The map's page and its data file are served the way the app serves them (under /app/static/, the data
file in /app/static/cache/) by a plain local HTTP server, so that the fetch, the drawing, the popups and
the tooltips of the data file are seen in Chromium on their own, with hostile names in the data.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from buurtkaart import i18n, maps
from buurtkaart.paths import ROOT
from tests.test_app_browser import overlay_label
from tests.test_maps import _tiny_area

EVIL = ("<img src=x onerror=alert(1)>", '"><svg onload=alert(2)>', "javascript:alert(3)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing."""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve `tmp_path` (its app/static linked to the app's static folder, its own cache) on a free port."""
    static = tmp_path / "app" / "static"
    static.mkdir(parents=True)
    for name in ("vendor", "share", "buurtkaart.css"):
        (static / name).symlink_to(ROOT / "static" / name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def test_map_from_its_data_file_draws_places_and_keeps_hostile_names_as_text(browser: Browser, site) -> None:
    url, folder = site
    area = _tiny_area([*EVIL, "Theehuis"], [{"amenity": "cafe"}] * 3 + [{"amenity": "place_of_worship"}])
    area.quartiers.loc[:, "name_nl"] = "<b onmouseover=alert(4)>Wijk</b>"
    data = maps.map_data(area)
    data_url = maps.publish(data, folder / "app" / "static" / "cache")
    page_html = maps.build_map(data, lang="nl", data_url=data_url).get_root().render()
    assert "onerror" not in page_html and "Theehuis" not in page_html  # the names are only in the data file
    (folder / "map.html").write_text(page_html, encoding="utf-8")

    context = browser.new_context(viewport={"width": 1000, "height": 700})
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{url}/map.html")
        page.wait_for_function("document.body.dataset.placesDrawn === '4'", timeout=20_000)
        assert errors == [] and "mapError" not in page.evaluate("Object.keys(document.body.dataset)")
        assert [r for r in requests if r.endswith(".json")] == [url + data_url]  # one fetch for all the layers
        assert all(r.startswith(url + "/") for r in requests), requests
        # the canvas layers' inline web Mercator is Leaflet's own projection
        diff = page.evaluate(
            """() => { const m = Object.values(window).find((v) => v instanceof L.Map), f = BK.projector(m), out = [0, 0];
                 let worst = 0;
                 for (const ll of [[50.86, 4.37], [50.7, 4.25], [51.0, 4.5], [-33.9, 18.4], [89.9, -179]]) {
                   f(ll, out, 0); const p = m.project(ll, 0);
                   worst = Math.max(worst, Math.abs(p.x - out[0]), Math.abs(p.y - out[1]));
                 }
                 return worst; }"""
        )
        assert diff < 1e-9
        expect(page.locator("path.bk-place")).to_have_count(4)
        expect(page.locator("path.bk-street")).to_have_count(1)
        expect(page.locator("path.bk-quartier")).to_have_count(1)
        # every popup shows its name as text
        names = set()
        for k in range(4):
            page.locator("path.bk-place").nth(k).dispatch_event("click")
            expect(page.locator(".leaflet-popup-content b")).to_have_count(1)  # the one before fades out in 200 ms
            names.add(page.locator(".leaflet-popup-content b").inner_text())
        assert names == {*EVIL, "Theehuis"}
        expect(page.locator(".leaflet-popup-content")).to_contain_text(i18n.t("place.category", "nl"))
        # the quartier's tooltip is text too
        page.locator("path.bk-quartier").dispatch_event("mouseover")
        expect(page.locator(".leaflet-tooltip")).to_have_text("<b onmouseover=alert(4)>Wijk</b>")
        injected = page.evaluate(
            "() => document.querySelectorAll('img, [onerror], [onload], [onmouseover], svg [onload]').length"
            " + Array.from(document.querySelectorAll('a')).filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length"
        )
        assert injected == 0 and dialogs == []
        # a layer switched off is no longer counted
        overlay_label(page.main_frame, i18n.category_label("worship", "nl")).locator("input").uncheck()  # the list unfolded
        page.wait_for_function("document.body.dataset.placesDrawn === '3'", timeout=5_000)
    finally:
        context.close()


def test_a_missing_data_file_is_reported_not_hidden(browser: Browser, site) -> None:
    url, folder = site
    data = maps.map_data(_tiny_area(["A"], [{"amenity": "cafe"}]))
    (folder / "map.html").write_text(
        maps.build_map(data, data_url=maps.CACHE_URL + "/map-gone.json").get_root().render(), encoding="utf-8"
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{url}/map.html")
        page.wait_for_function("document.body.dataset.mapError !== undefined", timeout=20_000)
        assert "404" in page.evaluate("document.body.dataset.mapError")
        assert page.evaluate("document.body.dataset.placesDrawn") == "0"
    finally:
        context.close()
