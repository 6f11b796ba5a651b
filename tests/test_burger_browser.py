"""Browser test of the burger page: create a citizen, add ties at all three levels, see them on the three maps
and in the inclusieweb, reload, and find everything still there; then erase the citizen."""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.signin import fresh_account, sign_in
from tests.test_app_browser import wait_for

# (level, what the worker types, the closest match to click if the typed name is unknown, function)
TIES = [
    ("Buurt", "Josaphatpark", None, "Verbindend"),
    ("Stad", "Evere", None, "Informatief"),
    ("Translokaal", "Casablanka", "Casablanca (MA)", "Affectief"),
]


def network_frames(page: Page) -> list[Frame]:
    """Return the frames of the citizen's map views (each has the citizen's anchor)."""
    frames = []
    for frame in page.frames:
        if frame is page.main_frame or frame.is_detached():
            continue
        try:
            # the map of the suggestions (numbered places, below their list) is not one of the three views
            if frame.locator("path.bk-anchor").count() and not frame.locator(".bk-suggestion").count():
                frames.append(frame)
        except PlaywrightError:
            continue
    return frames


def tie_counts(page: Page) -> list[int]:
    """Return, sorted, how many tie lines each map view draws."""
    return sorted(frame.locator("path.bk-tie").count() for frame in network_frames(page))


def wait_tie_counts(page: Page, expected: list[int]) -> None:
    """Wait until the three views draw `expected` tie lines (sorted)."""
    wait_for(lambda: tie_counts(page) == expected, page, f"tie lines per view {expected} (now {tie_counts(page)})", seconds=60)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun a widget change started (the app says its script is not running)."""
    app = page.locator('[data-testid="stApp"]')
    page.wait_for_timeout(300)  # the rerun request reaches the server and its "running" comes back
    wait_for(lambda: app.get_attribute("data-test-script-state") == "notRunning", page, "the app to finish its run", seconds=60)


def wait_place(page: Page, inputs, value: str) -> None:
    """Wait until the (one, once reruns settle) place field reads `value`."""
    wait_for(lambda: inputs.evaluate_all("els => els.map((e) => e.value)") == [value], page, f"the place field to read {value}")


def section(page: Page, name: str) -> None:
    """Open a section of the citizen's page (a segmented control, kept across reruns)."""
    buttons = page.locator('[data-testid="stButtonGroup"] button').filter(has_text=re.compile(f"^{name}$"))

    def selected() -> bool:
        return "true" in buttons.evaluate_all("els => els.map((e) => e.getAttribute('aria-checked'))")

    if not selected():
        buttons.first.click()
    wait_for(selected, page, f"the section {name} to open")
    settle(page)


def choose(page: Page, scope, label: str, option: str) -> None:
    """Pick `option` in the multiselect labelled `label` inside `scope`, again if a rerun redrew its list."""
    box = scope.locator('[data-testid="stMultiSelect"]').filter(has_text=label)

    def chosen() -> bool:
        return bool(box.locator(f'[data-tag][aria-label="{option}"]').count())

    for _ in range(5):
        settle(page)
        if chosen():
            break
        try:
            box.locator("input").click(timeout=10_000)
            box.locator("input").fill(option)  # a long list shows its first options only: filter it
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
        except PlaywrightTimeoutError:  # the list was detached by a rerun: open it again
            pass
        page.keyboard.press("Escape")
    wait_for(chosen, page, f"{option} chosen in {label}", seconds=10)


def test_citizen_with_ties_at_three_levels_survives_a_reload(page: Page, app_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, app_url, "coordinator", path="/burger")  # a coordinator: erasing is theirs
    expect(page.get_by_text("Nieuwe burger").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Geen naam en geen adres")).to_be_visible()
    page.get_by_role("button", name="Burger aanmaken").click()
    created = page.get_by_text(re.compile(r"Burger BK-[0-9A-Z]{4}-[0-9A-Z]{4} is aangemaakt"))
    expect(created).to_be_visible(timeout=30_000)
    code = re.search(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}", created.inner_text()).group(0)

    ties_tab = page.locator('[data-testid="stMain"]')
    for level, place, match, function in TIES:
        section(page, "Banden invoeren")
        ties_tab.locator('[data-testid="stRadio"]').first.get_by_text(level, exact=True).click()
        settle(page)
        ties_tab.get_by_label("Waar?").fill(place)
        choose(page, ties_tab.locator('[data-testid="stForm"]').first, "Functies", function)  # the add form (an edit form follows)
        ties_tab.get_by_role("button", name="Band toevoegen").click()
        settle(page)
        if match:  # an unknown name: nothing saved, the closest matches offered
            expect(page.get_by_text("Bedoelde u").first).to_be_visible(timeout=30_000)
            ties_tab.get_by_role("button", name=match, exact=True).click()
            settle(page)
            wait_place(page, ties_tab.get_by_label("Waar?"), match)
            ties_tab.get_by_role("button", name="Band toevoegen").click()
        expect(page.get_by_text("Band toegevoegd")).to_be_visible(timeout=30_000)

    # a tie with no function is refused with a message, and nothing is added
    ties_tab.get_by_label("Waar?").fill("Evere")
    ties_tab.get_by_role("button", name="Band toevoegen").click()
    expect(page.get_by_text(re.compile("functie", re.IGNORECASE)).first).to_be_visible(timeout=30_000)

    section(page, "Netwerk")
    wait_tie_counts(page, [1, 2, 3])  # buurt view: the buurt tie; Brussels: + stad; world: all three
    expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
    expect(page.get_by_text(re.compile("Het netwerk telt 3"))).to_be_visible()

    sign_in(page, app_url, "coordinator", path="/burger")  # a reload starts a new session: sign in again
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible(timeout=60_000)
    wait_tie_counts(page, [1, 2, 3])
    world = max(network_frames(page), key=lambda f: f.locator("path.bk-tie").count())
    expect(world.locator("path.bk-country").first).to_be_attached()
    assert world.locator("path.bk-tie.bk-level-translokaal").count() == 1
    assert world.locator("path.bk-tie-end").count() == 3
    assert errors == [], errors

    section(page, "Beheer")
    page.get_by_text(f"Ja, wis {code}").click()
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_text(f"{code} is gewist")).to_be_visible(timeout=30_000)


def select_in(page: Page, scope, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label` inside `scope` (its list may not open while the page redraws)."""
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        scope.get_by_role("combobox", name=label, exact=True).click()
        try:
            choice.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            settle(page)
            continue
        choice.click()
        return
    raise AssertionError(f"the option {option!r} of {label!r} never showed")


def test_a_tie_and_the_anchor_are_corrected_on_the_page(page: Page, app_url: str) -> None:
    """Issue 14: every property of a tie is edited (a group of 3 drinking friends), a refused edit keeps the form; the anchor too."""
    sign_in(page, app_url, fresh_account(app_url, "Correctieteam"), path="/burger")  # a team of this test (attempt) alone
    expect(page.get_by_role("button", name="Burger aanmaken")).to_be_visible(timeout=60_000)
    settle(page)
    page.get_by_role("button", name="Burger aanmaken").click()
    created = page.get_by_text(re.compile(r"Burger BK-[0-9A-Z]{4}-[0-9A-Z]{4} is aangemaakt"))
    expect(created).to_be_visible(timeout=30_000)
    code = re.search(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}", created.inner_text()).group(0)

    main = page.locator('[data-testid="stMain"]')
    section(page, "Banden invoeren")
    main.get_by_label("Waar?").first.fill("Josaphatpark")
    choose(page, main.locator('[data-testid="stForm"]').first, "Functies", "Verbindend")
    main.get_by_role("button", name="Band toevoegen").click()
    expect(page.get_by_text("Band toegevoegd")).to_be_visible(timeout=30_000)
    settle(page)

    edit = main.locator('[data-testid="stForm"]').nth(1)
    expect(edit.get_by_role("button", name="Wijzigingen bewaren")).to_be_visible(timeout=30_000)
    # a refused edit (no function left) says why and keeps what was typed
    edit.get_by_role("spinbutton", name=re.compile("Aantal personen")).fill("3")
    edit.locator('[data-testid="stMultiSelect"]').filter(has_text="Functies").get_by_role("button", name=re.compile("Remove|Verwijder")).first.click()
    edit.get_by_role("button", name="Wijzigingen bewaren").click()
    expect(main.get_by_text(re.compile("functie", re.IGNORECASE)).first).to_be_visible(timeout=30_000)
    expect(edit.get_by_role("spinbutton", name=re.compile("Aantal personen"))).to_have_value("3")
    # now a full correction: company from a group of 3 at the café, daily, mixed influence, light, in Evere (stad)
    choose(page, edit, "Functies", "Verbindend")
    edit.locator('[data-testid="stRadio"]').first.get_by_text("Stad", exact=True).click()
    edit.get_by_role("textbox", name="Andere plaats?").fill("Evere")
    select_in(page, edit, "Frequentie", "Dagelijks")
    select_in(page, edit, "Sterkte", "Lichte binding")
    select_in(page, edit, "Invloed", "Gemengd")
    edit.get_by_role("button", name="Wijzigingen bewaren").click()
    expect(page.get_by_text(re.compile("Band .* aangepast"))).to_be_visible(timeout=30_000)
    settle(page)
    # the tie list shows every property, the group as one row of 3 people
    table = main.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    for header in ("Frequentie", "Sterkte", "Invloed", "Wederkerigheid", "Personen"):
        expect(table.locator("[role=columnheader]", has_text=header).first).to_be_attached()
    expect(table.locator("[role=gridcell]", has_text="Evere").first).to_be_attached()
    expect(table.locator("[role=gridcell]", has_text="Gemengd").first).to_be_attached()
    expect(table.locator("[role=gridcell]", has_text="Dagelijks").first).to_be_attached()
    expect(table.locator("[role=row]")).to_have_count(2)  # the header and ONE tie
    expect(table.locator("[role=gridcell]", has_text=re.compile("^3$")).first).to_be_attached()
    section(page, "Netwerk")
    expect(page.get_by_text(re.compile("Het netwerk telt 3"))).to_be_visible(timeout=30_000)

    # a wrong anchor is corrected without erasing the citizen
    section(page, "Beheer")
    main.get_by_text(re.compile("^Ankerpunt houden")).click()
    settle(page)
    main.locator('[data-testid="stRadio"]').filter(has_text="Ankerpunt op de kaart").get_by_text("Plek", exact=True).click()
    settle(page)
    main.get_by_label("Plek die de burger kiest").fill("Josaphatpark")
    main.get_by_label("Plek die de burger kiest").press("Enter")
    settle(page)
    main.get_by_role("button", name="Profiel bewaren").click()
    expect(page.get_by_text(f"Profiel van {code} aangepast.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"Plek: .*Josaphat"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(code))).to_be_visible()
