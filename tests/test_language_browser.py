"""Every page in French and in English, rendered in Chromium: no Dutch left and no English of Streamlit's or Leaflet's own.

A team of its own gets a citizen with a tie in Morocco (typed "Marokko"), a vindplaats (so there is a history) and a
saved version; its coordinator signs in, picks the language in the sidebar and opens every page, every tab and every
section. The scan reads what a person sees or hears: the text, the placeholders, the titles and labels that a screen
reader reads, the CSS-generated text, and the map frames (scale bar, draw tool tips).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from buurtkaart import citizens as cz
from buurtkaart import i18n, organisations
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import open_store
from buurtkaart.vocabulary import Location
from tests.signin import STORES, fresh_account, settle, sign_in

ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)  # a real place
MOROCCO = {"role": "family", "capital": "bonding", "functions": ["affectief"], "frequency": "monthly", "strength": "strong",
           "state": "active", "influence": "positive", "reciprocity": "both", "level": "translokaal", "place_kind": "country",
           "place_ref": "MA", "place_label": "Marokko", "lon": -6.8326, "lat": 34.0133}  # fmt: skip
BOUNDS = (4.24, 50.76, 4.48, 50.91)
# The pages (url path) and, in each, the tabs or sections to open (their key in i18n) to see all of it.
PAGES: dict[str, tuple[str, ...]] = {
    "kaart": (),
    "vindplaatsen": ("vp.tab.new", "vp.tab.edit", "vp.tab.history", "vp.tab.exchange"),
    "burger": ("burger.tab.network", "burger.tab.ties", "burger.tab.time", "burger.tab.manage"),
    "analyse": (),
    "ronde": (),
    "laden": ("load.file", "load.online", "load.bbox.embedded"),
    "delen": (),
    "beheer": (),
}
TITLES = {"kaart": "page.map", "laden": "page.data"}  # the title key of a page whose path is not its key
# English that Streamlit or Leaflet writes by itself, whatever the app's language.
ENGLISH_WIDGETS = ("Choose options", "Choose an option", "No options to select", "Browse files", "Drag and drop",
                   "200MB per file", "Upload", "Select all", "Click to start", "Press Enter")  # fmt: skip
# Leaflet.draw's own button titles and texts (checked as whole texts: our help may say "draw a polygon" in English).
ENGLISH_DRAW = {"Draw a polygon", "Draw a rectangle", "Delete layers", "No layers to delete", "Cancel drawing", "Cancel",
                "Finish drawing", "Finish", "Delete last point drawn", "Delete last point", "Save", "Clear All"}  # fmt: skip
# Dutch that once stood in the French and English pages (hints, defaults, words, a country as typed, the plural).
DUTCH_ONLY = ("bv. ", "ma–vr", "Mijn organisatie", "medewerker", "Marokko", "plekken", "Tijdstip", "Gebruiker",
              "Opslaan", "Zoek ", "Wijk", "wijken", "Geen ", " jaar")  # fmt: skip
ENGLISH_DATA_WORDS = re.compile(r"\b(?:create|update|delete|place_label|group_size)\b")  # raw keys as values or headers
SCALE_IMPERIAL = re.compile(r"^\s*\d+\s*(?:ft|mi)\s*$")

# What a person sees or hears: text of rendered elements, placeholders, titles, aria-labels and CSS-generated text.
SCAN_JS = """
() => {
  const seen = [];
  const visible = (el) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  seen.push(document.body.innerText);
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const s = getComputedStyle(el, pseudo);
      const c = s.content;
      if (c && c !== 'none' && c !== 'normal' && c.startsWith('"') && s.display !== 'none' && s.visibility !== 'hidden') {
        seen.push(c.slice(1, -1));
      }
    }
    if (!visible(el)) continue;
    for (const attr of ['title', 'aria-label', 'alt']) {
      const v = el.getAttribute(attr);
      if (v) seen.push(v);
    }
    if (el.placeholder && !el.value) seen.push(el.placeholder);  // a placeholder shows in an empty field only
  }
  const scale = [...document.querySelectorAll('.leaflet-control-scale-line')].map((e) => e.textContent);
  const draw = [...document.querySelectorAll('.leaflet-draw a')].flatMap((a) => [a.title, a.textContent.trim()]);
  return {text: seen.join('\\n'), scale, draw};
}
"""


@pytest.fixture(scope="module")
def team(app_url: str) -> str:
    """Return the coordinator of a team of its own (see `make_team`)."""
    return make_team(app_url)


def make_team(app_url: str) -> str:
    """Make a team of its own with a citizen (a tie in Morocco, a saved version) and a vindplaats; return its coordinator."""
    username = fresh_account(app_url, "Taalteam", "coordinator")
    store_file: Path = STORES[app_url]
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(pseudo.KEY_ENV, raising=False)
        mp.setenv(pseudo.KEY_FILE_ENV, str(store_file.parent / "pseudonym.key"))
        db = open_store(f"sqlite:///{store_file}")
        try:
            org = next(o for o, name in organisations.listing(db) if name.startswith("Taalteam ") and name.endswith(username[-6:]))
            person = cz.create_citizen(db, org, anchor=ANCHOR)
            cz.add_ties(db, org, person.citizen_id, [MOROCCO])
            cz.save_version(db, org, person.citizen_id, on=date(2026, 11, 2))
            vp.add(db, org, user=username, layer="vindplaats", name="Theehuis", kind="cafe", lon=4.379, lat=50.862, bounds=BOUNDS)
        finally:
            db.close()
    return username


def choose_language(page: Page, lang: str) -> None:
    """Pick `lang` in the sidebar's language box and wait for the page to be drawn in it."""
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=re.compile("Taal"))
    option = page.get_by_role("option", name=i18n.LANGUAGES[lang], exact=True)
    for _ in range(5):
        box.click()
        try:
            option.wait_for(state="visible", timeout=5_000)
        except Exception:
            page.keyboard.press("Escape")
            settle(page)
            continue
        option.click()
        break
    settle(page)


def open_page(page: Page, path: str, lang: str) -> None:
    """Open a page through the sidebar's navigation (the session, its sign-in and its language stay)."""
    title = i18n.t(TITLES.get(path, f"page.{path}"), lang)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    settle(page)
    page.wait_for_timeout(1_500)  # the map components draw after the run
    settle(page)


def open_part(page: Page, key: str, lang: str) -> None:
    """Open a tab or a section of the page by its label."""
    label = i18n.t(key, lang)
    main = page.locator('[data-testid="stMain"]')
    tab = main.get_by_role("tab", name=label, exact=True)
    if tab.count():
        tab.first.click()
    else:
        main.locator('[data-testid="stButtonGroup"] button').filter(has_text=re.compile(f"^{re.escape(label)}$")).first.click()
    settle(page)
    page.wait_for_timeout(800)


def exported(page: Page, button: str):
    """Press the download button `button` and return the download (again once if a rerun swallowed the click)."""
    for attempt in range(2):
        settle(page)
        target = page.get_by_role("button", name=button)
        expect(target).to_be_enabled(timeout=60_000)  # disabled while the server makes the file of an earlier click
        try:
            with page.expect_download(timeout=45_000) as download:
                target.click()
            return download
        except PlaywrightTimeoutError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def seen_text(page: Page) -> tuple[str, list[str], list[str]]:
    """Return what a person sees on the page and in its frames, the scale bars' texts and the draw tool's texts."""
    texts, scales, draw = [], [], []
    for frame in page.frames:
        if frame.is_detached():
            continue
        try:
            found = frame.evaluate(SCAN_JS)
        except Exception:  # a frame replaced by a rerun
            continue
        texts.append(found["text"])
        scales += found["scale"]
        draw += found["draw"]
    return "\n".join(texts), scales, draw


def problems(text: str, scales: list[str], draw: list[str]) -> list[str]:
    """Return the Dutch-only and English-only strings found, any imperial scale and any draw tool text of Leaflet's."""
    found = [f"{s!r} in …{text[max(0, i - 40):i + 40]!r}…" for s in (*ENGLISH_WIDGETS, *DUTCH_ONLY) if (i := text.find(s)) >= 0]
    found += [f"raw word {m!r}" for m in sorted(set(ENGLISH_DATA_WORDS.findall(text)))]
    found += [f"scale {s!r}" for s in scales if SCALE_IMPERIAL.match(s)]
    found += [f"draw tool {s!r}" for s in draw if s in ENGLISH_DRAW]
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_speaks_the_chosen_language(page: Page, app_url: str, team: str, lang: str, tmp_path: Path) -> None:
    sign_in(page, app_url, team, path="/vindplaatsen")  # the map page has no sign-in form
    choose_language(page, lang)
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(i18n.t("auth.sign_out", lang))).to_be_visible()
    found: dict[str, list[str]] = {}
    for path, parts in PAGES.items():
        open_page(page, path, lang)
        views = [None, *parts]
        for part in views:
            if part is not None:
                open_part(page, part, lang)
            if part == "vp.tab.exchange":  # the export is named after what it holds, in the language
                download = exported(page, i18n.t("vp.export.button", lang))
                words = {"fr": "lieux-de-rencontre", "en": "meeting-spots"}[lang]
                named = rf"{words}-taalteam-{team[-6:]}-\d{{4}}-\d\d-\d\d\.geojson"
                assert re.fullmatch(named, download.value.suggested_filename), download.value.suggested_filename
            bad = problems(*seen_text(page))
            if bad:
                found[f"{path}/{part or ''}"] = bad
                page.screenshot(path=str(tmp_path / f"{lang}-{path}-{part or 'page'}.png"), full_page=True)
    assert not found, "\n".join(f"{where}: {bad}" for where, bad in found.items())
