"""Tests of buurtkaart.names: one folding and one matcher, and every search of the app finding names in any script."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from buurtkaart import gazetteer as gz
from buurtkaart import names
from buurtkaart import places as places_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area

# Test fixtures (invented names, not in data/): a mosque in Arabic script, a church in Cyrillic,
# a Turkish tea house with a dotted capital I, and a street in Cyrillic script.
MOSQUE = "مَسْجِد الرَّحْمَة"
CHURCH = "Церковь Святого Николая"
TEA_HOUSE = "İSTANBUL Çay Evi"
STREET = "Улица Ёлкина"
SCRIPT_QUERIES = [
    (MOSQUE, "مسجد الرحمة"),  # typed without the vowel marks
    (MOSQUE, "مسجد"),
    (MOSQUE, "الرحمة"),  # a later word
    (CHURCH, "церковь"),
    (CHURCH, "НИКОЛАЯ"),
    (TEA_HOUSE, "istanbul cay"),
    (TEA_HOUSE, "ıstanbul"),  # Turkish dotless i
]


@pytest.fixture(scope="module")
def scripts_area(region) -> Area:
    """Return a small piece of Schaerbeek with places and a street named in other scripts added."""
    box = shapely.box(4.372, 50.862, 4.382, 50.868)
    small = region.clip(box, name="scripts")
    points = [shapely.Point(4.375, 50.864), shapely.Point(4.377, 50.865), shapely.Point(4.379, 50.866)]
    extra = gpd.GeoDataFrame(
        {
            "place_id": ["test:mosque", "test:church", "test:tea"],
            "name": [MOSQUE, CHURCH, TEA_HOUSE],
            "category": ["worship", "worship", "cafe"],
            **{c: [""] * 3 for c in ("osm_tag", "religion", "opening_hours", "wheelchair", "address")},
        },
        geometry=points,
        crs=places_mod.CRS,
    )
    places = pd.concat([small.places, extra], ignore_index=True)
    street = small.street_edges.iloc[[0]].copy()
    street["name"] = STREET
    street.geometry = [shapely.LineString([(4.3740, 50.8630), (4.3760, 50.8632)])]
    edges = pd.concat([small.street_edges, street], ignore_index=True)
    return replace(small, places=gpd.GeoDataFrame(places, crs=places_mod.CRS), street_edges=gpd.GeoDataFrame(edges, crs=places_mod.CRS))


def test_fold_every_script():
    assert names.fold("Église  Sainte-Suzanne") == "eglise sainte suzanne"
    assert names.fold("Łódź") == "lodz"
    assert names.fold("Straße") == "strasse"
    assert names.fold("İstanbul") == names.fold("ISTANBUL") == names.fold("ıstanbul") == "istanbul"
    assert names.fold("مَسْجِد") == names.fold("مسجد") == "مسجد"
    assert names.fold("أحمد") == names.fold("احمد")  # hamza on alef
    assert names.fold("کتابی") == names.fold("كتابي")  # Persian kaf and yeh
    assert names.fold("Ёлкина") == names.fold("ёлкина") == "елкина"
    assert names.fold("Ἀθῆναι") == "αθηναι"
    assert names.fold("!!") == ""


def test_match_ranks_starts_then_word_starts_then_inside():
    found = names.match(["Parc Royal", "Rue Royale", "Koninklijke", "Royal Park", None], "roya")
    assert found.tolist() == [names.WORD_STARTS, names.WORD_STARTS, names.NO_MATCH, names.STARTS, names.NO_MATCH]
    assert names.match(["Boulangerie"], "lange").tolist() == [names.INSIDE]
    assert names.match(["abc"], "  ").tolist() == [names.NO_MATCH]


def test_the_one_folding_is_used_by_the_gazetteer_and_the_searches():
    assert gz.fold is names.fold
    assert not hasattr(places_mod, "_fold")


@pytest.mark.parametrize(("name", "query"), SCRIPT_QUERIES)
def test_places_search_finds_every_script(scripts_area, name, query):
    found = places_mod.search(scripts_area.places, query)
    assert name in found["name"].tolist()


@pytest.mark.parametrize(("name", "query"), SCRIPT_QUERIES)
def test_vindplaatsen_search_finds_every_script(scripts_area, name, query):
    found = vp.search_locations(scripts_area, query)
    assert name in found["label"].tolist()


@pytest.mark.parametrize(("name", "query"), SCRIPT_QUERIES)
def test_gazetteer_suggest_finds_every_script(scripts_area, name, query):
    found = gz.suggest("buurt", query, area=scripts_area)
    assert any(loc.label.startswith(name) for loc in found), [loc.label for loc in found]


def test_streets_in_cyrillic_are_found_by_search_and_gazetteer(scripts_area):
    assert STREET in vp.search_locations(scripts_area, "улица елкина")["label"].tolist()
    assert any(loc.label.startswith(STREET) for loc in gz.suggest("buurt", "Ёлкина", area=scripts_area))


def test_a_city_abroad_is_found_by_its_arabic_name(region):
    found = gz.suggest("translokaal", "الدار البيضاء", area=region)
    assert any("Casablanca" in loc.label for loc in found), [loc.label for loc in found]
