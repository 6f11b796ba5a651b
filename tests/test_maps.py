"""Tests of the map builder: layers, local assets only, and untrusted text kept as text."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import maps
from buurtkaart import places as places_mod
from buurtkaart.paths import ROOT


def _tiny_area(names: list[str], tags: list[dict]) -> area_mod.Area:
    """Return a small area with the given places, a street and a quartier."""
    features = gpd.GeoDataFrame(
        [{**tag, "name": name} for name, tag in zip(names, tags, strict=True)],
        geometry=[shapely.Point(4.37 + i * 0.001, 50.86) for i in range(len(names))],
        crs="EPSG:4326",
    )
    street = gpd.GeoDataFrame(
        {"u": [1], "v": [2], "key": [0], "name": ["Rue"], "length": [150.0]},
        geometry=[shapely.LineString([(4.369, 50.86), (4.375, 50.86)])],
        crs="EPSG:4326",
    )
    quartiers = gpd.GeoDataFrame(
        {"mdrc": [1], "name_nl": ["<b>Wijk</b>"], "name_fr": ["Quartier"]},
        geometry=[shapely.box(4.36, 50.85, 4.38, 50.87)],
        crs="EPSG:4326",
    )
    return area_mod.Area(
        name="test",
        places=places_mod.from_osm(features),
        street_edges=street,
        street_nodes=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
        boundary=shapely.box(4.36, 50.85, 4.38, 50.87),
        quartiers=quartiers,
    )


def _scripts(m) -> str:
    return m.get_root().render()


def _unescaped(m) -> str:
    """Return the page with the JSON escapes of <, > and & undone, to read labels."""
    return _scripts(m).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")


def test_map_uses_only_local_assets() -> None:
    m = maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]))
    html = _scripts(m)
    assert maps.external_assets(m) == []
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/app/static/") for u in urls), urls
    assert "tile.openstreetmap.org" not in html
    assert "tile.openstreetmap.org" in _scripts(maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]), osm_tiles=True))


def test_one_layer_per_category_present_with_class_and_count() -> None:
    area = _tiny_area(["A", "B", "C"], [{"amenity": "cafe"}, {"amenity": "cafe"}, {"amenity": "place_of_worship"}])
    html = _unescaped(maps.build_map(area))
    assert "bk-cat-cafe" in html and "bk-cat-worship" in html and "bk-cat-market" not in html
    assert "theehuis en eethuis <small>(2)</small>" in html
    assert "Gebedshuis <small>(1)</small>" in html
    assert "Lieu de culte" in _scripts(maps.build_map(area, lang="fr"))


def test_hidden_categories_start_unchecked() -> None:
    area = _tiny_area(["A", "B"], [{"amenity": "cafe"}, {"amenity": "place_of_worship"}])
    html = _scripts(maps.build_map(area, categories=["cafe"]))
    # folium adds a layer to the map only when it is shown; the layer control lists every layer
    added = re.findall(r"((?:geo_json|compact_layer)_\w+)\.addTo\(", html)
    assert len(added) == 5 - 1  # streets, street names, quartiers, cafe; not worship
    layer = r"var (compact_layer_\w+) = BK\.layer\((?:(?!var compact_layer_).)*?bk-cat-"
    worship = re.search(layer + "worship", html, re.S).group(1)
    cafe = re.search(layer + "cafe", html, re.S).group(1)
    assert cafe in added and worship not in added
    listed = set(re.findall(r'" : ((?:geo_json|compact_layer)_\w+)', html))
    assert {worship, cafe} <= listed  # hidden: in the control, unchecked


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><b>x"])
def test_untrusted_names_never_become_markup(evil: str) -> None:
    html = _scripts(maps.build_map(_tiny_area([evil], [{"amenity": "cafe"}])))
    assert evil not in html  # JSON in the page escapes <, > and &
    assert json.dumps(evil).replace("<", "\\u003c").replace(">", "\\u003e")[1:-1] in html
    # the popups are built by the map's own script (static/share/bkmap.js) from text nodes only
    assert "/app/static/share/bkmap.js" in html and html.count("BK.layer(") == 4  # streets, street names, quartiers and the cafe layer
    script = (ROOT / "static" / "share" / "bkmap.js").read_text(encoding="utf-8")
    popup = script.split("function popup(", 1)[1].split("\n  }\n", 1)[0]
    assert "textContent" in popup and "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_quartier_names_are_text_in_tooltips() -> None:
    html = _scripts(maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}])))
    assert "<b>Wijk" not in html and "\\u003cb\\u003eWijk\\u003c/b\\u003e" in html  # JSON with < and > escaped
    assert '"tip": "nl"' in html and '"tip": "fr"' in _scripts(maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]), lang="fr"))
    script = (ROOT / "static" / "share" / "bkmap.js").read_text(encoding="utf-8")
    assert "bindTooltip(function () { return document.createTextNode(text); }" in script  # a tooltip is a text node


def test_basemap_is_one_merged_feature_per_geometry_kind() -> None:
    lines = gpd.GeoSeries([shapely.LineString([(0, 0), (1, 1)]), shapely.LineString([(1, 1), (2, 0)])], crs=4326)
    polys = gpd.GeoSeries([shapely.box(0, 0, 1, 1)], crs=4326)
    data = maps.basemap_geojson(gpd.GeoDataFrame(geometry=[*lines, *polys], crs=4326))
    kinds = [f["geometry"]["type"] for f in data["features"]]
    assert kinds == ["MultiLineString", "MultiPolygon"]
    assert len(data["features"][0]["geometry"]["coordinates"]) == 2


def test_places_geojson_keeps_only_filled_properties() -> None:
    area = _tiny_area(["Bib"], [{"amenity": "library", "wheelchair": "yes"}])
    feature = maps.places_geojson(area.places)["features"][0]
    assert feature["properties"] == {"n": "Bib", "t": "amenity=library", "w": "yes"}
    assert feature["geometry"]["coordinates"] == [4.37, 50.86]


def test_fit_zoom_and_center() -> None:
    schaerbeek = area_mod.commune_boundary().bounds
    assert 12 <= maps.fit_zoom(schaerbeek, width=1000, height=640) <= 14
    assert maps.fit_zoom((4.37, 50.86, 4.371, 50.861)) >= 16
    lat, lon = maps.center((4.0, 50.0, 5.0, 51.0))
    assert (lat, lon) == (50.5, 4.5)


def test_view_of_an_area_or_one_quartier() -> None:
    area = _tiny_area(["A"], [{"amenity": "cafe"}])
    centre, zoom = maps.view_of(area, width=400, height=300)
    assert centre == maps.center(area.bounds) and zoom == maps.fit_zoom(area.bounds, width=400, height=300)
    centre, zoom = maps.view_of(area, 1, width=400, height=300)
    assert centre == pytest.approx((50.86, 4.37)) and zoom == maps.fit_zoom((4.36, 50.85, 4.38, 50.87), width=400, height=300)


def test_search_and_click_markers() -> None:
    for group, css in ((maps.highlight(50.86, 4.37), "bk-highlight"), (maps.clicked_marker(50.86, 4.37), "bk-clicked")):
        m = maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]))
        group.add_to(m)
        page = _scripts(m)
        assert css in page and "[50.86, 4.37]" in page


# --- the light map of the app: one data file per area, fetched from the app itself ---------------


def test_publish_writes_one_data_file_per_area_and_the_page_holds_none_of_it(tmp_path) -> None:
    from buurtkaart import compact

    area = _tiny_area(["Theehuis Anatolia", "Moskee"], [{"amenity": "cafe"}, {"amenity": "place_of_worship"}])
    data = maps.map_data(area)
    url = maps.publish(data, tmp_path)
    assert url.startswith(maps.CACHE_URL + "/map-") and url.endswith(".json")
    assert maps.publish(maps.map_data(area), tmp_path) == url  # the same area: the same file, written once
    (path,) = tmp_path.glob("map-*.json")
    assert url.endswith(path.name)
    content = json.loads(path.read_text(encoding="utf-8"))
    assert set(content["layers"]) == {"streets", "labels", "quartiers", "cat-cafe", "cat-worship"}  # map data only, no team layer
    cafe = content["layers"]["cat-cafe"]
    assert compact.column(["Theehuis Anatolia"]) == cafe["p"]["n"] and cafe["count"] == 1
    quartiers = content["layers"]["quartiers"]
    assert quartiers["p"] == {"nl": ["<b>Wijk</b>"], "fr": ["Quartier"]} and quartiers["count"] == 1
    page = _scripts(maps.build_map(data, data_url=url))
    assert "Anatolia" not in page and cafe["c"] not in page and content["layers"]["streets"]["c"] not in page
    assert page.count("BK.remote(") == 5 and page.count(json.dumps(url)) == 5 and "BK.layer(" not in page  # + street names
    assert "theehuis en eethuis <small>(1)</small>" in page.replace("\\u003c", "<").replace("\\u003e", ">")  # counts in the control
    assert maps.external_assets(maps.build_map(data, data_url=url)) == []


def test_a_changed_area_gets_a_new_file_and_old_files_are_pruned(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(maps, "CACHE_KEEP", 2)
    urls = [maps.publish(maps.map_data(_tiny_area([f"Plek {n}"], [{"amenity": "cafe"}])), tmp_path) for n in range(4)]
    assert len(set(urls)) == 4
    left = sorted(p.name for p in tmp_path.glob("map-*.json"))
    assert len(left) == 2 and urls[-1].rsplit("/", 1)[1] in left
    assert not list(tmp_path.glob(".map-*"))  # no temporary file left behind


def test_region_map_page_and_data_file_stay_light(tmp_path) -> None:
    region = area_mod.load_embedded()
    data = maps.map_data(region)
    url = maps.publish(data, tmp_path)
    page = len(_scripts(maps.build_map(data, data_url=url)).encode())
    file = next(tmp_path.glob("map-*.json")).stat().st_size
    assert data.n_places > 16_000
    assert page < 40_000 and page + file <= 1_500_000, (page, file)


def test_only_clicks_and_drawings_rerun_a_page() -> None:
    """Every map of the pages returns at most its last click or drawing: panning and zooming never rerun the page."""
    import ast

    calls = 0
    for path in sorted((ROOT / "buurtkaart" / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "st_folium":
                calls += 1
                returned = next((k.value for k in node.keywords if k.arg == "returned_objects"), None)
                assert isinstance(returned, ast.List), f"{path.name}: st_folium without a returned_objects list"
                names = {ast.literal_eval(e) for e in returned.elts}
                assert names <= {"last_clicked", "last_active_drawing"}, (path.name, names)
    assert calls >= 5


def test_a_cache_that_cannot_be_written_puts_the_data_in_the_page(tmp_path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    data = maps.map_data(_tiny_area(["Theehuis Anatolia"], [{"amenity": "cafe"}]))
    assert maps.publish_or_inline(data, blocked) is None
    page = _scripts(maps.build_map(data, data_url=None))
    assert "Anatolia" in page and "BK.remote(" not in page


def _map_options(html: str) -> dict:
    """Return the options of the page's L.map(...) call as a dict."""
    options = re.search(r"L\.map\(\s*\"map_\w+\",\s*\{.*?\.\.\.(\{.*?\})\s*\}\s*\);", html, re.S).group(1)
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", options))


def test_every_map_keeps_zoom_and_view_to_what_the_data_supports() -> None:
    area = _tiny_area(["A"], [{"amenity": "cafe"}])
    options = _map_options(_scripts(maps.build_map(area)))
    assert options["maxZoom"] == maps.MAX_ZOOM == 19
    assert options["minZoom"] == min(maps.MIN_ZOOM, options["zoom"]) and options["minZoom"] <= 11
    [[south, west], [north, east]] = options["maxBounds"]
    assert (west, south, east, north) == pytest.approx((4.36 - 0.02, 50.85 - 0.02, 4.38 + 0.02, 50.87 + 0.02))
    assert options["maxBoundsViscosity"] == 1.0
    access = _map_options(_scripts(maps.access_map(area, boundary=None, name="", result=None, key="meeting", group="elderly", lang="nl")))
    assert access["maxZoom"] == 19 and access["minZoom"] <= 11 and "maxBounds" in access


def test_the_layer_list_folds_away() -> None:
    area = _tiny_area(["A"], [{"amenity": "cafe"}])
    for m in (maps.build_map(area), maps.access_map(area, boundary=None, name="", result=None, key="meeting", group="elderly", lang="nl")):
        html = _scripts(m)
        assert re.search(r'"collapsed":\s*true', html) and not re.search(r'"collapsed":\s*false', html)
        assert '"position": "topright"' in html


def test_street_names_are_written_from_zoom_16() -> None:
    html = _unescaped(maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]), lang="fr"))
    assert '"streetLabels": true' in html and f'"minZoom": {maps.LABEL_MIN_ZOOM}' in html and maps.LABEL_MIN_ZOOM == 16
    assert "Noms de rue (d\\u00e8s le zoom 16)" in html  # its line in the layer list (folium writes it ASCII-escaped)


def test_place_popups_offer_mark_as_vindplaats_by_osm_id_only_when_asked() -> None:
    area = _tiny_area(["A", "B"], [{"amenity": "cafe"}, {"amenity": "cafe"}])
    html = _scripts(maps.build_map(area, mark=True))
    assert f'"mark": "{maps.MARK_URL}"' in html and json.dumps("📍 Markeer als vindplaats") in html
    ids = json.loads(re.search(r'"i":(\{"t":\[[^\]]*\],"k":"[^"]*"\})', html).group(1))
    table, pairs = ids["t"], maps.compact.unvarints(ids["k"]).reshape(-1, 2)
    decoded = sorted(f"{table[i]}{n}" for i, n in zip(pairs[:, 0], np.cumsum(pairs[:, 1]), strict=True))
    assert decoded == sorted(area.places["place_id"])  # every place carries its own id, for the link
    assert '"mark":' not in _scripts(maps.build_map(area))
    script = (ROOT / "static" / "share" / "bkmap.js").read_text(encoding="utf-8")
    link = script.split("function markLink(", 1)[1].split("\n  }\n", 1)[0]
    assert "encodeURIComponent(id)" in link and "link.textContent" in link


def test_the_teams_vindplaatsen_are_a_layer_in_the_list() -> None:
    import geopandas as gpd

    items = gpd.GeoDataFrame(
        {"id": ["i1"], "layer": ["vindplaats"], "name": ["<b>Bank</b> bij de kerk"], "kind": ["bench"], "target_groups": [()],
         "languages": [()], "hours": [""], "wheelchair": ["unknown"], "notes": [""]},
        geometry=[shapely.Point(4.371, 50.861)], crs="EPSG:4326",
    )  # fmt: skip
    labels = {"layer": {"vindplaats": "Vindplaats"}, "kind": {"bench": "Bank"}, "target_group": {}, "language": {}, "wheelchair": {}}
    m = maps.build_map(_tiny_area(["A"], [{"amenity": "cafe"}]), overlays=maps.item_layers(items, lang="nl", labels=labels))
    html = _scripts(m)
    assert "Vindplaats (1)" in html and "bk-layer-vindplaats" in html
    assert "<b>Bank</b>" not in html  # the name is JSON-escaped data, shown by the popup as a text node
