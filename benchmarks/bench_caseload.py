"""Benchmark the caseload figures with disclosure control: 10,000 citizens with 30 ties each, on SQLite and PostGIS.

Run from anywhere as ``python benchmarks/bench_caseload.py`` (``--url`` or env BUURTKAART_TEST_POSTGRES_URL for
PostGIS, ``--citizens``, ``--ties``, ``--repeat``). A generated caseload (70 % anchored in Schaerbeek, the rest
across the region, so that many quartiers are small) is written once per backend with bulk inserts (not timed),
then, each the median of ``--repeat`` runs:

(a) load: ``citizens.list_citizens`` + ``citizens.all_ties`` from the store;
(b) figures: ``buurtanalyse.caseload_table``: every citizen's profile, the figures of the commune, of its fixed
    groups of quartiers and of every quartier of the region, primary and complementary suppression, rounding;
(c) report: ``report.report_html`` of the commune (its charts and tables) from its analysis;

against the baseline of the same run: a plain pandas groupby of the same figures (per citizen, then per quartier,
for the commune and for each group) on the same frames, with no suppression. Goal: (b) ≤ 2 s and ≤ 3× the groupby.

This is a script, not a test: it only measures and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.bench_store import fresh_database  # noqa: E402
from benchmarks.common import load_average, median  # noqa: E402
from buurtkaart import buurtanalyse, disclosure, graph, report, vocabulary  # noqa: E402
from buurtkaart import citizens as cz  # noqa: E402
from buurtkaart import vindplaatsen as vp  # noqa: E402
from buurtkaart.area import Area, commune_boundary, load_embedded  # noqa: E402
from buurtkaart.store import Store, new_id, open_store  # noqa: E402

POSTGRES_ENV = "BUURTKAART_TEST_POSTGRES_URL"
SCHAERBEEK_BOX = (4.365, 50.855, 4.41, 50.88)
REGION_BOX = (4.28, 50.80, 4.45, 50.90)


def caseload(region: Area, n_citizens: int, n_ties: int, *, seed: int = 11) -> tuple[list[dict], list[dict]]:
    """Return generated citizen and tie rows, as the store keeps them."""
    rng = np.random.default_rng(seed)
    local = rng.random(n_citizens) < 0.7
    box = np.where(local[:, None], SCHAERBEEK_BOX, REGION_BOX)
    lon = rng.uniform(box[:, 0], box[:, 2])
    lat = rng.uniform(box[:, 1], box[:, 3])
    quartiers = region.quartiers[["mdrc", "geometry"]]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    people, links = [], []
    for i in range(n_citizens):
        anchor = vocabulary.Location(level="buurt", place_kind="place", place_ref=f"p{i % 500}", label="Plek", lon=float(lon[i]), lat=float(lat[i]))
        at = start + timedelta(microseconds=i)
        row = cz._clean_profile({"anchor": anchor, "age_band": "60_69", "talents": ("cooking",)} if i % 3 == 0 else {"anchor": anchor}, quartiers)
        cid = new_id()
        people.append({"situations": [], "talents": [], "interests": [], "languages": [], "age_band": "", "demo": False,
                       **row, "id": cid, "pseudonym": f"{i:064x}", "code": f"BK-{i:04X}-{i:04X}", "created_at": at, "updated_at": at})  # fmt: skip
        size = int(rng.integers(n_ties // 2, n_ties * 3 // 2 + 1))
        for j in range(size):
            functions = [f for f in vocabulary.FUNCTIONS if rng.random() < 0.35] or ["verbindend"]
            clean = cz.clean_tie({
                "role": vocabulary.ROLES[int(rng.integers(len(vocabulary.ROLES)))], "capital": vocabulary.CAPITALS[int(rng.integers(3))],
                "functions": functions, "frequency": vocabulary.FREQUENCIES[int(rng.integers(len(vocabulary.FREQUENCIES)))],
                "strength": vocabulary.STRENGTHS[int(rng.integers(2))], "state": vocabulary.STATES[int(rng.choice(3, p=[0.8, 0.15, 0.05]))],
                "influence": vocabulary.INFLUENCES[int(rng.choice(3, p=[0.85, 0.05, 0.1]))], "reciprocity": vocabulary.RECIPROCITIES[int(rng.integers(3))],
                "level": "buurt", "place_kind": "place", "place_ref": f"p{int(rng.integers(400))}", "place_label": "Plek",
                "lon": float(lon[i] + rng.normal(0, 0.003)), "lat": float(lat[i] + rng.normal(0, 0.002)),
            })  # fmt: skip
            links.append(cz._new_tie_row("", cid, clean, at + timedelta(microseconds=j)))
    return people, links


def write(store: Store, people: list[dict], all_ties: list[dict]) -> str:
    """Write the caseload for a new organisation with bulk inserts; return its id."""
    org = vp.ensure_organisation(store, "Bench caseload")
    with store.write(lock=org) as session:
        session.execute(cz.CITIZENS.insert(), [{**p, "organisation_id": org} for p in people])
        for start in range(0, len(all_ties), 20_000):
            session.execute(cz.TIES.insert(), [{**t, "organisation_id": org} for t in all_ties[start : start + 20_000]])
    return org


def groupby_figures(people: pd.DataFrame, all_ties: pd.DataFrame, commune: tuple[str, ...]) -> pd.DataFrame:
    """Return the same figures with a plain pandas groupby: per citizen, then per quartier and for the commune."""
    t = pd.DataFrame({c: all_ties[c] for c in ("citizen_id", "state", "influence", "capital")})
    member = t["state"].isin(("active", "slapend"))
    supportive = (t["state"] == "active") & (t["influence"] != "negative")
    per = pd.DataFrame(index=pd.Index(people["citizen_id"], name="citizen_id"))
    per["quartier"] = people["quartier"].to_numpy()
    per["size"] = t[member].groupby("citizen_id").size()
    per["dormant"] = t[t["state"] == "slapend"].groupby("citizen_id").size()
    per["bonding_only"] = t[member].assign(b=t["capital"] == "bonding").groupby("citizen_id")["b"].all()
    exploded = all_ties.loc[supportive, ["citizen_id", "functions"]].explode("functions")
    has = pd.crosstab(exploded["citizen_id"], exploded["functions"]) > 0
    for f in vocabulary.FUNCTIONS:
        per[f"lacking_{f}"] = ~has.get(f, pd.Series(dtype=bool)).reindex(per.index, fill_value=False)
    per = per.fillna({"size": 0, "dormant": 0, "bonding_only": False})
    per["vulnerable"] = per["size"] <= 5
    per["rich"] = per["size"] >= 30
    spec = {c: "mean" for c in (*(f"lacking_{f}" for f in vocabulary.FUNCTIONS), "bonding_only", "vulnerable", "rich", "size")}
    by_quartier = per.groupby("quartier").agg({**spec, "dormant": "sum"}).assign(n=per.groupby("quartier").size())
    whole = per[per["quartier"].isin(commune)].agg({**spec, "dormant": "sum"}).to_frame("all").T
    groups = [
        per[per["quartier"].isin(codes)].agg({**spec, "dormant": "sum"}).to_frame(disclosure.GROUP_PREFIX + name).T
        for name, codes in disclosure.commune_groups(commune).items()
    ]
    return pd.concat([whole, *groups, by_quartier])


def timed(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Return the median wall time of `repeat` runs of `action`, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return median(times), result


def bench_backend(url: str, region: Area, walk: graph.WalkGraph, rows: tuple[list[dict], list[dict]], repeat: int) -> list[tuple[str, float]]:
    """Return (operation, seconds) for one backend."""
    store = open_store(url)
    try:
        org = write(store, *rows)
        load, (people, all_ties) = timed(lambda: (cz.list_citizens(store, org), cz.all_ties(store, org)), repeat)
    finally:
        store.close()
    assert len(people) == len(rows[0]) and len(all_ties) == len(rows[1])
    commune = disclosure.commune_quartiers(region.quartiers, commune_boundary())
    figures, table = timed(lambda: buurtanalyse.caseload_table(region, people, all_ties), repeat)
    base, plain = timed(lambda: groupby_figures(people, all_ties, commune), repeat)
    ours = table.set_index("group")
    shown = ours[~ours["suppressed"]].index.intersection(plain.index)
    for column in disclosure.SHARE_COLUMNS:  # the same figures, ours rounded to whole percentages
        assert np.allclose(ours.loc[shown, column].astype(float), plain.loc[shown, column].astype(float), atol=0.0051), column
    result = buurtanalyse.analyse_area(
        "Schaerbeek", commune_boundary(), region=region, walk=walk, citizens=people, all_ties=all_ties,
        unit=disclosure.COMMUNE, caseload=table,
    )  # fmt: skip
    page, _ = timed(lambda: report.report_html(result, lang="nl"), repeat)
    hidden = int(table["suppressed"].sum())
    groups = int(table["group"].str.startswith(disclosure.GROUP_PREFIX).sum())
    quartiers = len(table) - 1 - groups
    empty = quartiers - people["quartier"].nunique()
    print(f"  {len(table)} rows (commune + {groups} groups + {quartiers} quartiers), {hidden} hidden, {empty} quartiers without citizens")
    return [("load (list_citizens + all_ties)", load), ("figures + suppression (caseload_table)", figures),
            ("report_html of the commune", page), ("BASELINE pandas groupby, same figures", base)]  # fmt: skip


def main() -> None:
    """Run the benchmark and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get(POSTGRES_ENV), help=f"PostgreSQL + PostGIS URL (default: env {POSTGRES_ENV})")
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=30, help="ties per citizen on average (uniform from half to 1.5×)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    region = load_embedded()
    walk = graph.walk_graph(region)
    rows = caseload(region, args.citizens, args.ties)
    print(f"{len(rows[0]):,} citizens, {len(rows[1]):,} ties, median of {args.repeat} runs; load average {load_average()}")
    backends = ["sqlite"] + (["postgresql"] if args.url else [])
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            print(backend)
            with fresh_database(backend, Path(folder), args.url) as url:
                results += [(backend, *row) for row in bench_backend(url, region, walk, rows, args.repeat)]
    if not args.url:
        print(f"(PostGIS skipped: give --url or set {POSTGRES_ENV})")
    print(f"\n{'backend':<11} {'operation':<42} {'seconds':>8} {'× groupby':>10}")
    for backend in backends:
        base = next(s for b, op, s in results if b == backend and op.startswith("BASELINE"))
        for b, operation, seconds in results:
            if b == backend:
                print(f"{backend:<11} {operation:<42} {seconds:>8.3f} {seconds / base:>9.1f}x")


if __name__ == "__main__":
    main()
