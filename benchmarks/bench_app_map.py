"""Benchmark the light map of issue 12 in one run, each figure next to its baseline (today's figure and plain folium).

Run from anywhere as ``python benchmarks/bench_app_map.py`` (``--quick`` for one repeat, ``--no-today`` to
skip starting the app of ``BASELINE_COMMIT``). It prints, side by side:

1. the app's whole-region map payload: the page the map component gets plus the data file it fetches
   once (``maps.publish``), against the same map built by ``maps.py`` of ``BASELINE_COMMIT`` (today's
   6.1 MB), by ``maps.py`` of ``INLINE_COMMIT`` (before the data file, everything inline), and a plain folium
   ``save()`` of the same content; budget 1.5 MB;
2. in Chromium, the time from the click on "Heel Brussel (gewest)" until the region's map says it drew
   its places (``document.body.dataset.placesDrawn``), right after the Schaerbeek map in the same
   session: first (cold server), a new session (warm server, empty browser cache) and back again in
   the same session (the data file in the browser's cache); against the app of ``BASELINE_COMMIT``;
   budget 1.0 s;
3. the shared files (``buurtkaart.share``) of Schaerbeek and of the region: bytes (budgets 1 MB and
   1.5 MB) and the time from opening them from ``file://`` to ``placesDrawn`` (budget 1.5 s), against
   a plain folium ``save()`` of the same content opened the same way;
4. the server time of the rerun a map click causes (the Vindplaatsen page marks the clicked point):
   from the click's message to the server until its last run has finished (Streamlit's
   ``script_finished`` message), and until the marker is drawn; and the messages panning and zooming
   send (none: no rerun).

This is a script, not a test: it only measures and prints. Times on a shared, loaded machine are noisy:
the load average is printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import bench_map  # noqa: E402  (benchmarks/bench_map.py: the server, the browser and the plain folium map)
from common import MB, Row, load_average, median, print_section  # noqa: E402

from buurtkaart import area as area_mod  # noqa: E402
from buurtkaart import maps, share, taxonomy  # noqa: E402
from buurtkaart.area import Area  # noqa: E402

BASELINE_COMMIT = bench_map.BASELINE_COMMIT  # today's figure: the last commit before the light map
INLINE_COMMIT = "52877be"  # main before the data file: the light encoding, everything inline in the page
OUT = ROOT / "benchmarks" / "out"
USER, PASSWORD = "kaartmeter", "browser test wachtwoord 2026"
DRAWN_JS = "() => document.body && document.body.dataset.placesDrawn"
TIMEOUT = bench_map.BROWSER_TIMEOUT
COMMUNE_LABEL = "Schaarbeek (gemeente)"


def maps_at(commit: str) -> types.ModuleType:
    """Return `buurtkaart/maps.py` as it was at `commit` (read with `git show`), to build that map in this run."""
    source = subprocess.run(
        ["git", "show", f"{commit}:buurtkaart/maps.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    name = f"maps_at_{commit.replace('-', '_')}"
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"maps.py@{commit}", "exec"), module.__dict__)  # our own file, from git
    return module


def expected(area: Area) -> int:
    """Return how many places the app's map of `area` draws (places of a known category)."""
    return int(area.places["category"].isin(taxonomy.CATEGORY_KEYS).sum())


# --------------------------------------------------------------------------- 1. payload


def bench_payload(views: dict[str, Area], folder: Path) -> list[Row]:
    """Return the app map's payload (page + data file) per view against today's, the inline one and plain folium."""
    rows = []
    today = maps_at(BASELINE_COMMIT)
    try:
        inline = maps_at(INLINE_COMMIT)
    except subprocess.CalledProcessError:
        inline = None
    for view, area in views.items():
        data = maps.map_data(area)
        url = maps.publish(data, folder)
        page = maps.build_map(data, data_url=url).get_root().render().encode()
        file = (folder / url.rsplit("/", 1)[1]).read_bytes()
        ours = len(page) + len(file)
        note = f"page {len(page) / 1000:.0f} KB + data file {len(file) / MB:.3f} MB (gzip {len(gzip.compress(page + file)) / MB:.3f} MB)"
        rows.append(Row(f"app map {view}: page + data file vs today", ours,
                        len(today.build_map(area).get_root().render().encode()), "MB", f"{note}; today = {BASELINE_COMMIT}"))  # fmt: skip
        if inline is not None:
            before = len(inline.build_map(inline.map_data(area)).get_root().render().encode())
            rows.append(Row(f"app map {view}: vs all inline ({INLINE_COMMIT})", ours, before, "MB", "the light encoding, in the page"))
        plain = bench_map.plain_folium_save(area, folder / f"plain_{view}.html")
        rows.append(Row(f"app map {view}: vs plain folium save()", ours, plain.stat().st_size, "MB",
                        "budget 1.5 MB" if view == "region" else "same content"))  # fmt: skip
        rows.append(Row(f"app map {view}: 2nd map of the area (page only)", len(page), None, "MB",
                        "the data file comes from the browser's cache"))  # fmt: skip
    return rows


# --------------------------------------------------------------------------- 2. and 4. the app in Chromium


def make_account(cache: Path) -> None:
    """Create an organisation with one worker account in the app's SQLite store (before the server starts)."""
    from buurtkaart import accounts, organisations
    from buurtkaart.store import open_store

    db = open_store(f"sqlite:///{cache / 'buurtkaart.sqlite'}")
    try:
        org = organisations.ensure(db, "Benchteam")
        accounts.create_user(db, None, username=USER, password=PASSWORD, organisation_id=org, role="worker")
    finally:
        db.close()


@contextmanager
def app(tmp: Path, name: str, cwd: Path = ROOT, *, account: bool = False) -> Any:
    """Run the app of `cwd` with a fresh cache (and pseudonym key) in `tmp`; yield its URL."""
    cache = tmp / f"cache_{name}"
    cache.mkdir()
    os.environ["BUURTKAART_KEY_FILE"] = str(cache / "pseudonym.key")
    os.environ.pop("BUURTKAART_DATABASE_URL", None)
    if account:
        make_account(cache)
    with bench_map.streamlit_server(cache, tmp / f"{name}.log", cwd=cwd) as (url, _startup):
        yield url


def drawn(page: Any) -> int | None:
    """Return the places the app's map frame says it drew, None while there is no such frame or figure."""
    from playwright.sync_api import Error as PlaywrightError

    frame = bench_map.map_frame(page)
    if frame is None:
        return None
    try:
        value = frame.evaluate(DRAWN_JS)
    except PlaywrightError:
        return None
    return int(value) if value else None


def wait_drawn(tab: bench_map.Tab, n: int, start: float, *, today: bool = False) -> float:
    """Return the seconds from `start` until the map draws `n` places (today's app: its probe)."""
    if today:
        return bench_map.wait_until(tab, bench_map.probe_app, lambda s: s["container"] and s["layers"] >= n, start, TIMEOUT)[0]
    return bench_map.wait_until(tab, lambda p: {"n": drawn(p)}, lambda s: s["n"] == n, start, TIMEOUT)[0]


def click_region(browser: Any, url: str, commune: int, region: int, *, back_again: bool, today: bool = False) -> list[float]:
    """Open the app (Schaerbeek), click the region; return click -> region drawn (s), and again after going back."""
    tab = bench_map.new_tab(browser)
    try:
        tab.page.goto(url, timeout=TIMEOUT * 1000)
        wait_drawn(tab, commune, time.perf_counter(), today=today)
        tab.page.wait_for_timeout(500)
        start = time.perf_counter()
        tab.page.get_by_text(bench_map.REGION_LABEL, exact=True).click()
        times = [wait_drawn(tab, region, start, today=today)]
        if back_again:
            tab.page.get_by_text(COMMUNE_LABEL, exact=True).click()
            wait_drawn(tab, commune, time.perf_counter())
            tab.page.wait_for_timeout(500)
            start = time.perf_counter()
            tab.page.get_by_text(bench_map.REGION_LABEL, exact=True).click()
            times.append(wait_drawn(tab, region, start))
            OUT.mkdir(exist_ok=True)
            tab.page.screenshot(path=OUT / "app_region.png")
        return times
    finally:
        tab.close()


def bench_app(opts: argparse.Namespace, browser: Any, tmp: Path, commune: int, region: int) -> list[Row]:
    """Return section 2 (click -> region drawn) and section 4 (a map click's rerun, pan and zoom)."""
    rows = []
    with app(tmp, "ours", account=True) as url:
        first = click_region(browser, url, commune, region, back_again=False)[0]
        later = [click_region(browser, url, commune, region, back_again=True) for _ in range(opts.repeats)]
        rows.append(Row("click -> region drawn, 1st session (cold server)", first, None, "s", "computes and writes the data file"))
        rows.append(Row("click -> region drawn, new session (warm server)", median([t[0] for t in later]), None, "s",
                        f"empty browser cache; median of {len(later)}; budget 1.0 s"))  # fmt: skip
        rows.append(Row("click -> region drawn, same session again", median([t[1] for t in later]), None, "s",
                        "after Schaerbeek again: the data file from the browser's cache"))  # fmt: skip
        rows += click_rerun(browser, url, opts.repeats)
        moved = bench_map.pan_zoom_messages(browser, url, TIMEOUT)  # counts messages, not seconds
        rows.append(Row(f"pan + 3 zooms -> {moved.ours:.0f} message(s) to the server", None, None, "s", moved.note))
    if opts.today:
        tree = tmp / "today_tree"
        tree.mkdir()
        archive = subprocess.run(["git", "archive", BASELINE_COMMIT], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        with app(tmp, "today", cwd=tree) as url:
            try:
                cold = click_region(browser, url, 1, region, back_again=False, today=True)[0]
                warm = click_region(browser, url, 1, region, back_again=False, today=True)[0]
            except (bench_map.MapNotDrawn, TimeoutError) as err:
                cold = warm = None
                print(f"note: today's app did not draw the region: {err}")
        rows.insert(1, Row("  vs today: click -> region drawn, cold", first, cold, "s", f"app at {BASELINE_COMMIT}, 1 run"))
        rows.insert(3, Row("  vs today: click -> region drawn, warm", rows[2].ours, warm, "s", f"app at {BASELINE_COMMIT}, 1 run"))
    return rows


def script_finished(payload: Any) -> bool:
    """Return whether a WebSocket message from the server says a script run finished."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # not a ForwardMsg
        return False
    return msg.WhichOneof("type") == "script_finished"


def click_rerun(browser: Any, url: str, repeats: int) -> list[Row]:
    """Return the server time of the rerun(s) one click on the Vindplaatsen map causes, and click -> marker drawn."""
    from playwright.sync_api import expect

    tab = bench_map.new_tab(browser)
    sent: list[float] = []
    finished: list[float] = []

    def watch(ws: Any) -> None:
        ws.on("framesent", lambda _: sent.append(time.perf_counter()))
        ws.on("framereceived", lambda p: finished.append(time.perf_counter()) if script_finished(p) else None)

    tab.page.on("websocket", watch)
    server, shown, runs = [], [], []
    try:
        page = tab.page
        page.goto(url + "vindplaatsen", timeout=TIMEOUT * 1000)
        form = page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')
        expect(form).to_be_visible(timeout=TIMEOUT * 1000)
        form.get_by_label("Gebruikersnaam").fill(USER)
        form.get_by_label("Wachtwoord").fill(PASSWORD)
        form.get_by_role("button", name="Aanmelden").click()
        bench_map.wait_until(tab, lambda p: {"n": drawn(p)}, lambda s: bool(s["n"]), time.perf_counter(), TIMEOUT)
        page.wait_for_timeout(2000)
        for k in range(repeats + 1):
            container = bench_map.map_frame(page).locator(".leaflet-container")
            container.scroll_into_view_if_needed()
            box = container.bounding_box()  # the page above the map may have grown
            before = _clicked(page)
            start = time.perf_counter()
            page.mouse.click(box["x"] + 180 + 30 * k, box["y"] + 160 + 20 * k)  # a new point each time, in view
            try:
                bench_map.wait_until(
                    tab, lambda p: {"d": _clicked(p)}, lambda s, before=before: s["d"] is not None and s["d"] != before, start, 60
                )
            except TimeoutError:
                print(f"note: click {k + 1} on the Vindplaatsen map drew no new point within 60 s")
                continue
            shown.append(time.perf_counter() - start)
            page.wait_for_timeout(1500)  # let every run the click caused finish
            after = [t for t in sent if t >= start]
            done = [t for t in finished if t >= start]
            if after and done:
                server.append(done[-1] - after[0])
                runs.append(len(done))
        # the first click also loads the page's widgets for a point: keep it apart
    finally:
        tab.close()
    note = f"runs per click: {sorted(set(runs))}; median of {len(server) - 1} (1st click apart: {server[0]:.3f} s)" if server else "not measured"
    return [
        Row("map click -> its rerun(s) finished on the server", median(server[1:]) if len(server) > 1 else None, None, "s", note),
        Row("map click -> clicked point drawn in the browser", median(shown[1:]) if len(shown) > 1 else None, None, "s",
            "Vindplaatsen page, signed in"),
    ]  # fmt: skip


def _clicked(page: Any) -> str | None:
    """Return the outline (SVG path) of the clicked-point marker of the map frame, None while there is none."""
    from playwright.sync_api import Error as PlaywrightError

    frame = bench_map.map_frame(page)
    try:
        return frame.evaluate("() => { const m = document.querySelector('path.bk-clicked'); return m && m.getAttribute('d'); }") if frame else None
    except PlaywrightError:
        return None


# --------------------------------------------------------------------------- 3. shared files


def bench_shared(opts: argparse.Namespace, browser: Any | None, views: dict[str, Area], folder: Path) -> list[Row]:
    """Return the shared files' sizes and their draw time from file:// against plain folium save()."""
    rows = []
    markers_js = "() => document.querySelectorAll('.leaflet-marker-icon').length"
    for view, area in views.items():
        path = share.write(share.organisation_share(area, None, organisation="bench"), folder / f"share_{view}.html")
        plain = folder / f"plain_{view}.html"
        budget = "budget 1 MB" if view == "Schaerbeek" else "budget 1.5 MB"
        rows.append(Row(f"shared file {view}: bytes vs plain folium save()", path.stat().st_size, plain.stat().st_size, "MB", budget))
        if browser is None:
            continue
        plain_dir = folder / f"plain_{view}"
        plain_dir.mkdir(exist_ok=True)
        local, _ = bench_map.localise_naive_html(plain.read_text(encoding="utf-8"), plain_dir)
        (plain_dir / "plain.html").write_text(local, encoding="utf-8")
        ours, base, state = [], [], {}
        for _ in range(opts.repeats):
            elapsed, state = bench_map.open_file(browser, path, DRAWN_JS, lambda v: v is not None, TIMEOUT)
            ours.append(elapsed)
            try:
                n = len(area.places)
                base.append(bench_map.open_file(browser, plain_dir / "plain.html", markers_js, lambda v, n=n: v >= n, TIMEOUT)[0])
            except (bench_map.MapNotDrawn, TimeoutError) as err:
                print(f"note: plain folium {view} not drawn: {err}")
        rows.append(Row(f"shared file {view}: file:// -> placesDrawn", median(ours), median(base) if base else None, "s",
                        f"{state['value']} places, {state['requests']} request(s) (the file itself); budget 1.5 s"))  # fmt: skip
    return rows


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of each browser measurement")
    parser.add_argument("--no-today", dest="today", action="store_false", help="do not start the app of BASELINE_COMMIT")
    opts = parser.parse_args(argv)
    opts.repeats = 1 if opts.quick else 3
    print(f"# Buurtkaart light map (issue 12) — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs; "
          f"load average {load_average()}")  # fmt: skip
    region = area_mod.load_embedded()
    commune = region.clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)
    views = {"Schaerbeek": commune, "region": region}
    tmp = Path(tempfile.mkdtemp(prefix="bench_app_map_"))
    try:
        payload = bench_payload(views, tmp)
        print_section(f"1. App map payload (baselines: maps.py at {BASELINE_COMMIT} and {INLINE_COMMIT}, plain folium save())", payload)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = bench_map.launch(pw)
            try:
                app_rows = bench_app(opts, browser, tmp, expected(commune), expected(region))
                print_section("2 + 4. The app in Chromium: region after Schaerbeek, a map click's rerun, pan and zoom", app_rows)
                shared = bench_shared(opts, browser, views, tmp)
                print_section("3. Shared files (baseline: plain folium save() of the same content, opened from file://)", shared)
            finally:
                browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload average at the end: {load_average()} (other helpers' tests and browsers share the 2 CPUs: times are noisy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
