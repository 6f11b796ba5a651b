"""Browser tests of issue 14's "No action on any page loses typed input": each form that can refuse a save is filled,
its error triggered, and what was typed is still there, with the reason next to the field.

The new-place form of the vindplaatsen page is tested in tests/test_vindplaatsen_browser.py
(test_a_refused_save_keeps_what_was_typed_and_says_why_next_to_the_field) and a refused tie edit keeping its group
size in tests/test_burger_browser.py; they are not repeated here. The Beheer page has no form that saves (no
"add user" form yet), and the first-start form shows only while the store has no account (the served app has them).
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from tests.signin import STORES, TEST_PASSWORD, fresh_account, settle, sign_in
from tests.test_app_browser import find_map_frame
from tests.test_burger_browser import choose, section

UNKNOWN_PLACE = "Xyzzyplein Nergensland"  # no place in Brussels has a name like it
SHOTS = "/tmp/seedwalk"


def under(field: Locator, alert: Locator, gap: float = 140) -> None:
    """Assert that `alert` is shown right under `field` (within `gap` pixels of its bottom)."""
    expect(alert).to_be_visible(timeout=30_000)
    field_box, alert_box = field.bounding_box(), alert.bounding_box()
    assert field_box and alert_box, (field_box, alert_box)
    assert 0 <= alert_box["y"] - (field_box["y"] + field_box["height"]) < gap, (field_box, alert_box)


def type_date(page: Page, field: Locator, day: date) -> None:
    """Type `day` into a Streamlit date field (its year, month and day segments) and leave it."""
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.locator('[data-testid="stMain"] h1').first.click()  # leaving the field sends the date to the app
    settle(page)


def date_shown(field: Locator) -> str:
    """Return the date a Streamlit date field shows, as YYYY/MM/DD."""
    return "".join(field.inner_text().split())


def org_of(app_url: str, username: str):
    """Return (the store of the served app, the organisation id of a fresh account); the caller closes the store."""
    from buurtkaart import organisations
    from buurtkaart.store import open_store

    db = open_store(f"sqlite:///{STORES[app_url]}")  # tests.signin.fresh_account: "<Team> <suffix>" / "<team>-<suffix>"
    org = next(oid for oid, name in organisations.listing(db) if name.lower().replace(" ", "-") == username)
    return db, org


def add_places(app_url: str, username: str, places: list[tuple[str, str, float, float]]) -> None:
    """Add (layer, name, lon, lat) items to the organisation of a fresh account."""
    from buurtkaart import vindplaatsen as vp

    db, org = org_of(app_url, username)
    try:
        for layer, name, lon, lat in places:
            vp.add(db, org, user="ann", layer=layer, name=name, kind="meeting", lon=lon, lat=lat, bounds=(4.2, 50.7, 4.5, 50.95))
    finally:
        db.close()


def test_a_refused_sign_in_keeps_the_username(page: Page, app_url: str) -> None:
    page.goto(app_url + "/burger")
    form = page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')
    expect(form).to_be_visible(timeout=60_000)
    form.get_by_label("Gebruikersnaam").fill("worker")
    form.get_by_label("Wachtwoord").fill("not the password")
    form.get_by_role("button", name="Aanmelden").click()
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_test_id("stAlert")).to_be_visible(timeout=30_000)  # why, right above the form
    expect(form.get_by_label("Gebruikersnaam")).to_have_value("worker")  # the username typed stays
    expect(form.get_by_label("Wachtwoord")).to_have_value("")  # the password is typed again
    page.screenshot(path=f"{SHOTS}/signin-refused.png")
    form.get_by_label("Wachtwoord").fill(TEST_PASSWORD)
    form.get_by_role("button", name="Aanmelden").click()
    expect(sidebar.get_by_text(re.compile(r"Aangemeld: worker\b"))).to_be_visible(timeout=60_000)


def test_the_burger_forms_keep_what_was_typed_when_a_save_is_refused(page: Page, app_url: str) -> None:
    sign_in(page, app_url, fresh_account(app_url, "Formteam"), path="/burger")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name="Burger aanmaken")).to_be_visible(timeout=60_000)
    settle(page)

    # new citizen: a reference too long is refused under the reference field; the profile chosen stays
    reference = main.get_by_label(re.compile("^Dossiernummer"))
    choose(page, main, "Situatie", "Nieuwkomer")
    reference.fill("D" * 120)
    main.get_by_role("button", name="Burger aanmaken").click()
    settle(page)
    under(reference, main.get_by_test_id("stAlert").filter(has_text="Het dossiernummer is leeg of te lang"))
    expect(reference).to_have_value("D" * 120)
    expect(main.locator('[data-testid="stMultiSelect"]').filter(has_text="Situatie").locator('[data-tag][aria-label="Nieuwkomer"]')).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/citizen-refused.png")
    reference.fill("D-2026-17")
    main.get_by_role("button", name="Burger aanmaken").click()
    expect(page.get_by_text(re.compile(r"Burger BK-[0-9A-Z]{4}-[0-9A-Z]{4} is aangemaakt"))).to_be_visible(timeout=30_000)
    settle(page)

    # add a tie: no function is refused under the functions; the place and the group size stay
    section(page, "Banden invoeren")
    form = main.locator('[data-testid="stForm"]').first
    form.get_by_label("Waar?").fill("Josaphatpark")
    form.get_by_role("spinbutton", name=re.compile("Aantal personen")).fill("4")
    form.get_by_role("button", name="Band toevoegen").click()
    settle(page)
    functions = form.locator('[data-testid="stMultiSelect"]').filter(has_text="Functies")
    under(functions, form.get_by_test_id("stAlert").filter(has_text="Kies minstens één functie"))
    expect(form.get_by_label("Waar?")).to_have_value("Josaphatpark")
    expect(form.get_by_role("spinbutton", name=re.compile("Aantal personen"))).to_have_value("4")
    # an unknown place is refused under the place; the function chosen and the group size stay
    choose(page, form, "Functies", "Verbindend")
    form.get_by_label("Waar?").fill(UNKNOWN_PLACE)
    form.get_by_role("button", name="Band toevoegen").click()
    settle(page)
    under(form.get_by_label("Waar?"), form.get_by_test_id("stAlert").filter(has_text="Geen plek"))
    expect(form.get_by_label("Waar?")).to_have_value(UNKNOWN_PLACE)
    expect(functions.locator('[data-tag][aria-label="Verbindend"]')).to_have_count(1)
    expect(form.get_by_role("spinbutton", name=re.compile("Aantal personen"))).to_have_value("4")
    page.screenshot(path=f"{SHOTS}/tie-refused.png")
    form.get_by_label("Waar?").fill("Josaphatpark")
    form.get_by_role("button", name="Band toevoegen").click()
    expect(page.get_by_text(re.compile(r"Band toegevoegd \(.*Josaphat"))).to_be_visible(timeout=30_000)
    settle(page)

    # edit the tie: an unknown new place is refused under the place; the place and the group size typed stay
    edit = main.locator('[data-testid="stForm"]').nth(1)
    expect(edit.get_by_role("button", name="Wijzigingen bewaren")).to_be_visible(timeout=30_000)
    edit.get_by_role("textbox", name="Andere plaats?").fill(UNKNOWN_PLACE)
    edit.get_by_role("spinbutton", name=re.compile("Aantal personen")).fill("6")
    edit.get_by_role("button", name="Wijzigingen bewaren").click()
    settle(page)
    under(edit.get_by_role("textbox", name="Andere plaats?"), edit.get_by_test_id("stAlert").filter(has_text="Geen plek"))
    expect(edit.get_by_role("textbox", name="Andere plaats?")).to_have_value(UNKNOWN_PLACE)
    expect(edit.get_by_role("spinbutton", name=re.compile("Aantal personen"))).to_have_value("6")

    # profile and anchor: an unknown anchor place says so under the field and cannot be saved; all typed stays
    section(page, "Beheer")
    choose(page, main, "Situatie", "Alleenstaande ouder")
    main.get_by_text(re.compile("^Ankerpunt houden")).click()
    settle(page)
    main.locator('[data-testid="stRadio"]').filter(has_text="Ankerpunt op de kaart").get_by_text("Plek", exact=True).click()
    settle(page)
    anchor = main.get_by_label("Plek die de burger kiest")
    anchor.fill(UNKNOWN_PLACE)
    anchor.press("Enter")
    settle(page)
    under(anchor, main.get_by_test_id("stAlert").filter(has_text="Geen plek gevonden"))
    expect(anchor).to_have_value(UNKNOWN_PLACE)
    expect(main.get_by_role("button", name="Profiel bewaren")).to_be_disabled()
    situations = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Situatie")
    expect(situations.locator('[data-tag][aria-label="Alleenstaande ouder"]')).to_have_count(1)
    expect(situations.locator('[data-tag][aria-label="Nieuwkomer"]')).to_have_count(1)

    # versions: moving a version onto a day that has one is refused; the date typed stays
    section(page, "In de tijd")
    today, earlier = date.today(), date.today() - timedelta(days=10)
    main.get_by_role("button", name="Versie bewaren").click()
    expect(page.get_by_text(f"Het netwerk is bewaard op {today.isoformat()}.")).to_be_visible(timeout=30_000)
    settle(page)
    type_date(page, main.get_by_role("group", name="Datum", exact=True), earlier)
    main.get_by_role("button", name="Versie bewaren").click()
    expect(page.get_by_text(f"Het netwerk is bewaard op {earlier.isoformat()}.")).to_be_visible(timeout=30_000)
    settle(page)
    redate = main.get_by_role("group", name="Datum van deze versie aanpassen")
    other = earlier if date_shown(redate) == today.strftime("%Y/%m/%d") else today
    type_date(page, redate, other)  # the compared version moved onto the other one's day
    main.get_by_role("button", name="Datum bewaren").click()
    settle(page)
    under(redate, main.get_by_test_id("stAlert").filter(has_text="Er is al een versie op"))
    assert date_shown(redate) == other.strftime("%Y/%m/%d")
    page.screenshot(path=f"{SHOTS}/version-refused.png")


def test_a_refused_edit_of_a_vindplaats_keeps_what_was_typed(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Bewerkteam")
    add_places(app_url, username, [("vindplaats", "Bankje bij de kerk", 4.3770, 50.8640)])
    sign_in(page, app_url, username, path="/vindplaatsen")
    find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    page.get_by_role("tab", name="Bewerken").click()
    edit = page.get_by_role("tabpanel", name="Bewerken")
    name = edit.get_by_label("Naam", exact=True)
    expect(name).to_have_value("Bankje bij de kerk", timeout=30_000)
    edit.get_by_label("Notities").fill("Oudere mannen, elke ochtend")
    edit.get_by_label("Wanneer (dagen en uren)").fill("ma–za 8–11u")
    name.fill("")
    edit.get_by_role("button", name="Opslaan").click()
    settle(page)
    under(name, edit.get_by_test_id("stForm").get_by_test_id("stAlert").filter(has_text="Geef een naam op."), gap=80)
    expect(edit.get_by_label("Notities")).to_have_value("Oudere mannen, elke ochtend")
    expect(edit.get_by_label("Wanneer (dagen en uren)")).to_have_value("ma–za 8–11u")
    name.fill("Bankje bij de Sint-Servaaskerk")
    edit.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Bankje bij de Sint-Servaaskerk").first).to_be_visible(timeout=30_000)


def test_a_refused_round_save_and_walk_keep_what_was_typed(page: Page, app_url: str) -> None:
    from buurtkaart.store import NAME_MAX

    username = fresh_account(app_url, "Rondeformteam")
    lon, lat = 4.3770, 50.8640
    per_lon = 111_320 * math.cos(math.radians(lat))
    add_places(app_url, username, [
        ("site", "Buurthuis Vertrek", lon, lat),
        ("vindplaats", "Bank op het plein", lon + 200 / per_lon, lat),
        ("vindplaats", "Wassalon hoek", lon, lat + 200 / 111_320),
    ])  # fmt: skip
    sign_in(page, app_url, username, path="/ronde")
    find_map_frame(page, lambda f: f.locator("path.bk-street").count() > 0, seconds=60)
    page.get_by_label("Plekken om langs te gaan").click()
    for name in ("Bank op het plein", "Wassalon hoek"):
        page.get_by_role("option", name=f"{name} — Vindplaats").click()
    page.keyboard.press("Escape")
    settle(page)
    page.get_by_role("button", name="Ronde plannen").click()
    name = page.get_by_label("Naam van de ronde")
    expect(name).to_be_visible(timeout=60_000)
    settle(page)
    too_long = "Ochtendronde langs de banken " + "x" * NAME_MAX
    name.fill(too_long)
    name.press("Enter")
    settle(page)
    page.get_by_role("button", name="Ronde bewaren").click()
    settle(page)
    under(name, page.get_by_test_id("stAlert").filter(has_text="Geef de ronde een naam"))
    expect(name).to_have_value(too_long)
    page.screenshot(path=f"{SHOTS}/round-refused.png")
    name.fill("Ochtendronde")
    name.press("Enter")
    settle(page)
    page.get_by_role("button", name="Ronde bewaren").click()
    expect(page.get_by_text("De ronde Ochtendronde is bewaard.")).to_be_visible(timeout=30_000)
    settle(page)

    # mark it walked without saying by whom: refused, in the form; the count of contacts typed stays
    walked = page.locator('[data-testid="stForm"]').filter(has_text="Markeer als gestapt")
    walked.get_by_label("Door (medewerker of vrijwilliger)").fill("")
    walked.get_by_role("spinbutton", name="Aantal contacten (geen namen)").fill("7")
    walked.get_by_role("button", name="Markeer als gestapt").click()
    settle(page)
    expect(walked.get_by_test_id("stAlert").filter(has_text="Geef je naam op")).to_be_visible(timeout=30_000)
    expect(walked.get_by_role("spinbutton", name="Aantal contacten (geen namen)")).to_have_value("7")
    walked.get_by_label("Door (medewerker of vrijwilliger)").fill("Ann")
    walked.get_by_role("button", name="Markeer als gestapt").click()
    expect(page.get_by_text(re.compile("Ann.*7|7.*Ann")).first).to_be_visible(timeout=30_000)
