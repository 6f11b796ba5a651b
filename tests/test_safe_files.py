"""Hostile OSM files cost little: caps while unpacking, a loading process with limits, messages that name the cap."""

from __future__ import annotations

import bz2
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from buurtkaart import safe_files
from buurtkaart.errors import OsmFileError

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures"  # real OSM extracts kept with the tests (tests/fixtures/SOURCES.md)
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'


def bomb(path: Path) -> Path:
    """Write a ~33 KB .osm.bz2 that unpacks to 100 MB of OSM XML, and return its path."""
    rng = random.Random(13)
    nodes = b"".join(
        f'<node id="{i}" lat="{50.8 + rng.random() / 10:.7f}" lon="{4.3 + rng.random() / 10:.7f}"/>\n'.encode() for i in range(1, 1900)
    )
    line = b'<node id="1" lat="50.85" lon="4.35"/>\n'
    body = line * ((100_000_000 - len(nodes)) // len(line))
    path.write_bytes(bz2.compress(HEAD + nodes + body + b"</osm>\n", 9))
    return path


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bomb, written once."""
    return bomb(tmp_path_factory.mktemp("bomb") / "brussel.osm.bz2")


def test_the_bomb_is_what_the_issue_describes(bomb_file: Path) -> None:
    assert 25_000 < bomb_file.stat().st_size < 40_000
    assert sum(len(chunk) for chunk in safe_files._bz2_chunks(bomb_file)) >= 99_000_000


def test_the_bomb_is_refused_fast_in_little_memory(bomb_file: Path) -> None:
    """In a fresh process that has the app's libraries loaded, as the app has: under 5 s and 500 MB, all told."""
    script = f"""
import json, resource, time
from buurtkaart import osm, safe_files  # geopandas, osmnx, pyrosm: the app's own weight
from buurtkaart.errors import OsmFileError
import subprocess
calls = []
real_run = subprocess.run
def run(*args, **kwargs):
    calls.append(args)
    return real_run(*args, **kwargs)
subprocess.run = run
spawned = lambda: bool(calls)
start = time.perf_counter()
messages = []
for load in (safe_files.load_osm_file, osm.load_file):
    try:
        load({str(bomb_file)!r})
    except OsmFileError as error:
        messages.append(error.message("en"))
seconds = time.perf_counter() - start
# VmHWM: this process's own peak (ru_maxrss would also count the test runner it was forked from)
peak = int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if spawned() else 0
print(json.dumps({{"seconds": seconds, "peak_mb": max(peak, children) / 1024, "messages": messages, "spawned": spawned()}}))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["messages"]) == 2, result
    assert all("more than 40 times its own size" in m for m in result["messages"])  # the message names the cap
    assert result["seconds"] < 5, result
    assert result["peak_mb"] < 500, result
    assert not result["spawned"], "the bomb is refused before a loading process is started"


def test_each_cap_is_named(tmp_path: Path) -> None:
    extract = REAL / "bruges_north_z14_8338_5468.osm.bz2"  # a real XML extract of 4 MB unpacked
    with pytest.raises(OsmFileError) as caught:
        safe_files.check_osm_file(extract, max_unpacked_mb=2)
    assert caught.value.key == "error.unpacked_too_large" and "more than 2 MB" in caught.value.message("en")
    with pytest.raises(OsmFileError) as caught:
        safe_files.check_osm_file(extract, max_elements=1000)
    assert "more than 1.000 nodes" in caught.value.message("en")
    with pytest.raises(OsmFileError) as caught:
        safe_files.check_osm_file(REAL / "helsinki_centre.osm.pbf", max_unpacked_mb=0.5)
    assert "more than 0.5 MB" in caught.value.message("en")


def test_elements_across_chunk_edges_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_files, "CHUNK", 7)  # every tag is cut by a chunk edge somewhere
    path = tmp_path / "klein.osm"
    path.write_bytes(HEAD + b'<node id="1"/><way id="2"/><relation id="3"/><node id="4"/>\n</osm>\n')
    safe_files.check_osm_file(path, max_elements=4)
    with pytest.raises(OsmFileError):
        safe_files.check_osm_file(path, max_elements=3)


def test_a_multi_stream_bz2_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "twee.osm.bz2"
    path.write_bytes(bz2.compress(HEAD + b'<node id="1"/>\n') + bz2.compress(b'<node id="2"/><node id="3"/>\n</osm>\n'))
    safe_files.check_osm_file(path, max_elements=3)
    with pytest.raises(OsmFileError):
        safe_files.check_osm_file(path, max_elements=2)


def test_damaged_files_are_refused_plainly(tmp_path: Path) -> None:
    cut = tmp_path / "kapot.osm.bz2"
    cut.write_bytes((REAL / "bruges_north_z14_8338_5468_highways.osm.bz2").read_bytes()[:20_000])
    with pytest.raises(OsmFileError) as caught:
        safe_files.check_osm_file(cut)
    assert "cut off" in caught.value.message("en")
    pbf = tmp_path / "kapot.osm.pbf"
    pbf.write_bytes((REAL / "helsinki_centre.osm.pbf").read_bytes()[:30_000])
    with pytest.raises(OsmFileError) as caught:
        safe_files.check_osm_file(pbf)
    assert caught.value.key == "error.not_osm"


def test_real_extracts_load_in_the_limited_process() -> None:
    area = safe_files.load_osm_file(REAL / "helsinki_centre.osm.pbf")
    assert len(area.places) > 1000 and area.street_km > 50
    area = safe_files.load_osm_file(REAL / "bruges_north_z14_8338_5468_highways.osm.bz2", name="Brugge")
    assert area.name == "Brugge" and area.street_km > 10


def test_a_load_past_its_memory_limit_is_stopped_with_a_message() -> None:
    with pytest.raises(OsmFileError) as caught:
        safe_files.load_osm_file(REAL / "helsinki_centre.osm.pbf", memory_mb=200)
    assert caught.value.key == "error.load_limits" and "200 MB" in caught.value.message("en")


def test_the_loading_process_reports_a_bad_file_as_the_app_does(tmp_path: Path) -> None:
    path = tmp_path / "leeg.osm"
    path.write_bytes(HEAD + b"</osm>\n")
    with pytest.raises(OsmFileError) as caught:
        safe_files.load_osm_file(path)
    assert caught.value.key == "error.no_streets"
