"""Benchmark Buurtkaart's map against the naive way of doing the same thing.

Run from anywhere as ``python benchmarks/bench_map.py`` (``--quick`` for fewer repeats,
``--no-browser`` to skip the Chromium parts). Every figure is printed next to a baseline
measured in the same run:

1. loading the embedded data (cold Python process and warm) vs ``geopandas.read_file`` of the
   original sources in ``<repo>/../shared/data``; cutting Schaerbeek vs ``geopandas.clip``;
2. map payload (HTML bytes, gzip bytes) and build time of ``buurtkaart.maps.build_map`` vs one
   ``folium.Marker`` with a ``folium.Popup`` per place on a default ``folium.Map``;
3. time from ``page.goto`` to the places drawn in Chromium: the Streamlit app (cold and warm
   server caches) vs the naive marker map served from a local ``http.server``; the app of
   ``BASELINE_COMMIT`` (today's figure, its tree exported with ``git archive``) switching to the
   region in the same run; WebSocket messages sent to the server while panning and zooming (a
   message would be a rerun);
4. the light map: the app map's payload against the same map built by ``maps.py`` of
   ``BASELINE_COMMIT`` and against a plain folium ``save()`` of the same content (GeoJSON layers);
   the shared file (``buurtkaart.share``) of Schaerbeek and of the region: bytes, and the time
   from opening it from ``file://`` to ``document.body.dataset.placesDrawn``, against the plain
   folium ``save()`` file opened the same way (its Leaflet swapped for the local copy).

This is a script, not a test: it only measures and prints.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
from common import (  # noqa: E402  (benchmarks/common.py)
    CHROMIUM,
    Row,
    alternate,
    fmt,
    free_port,
    load_average,
    median,
    print_section,
    seconds,
)
from common import CHROMIUM_ARGS as TEST_CHROMIUM_ARGS  # noqa: E402

from buurtkaart import area as area_mod  # noqa: E402
from buurtkaart import maps, taxonomy  # noqa: E402
from buurtkaart.area import Area  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

T = TypeVar("T")
SHARED_DATA = ROOT.parent / "shared" / "data"
VENDOR_LEAFLET = ROOT / "static" / "vendor" / "leaflet"
SYSTEM_JQUERY = Path("/usr/share/javascript/jquery/jquery.min.js")  # Debian's libjs-jquery
CHROMIUM_ARGS = [
    *TEST_CHROMIUM_ARGS,
    # No internet here: fail every non-local host name at once (OSM tiles of the naive map).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
REGION_LABEL = "Heel Brussel (gewest)"
BASELINE_COMMIT = "a8ce4d8"  # the last commit before the light map: "today's figure"
VIEWPORT = {"width": 1400, "height": 1000}
# The naive sources, read as a newcomer would: geopandas.read_file, one call per layer.
NAIVE_SOURCES: list[tuple[str, str | None]] = [
    ("brussels_region_pois_osm.geojson", None),
    ("brussels_named_streets_graph.gpkg", "nodes"),
    ("brussels_named_streets_graph.gpkg", "edges"),
    ("brussels_green_spaces_osm.gpkg", "green_spaces"),
    ("brussels_monitoring_quartiers_urbadm_md.gpkg", None),
]
# Asks the Leaflet map inside the streamlit-folium iframe what it has drawn.
PROBE_JS = """() => ({
  container: !!document.querySelector('.leaflet-container'),
  svg: document.querySelectorAll('path.bk-place').length,
  canvas: !!document.querySelector('.leaflet-overlay-pane canvas'),
  layers: document.body.dataset.placesDrawn !== undefined ? Number(document.body.dataset.placesDrawn) : (
    (window.map && window.L) ? Object.values(window.map._layers).filter(
    (l) => l instanceof L.CircleMarker && String(l.options.className || '').startsWith('bk-place')).length : 0),
})"""
# `layers`: the places the map says it drew (placesDrawn), else (the app before the light map) its circle markers
BROWSER_TIMEOUT = 180.0  # s, for one page load or view switch
ERROR_GRACE = 5.0  # s to wait after a JavaScript error before calling the map broken
NAIVE_PROBE_JS = "() => document.querySelectorAll('.leaflet-marker-icon').length"


@dataclass
class Options:
    """How many times to repeat each measurement and what to run."""

    repeats: int
    slow_repeats: int
    browser_repeats: int
    browser: bool


# --------------------------------------------------------------------------- helpers


def run_json(code: str) -> dict[str, float]:
    """Run `code` in a fresh Python process (cwd = repo root) and return the JSON it prints last."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- 1. loading


COLD_OURS = """
import json, time
t0 = time.perf_counter()
from buurtkaart import area
t1 = time.perf_counter()
area.load_embedded()
t2 = time.perf_counter()
print(json.dumps({"total": t2 - t0, "load": t2 - t1}))
"""

COLD_NAIVE = """
import json, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import geopandas
t1 = time.perf_counter()
for name, layer in %(sources)r:
    geopandas.read_file(%(folder)r + "/" + name, layer=layer)
t2 = time.perf_counter()
print(json.dumps({"total": t2 - t0, "load": t2 - t1}))
"""


def naive_read() -> list[gpd.GeoDataFrame]:
    """Return the original source layers, read with geopandas.read_file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the quartiers gpkg has a GPKG user_version warning
        return [gpd.read_file(SHARED_DATA / name, layer=layer) for name, layer in NAIVE_SOURCES]


def naive_clip(region: Area, polygon: Any) -> list[gpd.GeoDataFrame]:
    """Return each layer of `region` cut with geopandas.clip (the textbook way)."""
    layers = [region.places, region.street_edges, region.street_nodes, region.green, region.quartiers]
    return [gpd.clip(layer, polygon) for layer in layers]


def bench_loading(opts: Options) -> list[Row]:
    """Return the figures of section 1: loading the data and cutting Schaerbeek."""
    rows: list[Row] = []
    have_shared = SHARED_DATA.is_dir() and all((SHARED_DATA / n).exists() for n, _ in NAIVE_SOURCES)
    if not have_shared:
        print(f"note: {SHARED_DATA} is absent: the read_file baseline is skipped.")
    cold_code = COLD_NAIVE % {"sources": NAIVE_SOURCES, "folder": str(SHARED_DATA)}
    cold, cold_naive = alternate(
        lambda: run_json(COLD_OURS), (lambda: run_json(cold_code)) if have_shared else None, opts.repeats
    )
    for key, label in (("total", "load, cold process: import + load"), ("load", "load, cold process: load alone")):
        base = median([c[key] for c in cold_naive]) if cold_naive else None
        rows.append(Row(label, median([c[key] for c in cold]), base, "s", f"median of {opts.repeats} fresh processes"))
    region = area_mod.load_embedded()  # warm-up (and the region for the warm cuts)
    warm, warm_naive = alternate(
        lambda: seconds(area_mod.load_embedded), (lambda: seconds(naive_read)) if have_shared else None, opts.repeats
    )
    base = median(warm_naive) if warm_naive else None
    rows.append(Row("load, warm (in-process)", median(warm), base, "s", f"median of {opts.repeats}"))

    def first_cut(cut: Callable[[Area, Any], Any]) -> Callable[[], float]:
        """Return a measurement of `cut` on a freshly loaded region (no spatial index built yet)."""

        def measure() -> float:
            """Return the seconds of one cut of Schaerbeek out of a fresh region."""
            fresh = area_mod.load_embedded()
            return seconds(lambda: cut(fresh, area_mod.commune_boundary()))

        return measure

    first, first_naive = alternate(first_cut(ours_clip), first_cut(naive_clip), opts.repeats)
    rows.append(
        Row(
            "cut Schaerbeek, first (builds spatial index)",
            median(first),
            median(first_naive),
            "s",
            f"median of {opts.repeats}; baseline: geopandas.clip of each layer",
        )
    )
    warm_cut, warm_naive_cut = alternate(
        lambda: seconds(lambda: ours_clip(region, area_mod.commune_boundary())),
        lambda: seconds(lambda: naive_clip(region, area_mod.commune_boundary())),
        opts.repeats,
    )
    rows.append(Row("cut Schaerbeek, warm", median(warm_cut), median(warm_naive_cut), "s", f"median of {opts.repeats}"))
    return rows


def ours_clip(region: Area, polygon: Any) -> Area:
    """Return Schaerbeek cut out of `region` by Area.clip."""
    return region.clip(polygon, name=area_mod.DEFAULT_COMMUNE)


# --------------------------------------------------------------------------- 2. payload


def ours_html(area: Area) -> str:
    """Return the HTML of Buurtkaart's map of `area`."""
    return maps.build_map(area).get_root().render()


def naive_map(area: Area) -> folium.Map:
    """Return the folium-tutorial map: a default Map (OSM tiles) with one Marker + Popup per place."""
    lat, lon = maps.center(area.bounds)
    m = folium.Map(location=[lat, lon], zoom_start=14)
    for place in area.places.itertuples():
        folium.Marker([place.geometry.y, place.geometry.x], popup=folium.Popup(place.name or place.category)).add_to(m)
    return m


def naive_html(area: Area) -> str:
    """Return the HTML of the naive marker map of `area`."""
    return naive_map(area).get_root().render()


def bench_payload(opts: Options, views: dict[str, Area]) -> tuple[list[Row], dict[str, str]]:
    """Return the figures of section 2 and the naive HTML of each view (for the browser part)."""
    rows: list[Row] = []
    naive_pages: dict[str, str] = {}
    for view, area in views.items():
        repeats = opts.repeats if len(area.places) < maps.CANVAS_THRESHOLD else opts.slow_repeats
        pages: dict[str, str] = {}

        def build(kind: str, make: Callable[[Area], str], area: Area = area, pages: dict[str, str] = pages) -> float:
            """Return the seconds to build one page of `kind`, keeping its HTML."""
            start = time.perf_counter()
            pages[kind] = make(area)
            return time.perf_counter() - start

        ours_times, naive_times = alternate(
            functools.partial(build, "ours", ours_html), functools.partial(build, "naive", naive_html), repeats
        )
        ours, naive = pages["ours"].encode(), pages["naive"].encode()
        naive_pages[view] = pages["naive"]
        rows.append(Row(f"payload {view}: HTML", len(ours), len(naive), "MB", f"{len(area.places):,} places"))
        rows.append(Row(f"payload {view}: gzip", len(gzip.compress(ours)), len(gzip.compress(naive)), "MB", "gzip -9"))
        rows.append(Row(f"build + render {view}", median(ours_times), median(naive_times), "s", f"median of {repeats}"))
    return rows, naive_pages


# --------------------------------------------------------------------------- 3. browser


@contextmanager
def streamlit_server(cache_dir: Path, log_path: Path, cwd: Path = ROOT) -> Iterator[tuple[str, float]]:
    """Run `streamlit run app.py` on a free port; yield its URL and start-up time; stop it after."""
    port = free_port()
    env = {**os.environ, "BUURTKAART_CACHE_DIR": str(cache_dir)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("w") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_health(f"{url}/_stcore/health", proc, timeout=60)
            yield url + "/", time.perf_counter() - start
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_health(url: str, proc: subprocess.Popen, *, timeout: float) -> None:
    """Wait until `url` answers 200, or raise if the server died or took too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"streamlit exited with code {proc.returncode}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    msg = f"{url} did not answer within {timeout} s"
    raise TimeoutError(msg)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not log every request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


class QuietServer(http.server.ThreadingHTTPServer):
    """Threaded HTTP server that ignores clients hanging up (a closed browser context)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore a client that hung up; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free localhost port in a thread; yield its URL; stop it after."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = QuietServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def localise_naive_html(html: str, folder: Path) -> tuple[str, list[str]]:
    """Return the naive HTML with its CDN assets swapped for local copies in `folder`, and what was stripped.

    Leaflet comes from the app's vendored copy (1.9.4 instead of the CDN's 1.9.3). folium's
    popups call jQuery's `$(html)[0]`, without which the page script stops at the first
    popup: jQuery comes from Debian's libjs-jquery when present, else a one-line shim.
    Bootstrap, awesome-markers and font-awesome are not needed by plain markers: stripped.
    """
    shutil.copytree(VENDOR_LEAFLET, folder / "leaflet", dirs_exist_ok=True)
    if SYSTEM_JQUERY.exists():
        shutil.copy(SYSTEM_JQUERY, folder / "jquery.min.js")
        jquery = '<script src="jquery.min.js"></script>'
    else:
        jquery = (
            "<script>window.$ = (s) => { const t = document.createElement('template');"
            " t.innerHTML = s.trim(); return [t.content.firstChild]; };</script>"
        )
    stripped: list[str] = []

    def swap(match: re.Match[str]) -> str:
        """Return the local replacement of one CDN <script>/<link> tag."""
        url = match.group(1)
        if url.endswith("/leaflet.js"):
            return '<script src="leaflet/leaflet.js"></script>'
        if url.endswith("/leaflet.css"):
            return '<link rel="stylesheet" href="leaflet/leaflet.css"/>'
        if "jquery" in url:
            return jquery
        stripped.append(url.rsplit("/", 1)[-1])
        return ""

    local = re.sub(r'<(?:script src|link rel="stylesheet" href)="(https?://[^"]+)"(?:></script>|/>)', swap, html)
    leftover = re.findall(r'(?:src|href)="https?://[^"]+"', local)
    if leftover:
        msg = f"CDN assets left in the naive page: {leftover}"
        raise RuntimeError(msg)
    return local, stripped


def launch(playwright: Any) -> Browser:
    """Return Debian's Chromium, started headless through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class MapNotDrawn(RuntimeError):
    """The page threw a JavaScript error and the places never appeared."""


@dataclass
class Tab:
    """A page in its own fresh browser context, with the JavaScript errors it threw (time, text)."""

    page: Page
    errors: list[tuple[float, str]]

    def close(self) -> None:
        """Close the page's browser context."""
        self.page.context.close()


def new_tab(browser: Browser) -> Tab:
    """Return a page in a fresh browser context (empty HTTP cache, no cookies) that records errors."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    tab = Tab(page, [])
    page.on("pageerror", lambda err: tab.errors.append((time.perf_counter(), str(err))))
    return tab


def map_frame(page: Page) -> Frame | None:
    """Return the streamlit-folium component iframe of the page, if it is there yet."""
    return next((frame for frame in page.frames if "st_folium" in frame.url), None)


def probe_app(page: Page) -> dict[str, Any] | None:
    """Return what the map iframe has drawn, or None while there is no such frame."""
    from playwright.sync_api import Error as PlaywrightError

    frame = map_frame(page)
    if frame is None:
        return None
    try:
        return frame.evaluate(PROBE_JS)
    except PlaywrightError:  # the frame navigated or is still starting
        return None


def probe_naive(page: Page) -> dict[str, Any] | None:
    """Return the number of marker icons on the naive page (None while it navigates)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        return {"markers": page.evaluate(NAIVE_PROBE_JS)}
    except PlaywrightError:
        return None


def wait_until(
    tab: Tab,
    probe: Callable[[Page], dict[str, Any] | None],
    ready: Callable[[dict[str, Any]], bool],
    start: float,
    timeout: float,
) -> tuple[float, dict[str, Any]]:
    """Poll `probe` every ~10 ms until `ready`; return the seconds since `start` and the last state.

    Raise MapNotDrawn when a JavaScript error was thrown after `start` and nothing is ready
    5 s later, TimeoutError after `timeout` s.
    """
    state: dict[str, Any] | None = None
    while (now := time.perf_counter()) - start < timeout:
        state = probe(tab.page)
        if state is not None and ready(state):
            return time.perf_counter() - start, state
        errors = [(at, text) for at, text in tab.errors if at >= start]
        if errors and now - errors[0][0] > ERROR_GRACE:
            msg = f"JavaScript error {errors[0][1]!r}; state {state}"
            raise MapNotDrawn(msg)
        tab.page.wait_for_timeout(10)
    msg = f"not ready after {timeout} s; last state {state}"
    raise TimeoutError(msg)


def places_ready(state: dict[str, Any]) -> bool:
    """Return whether the leaflet container exists and SVG place markers are drawn."""
    return bool(state["container"]) and state["svg"] > 0


def open_app(browser: Browser, url: str, timeout: float) -> tuple[float, dict[str, Any]]:
    """Open the app in a fresh browser context; return goto -> places drawn (s) and what was drawn."""
    tab = new_tab(browser)
    try:
        start = time.perf_counter()
        tab.page.goto(url, wait_until="commit", timeout=timeout * 1000)
        return wait_until(tab, probe_app, places_ready, start, timeout)
    finally:
        tab.close()


def switch_to_region(browser: Browser, url: str, expected: int, timeout: float) -> tuple[float, dict[str, Any]]:
    """Open the app, click the region radio; return click -> all region places on the (canvas) map (s)."""
    tab = new_tab(browser)
    try:
        tab.page.goto(url, timeout=timeout * 1000)
        with suppress(MapNotDrawn):  # let the first view settle, drawn or not, before switching
            wait_until(tab, probe_app, places_ready, time.perf_counter(), timeout)
        start = time.perf_counter()
        tab.page.get_by_text(REGION_LABEL, exact=True).click()
        return wait_until(
            tab, probe_app, lambda s: bool(s["container"]) and s["canvas"] and s["layers"] >= expected, start, timeout
        )
    finally:
        tab.close()


def open_naive(browser: Browser, url: str, expected: int, timeout: float) -> float:
    """Open the naive page in a fresh browser context; return goto -> all marker icons drawn (s)."""
    tab = new_tab(browser)
    try:
        start = time.perf_counter()
        tab.page.goto(url, wait_until="commit", timeout=timeout * 1000)
        return wait_until(tab, probe_naive, lambda s: s["markers"] == expected, start, timeout)[0]
    finally:
        tab.close()


def expected_markers(area: Area) -> int:
    """Return how many place markers the map of `area` draws (places of a known category)."""
    return int(area.places["category"].isin(taxonomy.CATEGORY_KEYS).sum())


def bench_browser(opts: Options, views: dict[str, Area], naive_pages: dict[str, str]) -> list[Row]:
    """Return the figures of section 3: page load to map visible in Chromium, app vs naive page."""
    from playwright.sync_api import sync_playwright

    commune, region = views["Schaerbeek"], views["region"]
    with tempfile.TemporaryDirectory(prefix="bench_map_") as tmp_name, sync_playwright() as pw:
        tmp = Path(tmp_name)
        site = tmp / "naive"
        site.mkdir()
        stripped: list[str] = []
        for view, page_html in naive_pages.items():
            local, stripped = localise_naive_html(page_html, site)
            (site / f"{view}.html").write_text(local, encoding="utf-8")
        (site / "favicon.ico").write_bytes(b"")
        (site / "blank.html").write_text("<!DOCTYPE html><title>warm-up</title>", encoding="utf-8")
        jquery = "Debian libjs-jquery" if SYSTEM_JQUERY.exists() else "a $(html)[0] shim"
        print(
            f"\nnote: naive page: CDN Leaflet -> static/vendor/leaflet, jQuery -> {jquery}, stripped: {', '.join(stripped)}"
        )
        browser = launch(pw)
        try:
            with static_server(site) as naive_url:
                warm_up = browser.new_page()
                warm_up.goto(naive_url + "blank.html")  # start Chromium's renderer before timing anything
                warm_up.close()
                naive = {
                    "Schaerbeek": functools.partial(
                        open_naive, browser, naive_url + "Schaerbeek.html", len(commune.places), BROWSER_TIMEOUT
                    ),
                    "region": functools.partial(
                        open_naive, browser, naive_url + "region.html", len(region.places), BROWSER_TIMEOUT
                    ),
                }
                log = tmp / "streamlit.log"
                try:
                    return bench_app(opts, browser, tmp / "cache", log, region, naive)
                except Exception:
                    print(f"streamlit log ({log}):\n{log.read_text() if log.exists() else '(none)'}")
                    raise
        finally:
            browser.close()


def app_row(
    label: str,
    measure: Callable[[], tuple[float, dict[str, Any]]],
    naive: Callable[[], float],
    repeats: int,
    key: str,
) -> Row:
    """Return a row of the app's median time over `repeats` runs of `measure`, each right after a naive load."""
    times, naive_times, state, failure = [], [], {}, ""
    for _ in range(repeats):
        naive_times.append(naive())
        if failure:
            continue
        try:
            elapsed, state = measure()
            times.append(elapsed)
        except (MapNotDrawn, TimeoutError) as err:
            failure = f"FAILED: map not drawn: {err}"
    note = f"naive: median of {len(naive_times)}" if len(naive_times) > 1 else "naive: 1 load"
    if failure:
        return Row(label, None, median(naive_times), "s", f"{failure}; {note}")
    what = f"{state[key]:,} {'path.bk-place' if key == 'svg' else 'canvas markers'}"
    return Row(
        label,
        median(times),
        median(naive_times),
        "s",
        f"{f'median of {repeats}, ' if repeats > 1 else ''}{what}; {note}",
    )


def bench_app(
    opts: Options, browser: Browser, cache_dir: Path, log: Path, region: Area, naive: dict[str, Callable[[], float]]
) -> list[Row]:
    """Return the app's figures: first and later loads of Schaerbeek, then switching to the region.

    Each app measurement follows a load of the naive page of the same view, so that both see
    about the same machine load.
    """
    cache_dir.mkdir(exist_ok=True)
    expected = expected_markers(region)
    with streamlit_server(cache_dir, log) as (url, startup):
        load = functools.partial(open_app, browser, url, BROWSER_TIMEOUT)
        switch = functools.partial(switch_to_region, browser, url, expected, BROWSER_TIMEOUT)
        first_load = app_row("goto -> map visible, Schaerbeek, 1st load (cold)", load, naive["Schaerbeek"], 1, "svg")
        ours = [
            Row("streamlit start -> /_stcore/health", startup, None, "s", "no baseline"),
            first_load,
            app_row(
                "goto -> map visible, Schaerbeek, later load (warm)",
                load,
                naive["Schaerbeek"],
                opts.browser_repeats,
                "svg",
            ),
            app_row("click -> region drawn, 1st (cold caches)", switch, naive["region"], 1, "layers"),
            app_row("click -> region drawn, later session (warm caches)", switch, naive["region"], 1, "layers"),
            pan_zoom_messages(browser, url, BROWSER_TIMEOUT),
        ]
    today = baseline_app_rows(browser, cache_dir.parent, expected)
    for row in today:  # today's figure of the same step is the baseline of ours
        match = next((r for r in ours if r.label == row.label), None)
        if match is not None and row.ours is not None:
            ours.append(Row(f"{row.label}: vs today ({BASELINE_COMMIT})", match.ours, row.ours, "s", row.note))
    return ours


def baseline_app_rows(browser: Browser, tmp: Path, expected: int) -> list[Row]:
    """Return the app of BASELINE_COMMIT (exported with `git archive`) measured as ours: Schaerbeek, then the region."""
    tree = tmp / "baseline_tree"
    tree.mkdir(exist_ok=True)
    archive = subprocess.run(["git", "archive", BASELINE_COMMIT], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    cache = tmp / "baseline_cache"
    cache.mkdir(exist_ok=True)
    with streamlit_server(cache, tmp / "baseline.log", cwd=tree) as (url, _):
        load = functools.partial(open_app, browser, url, BROWSER_TIMEOUT)
        switch = functools.partial(switch_to_region, browser, url, expected, BROWSER_TIMEOUT)
        rows = []
        for label, measure in (
            ("goto -> map visible, Schaerbeek, 1st load (cold)", load),
            ("click -> region drawn, 1st (cold caches)", switch),
            ("click -> region drawn, later session (warm caches)", switch),
        ):
            try:
                elapsed, _state = measure()
                rows.append(Row(label, elapsed, None, "s", "1 run"))
            except (MapNotDrawn, TimeoutError) as err:
                rows.append(Row(label, None, None, "s", f"FAILED: {err}"))
        return rows


# --------------------------------------------------------------------------- 4. light map and shared file


def baseline_maps() -> Any:
    """Return the maps module of BASELINE_COMMIT (read with `git show`), to build today's map in this run."""
    import types

    source = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:buurtkaart/maps.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("maps_before")
    sys.modules["maps_before"] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"maps.py@{BASELINE_COMMIT}", "exec"), module.__dict__)  # our own file, from git
    return module


def plain_folium_map(area: Area) -> folium.Map:
    """Return the same content as a plain folium map: one GeoJson layer per category, streets, green, quartiers."""
    lat, lon = maps.center(area.bounds)
    m = folium.Map(location=[lat, lon], zoom_start=13, tiles=None)
    folium.GeoJson(area.green[["geometry"]], name="green").add_to(m)
    folium.GeoJson(area.street_edges[["name", "geometry"]], name="streets").add_to(m)
    folium.GeoJson(area.quartiers[["name_nl", "geometry"]], name="quartiers").add_to(m)
    columns = ["name", "osm_tag", "religion", "opening_hours", "wheelchair", "address", "geometry"]
    for cat in taxonomy.CATEGORIES:
        rows = area.places[area.places["category"] == cat.key]
        if len(rows):
            folium.GeoJson(rows[columns], name=cat.key, popup=folium.GeoJsonPopup(["name"])).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def plain_folium_save(area: Area, path: Path) -> Path:
    """Write the plain folium map of `area` with `save()` and return the path."""
    plain_folium_map(area).save(str(path))
    return path


def bench_light(opts: Options, views: dict[str, Area]) -> tuple[list[Row], dict[str, dict[str, Path]]]:
    """Return the payload figures of section 4 and the files written (shared and plain, per view)."""
    from buurtkaart import share

    before = baseline_maps()
    rows: list[Row] = []
    files: dict[str, dict[str, Path]] = {}
    folder = Path(tempfile.mkdtemp(prefix="bench_share_"))
    for view, area in views.items():
        ours = len(maps.build_map(area).get_root().render().encode())
        today = len(before.build_map(area).get_root().render().encode())
        plain = plain_folium_save(area, folder / f"plain_{view}.html")
        rows.append(Row(f"app map payload {view}: vs today ({BASELINE_COMMIT})", ours, today, "MB", "HTML the component gets"))
        rows.append(Row(f"app map payload {view}: vs plain folium save()", ours, plain.stat().st_size, "MB", "same content"))
        shared = share.organisation_share(area, None, organisation="bench")
        times, path = [], folder / f"share_{view}.html"
        for _ in range(opts.repeats if view == "Schaerbeek" else opts.slow_repeats):
            times.append(seconds(lambda shared=shared, path=path: share.write(shared, path)))
        rows.append(Row(f"shared file {view}: bytes vs plain folium save()", path.stat().st_size, plain.stat().st_size, "MB",
                        "one file, everything inlined" if view == "Schaerbeek" else "budget 1.5 MB"))  # fmt: skip
        rows.append(Row(f"shared file {view}: build + write", median(times), None, "s", f"median of {len(times)}"))
        files[view] = {"share": path, "plain": plain}
    return rows, files


def open_file(browser: Browser, path: Path, probe: str, ready: Callable[[Any], bool], timeout: float) -> tuple[float, Any]:
    """Open `path` from file:// in a fresh context; return (goto -> `ready(probe())` seconds, last probe value)."""
    tab = new_tab(browser)
    requests: list[str] = []
    tab.page.context.on("request", lambda r: requests.append(r.url))
    try:
        start = time.perf_counter()
        tab.page.goto(path.as_uri(), wait_until="commit", timeout=timeout * 1000)
        elapsed, state = wait_until(tab, lambda page: {"v": page.evaluate(probe)}, lambda s: ready(s["v"]), start, timeout)
        return elapsed, {"value": state["v"], "requests": len(requests)}
    finally:
        tab.close()


def bench_shared_browser(opts: Options, views: dict[str, Area], files: dict[str, dict[str, Path]]) -> list[Row]:
    """Return section 4's browser figures: a shared file opened from file:// until its places are drawn, vs plain folium."""
    from playwright.sync_api import sync_playwright

    rows: list[Row] = []
    drawn_js = "() => document.body && document.body.dataset.placesDrawn"
    markers_js = "() => document.querySelectorAll('.leaflet-marker-icon').length"
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for view, area in views.items():
                n = len(area.places)
                plain_dir = Path(tempfile.mkdtemp(prefix="bench_plain_"))
                local, _ = localise_naive_html(files[view]["plain"].read_text(encoding="utf-8"), plain_dir)
                plain_path = plain_dir / "plain.html"
                plain_path.write_text(local, encoding="utf-8")
                repeats = opts.browser_repeats
                ours, base, state = [], [], {}
                for _ in range(repeats):
                    elapsed, state = open_file(browser, files[view]["share"], drawn_js, lambda v: v is not None, BROWSER_TIMEOUT)
                    ours.append(elapsed)
                    try:
                        base.append(open_file(browser, plain_path, markers_js, lambda v, n=n: v >= n, BROWSER_TIMEOUT)[0])
                    except (MapNotDrawn, TimeoutError) as err:
                        print(f"note: plain folium {view} not drawn: {err}")
                rows.append(Row(
                    f"shared file {view}: file:// -> placesDrawn", median(ours), median(base) if base else None, "s",
                    f"{state['value']} places, {state['requests']} request(s) (the file itself); baseline: plain folium markers",
                ))  # fmt: skip
        finally:
            browser.close()
    return rows


def pan_zoom_messages(browser: Browser, url: str, timeout: float) -> Row:
    """Return a row: WebSocket messages the app sends to its server while the map is zoomed and panned (a rerun is one)."""
    tab = new_tab(browser)
    sent: list[float] = []
    tab.page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(time.perf_counter())))
    try:
        tab.page.goto(url, timeout=timeout * 1000)
        wait_until(tab, probe_app, places_ready, time.perf_counter(), timeout)
        tab.page.wait_for_timeout(2000)  # let the first run's messages pass
        before = len(sent)
        frame = map_frame(tab.page)
        start = time.perf_counter()
        for _ in range(3):
            frame.locator(".leaflet-control-zoom-in").click()
            tab.page.wait_for_timeout(300)
        box = frame.locator(".leaflet-container").bounding_box()
        tab.page.mouse.move(box["x"] + 300, box["y"] + 300)
        tab.page.mouse.down()
        tab.page.mouse.move(box["x"] + 500, box["y"] + 400, steps=10)
        tab.page.mouse.up()
        tab.page.wait_for_timeout(2000)
        after = [t for t in sent if t >= start]
        note = "no rerun: nothing to time on the server" if not after else f"{len(after)} message(s): a rerun"
        return Row("pan + 3 zooms -> messages to the server", float(len(sent) - before), None, "n", note)
    finally:
        tab.close()


# --------------------------------------------------------------------------- main


def print_summary(rows: list[Row]) -> None:
    """Print every figure that has a baseline as one line: ours vs naive (ratio), and every failure."""
    print("\n## Summary (ratio = ours / baseline; below 1 means smaller or faster)")
    for row in rows:
        if row.ratio is not None:
            print(
                f"{row.label}: ours {fmt(row.ours, row.unit)} vs baseline {fmt(row.base, row.unit)} (ratio {row.ratio:.2f})"
            )
        elif row.ours is None and row.note.startswith("FAILED"):
            print(f"{row.label}: ours {row.note.split(';')[0]} (naive {fmt(row.base, row.unit)})")


def parse_args(argv: list[str] | None) -> Options:
    """Return the options from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args(argv)
    if args.quick:
        return Options(repeats=3, slow_repeats=1, browser_repeats=1, browser=not args.no_browser)
    return Options(repeats=7, slow_repeats=3, browser_repeats=3, browser=not args.no_browser)


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the tables and the summary."""
    opts = parse_args(argv)
    import streamlit

    print(
        f"# Buurtkaart map benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, geopandas {gpd.__version__}, folium {folium.__version__}, "
        f"streamlit {streamlit.__version__}"
    )
    print(
        f"repeats: {opts.repeats} (slow: {opts.slow_repeats}, browser: {opts.browser_repeats}); "
        f"times are wall-clock medians; load average {load_average()}"
    )
    rows = bench_loading(opts)
    print_section("1. Loading the data (baseline: geopandas.read_file of ../shared/data)", rows)
    region = area_mod.load_embedded()
    commune = region.clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)
    views = {"Schaerbeek": commune, "region": region}
    payload, naive_pages = bench_payload(opts, views)
    print_section("2. Map payload and build time (baseline: folium.Marker + Popup per place, OSM tiles)", payload)
    rows += payload
    if opts.browser:
        browser_rows = bench_browser(opts, views, naive_pages)
        print_section(
            "3. Chromium: time until the places are drawn (baseline: naive page on http.server)", browser_rows
        )
        rows += browser_rows
    else:
        print("\n## 3. Chromium: skipped (--no-browser)")
    light, files = bench_light(opts, views)
    if opts.browser:
        light += bench_shared_browser(opts, views, files)
    print_section(f"4. Light map and shared file (baselines: maps.py at {BASELINE_COMMIT}, plain folium save())", light)
    rows += light
    print_summary(rows)
    print(f"load average at the end: {load_average()} (other work on the machine makes every figure noisier)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
