"""Benchmark outreach rounds on the whole-Brussels street graph: the order's quality and time, and the distance matrix.

Run from anywhere as ``python benchmarks/bench_routes.py`` (``--quick`` for fewer draws). Stops are named
OSM places drawn at random (fixed seeds) in central Brussels; the start is one more such place; every round
returns to the start. Three parts, each against a baseline measured in the same run:

1. The distance matrix alone for 6, 12, 25 and 60 points: ours, ``routes.distance_matrix`` (one
   ``graph.distances_from`` pass per point on the contracted CSR graph, plus snapping) against networkx
   ``single_source_dijkstra_path_length`` from each point's node on the same graph
   (``nx.from_scipy_sparse_array`` of the same matrix), what a networkx user would write. The results must
   be identical (max abs difference printed).
2. 6 to 12 stops: ours, ``routes.plan_round`` as the app calls it (the Held-Karp programme, distance matrix,
   paths and schedule included) against the exact optimum of the same matrix found independently: trying
   every order (brute force) up to 9 stops, an integer programme (scipy's HiGHS, subtours cut until none is
   left) for 10 to 12. Goal: ratio 1.000 (optimal).
3. 25 and 60 stops: ours, ``plan_round`` (PyVRP; distance matrix included) against LKH-3 through ``elkai``
   (10 runs) on the same matrix. Goals: within 1 % of the reference; under 1 s for 25 and 3 s for 60.

Lengths are in metres; ``ratio`` = ours / baseline (length: above 1 means a longer round; time: below 1 faster).
This is a script, not a test: it only measures and prints.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import elkai  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from common import load_average, median  # noqa: E402  (benchmarks/common.py)
from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402

from buurtkaart import area as area_mod  # noqa: E402
from buurtkaart import graph as graph_mod  # noqa: E402
from buurtkaart import routes  # noqa: E402

BOX = (4.33, 50.83, 4.40, 50.87)  # central Brussels (west, south, east, north)
AT = datetime(2026, 12, 8, 10, 0)
GOAL_SMALL_RATIO = 1.0
GOAL_LARGE_RATIO = 1.01
GOAL_SECONDS = {25: 1.0, 60: 3.0}


def main() -> None:
    """Run the three parts and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer random draws per size")
    args = parser.parse_args()
    draws = 2 if args.quick else 5
    print(f"bench_routes  ·  load average {load_average()}")
    t0 = time.perf_counter()
    region = area_mod.load_embedded()
    walk = graph_mod.walk_graph(region)
    print(f"region + walking graph: {time.perf_counter() - t0:.1f} s ({walk.size} nodes)\n")
    west, south, east, north = BOX
    candidates = [
        replace(s, hours="")
        for s in routes.stops_from_places(region.places)
        if west < s.lon < east and south < s.lat < north
    ]
    nx_graph = nx.from_scipy_sparse_array(walk.matrix)
    matrix_part(walk, nx_graph, candidates, draws)
    small_part(walk, candidates, draws)
    large_part(walk, candidates, max(1, draws - 2))
    print(f"\nload average at the end {load_average()}")


def draw(candidates: list[routes.Stop], n: int, seed: int) -> tuple[routes.Stop, list[routes.Stop]]:
    """Return a start and n stops drawn at random."""
    chosen = np.random.default_rng(seed).choice(len(candidates), size=n + 1, replace=False)
    return candidates[chosen[0]], [candidates[i] for i in chosen[1:]]


def matrix_part(walk: graph_mod.WalkGraph, nx_graph: nx.Graph, candidates: list[routes.Stop], draws: int) -> None:
    """Time the distance matrix: ours against networkx on the same graph."""
    print("1. distance matrix alone (median of draws)")
    print(f"{'points':>6}  {'ours ms':>9}  {'networkx ms':>11}  {'ratio':>6}  {'max |diff| m':>12}")
    for n in (6, 12, 25, 60):
        ours, base, diff = [], [], 0.0
        for seed in range(draws):
            start, stops = draw(candidates, n - 1, seed)
            t0 = time.perf_counter()
            matrix, _ = routes.distance_matrix(walk, start, stops)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            nodes, offsets = graph_mod.snap(walk, [p.lon for p in matrix.points], [p.lat for p in matrix.points], main_only=True)
            rows = [nx.single_source_dijkstra_path_length(nx_graph, int(node), weight="weight") for node in nodes]
            reference = np.array([[row[int(b)] for b in nodes] for row in rows]) + offsets[:, None] + offsets[None, :]
            np.fill_diagonal(reference, 0.0)
            base.append(time.perf_counter() - t0)
            diff = max(diff, float(np.abs(reference - matrix.metres).max()))
        a, b = median(ours) * 1000, median(base) * 1000
        print(f"{n:>6}  {a:>9.1f}  {b:>11.1f}  {a / b:>6.3f}  {diff:>12.2e}")
    print()


def small_part(walk: graph_mod.WalkGraph, candidates: list[routes.Stop], draws: int) -> None:
    """Compare our order with the exact optimum for 6 to 12 stops."""
    print("2. 6-12 stops: ours (plan_round, exact DP) against the optimum found independently")
    print(f"{'stops':>5}  {'ours m':>9}  {'optimum m':>9}  {'worst ratio':>11}  {'ours ms':>8}  {'optimum ms':>10}  how")
    for n in range(6, 13):
        ratios, ours_t, base_t, lengths = [], [], [], []
        for seed in range(draws):
            start, stops = draw(candidates, n, 100 + seed)
            t0 = time.perf_counter()
            plan = routes.plan_round(walk, start, stops, returns=True, at=AT)
            ours_t.append(time.perf_counter() - t0)
            matrix, _ = routes.distance_matrix(walk, start, stops)
            t0 = time.perf_counter()
            best = brute_force(matrix.metres) if n <= 9 else milp_tsp(matrix.metres)
            base_t.append(time.perf_counter() - t0)
            ratios.append(plan.metres / best)
            lengths.append((plan.metres, best))
        how = "brute force" if n <= 9 else "MILP (HiGHS)"
        print(
            f"{n:>5}  {lengths[0][0]:>9.0f}  {lengths[0][1]:>9.0f}  {max(ratios):>11.4f}  {median(ours_t) * 1000:>8.1f}"
            f"  {median(base_t) * 1000:>10.1f}  {how}{'' if max(ratios) <= GOAL_SMALL_RATIO + 1e-9 else '  <- NOT optimal'}"
        )
    print()


def large_part(walk: graph_mod.WalkGraph, candidates: list[routes.Stop], draws: int) -> None:
    """Compare our order with LKH-3 (elkai) for 25 and 60 stops."""
    print("3. 25 and 60 stops: ours (plan_round, PyVRP, matrix included) against LKH-3 (elkai, 10 runs) on the same matrix")
    print(f"{'stops':>5}  {'ours m':>9}  {'LKH m':>9}  {'ratio':>7}  {'worst':>7}  {'ours s':>7}  {'LKH s':>7}  goal")
    for n in (25, 60):
        ratios, ours_t, base_t, first = [], [], [], None
        for seed in range(draws):
            start, stops = draw(candidates, n, 200 + seed)
            t0 = time.perf_counter()
            plan = routes.plan_round(walk, start, stops, returns=True, at=AT)
            ours_t.append(time.perf_counter() - t0)
            matrix, _ = routes.distance_matrix(walk, start, stops)
            t0 = time.perf_counter()
            lkh = lkh_length(matrix.metres)
            base_t.append(time.perf_counter() - t0)
            ratios.append(plan.metres / lkh)
            first = first or (plan.metres, lkh)
        ok = median(ratios) <= GOAL_LARGE_RATIO and max(ours_t) < GOAL_SECONDS[n]
        print(
            f"{n:>5}  {first[0]:>9.0f}  {first[1]:>9.0f}  {median(ratios):>7.4f}  {max(ratios):>7.4f}  {median(ours_t):>7.2f}"
            f"  {median(base_t):>7.2f}  ≤{GOAL_LARGE_RATIO:.2f}, <{GOAL_SECONDS[n]:.0f} s: {'met' if ok else 'NOT met'}"
        )


def brute_force(metres: np.ndarray) -> float:
    """Return the length of the shortest closed round from point 0, trying every order (numpy over all of them)."""
    k = len(metres) - 1
    orders = np.array(list(itertools.permutations(range(1, k + 1))))
    length = metres[0, orders[:, 0]] + metres[orders[:, -1], 0]
    for i in range(k - 1):
        length = length + metres[orders[:, i], orders[:, i + 1]]
    return float(length.min())


def milp_tsp(metres: np.ndarray) -> float:
    """Return the length of the shortest closed round through all points (integer programme, subtours cut lazily)."""
    n = len(metres)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    cost = np.array([metres[i, j] for i, j in pairs])
    rows = []
    for i in range(n):
        rows.append(([p for p, (a, _) in enumerate(pairs) if a == i], 1, 1))  # leave each point once
        rows.append(([p for p, (_, b) in enumerate(pairs) if b == i], 1, 1))  # enter each point once
    while True:
        a = np.zeros((len(rows), len(pairs)))
        lo, hi = np.zeros(len(rows)), np.zeros(len(rows))
        for r, (cols, low, high) in enumerate(rows):
            a[r, cols] = 1
            lo[r], hi[r] = low, high
        result = milp(cost, constraints=LinearConstraint(a, lo, hi), integrality=np.ones(len(pairs)), bounds=Bounds(0, 1))
        x = np.round(result.x).astype(bool)
        chosen = np.zeros((n, n))
        for p in np.flatnonzero(x):
            chosen[pairs[p]] = 1
        count, labels = connected_components(chosen, directed=False)
        if count == 1:
            return float(result.fun)
        for c in range(count):
            inside = set(np.flatnonzero(labels == c))
            rows.append(([p for p, (i, j) in enumerate(pairs) if i in inside and j in inside], 0, len(inside) - 1))


def lkh_length(metres: np.ndarray) -> float:
    """Return the length of LKH-3's closed round on the matrix (decimetres as integers, as LKH wants)."""
    tour = elkai.DistanceMatrix(np.round(metres * 10).astype(int).tolist()).solve_tsp(runs=10)
    order = tour[1:-1] if tour[0] == 0 else tour
    return routes.route_length(metres, order, returns=True)


if __name__ == "__main__":
    main()
