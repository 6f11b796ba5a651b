"""Browser tests of the vindplaatsen page: add by clicking the map, reload, edit elsewhere, delete and undo."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from tests.test_app_browser import find_map_frame

EVIL = "Theehuis <img src=x onerror=alert(1)>"


def open_page(page: Page, app_url: str) -> Frame:
    """Open the vindplaatsen page and return its map frame once the streets are drawn."""
    page.goto(app_url + "/vindplaatsen")
    frame = find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    return frame


def items_on_map(page: Page) -> int:
    """Return how many organisation items the current map frame draws."""
    return find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0).locator("path.bk-item").count()


def wait_items(page: Page, n: int) -> None:
    """Wait until the map draws `n` organisation items."""
    for _ in range(100):
        try:
            if items_on_map(page) == n:
                return
        except PlaywrightError:  # a frame replaced by a rerun
            pass
        page.wait_for_timeout(200)
    assert items_on_map(page) == n


def panel(page: Page, name: str = "Bewerken"):
    """Return one tab panel (the other tabs' forms are in the page too)."""
    return page.get_by_role("tabpanel", name=name)


def test_add_by_clicking_then_reload_edit_elsewhere_delete_and_undo(page: Page, app_url: str, browser) -> None:
    frame = open_page(page, app_url)
    box = frame.locator(".leaflet-container").bounding_box()
    frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.8}, force=True)
    expect(page.get_by_text("Gekozen punt")).to_be_visible(timeout=20_000)
    panel(page, "Nieuwe plek").get_by_label("Naam", exact=True).fill(EVIL)
    panel(page, "Nieuwe plek").get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("staat op de kaart")).to_be_visible(timeout=20_000)
    wait_items(page, 1)

    # still there after a reload; the name is shown as text, never as an image
    frame = open_page(page, app_url)
    wait_items(page, 1)
    frame = find_map_frame(page, lambda f: f.locator("path.bk-item").count() == 1)
    frame.locator("path.bk-item").dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(EVIL)
    assert popup.locator("img").count() == 0

    # this browser opens the edit form (version 1) ...
    page.get_by_role("tab", name="Bewerken").click()
    expect(panel(page).get_by_label("Notities")).to_be_visible()

    # ... while a colleague in a second browser edits the same place
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page2 = other.new_page()
        open_page(page2, app_url)
        page2.get_by_role("tab", name="Bewerken").click()
        panel(page2).get_by_label("Notities").fill("Elke dinsdag thee met de buurvrouwen")
        panel(page2).get_by_role("button", name="Opslaan").click()
        expect(page2.get_by_text("Wijzigingen aan")).to_be_visible(timeout=20_000)
    finally:
        other.close()

    # the stale edit here is refused, not written over the colleague's work
    panel(page).get_by_label("Notities").fill("Een oude versie")
    panel(page).get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("werd intussen gewijzigd")).to_be_visible(timeout=20_000)
    page.get_by_role("tab", name="Geschiedenis").click()
    expect(panel(page, "Geschiedenis").locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(page.locator("[role=gridcell]", has_text="update").first).to_be_attached()
    expect(page.locator("[role=gridcell]", has_text="create").first).to_be_attached()

    # delete, then undo
    open_page(page, app_url)  # a fresh look shows the colleague's version
    page.get_by_role("tab", name="Bewerken").click()
    expect(panel(page).get_by_label("Notities")).to_have_value("Elke dinsdag thee met de buurvrouwen", timeout=20_000)
    panel(page).get_by_role("button", name="Verwijderen").click()
    expect(page.get_by_text("is verwijderd")).to_be_visible(timeout=20_000)
    wait_items(page, 0)
    page.get_by_role("tab", name="Bewerken").click()
    panel(page).get_by_role("button", name="Ongedaan maken").click()
    expect(page.get_by_text("is terug op de kaart")).to_be_visible(timeout=20_000)
    wait_items(page, 1)
