"""Browser test of issue 14's "Must hold": the seed's cases (Sara, William, Ryan) walked through the burger page as a
worker, asserting the network sentences and the suggestions that fit (or must not be made to) each of them."""

from __future__ import annotations

import math
import re

from playwright.sync_api import Page, expect

from tests.signin import STORES, fresh_account, sign_in
from tests.test_app_browser import wait_for
from tests.test_burger_browser import choose, section, select_in, settle

ANCHOR = "Antenne Josaphat"  # an OSM place on a street in Schaerbeek: every citizen's chosen anchor here
SHOTS = "/tmp/seedwalk"
NEW_CITIZEN = "➕ Nieuwe burger"
# The team's own map around the anchor: (layer, name, kind, metres east, metres north, target groups, wheelchair)
PLACES = [
    ("vindplaats", "Taverne Spoorweg", "cafe", 150, 0, (), "unknown"),  # William's stamcafé
    ("vindplaats", "Café De Ster", "cafe", 0, 250, (), "unknown"),
    ("vindplaats", "Theehuis Al Amal", "tea_house", 0, -150, ("men",), "unknown"),  # for men only
    ("vindplaats", "Theehuis Voor Iedereen", "tea_house", -200, 0, ("everyone",), "unknown"),
    ("vindplaats", "Ontmoetingsruimte Trap", "meeting", 100, 100, (), "no"),  # stairs: not for Ryan
    ("vindplaats", "Buurtzaal Drempel", "meeting", -150, 150, (), "limited"),
    ("vindplaats", "Buurthuis Rolstoel", "meeting", 350, -200, (), "yes"),  # the farthest, and wheelchair "ja"
    ("need", "Buurvrouw wil elke avond gegroet worden", "other", 200, 200, (), "unknown"),  # a need Ryan's talent meets
]


def seed_team_map(app_url: str, username: str, region) -> None:
    """Give the account's (fresh) organisation the places above and the free situation tags "woman" and "man"."""
    from buurtkaart import gazetteer, organisations, vocabulary_entries
    from buurtkaart import vindplaatsen as vp
    from buurtkaart.store import open_store

    anchor = gazetteer.suggest("buurt", ANCHOR, area=region, items=None, limit=1)[0]
    per_lon = 111_320 * math.cos(math.radians(anchor.lat))
    db = open_store(f"sqlite:///{STORES[app_url]}")
    try:  # tests.signin.fresh_account names the organisation "<Team> <suffix>" and its user "<team>-<suffix>"
        org = next(oid for oid, name in organisations.listing(db) if name.lower().replace(" ", "-") == username)
        for layer, name, kind, east, north, groups, wheelchair in PLACES:
            vp.add(db, org, user="ann", layer=layer, name=name, kind=kind, lon=anchor.lon + east / per_lon,
                   lat=anchor.lat + north / 111_320, bounds=(4.2, 50.7, 4.5, 50.95), target_groups=groups,
                   wheelchair=wheelchair)  # fmt: skip
        for tag in ("woman", "man"):  # a coordinator's own words for the profile
            vocabulary_entries.add_entry(db, org, "situations", tag, user="ann")
    finally:
        db.close()


def new_citizen(page: Page, *, situations: tuple[str, ...] = (), talents: tuple[str, ...] = (), interests: tuple[str, ...] = ()) -> str:
    """Create a citizen anchored at ANCHOR with the burger page's form; return their code."""
    main = page.locator('[data-testid="stMain"]')
    if not main.get_by_role("button", name="Burger aanmaken").count():
        select_in(page, page.locator('[data-testid="stSidebar"]'), "Burger", NEW_CITIZEN)
    expect(main.get_by_role("button", name="Burger aanmaken")).to_be_visible(timeout=60_000)
    settle(page)
    for label, options in (("Situatie", situations), ("Talenten", talents), ("Interesses", interests)):
        for option in options:
            choose(page, main, label, option)
    main.locator('[data-testid="stRadio"]').filter(has_text="Ankerpunt op de kaart").get_by_text("Plek", exact=True).click()
    settle(page)
    main.get_by_label("Plek die de burger kiest").fill(ANCHOR)
    main.get_by_label("Plek die de burger kiest").press("Enter")
    settle(page)
    expect(main.get_by_role("button", name="Burger aanmaken")).to_be_enabled(timeout=30_000)
    main.get_by_role("button", name="Burger aanmaken").click()
    created = page.get_by_text(re.compile(r"Burger BK-[0-9A-Z]{4}-[0-9A-Z]{4} is aangemaakt"))
    expect(created).to_be_visible(timeout=30_000)
    code = re.search(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}", created.inner_text()).group(0)
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Plek: {ANCHOR}").first).to_be_visible()
    return code


def add_tie(page: Page, level: str, place: str, functions: tuple[str, ...], influence: str | None = None) -> None:
    """Add a tie with the burger page's add form (the place typed as the gazetteer names it)."""
    main = page.locator('[data-testid="stMain"]')
    section(page, "Banden invoeren")
    main.locator('[data-testid="stRadio"]').first.get_by_text(level, exact=True).click()
    settle(page)
    form = main.locator('[data-testid="stForm"]').first  # the add form (an edit form follows once there is a tie)
    form.get_by_label("Waar?").fill(place)
    for function in functions:
        choose(page, form, "Functies", function)
    if influence:
        select_in(page, form, "Invloed", influence)
        settle(page)
    form.get_by_label("Waar?").fill(place)  # again: a rerun while choosing may have redrawn the form
    form.get_by_role("button", name="Band toevoegen").click()
    expect(page.get_by_text(f"Band toegevoegd ({place}).")).to_be_visible(timeout=30_000)
    settle(page)


def suggested(page: Page) -> list[str]:
    """Open the network section and return the names in the suggestion table, in its order (its visible rows)."""
    section(page, "Netwerk")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Plekken op wandelafstand die passen")).to_be_visible(timeout=120_000)
    table = main.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible(timeout=120_000)

    def names() -> list[str]:
        rows = table.locator("[role=row]")
        found = [rows.nth(i).locator("[role=gridcell]").all_inner_texts() for i in range(1, rows.count())]
        return [cells[1].strip() for cells in found if len(cells) > 1]

    # the first 7 rows are visible without scrolling; the team's places (the ones asserted on) always rank first
    return wait_for(lambda: names() if len(names()) >= 7 else [], page, "the suggestion table's rows", seconds=60)


def test_sara_william_and_ryan_get_the_sentences_and_suggestions_that_fit(page: Page, app_url: str, region) -> None:
    username = fresh_account(app_url, "Seedteam")
    seed_team_map(app_url, username, region)
    sign_in(page, app_url, username, path="/burger")
    main = page.locator('[data-testid="stMain"]')

    # Sara: a mother and newcomer, family in Morocco and across Europe (4 translokaal ties), one tie in the city
    sara = new_citizen(page, situations=("Nieuwkomer", "Alleenstaande ouder", "woman"))
    for city in ("Casablanca (MA)", "Tangier (MA)", "Paris (FR)", "Madrid (ES)"):
        add_tie(page, "Translokaal", city, ("Affectief",))
    add_tie(page, "Stad", "Evere", ("Informatief",))
    names = suggested(page)
    page.screenshot(path=f"{SHOTS}/sara.png", full_page=True)
    expect(main.get_by_text("In de buurt: 0, elders in de stad: 1, translokaal: 4.")).to_be_visible()
    expect(main.get_by_text("Niemand biedt gezelschap (verbindend).")).to_be_visible()
    expect(main.get_by_text("Alle steun komt van buiten de buurt.")).to_be_visible()
    assert "Theehuis Voor Iedereen" in names, (sara, names)  # a tea house for everyone is suggested to her
    assert "Theehuis Al Amal" not in names, (sara, names)  # the men-only one is not

    # William: a man, fond of cafés, with a negative tie at his stamcafé near his anchor
    william = new_citizen(page, situations=("man",), interests=("Café, theehuis en eethuis",))
    add_tie(page, "Buurt", "Taverne Spoorweg", ("Verbindend", "Affectief"), influence="Negatief")
    names = suggested(page)
    page.screenshot(path=f"{SHOTS}/william.png", full_page=True)
    expect(main.get_by_text("1 band heeft een negatieve invloed.")).to_be_visible()
    expect(main.get_by_text("In de buurt: 1, elders in de stad: 0, translokaal: 0.")).to_be_visible()
    assert "Taverne Spoorweg" not in names, (william, names)  # never sent back to the place of a harmful tie
    assert "Café De Ster" in names, (william, names)  # another café of the team is
    assert "Theehuis Al Amal" in names, (william, names)  # and the men-only tea house, to a man

    # Ryan: in a wheelchair, greets the neighbours from his balcony; a neighbour nearby wants to be greeted
    ryan = new_citizen(page, situations=("Rolstoelgebruiker",), talents=("Buren groeten, een oogje in het zeil houden",))
    names = suggested(page)
    page.screenshot(path=f"{SHOTS}/ryan.png", full_page=True)
    assert names[0] == "Buurthuis Rolstoel", (ryan, names)  # wheelchair "ja" first, though the farthest of the team's
    assert "Ontmoetingsruimte Trap" not in names, (ryan, names)  # wheelchair "nee": out
    assert names.index("Buurtzaal Drempel") > 0, (ryan, names)  # "beperkt" after "ja", though nearer
    expect(main.get_by_role("heading", name="Sociaal gewaardeerde rollen in de buurt")).to_be_visible()
    expect(main.get_by_text(re.compile(r"Buurvrouw wil elke avond gegroet worden zoekt Buren groeten, .* — \d+ m wandelen"))).to_be_visible()
