"""Tests of outreach rounds: the order, the distances and paths, opening hours, several walkers, bad input, GPX and sheet."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import gpxpy
import numpy as np
import pytest
import xmlschema
from scipy.sparse.csgraph import dijkstra

from buurtkaart import cli, graph, i18n, route_files, routes
from buurtkaart.routes import RouteError, Stop

XSD = Path(__file__).parent / "fixtures" / "gpx" / "gpx-1.1.xsd"
TUESDAY_10 = datetime(2026, 12, 8, 10, 0)  # a Tuesday
EVIL = 'Theehuis <script>alert(1)</script> & "co"\x07'


@pytest.fixture(scope="module")
def candidates(region) -> list[Stop]:
    """Return named OSM places in the middle of Schaerbeek as stops, without opening hours, in a fixed order."""
    stops = [
        replace(s, hours="")
        for s in routes.stops_from_places(region.places)
        if 4.370 < s.lon < 4.395 and 50.855 < s.lat < 50.872
    ]
    assert len(stops) > 80
    return stops


def pick(candidates: list[Stop], n: int, seed: int = 0) -> tuple[Stop, list[Stop]]:
    """Return a start and n stops drawn from the candidates."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(candidates), size=n + 1, replace=False)
    return candidates[chosen[0]], [candidates[i] for i in chosen[1:]]


def brute_force(metres: np.ndarray, *, returns: bool) -> float:
    """Return the length of the best order by trying every one."""
    k = len(metres) - 1
    return min(routes.route_length(metres, order, returns=returns) for order in itertools.permutations(range(1, k + 1)))


# --- the order ---


@pytest.mark.parametrize("returns", [True, False])
def test_exact_order_is_the_brute_force_optimum_on_random_asymmetric_matrices(returns: bool) -> None:
    rng = np.random.default_rng(7)
    for k in range(1, 8):
        metres = rng.uniform(10, 1000, size=(k + 1, k + 1))
        np.fill_diagonal(metres, 0)
        order = routes.exact_order(metres, returns=returns)
        assert sorted(order) == list(range(1, k + 1))
        assert routes.route_length(metres, order, returns=returns) == pytest.approx(brute_force(metres, returns=returns))


def test_pyvrp_finds_the_exact_optimum_on_a_ten_stop_round(walk, candidates) -> None:
    start, stops = pick(candidates, 10, seed=3)
    matrix, unreachable = routes.distance_matrix(walk, start, stops)
    assert not unreachable
    best = routes.route_length(matrix.metres, routes.exact_order(matrix.metres, returns=True), returns=True)
    orders = routes.solve_vrp(
        matrix.metres, matrix.points[1:], [None] * 10, at=TUESDAY_10, returns=True, walkers=1, max_minutes=None,
        metres_per_minute=75, seconds=0.5,
    )
    assert sorted(orders[0]) == list(range(1, 11))
    assert routes.route_length(matrix.metres, orders[0], returns=True) <= best * 1.001


# --- distances and paths on the street graph ---


def test_distances_are_walking_distances_on_the_whole_graph_and_paths_follow_streets(walk, candidates) -> None:
    start, stops = pick(candidates, 5, seed=1)
    matrix, _ = routes.distance_matrix(walk, start, stops)
    full = dijkstra(walk.matrix, directed=False, indices=matrix.nodes)  # the uncontracted graph, independently
    expected = full[:, matrix.nodes] + matrix.offsets[:, None] + matrix.offsets[None, :]
    np.fill_diagonal(expected, 0)
    assert np.allclose(matrix.metres, expected, rtol=1e-9)
    straight = np.hypot(*(walk.metric([start.lon], [start.lat])[0] - walk.metric([stops[0].lon], [stops[0].lat])[0]))
    assert matrix.metres[0, 1] >= straight - 1e-6  # never shorter than a straight line
    for a, b in [(0, 1), (2, 4), (5, 0)]:
        nodes = routes.trace_path(walk, matrix.rows[a], int(matrix.nodes[a]), int(matrix.nodes[b]))
        assert nodes[0] == matrix.nodes[a] and nodes[-1] == matrix.nodes[b]
        length = sum(walk.matrix[u, v] for u, v in itertools.pairwise(nodes))
        assert all(walk.matrix[u, v] > 0 for u, v in itertools.pairwise(nodes))  # each step is a street
        assert length == pytest.approx(full[a, matrix.nodes[b]], rel=1e-9)


def test_plan_with_and_without_return(walk, candidates) -> None:
    start, stops = pick(candidates, 6, seed=2)
    back = routes.plan_round(walk, start, stops, returns=True, at=TUESDAY_10)
    open_ = routes.plan_round(walk, start, stops, returns=False, at=TUESDAY_10)
    assert back.method == open_.method == "exact"
    assert {s.id for s in back.stops} == {s.id for s in open_.stops} == {s.id for s in stops}
    assert back.rounds[0].back_metres > 0 and back.rounds[0].back_path[-1] == (round(start.lon, 6), round(start.lat, 6))
    assert open_.rounds[0].back_metres == 0 and open_.rounds[0].back_path == ()
    assert open_.metres <= back.metres
    r = back.rounds[0]
    assert r.end > r.visits[-1].leave > r.visits[0].arrive > TUESDAY_10
    # time = distance / speed
    assert r.visits[0].minutes == pytest.approx(r.visits[0].metres / (4.5 * 1000 / 60))
    slow = routes.plan_round(walk, start, stops, returns=True, at=TUESDAY_10, speed_kmh=3.0)
    assert slow.rounds[0].minutes == pytest.approx(r.minutes * 4.5 / 3.0, rel=1e-6)


def test_more_than_twelve_stops_go_to_pyvrp_and_are_all_visited(walk, candidates) -> None:
    start, stops = pick(candidates, 25, seed=4)
    plan = routes.plan_round(walk, start, stops, at=TUESDAY_10)
    assert plan.method == "pyvrp"
    assert sorted(s.id for s in plan.stops) == sorted(s.id for s in stops)


def test_several_walkers_share_the_stops_within_their_maximum(walk, candidates) -> None:
    start, stops = pick(candidates, 12, seed=5)
    plan = routes.plan_round(walk, start, [replace(s, minutes=10) for s in stops], walkers=3, max_minutes=120, at=TUESDAY_10)
    assert len(plan.rounds) >= 2
    ids = [s.id for s in plan.stops]
    assert len(ids) + len(plan.left_out) == 12 and len(set(ids)) == len(ids)
    assert all(r.minutes <= 120 + 1e-6 for r in plan.rounds)
    assert len({r.colour for r in plan.rounds}) == len(plan.rounds)
    # no limit given: the stops are still split, and the longest round is shorter than walking them alone
    alone = routes.plan_round(walk, start, [replace(s, minutes=10) for s in stops], at=TUESDAY_10)
    pair = routes.plan_round(walk, start, [replace(s, minutes=10) for s in stops], walkers=2, at=TUESDAY_10)
    assert len(pair.rounds) == 2 and all(r.visits for r in pair.rounds)
    assert max(r.minutes for r in pair.rounds) < 0.8 * alone.rounds[0].minutes
    # too little time: what does not fit is named, not silently dropped
    tight = routes.plan_round(walk, start, [replace(s, minutes=20) for s in stops], walkers=2, max_minutes=60, at=TUESDAY_10)
    assert tight.left_out
    assert len(tight.stops) + len(tight.left_out) == 12
    assert all(r.minutes <= 60 + 1e-6 for r in tight.rounds)
    named = " ".join(n.message("nl") for n in tight.notices)
    assert all(s.name in named for s in tight.left_out)


# --- opening hours ---


def test_opening_hours_are_time_windows_and_closed_stops_are_named_with_the_reason(walk, candidates) -> None:
    start, stops = pick(candidates, 4, seed=6)
    afternoon = replace(stops[0], hours="Mo-Fr 14:00-16:00", minutes=20)
    closed_tuesday = replace(stops[1], hours="We-Su 09:00-18:00")
    plan = routes.plan_round(walk, start, [afternoon, closed_tuesday, *stops[2:]], at=TUESDAY_10)
    assert plan.method == "pyvrp"
    visit = next(v for r in plan.rounds for v in r.visits if v.stop.id == afternoon.id)
    assert datetime(2026, 12, 8, 14) <= visit.arrive and visit.leave <= datetime(2026, 12, 8, 16)
    assert visit.closed is None
    closed = next(v for r in plan.rounds for v in r.visits if v.stop.id == closed_tuesday.id)
    assert closed.closed is not None and closed.closed.key == "route.closed.day"
    assert closed_tuesday.name in closed.closed.message("fr")
    # the same afternoon place reached in the morning by the exact order (no window when its hours are unknown)
    early = routes.closed_reason(afternoon, datetime(2026, 12, 8, 11, 0), datetime(2026, 12, 8, 11, 20))
    assert early is not None and early.key == "route.closed.opens" and "14:00" in early.message("nl")
    late = routes.closed_reason(afternoon, datetime(2026, 12, 8, 15, 50), datetime(2026, 12, 8, 16, 10))
    assert late is not None and late.key == "route.closed.closes" and "16:00" in late.message("en")


def test_a_bad_opening_hours_string_gets_a_message_and_the_round_is_still_planned(walk, candidates) -> None:
    with pytest.raises(RouteError) as error:
        routes.parse_hours("ma–vr 9–12u")
    assert error.value.key == "error.route_hours" and "ma–vr 9–12u" in error.value.message("nl")
    start, stops = pick(candidates, 3, seed=7)
    plan = routes.plan_round(walk, start, [replace(stops[0], hours="ma–vr 9–12u"), *stops[1:]], at=TUESDAY_10)
    assert len(plan.stops) == 3
    assert [n.key for n in plan.notices] == ["route.notice.hours"]
    assert stops[0].name in plan.notices[0].message("en")


# --- bad input ---


def test_an_unreachable_stop_is_named_and_the_rest_is_planned(walk, candidates) -> None:
    start, stops = pick(candidates, 3, seed=8)
    far = Stop(id="point:far", name="Ergens in het Zoniënwoud", lon=4.43, lat=50.76)  # far from any named street
    plan = routes.plan_round(walk, start, [*stops, far], at=TUESDAY_10)
    assert [s.id for s in plan.unreachable] == ["point:far"]
    assert sorted(s.id for s in plan.stops) == sorted(s.id for s in stops)
    assert any(far.name in n.message(lang) for n in plan.notices for lang in i18n.LANGUAGES)
    # a stop on a street of an isolated part of the graph (not connected to the start's network)
    isolated = walk.snappable[walk.component[walk.snappable] > 0]
    _, to_main = graph.snap(walk, walk.lon[isolated], walk.lat[isolated], main_only=True)
    node = isolated[np.argmax(to_main)]
    assert to_main.max() > routes.MAX_SNAP_M and graph.snap(walk, walk.lon[node], walk.lat[node])[1][0] == 0
    island = Stop(id="point:island", name="Losse straat", lon=float(walk.lon[node]), lat=float(walk.lat[node]))
    plan = routes.plan_round(walk, start, [island, *stops], at=TUESDAY_10)
    assert [s.id for s in plan.unreachable] == ["point:island"] and len(plan.stops) == 3
    nowhere = Stop(id="point:nan", name="Nergens", lon=float("nan"), lat=50.86)
    plan = routes.plan_round(walk, start, [*stops, nowhere], at=TUESDAY_10)
    assert len(plan.stops) == 3 and [s.id for s in plan.unreachable] == ["point:nan"]
    assert "Nergens" in " ".join(n.message("nl") for n in plan.notices)
    with pytest.raises(RouteError) as error:
        routes.plan_round(walk, start, [far], at=TUESDAY_10)
    assert error.value.key == "error.route_none_reachable"


def test_zero_one_and_duplicate_stops(walk, candidates) -> None:
    start, stops = pick(candidates, 2, seed=9)
    with pytest.raises(RouteError) as error:
        routes.plan_round(walk, start, [], at=TUESDAY_10)
    assert error.value.key == "error.route_no_stops"
    assert all(error.value.message(lang).strip() for lang in i18n.LANGUAGES)
    one = routes.plan_round(walk, start, stops[:1], at=TUESDAY_10)
    assert one.method == "trivial" and [s.id for s in one.stops] == [stops[0].id]
    assert "route.notice.one_stop" in [n.key for n in one.notices]
    twice = routes.plan_round(walk, start, [stops[0], stops[1], stops[0]], at=TUESDAY_10)
    assert sorted(s.id for s in twice.stops) == sorted([stops[0].id, stops[1].id])
    assert [n.key for n in twice.notices] == ["route.notice.duplicate"]


def test_a_start_outside_the_area_and_bad_settings_are_refused(walk, candidates) -> None:
    _, stops = pick(candidates, 3, seed=10)
    paris = Stop(id="point:paris", name="Parijs", lon=2.35, lat=48.85)
    with pytest.raises(RouteError) as error:
        routes.plan_round(walk, paris, stops, at=TUESDAY_10)
    assert error.value.key == "error.route_start_outside" and "Parijs" in error.value.message("fr")
    for settings, key in [
        ({"walkers": 0}, "error.route_walkers"),
        ({"walkers": 9}, "error.route_walkers"),
        ({"speed_kmh": 0}, "error.route_speed"),
        ({"speed_kmh": "snel"}, "error.route_speed"),
        ({"max_minutes": -5}, "error.route_max_minutes"),
    ]:
        with pytest.raises(RouteError) as error:
            routes.plan_round(walk, stops[0], stops[1:], at=TUESDAY_10, **settings)
        assert error.value.key == key


def test_find_stop_by_id_exact_name_or_part_and_refuses_ambiguous_names() -> None:
    places = [
        Stop(id="a", name="Theehuis Anatolia", lon=4.38, lat=50.86),
        Stop(id="b", name="Theehuis Atlas", lon=4.38, lat=50.86),
        Stop(id="c", name="Wasserette", lon=4.38, lat=50.86),
    ]
    assert routes.find_stop("b", places).id == "b"
    assert routes.find_stop("wasserétte", places).id == "c"
    assert routes.find_stop("atlas", places).id == "b"
    with pytest.raises(RouteError) as error:
        routes.find_stop("Theehuis", places)
    assert error.value.key == "error.route_stop_ambiguous"
    assert "[a]" in error.value.message("nl") and "[b]" in error.value.message("nl")
    with pytest.raises(RouteError) as error:
        routes.find_stop("Bakkerij", places)
    assert error.value.key == "error.route_stop_unknown"


# --- GPX and the route sheet ---


def test_gpx_has_the_waypoints_in_walking_order_one_track_per_walker_and_is_valid_gpx_1_1(walk, candidates) -> None:
    start, stops = pick(candidates, 8, seed=11)
    stops[0] = replace(stops[0], name=EVIL)
    plan = routes.plan_round(walk, start, stops, walkers=2, max_minutes=90, at=TUESDAY_10)
    text = route_files.gpx_text(plan, lang="nl")
    xmlschema.XMLSchema(str(XSD)).validate(text)
    parsed = gpxpy.parse(text)
    expected = [start.id, *(v.stop.id for r in plan.rounds for v in r.visits)]
    by_position = {(round(s.lat, 6), round(s.lon, 6)): s.id for s in [start, *stops]}
    assert [by_position[(round(w.latitude, 6), round(w.longitude, 6))] for w in parsed.waypoints] == expected
    assert parsed.waypoints[0].name.startswith("S ")
    assert len(parsed.tracks) == len(plan.rounds)
    for track, r in zip(parsed.tracks, plan.rounds, strict=True):
        points = track.segments[0].points
        assert (round(points[0].longitude, 6), round(points[0].latitude, 6)) == (round(start.lon, 6), round(start.lat, 6))
        assert len(points) > len(r.visits)
    evil = next(w for w in parsed.waypoints if "Theehuis" in w.name)
    assert "<script>alert(1)</script>" in evil.name and "\x07" not in evil.name


def test_route_sheet_has_one_page_per_walker_escapes_names_and_loads_nothing(walk, candidates) -> None:
    start, stops = pick(candidates, 6, seed=12)
    stops[0] = replace(stops[0], name=EVIL)
    plan = routes.plan_round(walk, start, stops, walkers=2, at=TUESDAY_10)
    assert len(plan.stops) == 6
    page = route_files.sheet_html(plan, lang="fr", graph=walk, bring="Folders\n<b>koffie</b>")
    assert page.count('<section class="sheet"') == len(plan.rounds) >= 2
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;koffie" in page
    assert not re.search(r"""(src|href)\s*=|url\(|@import|https?://(?!www\.w3\.org/2000/svg)""", page)
    assert "size: A4" in page and page.count('class="line"') == len(plan.rounds) * route_files.NOTE_LINES
    for r in plan.rounds:
        for v in r.visits:
            assert v.arrive.strftime("%H:%M") in page


# --- the command line ---


def test_cli_route_writes_gpx_and_html_and_refuses_bad_input(tmp_path, capsys) -> None:
    out = tmp_path / "ronde.gpx"
    code = cli.main([
        "route", "--stop", "bxl:poi/2", "--stop", "bxl:poi/5", "--stop", "bxl:poi/2", "--start", "bxl:poi/0",
        "--return", "--at", "2026-12-08 10:00", "--speed", "4", "--out", str(out),
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed
    parsed = gpxpy.parse(out.read_text(encoding="utf-8"))
    assert len(parsed.waypoints) == 3 and len(parsed.tracks) == 1
    assert "twee keer" in printed  # the duplicate is named
    sheet = tmp_path / "ronde.html"
    assert cli.main(["--lang", "en", "route", "--stop", "bxl:poi/2", "--stop", "bxl:poi/5", "--out", str(sheet)]) == 0
    assert sheet.read_text(encoding="utf-8").count('<section class="sheet"') == 1
    # an ambiguous name is refused with its candidates; a bad output type, a bad date: a message, exit 1
    assert cli.main(["route", "--stop", "Carrefour", "--stop", "bxl:poi/2", "--out", str(tmp_path / "x.gpx")]) == 1
    err = capsys.readouterr().err
    assert "Carrefour [bxl:poi/" in err and not (tmp_path / "x.gpx").exists()
    assert cli.main(["route", "--stop", "bxl:poi/2", "--out", str(tmp_path / "x.pdf")]) == 1
    assert ".gpx" in capsys.readouterr().err
    assert cli.main(["route", "--stop", "bxl:poi/2", "--stop", "bxl:poi/5", "--at", "dinsdag", "--out", str(out)]) == 1
    assert "JJJJ-MM-DD" in capsys.readouterr().err
