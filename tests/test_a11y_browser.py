"""Accessible to everyone on the team (WCAG 2.1 AA): an axe-core scan of every page and of its map frames finds no
serious or critical violation, and a form can be filled and sent with the keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page, expect

from buurtkaart import i18n
from tests.signin import TEST_PASSWORD, settle, sign_in
from tests.test_language_browser import PAGES, open_page, open_part

GRAVE = ("serious", "critical")
# WCAG 2.0/2.1 A and AA rules, plus axe's best practices that touch people (headings, landmarks, names).
AXE_OPTIONS = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def map_frames(page: Page) -> list[Frame]:
    """Return the frames that hold a Leaflet map (streamlit-folium's, the Delen preview)."""
    found = []
    for frame in page.frames:
        if frame is page.main_frame or frame.is_detached():
            continue
        try:
            if frame.locator(".leaflet-container").count():
                found.append(frame)
        except Exception:  # a frame replaced by a rerun
            continue
    return found


def grave_violations(target: Page | Frame, where: str) -> list[str]:
    """Return the serious and critical axe violations of a page or frame: rule, impact and the first elements."""
    results = Axe().run(target, options=AXE_OPTIONS)
    out = []
    for violation in results.response["violations"]:
        if violation["impact"] in GRAVE:
            nodes = [" ".join(map(str, node["target"]))[-80:] + " " + (node["any"] or node["all"] or [{"message": ""}])[0]["message"][:160]
                     for node in violation["nodes"][:3]]  # fmt: skip
            out.append(f"{where}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])}×) {nodes}")
    return out


def test_every_page_and_its_maps_have_no_serious_or_critical_violation(page: Page, app_url: str, team: str, tmp_path: Path) -> None:
    sign_in(page, app_url, team, path="/vindplaatsen")
    found: list[str] = []
    for path, parts in PAGES.items():
        open_page(page, path, "nl")
        for part in [None, *parts]:
            if part is not None:
                open_part(page, part, "nl")
            where = f"{path}/{part or ''}"
            bad = grave_violations(page, where)
            for i, frame in enumerate(map_frames(page)):
                bad += grave_violations(frame, f"{where} map {i + 1}")
            if bad:
                page.screenshot(path=str(tmp_path / f"{path}-{part or 'page'}.png"), full_page=True)
            found += bad
    assert not found, "\n".join(found)


def focused(page: Page) -> str:
    """Return the accessible label of the element that has the keyboard focus."""
    return page.evaluate(
        "() => { const e = document.activeElement; return (e && (e.getAttribute('aria-label') || e.innerText || e.name || '')) || ''; }"
    )


def tab_to(page: Page, label: str, *, presses: int = 60) -> None:
    """Press Tab until the element labelled `label` has the focus."""
    for _ in range(presses):
        if focused(page).strip() == label:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {label!r} (last: {focused(page)!r})")


def test_the_sign_in_form_is_filled_and_sent_with_the_keyboard_alone(page: Page, app_url: str, team: str) -> None:
    page.goto(app_url + "/vindplaatsen")
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')).to_be_visible(timeout=60_000)
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # start from the page, not from a field
    tab_to(page, i18n.t("auth.username", "nl"))
    page.keyboard.type(team)
    page.keyboard.press("Tab")
    assert focused(page).strip() == i18n.t("auth.password", "nl")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")  # sends the form, as the button would
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text(re.compile(rf"Aangemeld: {re.escape(team)}\b"))).to_be_visible(timeout=60_000)


@pytest.fixture(scope="module")
def team(app_url: str) -> str:
    """The coordinator of a team of its own with a citizen, a vindplaats and a version (see test_language_browser)."""
    from tests.test_language_browser import make_team

    return make_team(app_url)


def test_the_map_is_reached_and_moved_with_the_keyboard_alone(page: Page, app_url: str) -> None:
    from tests.test_app_browser import _MAP_VIEW_JS, find_map_frame, wait_for

    page.goto(app_url + "/")
    frame = find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(40):  # Tab from the top of the page into the map
        page.keyboard.press("Tab")
        if frame.evaluate("() => document.hasFocus() && document.activeElement.classList.contains('leaflet-container')"):
            break
    else:
        raise AssertionError("Tab never reached the map")
    before = frame.evaluate(_MAP_VIEW_JS)
    page.keyboard.press("+")  # Leaflet's keyboard zoom
    wait_for(lambda: frame.evaluate(_MAP_VIEW_JS)["zoom"] == before["zoom"] + 1, page, "the map to zoom in by one step")
    page.keyboard.press("ArrowRight")  # and pan east
    wait_for(lambda: frame.evaluate(_MAP_VIEW_JS)["lng"] > before["lng"], page, "the map to pan east")
