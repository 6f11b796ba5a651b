"""The buurtanalyse of an area, its standalone HTML report, and the CLI over quartiers."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from buurtkaart import accessibility as access
from buurtkaart import buurtanalyse, cli, disclosure, formats, graph, report
from buurtkaart.area import Area, commune_boundary, population_blocks
from buurtkaart.errors import AreaError
from tests.test_caseload import citizen_frame, items_frame, tie_frame

JOSAPHAT = 27  # the Josaphat monitoring quartier, in Schaerbeek


@pytest.fixture(scope="module")
def blocks() -> gpd.GeoDataFrame:
    """Return the population blocks of Schaerbeek."""
    return population_blocks()


@pytest.fixture(scope="module")
def schaerbeek(region: Area, walk: graph.WalkGraph, blocks: gpd.GeoDataFrame) -> buurtanalyse.AreaAnalysis:
    """Return the analysis of Schaerbeek with a small invented caseload."""
    people = citizen_frame([{"quartier": str(JOSAPHAT), "lon": 4.3790, "lat": 50.8672, "talents": ("gardening",)}] * 6)
    rows = [{"citizen_id": f"c{i}", "place_label": "<script>alert(1)</script> café", "place_ref": "x1",
             "lon": 4.3795, "lat": 50.8675} for i in range(6)]
    items = items_frame([{"layer": "need", "name": "Moestuin zoekt hulp", "kind": "park", "lon": 4.3800, "lat": 50.8670}])
    return buurtanalyse.analyse_area(
        "Schaerbeek", commune_boundary(), region=region, walk=walk, blocks=blocks, items=items, citizens=people,
        all_ties=tie_frame(rows), unit=disclosure.COMMUNE,
    )


def test_residents_are_those_of_the_blocks_in_the_area(schaerbeek: buurtanalyse.AreaAnalysis, blocks: gpd.GeoDataFrame) -> None:
    assert schaerbeek.has_population
    meeting = schaerbeek.figures[schaerbeek.figures["key"] == "meeting"].set_index("group")
    elderly = blocks["age_60_69"].sum() + blocks["age_70_plus"].sum()
    assert meeting.loc["elderly", "residents"] == elderly
    parts = meeting[["residents_within", "residents_beyond", "residents_unreachable"]].sum(axis=1)
    assert (parts == meeting["residents"]).all()


def test_place_counts_are_the_places_inside_the_boundary(schaerbeek: buurtanalyse.AreaAnalysis, region: Area) -> None:
    boundary = commune_boundary()
    inside = region.places[shapely.contains_xy(boundary, region.places.geometry.x, region.places.geometry.y)]
    counts = schaerbeek.places.set_index("key")["in_area"]
    assert counts["cafe"] == (inside["category"] == "cafe").sum() > 100
    assert counts["meeting"] == (inside["category"] == "meeting").sum()


def test_distances_may_cross_the_area_edge(region: Area, walk: graph.WalkGraph) -> None:
    """A quartier without a place of a kind still gets finite walking distances to the next one across its edge."""
    result = buurtanalyse.analyse_area("Q", region.quartiers.loc[region.quartiers["mdrc"] == JOSAPHAT].geometry.iloc[0],
                                       region=region, walk=walk)
    places = result.places.set_index("key")
    empty_kinds = places[places["in_area"] == 0].index
    assert len(empty_kinds) > 0
    reachable = [k for k in empty_kinds if np.isfinite(places.loc[k, "median_m"])]
    assert reachable, "a kind absent from the quartier is reachable just outside it"
    assert not result.has_population or result.figures["residents"].sum() > 0


def test_the_caseload_figures_come_from_the_citizens_in_the_area(schaerbeek: buurtanalyse.AreaAnalysis) -> None:
    assert schaerbeek.citizens == "6"
    overall = schaerbeek.gaps.iloc[0]
    assert overall["n"] == 6 and overall["lacking_informatief"] == 1.0 and overall["lacking_affectief"] == 0.0
    assert schaerbeek.unknown["citizens"].tolist() == ["6"]
    assert schaerbeek.talents["talent"].tolist() == ["gardening"]


def test_citizens_outside_the_area_are_left_out(region: Area, walk: graph.WalkGraph) -> None:
    far = citizen_frame([{"quartier": "58", "lon": 4.30, "lat": 50.83}] * 7)  # Anderlecht, not Schaerbeek
    result = buurtanalyse.analyse_area("Schaerbeek", commune_boundary(), region=region, walk=walk, citizens=far,
                                       all_ties=tie_frame([]), unit=disclosure.COMMUNE)  # fmt: skip
    assert result.citizens == "verborgen"
    assert result.gaps.iloc[0]["suppressed"] and result.gaps["suppressed"].all()


def test_an_area_without_streets_is_a_clear_error(region: Area, walk: graph.WalkGraph) -> None:
    sea = shapely.box(2.0, 51.5, 2.1, 51.6)
    with pytest.raises(AreaError) as caught:
        buurtanalyse.analyse_area("Noordzee", sea, region=region, walk=walk)
    assert "Noordzee" in caught.value.message("nl")


def test_the_report_is_standalone_escaped_and_shows_no_citizen(schaerbeek: buurtanalyse.AreaAnalysis, region: Area) -> None:
    edges = region.street_edges[region.street_edges.intersects(commune_boundary())]
    page = report.report_html(schaerbeek, lang="nl", edges=edges)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower().replace("&lt;script", "")  # the place name is text, not a script
    assert "&lt;script&gt;alert(1)&lt;/script&gt; café" in page
    assert not re.search(r"(src|href)=['\"]https?:", page)  # nothing is fetched from elsewhere
    assert "data:image/png;base64," in page and page.count("<svg") >= 2  # the map, the access and the gaps charts
    assert "BK-0000" not in page  # no citizen code
    assert "Ontmoetingsplek" in page


def test_a_small_caseload_is_suppressed_in_the_report(region: Area, walk: graph.WalkGraph) -> None:
    people = citizen_frame([{"quartier": str(JOSAPHAT), "lon": 4.3790, "lat": 50.8672}] * 3)
    result = buurtanalyse.analyse_area("S", commune_boundary(), region=region, walk=walk, citizens=people,
                                       all_ties=tie_frame([{"citizen_id": "c0"}]), unit=disclosure.COMMUNE)
    page = report.report_html(result, lang="en")
    assert "The figures of this area are hidden" in page
    assert "Without" not in page  # no gap table at all


def test_summary_row_is_flat(schaerbeek: buurtanalyse.AreaAnalysis) -> None:
    row = buurtanalyse.summary_row(schaerbeek)
    assert row["area"] == "Schaerbeek" and row["citizens"] == "6"
    assert row["meeting_elderly_beyond"] == int(
        schaerbeek.figures.set_index(["key", "group"]).loc[("meeting", "elderly"), "residents_beyond"]
    )
    assert all(not isinstance(v, list | dict) for v in row.values())


def test_settings_change_the_figures(region: Area, walk: graph.WalkGraph, blocks: gpd.GeoDataFrame) -> None:
    strict = access.access_settings({"elderly": 100})
    loose = access.access_settings({"elderly": 2000})
    results = [
        buurtanalyse.analyse_area("S", commune_boundary(), region=region, walk=walk, blocks=blocks, settings=s).figures
        for s in (strict, loose)
    ]
    beyond = [r.set_index(["key", "group"]).loc[("meeting", "elderly"), "residents_beyond"] for r in results]
    assert beyond[0] > beyond[1]


def test_cli_analyse_writes_reports_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyse", "--quartier", str(JOSAPHAT), "--out", str(tmp_path)]) == 0
    reports = list(tmp_path.glob("buurtanalyse_*.html"))
    assert len(reports) == 1 and "<!DOCTYPE html>" in reports[0].read_text(encoding="utf-8")
    summary = pd.read_csv(tmp_path / "buurtanalyse.csv")
    assert len(summary) == 1 and summary.loc[0, "area"].startswith(str(JOSAPHAT))


def test_cli_analyse_refuses_a_zero_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyse", "--elderly-m", "0"]) == 1
    assert "0" in capsys.readouterr().err


def test_the_report_names_quartiers_not_codes(region: Area, walk: graph.WalkGraph) -> None:
    people = citizen_frame([{"quartier": str(JOSAPHAT), "lon": 4.3790, "lat": 50.8672}] * 5)
    result = buurtanalyse.analyse_area("S", commune_boundary(), region=region, walk=walk, citizens=people,
                                       all_ties=tie_frame([{"citizen_id": f"c{i}"} for i in range(5)]), unit=disclosure.COMMUNE)
    names = report.quartier_names(region.quartiers, lang="nl")
    table = report.gaps_table(result, lang="nl", quartier_names=names)
    commune = disclosure.commune_quartiers(region.quartiers, commune_boundary())
    assert table.iloc[:, 0].tolist() == ["Alle burgers", *(names[q] for q in commune)]  # every fixed unit, empty ones too
    assert table.iloc[:, 1].tolist()[:1] == ["5"] and table.set_index(table.columns[0]).loc[names[str(JOSAPHAT)]].iloc[0] == "5"
    assert f">{names[str(JOSAPHAT)]}<" in report.report_html(result, lang="nl", quartier_names=names)


def test_a_place_named_by_fewer_than_five_is_counted_not_shown(region: Area, walk: graph.WalkGraph) -> None:
    people = citizen_frame([{"quartier": str(JOSAPHAT), "lon": 4.3790, "lat": 50.8672}] * 6)
    rows = [{"citizen_id": f"c{i}", "place_ref": "x1", "place_label": "Theehuis Anadolu"} for i in range(6)]
    rows.append({"citizen_id": "c0", "place_ref": "x2", "place_label": "Geheim café"})
    result = buurtanalyse.analyse_area("S", commune_boundary(), region=region, walk=walk, citizens=people, all_ties=tie_frame(rows),
                                       unit=disclosure.COMMUNE)
    page = report.report_html(result, lang="nl")
    assert "Theehuis Anadolu" in page and "Geheim café" not in page
    assert "1 andere plekken worden door minder dan 5 burgers genoemd" in page


def test_map_and_report_draw_the_same_streets_around_the_area(schaerbeek: buurtanalyse.AreaAnalysis, region: Area) -> None:
    streets = buurtanalyse.area_streets(region, schaerbeek.boundary)
    inside = region.street_edges[region.street_edges.intersects(schaerbeek.boundary)]
    assert set(inside.index) <= set(streets.index)  # every street of the area, and those just around it
    margin = region.street_edges.loc[streets.index.difference(inside.index)]
    assert len(margin) > 0
    metric = gpd.GeoSeries([schaerbeek.boundary], crs=region.street_edges.crs).to_crs(31370).iloc[0]
    assert (margin.to_crs(31370).distance(metric) <= 150.0 + 1e-6).all()


def test_one_report_pipeline_for_page_and_cli(schaerbeek: buurtanalyse.AreaAnalysis, region: Area) -> None:
    page = report.area_report(schaerbeek, region, lang="fr")
    made = formats.datetime_text(schaerbeek.made_at, "fr")  # in Brussels time, as French writes it
    direct = report.report_html(
        schaerbeek, lang="fr", edges=buurtanalyse.area_streets(region, schaerbeek.boundary),
        quartier_names=report.quartier_names(region.quartiers, lang="fr"),
    )
    assert page == direct and made in page
    assert "<img class='map'" in page


def test_the_access_map_draws_streets_blocks_and_the_area(schaerbeek: buurtanalyse.AreaAnalysis, region: Area) -> None:
    from buurtkaart import maps

    m = maps.access_map(region, boundary=schaerbeek.boundary, name="<b>Schaerbeek</b>", result=schaerbeek, key="meeting",
                        group="elderly", lang="nl", width=560, height=560)
    page = m.get_root().render()
    assert "bk-access-street" in page and "bk-block-beyond" in page and "bk-area" in page
    assert maps.external_assets(m) == []
    assert m.options["zoom"] == maps.fit_zoom(schaerbeek.boundary.bounds, width=560, height=560)
    empty = maps.access_map(region, boundary=None, name="", result=None, key="meeting", group="elderly", lang="nl")
    assert "bk-access-street" not in empty.get_root().render() and "leaflet.draw" in empty.get_root().render()
