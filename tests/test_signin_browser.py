"""Browser tests of sign-in (issue 10): a worker sees the team's citizens, signs out, reloads, and nothing of them is left;
a visitor sees no citizen code, tie or caseload figure on the burger and analyse pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from buurtkaart import citizens as cz
from buurtkaart import organisations
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import open_store
from buurtkaart.vocabulary import Location
from tests.signin import settle, sign_in, sign_out

ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
TIE = {"role": "friend", "capital": "bonding", "functions": ["affectief"], "frequency": "weekly", "strength": "strong",
       "state": "active", "influence": "positive", "reciprocity": "both", "level": "stad", "place_kind": "municipality",
       "place_ref": "evere", "place_label": "Evere", "lon": 4.4030741, "lat": 50.8726183}  # fmt: skip
CODE = re.compile(r"BK-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture(scope="module")
def codes(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Give "Inlogteam" and "Ander team" one citizen each (with a tie) in the served app's store; return their codes."""
    caches = sorted({p.resolve() for p in tmp_path_factory.getbasetemp().glob("buurtkaart_cache*")})
    assert len(caches) == 1, caches
    made = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(pseudo.KEY_ENV, raising=False)
        mp.setenv(pseudo.KEY_FILE_ENV, str(caches[0] / "pseudonym.key"))
        db = open_store(f"sqlite:///{caches[0] / 'buurtkaart.sqlite'}")
        for team in ("Inlogteam", "Ander team"):
            org = organisations.find(db, team)
            people = cz.list_citizens(db, org)
            if people.empty:
                person = cz.create_citizen(db, org, anchor=ANCHOR)
                cz.add_ties(db, org, person.citizen_id, [TIE])
                made[team] = person.code
            else:
                made[team] = people["code"].iloc[0]
        db.close()
    return made


def page_text(page: Page) -> str:
    """Return the visible text of the page and of its frames (the maps)."""
    texts = [page.locator("body").inner_text()]
    for frame in page.frames:
        if frame is not page.main_frame and not frame.is_detached():
            try:
                texts.append(frame.locator("body").inner_text(timeout=2_000))
            except Exception:  # a frame replaced by a rerun
                continue
    return "\n".join(texts)


def test_sign_in_as_worker_see_the_citizens_sign_out_reload_and_nothing_is_left(page: Page, app_url: str, codes: dict) -> None:
    sign_in(page, app_url, "inlog", path="/burger")
    expect(page.get_by_role("heading", name=re.compile(codes["Inlogteam"]))).to_be_visible(timeout=60_000)
    assert codes["Ander team"] not in page.content()  # another team's citizen: never

    sign_out(page)
    expect(page.get_by_text("Meld je aan").first).to_be_visible(timeout=30_000)
    assert not CODE.search(page_text(page)) and codes["Inlogteam"] not in page.content()

    page.reload()
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')).to_be_visible(timeout=60_000)
    settle(page)
    expect(page.get_by_text("Meld je aan").first).to_be_visible()
    assert not CODE.search(page_text(page)) and codes["Inlogteam"] not in page.content()


def test_a_visitor_sees_no_citizen_and_no_caseload(page: Page, app_url: str, codes: dict) -> None:
    page.goto(app_url + "/burger")
    expect(page.get_by_text("Meld je aan").first).to_be_visible(timeout=60_000)
    settle(page)
    assert not CODE.search(page_text(page))
    expect(page.get_by_role("button", name="Burger aanmaken")).to_have_count(0)

    page.goto(app_url + "/analyse")
    expect(page.get_by_text("Meld je aan").first).to_be_visible(timeout=120_000)
    settle(page, seconds=120)
    text = page_text(page)
    assert not CODE.search(text) and "De cijfers van dit gebied zijn verborgen" not in text
    assert not page.get_by_text(re.compile("burgers", re.IGNORECASE)).filter(has_text=re.compile(r"\d")).count()


def test_a_wrong_password_is_refused(page: Page, app_url: str) -> None:
    page.goto(app_url + "/burger")
    form = page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')
    form.get_by_label("Gebruikersnaam").fill("inlog")
    form.get_by_label("Wachtwoord").fill("not the password at all")
    form.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("Gebruikersnaam of wachtwoord klopt niet")).to_be_visible(timeout=30_000)
    assert not CODE.search(page_text(page))
