"""Browser tests of the vindplaatsen page: add by clicking the map, reload, edit elsewhere, delete and undo."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from tests.signin import fresh_account, sign_in
from tests.test_app_browser import find_map_frame

EVIL = "Theehuis <img src=x onerror=alert(1)>"


def open_page(page: Page, app_url: str, username: str = "coordinator") -> Frame:
    """Sign in, open the vindplaatsen page and return its map frame once the streets are drawn."""
    sign_in(page, app_url, username, path="/vindplaatsen")
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
    user = fresh_account(app_url, "Eerste", "coordinator")  # an empty organisation, on a rerun too (other tests add places)
    frame = open_page(page, app_url, user)
    box = frame.locator(".leaflet-container").bounding_box()
    frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.8}, force=True)
    expect(page.get_by_text("Gekozen punt")).to_be_visible(timeout=20_000)
    panel(page, "Nieuwe plek").get_by_label("Naam", exact=True).fill(EVIL)
    panel(page, "Nieuwe plek").get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("staat op de kaart")).to_be_visible(timeout=20_000)
    wait_items(page, 1)

    # still there after a reload; the name is shown as text, never as an image
    frame = open_page(page, app_url, user)
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
        open_page(page2, app_url, user)
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
    expect(page.locator("[role=gridcell]", has_text="gewijzigd").first).to_be_attached()
    expect(page.locator("[role=gridcell]", has_text="toegevoegd").first).to_be_attached()

    # delete, then undo
    open_page(page, app_url, user)  # a fresh look shows the colleague's version
    page.get_by_role("tab", name="Bewerken").click()
    expect(panel(page).get_by_label("Notities")).to_have_value("Elke dinsdag thee met de buurvrouwen", timeout=20_000)
    panel(page).get_by_role("button", name="Verwijderen").click()
    expect(page.get_by_text("is verwijderd")).to_be_visible(timeout=20_000)
    wait_items(page, 0)
    page.locator(".st-key-vp_notice").get_by_role("button", name="Ongedaan maken").click()
    expect(page.get_by_text("is terug op de kaart")).to_be_visible(timeout=20_000)
    wait_items(page, 1)


# --- nothing typed is lost (issue 14) ---------------------------------------------------------------

SPEED_QUEEN = (50.85838, 4.38295)  # the first "Speed Queen" hit, in Schaerbeek (Avenue Rogier)
IXELLES_SPEED_QUEEN = (50.83454, 4.37935)  # the same name in Ixelles: never silently picked instead


def own_organisation(page: Page, app_url: str, name: str) -> Frame:
    """Open the page signed in to an organisation of this test alone (the app's database is shared by the tests)."""
    open_page(page, app_url, fresh_account(app_url, name, "coordinator"))  # a rerun starts from an empty one too
    expect(page.get_by_text("0 plekken op de kaart van de organisatie")).to_be_visible(timeout=20_000)
    return find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)


def map_view(page: Page) -> dict:
    """Return the centre and zoom of the map frame now on the page."""
    from tests.test_app_browser import _MAP_VIEW_JS

    for _ in range(100):
        try:
            view = find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0).evaluate(_MAP_VIEW_JS)
            if view:
                return view
        except PlaywrightError:
            pass
        page.wait_for_timeout(200)
    raise AssertionError("no map view")


def zoom_in(page: Page, frame: Frame, times: int = 2) -> dict:
    """Zoom the map in with its + button and return the view it ends on."""
    start = map_view(page)["zoom"]
    for _ in range(times):
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
    for _ in range(50):
        view = map_view(page)
        if view["zoom"] == start + times:
            return view
        page.wait_for_timeout(200)
    raise AssertionError(f"zoom stayed at {map_view(page)['zoom']}")


def exported_rows(page: Page) -> list[dict]:
    """Download the organisation map as CSV from the import/export tab and return its rows."""
    import csv
    import io

    page.get_by_role("tab", name="Import en export").click()
    box = panel(page, "Import en export")
    box.get_by_label("Exporteer als").click()
    page.get_by_role("option", name="CSV").click()
    expect(box.get_by_role("combobox", name="Exporteer als")).to_match_aria_snapshot('- combobox "Exporteer als": CSV')
    text = ""
    for _ in range(5):  # a click during the rerun after the choice may still get the previous format
        try:
            with page.expect_download(timeout=30_000) as download:
                box.get_by_role("button", name="Download").click()
            text = download.value.path().read_text(encoding="utf-8-sig")
        except PlaywrightError:
            continue
        if text.startswith("lon,lat,"):
            break
        page.wait_for_timeout(1000)
    assert text.startswith("lon,lat,"), text[:200]
    return list(csv.DictReader(io.StringIO(text)))


def test_speed_queen_picked_from_search_is_saved_at_that_place(page: Page, app_url: str) -> None:
    own_organisation(page, app_url, "Wassalonteam")
    page.get_by_role("tab", name="Nieuwe plek").click()
    new = panel(page, "Nieuwe plek")
    new.get_by_label("Zoek een plek of straat").fill("speed queen")
    new.get_by_label("Zoek een plek of straat").press("Enter")
    # the name, the kind from OSM (a laundromat, not a meeting place) and the point are filled in
    expect(new.get_by_label("Naam", exact=True)).to_have_value("Speed Queen", timeout=20_000)
    expect(page.get_by_text(f"Gekozen punt: {SPEED_QUEEN[0]:.5f}, {SPEED_QUEEN[1]:.5f}")).to_be_visible()
    expect(new.get_by_role("combobox", name="Soort plek")).to_match_aria_snapshot('- combobox "Soort plek": Wassalon')
    new.get_by_text("informeel", exact=True).click()
    new.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("“Speed Queen” staat op de kaart.")).to_be_visible(timeout=20_000)
    wait_items(page, 1)
    # saved once, at the picked place (not the namesake in Ixelles), with its OSM id and kind
    rows = exported_rows(page)
    assert len(rows) == 1, rows
    [row] = rows
    assert row["name"] == "Speed Queen"
    assert row["kind"] == "laundromat"
    assert row["osm_place_id"] == "bxl:poi/2307"
    assert row["formal"] == "false"
    lat, lon = float(row.get("lat") or row.get("latitude") or row["Y"]), float(row.get("lon") or row.get("longitude") or row["X"])
    assert (round(lat, 5), round(lon, 5)) == SPEED_QUEEN
    assert (round(lat, 5), round(lon, 5)) != IXELLES_SPEED_QUEEN
    # the form is empty for the next place, and no point is chosen any more
    page.get_by_role("tab", name="Nieuwe plek").click()
    expect(new.get_by_label("Naam", exact=True)).to_have_value("")


def test_a_refused_save_keeps_what_was_typed_and_says_why_next_to_the_field(page: Page, app_url: str) -> None:
    frame = own_organisation(page, app_url, "Koffieteam")
    box = frame.locator(".leaflet-container").bounding_box()
    frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.75}, force=True)
    expect(page.get_by_text("Gekozen punt")).to_be_visible(timeout=20_000)
    new = panel(page, "Nieuwe plek")
    new.get_by_label("Notities").fill("Elke woensdag koffie na de markt")
    new.get_by_label("Wanneer (dagen en uren)").fill("wo 10–12u")
    new.get_by_text("formeel", exact=True).click()
    new.get_by_role("button", name="Opslaan").click()  # no name: refused
    refusal = new.get_by_test_id("stForm").get_by_test_id("stAlert")
    expect(refusal).to_contain_text("Geef een naam op.", timeout=20_000)
    # the reason sits right under the name field, inside the form
    name_box = new.get_by_label("Naam", exact=True).bounding_box()
    alert_box = refusal.first.bounding_box()
    assert 0 <= alert_box["y"] - (name_box["y"] + name_box["height"]) < 80
    # everything typed is still there, and the point too
    expect(new.get_by_label("Notities")).to_have_value("Elke woensdag koffie na de markt")
    expect(new.get_by_label("Wanneer (dagen en uren)")).to_have_value("wo 10–12u")
    expect(new.get_by_role("radio", name="formeel", exact=True)).to_be_checked()
    expect(page.get_by_text("Gekozen punt")).to_be_visible()
    # typing the name now saves it all
    new.get_by_label("Naam", exact=True).fill("Koffiehoek markt")
    new.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("“Koffiehoek markt” staat op de kaart.")).to_be_visible(timeout=20_000)
    [row] = exported_rows(page)
    assert (row["name"], row["description"], row["hours"], row["formal"]) == (
        "Koffiehoek markt", "Elke woensdag koffie na de markt", "wo 10–12u", "true"
    )


def test_map_keeps_its_view_and_panel_its_tab_and_undo_sits_by_its_message(page: Page, app_url: str) -> None:
    frame = own_organisation(page, app_url, "Bankenteam")
    view = zoom_in(page, frame)
    box = frame.locator(".leaflet-container").bounding_box()
    frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7}, force=True)
    expect(page.get_by_text("Gekozen punt")).to_be_visible(timeout=20_000)
    new = panel(page, "Nieuwe plek")
    new.get_by_label("Naam", exact=True).fill("Bank bij de kerk")
    new.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("staat op de kaart")).to_be_visible(timeout=20_000)
    wait_items(page, 1)
    after_save = map_view(page)
    assert after_save["zoom"] == view["zoom"]
    assert abs(after_save["lat"] - view["lat"]) < 1e-4 and abs(after_save["lng"] - view["lng"]) < 1e-4

    # move: the panel stays on its tab, the map on its view
    page.get_by_role("tab", name="Bewerken").click()
    frame = find_map_frame(page, lambda f: f.locator("path.bk-item").count() == 1)
    frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.35, "y": box["height"] * 0.75}, force=True)
    move = panel(page).get_by_role("button", name="Verplaats naar het aangeklikte punt")
    expect(move).to_be_enabled(timeout=20_000)
    expect(page.get_by_role("tab", name="Bewerken")).to_have_attribute("aria-selected", "true")
    move.click()
    expect(page.get_by_text("is verplaatst")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("tab", name="Bewerken")).to_have_attribute("aria-selected", "true")
    assert map_view(page)["zoom"] == view["zoom"]

    # delete: the undo is offered next to the message that says so, not on a hidden tab
    panel(page).get_by_role("button", name="Verwijderen").click()
    expect(page.get_by_text("is verwijderd")).to_be_visible(timeout=20_000)
    wait_items(page, 0)
    expect(page.get_by_role("tab", name="Bewerken")).to_have_attribute("aria-selected", "true")
    assert map_view(page)["zoom"] == view["zoom"]
    notice = page.locator(".st-key-vp_notice")
    expect(notice).to_contain_text("is verwijderd")
    page.get_by_role("tab", name="Geschiedenis").click()  # even from another tab
    notice.get_by_role("button", name="Ongedaan maken").click()
    expect(notice).to_contain_text("is terug op de kaart", timeout=20_000)
    wait_items(page, 1)
    expect(page.get_by_role("tab", name="Geschiedenis")).to_have_attribute("aria-selected", "true")
    assert map_view(page)["zoom"] == view["zoom"]
    expect(notice.get_by_role("button", name="Ongedaan maken")).to_have_count(0)
