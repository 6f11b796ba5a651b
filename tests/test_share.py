"""Tests of the shared map files: opened from file:// in headless Chromium, no request leaves the file,
the places are drawn, nothing about a citizen is in the bytes, hostile names stay text; and the command line.

The organisation is the invented demo organisation (buurtkaart.demo), so that there are citizens,
ties and anchors to look for, plus three team places with hostile names and notes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from buurtkaart import area as area_mod
from buurtkaart import buurtanalyse, caseload, cli, compact, demo, disclosure, routes, saved_rounds, share
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart.i18n import t
from buurtkaart.store import open_store

HOSTILE = ("<img src=x onerror=alert(1)>", '"><svg onload=alert(2)>', "javascript:alert(3)")
HOSTILE_PLACES = ("<img src=y onerror=alert(6)>", '"><svg onload=alert(7)>x', "javascript:alert(8)//")
HOSTILE_NOTE = "<script>alert(4)</script><a href=\"javascript:alert(5)\">klik</a>"


@pytest.fixture(scope="module")
def team(region, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Return the demo organisation in a fresh SQLite store, with three hostile team places: items, citizens, ties."""
    folder = tmp_path_factory.mktemp("share_store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pseudo.KEY_ENV, "a-share-test-key-that-is-long-enough-42")
        db = open_store(f"sqlite:///{folder / 'buurtkaart.sqlite'}")
        org = demo.load_demo(db, area=region)
        for n, name in enumerate(HOSTILE):
            vp.add(
                db, org, user="test", layer="vindplaats", name=name, kind="bench", lon=4.3735 + n * 0.001, lat=50.8672,
                bounds=region.boundary, notes=HOSTILE_NOTE,
            )  # fmt: skip
        data = {
            "org": org,
            "items": vp.list_items(db, org),
            "citizens": cz.list_citizens(db, org),
            "ties": cz.all_ties(db, org),
        }
        db.close()
    return data


@pytest.fixture(scope="module")
def schaerbeek(region) -> area_mod.Area:
    """Return Schaerbeek, three of its OSM places renamed with hostile names."""
    from dataclasses import replace

    area = share.area_of("commune", region)
    places = area.places.copy()
    places.loc[places.index[:3], "name"] = list(HOSTILE_PLACES)
    return replace(area, places=places)


@pytest.fixture(scope="module")
def commune_analysis(region, walk, schaerbeek, team) -> buurtanalyse.AreaAnalysis:
    """Return the buurtanalyse of Schaerbeek, a fixed unit: its caseload figures are protected, not left out."""
    return buurtanalyse.analyse_area(
        schaerbeek.name, schaerbeek.boundary, region=region, walk=walk, blocks=area_mod.population_blocks(),
        items=team["items"], citizens=team["citizens"], all_ties=team["ties"], unit=share.unit_of("commune"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def files(region, walk, schaerbeek, team, commune_analysis, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Write every kind of shared file once: the organisation map (with notes), the region's map, a buurtanalyse."""
    folder = tmp_path_factory.mktemp("shares")
    result = commune_analysis
    shares = {
        "map": share.organisation_share(schaerbeek, team["items"], organisation=demo.DEMO_ORGANISATION, notes=True),
        "region": share.organisation_share(region, team["items"], organisation=demo.DEMO_ORGANISATION),
        "analysis": share.analysis_share(result, schaerbeek, organisation=demo.DEMO_ORGANISATION, items=team["items"]),
        "round": share.round_share(
            round_plan(walk, team, schaerbeek), region, name="Dinsdagronde", items=team["items"],
            organisation=demo.DEMO_ORGANISATION,
        ),
    }
    return {name: share.write(s, folder / f"{name}.html") for name, s in shares.items()}


def round_stops(team, schaerbeek) -> tuple[routes.Stop, list[routes.Stop]]:
    """Return the start (the demo site) and six stops: the three hostile vindplaatsen and three OSM places."""
    items = vp.live(team["items"])
    site = items[items["layer"] == "site"].iloc[0]
    start = routes.Stop(id=str(site["id"]), name=str(site["name"]), lon=site.geometry.x, lat=site.geometry.y, source="item")
    hostile = items[items["name"].isin(HOSTILE)]
    stops = [
        routes.Stop(id=str(r["id"]), name=str(r["name"]), lon=r.geometry.x, lat=r.geometry.y, minutes=5, source="item")
        for _, r in hostile.iterrows()
    ]
    named = schaerbeek.places[schaerbeek.places["name"].str.len() > 3].iloc[10:13]
    stops += [
        routes.Stop(id=f"p{k}", name=str(r["name"]), lon=r.geometry.x, lat=r.geometry.y, minutes=10, source="place")
        for k, (_, r) in enumerate(named.iterrows())
    ]
    return start, stops


def round_plan(walk, team, schaerbeek) -> routes.Plan:
    """Return the plan of the test round (one walker, back to the start)."""
    start, stops = round_stops(team, schaerbeek)
    return routes.plan_round(walk, start, stops, returns=True, at=datetime(2026, 12, 8, 14, 0))


def open_file(browser: Browser, path: Path) -> tuple[Page, list[str], list[str]]:
    """Open a shared file from file:// and wait for its places; return (page, requests, dialogs)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.placesDrawn !== undefined", timeout=30_000)
    assert errors == [], errors
    return page, requests, dialogs


def file_points(path: Path) -> np.ndarray:
    """Return every point of every layer of a shared file, as integer quanta (x, y)."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="bk-data">(.*?)</script>', text, re.S).group(1)
    data = json.loads(block)
    points = []
    for spec in data["layers"]:
        if spec["kind"] == compact.POINTS:
            steps = compact.unvarints(spec["c"]).reshape(-1, 2)
            points.append(np.cumsum(steps, axis=0) + np.asarray(data["o"]))
    return np.concatenate(points) if points else np.zeros((0, 2), dtype=np.int64), data["q"]


def quanta(geoms, q: float) -> set[tuple[int, int]]:
    return {(round(g.x / q), round(g.y / q)) for g in geoms}


# --- every kind of shared file ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["map", "region", "analysis", "round"])
def test_shared_file_draws_its_places_and_requests_nothing(browser: Browser, files: dict[str, Path], kind: str) -> None:
    page, requests, dialogs = open_file(browser, files[kind])
    drawn = int(page.evaluate("document.body.dataset.placesDrawn"))
    points, _ = file_points(files[kind])
    shown = page.evaluate(
        "() => Array.from(document.querySelectorAll('label.bk-entry')).filter((l) => l.querySelector('input').checked).length"
    )
    assert drawn > 0 and shown >= 3
    if kind != "analysis":  # the analysis shows the first kind's places only
        assert drawn == len(points)
    assert requests == [files[kind].as_uri()], requests
    assert dialogs == []
    # the streets are drawn on the canvas: it is not blank
    assert page.evaluate("() => document.querySelector('.leaflet-overlay-pane canvas').width") > 100
    page.context.close()


def test_organisation_map_holds_the_places_and_team_places_of_the_area(files: dict[str, Path], schaerbeek, team) -> None:
    points, q = file_points(files["map"])
    items = share._inside(vp.live(team["items"]), schaerbeek)
    assert len(points) == len(schaerbeek.places) + len(items)
    expected = quanta(schaerbeek.places.geometry, q) | quanta(items.geometry, q)
    assert {tuple(p) for p in points.tolist()} == expected


def test_no_citizen_code_tie_or_anchor_is_in_any_file(files: dict[str, Path], team, region) -> None:
    citizens, ties_ = team["citizens"], team["ties"]
    assert len(citizens) >= 30 and len(ties_) > 100
    secrets = [*citizens["code"], *citizens["citizen_id"], *ties_["tie_id"]]
    secrets += [ref for kind, ref in zip(citizens["anchor_kind"], citizens["anchor_ref"], strict=True) if kind != "quartier"]
    for kind, path in files.items():
        raw = path.read_bytes()
        found = [s for s in secrets if s and str(s).encode() in raw]
        assert found == [], (kind, found[:5])
        assert b"BK-" not in raw, kind
        # every point is a public place or a team place: no anchor and no tie end is drawn
        points, q = file_points(path)
        public = quanta(region.places.geometry, q) | quanta(team["items"].geometry, q)
        assert {tuple(p) for p in points.tolist()} <= public, kind
        anchors = quanta(citizens.geometry, q) - public
        ends = quanta(ties_.geometry[~ties_.geometry.is_empty], q) - public
        assert anchors and ends
        assert not ({tuple(p) for p in points.tolist()} & (anchors | ends)), kind


def test_caseload_figures_in_the_analysis_follow_the_small_group_rule(
    files: dict[str, Path], team, commune_analysis, region
) -> None:
    data = json.loads(re.search(r'id="bk-data">(.*?)</script>', files["analysis"].read_text(encoding="utf-8"), re.S).group(1))
    notes = data["meta"]["notes"]
    overall = commune_analysis.gaps.iloc[0]  # the commune's row of the protected table (disclosure)
    assert commune_analysis.unit == disclosure.COMMUNE
    citizens_line = [n for n in notes if "burgers" in n.lower() or "citizens" in n.lower()]
    assert citizens_line, notes
    assert str(overall["citizens"]) in citizens_line[0] and int(overall["citizens"]) >= caseload.MIN_GROUP
    percentages = [n for n in notes if n.endswith("%")]
    if overall["suppressed"]:
        assert percentages == []
    else:
        assert len(percentages) == 5  # four functions and bonding-only, over the whole unit only
        assert f"{100 * float(overall['lacking_affectief']):.0f}%" in " ".join(percentages)
    # no figure per quartier (it could single out a small group)
    inside = team["citizens"]
    quartiers = region.quartiers[region.quartiers["mdrc"].astype(str).isin(set(inside["quartier"].astype(str)))]
    assert len(quartiers)
    named = [name for name in [*quartiers["name_nl"], *quartiers["name_fr"]] if name in " ".join(notes)]
    assert named == []


def test_hostile_names_and_notes_stay_text(browser: Browser, files: dict[str, Path]) -> None:
    raw = files["map"].read_text(encoding="utf-8")
    for text in (*HOSTILE, *HOSTILE_PLACES, HOSTILE_NOTE):
        assert text not in raw or text.startswith("javascript:")  # no <, > or & left: only the javascript: ones read alike
    page, requests, dialogs = open_file(browser, files["map"])
    search = page.locator("input.bk-search")
    for name in (*HOSTILE, *HOSTILE_PLACES):
        search.fill(name[:12])
        hit = page.locator("button.bk-hit").filter(has_text=name)
        expect(hit).to_have_count(1)
        hit.click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_have_count(1)  # the one before fades out in 200 ms
        expect(popup.locator("b")).to_have_text(name)
        if name in HOSTILE:  # the team's places carry the hostile note too
            expect(popup).to_contain_text(HOSTILE_NOTE)
    injected = page.evaluate(
        """() => ({
          img: document.querySelectorAll('img').length,
          svgOnload: document.querySelectorAll('[onload], [onerror]').length,
          scripts: document.querySelectorAll('script').length,
          jsLinks: Array.from(document.querySelectorAll('a')).filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length,
        })"""
    )
    assert injected == {"img": 0, "svgOnload": 0, "scripts": 4, "jsLinks": 0}, injected
    assert dialogs == []
    assert requests == [files["map"].as_uri()]
    page.context.close()


@pytest.mark.parametrize("kind", ["region", "analysis"])
def test_hostile_names_stay_text_in_the_other_files(browser: Browser, files: dict[str, Path], kind: str) -> None:
    raw = files[kind].read_text(encoding="utf-8")
    assert not any(text in raw for text in (*HOSTILE[:2], HOSTILE_NOTE))  # not as markup (the note not at all: notes off)
    page, requests, dialogs = open_file(browser, files[kind])
    search = page.locator("input.bk-search")
    for name in HOSTILE:  # the team's places, in the file of the whole region and in the analysis
        search.fill(name[:12])
        hit = page.locator("button.bk-hit").filter(has_text=name)
        expect(hit).to_have_count(1)
        hit.click()
        expect(page.locator(".leaflet-popup-content")).to_have_count(1)
        expect(page.locator(".leaflet-popup-content b")).to_have_text(name)
    injected = page.evaluate(
        """() => document.querySelectorAll('img, [onload], [onerror]').length
                 + Array.from(document.querySelectorAll('a')).filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length"""
    )
    assert injected == 0 and dialogs == [] and page.evaluate("document.querySelectorAll('script').length") == 4
    assert requests == [files[kind].as_uri()]
    page.context.close()


def test_the_content_security_policy_blocks_any_other_script(browser: Browser, files: dict[str, Path]) -> None:
    raw = files["map"].read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', raw).group(1)
    assert "default-src 'none'" in csp and "unsafe" not in csp and "http" not in csp
    page, _, dialogs = open_file(browser, files["map"])
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1; alert(9)';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("window.injected") is None
    assert dialogs == []
    page.context.close()


def test_layer_switch_changes_places_drawn(browser: Browser, files: dict[str, Path], schaerbeek) -> None:
    page, _, _ = open_file(browser, files["map"])
    before = int(page.evaluate("document.body.dataset.placesDrawn"))
    cafes = int((schaerbeek.places["category"] == "cafe").sum())
    page.locator('label.bk-entry[data-layer="cat-cafe"] input').uncheck()
    assert int(page.evaluate("document.body.dataset.placesDrawn")) == before - cafes
    page.context.close()


def test_file_sizes_stay_light(files: dict[str, Path]) -> None:
    assert files["map"].stat().st_size <= 1_000_000
    assert files["region"].stat().st_size <= 1_500_000


def test_generic_layer_api_takes_lines_with_a_style(schaerbeek) -> None:
    streets = schaerbeek.street_edges.head(5)[["name", "geometry"]]
    layer = share.ShareLayer(key="round", label="Ronde", features=streets, colour="#123456", weight=5)
    spec = share.layer_spec(layer, quantum=compact.QUANTUM, base=compact.origin(schaerbeek.bounds))
    assert spec["kind"] == compact.LINES and spec["count"] == 5 and spec["colour"] == "#123456"
    assert spec["p"]["n"] == streets["name"].tolist()


def file_data(path: Path) -> dict:
    """Return the data block of a shared file."""
    return json.loads(re.search(r'id="bk-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1))


def test_round_file_numbers_the_stops_in_walking_order(files: dict[str, Path], walk, team, schaerbeek) -> None:
    plan = round_plan(walk, team, schaerbeek)
    visits = plan.rounds[0].visits
    assert len(visits) == 6
    data = file_data(files["round"])
    layers = {spec["key"]: spec for spec in data["layers"]}
    stops = layers["round-stops-0"]
    q, o = data["q"], np.asarray(data["o"])
    xy = np.cumsum(compact.unvarints(stops["c"]).reshape(-1, 2), axis=0) + o
    numbers = compact.column(stops["p"]["k"]) if isinstance(stops["p"]["k"], list) else stops["p"]["k"]
    names = stops["p"]["n"]
    assert stops["numbers"] == "k" and sorted(numbers, key=int) == [str(k) for k in range(1, 7)]
    for number, name, (x, y) in zip(numbers, names, xy.tolist(), strict=True):
        visit = visits[int(number) - 1]  # the point numbered k is the k-th stop of the plan
        assert name == f"{number}. {visit.stop.name}"
        assert (x, y) == (round(visit.stop.lon / q), round(visit.stop.lat / q))
    # the start is marked, the walking line is drawn in the walker's colour, the legend gives distance and time
    start = layers["round-start"]
    assert start["p"]["k"] == ["S"] and start["p"]["n"] == [f"S. {plan.start.name}"]
    line = layers["round-line-0"]
    assert line["kind"] == compact.LINES and line["colour"] == plan.rounds[0].colour
    assert f"{plan.rounds[0].metres / 1000:.1f}".replace(".", ",") + " km" in line["label"]  # a decimal comma in Dutch and f"{round(plan.rounds[0].minutes)} min" in line["label"]
    path = np.cumsum(compact.unvarints(line["c"])[1:].reshape(-1, 2), axis=0) + o
    assert len(path) > 10  # over the streets, not straight from stop to stop
    # the places of the map are there too
    assert any(key.startswith("cat-") for key in layers)


def test_round_file_draws_numbers_and_hostile_stop_names_stay_text(browser: Browser, files: dict[str, Path]) -> None:
    page, requests, dialogs = open_file(browser, files["round"])
    entries = page.locator("label.bk-entry")
    expect(entries.filter(has_text=re.compile(r"^Stapper A — 6 plekken · [0-9]+,[0-9] km · [0-9]+ min$"))).to_have_count(1)
    search = page.locator("input.bk-search")
    for name in HOSTILE:
        search.fill(name[:12])
        hit = page.locator("button.bk-hit").filter(has_text=f". {name}")
        expect(hit).to_have_count(1)
        hit.click()
        expect(page.locator(".leaflet-popup-content")).to_have_count(1)
        expect(page.locator(".leaflet-popup-content b")).to_have_text(re.compile(r"^\d\. " + re.escape(name) + "$"))
    injected = page.evaluate(
        "() => document.querySelectorAll('img, [onload], [onerror]').length + document.querySelectorAll('script').length"
    )
    assert injected == 4 and dialogs == []
    assert requests == [files["round"].as_uri()]
    page.context.close()


def test_a_round_without_a_plan_is_refused_with_a_clear_message(schaerbeek, region) -> None:
    with pytest.raises(share.ShareError) as error:
        share.make_share("round", schaerbeek, region=region)
    assert "--round" in error.value.message("nl")
    with pytest.raises(share.ShareError) as error:
        share.find_saved_round([], "Dinsdag")
    assert "Dinsdag" in error.value.message("fr")


# --- the command line --------------------------------------------------------------------------------


def test_cli_writes_html_png_and_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html_path, png, pdf = tmp_path / "kaart.html", tmp_path / "kaart.png", tmp_path / "kaart.pdf"
    assert cli.main(["share", "--what", "map", "--area", "quartier:27", "--out", str(html_path)]) == 0
    assert "<!DOCTYPE html>" in html_path.read_text(encoding="utf-8")
    assert cli.main(["share", "--area", "quartier:27", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert cli.main(["share", "--area", "quartier:27", "--out", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert str(pdf) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["share", "--what", "round", "--out", "x.html"], "--round"),
        (["share", "--out", "x.txt"], "x.txt"),
        (["share", "--area", "quartier:9999", "--out", "x.html"], "quartier:9999"),
    ],
)
def test_cli_refuses_what_it_cannot_share(args: list[str], message: str, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_snapshot_without_chromium_says_what_to_do(schaerbeek, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(share, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(share.ShareError) as error:
        share.snapshot("<!DOCTYPE html><body></body>", tmp_path / "x.png")
    assert "apt-get install chromium" in error.value.message("nl")
    assert "HTML" in error.value.message("fr")
    assert not (tmp_path / "x.png").exists()


def test_cli_shares_a_saved_round_by_name(
    walk, team, schaerbeek, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from buurtkaart.store import SQLITE_PATH_ENV

    monkeypatch.setenv(SQLITE_PATH_ENV, str(tmp_path / "db.sqlite"))
    monkeypatch.setenv(pseudo.KEY_ENV, "a-share-test-key-that-is-long-enough-42")
    db = open_store()
    org = vp.ensure_organisation(db, "Buurthuis Ronde")
    start, stops = round_stops(team, schaerbeek)
    settings = saved_rounds.Settings(start=start, stops=tuple(stops[3:]), returns=False)
    saved_rounds.save_round(db, org, user="an", name="Woensdag markt", settings=settings)
    db.close()
    out = tmp_path / "ronde.html"
    assert cli.main(["share", "--what", "round", "--round", "woensdag markt", "--org", "Buurthuis Ronde", "--out", str(out)]) == 0
    data = file_data(out)
    assert data["meta"]["title"] == "Ronde — Woensdag markt"
    stops_layer = next(spec for spec in data["layers"] if spec["key"] == "round-stops-0")
    assert stops_layer["count"] == 3
    assert cli.main(["share", "--what", "round", "--round", "vrijdag", "--org", "Buurthuis Ronde", "--out", str(out)]) == 1
    assert "Woensdag markt" in capsys.readouterr().err


def test_the_region_or_a_drawn_area_gets_no_caseload_figure(region, walk, team) -> None:
    quartier = region.quartiers.iloc[0]
    assert share.unit_of("region") is None and share.unit_of("quartier:27") == "27"
    drawn = buurtanalyse.analyse_area(
        "getekend", quartier.geometry, region=region, walk=walk, items=team["items"], citizens=team["citizens"],
        all_ties=team["ties"], unit=None,
    )  # fmt: skip
    notes = share.analysis_notes(drawn, lang="nl")
    assert t("sdc.drawn", "nl") in notes
    assert not [n for n in notes if n.endswith("%")]
    assert not [n for n in notes if "burgers" in n.lower() and any(c.isdigit() for c in n)]


def test_layers_not_chosen_are_left_out_of_the_file_and_named(schaerbeek, region, team) -> None:
    shared = share.make_share(
        "map", schaerbeek, region=region, items=team["items"], organisation=demo.DEMO_ORGANISATION,
        categories=["cafe", "worship"], item_layers=["vindplaats"],
    )  # fmt: skip
    keys = {layer.key for layer in shared.layers}
    assert keys == {"cat-cafe", "cat-worship", "team-vindplaats"}
    left_out = shared.not_included[-1]
    assert left_out.startswith(t("share.not.layers", "nl", layers="")) and "Poortwachter" in left_out
    assert t("category.park") in left_out and t("category.cafe") not in left_out
    # the command line (no choice) keeps every layer; the choice leaves the others out, not merely unchecked
    every = share.make_share("map", schaerbeek, region=region, items=team["items"])
    assert {"team-gatekeeper", "cat-park"} <= {layer.key for layer in every.layers}
    full, chosen = share.share_html(every), share.share_html(shared)
    gatekeepers = [n for n in vp.live(team["items"]).query("layer == 'gatekeeper'")["name"] if n in full]
    assert gatekeepers and not any(name in chosen for name in gatekeepers)
