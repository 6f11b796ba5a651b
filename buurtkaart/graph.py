"""The walking graph of an area's streets as sparse arrays, and shortest walking distances over it.

Built once per area from the street layers (no osmnx graph needed at run time): a symmetric
scipy CSR matrix of edge lengths in metres, so that one multi-source Dijkstra pass gives the
distance from every node to the nearest of many sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from buurtkaart.area import Area
from buurtkaart.errors import AreaError

EARTH_M_PER_DEGREE = 111_320.0


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """Street nodes (index i) with their position, and a symmetric CSR matrix of walking lengths in metres."""

    node_ids: np.ndarray  # int64 street node id of index i
    lon: np.ndarray
    lat: np.ndarray
    matrix: sp.csr_matrix  # n × n, symmetric, edge length in metres (the shortest of parallel edges)
    tree: cKDTree  # over local metric coordinates, for snapping

    @property
    def size(self) -> int:
        """Return the number of nodes."""
        return len(self.node_ids)

    def index_of(self, node_ids: np.ndarray) -> np.ndarray:
        """Return the indices of street node ids (-1 for an id not in the graph)."""
        order = np.argsort(self.node_ids)
        pos = np.searchsorted(self.node_ids, node_ids, sorter=order)
        pos = np.clip(pos, 0, len(order) - 1)
        found = self.node_ids[order[pos]] == node_ids
        return np.where(found, order[pos], -1)


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
    keep = u.notna() & v.notna() & (u != v)
    i = u[keep].to_numpy(dtype=np.int64)
    j = v[keep].to_numpy(dtype=np.int64)
    length = edges.loc[keep, "length"].to_numpy(dtype=float)
    length = np.maximum(length, 1e-3)  # a zero weight would be read as "no edge" by csgraph
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    pairs = pd.DataFrame({"lo": lo, "hi": hi, "length": length}).groupby(["lo", "hi"], sort=False)["length"].min()
    a = pairs.index.get_level_values(0).to_numpy()
    b = pairs.index.get_level_values(1).to_numpy()
    w = pairs.to_numpy()
    n = len(node_ids)
    matrix = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    return WalkGraph(node_ids=node_ids, lon=lon, lat=lat, matrix=matrix, tree=cKDTree(_metric(lon, lat, lat.mean())))


def snap(graph: WalkGraph, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (node index, straight distance in metres) of the street node nearest to each point."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    if len(lon) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    distance, index = graph.tree.query(_metric(lon, lat, float(graph.lat.mean())))
    return np.asarray(index, dtype=np.int64), np.asarray(distance, dtype=float)


def distances_from(graph: WalkGraph, sources: np.ndarray, *, limit: float = np.inf) -> np.ndarray:
    """Return the walking distance in metres from each node to the nearest source (inf: unreachable or beyond `limit`)."""
    sources = np.unique(np.asarray(sources, dtype=np.int64))
    if len(sources) == 0:
        return np.full(graph.size, np.inf)
    return dijkstra(graph.matrix, directed=False, indices=sources, min_only=True, limit=limit)


def _metric(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Return local x/y in metres (equirectangular around latitude `lat0`; fine for snapping within a city)."""
    return np.column_stack([lon * EARTH_M_PER_DEGREE * np.cos(np.radians(lat0)), lat * EARTH_M_PER_DEGREE])
