"""Benchmark the store: write and read 10,000 places on SQLite and PostGIS against bare baselines.

Run from anywhere as ``python benchmarks/bench_store.py`` (``--url`` or env BUURTKAART_TEST_POSTGRES_URL
for PostGIS, ``--rows``, ``--repeat``). Every figure is printed next to a baseline measured in the same run:

(a) write: ``exchange.import_file`` of a generated GeoJSON (read the file, check every row like
    ``vindplaatsen.add``, duplicates included, insert items + history in one transaction) vs
    ``GeoDataFrame.to_file`` of the same points to a GeoPackage, and vs a bare SQLAlchemy Core
    ``insert`` executemany of the same rows into the same table (no checks, no history);
(b) read: ``vindplaatsen.list_items`` vs ``geopandas.read_file`` of that GeoPackage.

This is a script, not a test: it only measures and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from common import load_average, timed  # noqa: E402  (benchmarks/common.py)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from buurtkaart import exchange as ex  # noqa: E402
from buurtkaart import organisations  # noqa: E402
from buurtkaart import vindplaatsen as vp  # noqa: E402
from buurtkaart.store import Store, open_store  # noqa: E402

POSTGRES_ENV = "BUURTKAART_TEST_POSTGRES_URL"
BOX = (4.33, 50.83, 4.43, 50.90)


def places(rows: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """Return `rows` random vindplaatsen in the box, with unique names and a few fields filled in."""
    rng = np.random.default_rng(seed)
    kinds = np.array(vp.KINDS)
    return gpd.GeoDataFrame(
        {
            "name": [f"Plek {i:05d} — café “Één”" for i in range(rows)],
            "kind": kinds[rng.integers(0, len(kinds), rows)],
            "description": [f"Notitie {i}: <b>vrij</b> & open" for i in range(rows)],
            "languages": ["nl;fr;ar"] * rows,
        },
        geometry=gpd.points_from_xy(rng.uniform(BOX[0], BOX[2], rows), rng.uniform(BOX[1], BOX[3], rows)),
        crs="EPSG:4326",
    )


@contextmanager
def fresh_database(backend: str, folder: Path, postgres_url: str | None) -> Iterator[str]:
    """Yield the URL of an empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    assert postgres_url is not None
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    schema = f"bk_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(postgres_url)
            .update_query_dict({"options": f"-csearch_path={schema},public"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def bench_backend(
    backend: str, url: str, source: Path, frame: gpd.GeoDataFrame, repeat: int
) -> list[tuple[str, float, str, float]]:
    """Return (operation, our seconds, baseline name, baseline seconds) for one backend."""
    store = open_store(url)
    try:
        counter = iter(range(10_000))

        def import_once() -> None:
            org = organisations.ensure(store, f"Bench {next(counter)}")
            report = ex.import_file(store, org, source, user="bench", layer="vindplaats", bounds=BOX, max_mb=100)
            assert report.added == len(frame)

        write = timed(import_once, repeat)
        org = organisations.ensure(store, "Bench 0")
        read = timed(lambda: vp.list_items(store, org), repeat)
        assert len(vp.list_items(store, org)) == len(frame)
        core = timed(lambda: bare_insert(store, frame), repeat)
    finally:
        store.close()
    with tempfile.TemporaryDirectory() as folder:
        gpkg = Path(folder) / "baseline.gpkg"
        to_file = timed(lambda: frame.to_file(gpkg, driver="GPKG", layer="places"), repeat)
        read_file = timed(lambda: gpd.read_file(gpkg, layer="places"), repeat)
    return [
        ("write: import_file (checks + history, 1 transaction)", write, "GeoDataFrame.to_file GPKG", to_file),
        ("write: import_file (checks + history, 1 transaction)", write, "bare Core insert executemany", core),
        ("read: list_items", read, "geopandas.read_file GPKG", read_file),
    ]


def bare_insert(store: Store, frame: gpd.GeoDataFrame) -> None:
    """Insert the same rows with a bare SQLAlchemy Core executemany (no checks, no history) for a new organisation."""
    org = organisations.ensure(store, f"Bare {uuid.uuid4().hex[:8]}")
    values = {
        "layer": "vindplaats",
        "target_groups": [],
        "hours": "",
        "wheelchair": "unknown",
        "formal": None,
        "actor": "",
        "osm_place_id": None,
    }
    rows = [
        vp.new_row(
            org,
            {**values, "name": name, "kind": kind, "notes": notes, "languages": ["nl", "fr", "ar"]},
            x,
            y,
            user="bench",
        )
        for name, kind, notes, x, y in zip(
            frame["name"], frame["kind"], frame["description"], frame.geometry.x, frame.geometry.y, strict=True
        )
    ]
    with store.engine.begin() as connection:
        connection.execute(vp.ITEMS.insert(), rows)


def main() -> None:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get(POSTGRES_ENV), help=f"PostgreSQL + PostGIS URL (default: env {POSTGRES_ENV})"
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = places(args.rows)
    backends = ["sqlite"] + (["postgresql"] if args.url else [])
    results: list[tuple[str, str, float, str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "places.geojson"
        frame.to_file(source, driver="GeoJSON")
        print(f"{args.rows:,} places, GeoJSON {source.stat().st_size / 1e6:.1f} MB, median of {args.repeat} runs; load average {load_average()}")
        for backend in backends:
            with fresh_database(backend, Path(folder), args.url) as url:
                for row in bench_backend(backend, url, source, frame, args.repeat):
                    results.append((backend, *row))
    if not args.url:
        print(f"(PostGIS skipped: give --url or set {POSTGRES_ENV})")
    print(f"\n{'backend':<11} {'operation':<54} {'ours s':>8}  {'baseline':<30} {'base s':>8} {'ratio':>7}")
    for backend, operation, ours, baseline, base in results:
        print(f"{backend:<11} {operation:<54} {ours:>8.3f}  {baseline:<30} {base:>8.3f} {ours / base:>6.1f}x")
    per_row = {
        backend: ours / args.rows * 1e6 for backend, operation, ours, _, _ in results if operation.startswith("write")
    }
    print("\nwrite cost per place: " + ", ".join(f"{b} {us:.0f} µs" for b, us in per_row.items()))


if __name__ == "__main__":
    main()
