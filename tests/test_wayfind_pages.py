"""The Kaart and vindplaatsen pages through Streamlit's AppTest: a place from a popup link (by id, hostile ids too),
the search in the area, the first-visit guide."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from buurtkaart import accounts, organisations
from buurtkaart import vindplaatsen as vp
from tests.test_signin_pages import PASSWORD, app_store_fixture, page, shown_text  # noqa: F401  (the fixture app_store)

JOSAPHAT_WASH = "bxl:poi/2206"


@pytest.fixture
def worker(app_store) -> accounts.Actor:
    """A worker of an organisation with one vindplaats."""
    org = organisations.ensure(app_store, "LDC Wegwijs")
    vp.add(app_store, org, user="admin", layer="vindplaats", name="Bank <script>x</script>", kind="bench", lon=4.3795, lat=50.8674,
           bounds=(4.24, 50.76, 4.48, 50.92))  # fmt: skip
    return accounts.create_user(app_store, None, username="wegwijs", password=PASSWORD, organisation_id=org, role="worker")


def opened(name: str, actor: accounts.Actor | None, **query: str) -> AppTest:
    """Return a run of the page `name` opened at an address with `query` (signed in as `actor`, if given)."""
    at = page(name)
    if actor is not None:
        at.session_state["auth_user_id"] = actor.user_id
        at.session_state["auth_last_seen"] = accounts.now()
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def name_field(at: AppTest):
    """Return the name field of the new-place form."""
    return next(box for box in at.text_input if str(box.key).startswith("vp_new_") and str(box.key).endswith("_name"))


def test_a_popup_link_puts_that_osm_place_in_the_new_place_form(worker) -> None:
    at = opened("vindplaatsen_page.py", worker, osm=JOSAPHAT_WASH)
    assert not at.exception
    assert name_field(at).value == "Josaphat Wash"
    kind = next(box for box in at.selectbox if str(box.key).endswith("_kind"))
    assert kind.value == "laundromat"  # the OSM kind, not a meeting place
    assert at.session_state["vp_new_osm"][0] == JOSAPHAT_WASH  # the id is kept, to be saved with the place
    assert "osm" not in at.query_params  # used once
    assert "“Josaphat Wash” uit de kaart staat klaar" in shown_text(at)


@pytest.mark.parametrize("hostile", ["<img src=x onerror=alert(1)>", "bxl:poi/2206' OR '1'='1", "../../etc/passwd", "x" * 5000])
def test_a_hostile_or_unknown_id_fills_nothing_and_says_so(worker, hostile: str) -> None:
    at = opened("vindplaatsen_page.py", worker, osm=hostile)
    assert not at.exception
    assert name_field(at).value == ""
    assert "vp_point" not in at.session_state and "vp_new_osm" not in at.session_state
    assert "in de kaartgegevens; kies een punt op de kaart" in shown_text(at)
    assert "<img" not in shown_text(at)


def test_a_visitor_with_a_popup_link_is_asked_to_sign_in_first(worker) -> None:
    at = opened("vindplaatsen_page.py", None, osm=JOSAPHAT_WASH)
    assert not at.exception
    assert "Meld je aan" in shown_text(at)
    assert "vp_new_osm" not in at.session_state and at.query_params["osm"] in (JOSAPHAT_WASH, [JOSAPHAT_WASH])  # kept for after the sign-in


def test_the_kaart_shows_the_guide_until_it_is_hidden_and_the_teams_vindplaatsen(worker) -> None:
    at = opened("map_page.py", worker)
    assert not at.exception
    text = shown_text(at)
    for step in ("Markeer je vindplaatsen", "Breng het netwerk van een burger in kaart", "Bekijk de buurtanalyse"):
        assert step in text
    assert any(b.key == "demo_enter" for b in at.button)  # the demo, at any time
    at.button(key="guide_dismiss").click().run()
    assert "Markeer je vindplaatsen" not in shown_text(at)
    assert "Klik op de kaart om te zien in welke straat je bent." in shown_text(at)


def test_the_kaart_search_finds_schaerbeek_only_with_commune(worker) -> None:
    at = opened("map_page.py", worker)
    at.text_input(key="search").input("wash").run()
    assert not at.exception
    [found] = [box for box in at.selectbox if box.key == "search_pick"]
    labels = found.options  # the labels as shown
    assert labels and all(str(label).endswith(", Schaerbeek") for label in labels), labels
    assert not any(str(label).startswith("Wash Club") for label in labels)


@pytest.mark.parametrize(("lang", "title", "hint"), [
    ("fr", "Première visite ? Voici comment commencer", "Cliquez sur la carte pour voir dans quelle rue vous êtes."),
    ("en", "First time here? Start like this", "Click the map to see which street you are in."),
])  # fmt: skip
def test_the_guide_and_the_click_hint_speak_the_users_language(worker, lang: str, title: str, hint: str) -> None:
    at = page("map_page.py")
    at.session_state["auth_user_id"] = worker.user_id
    at.session_state["auth_last_seen"] = accounts.now()
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    text = shown_text(at)
    assert title in text and hint in text
    assert "Markeer" not in text and "Klik op de kaart" not in text and "Eerste keer" not in text
    assert at.button(key="guide_dismiss").label != "Begrepen, verberg deze gids"
