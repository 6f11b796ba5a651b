"""The buurtanalyse of a caseload: gaps per quartier with small groups suppressed, unknown places, talents and needs."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from buurtkaart import caseload, graph, vocabulary
from buurtkaart.area import commune_boundary, load_embedded

ANCHOR = (4.3785, 50.8670)  # near Josaphatpark, Schaerbeek


def citizen_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Return citizens with the declared columns from partial dicts (lon/lat keys give the anchor)."""
    full = []
    for i, row in enumerate(rows):
        base = dict.fromkeys(vocabulary.CITIZEN_COLUMNS, "")
        base.update(citizen_id=f"c{i}", code=f"BK-{i:04d}", situations=(), talents=(), interests=(), languages=(), demo=True)
        base.update({k: v for k, v in row.items() if k not in ("lon", "lat")})
        base["geometry"] = shapely.Point(row.get("lon", ANCHOR[0]), row.get("lat", ANCHOR[1]))
        full.append(base)
    return gpd.GeoDataFrame(full, geometry="geometry", crs=vocabulary.CRS)


def tie_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Return ties with the declared columns from partial dicts (defaults: an active bonding family tie in the buurt)."""
    defaults = dict(
        role="family", capital="bonding", functions=("affectief",), frequency="weekly", strength="strong", state="active",
        influence="positive", reciprocity="both", level="buurt", place_kind="place", place_ref="p1", place_label="Café",
    )
    if not rows:
        return vocabulary.empty_ties()
    full = []
    for i, row in enumerate(rows):
        tie = {"tie_id": f"t{i}", **defaults, **{k: v for k, v in row.items() if k not in ("lon", "lat")}}
        tie["geometry"] = shapely.Point(row.get("lon", ANCHOR[0]), row.get("lat", ANCHOR[1]))
        full.append(tie)
    return gpd.GeoDataFrame(full, geometry="geometry", crs=vocabulary.CRS)


def test_profiles_count_members_and_functions_of_active_ties() -> None:
    citizens = citizen_frame([{"quartier": "1"}])
    rows = [
        {"citizen_id": "c0", "functions": ("affectief", "materieel")},
        {"citizen_id": "c0", "functions": ("verbindend",), "state": "slapend", "capital": "bridging"},
        {"citizen_id": "c0", "functions": ("informatief",), "state": "breuklijn"},
        {"citizen_id": "c0", "reciprocity": "receives", "strength": "light", "influence": "negative"},
    ]
    profile = caseload.citizen_profiles(citizens, tie_frame(rows)).iloc[0]
    assert profile["size"] == 3  # the breuklijn is no longer a member
    assert profile["active"] == 2
    assert profile["has_affectief"] and profile["has_materieel"]
    assert not profile["has_verbindend"]  # only a slapend tie gives it
    assert not profile["has_informatief"]  # only a breuklijn gives it
    assert not profile["bonding_only"]  # a bridging member
    assert (profile["dormant"], profile["light"], profile["one_sided"], profile["negative"]) == (1, 1, 1, 1)


def test_a_negative_tie_fills_no_function() -> None:
    citizens = citizen_frame([{"quartier": "1"}])
    rows = [{"citizen_id": "c0", "functions": ("materieel",), "influence": "negative"},
            {"citizen_id": "c0", "functions": ("affectief",), "influence": "mixed"}]
    profile = caseload.citizen_profiles(citizens, tie_frame(rows)).iloc[0]
    assert not profile["has_materieel"] and profile["has_affectief"]


def test_a_citizen_without_ties_lacks_everything() -> None:
    profile = caseload.citizen_profiles(citizen_frame([{"quartier": "1"}]), tie_frame([])).iloc[0]
    assert profile["size"] == 0
    assert not any(profile[f"has_{f}"] for f in vocabulary.FUNCTIONS)
    assert not profile["bonding_only"]


def test_caseload_gaps_per_quartier_suppress_groups_under_five() -> None:
    citizens = citizen_frame([{"quartier": "A"}] * 6 + [{"quartier": "B"}] * 3)
    rows = []
    for i in range(9):
        rows.append({"citizen_id": f"c{i}", "functions": ("affectief",)})
        if i < 3:  # three of quartier A also get information, from a bridging tie
            rows.append({"citizen_id": f"c{i}", "functions": ("informatief",), "capital": "bridging"})
    gaps = caseload.caseload_gaps(caseload.citizen_profiles(citizens, tie_frame(rows))).set_index("group")
    assert gaps.loc["all", "n"] == 9
    assert gaps.loc["all", "lacking_informatief"] == pytest.approx(6 / 9)
    assert gaps.loc["all", "lacking_affectief"] == 0
    assert gaps.loc["all", "bonding_only"] == pytest.approx(6 / 9)
    assert gaps.loc["A", "lacking_informatief"] == pytest.approx(3 / 6)
    b = gaps.loc["B"]
    assert b["suppressed"] and pd.isna(b["n"]) and b["citizens"] == "< 5"
    assert all(pd.isna(b[f"lacking_{f}"]) for f in vocabulary.FUNCTIONS)
    assert pd.isna(b["mean_size"]) and pd.isna(b["bonding_only"]) and pd.isna(b["dormant"])


def test_a_caseload_under_five_shows_no_figure_at_all() -> None:
    citizens = citizen_frame([{"quartier": "A"}] * 4)
    gaps = caseload.caseload_gaps(caseload.citizen_profiles(citizens, tie_frame([{"citizen_id": "c0"}])))
    assert gaps["suppressed"].all()
    assert gaps.drop(columns=["group", "citizens", "suppressed"]).isna().all().all()


def test_size_classes_against_the_seed_figures() -> None:
    citizens = citizen_frame([{"quartier": "A"}] * 5)
    rows = [{"citizen_id": "c0"} for _ in range(30)] + [{"citizen_id": "c1"} for _ in range(3)]
    gaps = caseload.caseload_gaps(caseload.citizen_profiles(citizens, tie_frame(rows)), by_quartier=False).iloc[0]
    assert gaps["rich"] == pytest.approx(1 / 5)
    assert gaps["vulnerable"] == pytest.approx(4 / 5)  # c1 with 3 and three citizens with none
    assert gaps["mean_size"] == pytest.approx(33 / 5)


def items_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Return organisation map items with the columns the analysis reads."""
    full = []
    for i, row in enumerate(rows):
        item = {"id": f"i{i}", "layer": "vindplaats", "name": "", "kind": "other", "notes": "", "osm_place_id": None,
                "deleted_at": pd.NaT, **{k: v for k, v in row.items() if k not in ("lon", "lat")}}
        item["geometry"] = shapely.Point(row["lon"], row["lat"])
        full.append(item)
    return gpd.GeoDataFrame(full, geometry="geometry", crs=vocabulary.CRS)


def test_unknown_places_leave_out_what_the_organisation_knows() -> None:
    rows = [
        # named by 6 citizens, not on the map
        *({"citizen_id": f"c{i}", "place_ref": "osm:1", "place_label": "Tea house Anadolu", "lon": 4.370, "lat": 50.860} for i in range(6)),
        # on the map by OSM id
        {"citizen_id": "c0", "place_ref": "osm:2", "place_label": "Café Central", "lon": 4.372, "lat": 50.861},
        # on the map by name, 10 m away, bilingual half
        {"citizen_id": "c1", "place_ref": "osm:3", "place_label": "Parc Josaphat - Josaphatpark", "lon": 4.3800, "lat": 50.8650},
        # a street named by one citizen
        {"citizen_id": "c2", "place_kind": "street", "place_ref": "Rue Royale", "place_label": "Rue Royale", "lon": 4.37, "lat": 50.855},
        # not buurt: never a candidate vindplaats
        {"citizen_id": "c3", "level": "translokaal", "place_kind": "city", "place_ref": "2553604", "place_label": "Casablanca",
         "lon": -7.6, "lat": 33.6},
        # already a vindplaats
        {"citizen_id": "c4", "place_kind": "vindplaats", "place_ref": "i9", "place_label": "Buurthuis", "lon": 4.37, "lat": 50.86},
    ]
    items = items_frame([
        {"name": "Café Central", "osm_place_id": "osm:2", "lon": 4.3721, "lat": 50.8611},
        {"name": "Josaphatpark", "lon": 4.38012, "lat": 50.86507},
    ])
    found = caseload.unknown_places(tie_frame(rows), items)
    assert found["label"].tolist() == ["Tea house Anadolu"]  # the street named by one citizen is not listed
    assert found.iloc[0]["citizens"] == "6" and found.iloc[0]["n"] == 6
    assert found.attrs["hidden"] == 1
    assert found.crs.to_epsg() == 4326


def test_unknown_places_without_a_map_lists_every_place_named_by_five() -> None:
    rows = [{"citizen_id": f"c{i}"} for i in range(5)] + [{"citizen_id": "c0", "place_ref": "p2", "place_label": "Bank"}]
    found = caseload.unknown_places(tie_frame(rows), None)
    assert found["label"].tolist() == ["Café"] and found.attrs["hidden"] == 1
    assert caseload.unknown_places(tie_frame(rows[:4]), None).empty  # four citizens: nothing to show


@pytest.fixture(scope="module")
def schaerbeek_graph() -> graph.WalkGraph:
    """Return the walking graph of Schaerbeek."""
    return graph.walk_graph(load_embedded().clip(commune_boundary(), name="Schaerbeek"))


def test_need_talents_from_words_in_three_languages_then_from_kind() -> None:
    assert caseload.need_talents("Moestuin De Kriek", "park") == ("gardening",)
    assert caseload.need_talents("Jardin partagé", "other") == ("gardening",)
    assert "childcare" in caseload.need_talents("Homework club", "learning", "needs volunteers for homework")
    assert caseload.need_talents("Bibliotheek", "learning") == ("languages", "computers")
    assert caseload.need_talents("Kantoor", "other") == ()


def test_talent_matches_count_citizens_within_walking_distance(schaerbeek_graph: graph.WalkGraph) -> None:
    near = {"lon": 4.3790, "lat": 50.8672}
    far = {"lon": 4.4050, "lat": 50.8560}
    citizens = citizen_frame(
        [{"talents": ("gardening",), **near}] * 5 + [{"talents": ("gardening",), **far}] + [{"talents": ("music",), **near}]
    )
    items = items_frame([{"layer": "need", "name": "Moestuin zoekt tuiniers", "kind": "park", "lon": 4.3800, "lat": 50.8670}])
    matches = caseload.talent_matches(citizens, items, schaerbeek_graph, max_m=800)
    assert matches["talent"].tolist() == ["gardening"]
    row = matches.iloc[0]
    assert row["n"] == 5 and row["citizens"] == "5"  # the far one is beyond 800 m walking
    # the nearest distance is a real walking distance: the networkx shortest path between the snapped nodes
    g = nx.Graph()
    m = schaerbeek_graph.matrix.tocoo()
    g.add_weighted_edges_from(zip(m.row.tolist(), m.col.tolist(), m.data.tolist(), strict=True))
    need_node, _ = graph.snap(schaerbeek_graph, [4.3800], [50.8670])
    anchor_node, _ = graph.snap(schaerbeek_graph, [near["lon"]], [near["lat"]])
    expected = nx.shortest_path_length(g, int(need_node[0]), int(anchor_node[0]), weight="weight")
    assert row["nearest_m"] == pytest.approx(expected)


def test_talent_matches_under_five_are_not_listed(schaerbeek_graph: graph.WalkGraph) -> None:
    citizens = citizen_frame([{"talents": ("gardening",), "lon": 4.3790, "lat": 50.8672}] * 2)
    items = items_frame([{"layer": "need", "name": "Moestuin", "kind": "park", "lon": 4.3800, "lat": 50.8670}])
    matches = caseload.talent_matches(citizens, items, schaerbeek_graph)
    assert matches.empty and matches.attrs["hidden"] == 1


def test_citizen_roles_lists_needs_their_talents_answer_nearby(schaerbeek_graph: graph.WalkGraph) -> None:
    citizen = citizen_frame([{"talents": ("greeting", "gardening"), "lon": 4.3790, "lat": 50.8672}]).iloc[0]
    items = items_frame([
        {"layer": "need", "name": "Moestuin", "kind": "park", "lon": 4.3800, "lat": 50.8670},
        {"layer": "need", "name": "Compost far away", "kind": "park", "lon": 4.4300, "lat": 50.8400},
        {"layer": "vindplaats", "name": "Moestuin bank", "kind": "park", "lon": 4.3800, "lat": 50.8670},
    ])
    roles = caseload.citizen_roles(citizen, items, schaerbeek_graph, max_m=800)
    assert roles["need"].tolist() == ["Moestuin"]
    assert roles.iloc[0]["talent"] == "gardening"
    assert 0 <= roles.iloc[0]["walk_m"] <= 800
    assert np.isfinite(roles["walk_m"]).all()


def test_a_tie_for_a_group_counts_its_people_in_the_profile() -> None:
    from buurtkaart import caseload

    people = citizen_frame([{"citizen_id": "c1"}])
    ties = tie_frame([{"citizen_id": "c1"}, {"citizen_id": "c1"}])
    ties["group_size"] = [3, 1]
    profile = caseload.citizen_profiles(people, ties).iloc[0]
    assert profile["size"] == 4 and profile["active"] == 4
