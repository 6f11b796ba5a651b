"""Tests of the places schema: building from OSM features, searching, clipping."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from buurtkaart import places


@pytest.fixture
def features() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["Café De Pintelier", "Moskee Al Khalil", None, "Parc Josaphat", None],
            "amenity": ["cafe", "place_of_worship", "bench", None, None],
            "leisure": [None, None, None, "park", None],
            "religion": [None, "muslim", None, None, None],
            "wheelchair": ["yes", None, None, None, None],
            "addr:street": ["Rue Royale", None, None, None, None],
            "addr:housenumber": ["1", None, None, None, None],
            "addr:postcode": ["1030", None, None, None, None],
        },
        geometry=[
            shapely.Point(4.37, 50.86),
            shapely.Point(4.38, 50.865),
            shapely.Point(4.39, 50.87),
            shapely.box(4.39, 50.86, 4.40, 50.87),
            shapely.Point(4.41, 50.86),  # no tag, no name: nothing to show
        ],
        crs="EPSG:4326",
    )


def test_from_osm_builds_the_schema(features: gpd.GeoDataFrame) -> None:
    result = places.validate(places.from_osm(features, id_prefix="t"))
    assert list(result["category"]) == ["cafe", "worship", "park", "park"]
    assert result.loc[0, "address"] == "Rue Royale 1, 1030"
    assert result.loc[1, "religion"] == "muslim"
    assert result.loc[0, "wheelchair"] == "yes"
    assert (result.geom_type == "Point").all()
    assert result.loc[3, "geometry"].within(features.loc[3, "geometry"])  # park polygon -> inner point
    assert result["place_id"].is_unique and result.loc[0, "place_id"] == "t:0"


def test_from_osm_of_nothing_is_empty_with_schema() -> None:
    result = places.from_osm(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"))
    assert result.empty and set(places.SCHEMA) <= set(result.columns)


def test_validate_names_what_is_wrong(features: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="lack the columns"):
        places.validate(features)
    good = places.from_osm(features)
    with pytest.raises(ValueError, match="EPSG:4326"):
        places.validate(good.to_crs("EPSG:31370"))


def test_search_ignores_case_and_accents_and_ranks_prefix_first(features: gpd.GeoDataFrame) -> None:
    ps = places.from_osm(features)
    assert list(places.search(ps, "pintelier")["name"]) == ["Café De Pintelier"]
    assert list(places.search(ps, "CAFE")["name"]) == ["Café De Pintelier"]
    assert places.search(ps, "p")["name"].iloc[0] == "Parc Josaphat"  # starts with p
    assert places.search(ps, "   ").empty
    assert places.search(ps, "<script>").empty


def test_within_uses_the_polygon(features: gpd.GeoDataFrame) -> None:
    ps = places.from_osm(features)
    inside = places.within(ps, shapely.box(4.365, 50.855, 4.385, 50.868))
    assert set(inside["name"]) == {"Café De Pintelier", "Moskee Al Khalil"}
    assert places.counts(ps) == {"park": 2, "cafe": 1, "worship": 1}
