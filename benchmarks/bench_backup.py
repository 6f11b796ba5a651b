"""Benchmark backup and restore of one organisation against plain pandas dumps of the same rows.

Run from anywhere as ``python benchmarks/bench_backup.py`` (``--citizens``, ``--ties``, ``--repeat``). An
organisation with 10,000 citizens (3 ties each), 2,000 vindplaatsen with their history and an audit event per
citizen is written straight into a SQLite store (setup, not measured). Every figure is printed next to a
baseline measured in the same run, taken in turn:

(a) backup: ``backup.backup`` (one consistent read, JSON Lines per table, SHA-256 per member, a signed manifest,
    one deflated zip) vs ``pandas.read_sql`` of the same tables (the organisation's rows) and ``DataFrame.to_csv``
    of each to a folder (no checks, no manifest, no zip);
(b) restore: ``backup.restore`` into an empty store (every member checked: size, checksum, columns, types,
    references; then one transaction) vs ``pandas.read_csv`` of those CSV files and ``DataFrame.to_sql`` into the
    same empty tables (no checks at all, and no faithful copy: lists come back as text, NULL as "");
(c) size: the zip vs the CSV files together.

This is a script, not a test: it only measures and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from common import Row, alternate, load_average, median, print_section, seconds  # noqa: E402  (benchmarks/common.py)
from sqlalchemy import select  # noqa: E402

from buurtkaart import backup, organisations  # noqa: E402
from buurtkaart import pseudonym as pseudo  # noqa: E402
from buurtkaart import vocabulary as vocab  # noqa: E402
from buurtkaart.store import Store, now, open_store  # noqa: E402

KEY = "a-benchmark-key-that-is-long-enough-0123"


def fill(store: Store, *, citizens: int, ties: int, items: int, seed: int = 7) -> str:
    """Write an organisation with `citizens` citizens of `ties` ties each, `items` places and their history; return its id."""
    rng = np.random.default_rng(seed)
    org = organisations.ensure(store, "LDC Benchmark")
    at = now()
    tables = {t.name: t for t in backup.TABLES}
    citizen_rows, tie_rows, item_rows, history_rows, event_rows = [], [], [], [], []
    for i in range(citizens):
        code = f"BK-{i // 10000:04d}-{i % 10000:04d}"
        cid = str(uuid.uuid4())
        citizen_rows.append({
            "id": cid, "organisation_id": org, "pseudonym": f"{i:064x}", "code": code, "age_band": "70_plus",
            "situations": ["lives_alone"], "talents": [], "interests": [], "languages": ["nl", "fr"],
            "anchor_kind": "quartier", "anchor_ref": "27", "anchor_label": "Josaphat", "anchor_lon": 4.38,
            "anchor_lat": 50.86, "quartier": "27", "demo": False, "created_at": at, "updated_at": at,
        })  # fmt: skip
        for _ in range(ties):
            tie_rows.append({
                "id": str(uuid.uuid4()), "citizen_id": cid, "organisation_id": org,
                "role": str(rng.choice(vocab.ROLES)), "capital": "bonding", "functions": ["affectief", "verbindend"],
                "frequency": "weekly", "strength": "strong", "state": "active", "influence": "positive",
                "reciprocity": "both", "level": "buurt", "place_kind": vocab.PLACE_KINDS["buurt"][0],
                "place_ref": "osm-way-1", "place_label": "Josaphatpark", "lon": float(4.33 + rng.random() * 0.1),
                "lat": float(50.83 + rng.random() * 0.07), "created_at": at, "updated_at": at, "group_size": 1,
            })  # fmt: skip
        event_rows.append({"id": str(uuid.uuid4()), "at": at, "organisation_id": org, "user": "an",
                           "action": "citizen.view", "target": code})  # fmt: skip
    for i in range(items):
        iid = str(uuid.uuid4())
        lon, lat = float(4.33 + rng.random() * 0.1), float(50.83 + rng.random() * 0.07)
        item_rows.append({
            "id": iid, "organisation_id": org, "layer": "vindplaats", "name": f"Plek {i}", "name_key": f"plek {i}",
            "kind": "bench", "target_groups": ["elderly"], "languages": ["nl"], "hours": "", "wheelchair": "unknown",
            "formal": None, "notes": "=1+1 een notitie", "actor": "", "lon": lon, "lat": lat, "osm_place_id": None,
            "version": 1, "created_at": at, "updated_at": at, "updated_by": "an", "deleted_at": None,
        })  # fmt: skip
        history_rows.append({"item_id": iid, "organisation_id": org, "at": at, "user": "an", "action": "create",
                             "before": None, "after": {"name": f"Plek {i}", "lon": lon, "lat": lat}})  # fmt: skip
    with store.write() as session:
        for name, rows in (("citizens", citizen_rows), ("ties", tie_rows), ("map_items", item_rows),
                           ("history", history_rows), ("audit_events", event_rows)):  # fmt: skip
            session.execute(tables[name].insert(), rows)
    return org


def csv_dump(store: Store, org: str, folder: Path) -> None:
    """Baseline (a): read the organisation's rows of every table with pandas and write each to a CSV file."""
    folder.mkdir(exist_ok=True)
    with store.engine.connect() as connection:
        for table in backup.TABLES:
            owner = table.c.id if table.name == "organisations" else table.c.organisation_id
            pd.read_sql(select(table).where(owner == org), connection).to_csv(folder / f"{table.name}.csv", index=False)


def csv_load(store: Store, folder: Path) -> None:
    """Baseline (b): read the CSV files with pandas and append them to the store's tables (no checks)."""
    with store.engine.begin() as connection:
        for table in backup.TABLES:
            frame = pd.read_csv(folder / f"{table.name}.csv", keep_default_na=False)  # "" stays ""
            if not frame.empty:
                frame.to_sql(table.name, connection, if_exists="append", index=False)


def main() -> None:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=3)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ[pseudo.KEY_ENV] = KEY  # the benchmark's own key, never the user's key file
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = open_store(f"sqlite:///{folder / 'source.sqlite'}")
        org = fill(source, citizens=args.citizens, ties=args.ties, items=args.items)
        print(f"{args.citizens:,} citizens × {args.ties} ties, {args.items:,} places; median of {args.repeat} runs; "
              f"load average {load_average()}")  # fmt: skip
        runs = iter(range(10_000))
        ours, base = alternate(
            lambda: seconds(lambda: backup.backup(source, org, folder / "org.zip")),
            lambda: seconds(lambda: csv_dump(source, org, folder / "csv")),
            args.repeat,
        )
        restored, loaded = alternate(
            lambda: _timed_into_empty(folder, f"r{next(runs)}", lambda db: backup.restore(db, folder / "org.zip")),
            lambda: _timed_into_empty(folder, f"c{next(runs)}", lambda db: csv_load(db, folder / "csv")),
            args.repeat,
        )
        zipped = (folder / "org.zip").stat().st_size
        csv_bytes = sum(p.stat().st_size for p in (folder / "csv").iterdir())
        print_section("backup and restore of one organisation (SQLite)", [
            Row("backup: backup.backup vs read_sql + to_csv", median(ours), median(base), "s"),
            Row("restore: backup.restore vs read_csv + to_sql", median(restored), median(loaded), "s",
                "ours checks everything first"),
            Row("file: one zip vs the CSV files", zipped, csv_bytes, "MB"),
        ])  # fmt: skip
        source.close()


def _timed_into_empty(folder: Path, name: str, load: object) -> float:
    """Return the seconds `load(store)` takes on a new, empty store (opening and migrating it is not timed)."""
    db = open_store(f"sqlite:///{folder / f'{name}.sqlite'}")
    try:
        return seconds(lambda: load(db))  # type: ignore[operator]
    finally:
        db.close()


if __name__ == "__main__":
    main()
