"""Tests of walking accessibility: distances to the nearest place of each kind, block figures, map layers, bad input."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from buurtkaart import accessibility as ac
from buurtkaart import area as area_mod
from buurtkaart import graph as graph_mod
from buurtkaart import settings
from buurtkaart.vocabulary import AGE_BANDS


@pytest.fixture(scope="module")
def blocks() -> gpd.GeoDataFrame:
    """Return the Schaerbeek population blocks."""
    return area_mod.population_blocks()


@pytest.fixture(scope="module")
def vindplaatsen(region: area_mod.Area) -> gpd.GeoDataFrame:
    """Return a few map items standing in for a team's vindplaatsen (id + point)."""
    picked = region.places.iloc[::997]
    return gpd.GeoDataFrame({"id": [f"item-{i}" for i in range(len(picked))]}, geometry=picked.geometry.values, crs=4326)


@pytest.fixture(scope="module")
def acc(
    walk: graph_mod.WalkGraph, region: area_mod.Area, blocks: gpd.GeoDataFrame, vindplaatsen: gpd.GeoDataFrame
) -> ac.Accessibility:
    """Return the whole-region analysis with the vindplaatsen and the blocks."""
    return ac.analyse_access(walk, region.places, extra_sources={ac.VINDPLAATS: vindplaatsen}, blocks=blocks)


def brute_nearest(walk: graph_mod.WalkGraph, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (node index, metres) of the nearest node with a street, by comparing every pair."""
    candidates = np.flatnonzero(np.diff(walk.matrix.indptr) > 0)
    node_xy = walk.metric(walk.lon[candidates], walk.lat[candidates])
    point_xy = walk.metric(lon, lat)
    out = np.empty(len(lon), dtype=np.int64)
    metres = np.empty(len(lon))
    for start in range(0, len(lon), 500):
        d = np.sqrt(((point_xy[start : start + 500, None, :] - node_xy[None, :, :]) ** 2).sum(axis=2))
        out[start : start + 500] = candidates[d.argmin(axis=1)]
        metres[start : start + 500] = d.min(axis=1)
    return out, metres


def brute_block_nodes(walk: graph_mod.WalkGraph, blocks: gpd.GeoDataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return per block (node indices, straight metres to add) as documented, one block at a time."""
    candidates = np.flatnonzero(np.diff(walk.matrix.indptr) > 0)
    west, south, east, north = blocks.total_bounds
    around = (walk.lon[candidates] > west - 0.01) & (walk.lon[candidates] < east + 0.01)
    around &= (walk.lat[candidates] > south - 0.01) & (walk.lat[candidates] < north + 0.01)
    candidates = candidates[around]  # ~700 m around the blocks: far more than the 30 m that count
    points = shapely.points(walk.metric(walk.lon[candidates], walk.lat[candidates]))
    out = []
    for polygon in blocks.geometry.values:
        metric = shapely.transform(polygon, lambda xy: walk.metric(xy[:, 0], xy[:, 1]))
        near = candidates[shapely.distance(points, metric) <= ac.BLOCK_REACH_M]
        if len(near):
            out.append((near, np.zeros(len(near))))
        else:
            inner = shapely.point_on_surface(polygon)
            node, straight = graph_mod.snap(walk, [inner.x], [inner.y])
            out.append((node, straight))
    return out


def brute_block_distance(tied: list[tuple[np.ndarray, np.ndarray]], node_distance: np.ndarray) -> np.ndarray:
    """Return each block's walking metres: the mean over its reachable nodes, inf when none is reachable."""
    out = np.full(len(tied), np.inf)
    for i, (nodes, extra) in enumerate(tied):
        metres = node_distance[nodes] + extra
        metres = metres[np.isfinite(metres)]
        if len(metres):
            out[i] = metres.mean()
    return out


def test_distances_equal_networkx_dijkstra_on_the_real_graph(
    acc: ac.Accessibility, region: area_mod.Area, walk: graph_mod.WalkGraph
) -> None:
    g = nx.MultiGraph()
    edges = region.street_edges
    g.add_weighted_edges_from(zip(edges["u"], edges["v"], edges["length"], strict=True), weight="length")
    sample = np.random.default_rng(11).choice(walk.size, 200, replace=False)
    for key in ("meeting", "worship", "culture", "playground", ac.VINDPLAATS):
        sources = walk.node_ids[acc.sources.source_nodes[key]].tolist()
        lengths = nx.multi_source_dijkstra_path_length(g, sources, weight="length")
        expected = np.array([lengths.get(walk.node_ids[i], np.inf) for i in sample])
        ours = ac.node_distance(acc, key)[sample]
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(expected), err_msg=key)
        finite = np.isfinite(expected)
        assert finite.sum() > 150
        np.testing.assert_allclose(ours[finite], expected[finite], rtol=0, atol=1e-6, err_msg=key)


def test_every_place_is_snapped_to_its_nearest_street_node(
    acc: ac.Accessibility, region: area_mod.Area, walk: graph_mod.WalkGraph, vindplaatsen: gpd.GeoDataFrame
) -> None:
    for key in ("meeting", "care", "culture"):
        places = region.places[region.places["category"] == key]
        node, metres = brute_nearest(walk, places.geometry.x.to_numpy(), places.geometry.y.to_numpy())
        assert len(acc.sources.nodes[key]) == len(places)
        np.testing.assert_array_equal(acc.sources.place_ids[key], places["place_id"].to_numpy(dtype=object))
        np.testing.assert_array_equal(acc.sources.nodes[key], node)
        np.testing.assert_allclose(acc.sources.snap_m[key], metres, atol=1e-6)
        np.testing.assert_array_equal(acc.sources.source_nodes[key], np.unique(node))
        assert (ac.node_distance(acc, key)[node] == 0).all()
    assert list(acc.sources.place_ids[ac.VINDPLAATS]) == list(vindplaatsen["id"])


def test_places_far_from_any_street_are_snapped_but_reported(acc: ac.Accessibility) -> None:
    far = ac.far_places(acc)
    assert len(far) > 0
    assert (far["snap_m"] > ac.FAR_SNAP_M).all()
    summary = ac.summary(acc).set_index("key")
    for key, count in far.groupby("key").size().items():
        assert summary.loc[key, "far_places"] == count
        assert (acc.sources.snap_m[key] > ac.FAR_SNAP_M).sum() == count
    # A far place still has a source node: it counts, at distance 0 from its node.
    first = far.iloc[0]
    row = list(acc.sources.place_ids[first["key"]]).index(first["place_id"])
    assert ac.node_distance(acc, first["key"])[acc.sources.nodes[first["key"]][row]] == 0
    assert any("250 m" in s for s in ac.sentences(acc, lang="nl"))


def test_block_figures_agree_with_a_brute_force_count(acc: ac.Accessibility, walk: graph_mod.WalkGraph, blocks) -> None:
    figures = ac.figures(acc).set_index(["key", "group"])
    tied = brute_block_nodes(walk, blocks)
    assert sum(len(nodes) for nodes, _ in tied) > 2 * len(blocks)
    for key in ("meeting", "park", ac.VINDPLAATS):
        per_block = brute_block_distance(tied, ac.node_distance(acc, key))
        np.testing.assert_allclose(acc.block_distance[key], per_block, atol=1e-6)
        for group, bands in ac.AGE_GROUPS.items():
            residents = blocks[[f"age_{b}" for b in bands]].sum(axis=1).to_numpy()
            limit = ac.DEFAULT_THRESHOLDS_M[group]
            beyond = int(residents[np.isfinite(per_block) & (per_block > limit)].sum())
            unreachable = int(residents[~np.isfinite(per_block)].sum())
            row = figures.loc[(key, group)]
            assert row["residents_beyond"] == beyond == ac.residents_beyond(acc, key, group)
            assert row["residents_unreachable"] == unreachable == ac.residents_unreachable(acc, key, group)
            assert row["residents"] == residents.sum()
            assert row["residents_within"] + beyond + unreachable == residents.sum()
            assert row["share_beyond"] == pytest.approx(beyond / residents.sum())
            assert row["threshold_m"] == limit
    # A threshold of one's own: 500 m for the elderly.
    per_block = brute_block_distance(tied, ac.node_distance(acc, "meeting"))
    elderly = blocks[["age_60_69", "age_70_plus"]].sum(axis=1).to_numpy()
    assert ac.residents_beyond(acc, "meeting", "elderly", 500) == int(elderly[per_block > 500].sum()) > 0


def test_age_groups_cover_every_band_once() -> None:
    bands = [band for group in ac.AGE_GROUPS.values() for band in group]
    assert sorted(bands) == sorted(AGE_BANDS)
    assert ac.AGE_GROUPS["elderly"] == ("60_69", "70_plus")
    assert ac.DEFAULT_THRESHOLDS_M == {"children": 400.0, "adults": 800.0, "elderly": 400.0}
    assert ac.DEFAULT_SPEEDS_MPS["elderly"] < ac.DEFAULT_SPEEDS_MPS["adults"]


def test_figures_and_sentences_never_show_inf(acc: ac.Accessibility) -> None:
    figures = ac.figures(acc)
    assert set(figures.columns) == set(ac.FIGURE_COLUMNS)
    assert len(figures) == len(acc.keys) * len(ac.AGE_GROUPS)
    numbers = figures.select_dtypes("number").astype(float).to_numpy()
    assert not np.isinf(numbers).any()
    summary = ac.summary(acc)
    assert not np.isinf(summary.select_dtypes("number").astype(float).to_numpy()).any()
    assert (summary["nodes_reachable"] + summary["nodes_unreachable"] == acc.graph.size).all()
    for lang in ("nl", "fr", "en"):
        text = " ".join(ac.sentences(acc, lang=lang))
        assert "inf" not in text and "nan" not in text.lower()


def test_sentence_reads_the_figure_in_plain_dutch(acc: ac.Accessibility) -> None:
    n = ac.residents_beyond(acc, "meeting", "elderly")
    total = int(acc.blocks.residents["elderly"].sum())
    dutch = f"{n:,}".replace(",", ".")
    expected = (
        f"{dutch} inwoners van 60+ ({round(100 * n / total)} %) wonen verder dan 400 m wandelen "
        f"(ongeveer {round(400 / 0.9 / 60)} min) van een ontmoetingsplek of buurthuis."
    )
    assert expected in ac.sentences(acc, lang="nl")
    english = ac.sentences(acc, lang="en")
    assert any(s.startswith(f"{n:,} residents aged 60+") and "from a meeting place" in s for s in english)


def test_unreachable_blocks_are_counted_apart(walk: graph_mod.WalkGraph, region: area_mod.Area, blocks) -> None:
    # A "vindplaats" on a small island of streets: nearly every block cannot reach it over the streets.
    island = np.flatnonzero(walk.component == 2)[0]
    item = gpd.GeoDataFrame({"id": ["x"]}, geometry=[shapely.Point(walk.lon[island], walk.lat[island])], crs=4326)
    acc = ac.analyse_access(walk, region.places, categories=(), extra_sources={"vindplaats": item}, blocks=blocks)
    distance = ac.node_distance(acc, "vindplaats")
    assert np.isinf(distance[walk.component != 2]).all()
    figures = ac.figures(acc)
    elderly = figures[figures["group"] == "elderly"].iloc[0]
    assert elderly["residents_unreachable"] == elderly["residents"] > 0
    assert elderly["residents_beyond"] == 0 and elderly["residents_within"] == 0
    assert ac.summary(acc).iloc[0]["nodes_unreachable"] == walk.size - (walk.component == 2).sum()
    assert any("onbekend" in s for s in ac.sentences(acc, lang="nl"))
    streets = ac.streets_by_distance(acc, region.street_edges, "vindplaats")
    far = streets["klass"] == ac.UNREACHABLE
    assert far.mean() > 0.99
    assert streets.loc[far, "distance_m"].isna().all()
    assert (streets.loc[far, "colour"] == ac.UNREACHABLE_COLOUR).all()
    assert (streets.loc[far, "label"] == "niet via de straten bereikbaar").all()
    shown = ac.blocks_beyond(acc, "vindplaats", "elderly")
    assert shown["unreachable"].all() and shown["distance_m"].isna().all()


def test_streets_are_coloured_by_the_walking_distance_of_their_middle(acc: ac.Accessibility, region) -> None:
    edges = region.street_edges
    streets = ac.streets_by_distance(acc, edges, "meeting", lang="en")
    distance = ac.node_distance(acc, "meeting")
    u, v = acc.graph.index_of(edges["u"].to_numpy()), acc.graph.index_of(edges["v"].to_numpy())
    middle = np.minimum(distance[u], distance[v]) + edges["length"].to_numpy() / 2
    reachable = np.isfinite(middle)
    np.testing.assert_allclose(streets["distance_m"].to_numpy()[reachable], middle[reachable])
    expected = np.select(
        [~reachable, middle <= 200, middle <= 400, middle <= 800], ["unreachable", "le_200", "le_400", "le_800"], "gt_800"
    )
    np.testing.assert_array_equal(streets["klass"].to_numpy(), expected)
    assert streets.groupby("klass")["colour"].nunique().eq(1).all()
    assert streets["colour"].nunique() == 5
    assert set(streets.loc[streets["klass"] == "le_400", "label"]) == {"up to 400 m (± 6 min)"}
    assert isinstance(streets, gpd.GeoDataFrame) and len(streets) == len(edges)
    assert shapely.equals(streets.geometry.values, edges.geometry.values).all()


def test_blocks_beyond_are_those_past_the_threshold(acc: ac.Accessibility, blocks: gpd.GeoDataFrame) -> None:
    shown = ac.blocks_beyond(acc, "meeting", "children")
    distance = acc.block_distance["meeting"]
    children = blocks["age_0_9"].to_numpy()
    expected = blocks["block"].to_numpy()[((distance > 400) | ~np.isfinite(distance)) & (children > 0)]
    assert sorted(shown["block"]) == sorted(expected)
    assert (shown["distance_m"] > 400).all()
    assert {"colour", "label", "geometry"} <= set(shown.columns)
    small = shown[shown["residents"] < settings.MIN_GROUP]
    assert len(small) > 0 and small["label"].str.startswith("minder dan 5 kinderen").all()
    big = shown[shown["residents"] >= 10].iloc[0]
    assert big["label"].startswith(f"{big['residents']} kinderen van 0–9 jaar op ")
    # A stricter threshold shows more blocks.
    assert len(ac.blocks_beyond(acc, "meeting", "children", 200)) > len(shown)


def test_a_kind_without_places_is_flagged_not_an_error(region: area_mod.Area, blocks: gpd.GeoDataFrame) -> None:
    commune = region.clip(area_mod.commune_boundary(), name="Schaerbeek")
    assert (commune.places["category"] == "sport").sum() == 0
    walk = graph_mod.walk_graph(commune)
    acc = ac.analyse_access(walk, commune.places, blocks=blocks)
    assert acc.missing == ("sport",)
    assert "sport" not in acc.distance and "meeting" in acc.distance
    rows = ac.figures(acc).query("key == 'sport'")
    assert rows["no_place"].all() and rows["residents_beyond"].isna().all() and (rows["residents"] > 0).all()
    assert "Geen enkele plek van de soort “Sport” in dit gebied: de wandelafstand is niet te berekenen." in ac.sentences(acc)
    assert ac.no_place_message("sport", lang="en") == "No place of this kind in the area: Sport"
    with pytest.raises(ac.AccessError) as caught:
        ac.node_distance(acc, "sport")
    assert caught.value.key == "error.no_place_of_kind"
    with pytest.raises(ac.AccessError) as caught:
        ac.analyse_access(walk, commune.places, categories=("sport",))
    assert caught.value.key == "error.no_place_of_kind"
    assert "“Sport”" in caught.value.message("nl") and "groter gebied" in caught.value.message("nl")
    assert "« Sport »" in caught.value.message("fr")
    with pytest.raises(ac.AccessError):
        ac.distances_to(walk, acc.sources, "sport")
    empty_items = gpd.GeoDataFrame({"id": []}, geometry=[], crs=4326)
    acc2 = ac.analyse_access(walk, commune.places, categories=("meeting",), extra_sources={"vindplaats": empty_items})
    assert acc2.missing == ("vindplaats",)


@pytest.mark.parametrize("bad", [0, -400, float("nan"), float("inf"), "veel", None, True])
def test_a_threshold_that_is_not_a_positive_number_is_refused(acc: ac.Accessibility, bad: object) -> None:
    with pytest.raises(ac.AccessError) as caught:
        ac.check_threshold(bad)
    assert caught.value.key == "error.threshold_invalid"
    assert "groter dan 0" in caught.value.message("nl")
    with pytest.raises(ac.AccessError):
        ac.access_settings(thresholds_m={"elderly": bad})
    if bad is not None:  # None means "the group's default threshold"
        with pytest.raises(ac.AccessError):
            ac.residents_beyond(acc, "meeting", "elderly", bad)
        with pytest.raises(ac.AccessError):
            ac.blocks_beyond(acc, "meeting", "elderly", bad)


def test_settings_change_thresholds_speeds_and_minutes(walk, region, blocks) -> None:
    settings = ac.access_settings(thresholds_m={"elderly": "500"}, speeds_mps={"elderly": 0.5}, breaks_m=[300, 100])
    assert settings.thresholds_m["elderly"] == 500.0 and settings.breaks_m == (100.0, 300.0)
    acc = ac.analyse_access(walk, region.places, categories=("meeting",), blocks=blocks, settings=settings)
    row = ac.figures(acc).set_index("group").loc["elderly"]
    assert row["threshold_m"] == 500.0 and row["minutes"] == round(500 / 0.5 / 60)
    assert row["residents_beyond"] == ac.residents_beyond(acc, "meeting", "elderly", 500)
    assert set(ac.streets_by_distance(acc, region.street_edges, "meeting")["klass"]) == {"le_100", "le_300", "gt_300", ac.UNREACHABLE}
    for bad in (0, -1, "snel"):
        with pytest.raises(ac.AccessError) as caught:
            ac.access_settings(speeds_mps={"adults": bad})
        assert caught.value.key == "error.speed_invalid"
    with pytest.raises(ac.AccessError) as caught:
        ac.access_settings(thresholds_m={"teenagers": 300})
    assert caught.value.key == "error.group_unknown"
    with pytest.raises(ac.AccessError):
        ac.access_settings(breaks_m=[])


def test_unknown_kinds_and_incomplete_blocks_are_refused(walk, region, blocks) -> None:
    with pytest.raises(ac.AccessError) as caught:
        ac.analyse_access(walk, region.places, categories=("bakery",))
    assert caught.value.key == "error.source_unknown"
    with pytest.raises(ac.AccessError) as caught:
        ac.analyse_access(walk, region.places, categories=("meeting",), blocks=blocks.drop(columns=["age_70_plus"]))
    assert caught.value.key == "error.blocks_invalid" and "age_70_plus" in caught.value.message("en")
    with pytest.raises(ValueError):
        ac.snap_sources(walk, region.places, categories=("meeting",), extra_sources={"meeting": region.places})


def test_snapped_sources_can_be_reused(acc: ac.Accessibility, walk, region) -> None:
    again = ac.analyse_access(walk, acc.sources)
    for key in acc.distance:
        np.testing.assert_array_equal(again.distance[key], acc.distance[key])
    assert again.blocks is None and ac.figures(again).empty


def test_blocks_without_a_node_nearby_use_their_inner_point(walk: graph_mod.WalkGraph, blocks) -> None:
    # A block far from any street (a square of 20 m in the Forêt de Soignes, south-east of the region).
    lone = blocks.iloc[:1].copy()
    lone["block"] = "lone"
    lone.geometry = [shapely.box(4.4300, 50.7800, 4.4303, 50.7802)]
    tied = ac.snap_blocks(walk, pd.concat([blocks.iloc[:3], lone], ignore_index=True))
    assert (tied.owner == 3).sum() == 1
    entry = np.flatnonzero(tied.owner == 3)[0]
    assert tied.extra_m[entry] > ac.BLOCK_REACH_M
    inner = shapely.point_on_surface(lone.geometry.values[0])
    node, metres = graph_mod.snap(walk, [inner.x], [inner.y])
    assert tied.node[entry] == node[0] and math.isclose(tied.extra_m[entry], metres[0], rel_tol=1e-12)
