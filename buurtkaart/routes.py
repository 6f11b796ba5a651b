"""Outreach rounds on foot: the best walking order past a set of stops, alone or split over several walkers.

The pipeline, in metres and minutes:

1. Every point (the start, then the stops) is snapped to the nearest street node of the largest
   connected street network (`graph.snap(main_only=True)`); a stop further than `MAX_SNAP_M` from it
   (a point far from any street, or next to an isolated fragment only) is *unreachable*: named in a
   notice and left out, the rest is still planned. A start that far away is outside the area: refused.
2. One multi-source pass of `graph.distances_from` per point gives the walking distance from that point
   to every node; the distance matrix is read off these rows, plus the straight bits from each point to
   its street node. The rows are kept: the walking line of a leg is traced back along them.
3. The order: an exact dynamic programme (Held-Karp) for one walker up to `EXACT_MAX_STOPS` stops with
   no time window and no time limit; otherwise PyVRP (hybrid genetic search for vehicle routing with
   time windows), which also splits the stops over several walkers, each with a maximum duration.
4. Opening hours (OSM `opening_hours`, parsed by `opening-hours-py`) become time windows on the day of
   the round; after the order is chosen the schedule says, per stop, when it is reached and whether it
   is closed then, and why.

Distances are never straight lines between stops: a stop not reached over the streets is not planned.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
from opening_hours import OpeningHours, ParserError, State

from buurtkaart import graph as graph_mod
from buurtkaart import names
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t

DEFAULT_SPEED_KMH = 4.5
MIN_SPEED_KMH, MAX_SPEED_KMH = 1.0, 8.0
MAX_SNAP_M = 250.0  # a point further than this from the street network is not reached on foot
EXACT_MAX_STOPS = 12  # Held-Karp up to here: 2^12 × 12 states
MAX_STOPS = 100
MAX_WALKERS = 4
MAX_MINUTES_AT_STOP = 240
HORIZON_HOURS = 16  # opening hours are read for this long after the start of the round
WALKER_COLOURS = ("#d7263d", "#1b6ca8", "#2a9d8f", "#8e44ad")


class RouteError(BuurtkaartError):
    """A round that cannot be planned (no stop, a start outside the area, bad settings)."""


@dataclass(frozen=True)
class Notice:
    """Something the team should know about a plan (a stop left out, a stop reached while closed)."""

    key: str
    values: dict = field(default_factory=dict)

    def message(self, lang: str) -> str:
        """Return the notice in `lang`."""
        return t(self.key, lang, **self.values)


@dataclass(frozen=True)
class Stop:
    """A place to pass: a vindplaats, an OSM place, a site, or any point; `minutes` is the time spent there."""

    id: str
    name: str
    lon: float
    lat: float
    minutes: float = 0.0
    hours: str = ""  # OSM opening_hours syntax; empty: no hours known
    source: str = "point"  # "item" (the organisation's map), "place" (OSM) or "point"


@dataclass(frozen=True)
class Visit:
    """One stop of a walker's round, with the walk there and the times."""

    stop: Stop
    metres: float  # the walk from the previous point
    minutes: float
    path: tuple[tuple[float, float], ...]  # (lon, lat) of the walking line from the previous point
    arrive: datetime
    leave: datetime
    wait_minutes: float = 0.0
    closed: Notice | None = None  # why the stop is closed when it is reached, if it is


@dataclass(frozen=True)
class WalkerRound:
    """One walker's round: the visits in walking order and, for a round that returns, the way back."""

    walker: int  # 0-based
    visits: tuple[Visit, ...]
    back_metres: float
    back_minutes: float
    back_path: tuple[tuple[float, float], ...]
    start: datetime
    end: datetime

    @property
    def metres(self) -> float:
        """Return the walking length of the round in metres."""
        return sum(v.metres for v in self.visits) + self.back_metres

    @property
    def minutes(self) -> float:
        """Return the duration of the round in minutes (walking, waiting and time at the stops)."""
        return (self.end - self.start).total_seconds() / 60

    @property
    def colour(self) -> str:
        """Return the walker's colour on the map and the sheet."""
        return WALKER_COLOURS[self.walker % len(WALKER_COLOURS)]


@dataclass(frozen=True)
class Plan:
    """A planned round: the start, one round per walker, and what could not be planned."""

    start: Stop
    rounds: tuple[WalkerRound, ...]
    returns: bool
    speed_kmh: float
    at: datetime
    method: str  # "exact", "pyvrp" or "trivial"
    notices: tuple[Notice, ...] = ()
    unreachable: tuple[Stop, ...] = ()
    left_out: tuple[Stop, ...] = ()  # reachable, but not within the walkers' maximum duration

    @property
    def metres(self) -> float:
        """Return the walking length of all rounds together."""
        return sum(r.metres for r in self.rounds)

    @property
    def stops(self) -> tuple[Stop, ...]:
        """Return the planned stops in walking order, walker after walker."""
        return tuple(v.stop for r in self.rounds for v in r.visits)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) of the start, the stops and the walking lines."""
        points = [(self.start.lon, self.start.lat)]
        points += [p for r in self.rounds for leg in (*(v.path for v in r.visits), r.back_path) for p in leg]
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        return min(lons), min(lats), max(lons), max(lats)


@dataclass(frozen=True)
class Matrix:
    """Walking distances between the start (index 0) and the reachable stops, and the rows to trace paths."""

    metres: np.ndarray  # (k+1) × (k+1)
    nodes: np.ndarray  # street node of each point
    offsets: np.ndarray  # straight metres from each point to its node
    rows: np.ndarray  # (k+1) × graph size: walking metres from each point's node
    points: tuple[Stop, ...]  # start, then the stops


# --- the public entry point ---


def plan_round(
    graph: graph_mod.WalkGraph,
    start: Stop,
    stops: Sequence[Stop],
    *,
    returns: bool = True,
    walkers: int = 1,
    max_minutes: float | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    at: datetime | None = None,
    seconds: float | None = None,
) -> Plan:
    """Plan a walking round from `start` past `stops`.

    Parameters
    ----------
    graph
        The walking graph of the area (`graph.walk_graph`).
    start
        Where the round starts (an organisation site or any point).
    stops
        The places to pass; duplicates are passed once, unreachable ones are named and left out.
    returns
        Whether each walker comes back to the start.
    walkers
        How many workers or volunteers share the stops (1 to MAX_WALKERS).
    max_minutes
        The longest round of one walker, in minutes (None: no limit); stops that do not fit are named.
    speed_kmh
        Walking speed in km/h (4.5 by default; slower for a round with elderly volunteers).
    at
        Date and start time of the round (local time); opening hours are read for that day. Default: now.
    seconds
        Time limit of the solver (PyVRP); by default 0.65 s for 25 stops and 1.8 s for 60.

    Returns
    -------
    Plan
        The rounds in walking order with distances, times, paths, and notices in every UI language.
    """
    walkers, speed_kmh, max_minutes = _check_settings(walkers, speed_kmh, max_minutes)
    at = (at or datetime.now()).replace(second=0, microsecond=0, tzinfo=None)
    stops, lost, notices = _unique(stops)
    if not stops:
        raise RouteError("error.route_none_reachable", n=len(lost)) if lost else RouteError("error.route_no_stops")
    if len(stops) > MAX_STOPS:
        raise RouteError("error.route_too_many", n=len(stops), max=MAX_STOPS)
    start = replace(start, minutes=0.0)
    matrix, unreachable = distance_matrix(graph, start, stops)
    unreachable = [*lost, *unreachable]
    notices += [Notice("route.notice.unreachable", {"name": s.name, "metres": MAX_SNAP_M}) for s in unreachable]
    reachable = matrix.points[1:]
    if not reachable:
        raise RouteError("error.route_none_reachable", n=len(unreachable))
    if len(stops) == 1:
        notices.append(Notice("route.notice.one_stop"))
    windows, window_notices = time_windows(reachable, at)
    notices += window_notices
    metres_per_minute = speed_kmh * 1000 / 60
    if len(reachable) == 1:
        orders, method = [[1]], "trivial"
    elif walkers == 1 and max_minutes is None and not any(windows) and len(reachable) <= EXACT_MAX_STOPS:
        orders, method = [exact_order(matrix.metres, returns=returns)], "exact"
    else:
        orders = solve_vrp(
            matrix.metres, reachable, windows, at=at, returns=returns, walkers=walkers, max_minutes=max_minutes,
            metres_per_minute=metres_per_minute, seconds=seconds,
        )
        method = "pyvrp"
    planned = {i for order in orders for i in order}
    left_out = tuple(reachable[i - 1] for i in range(1, len(reachable) + 1) if i not in planned)
    notices += [Notice("route.notice.left_out", {"name": s.name, "minutes": round(max_minutes or 0)}) for s in left_out]
    rounds = tuple(
        _schedule(graph, matrix, order, w, at=at, returns=returns, metres_per_minute=metres_per_minute, windows=windows)
        for w, order in enumerate(o for o in orders if o)
    )
    for r in rounds:
        notices += [v.closed for v in r.visits if v.closed is not None]
    return Plan(
        start=start, rounds=rounds, returns=returns, speed_kmh=speed_kmh, at=at, method=method,
        notices=tuple(notices), unreachable=tuple(unreachable), left_out=left_out,
    )


# --- distances ---


def distance_matrix(graph: graph_mod.WalkGraph, start: Stop, stops: Sequence[Stop]) -> tuple[Matrix, list[Stop]]:
    """Return the walking distances between the start and the reachable stops, and the unreachable stops."""
    lon = np.array([start.lon, *(s.lon for s in stops)], dtype=float)
    lat = np.array([start.lat, *(s.lat for s in stops)], dtype=float)
    nodes, offsets = graph_mod.snap(graph, lon, lat, main_only=True)
    if nodes[0] < 0 or not offsets[0] <= MAX_SNAP_M:
        raise RouteError("error.route_start_outside", name=start.name, metres=MAX_SNAP_M)
    ok = (nodes[1:] >= 0) & (offsets[1:] <= MAX_SNAP_M)
    unreachable = [s for s, good in zip(stops, ok, strict=True) if not good]
    keep = np.flatnonzero(np.r_[True, ok])
    nodes, offsets = nodes[keep], offsets[keep]
    rows = np.vstack([graph_mod.distances_from(graph, [node]) for node in nodes])
    metres = rows[:, nodes] + offsets[:, None] + offsets[None, :]
    np.fill_diagonal(metres, 0.0)
    points = (start, *(stops[i - 1] for i in keep[1:]))
    # All points are on the main network, so every distance is finite; a loaded area may still surprise.
    lost = ~np.isfinite(metres[0]) | ~np.isfinite(metres[:, 0])
    if lost[1:].any():
        unreachable += [points[i] for i in np.flatnonzero(lost) if i > 0]
        good = np.flatnonzero(~lost | (np.arange(len(points)) == 0))
        metres, nodes, offsets, rows = metres[np.ix_(good, good)], nodes[good], offsets[good], rows[good]
        points = tuple(points[i] for i in good)
    return Matrix(metres=metres, nodes=nodes, offsets=offsets, rows=rows, points=points), unreachable


def trace_path(graph: graph_mod.WalkGraph, row: np.ndarray, source: int, target: int) -> list[int]:
    """Return the street nodes of a shortest walk from `source` to `target`, read back along a distance row."""
    m = graph.matrix
    path = [target]
    node = target
    for _ in range(graph.size):
        if node == source or not np.isfinite(row[node]):
            break
        lo, hi = m.indptr[node], m.indptr[node + 1]
        neighbours, weights = m.indices[lo:hi], m.data[lo:hi]
        gap = np.abs(row[neighbours] + weights - row[node])
        node = int(neighbours[np.argmin(gap)])
        path.append(node)
    return path[::-1]


# --- the order ---


def exact_order(metres: np.ndarray, *, returns: bool) -> list[int]:
    """Return the shortest order of points 1..k from point 0 (Held-Karp dynamic programme), exact."""
    k = len(metres) - 1
    if k <= 1:
        return list(range(1, k + 1))
    d = np.asarray(metres, dtype=float)
    size = 1 << k
    cost = np.full((size, k), np.inf)
    parent = np.full((size, k), -1, dtype=np.int64)
    for j in range(k):
        cost[1 << j, j] = d[0, j + 1]
    masks = np.arange(size)
    popcount = np.array([bin(x).count("1") for x in range(size)])
    for n in range(2, k + 1):
        layer = masks[popcount == n]
        for j in range(k):
            sel = layer[(layer >> j) & 1 == 1]
            prev = sel ^ (1 << j)
            options = cost[prev] + d[1:, j + 1][None, :]
            best = np.argmin(options, axis=1)
            cost[sel, j] = options[np.arange(len(sel)), best]
            parent[sel, j] = best
    full = size - 1
    final = cost[full] + (d[1:, 0] if returns else 0.0)
    last = int(np.argmin(final))
    order = []
    mask = full
    while last >= 0:
        order.append(last + 1)
        mask, last = mask ^ (1 << last), int(parent[mask, last])
    return order[::-1]


def route_length(metres: np.ndarray, order: Sequence[int], *, returns: bool) -> float:
    """Return the walking length of an order of points from point 0 (and back, when the round returns)."""
    legs = [0, *order, *([0] if returns else [])]
    return float(sum(metres[a, b] for a, b in itertools.pairwise(legs)))


def solve_vrp(
    metres: np.ndarray,
    stops: Sequence[Stop],
    windows: Sequence[tuple[float, float] | None],
    *,
    at: datetime,
    returns: bool,
    walkers: int,
    max_minutes: float | None,
    metres_per_minute: float,
    seconds: float | None = None,
) -> list[list[int]]:
    """Return one order of points per walker (indices into `metres`), found by PyVRP; balanced over walkers."""
    if seconds is None:  # the time budget of the search: well under 1 s up to 30 stops, about 2 s for 60
        seconds = 0.15 + len(stops) * 0.02 if len(stops) <= 30 else min(2.2, len(stops) * 0.03)
    cap = max_minutes * 60 if max_minutes is not None else None
    result = _best_of(metres, stops, windows, returns=returns, walkers=walkers, cap=cap, mpm=metres_per_minute, seconds=seconds)
    if result is None and any(windows):  # the opening hours cannot all be kept: plan without them, say which fail
        windows = [None] * len(stops)
        result = _best_of(metres, stops, windows, returns=returns, walkers=walkers, cap=cap, mpm=metres_per_minute, seconds=seconds)
    if result is None:
        return [[]]
    orders, durations = result
    if walkers > 1 and sum(1 for o in orders if o) > 0:
        orders = _balance(metres, stops, windows, orders, durations, returns=returns, walkers=walkers, cap=cap,
                          mpm=metres_per_minute, seconds=seconds / 2)
    return orders


def _best_of(
    metres: np.ndarray, stops: Sequence[Stop], windows: Sequence[tuple[float, float] | None], *, seconds: float, **options: Any
) -> tuple[list[list[int]], list[float]] | None:
    """Return the best of PyVRP's searches: one, or above 30 stops two with other seeds (a search can stall).

    `options` are `_vrp`'s: returns, walkers, cap and mpm.
    """
    runs = 2 if len(stops) > 30 else 1
    returns = options["returns"]
    found = [_vrp(metres, stops, windows, seconds=seconds / runs, seed=seed, **options) for seed in range(1, runs + 1)]
    found = [f for f in found if f is not None]
    if not found:
        return None

    def worse(result: tuple[list[list[int]], list[float]]) -> tuple[int, float]:
        orders = result[0]
        return -sum(len(o) for o in orders), sum(route_length(metres, o, returns=returns) for o in orders if o)

    return min(found, key=worse)


def _vrp(
    metres: np.ndarray,
    stops: Sequence[Stop],
    windows: Sequence[tuple[float, float] | None],
    *,
    returns: bool,
    walkers: int,
    cap: float | None,
    mpm: float,
    seconds: float,
    seed: int = 1,
) -> tuple[list[list[int]], list[float]] | None:
    """Return (orders, durations in seconds) of PyVRP's best feasible solution, or None if it found none."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    k = len(stops)
    model = pyvrp.Model()
    scale = 10  # decimetres: PyVRP works in integers
    locations = [model.add_location(0, 0) for _ in range(k + 1)]
    depot = model.add_depot(locations[0])
    big = 2**40
    model.add_vehicle_type(
        num_available=walkers, start_depot=depot, end_depot=depot, shift_duration=int(cap) if cap is not None else big
    )
    # With a time limit, a stop that does not fit may be left out (a large prize keeps every one that fits).
    prize = int(metres.max() * scale * (k + 1)) + 1 if cap is not None else 0
    for i, stop in enumerate(stops, start=1):
        early, late = windows[i - 1] if windows[i - 1] is not None else (0, big)
        model.add_client(
            locations[i], service_duration=round(stop.minutes * 60), tw_early=int(early), tw_late=int(late),
            required=cap is None, prize=prize,
        )
    for a in range(k + 1):
        for b in range(k + 1):
            if a == b:
                continue
            back = b == 0 and not returns
            dist = 0 if back else round(metres[a, b] * scale)
            duration = 0 if back else round(metres[a, b] / mpm * 60)
            model.add_edge(locations[a], locations[b], distance=dist, duration=duration)
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    if not result.is_feasible():
        return None
    orders, durations = [], []
    for route in result.best.routes():
        orders.append([s.idx + 1 for s in route if s.is_client()])
        durations.append(float(route.duration()))
    return orders, durations


def _balance(
    metres: np.ndarray,
    stops: Sequence[Stop],
    windows: Sequence[tuple[float, float] | None],
    orders: list[list[int]],
    durations: list[float],
    *,
    returns: bool,
    walkers: int,
    cap: float | None,
    mpm: float,
    seconds: float,
) -> list[list[int]]:
    """Return orders with the longest round made shorter: tighten every walker's limit while all stops still fit."""
    best = orders
    hi = max(durations)
    work = sum(durations)
    lo = work / walkers
    for _ in range(5):
        if hi - lo < 60:
            break
        mid = (lo + hi) / 2
        tried = _vrp(metres, stops, windows, returns=returns, walkers=walkers, cap=mid, mpm=mpm, seconds=seconds)
        if tried is not None and sum(len(o) for o in tried[0]) == len(stops):
            best, hi = tried[0], max(tried[1])
        else:
            lo = mid
    return best


# --- opening hours and the schedule ---


def parse_hours(text: str) -> OpeningHours:
    """Return the parsed OSM opening_hours of a place; RouteError "error.route_hours" if it does not parse."""
    try:
        return OpeningHours(text.strip())
    except (SyntaxError, ValueError, ParserError) as error:
        raise RouteError("error.route_hours", hours=text.strip()[:80], reason=str(error).splitlines()[0][:80]) from error


def time_windows(stops: Sequence[Stop], at: datetime) -> tuple[list[tuple[float, float] | None], list[Notice]]:
    """Return per stop the seconds after `at` during which a visit can start (None: no hours), and notices."""
    windows: list[tuple[float, float] | None] = []
    notices = []
    end = at + timedelta(hours=HORIZON_HOURS)
    for stop in stops:
        if not stop.hours.strip():
            windows.append(None)
            continue
        try:
            hours = parse_hours(stop.hours)
        except RouteError as error:
            notices.append(Notice("route.notice.hours", {"name": stop.name, "hours": error.values["hours"]}))
            windows.append(None)
            continue
        window = None
        for begin, finish, state, _comment in hours.intervals(at, end):
            if state == State.OPEN:
                finish = min(finish or end, end)
                early = max((begin - at).total_seconds(), 0.0)
                late = (finish - at).total_seconds() - stop.minutes * 60
                if late >= early:
                    window = (early, late)
                    break
        windows.append(window)
    return windows, notices


def closed_reason(stop: Stop, arrive: datetime, leave: datetime) -> Notice | None:
    """Return why a stop is closed when it is reached (None: open, or its hours are unknown)."""
    if not stop.hours.strip():
        return None
    try:
        hours = parse_hours(stop.hours)
    except RouteError:
        return None
    if hours.is_open(arrive) and (leave <= arrive or hours.is_open(leave - timedelta(seconds=1))):
        return None
    when = arrive.strftime("%H:%M")
    if hours.is_open(arrive):
        closes = hours.next_change(arrive)
        return Notice("route.closed.closes", {"name": stop.name, "at": when, "closes": closes.strftime("%H:%M")})
    opens = hours.next_change(arrive)
    if opens is not None and opens.date() == arrive.date() and hours.is_open(opens):
        return Notice("route.closed.opens", {"name": stop.name, "at": when, "opens": opens.strftime("%H:%M")})
    return Notice("route.closed.day", {"name": stop.name, "at": when})


def _schedule(
    graph: graph_mod.WalkGraph,
    matrix: Matrix,
    order: Sequence[int],
    walker: int,
    *,
    at: datetime,
    returns: bool,
    metres_per_minute: float,
    windows: Sequence[tuple[float, float] | None],
) -> WalkerRound:
    """Return a walker's round with times: walk, wait for a window that opens later, stay, go on."""
    visits = []
    clock = at
    previous = 0
    for i in order:
        metres = float(matrix.metres[previous, i])
        minutes = metres / metres_per_minute
        arrive = clock + timedelta(minutes=minutes)
        wait = 0.0
        window = windows[i - 1]
        if window is not None:
            opens = at + timedelta(seconds=window[0])
            if arrive < opens:
                wait = (opens - arrive).total_seconds() / 60
                arrive = opens
        stop = matrix.points[i]
        leave = arrive + timedelta(minutes=stop.minutes)
        visits.append(
            Visit(
                stop=stop, metres=metres, minutes=minutes, path=_leg_path(graph, matrix, previous, i),
                arrive=arrive, leave=leave, wait_minutes=wait, closed=closed_reason(stop, arrive, leave),
            )
        )
        clock, previous = leave, i
    back_metres = float(matrix.metres[previous, 0]) if returns else 0.0
    back_minutes = back_metres / metres_per_minute
    end = clock + timedelta(minutes=back_minutes)
    return WalkerRound(
        walker=walker, visits=tuple(visits), back_metres=back_metres, back_minutes=back_minutes,
        back_path=_leg_path(graph, matrix, previous, 0) if returns else (), start=at, end=end,
    )


def _leg_path(graph: graph_mod.WalkGraph, matrix: Matrix, a: int, b: int) -> tuple[tuple[float, float], ...]:
    """Return the walking line (lon, lat) from point a to point b: to the street, along it, to the point."""
    nodes = trace_path(graph, matrix.rows[a], int(matrix.nodes[a]), int(matrix.nodes[b]))
    pa, pb = matrix.points[a], matrix.points[b]
    line = [(pa.lon, pa.lat), *((float(graph.lon[n]), float(graph.lat[n])) for n in nodes), (pb.lon, pb.lat)]
    return tuple((round(x, 6), round(y, 6)) for x, y in line)


# --- input ---


def _check_settings(walkers: object, speed_kmh: object, max_minutes: object) -> tuple[int, float, float | None]:
    """Return the settings checked; RouteError with the bad value otherwise."""
    if isinstance(walkers, bool) or not isinstance(walkers, int) or not 1 <= walkers <= MAX_WALKERS:
        raise RouteError("error.route_walkers", value=walkers, max=MAX_WALKERS)
    try:
        speed = float(speed_kmh)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        speed = math.nan
    if not MIN_SPEED_KMH <= speed <= MAX_SPEED_KMH:
        raise RouteError("error.route_speed", value=speed_kmh, low=MIN_SPEED_KMH, high=MAX_SPEED_KMH)
    if max_minutes is None:
        return walkers, speed, None
    try:
        limit = float(max_minutes)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        limit = math.nan
    if not 5 <= limit <= 24 * 60:
        raise RouteError("error.route_max_minutes", value=max_minutes)
    return walkers, speed, limit


def _unique(stops: Iterable[Stop]) -> tuple[list[Stop], list[Stop], list[Notice]]:
    """Return the stops with duplicates (same id) passed once, the stops without coordinates, a notice per duplicate."""
    seen: set[str] = set()
    kept, lost, notices = [], [], []
    for stop in stops:
        if not (math.isfinite(stop.lon) and math.isfinite(stop.lat)):
            lost.append(stop)
            continue
        if stop.id in seen:
            notices.append(Notice("route.notice.duplicate", {"name": stop.name}))
            continue
        seen.add(stop.id)
        minutes = stop.minutes if math.isfinite(stop.minutes) else 0.0
        kept.append(replace(stop, minutes=min(max(minutes, 0.0), MAX_MINUTES_AT_STOP)))
    return kept, lost, notices


def find_stop(query: str, candidates: Sequence[Stop]) -> Stop:
    """Return the one candidate whose id is `query` or whose name matches it; RouteError if none or several."""
    query = query.strip()
    by_id = [c for c in candidates if c.id == query]
    if by_id:
        return by_id[0]
    needle = names.fold(query)
    if not needle:
        raise RouteError("error.route_stop_unknown", name=query)
    exact = [c for c in candidates if names.fold(c.name) == needle]
    found = exact or [c for c, rank in zip(candidates, names.match([c.name for c in candidates], query), strict=True) if rank != names.NO_MATCH]
    if len(found) == 1:
        return found[0]
    if not found:
        raise RouteError("error.route_stop_unknown", name=query)
    shown = "; ".join(f"{c.name} [{c.id}]" for c in found[:6])
    raise RouteError("error.route_stop_ambiguous", name=query, n=len(found), candidates=shown)


def stops_from_items(items: gpd.GeoDataFrame, *, minutes: float = 0.0) -> list[Stop]:
    """Return the organisation's items (vindplaatsen, sites, partners…) as stops."""
    return [
        Stop(id=str(row.id), name=str(row.name), lon=float(row.geometry.x), lat=float(row.geometry.y),
             minutes=minutes, hours=str(row.hours or ""), source="item")
        for row in items.itertuples()
    ]


def stops_from_places(places: gpd.GeoDataFrame, *, minutes: float = 0.0) -> list[Stop]:
    """Return named OSM places as stops (their opening_hours kept)."""
    named = places[places["name"].fillna("").str.strip() != ""]
    hours = named["opening_hours"].fillna("") if "opening_hours" in named else [""] * len(named)
    return [
        Stop(id=str(pid), name=str(name), lon=float(g.x), lat=float(g.y), minutes=minutes, hours=str(h), source="place")
        for pid, name, g, h in zip(named["place_id"], named["name"], named.geometry, hours, strict=True)
    ]


def point_stop(lon: float, lat: float, name: str) -> Stop:
    """Return a stop at any point (a clicked spot on the map)."""
    return Stop(id=f"point:{lon:.6f},{lat:.6f}", name=name, lon=float(lon), lat=float(lat), source="point")
