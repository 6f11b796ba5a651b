"""Tests of wayfinding: the nearest street of a map click, where a point lies, street labels, search in the area."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import compact, maps, wayfinding
from buurtkaart import places as places_mod
from buurtkaart.paths import ROOT

LOUIS_BERTRAND = "Avenue Louis Bertrand - Louis Bertrandlaan"


@pytest.fixture(scope="module")
def schaerbeek(region) -> area_mod.Area:
    """Return Schaerbeek cut from the embedded region, as the app cuts it."""
    return region.clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)


def _on_street(area: area_mod.Area, name: str) -> shapely.Point:
    """Return the middle of the longest segment of the named street (a point right on it)."""
    edges = area.street_edges[area.street_edges["name"] == name]
    assert len(edges), name
    longest = edges.iloc[int(np.argmax(edges["length"].to_numpy()))].geometry
    return longest.interpolate(0.5, normalized=True)


def test_a_point_on_a_street_names_that_street(schaerbeek, region) -> None:
    point = _on_street(schaerbeek, LOUIS_BERTRAND)
    assert wayfinding.nearest_street(schaerbeek, point.x, point.y) == LOUIS_BERTRAND
    assert wayfinding.nearest_street(region, point.x, point.y) == LOUIS_BERTRAND  # the whole region: the same street
    # a few metres beside it (about 5 m north) is still that street
    assert wayfinding.nearest_street(schaerbeek, point.x, point.y + 0.00005) == LOUIS_BERTRAND


@pytest.mark.parametrize("name", ["Chaussée de Haecht - Haachtsesteenweg", "Rue Josaphat - Josafatstraat", "Place Colignon - Colignonplein"])
def test_every_street_tried_is_found_from_a_point_on_it(schaerbeek, name) -> None:
    point = _on_street(schaerbeek, name)
    assert wayfinding.nearest_street(schaerbeek, point.x, point.y) == name


def test_far_from_every_street_there_is_none(schaerbeek) -> None:
    assert wayfinding.nearest_street(schaerbeek, 4.0, 50.0) is None  # in the Ardennes: no Brussels street within 250 m
    assert wayfinding.nearest_street(schaerbeek, float("nan"), 50.86) is None
    point = _on_street(schaerbeek, LOUIS_BERTRAND)
    assert wayfinding.nearest_street(schaerbeek, point.x, point.y, max_metres=None) == LOUIS_BERTRAND


def test_the_distance_is_measured_in_metres_not_degrees() -> None:
    # Two streets: one 80 m east of the click, one 100 m north. In degrees the northern one is nearer
    # (0.0009° vs 0.00113°); in metres the eastern one is.
    east = shapely.LineString([(4.38113, 50.85), (4.38113, 50.8501)])
    north = shapely.LineString([(4.38, 50.8509), (4.3801, 50.8509)])
    edges = gpd.GeoDataFrame({"name": ["East street", "North street"]}, geometry=[east, north], crs="EPSG:4326")
    area = area_mod.Area(name="t", places=places_mod.empty(), street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(4.37, 50.84, 4.39, 50.86))
    assert wayfinding.nearest_street(area, 4.38, 50.85) == "East street"


def test_an_area_without_named_streets_names_none() -> None:
    edges = gpd.GeoDataFrame({"name": [None]}, geometry=[shapely.LineString([(4.37, 50.86), (4.38, 50.86)])], crs="EPSG:4326")
    area = area_mod.Area(name="t", places=places_mod.empty(), street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(4.36, 50.85, 4.39, 50.87))
    assert wayfinding.nearest_street(area, 4.375, 50.86) is None


def test_search_in_schaerbeek_finds_only_schaerbeek_with_commune_and_street(schaerbeek, region) -> None:
    found = wayfinding.search(schaerbeek, "wash", lang="nl")
    assert len(found) >= 3
    assert set(found["commune"]) == {"Schaerbeek"}
    assert found.geometry.within(area_mod.commune_boundary()).all()
    assert "Wash Club" not in found["label"].tolist()  # the four Wash Clubs are in the centre, not in Schaerbeek
    assert "Josaphat Wash" in found["label"].tolist()
    assert (found["quartier"] != "").all() and (found["detail"] != "").all()
    josaphat = found[found["label"] == "Josaphat Wash"].iloc[0]
    assert josaphat["detail"] == josaphat["street"] == wayfinding.nearest_street(schaerbeek, josaphat.geometry.x, josaphat.geometry.y, max_metres=None)
    # the whole region finds the Wash Clubs elsewhere, where no commune is known, but their quartier is
    everywhere = wayfinding.search(region, "wash club", lang="nl")
    clubs = everywhere[everywhere["label"] == "Wash Club"]
    assert len(clubs) == 4 and set(clubs["commune"]) == {""} and (clubs["quartier"] != "").all()


def test_search_shows_the_osm_address_where_osm_has_one(region) -> None:
    places = region.places[region.places["address"].str.contains(r"\d", regex=True)]
    row = places.iloc[0]
    found = wayfinding.search(region, row["name"], lang="nl", limit=50)
    hit = found[found["id"] == row["place_id"]].iloc[0]
    assert hit["address"] == row["address"] and hit["detail"] == row["address"]
    assert re.search(r"\d", hit["detail"])  # a house number


def test_search_finds_streets_that_cross_the_area_only(schaerbeek) -> None:
    found = wayfinding.search(schaerbeek, "haecht", lang="fr")
    streets = found[found["source"] == "street"]
    assert "Chaussée de Haecht - Haachtsesteenweg" in streets["label"].tolist()
    assert streets.geometry.within(area_mod.commune_boundary().buffer(1e-6)).all()
    assert wayfinding.search(schaerbeek, "  ").empty and list(wayfinding.search(schaerbeek, "").columns)[:3] == ["id", "label", "source"]
    assert wayfinding.search(schaerbeek, "haecht", streets=False)["source"].eq("place").all()


def test_quartier_names_follow_the_language(schaerbeek) -> None:
    point = _on_street(schaerbeek, "Rue Josaphat - Josafatstraat")
    nl = wayfinding.quartiers_at(schaerbeek, [point.x], [point.y], lang="nl")[0]
    fr = wayfinding.quartiers_at(schaerbeek, [point.x], [point.y], lang="fr")[0]
    names = schaerbeek.quartiers[schaerbeek.quartiers["name_nl"] == nl]
    assert nl and len(names) == 1 and names.iloc[0]["name_fr"] == fr
    assert wayfinding.communes_at([point.x, 4.35], [point.y, 50.84]) == ["Schaerbeek", ""]


def test_street_labels_sit_on_their_street_and_read_upright(schaerbeek) -> None:
    labels = wayfinding.street_labels(schaerbeek)
    assert 200 < len(labels) < 2000
    assert labels["angle"].between(-90, 90).all()
    assert labels["weight"].between(1, 99).all()  # segments of 60 m and more, in 50 m steps
    assert LOUIS_BERTRAND in set(labels["name"])
    for row in labels.sample(30, random_state=1).itertuples():
        assert wayfinding.nearest_street(schaerbeek, row.geometry.x, row.geometry.y, max_metres=2) is not None
    # a street running east-west reads flat, one running north-south stands upright
    edges = gpd.GeoDataFrame(
        {"name": ["Flat", "Steep"]},
        geometry=[shapely.LineString([(4.37, 50.86), (4.372, 50.86)]), shapely.LineString([(4.38, 50.86), (4.38, 50.862)])],
        crs="EPSG:4326",
    )
    area = area_mod.Area(name="t", places=places_mod.empty(), street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(4.36, 50.85, 4.39, 50.87))
    angles = dict(zip(*wayfinding.street_labels(area)[["name", "angle"]].T.values, strict=True))
    assert abs(angles["Flat"]) <= 2 and abs(abs(angles["Steep"]) - 90) <= 2


def test_the_map_writes_hostile_street_names_as_text_only() -> None:
    evil = "<img src=x onerror=alert(1)> Straat"
    edges = gpd.GeoDataFrame(
        {"name": [evil], "length": [300.0]}, geometry=[shapely.LineString([(4.37, 50.86), (4.375, 50.86)])], crs="EPSG:4326"
    )
    area = area_mod.Area(name="t", places=places_mod.empty(), street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(4.36, 50.85, 4.39, 50.87))
    html = maps.build_map(area).get_root().render()
    assert evil not in html and "<img" not in html
    assert "streetLabels" in html
    script = (ROOT / "static" / "share" / "bkmap.js").read_text(encoding="utf-8")
    labels = script.split("const LabelLayer", 1)[1].split("\n  });\n", 1)[0]
    assert "text.textContent = this.texts[i]" in labels and "innerHTML" not in script


def test_ids_are_encoded_compactly_and_back() -> None:
    ids = ["bxl:poi/2307", "bxl:poi/15", "osm:node/7", "weird", "bxl:poi/007"]
    col = compact.id_column(ids)
    table, pairs = col["t"], compact.unvarints(col["k"]).reshape(-1, 2)
    number, out = 0, []
    for index, step in pairs:
        number += int(step)
        out.append(table[index] if number < 0 else f"{table[index]}{number}")
    assert out == ids


def test_the_shared_file_stops_zooming_where_the_data_stops() -> None:
    script = (ROOT / "static" / "share" / "bkshare.js").read_text(encoding="utf-8")
    assert f"maxZoom: {maps.MAX_ZOOM}" in script
