"""Tests of a citizen's own map: made only with the citizen's consent (recorded in the store), from that
citizen's page only, with no code, file number, name, organisation or anchor point in the file's bytes."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser

from buurtkaart import citizens as cz
from buurtkaart import compact, consent, demo, formats, network_maps, share
from buurtkaart import pseudonym as pseudo
from buurtkaart.paths import ROOT
from buurtkaart.store import open_store

KEY = "a-citizen-share-test-key-long-enough-42"


@pytest.fixture(scope="module")
def caseload(region, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Return the demo organisation in a fresh store and one of its citizens with buurt ties and a place anchor."""
    folder = tmp_path_factory.mktemp("citizen_share")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pseudo.KEY_ENV, KEY)
        db = open_store(f"sqlite:///{folder / 'buurtkaart.sqlite'}")
        org = demo.load_demo(db, area=region)
        people = cz.list_citizens(db, org)
        all_ties = cz.all_ties(db, org)
        buurt = all_ties[all_ties["level"] == "buurt"].groupby("citizen_id").size()
        others = all_ties[all_ties["level"] != "buurt"]["citizen_id"].unique()
        fit = people[people["citizen_id"].isin(buurt[buurt >= 3].index) & people["citizen_id"].isin(others)]
        person = fit[fit["anchor_kind"] != "quartier"].iloc[0] if (fit["anchor_kind"] != "quartier").any() else fit.iloc[0]
        yield {"db": db, "org": org, "person": person, "people": people,
               "ties": network_maps.numbered(cz.list_ties(db, org, person["citizen_id"]))}  # fmt: skip
        db.close()


@pytest.fixture(scope="module")
def citizen_file(caseload, region, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Record the consent and write the citizen's file."""
    given = consent.record_consent(
        caseload["db"], caseload["org"], caseload["person"]["citizen_id"], given=True, given_on=date(2026, 12, 1), user="an"
    )
    shared = share.citizen_share(caseload["person"], caseload["ties"], region, consent=given)
    return share.write(shared, tmp_path_factory.mktemp("citizen_file") / "netwerk.html")


def data_of(path: Path) -> dict:
    return json.loads(re.search(r'id="bk-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1))


def all_points(data: dict) -> set[tuple[int, int]]:
    """Return every vertex of every layer of a file, in quanta."""
    out: set[tuple[int, int]] = set()
    o = np.asarray(data["o"])
    for spec in data["layers"]:
        if spec["kind"] == compact.POINTS:
            xy = np.cumsum(compact.unvarints(spec["c"]).reshape(-1, 2), axis=0) + o
        elif spec["kind"] == compact.LINES:
            stream, rows = compact.unvarints(spec["c"]).tolist(), []
            i = 0
            while i < len(stream):
                n = stream[i]
                rows += [stream[i + 1 + 2 * k : i + 3 + 2 * k] for k in range(n)]
                i += 1 + 2 * n
            xy = np.cumsum(np.asarray(rows).reshape(-1, 2), axis=0) + o
        else:
            continue
        out |= {tuple(p) for p in xy.tolist()}
    return out


def test_refused_without_consent_and_nothing_recorded(caseload, region) -> None:
    person = caseload["person"]
    with pytest.raises(consent.ConsentError) as error:
        consent.record_consent(caseload["db"], caseload["org"], person["citizen_id"], given=False, given_on=date.today(), user="an")
    assert "toestemming" in error.value.message("nl")
    with pytest.raises(consent.ConsentError):
        consent.record_consent(
            caseload["db"], caseload["org"], person["citizen_id"], given=True, given_on=date.today() + timedelta(days=3), user="an"
        )
    with pytest.raises(share.ShareError) as error:
        share.citizen_share(person, caseload["ties"], region, consent=None)
    assert "consentement" in error.value.message("fr")
    other = caseload["people"][caseload["people"]["citizen_id"] != person["citizen_id"]].iloc[0]
    theirs = consent.Consent(citizen_id=other["citizen_id"], given_on=date.today(), recorded_by="an")
    with pytest.raises(share.ShareError):  # another citizen's consent does not open this one's map
        share.citizen_share(person, caseload["ties"], region, consent=theirs)


def test_consent_row_is_written_with_day_and_worker(caseload, citizen_file: Path) -> None:
    rows = consent.consents(caseload["db"], caseload["org"], caseload["person"]["citizen_id"])
    assert [(r.given_on, r.recorded_by) for r in rows] == [(date(2026, 12, 1), "an")]
    assert formats.date_text(date(2026, 12, 1), "nl") in citizen_file.read_text(encoding="utf-8")  # "1 dec 2026"


def test_file_holds_no_code_name_organisation_or_anchor(caseload, citizen_file: Path, region) -> None:
    raw = citizen_file.read_bytes()
    person, tie_frame = caseload["person"], caseload["ties"]
    secrets = [person["code"], person["citizen_id"], *tie_frame["tie_id"], demo.DEMO_ORGANISATION]
    secrets += [label for label in tie_frame["place_label"] if len(str(label)) > 3]
    if person["anchor_kind"] != "quartier":
        secrets.append(person["anchor_label"])
    found = [s for s in secrets if s and str(s).encode() in raw]
    assert found == []
    assert not re.search(rb"BK-[0-9A-F]{4}", raw)
    data = data_of(citizen_file)
    points = all_points(data)
    q = data["q"]
    anchor = (round(person.geometry.x / q), round(person.geometry.y / q))
    # the buurt ties are there, as numbered ends, one line each from the quartier's point
    buurt = tie_frame[tie_frame["level"] == "buurt"]
    ends = {(round(g.x / q), round(g.y / q)) for g in buurt.geometry}
    assert anchor not in points - ends  # the anchor is only drawn when a tie is at that very (public) place
    numbers = []
    for spec in data["layers"]:
        if spec["key"].startswith("citizen-ends-"):
            numbers += spec["p"]["k"] if isinstance(spec["p"]["k"], list) else []
    assert sorted(int(n) for n in numbers) == sorted(buurt["num"].tolist())
    assert sum(spec["count"] for spec in data["layers"] if spec["key"].startswith("citizen-ties-")) == len(buurt)
    assert ends <= points
    # the ties in the city and abroad are listed by number, role and level, without their places
    elsewhere = tie_frame[tie_frame["level"] != "buurt"]
    notes = data["meta"]["notes"]
    assert sum(1 for n in notes if re.match(r"^\d+\. ", n)) == len(elsewhere)


def test_citizen_file_opens_from_file_without_requests(browser: Browser, citizen_file: Path) -> None:
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(citizen_file.as_uri())
    page.wait_for_function("document.body.dataset.placesDrawn !== undefined", timeout=30_000)
    assert page.locator("label.bk-entry").count() >= 4
    assert requests == [citizen_file.as_uri()]
    context.close()


def test_the_delen_page_and_presentation_cannot_make_a_citizen_map(region) -> None:
    assert "citizen" not in share.WHATS
    with pytest.raises(share.ShareError):
        share.make_share("citizen", region, region=region)
    for page in ("delen_page.py", "present_page.py"):
        source = (ROOT / "buurtkaart" / "pages" / page).read_text(encoding="utf-8")
        assert "citizen_share" not in source and "consent" not in source and "list_ties" not in source


def test_erasing_the_citizen_removes_their_consents(region, tmp_path: Path) -> None:
    from buurtkaart import erasure

    db = open_store(f"sqlite:///{tmp_path / 'erase.sqlite'}")
    org = demo.load_demo(db, area=region)
    one, other = cz.list_citizens(db, org)["citizen_id"].iloc[:2]
    for person in (one, other):
        consent.record_consent(db, org, person, given=True, given_on=date(2026, 12, 1), user="an")
    erased = erasure.erase_citizen(db, org, one)
    assert erased.rows > 0 and not erased.pending
    assert consent.consents(db, org, other) and not consent.consents(db, org, one)
    db.close()
