"""Tests of import and export: GeoJSON (uMap), CSV, KML, GPX, GeoPackage; all or nothing; text verbatim."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely

from buurtkaart import csv_cells, i18n, organisations
from buurtkaart import exchange as ex
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    BOX,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

FIXTURES = Path(__file__).parent / "fixtures" / "exchange"
COLIGNON = (4.3768, 50.8672)
JOSAPHAT = (4.3835, 50.8620)
XSS = "<img src=x onerror=alert(1)>"
SUFFIXES = (".geojson", ".csv", ".kml", ".gpx", ".gpkg")


def state(store: Store, org: str) -> tuple[list[dict[str, str]], int]:
    """Return everything stored for an organisation (items, deleted too; history length)."""
    items = vp.list_items(store, org, include_deleted=True)
    return items.drop(columns="geometry").astype(str).to_dict("records"), len(vp.history(store, org))


def import_(store: Store, org: str, path: Path, **options: Any) -> ex.ImportReport:
    """Import a file as vindplaatsen of Buurtkaart's test box."""
    return ex.import_file(store, org, path, **{"user": "ann", "layer": "vindplaats", "bounds": BOX, **options})


def write_geojson(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    """Write a GeoJSON FeatureCollection and return its path."""
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}), encoding="utf-8")
    return path


def point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    """Return a GeoJSON point feature."""
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


@pytest.fixture
def existing(store: Store, org: str) -> vp.Item:
    """Return a vindplaats that is already on the map before an import."""
    return vp.add(store, org, user="ann", layer="vindplaats", name="Theehuis Assalam", kind="tea_house", lon=4.3725, lat=50.8610, bounds=BOX)


# --- import of each format ---


def test_import_a_umap_geojson(store: Store, org: str) -> None:
    report = import_(store, org, FIXTURES / "umap_vindplaatsen.geojson", default_kind="park")
    assert (report.source, report.added, report.shapes_to_points, report.reprojected_from) == ("umap_vindplaatsen.geojson", 3, 1, None)
    frame = vp.list_items(store, org)
    assert frame["id"].tolist() == list(report.item_ids)
    assert frame["name"].tolist() == ["Bank aan het Colignonplein", "Théhuis « Aïcha » <b>bold</b>", "Josaphatpark"]
    assert frame["notes"].tolist() == ["Elke ochtend **oudere mannen** uit de buurt.\nNiet op zondag.", XSS, ""]
    assert set(frame["kind"]) == {"park"} and set(frame["layer"]) == {"vindplaats"}
    park = shapely.box(4.3800, 50.8600, 4.3870, 50.8640)
    assert park.contains(frame.geometry.iloc[2]) and (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == COLIGNON
    log = vp.history(store, org)
    assert set(log["action"]) == {"import"} and set(log["user"]) == {"ann"} and len(log) == 3


def test_import_kml_folders(store: Store, org: str) -> None:
    report = import_(store, org, FIXTURES / "vindplaatsen.kml", layer="partner")
    frame = vp.list_items(store, org)
    assert report.added == 2 and set(frame["layer"]) == {"partner"}
    assert frame["name"].tolist() == ["Colignonplein", "Café <Le Liégeois>"]
    assert frame["notes"].tolist() == ["Markt op <i>dinsdag</i> & vrijdag", "Koffie voor €1"]


def test_import_gpx_waypoints_only(store: Store, org: str) -> None:
    report = import_(store, org, FIXTURES / "waypoints.gpx")
    frame = vp.list_items(store, org)
    assert report.added == 2 and frame["name"].tolist() == ["Colignonplein", "Wassalon Haachtsesteenweg"]
    assert frame["notes"].tolist() == ["Bank bij de kiosk", ""]
    with pytest.raises(ex.ExchangeError) as caught:
        import_(store, org, FIXTURES / "track_only.gpx")
    assert caught.value.key == "error.import_no_waypoints" and "track_only.gpx" in str(caught.value)
    assert len(vp.list_items(store, org)) == 2


def test_import_csv_with_our_fields(store: Store, org: str) -> None:
    import_(store, org, FIXTURES / "lon_lat.csv")
    frame = vp.list_items(store, org)
    assert frame[["name", "kind", "target_groups", "languages", "notes"]].values.tolist() == [
        ["Colignonplein", "square", ("elderly", "men"), ("nl", "fr"), "Bank bij de kiosk"],
        ["Wassalon Haachtsesteenweg", "laundromat", (), ("ar",), ""],
    ]


def test_import_a_belgian_excel_csv(store: Store, org: str) -> None:
    import_(store, org, FIXTURES / "excel_semicolon.csv")
    frame = vp.list_items(store, org)
    assert frame["name"].tolist() == ["Colignonplein", "Wassalon Haachtsesteenweg"]
    assert frame["notes"].tolist() == ["Markt; dinsdag", ""]
    assert (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == COLIGNON


@pytest.mark.parametrize(
    "text",
    [
        "name,longitude,latitude\nColignonplein,4.3768,50.8672\n",
        "Name,X,Y\nColignonplein,4.3768,50.8672\n",
        'name,WKT\nColignonplein,"POINT (4.3768 50.8672)"\n',
        'name,geometry\nColignonplein,"POINT (4.3768 50.8672)"\n',
    ],
    ids=["longitude-latitude", "x-y", "wkt", "geometry"],
)
def test_import_csv_position_columns(store: Store, org: str, tmp_path: Path, text: str) -> None:
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    import_(store, org, path)
    frame = vp.list_items(store, org)
    assert frame["name"].tolist() == ["Colignonplein"] and (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == COLIGNON


def test_a_geopackage_in_lambert_72_is_reprojected(store: Store, org: str, tmp_path: Path) -> None:
    source = gpd.GeoDataFrame(
        {"name": ["Colignonplein", "Josaphatpark"], "kind": ["square", "park"]},
        geometry=gpd.points_from_xy([COLIGNON[0], JOSAPHAT[0]], [COLIGNON[1], JOSAPHAT[1]]),
        crs="EPSG:4326",
    ).to_crs("EPSG:31370")
    assert source.geometry.x.iloc[0] == pytest.approx(150566.5, abs=0.1)
    source.to_file(tmp_path / "lambert.gpkg", driver="GPKG")
    report = import_(store, org, tmp_path / "lambert.gpkg")
    assert report.reprojected_from == "EPSG:31370"
    frame = vp.list_items(store, org)
    assert frame["kind"].tolist() == ["square", "park"]
    assert frame.geometry.x.tolist() == pytest.approx([COLIGNON[0], JOSAPHAT[0]], abs=1e-8)
    assert frame.geometry.y.tolist() == pytest.approx([COLIGNON[1], JOSAPHAT[1]], abs=1e-8)


def test_a_geojson_that_declares_lambert_72_is_reprojected(store: Store, org: str, tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}}
    path = write_geojson(tmp_path / "lambert.geojson", [point(150566.50206834977, 172980.03895301, name="Colignonplein")], crs=crs)
    assert import_(store, org, path).reprojected_from == "EPSG:31370"
    geometry = vp.list_items(store, org).geometry.iloc[0]
    assert (geometry.x, geometry.y) == pytest.approx(COLIGNON, abs=1e-8)


# --- bad files change nothing ---


def test_lambert_72_without_a_crs_is_refused(store: Store, org: str, existing: vp.Item, tmp_path: Path) -> None:
    before = state(store, org)
    with pytest.raises(ex.ExchangeError) as caught:
        import_(store, org, FIXTURES / "lambert72_no_crs.csv")
    assert caught.value.key == "error.import_wrong_crs"
    assert "150566.50" in str(caught.value) and "Lambert 72" in str(caught.value) and "row 1" in str(caught.value)
    assert state(store, org) == before


def test_one_row_out_of_range_is_named_by_its_row(store: Store, org: str, tmp_path: Path) -> None:
    """One bad row among good ones is not a file in another CRS: the row is named, like every other bad row."""
    before = state(store, org)
    path = tmp_path / "een_fout.csv"
    lines = ["name,lon,lat"] + [f"Bank {i},4.37{i},50.86" for i in range(5)] + ["Verkeerd,400,50.86", "Bank 9,4.38,50.862"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, path)
    assert [(row, problem.key) for row, problem in caught.value.problems] == [(6, "error.coordinate_out_of_range")]
    assert "Lambert" not in str(caught.value)
    geojson = write_geojson(tmp_path / "no_crs.geojson", [point(4.3768, 50.8672, name="ok"), point(151038.27, 172401.66, name="metres")])
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, geojson)
    assert [(row, problem.key) for row, problem in caught.value.problems] == [(2, "error.coordinate_out_of_range")]
    assert state(store, org) == before


BAD_ROWS: list[tuple[dict[str, Any], str]] = [
    (point(4.3768, 50.8672, name="   "), "error.name_empty"),
    (point(4.3768, 50.8672, name="Bank", kind="spaceship"), "error.kind_unknown"),
    (point(4.2, 50.8672, name="Halle"), "error.outside_area"),
    (point(50.8672, 4.3768, name="Omgewisseld"), "error.coordinates_swapped"),
    (point(4.3768, 50.8672, name="Bank", languages="nl;klingon"), "error.language_unknown"),
    (point(4.3768, 50.8672, name="Bank", wheelchair="soms"), "error.wheelchair_unknown"),
    (point(4.3768, 50.8672, name="Bank", formal="misschien"), "error.formal_invalid"),
    (point(4.3768, 50.8672, name="x" * 201), "error.text_too_long"),
    ({"type": "Feature", "geometry": None, "properties": {"name": "Nergens"}}, "error.no_location"),
    (point(4.37251, 50.8610, name="theehuis ASSALAM"), "error.duplicate"),
    (point(4.3001, 50.8001, name="Eerste rij", kind="bench"), "error.outside_area"),
]


@pytest.mark.parametrize(("bad", "key"), BAD_ROWS, ids=[k for _, k in BAD_ROWS])
def test_one_bad_row_imports_nothing(store: Store, org: str, existing: vp.Item, tmp_path: Path, bad: dict[str, Any], key: str) -> None:
    good = [point(4.3768, 50.8672, name="Colignonplein"), point(4.3835, 50.8620, name="Josaphatpark")]
    path = write_geojson(tmp_path / "with_bad_row.geojson", [*good, bad])
    before = state(store, org)
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, path)
    error = caught.value
    assert [(row, problem.key) for row, problem in error.problems] == [(3, key)]
    assert error.message("en").startswith("Nothing was imported from with_bad_row.geojson: 1 rows have a problem. Row 3: ")
    assert error.message("nl").startswith("Er is niets geïmporteerd uit with_bad_row.geojson") and "Rij 3:" in error.message("nl")
    assert "Ligne 3 :" in error.message("fr")
    assert state(store, org) == before


def test_duplicates_inside_the_file_are_refused(store: Store, org: str, tmp_path: Path) -> None:
    rows = [point(4.3768, 50.8672, name="Colignonplein"), point(4.3835, 50.862, name="Park"), point(4.37682, 50.8672, name="COLIGNONPLEIN")]
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, write_geojson(tmp_path / "twice.geojson", rows))
    (row, problem), = caught.value.problems
    assert (row, problem.key) == (3, "error.duplicate_in_file") and "row 1" in problem.message("en")
    assert vp.list_items(store, org).empty


def test_a_csv_row_with_a_bad_number_imports_nothing(store: Store, org: str, tmp_path: Path) -> None:
    path = tmp_path / "bad_number.csv"
    path.write_text("name,lon,lat\nColignonplein,4.3768,50.8672\nJosaphatpark,4.3835,vijftig\nBank,,50.86\n", encoding="utf-8")
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, path)
    assert [(row, p.key, p.field) for row, p in caught.value.problems] == [
        (2, "error.coordinate_not_number", "lat"),
        (3, "error.coordinate_not_number", "lon"),
    ]
    assert "“vijftig”" in str(caught.value)
    assert vp.list_items(store, org).empty


def test_many_bad_rows_show_the_first_few(store: Store, org: str, tmp_path: Path) -> None:
    rows = [point(4.37 + i * 0.001, 50.86, name="", kind="x") for i in range(8)]
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, write_geojson(tmp_path / "bad.geojson", rows))
    assert len(caught.value.problems) == 8
    text = caught.value.message("en")
    assert "8 rows" in text and "Row 5:" in text and "Row 6:" not in text and "And 3 more rows" in text


def test_a_failure_while_writing_leaves_nothing_behind(store: Store, org: str, existing: vp.Item, monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(store, org)
    calls = {"n": 0}
    real = vp.history_row

    def failing_history_row(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(vp, "history_row", failing_history_row)
    with pytest.raises(RuntimeError, match="disk full"):
        import_(store, org, FIXTURES / "umap_vindplaatsen.geojson")
    assert state(store, org) == before


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("truncated.geojson", None, "error.import_unreadable"),
        ("random.gpkg", b"\x00\x01not a geopackage at all" * 10, "error.import_unreadable"),
        ("broken.kml", b"<kml><Document><Placemark><name>open", "error.import_unreadable"),
        ("empty.geojson", b"", "error.import_empty"),
        ("nothing.geojson", b'{"type": "FeatureCollection", "features": []}', "error.import_no_features"),
        ("no_position.csv", b"name,street\nColignonplein,Colignonplein 1\n", "error.import_csv_no_position"),
        ("notes.txt", b"Colignonplein", "error.import_file_type"),
        ("map.kmz", b"PK\x03\x04", "error.import_file_type"),
        ("layer.shp", b"\x00\x00\x27\x0a", "error.import_file_type"),
        ("missing.geojson", "missing", "error.import_unreadable"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v else None,
)
def test_malformed_files_are_refused(
    store: Store, org: str, existing: vp.Item, tmp_path: Path, name: str, content: bytes | str | None, key: str
) -> None:
    path = FIXTURES / name if content is None else tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    before = state(store, org)
    with pytest.raises(ex.ExchangeError) as caught:
        import_(store, org, path)
    assert caught.value.key == key and name in str(caught.value)
    assert all(caught.value.message(lang) for lang in i18n.LANGUAGES)
    assert state(store, org) == before


def test_a_huge_file_is_refused_before_reading(store: Store, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_read(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr(pyogrio, "read_dataframe", must_not_read)
    monkeypatch.setattr(pyogrio, "list_layers", must_not_read)
    with pytest.raises(ex.ExchangeError) as caught:
        import_(store, org, FIXTURES / "umap_vindplaatsen.geojson", max_mb=0.0005)
    assert caught.value.key == "error.import_too_large" and "0.0005 MB" in str(caught.value)
    assert vp.list_items(store, org).empty


def test_too_many_rows_are_refused(store: Store, org: str) -> None:
    with pytest.raises(ex.ExchangeError) as caught:
        import_(store, org, FIXTURES / "umap_vindplaatsen.geojson", max_rows=2)
    assert caught.value.key == "error.import_too_many_rows" and "3" in str(caught.value)
    assert vp.list_items(store, org).empty


def test_the_layer_can_come_from_the_file(store: Store, org: str, tmp_path: Path) -> None:
    rows = [point(4.3768, 50.8672, name="LDC", layer="site"), point(4.3835, 50.862, name="Club", layer="partner", actor="sports_club")]
    import_(store, org, write_geojson(tmp_path / "layers.geojson", rows), layer=None)
    assert vp.list_items(store, org)[["layer", "actor"]].values.tolist() == [["site", ""], ["partner", "sports_club"]]
    with pytest.raises(ex.ImportRowsError) as caught:
        import_(store, org, FIXTURES / "waypoints.gpx", layer=None)
    assert {p.key for _, p in caught.value.problems} == {"error.layer_unknown"}


def test_an_import_for_an_unknown_organisation_is_refused(store: Store) -> None:
    with pytest.raises(vp.VindplaatsError) as caught:
        import_(store, "no-such-organisation", FIXTURES / "waypoints.gpx")
    assert caught.value.key == "error.organisation_unknown"


# --- export ---


@pytest.fixture
def map_to_export(store: Store, org: str) -> list[vp.Item]:
    """Return the items of a small map with hostile and accented text, in every layer."""
    common = {"user": "ann", "bounds": BOX}
    items = [
        vp.add(store, org, layer="vindplaats", name=XSS, kind="tea_house", lon=4.3725, lat=50.861, target_groups=["elderly", "men"],
               languages=["ar", "nl"], hours="ma-vr 9-18", wheelchair="limited", formal=False,
               notes='Vraag naar "Fatima"; zij spreekt ook Tamazight.\n<script>alert(2)</script> & &amp;', **common),
        vp.add(store, org, layer="partner", name="Café Één ë — déjà vu", kind="cafe", lon=4.3768, lat=50.8672, actor="cafe",
               formal=True, osm_place_id="osm:node/42", **common),
        vp.add(store, org, layer="need", name="=HYPERLINK(\"http://x\")", kind="square", lon=4.3835, lat=50.862, actor="shopkeeper",
               notes="Geen bank op het plein", **common),
    ]  # fmt: skip
    gone = vp.add(store, org, layer="site", name="Oude locatie", kind="meeting", lon=4.38, lat=50.865, **common)
    vp.delete(store, org, gone.id, user="ann", expected_version=1)
    return items


FIELDS = ("layer", "name", "kind", "target_groups", "languages", "hours", "wheelchair", "formal", "notes", "actor", "osm_place_id")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_and_import_round_trip(store: Store, org: str, map_to_export: list[vp.Item], tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"kaart{suffix}"
    assert ex.export_items(store, org, path) == 3
    other = organisations.ensure(store, "Buurthuis Aksent")
    report = ex.import_file(store, other, path, user="bob", layer=None, bounds=BOX)
    assert report.added == 3
    mine, theirs = vp.list_items(store, org), vp.list_items(store, other)
    assert theirs[list(FIELDS)].values.tolist() == mine[list(FIELDS)].values.tolist()
    assert theirs.geometry.x.tolist() == pytest.approx(mine.geometry.x.tolist(), abs=1e-7)
    assert theirs.geometry.y.tolist() == pytest.approx(mine.geometry.y.tolist(), abs=1e-7)
    assert set(theirs["id"]).isdisjoint(mine["id"])


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_writes_text_verbatim(store: Store, org: str, map_to_export: list[vp.Item], tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"kaart{suffix}"
    ex.export_items(store, org, path)
    names = [item.name for item in map_to_export]
    notes = [item.notes for item in map_to_export]
    if suffix in (".kml", ".gpx"):
        texts = [element.text or "" for element in ET.parse(path).iter() if element.tag.rsplit("}", 1)[-1] in ("name", "desc", "description")]
        assert set(names) <= set(texts) and {n for n in notes if n} <= set(texts)
    else:
        frame = pyogrio.read_dataframe(path)
        if suffix == ".csv":  # a spreadsheet formula is written as text ('=…); our import takes the apostrophe off
            assert "'=HYPERLINK" in frame["name"].tolist()[2]
            frame = csv_cells.restore_frame(frame)
        assert frame["name"].tolist() == names and frame["description"].fillna("").tolist() == notes
    if suffix in (".geojson", ".csv"):
        raw = path.read_text(encoding="utf-8")
        assert XSS in raw and "Café Één ë — déjà vu" in raw and "&lt;" not in raw


def test_the_geojson_export_opens_in_umap(store: Store, org: str, map_to_export: list[vp.Item], tmp_path: Path) -> None:
    path = tmp_path / "kaart.geojson"
    ex.export_items(store, org, path, layers=["vindplaats", "partner"])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [4.3725, 50.861]}
    assert first["properties"]["name"] == XSS and first["properties"]["description"].startswith('Vraag naar "Fatima"')
    assert first["properties"]["target_groups"] == "elderly;men" and first["properties"]["formal"] == "false"


def test_the_csv_export_has_lon_and_lat(store: Store, org: str, map_to_export: list[vp.Item], tmp_path: Path) -> None:
    path = tmp_path / "kaart.csv"
    ex.export_items(store, org, path)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:2] == ["lon", "lat"] and header[2:] == list(ex.EXPORT_COLUMNS)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_empty_map_exports_an_empty_file(store: Store, org: str, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"leeg{suffix}"
    assert ex.export_items(store, org, path) == 0
    assert path.is_file()
    with pytest.raises(ex.ExchangeError):
        import_(store, org, path)


def test_export_replaces_a_file_and_refuses_unknown_types(store: Store, org: str, map_to_export: list[vp.Item], tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "kaart.gpkg"
    ex.export_items(store, org, path)
    assert ex.export_items(store, org, path, layers=["need"]) == 1
    assert pyogrio.read_dataframe(path)["layer"].tolist() == ["need"]
    assert [p.name for p in folder.iterdir()] == ["kaart.gpkg"]  # no temporary file left
    with pytest.raises(ex.ExchangeError) as caught:
        ex.export_items(store, org, tmp_path / "kaart.shp")
    assert caught.value.key == "error.export_file_type" and ".gpkg" in str(caught.value)


# --- uploads and downloads (what the Streamlit page passes) ---


def test_an_upload_is_imported_under_its_own_name(store: Store, org: str) -> None:
    data = (FIXTURES / "waypoints.gpx").read_bytes()
    report = ex.import_upload(store, org, data, filename="C:\\fakepath/route van dinsdag.gpx", user="ann", layer="vindplaats", bounds=BOX)
    assert (report.source, report.added) == ("route van dinsdag.gpx", 2)
    with pytest.raises(ex.ImportRowsError) as caught:
        ex.import_upload(store, org, data, filename="nog eens.gpx", user="ann", layer="vindplaats", bounds=BOX)
    assert "nog eens.gpx" in str(caught.value) and {p.key for _, p in caught.value.problems} == {"error.duplicate"}
    with pytest.raises(ex.ExchangeError) as caught:
        ex.import_upload(store, org, b"x" * 2048, filename="groot.geojson", user="ann", layer="vindplaats", bounds=BOX, max_mb=0.001)
    assert caught.value.key == "error.import_too_large" and "groot.geojson" in str(caught.value)
    with pytest.raises(ex.ExchangeError) as caught:
        ex.import_upload(store, org, b"{", filename="kapot.geojson", user="ann", layer="vindplaats", bounds=BOX)
    assert caught.value.key == "error.import_unreadable" and "kapot.geojson" in str(caught.value)
    assert len(vp.list_items(store, org)) == 2


def test_export_bytes_for_a_download(store: Store, org: str, map_to_export: list[vp.Item]) -> None:
    data = json.loads(ex.export_bytes(store, org, suffix=".geojson", layers=["partner"]))
    assert [f["properties"]["name"] for f in data["features"]] == ["Café Één ë — déjà vu"]
    assert ex.export_bytes(store, org, suffix=".GPKG")[:15] == b"SQLite format 3"
