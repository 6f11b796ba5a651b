"""The walking graph of an area's streets as sparse arrays, and shortest walking distances over it.

Built once per area from the street layers (no osmnx graph needed at run time): a symmetric
scipy CSR matrix of edge lengths in metres, so that one multi-source Dijkstra pass gives the
distance from every node to the nearest of many sources.

Chains of nodes with one or two streets (the middle of a street, a dead end) are folded once per graph
into single edges between the other nodes (the "core"), so that each Dijkstra pass runs on about two
thirds of the nodes; the distances of chain nodes are then read off their chain's ends. This is exact:
it gives the same distances as Dijkstra on the whole graph (up to float rounding, ~1e-12 m).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from buurtkaart.area import Area
from buurtkaart.errors import AreaError

EARTH_M_PER_DEGREE = 111_320.0
MIN_EDGE_M = 1e-3  # a zero weight would be read as "no edge" by csgraph


@dataclass(frozen=True, eq=False)
class Contracted:
    """The graph with its chains of nodes of degree 1 or 2 folded into single edges between core nodes."""

    core: np.ndarray  # node index of each core node (degree 0 or >= 3, or in a component without such nodes)
    core_of: np.ndarray  # core index of each node (-1 for a chain node)
    matrix: sp.csr_matrix  # core × core: the streets between core nodes and the folded chains (shortest of parallel)
    nodes: np.ndarray  # node index of each chain node, chain after chain, in walking order from end a
    rank: np.ndarray  # position in `nodes` of each node (-1 for a core node)
    end_a: np.ndarray  # core index of the chain's end a, per entry of `nodes`
    end_b: np.ndarray  # core index of the chain's end b (-1 for a dead end), per entry of `nodes`
    to_a: np.ndarray  # metres along the chain to end a, per entry of `nodes` (increasing within a chain)
    to_b: np.ndarray  # metres along the chain to end b (inf for a dead end)
    first: np.ndarray  # position in `nodes` of the first node of the chain, per entry of `nodes`
    last: np.ndarray  # position in `nodes` of the last node of the chain, per entry of `nodes`


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """Street nodes (index i) with their position, and a symmetric CSR matrix of walking lengths in metres."""

    node_ids: np.ndarray  # int64 street node id of index i
    lon: np.ndarray
    lat: np.ndarray
    matrix: sp.csr_matrix  # n × n, symmetric, edge length in metres (the shortest of parallel edges)
    tree: cKDTree  # over local metric coordinates of the nodes that have a street (`snappable`), for snapping
    snappable: np.ndarray  # node index of each point of `tree` (nodes with at least one street to another node)
    component: np.ndarray  # connected component label of each node (0 = the largest)
    lat0: float  # latitude of the local metric projection of `tree`
    contracted: Contracted  # the core graph that `distances_from` walks

    @property
    def size(self) -> int:
        """Return the number of nodes."""
        return len(self.node_ids)

    def index_of(self, node_ids: np.ndarray) -> np.ndarray:
        """Return the indices of street node ids (-1 for an id not in the graph)."""
        node_ids = np.asarray(node_ids, dtype=np.int64)
        order = self._id_order
        pos = np.searchsorted(self.node_ids, node_ids, sorter=order)
        pos = np.clip(pos, 0, len(order) - 1)
        found = self.node_ids[order[pos]] == node_ids
        return np.where(found, order[pos], -1)

    @cached_property
    def _id_order(self) -> np.ndarray:
        """Return the argsort of the node ids (computed once per graph)."""
        return np.argsort(self.node_ids, kind="stable")

    @cached_property
    def main(self) -> tuple[np.ndarray, cKDTree]:
        """Return the snappable nodes of the largest connected street network and a search tree over them."""
        nodes = self.snappable[self.component[self.snappable] == 0]
        return nodes, cKDTree(self.metric(self.lon[nodes], self.lat[nodes]))

    def metric(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return local x/y in metres of points, in the projection of the snapping tree."""
        return _metric(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), self.lat0)


def walk_graph(area: Area) -> WalkGraph:
    """Return the walking graph of an area's streets; AreaError "error.no_streets" when it has none."""
    nodes = area.street_nodes
    edges = area.street_edges
    if len(nodes) == 0 or len(edges) == 0:
        raise AreaError("error.no_streets", name=area.name)
    node_ids = nodes["node_id"].to_numpy(dtype=np.int64)
    lon = nodes.geometry.x.to_numpy() if "x" not in nodes else nodes["x"].to_numpy(dtype=float)
    lat = nodes.geometry.y.to_numpy() if "y" not in nodes else nodes["y"].to_numpy(dtype=float)
    index = pd.Series(np.arange(len(node_ids)), index=node_ids)
    u = edges["u"].map(index)
    v = edges["v"].map(index)
    keep = (u.notna() & v.notna() & (u != v)).to_numpy()
    if not keep.any():
        raise AreaError("error.no_streets", name=area.name)
    i = u[keep].to_numpy(dtype=np.int64)
    j = v[keep].to_numpy(dtype=np.int64)
    length = np.maximum(edges["length"].to_numpy(dtype=float)[keep], MIN_EDGE_M)
    matrix = _symmetric(i, j, length, len(node_ids))
    _, labels = connected_components(matrix, directed=False)
    snappable = np.flatnonzero(np.diff(matrix.indptr) > 0)
    lat0 = float(lat.mean())
    return WalkGraph(
        node_ids=node_ids,
        lon=lon,
        lat=lat,
        matrix=matrix,
        tree=cKDTree(_metric(lon[snappable], lat[snappable], lat0)),
        snappable=snappable,
        component=_by_size(labels),
        lat0=lat0,
        contracted=_contract(matrix, labels),
    )


def snap(graph: WalkGraph, lon: np.ndarray, lat: np.ndarray, *, main_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (node index, straight distance in metres) of the street node nearest to each point.

    Only nodes on a street are candidates; with `main_only`, only those of the largest connected network
    (so that a point next to a short isolated fragment still reaches the rest). A point without finite
    coordinates gets (-1, inf).
    """
    nodes, tree = graph.main if main_only else (graph.snappable, graph.tree)
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    index = np.full(len(lon), -1, dtype=np.int64)
    distance = np.full(len(lon), np.inf)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        found_distance, found = tree.query(graph.metric(lon[ok], lat[ok]))
        index[ok] = nodes[np.asarray(found, dtype=np.int64)]
        distance[ok] = found_distance
    return index, distance


def distances_from(graph: WalkGraph, sources: np.ndarray, *, limit: float = np.inf) -> np.ndarray:
    """Return the walking distance in metres from each node to the nearest source (inf: unreachable or beyond `limit`)."""
    sources = np.sort(np.asarray(sources, dtype=np.int64).ravel())
    sources = sources[np.r_[True, sources[1:] != sources[:-1]]] if len(sources) else sources  # cheaper than np.unique
    if len(sources) and (sources[0] < 0 or sources[-1] >= graph.size):
        msg = f"source node index out of range 0..{graph.size - 1}"
        raise IndexError(msg)
    if len(sources) == 0:
        return np.full(graph.size, np.inf)
    c = graph.contracted
    on_core = c.core_of[sources]
    core_sources = on_core[on_core >= 0]
    k = c.rank[sources[on_core < 0]]  # sources in the middle of a chain
    if len(k):
        # A virtual source z (core index n) with an edge to each end of those chains, as long as the way there.
        n = len(c.core)
        offset = np.full(n, np.inf)
        np.minimum.at(offset, c.end_a[k], c.to_a[k])
        has_b = c.end_b[k] >= 0
        np.minimum.at(offset, c.end_b[k][has_b], c.to_b[k][has_b])
        ends = np.flatnonzero(np.isfinite(offset))
        m = c.matrix
        walk = sp.csr_matrix(
            (np.concatenate([m.data, offset[ends]]), np.concatenate([m.indices, ends]), np.append(m.indptr, m.nnz + len(ends))),
            shape=(n + 1, n + 1),
        )
        core = dijkstra(walk, directed=True, indices=np.append(core_sources, n), min_only=True, limit=limit)[:n]
    else:
        # The core matrix is symmetric, so the directed pass gives the undirected distances without a transposed copy.
        core = dijkstra(c.matrix, directed=True, indices=core_sources, min_only=True, limit=limit)
    out = np.empty(graph.size)
    out[c.core] = core
    out[c.nodes] = _along_chains(c, core, k, limit)
    return out


def _along_chains(c: Contracted, core: np.ndarray, k: np.ndarray, limit: float) -> np.ndarray:
    """Return the distance of each chain node: via end a, via end b, or to a source on its own chain."""
    via_a = core[c.end_a] + c.to_a
    via_b = np.where(c.end_b >= 0, core[c.end_b] + c.to_b, np.inf)
    best = np.minimum(via_a, via_b)
    if len(k):
        size = len(c.nodes)
        place = np.arange(size)
        marked = np.zeros(size, dtype=bool)
        marked[k] = True
        left = np.maximum.accumulate(np.where(marked, place, -1))  # nearest source before, on any chain
        right = np.minimum.accumulate(np.where(marked, place, size)[::-1])[::-1]  # nearest source after
        on_left = left >= c.first
        on_right = right <= c.last
        best = np.where(on_left, np.minimum(best, c.to_a - c.to_a[np.maximum(left, 0)]), best)
        best = np.where(on_right, np.minimum(best, c.to_a[np.minimum(right, size - 1)] - c.to_a), best)
    if np.isfinite(limit):
        best[best > limit] = np.inf
    return best


def _contract(matrix: sp.csr_matrix, labels: np.ndarray) -> Contracted:
    """Return the core graph of `matrix`: chains of degree-1/2 nodes folded into edges between their end nodes."""
    n = matrix.shape[0]
    degree = np.diff(matrix.indptr)
    has_hub = np.zeros(labels.max() + 1, dtype=bool)
    has_hub[labels[degree >= 3]] = True
    in_chain = (degree <= 2) & has_hub[labels]  # a component without a hub (a lone street, a ring) stays whole
    core = np.flatnonzero(~in_chain)
    core_of = np.full(n, -1, dtype=np.int64)
    core_of[core] = np.arange(len(core))
    coo = matrix.tocoo()
    row, col, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    inner = in_chain[row] & in_chain[col]
    chain_matrix = sp.csr_matrix((w[inner], (row[inner], col[inner])), shape=(n, n))
    _, chain_of = connected_components(chain_matrix, directed=False)
    # Every chain touches one core node (a dead end) or two (possibly the same one twice, a loop): end a and end b.
    touch = in_chain[row] & ~in_chain[col]
    ty, tc, tw = row[touch], col[touch], w[touch]
    order = np.lexsort((tc, ty, chain_of[ty]))
    ty, tc, tw = ty[order], tc[order], tw[order]
    first_touch = _run_starts(chain_of[ty])
    a_node, a_core, a_w = ty[first_touch], tc[first_touch], tw[first_touch]
    b_node, b_core, b_w = ty[~first_touch], tc[~first_touch], tw[~first_touch]
    chain_a = np.full(n, -1, dtype=np.int64)
    chain_b = np.full(n, -1, dtype=np.int64)
    chain_a[chain_of[a_node]] = core_of[a_core]
    chain_b[chain_of[b_node]] = core_of[b_core]
    from_a = np.full(n, np.inf)
    from_a[chain_of[a_node]] = a_w
    from_b = np.full(n, np.inf)
    from_b[chain_of[b_node]] = b_w
    nodes = np.flatnonzero(in_chain)
    ch = chain_of[nodes]
    to_a = np.full(len(nodes), np.inf)
    if len(a_node):
        to_a = from_a[ch] + dijkstra(chain_matrix, indices=a_node, min_only=True)[nodes]
    to_b = np.full(len(nodes), np.inf)
    if len(b_node):
        to_b = from_b[ch] + dijkstra(chain_matrix, indices=b_node, min_only=True)[nodes]
    order = np.lexsort((to_a, ch))
    nodes, ch, to_a, to_b = nodes[order], ch[order], to_a[order], to_b[order]
    starts = np.flatnonzero(_run_starts(ch))
    run = np.diff(np.append(starts, len(nodes)))
    first = np.repeat(starts, run)
    rank = np.full(n, -1, dtype=np.int64)
    rank[nodes] = np.arange(len(nodes))
    # The core matrix: streets between core nodes, and each chain with two different ends as one edge.
    between = ~in_chain[row] & ~in_chain[col]
    ends = np.flatnonzero(chain_b[ch[starts]] >= 0)
    ends = ends[chain_a[ch[starts[ends]]] != chain_b[ch[starts[ends]]]]
    ca, cb = chain_a[ch[starts[ends]]], chain_b[ch[starts[ends]]]
    folded = to_a[starts[ends]] + to_b[starts[ends]]  # through any node of the chain: to a + to b
    return Contracted(
        core=core,
        core_of=core_of,
        matrix=_symmetric(
            np.concatenate([core_of[row[between]], ca]),
            np.concatenate([core_of[col[between]], cb]),
            np.concatenate([w[between], folded]),
            len(core),
        ),
        nodes=nodes,
        rank=rank,
        end_a=chain_a[ch],
        end_b=chain_b[ch],
        to_a=to_a,
        to_b=to_b,
        first=first,
        last=first + np.repeat(run, run) - 1,
    )


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Return a mask of the entries of a grouped array that start a new run of equal values."""
    starts = np.ones(len(values), dtype=bool)
    starts[1:] = values[1:] != values[:-1]
    return starts


def _symmetric(i: np.ndarray, j: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    """Return the symmetric n × n CSR matrix of edges (i, j), the shortest of parallel edges, without self-loops."""
    keep = i != j
    lo, hi = np.minimum(i, j)[keep], np.maximum(i, j)[keep]
    pairs = pd.DataFrame({"lo": lo, "hi": hi, "length": length[keep]}).groupby(["lo", "hi"], sort=False)["length"].min()
    a = pairs.index.get_level_values(0).to_numpy()
    b = pairs.index.get_level_values(1).to_numpy()
    w = pairs.to_numpy()
    matrix = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    matrix.sort_indices()
    return matrix


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Return component labels renumbered by size, largest first (0)."""
    counts = np.bincount(labels)
    rank = np.empty_like(counts)
    rank[np.argsort(-counts, kind="stable")] = np.arange(len(counts))
    return rank[labels]


def _metric(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Return local x/y in metres (equirectangular around latitude `lat0`; fine for snapping within a city)."""
    return np.column_stack([lon * EARTH_M_PER_DEGREE * np.cos(np.radians(lat0)), lat * EARTH_M_PER_DEGREE])
