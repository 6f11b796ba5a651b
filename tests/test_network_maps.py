"""The three map views of a citizen's network: which ties each view draws, and how."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyproj
import pytest

from buurtkaart import i18n, maps, network_maps, settings, vocabulary
from buurtkaart.area import load_embedded
from tests.test_caseload import tie_frame

ANCHOR = (4.3785, 50.8670)


@pytest.fixture(scope="module")
def base() -> network_maps.Basemaps:
    """Return the background layers of the embedded region."""
    return network_maps.basemaps(load_embedded())


@pytest.fixture
def network() -> pd.DataFrame:
    """Return a numbered network with ties at the three levels, one slapend and one negative."""
    return network_maps.numbered(tie_frame([
        {"citizen_id": "c", "place_label": "<script>alert(1)</script>", "state": "slapend", "lon": 4.381, "lat": 50.866},
        {"citizen_id": "c", "level": "stad", "place_kind": "municipality", "place_label": "Evere", "capital": "linking",
         "influence": "negative", "lon": 4.401, "lat": 50.870},
        {"citizen_id": "c", "level": "translokaal", "place_kind": "city", "place_label": "Casablanca (MA)",
         "capital": "bridging", "strength": "light", "lon": -7.61, "lat": 33.59},
    ]))


def features(m) -> list[dict]:
    """Return every GeoJSON feature of the tie layers of a folium map."""
    found = []
    for element in maps._walk(m):
        data = getattr(element, "data", None)
        if isinstance(data, dict) and data.get("features") and "num" in data["features"][0].get("properties", {}):
            found += data["features"]
    return found


def lines(m) -> list[dict]:
    """Return the tie lines of a map."""
    return [f for f in features(m) if f["geometry"]["type"] == "LineString"]


@pytest.mark.parametrize(("view", "levels"), [("buurt", {"buurt"}), ("stad", {"buurt", "stad"}), ("translokaal", {"buurt", "stad", "translokaal"})])
def test_each_view_draws_its_levels(view: str, levels: set[str], network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    m = network_maps.network_map(view, anchor=ANCHOR, anchor_label="Josaphat", tie_frame=network, base=base)
    drawn = lines(m)
    assert {f["properties"]["style"]["className"].split()[1] for f in drawn} == {f"bk-level-{lv}" for lv in levels}
    for f in drawn:  # every line starts at the anchor
        assert tuple(f["geometry"]["coordinates"][0]) == pytest.approx(ANCHOR)
    assert maps.external_assets(m) == []


def test_styles_say_state_capital_strength_and_influence(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    m = network_maps.network_map("translokaal", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base)
    by_num = {f["properties"]["num"]: f["properties"]["style"] for f in lines(m)}
    assert by_num[1]["dashArray"] == network_maps.STATE_DASH["slapend"] and "bk-state-slapend" in by_num[1]["className"]
    assert by_num[2]["dashArray"] is None and "bk-negative" in by_num[2]["className"]
    assert by_num[2]["color"] == network_maps.CAPITAL_COLOURS["linking"]
    assert by_num[3]["weight"] < by_num[2]["weight"]  # a light tie is thinner than a strong one
    ends = [f for f in features(m) if f["geometry"]["type"] == "Point"]
    negative = [f for f in ends if "bk-negative" in f["properties"]["style"]["className"]]
    assert [f["properties"]["num"] for f in negative] == [2]


def test_labels_never_become_html(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    page = network_maps.network_map("buurt", anchor=ANCHOR, anchor_label="<b>x</b>", tie_frame=network, base=base).get_root().render()
    assert "<script>alert(1)</script>" not in page
    assert "<b>x</b>" not in page
    assert "textContent" in page  # the popup is built from text nodes


def test_comparing_versions_marks_added_and_draws_lost_ties_grey(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    lost = network.iloc[[0]].assign(tie_id="old")
    changes = pd.Series({network.iloc[1]["tie_id"]: "added"})
    m = network_maps.network_map("translokaal", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base, changes=changes, lost=lost)
    styles = [f["properties"]["style"] for f in lines(m)]
    assert sum("bk-change-added" in s["className"] for s in styles) == 1
    grey = [s for s in styles if "bk-change-lost" in s["className"]]
    assert len(grey) == 1 and grey[0]["color"] == network_maps.LOST_COLOUR


def test_views_open_on_their_scale(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    zooms, bounds = {}, {}
    for view in network_maps.VIEWS:
        m = network_maps.network_map(view, anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base, width=380, height=420)
        bounds[view] = network_maps.view_bounds(view, ANCHOR, network_maps.view_ties(network, view), base)
        zooms[view] = m.options["zoom"]
        assert zooms[view] == maps.fit_zoom(bounds[view], width=380, height=420)  # the view opens on all it draws
    assert zooms["buurt"] > zooms["stad"] > zooms["translokaal"]
    # buurt: the anchor and the buurt tie with the same margin in metres on every side (not in degrees)
    geod = pyproj.Geod(ellps="WGS84")
    west, south, east, north = bounds["buurt"]
    xs, ys = [ANCHOR[0], 4.381], [ANCHOR[1], 50.866]
    margins = [
        geod.inv(west, ANCHOR[1], min(xs), ANCHOR[1])[2], geod.inv(max(xs), ANCHOR[1], east, ANCHOR[1])[2],
        geod.inv(ANCHOR[0], south, ANCHOR[0], min(ys))[2], geod.inv(ANCHOR[0], max(ys), ANCHOR[0], north)[2],
    ]
    assert all(abs(m - settings.BUURT_VIEW_MARGIN_M) < 5 for m in margins), margins
    # stad: the whole region and the stad tie; translokaal: Casablanca and at least WORLD_MIN_SPAN
    west, south, east, north = bounds["stad"]
    rw, rs, re_, rn = base.region
    assert west <= rw and south <= rs and east >= re_ and north >= rn and west <= 4.401 <= east
    west, south, east, north = bounds["translokaal"]
    assert west < -7.61 and south < 33.59 and east > ANCHOR[0] and north > ANCHOR[1]
    assert east - west >= network_maps.WORLD_MIN_SPAN[0] and north - south >= network_maps.WORLD_MIN_SPAN[1]


def test_an_empty_network_still_shows_the_anchor(base: network_maps.Basemaps) -> None:
    empty = network_maps.numbered(tie_frame([]))
    for view in network_maps.VIEWS:
        page = network_maps.network_map(view, anchor=ANCHOR, anchor_label="A", tie_frame=empty, base=base).get_root().render()
        assert "bk-anchor" in page


def test_tie_table_and_names_are_labels_in_the_language(network: pd.DataFrame) -> None:
    table = network_maps.tie_table(network, lang="fr")
    assert table.columns.tolist() == [
        "num", "role", "group_size", "level", "place_label", "functions", "capital", "state",
        "frequency", "strength", "influence", "reciprocity",
    ]  # fmt: skip
    for field in ("frequency", "strength", "influence", "reciprocity"):
        assert table.loc[0, field] == vocabulary.label(field, network.loc[0, field], "fr")
    assert table["group_size"].tolist() == [1, 1, 1]  # one person each, unless the tie says otherwise
    assert table["num"].tolist() == [1, 2, 3]
    assert table.loc[1, "level"] == vocabulary.label("level", "stad", "fr")
    assert table.loc[0, "state"] == vocabulary.label("state", "slapend", "fr")
    assert table.loc[2, "capital"] == vocabulary.label("capital", "bridging", "fr")
    names = network_maps.tie_names(network, lang="nl")
    assert list(names) == network["tie_id"].tolist()
    assert names[network.loc[1, "tie_id"]] == f"2. {vocabulary.label('role', network.loc[1, 'role'], 'nl')} — Evere"


def test_citizen_names_and_facts_show_codes_and_labels_never_a_reference() -> None:
    from buurtkaart import citizens
    from tests.test_caseload import citizen_frame

    people = citizen_frame([
        {"age_band": "60_69", "anchor_kind": "quartier", "anchor_label": "Josaphat", "situations": ("newcomer",)},
        {"anchor_kind": "place", "anchor_label": "Josaphatpark", "demo": False},
    ])
    names = citizens.citizen_names(people, lang="fr")
    assert names == {
        "c0": f"BK-0000 · {vocabulary.label('age_band', '60_69', 'fr')} · Josaphat · demo",
        "c1": "BK-0001 · Josaphatpark",
    }
    facts = citizens.citizen_facts(people.iloc[0], lang="nl")
    assert facts.startswith(f"{vocabulary.label('anchor_kind', 'quartier', 'nl')}: Josaphat · ")
    assert vocabulary.label("situation", "newcomer", "nl") in facts and facts.endswith(i18n.t("burger.demo.marker", "nl"))
    assert "demo" not in citizens.citizen_facts(people.iloc[1], lang="nl").lower()


def test_change_summary_counts_each_kind_of_change() -> None:
    from buurtkaart import citizens

    change = pd.DataFrame({"change": ["added", "added", "lost", "unchanged", "weakened"]})
    line = citizens.change_summary(change, lang="en")
    assert line.startswith("**2** ") and "**0** " in line and line.count("**1** ") == 2
    assert citizens.change_summary(change, lang="nl") != line


def test_suggestions_are_drawn_on_the_buurt_view_numbered_like_the_list(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    import geopandas as gpd

    found = gpd.GeoDataFrame(
        {"name": ["Theehuis <img src=x onerror=alert(1)>", "Buurthuis De Kroon"]},
        geometry=gpd.points_from_xy([4.3790, 4.3800], [50.8675, 50.8680]), crs="EPSG:4326",
    )  # fmt: skip
    page = network_maps.network_map("buurt", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base, suggestions=found).get_root().render()
    assert page.count('class=\\"bk-suggestion\\"') == 2  # in the JSON of each divIcon
    assert "\\u003e1\\u003c/div" in page and "\\u003e2\\u003c/div" in page
    assert "1. Theehuis &lt;img" in page and "2. Buurthuis De Kroon" in page
    assert "<img src=x" not in page
    # the other views and a map without suggestions draw none
    world = network_maps.network_map("wereld" if "wereld" in network_maps.VIEWS else network_maps.VIEWS[-1], anchor=ANCHOR,
                                     anchor_label="A", tie_frame=network, base=base, suggestions=found).get_root().render()
    assert "bk-suggestion" not in world
    assert "bk-suggestion" not in network_maps.network_map("buurt", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base).get_root().render()


def test_the_buurt_view_writes_the_names_of_its_streets_from_zoom_16(network: pd.DataFrame, base: network_maps.Basemaps) -> None:
    buurt = network_maps.network_map("buurt", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base).get_root().render()
    assert '"streetLabels": true' in buurt and '"minZoom": 16' in buurt
    spec = re.search(r'Object\.assign\((\{"kind":"points".*?\}), \{"minZoom": 16, "streetLabels": true\}\)', buurt, re.S)
    assert spec is not None
    count = json.loads(spec.group(1))["count"]
    assert 0 < count < len(base.labels)  # only the streets around the anchor, not the whole region's
    stad = network_maps.network_map("stad", anchor=ANCHOR, anchor_label="A", tie_frame=network, base=base).get_root().render()
    assert "streetLabels" not in stad  # seen from afar: no street names
