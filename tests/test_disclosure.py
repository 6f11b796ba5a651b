"""Disclosure control under attack: an attacker collects every published caseload figure (page, report, CSV; the
commune, its fixed groups of quartiers and every quartier) and tries to work out a group of fewer than 5 citizens by subtraction, by solving the
linear system of the published counts, and by bounding each hidden cell with a linear programme; it must fail."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import null_space
from scipy.optimize import linprog

from buurtkaart import buurtanalyse, caseload, cli, demo, disclosure, graph, report, vocabulary
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart.area import Area, commune_boundary
from buurtkaart.store import DATABASE_URL_ENV, Store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

FIGURES = ("n", *(f"lacking_{f}" for f in vocabulary.FUNCTIONS), "bonding_only", "vulnerable", "rich", "size_total", "dormant")
SMALL = range(1, caseload.MIN_GROUP)  # a group of this many citizens must never be derivable


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the citizens' pseudonyms a key from the environment (never a key file in the home folder)."""
    monkeypatch.setenv(pseudo.KEY_ENV, "a-disclosure-test-key-that-is-long-enough-42")


# --- the attacker ---


@dataclass
class Published:
    """Everything an attacker has collected: per unit (the commune or a quartier) and figure, the count it implies."""

    units: dict[str, tuple[str, ...]]  # unit -> the quartiers it adds up
    values: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    def add(self, unit: str, figure: str, value: float) -> None:
        """Record one published figure as a count (a share is turned into a count with the unit's n)."""
        self.values.setdefault((unit, figure), set()).add(round(value))

    def add_row(self, unit: str, n: int | None, shares: dict[str, float | None], mean_size: float | None = None,
                dormant: int | None = None) -> None:  # fmt: skip
        """Record a row as published: its count, each share as a count of citizens, the mean size as a total."""
        if n is None or pd.isna(n):
            return
        self.add(unit, "n", n)
        for figure, share in shares.items():
            if share is not None and not pd.isna(share):
                self.add(unit, figure, share * n)
        if mean_size is not None and not pd.isna(mean_size):
            self.add(unit, "size_total", mean_size * n)
        if dormant is not None and not pd.isna(dormant):
            self.add(unit, "dormant", dormant)


def attack(published: Published, truth: pd.DataFrame, leaves: list[str]) -> list[str]:
    """Return every small group the attacker can work out from `published` (the empty list when none).

    `truth` holds, per leaf (quartier), the true count of each figure; leaves are the unknowns. For each figure the
    attacker solves the linear system of the published sums: a leaf (or a union of leaves) is derivable when its
    indicator vector lies in the row space of the published constraints; with bounds (a hidden count lies between 0
    and the published total) a linear programme gives each hidden leaf's smallest and largest possible value.
    """
    found = []
    index = {leaf: i for i, leaf in enumerate(leaves)}
    for figure in FIGURES:
        rows, values = [], []
        for (unit, fig), seen in published.values.items():
            if fig != figure:
                continue
            assert len(seen) == 1, f"two outputs publish different {figure} for {unit}: {seen}"
            vector = np.zeros(len(leaves))
            vector[[index[leaf] for leaf in published.units[unit]]] = 1
            rows.append(vector)
            values.append(next(iter(seen)))
        a = np.array(rows) if rows else np.zeros((0, len(leaves)))
        known = {leaf for (unit, fig) in published.values if fig == "n" for leaf in published.units[unit]
                 if len(published.units[unit]) == 1}  # fmt: skip
        hidden = [leaf for leaf in leaves if leaf not in known]
        # 1. subtraction and linear algebra: any union of hidden quartiers whose sum follows from the published sums,
        # i.e. whose indicator vector is orthogonal to the null space of the published constraints
        free = null_space(a) if len(a) else np.eye(len(leaves))
        unions = [u for size in range(1, len(hidden) + 1) for u in itertools.combinations(hidden, size)]
        indicator = np.zeros((len(unions), len(leaves)))
        for i, union in enumerate(unions):
            indicator[i, [index[leaf] for leaf in union]] = 1
        derivable = np.abs(indicator @ free).max(axis=1, initial=0) < 1e-9
        for union in itertools.compress(unions, derivable):
            group = int(truth.loc[list(union), "n"].sum())
            if group in SMALL:
                found.append(f"{figure} of {union} ({group} citizens) by solving the published sums")
        # 2. bounds: a hidden quartier's number of citizens pinned to one value by the published sums and 0 <= x.
        # (For the other figures a published 0% of a shown unit says 0% of each of its parts: that is a fact about
        # the shown group of at least 5, not a disclosure of a smaller one, so bounds are not applied to them.)
        if len(a) and figure == "n":
            for leaf in hidden:
                if int(truth.loc[leaf, "n"]) not in SMALL:
                    continue
                c = np.zeros(len(leaves))
                c[index[leaf]] = 1
                low = linprog(c, A_eq=a, b_eq=values, bounds=(0, None), method="highs")
                high = linprog(-c, A_eq=a, b_eq=values, bounds=(0, None), method="highs")
                assert low.status == 0 and high.status in (0, 3), "the published figures are consistent with the truth"
                if high.status == 0 and abs(low.fun + high.fun) < 1e-6:  # status 3: no upper bound at all
                    found.append(f"{figure} of {leaf} pinned at {low.fun:.0f} by bounds")
    return found


def truth_of(profiles: pd.DataFrame, leaves: list[str]) -> pd.DataFrame:
    """Return, per quartier, the true count of each figure (what the attacker is after)."""
    p = profiles.assign(
        n=1, size_total=profiles["size"], vulnerable=profiles["size"] <= 5, rich=profiles["size"] >= 30,
        **{f"lacking_{f}": ~profiles[f"has_{f}"] for f in vocabulary.FUNCTIONS},
    )  # fmt: skip
    return p.groupby("quartier")[list(FIGURES)].sum().reindex(leaves, fill_value=0).astype(int)


def leaves_of(unit: str, commune: tuple[str, ...], groups: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Return the quartiers a published unit adds up: the commune's, a group's (of the commune), or the quartier."""
    if unit == disclosure.COMMUNE:
        return commune
    if unit.startswith(disclosure.GROUP_PREFIX):
        return disclosure.commune_groups(commune, disclosure.GROUPS if groups is None else groups)[unit.removeprefix(disclosure.GROUP_PREFIX)]
    return (unit,)


def collect_table(table: pd.DataFrame, commune: tuple[str, ...], published: Published,
                  groups: dict[str, tuple[str, ...]] | None = None) -> None:  # fmt: skip
    """Record the rows of a protected caseload table as an attacker reads them."""
    for row in table.itertuples():
        unit = row.group
        published.units.setdefault(unit, leaves_of(unit, commune, groups))
        shares = {c: getattr(row, c) for c in disclosure.SHARE_COLUMNS}
        published.add_row(unit, None if row.suppressed else int(row.n), shares, row.mean_size, row.dormant)


# --- reading the outputs as an attacker would ---


class _Tables(HTMLParser):
    """Collect the text of every table cell of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def collect_gaps_table(rows: list[list[str]], names: dict[str, str], commune: tuple[str, ...], published: Published) -> None:
    """Record a shown gaps table (header row first; group, citizens, 'Without …' percentages, mean size)."""
    header, body = rows[0], rows[1:]
    by_name = {name: code for code, name in names.items()}
    for cells in body:
        unit = disclosure.COMMUNE if cells[0] == "All citizens" else by_name[cells[0]]
        published.units.setdefault(unit, leaves_of(unit, commune))
        if not cells[1].isdigit():
            assert cells[1] == "hidden" and all(c == "—" for c in cells[2:]), f"a hidden row shows a figure: {cells}"
            continue
        n = int(cells[1])
        shares = {}
        for column, cell in zip(header[2:-1], cells[2:-1], strict=True):
            function = next(f for f in vocabulary.FUNCTIONS if vocabulary.label("function", f, "en") in column)
            shares[f"lacking_{function}"] = float(cell.rstrip("%")) / 100
        published.add_row(unit, n, shares, float(cells[-1]))


def collect_report(page: str, names: dict[str, str], commune: tuple[str, ...], published: Published) -> int:
    """Record the caseload figures of a standalone HTML report; return how many caseload tables it has."""
    parser = _Tables()
    parser.feed(page)
    gaps = [table for table in parser.tables if table and table[0][:2] == ["Group", "Citizens"]]
    for table in gaps:
        collect_gaps_table(table, names, commune, published)
    for match in re.finditer(r">(\d+)%<", page):  # the chart's labels: shares of the unit's first row
        assert gaps, f"a share is published without its table: {match.group(0)}"
    return len(gaps)


def collect_csv(path: Path, unit_of: dict[str, str], commune: tuple[str, ...], published: Published) -> None:
    """Record the caseload figures of `analyse`'s CSV summary (one row per area)."""
    for row in pd.read_csv(path, dtype={"citizens": str}).itertuples():
        unit = unit_of[row.area]
        published.units.setdefault(unit, leaves_of(unit, commune))
        if not str(row.citizens).isdigit():
            assert all(pd.isna(getattr(row, f"lacking_{f}")) for f in vocabulary.FUNCTIONS)
            continue
        published.add_row(unit, int(row.citizens), {f"lacking_{f}": getattr(row, f"lacking_{f}") for f in vocabulary.FUNCTIONS})


# --- the rules themselves ---


def test_the_issue_example_hides_a_second_quartier() -> None:
    """All 14, Colignon 10, Dailly 4: hiding Dailly alone would give it away by subtraction; a second cell goes too."""
    counts = {"colignon": 10, "dailly": 4, "josaphat": 0}
    hidden = disclosure.hidden_cells(counts, {"all": list(counts)})
    assert hidden == {"dailly", "josaphat", "colignon"}


def test_a_hidden_group_of_two_small_quartiers_needs_no_more() -> None:
    counts = {"a": 3, "b": 2, "c": 9, "d": 12}
    assert disclosure.hidden_cells(counts, {"all": list(counts)}) == {"a", "b"}


def test_a_commune_under_five_hides_everything() -> None:
    counts = {"a": 3, "b": 1}
    assert disclosure.hidden_cells(counts, {"all": list(counts)}) == {"a", "b", "all"}


def test_only_zero_cells_hidden_need_no_complement() -> None:
    counts = {"a": 0, "b": 7, "c": 5}
    assert disclosure.hidden_cells(counts, {"all": list(counts)}) == {"a"}


def test_the_attacker_breaks_primary_suppression_alone() -> None:
    """The attacker is real: on figures with primary suppression only (as before) it finds the quartier of 4."""
    leaves = ["23", "26"]
    profiles = _profiles(random.Random(1), {"23": 10, "26": 4})
    naive = caseload.caseload_gaps(profiles)  # "all" and each quartier, groups under 5 hidden, nothing more
    published = Published(units={"all": tuple(leaves), "23": ("23",), "26": ("26",)})
    for row in naive.itertuples():
        shares = {c: getattr(row, c) for c in disclosure.SHARE_COLUMNS}
        published.add_row(row.group, row.n, shares, row.mean_size, row.dormant)
    found = attack(published, truth_of(profiles, leaves), leaves)
    assert any("('26',) (4 citizens)" in line for line in found), found


def test_a_group_inside_the_commune_is_checked_by_difference() -> None:
    """Commune = a..e, group = a, b. Hidden a (3) and e (2) hold 5 in the commune; the group alone would hide a with
    b: then commune - group = c + d + e gives e away. The difference is a published sum too: one more cell goes."""
    counts = {"a": 3, "b": 6, "c": 8, "d": 9, "e": 2}
    hidden = disclosure.hidden_cells(counts, {"all": list(counts), "group:x": ["a", "b"]})
    assert {"a", "b", "e"} < hidden and hidden & {"c", "d"}
    leaves = list(counts)
    profiles = _profiles(random.Random(3), counts)
    table = disclosure.caseload_table(profiles, quartiers=leaves, commune=tuple(leaves), groups={"x": ("a", "b")})
    published = Published(units={})
    collect_table(table, tuple(leaves), published, {"x": ("a", "b")})
    assert attack(published, truth_of(profiles, leaves), leaves) == []


def test_a_group_under_five_is_hidden_and_gives_nothing_away() -> None:
    counts = {"a": 2, "b": 1, "c": 8, "d": 9}
    hidden = disclosure.hidden_cells(counts, {"all": list(counts), "group:x": ["a", "b"], "group:y": ["c", "d"]})
    assert {"a", "b", "group:x"} <= hidden  # and the commune less group y (= group x) must not show it either
    assert "all" in hidden or "group:y" in hidden or hidden & {"c", "d"}


@pytest.mark.parametrize("seed", range(60))
def test_random_caseloads_with_groups_give_no_small_group_away(seed: int) -> None:
    rng = random.Random(1000 + seed)
    commune = tuple(str(c) for c in range(20, 20 + rng.randint(3, 12)))
    outside = ("90", "91")
    leaves = [*commune, *outside]
    cuts = sorted(rng.sample(range(1, len(commune)), k=min(len(commune) - 1, rng.randint(1, 3))))
    parts = [commune[a:b] for a, b in zip([0, *cuts], [*cuts, len(commune)], strict=True)]
    if rng.random() < 0.5:
        parts = parts[:-1] or parts  # groups need not cover the whole commune
    groups = {f"g{i}": part for i, part in enumerate(parts)}
    sizes = {leaf: rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 6, 7, 9, 15, 30]) for leaf in leaves}
    profiles = _profiles(rng, sizes)
    table = disclosure.caseload_table(profiles, quartiers=leaves, commune=commune, groups=groups)
    assert list(table["group"][: 1 + len(groups)]) == [disclosure.COMMUNE, *(f"group:{g}" for g in groups)]
    published = Published(units={})
    collect_table(table, commune, published, groups)
    assert attack(published, truth_of(profiles, leaves), leaves) == []
    shown = table[~table["suppressed"]]
    assert (shown["n"] >= caseload.MIN_GROUP).all()


@pytest.mark.parametrize("seed", range(60))
def test_random_caseloads_give_no_small_group_away(seed: int) -> None:
    rng = random.Random(seed)
    commune = tuple(str(c) for c in range(20, 20 + rng.randint(2, 12)))
    outside = ("90", "91")
    leaves = [*commune, *outside]
    sizes = {leaf: rng.choice([0, 0, 1, 2, 3, 4, 4, 5, 6, 7, 9, 15, 30]) for leaf in leaves}
    profiles = _profiles(rng, sizes)
    table = disclosure.caseload_table(profiles, quartiers=leaves, commune=commune, groups={})
    published = Published(units={})
    collect_table(table, commune, published, {})
    assert attack(published, truth_of(profiles, leaves), leaves) == []
    shown = table[~table["suppressed"]]
    assert (shown["n"] >= caseload.MIN_GROUP).all()
    assert all(abs(v * 100 - round(v * 100)) < 1e-9 for c in disclosure.SHARE_COLUMNS for v in shown[c])  # whole percentages


def _profiles(rng: random.Random, sizes: dict[str, int]) -> pd.DataFrame:
    """Return invented citizen profiles: `sizes[q]` citizens in quartier q, with random networks."""
    rows = []
    for quartier, n in sizes.items():
        for _ in range(n):
            size = rng.choice([0, 2, 4, 5, 8, 12, 30, 31])
            rows.append({
                "citizen_id": f"c{len(rows)}", "quartier": quartier, "size": size, "active": size,
                **{f"has_{f}": rng.random() < 0.6 for f in vocabulary.FUNCTIONS}, "bonding_only": rng.random() < 0.3,
                "dormant": rng.randint(0, 3), "light": 0, "one_sided": 0, "negative": 0, "buurt": 0,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=list(caseload.PROFILE_COLUMNS))


# --- the demo, on SQLite and PostGIS, through every output ---


def test_the_demo_gives_no_small_group_away(
    store: Store, database_url: str, region: Area, walk: graph.WalkGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = demo.load_demo(store, area=region)
    people, all_ties = cz.list_citizens(store, org), cz.all_ties(store, org)
    commune = disclosure.commune_quartiers(region.quartiers, commune_boundary())
    leaves = list(dict.fromkeys([*commune, *people["quartier"].astype(str)]))
    names = report.quartier_names(region.quartiers, lang="en")
    small = [q for q in commune if 0 < (people["quartier"] == q).sum() < caseload.MIN_GROUP]
    assert small, "the demo has quartiers with fewer than 5 citizens: the attack has something to look for"

    published = Published(units={})
    sources = buurtanalyse.region_sources(walk, region, None)
    units = [(disclosure.COMMUNE, commune_boundary())]
    units += [(disclosure.GROUP_PREFIX + g, buurtanalyse.group_boundary(region, g)) for g in disclosure.commune_groups(commune)]
    units += [(q, region.quartiers.loc[region.quartiers["mdrc"].astype(str) == q].geometry.iloc[0]) for q in leaves]
    for unit, boundary in units:
        result = buurtanalyse.analyse_area(unit, boundary, region=region, walk=walk, citizens=people, all_ties=all_ties,
                                           lang="en", sources=sources, unit=unit)  # fmt: skip
        collect_table(result.gaps, commune, published)  # what the page's table and chart are made from
        if not result.gaps.iloc[0]["suppressed"]:
            shown = report.gaps_table(result, lang="en", quartier_names=names)
            collect_gaps_table([list(shown.columns), *shown.astype(str).values.tolist()], names, commune, published)
        tables = collect_report(report.report_html(result, lang="en", quartier_names=names), names, commune, published)
        assert tables == (0 if result.gaps.iloc[0]["suppressed"] else 1)
        row = buurtanalyse.summary_row(result)
        if str(row["citizens"]).isdigit():
            published.add_row(unit, int(row["citizens"]), {f"lacking_{f}": row[f"lacking_{f}"] for f in vocabulary.FUNCTIONS})
    # the command line's own CSV and report for the commune and for a small quartier
    monkeypatch.setenv(DATABASE_URL_ENV, database_url)
    for args, unit in (([], disclosure.COMMUNE), (["--quartier", small[0]], small[0]), (["--group", "midden"], "group:midden")):
        out = tmp_path / unit
        assert cli.main(["--lang", "en", "analyse", *args, "--org", demo.DEMO_ORGANISATION, "--out", str(out)]) == 0
        area = pd.read_csv(out / "buurtanalyse.csv")["area"].iloc[0]
        collect_csv(out / "buurtanalyse.csv", {area: unit}, commune, published)
        pages = [page.read_text(encoding="utf-8") for page in out.glob("*.html")]
        assert len(pages) == 1 and collect_report(pages[0], names, commune, published) == (unit != small[0])

    profiles = caseload.citizen_profiles(people, all_ties)
    assert ("all", "n") in published.values and len(published.values) > 40  # the attacker did collect figures
    assert attack(published, truth_of(profiles, leaves), leaves) == []


def test_a_drawn_area_gets_no_caseload_figure(region: Area, walk: graph.WalkGraph) -> None:
    from tests.test_caseload import citizen_frame, tie_frame

    people = citizen_frame([{"quartier": "27", "lon": 4.3790, "lat": 50.8672}] * 6)
    circle = commune_boundary().centroid.buffer(0.01)
    result = buurtanalyse.analyse_area("drawn", circle, region=region, walk=walk, citizens=people,
                                       all_ties=tie_frame([{"citizen_id": f"c{i}"} for i in range(6)]))  # fmt: skip
    assert result.unit is None and result.gaps.empty and result.unknown.empty and result.talents.empty
    page = report.report_html(result, lang="en")
    assert "never for a drawn area" in page and "Without" not in page and "Citizens anchored" not in page
