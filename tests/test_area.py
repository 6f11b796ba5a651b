"""Tests of the embedded Brussels data and of cutting areas from it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import places as places_mod
from buurtkaart.errors import AreaError
from buurtkaart.paths import DATA_DIR

SHARED = DATA_DIR.parent.parent / "shared" / "data"


@pytest.fixture(scope="module")
def schaerbeek(region: area_mod.Area) -> area_mod.Area:
    return region.clip(area_mod.commune_boundary(), name="Schaerbeek")


def test_embedded_region_has_the_documented_layers(region: area_mod.Area) -> None:
    places_mod.validate(region.places)
    assert 16_000 < len(region.places) < 18_500  # 17,365 OSM points minus untagged ones, plus 640 parks
    assert len(region.quartiers) == 145
    assert 2_100 < region.street_km < 2_200  # the named-street graph: 2,162.8 km
    assert len(region.street_nodes) == 19_189
    assert (region.green.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    assert region.places["place_id"].is_unique
    assert region.places.crs.to_epsg() == 4326


def test_loading_embedded_data_is_fast_when_warm() -> None:
    area_mod.load_embedded()  # warm the file cache
    start = time.perf_counter()
    area_mod.load_embedded()
    assert time.perf_counter() - start < 3.0  # generous bound; figures are in benchmarks/


def test_schaerbeek_is_the_default_commune(schaerbeek: area_mod.Area, region: area_mod.Area) -> None:
    boundary = area_mod.commune_boundary()
    assert 7.5 < area_mod.gpd.GeoSeries([boundary], crs="EPSG:4326").to_crs(31370).area.iloc[0] / 1e6 < 9.5
    assert 1_000 < len(schaerbeek.places) < len(region.places)
    assert schaerbeek.places.within(boundary.buffer(1e-9)).all()
    assert set(schaerbeek.places["category"]) >= {"cafe", "worship", "market", "learning", "playground"}
    assert {"Josaphatpark", "Colignon", "Helmet"} <= set(schaerbeek.quartiers["name_nl"])
    assert 150 < schaerbeek.street_km < 300


def test_quartier_lookup(region: area_mod.Area) -> None:
    row = region.quartiers.iloc[0]
    assert area_mod.quartier(region, int(row["mdrc"]))["name_nl"] == row["name_nl"]
    with pytest.raises(KeyError, match="99999"):
        area_mod.quartier(region, 99999)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("4.36, 50.85, 4.40", "3 getallen"),
        ("a, b, c, d", "geen getallen"),
        ("4.40, 50.85, 4.36, 50.87", "west moet kleiner"),
        ("4.36, 95, 4.40, 96", "buiten bereik"),
        ("3.0, 50.0, 4.0, 51.0", "te groot"),
        ("nan, 50.85, 4.40, 50.87", "niet-eindige"),
    ],
)
def test_bad_bounding_boxes_get_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(AreaError) as err:
        area_mod.parse_bbox(text)
    assert err.value.key == "error.bbox_invalid"
    assert fragment in err.value.message("nl")


def test_box_outside_brussels_is_refused_and_inside_is_cut(region: area_mod.Area) -> None:
    with pytest.raises(AreaError) as err:
        area_mod.clip_bbox(region, (3.20, 51.20, 3.24, 51.23))  # Bruges
    assert err.value.key == "error.bbox_outside"
    assert "buiten Brussel" in err.value.message("nl")
    box = (4.37, 50.855, 4.39, 50.865)
    cut = area_mod.clip_bbox(region, box)
    assert 0 < len(cut.places) < len(region.places)
    assert cut.places.within(shapely.box(*box).buffer(1e-9)).all()
    assert len(region.places) > 16_000  # the source area is untouched


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data, the source of data/")
def test_embedded_places_are_reproducible_from_the_sources(region: area_mod.Area) -> None:
    from buurtkaart.prepare import prepare_places

    rebuilt = prepare_places(Path(SHARED))
    assert list(rebuilt["place_id"]) == list(region.places["place_id"])
    assert list(rebuilt["category"]) == list(region.places["category"])
