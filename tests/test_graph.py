"""Tests of the walking graph: building it, snapping to it, and exact shortest walking distances over it."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from buurtkaart import area as area_mod
from buurtkaart import graph as graph_mod
from buurtkaart.errors import AreaError


def small_area(edges: list[tuple[int, int, float]], n_nodes: int) -> area_mod.Area:
    """Return an area whose streets are the given (u, v, metres) between nodes 0..n-1 laid on a line."""
    lon = 4.35 + 0.001 * np.arange(n_nodes)
    lat = np.full(n_nodes, 50.85)
    nodes = gpd.GeoDataFrame(
        {"node_id": np.arange(n_nodes), "x": lon, "y": lat}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"
    )
    lines = [shapely.LineString([(lon[u], lat[u]), (lon[v], lat[v])]) for u, v, _ in edges]
    street_edges = gpd.GeoDataFrame(
        {"u": [e[0] for e in edges], "v": [e[1] for e in edges], "length": [e[2] for e in edges]},
        geometry=lines,
        crs="EPSG:4326",
    )
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return area_mod.Area(
        name="test", places=empty, street_edges=street_edges, street_nodes=nodes, boundary=shapely.box(4, 50, 5, 51)
    )


def networkx_distances(edges: list[tuple[int, int, float]], n_nodes: int, sources: list[int]) -> np.ndarray:
    """Return the walking metres from every node to the nearest source by plain networkx Dijkstra."""
    g = nx.MultiGraph()
    g.add_nodes_from(range(n_nodes))
    g.add_weighted_edges_from(edges, weight="length")
    found = nx.multi_source_dijkstra_path_length(g, sources, weight="length")
    return np.array([found.get(i, np.inf) for i in range(n_nodes)])


# A graph with every case the folding of chains must get right: a hub with dead ends and a chain of
# several nodes, a loop chain back to the same hub, a chain between two hubs parallel to a direct street,
# parallel edges, a self-loop, a ring without hubs, a lone street, and a node without streets.
TRICKY_EDGES: list[tuple[int, int, float]] = [
    (0, 1, 10.0), (0, 2, 10.0), (0, 3, 5.0),  # hub 0
    (1, 4, 3.0), (4, 5, 4.0), (5, 2, 2.0),  # chain 1-4-5 between hubs 0 and 2
    (2, 6, 7.0), (2, 7, 1.0), (6, 8, 1.5), (8, 7, 1.5),  # hub 2 with a loop chain 6-8-7 back to itself
    (3, 9, 2.5), (9, 10, 2.5),  # dead end 3-9-10 from hub 0
    (0, 11, 20.0), (11, 12, 1.0), (12, 2, 1.0), (0, 2, 30.0), (0, 2, 25.0),  # chain 11-12 parallel to direct streets
    (1, 1, 4.0),  # a self-loop (ignored)
    (13, 14, 1.0), (14, 15, 1.0), (15, 13, 1.0),  # a ring: no hub
    (16, 17, 6.0),  # a lone street
]  # fmt: skip
TRICKY_NODES = 19  # node 18 has no street


def test_walk_graph_of_the_region_has_every_node_and_the_shortest_of_parallel_streets(
    region: area_mod.Area, walk: graph_mod.WalkGraph
) -> None:
    assert walk.size == len(region.street_nodes) == 19_189
    assert (walk.matrix != walk.matrix.T).nnz == 0
    edges = region.street_edges
    u, v = walk.index_of(edges["u"].to_numpy()), walk.index_of(edges["v"].to_numpy())
    keep = u != v
    stored = np.asarray(walk.matrix[u[keep], v[keep]]).ravel()
    length = edges["length"].to_numpy()[keep]
    assert (stored <= length + 1e-9).all()
    shortest = edges[keep].assign(lo=np.minimum(u, v)[keep], hi=np.maximum(u, v)[keep]).groupby(["lo", "hi"])["length"].min()
    np.testing.assert_array_equal(
        np.asarray(walk.matrix[shortest.index.get_level_values(0), shortest.index.get_level_values(1)]).ravel(),
        shortest.to_numpy(),
    )
    assert walk.matrix.nnz == 2 * len(shortest)
    # Component 0 is the largest: the same nodes as the data's own "in_lcc" flag.
    np.testing.assert_array_equal(walk.component == 0, region.street_nodes["in_lcc"].to_numpy())


def test_distances_equal_plain_dijkstra_on_the_whole_region_graph(walk: graph_mod.WalkGraph) -> None:
    rng = np.random.default_rng(3)
    for count in (1, 7, 300, 4000):
        sources = rng.choice(walk.size, count, replace=False)
        ours = graph_mod.distances_from(walk, sources)
        plain = dijkstra(walk.matrix, directed=False, indices=np.unique(sources), min_only=True)
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(plain))
        finite = np.isfinite(plain)
        np.testing.assert_allclose(ours[finite], plain[finite], rtol=0, atol=1e-6)
        assert (ours[sources] == 0).all()


def test_distances_with_a_limit_leave_the_farther_nodes_unreached(walk: graph_mod.WalkGraph) -> None:
    sources = np.random.default_rng(4).choice(walk.size, 50, replace=False)
    full = graph_mod.distances_from(walk, sources)
    limited = graph_mod.distances_from(walk, sources, limit=300.0)
    within = full <= 300.0
    np.testing.assert_allclose(limited[within], full[within], atol=1e-6)
    assert np.isinf(limited[~within]).all()
    assert within.sum() > 1000


@pytest.mark.parametrize("sources", [[0], [4], [5, 9], [8], [10], [11, 6], [13], [17], [18], [4, 8, 10, 12, 14, 16]])
def test_distances_equal_networkx_on_chains_loops_rings_and_dead_ends(sources: list[int]) -> None:
    walk = graph_mod.walk_graph(small_area(TRICKY_EDGES, TRICKY_NODES))
    assert len(walk.contracted.nodes) > 0  # the folding is really exercised
    ours = graph_mod.distances_from(walk, np.array(sources))
    expected = networkx_distances([e for e in TRICKY_EDGES if e[0] != e[1]], TRICKY_NODES, sources)
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(ours[finite], expected[finite], atol=1e-9)


@pytest.mark.parametrize(
    "edges",
    [
        [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)],  # a ring only: nothing to fold
        [(0, 1, 1.0), (0, 2, 2.0), (0, 3, 3.0), (3, 4, 1.0)],  # a star: only dead ends
        [(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 1, 1.0)],  # all hubs
    ],
)
def test_distances_equal_networkx_on_graphs_with_nothing_or_only_dead_ends_to_fold(edges) -> None:
    n = 1 + max(max(u, v) for u, v, _ in edges)
    walk = graph_mod.walk_graph(small_area(edges, n))
    for source in range(n):
        np.testing.assert_allclose(
            graph_mod.distances_from(walk, np.array([source])), networkx_distances(edges, n, [source]), atol=1e-9
        )


@pytest.mark.parametrize("seed", range(12))
def test_distances_equal_networkx_on_random_street_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    tree = [(int(rng.integers(0, i)), i, float(rng.uniform(1, 50))) for i in range(1, n - 5)]  # 5 nodes left out
    extra = [(int(a), int(b), float(rng.uniform(1, 50))) for a, b in rng.integers(0, n - 5, (8, 2))]
    edges = tree + [e for e in extra if e[0] != e[1]] + [(n - 4, n - 3, 2.0), (n - 3, n - 2, 2.0)]
    walk = graph_mod.walk_graph(small_area(edges, n))
    for _ in range(5):
        sources = rng.choice(n, int(rng.integers(1, 6)), replace=False).tolist()
        ours = graph_mod.distances_from(walk, np.array(sources))
        expected = networkx_distances(edges, n, sources)
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(expected))
        np.testing.assert_allclose(ours[np.isfinite(ours)], expected[np.isfinite(expected)], atol=1e-9)


def test_nodes_not_connected_to_a_source_are_unreachable(walk: graph_mod.WalkGraph) -> None:
    island = np.flatnonzero(walk.component == 3)
    distance = graph_mod.distances_from(walk, island[:1])
    assert np.isfinite(distance[island]).all()
    assert np.isinf(distance[walk.component != 3]).all()
    assert np.isinf(graph_mod.distances_from(walk, np.array([], dtype=int))).all()
    with pytest.raises(IndexError):
        graph_mod.distances_from(walk, np.array([walk.size]))


def test_snap_finds_the_nearest_node_with_a_street(walk: graph_mod.WalkGraph) -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(4.30, 4.45, 300)
    lat = rng.uniform(50.80, 50.90, 300)
    index, metres = graph_mod.snap(walk, lon, lat)
    degree = np.diff(walk.matrix.indptr)
    assert (degree[index] > 0).all()
    candidates = np.flatnonzero(degree > 0)
    node_xy = walk.metric(walk.lon[candidates], walk.lat[candidates])
    point_xy = walk.metric(lon, lat)
    brute = np.sqrt(((point_xy[:, None, :] - node_xy[None, :, :]) ** 2).sum(axis=2))
    np.testing.assert_allclose(metres, brute.min(axis=1), atol=1e-6)
    np.testing.assert_array_equal(index, candidates[brute.argmin(axis=1)])
    # The local metric agrees with geodesic metres within half a percent in Brussels.
    geod = shapely.distance(
        gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(31370).values,
        gpd.GeoSeries(gpd.points_from_xy(walk.lon[index], walk.lat[index]), crs="EPSG:4326").to_crs(31370).values,
    )
    np.testing.assert_allclose(metres, geod, rtol=5e-3, atol=0.5)


def test_snap_of_a_point_without_coordinates_gives_no_node(walk: graph_mod.WalkGraph) -> None:
    index, metres = graph_mod.snap(walk, [4.35, np.nan], [50.85, 50.85])
    assert index[0] >= 0 and np.isfinite(metres[0])
    assert index[1] == -1 and np.isinf(metres[1])


def test_index_of_gives_minus_one_for_unknown_ids(walk: graph_mod.WalkGraph) -> None:
    ids = walk.node_ids[[5, 0, 19_000]]
    np.testing.assert_array_equal(walk.index_of(np.append(ids, -77)), [5, 0, 19_000, -1])


def test_an_area_without_streets_is_refused_with_a_clear_message(region: area_mod.Area) -> None:
    no_edges = replace(region, street_edges=region.street_edges.iloc[:0])
    with pytest.raises(AreaError) as caught:
        graph_mod.walk_graph(no_edges)
    assert caught.value.key == "error.no_streets"
    assert "straten" in caught.value.message("nl")
    only_loops = small_area([(0, 0, 5.0), (1, 1, 3.0)], 2)
    with pytest.raises(AreaError):
        graph_mod.walk_graph(only_loops)
