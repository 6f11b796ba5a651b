"""Statistical disclosure control of the caseload figures: no figure lets anyone work out a group of fewer
than 5 citizens, alone or combined with the other figures Buurtkaart publishes.

The rules, as statistics offices apply them to a table with totals:

1. Caseload figures exist for fixed units only: the commune (the sum of its quartiers), the fixed groups of
   its quartiers (GROUPS) and each quartier. A freely drawn area gets none (two drawn areas that differ by a
   small circle would show its citizens).
2. Primary suppression: a quartier (or the commune) with fewer than MIN_GROUP citizens, none included,
   shows no figure at all. Every fixed unit is listed, so an absent row never says "nobody here".
3. Complementary suppression: where a published total (or the difference of two published totals, one
   inside the other: the commune less a group) holds hidden quartiers whose citizens add up to 1–4 (or only
   one hidden quartier holds citizens), the smallest shown quartier of it is hidden too, so that a
   subtraction or any linear combination of the published counts gives no hidden quartier and no group of
   fewer than MIN_GROUP citizens. Hidden cells look the same whatever the reason.
4. Shown shares are rounded to whole percentages, mean sizes to one decimal.
5. Every output (the page, the HTML report, `analyse`'s CSV) takes its rows from the one table
   `caseload_table` builds, so they all hide the same cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import caseload, vocabulary

MIN_GROUP = caseload.MIN_GROUP
COMMUNE = caseload.ALL  # the group name of the commune's own row
GROUP_PREFIX = "group:"  # the group name of a fixed group's row: "group:west"
# The fixed groups of the commune's quartiers (mdrc codes), west to east; each a part of the commune, none overlapping.
# Fixed in the code (never drawn or chosen by a user), so that two groups never differ by a small area.
GROUPS: dict[str, tuple[str, ...]] = {
    "west": ("21", "22", "23", "24", "81"),  # Noordwijk, Brabant, Colignon, Haachtse steenweg, station Schaarbeek
    "midden": ("26", "27", "80", "82", "901"),  # Dailly, Josaphat, Helmet, Terdelt, Josaphatpark
    "oost": ("28", "30", "85", "87", "700"),  # Plasky, Tervurense poort, station Josaphat, Reyers, kerkhof
}
HIDDEN = "—"  # a hidden count, whatever the reason it is hidden (pages translate it)
# A quartier belongs to the commune when this share of its surface lies inside the commune (as Area.clip).
COMMUNE_SHARE = 0.2
SHARE_COLUMNS: tuple[str, ...] = (*(f"lacking_{f}" for f in vocabulary.FUNCTIONS), "bonding_only", "vulnerable", "rich")
FIGURE_COLUMNS: tuple[str, ...] = (*SHARE_COLUMNS, "mean_size", "dormant")
TABLE_COLUMNS: tuple[str, ...] = ("group", "citizens", "n", "suppressed", *FIGURE_COLUMNS)


def commune_quartiers(quartiers: gpd.GeoDataFrame, boundary: shapely.Geometry) -> tuple[str, ...]:
    """Return the codes (mdrc as text) of the quartiers that make up the commune inside `boundary`."""
    geoms = quartiers.geometry.to_numpy()
    share = shapely.area(shapely.intersection(geoms, boundary)) / shapely.area(geoms)
    return tuple(sorted(quartiers.loc[share >= COMMUNE_SHARE, "mdrc"].astype(str), key=_code_order))


def hidden_cells(counts: Mapping[str, int], totals: Mapping[str, Sequence[str]], *, min_group: int = MIN_GROUP) -> set[str]:
    """Return the cells (leaves, then totals) to hide: primary cells under `min_group`, then complementary ones.

    Parameters
    ----------
    counts
        Citizens per leaf (a quartier), every fixed leaf included, zeros too.
    totals
        Each published total and the leaves it adds up (the commune, its groups); two totals are either
        one inside the other or apart.
    min_group
        The smallest group of citizens that may be shown.

    Returns
    -------
    set of str
        The names of the hidden leaves and hidden totals.
    """
    hidden = {leaf for leaf, n in counts.items() if n < min_group}
    hidden |= {name for name, leaves in totals.items() if sum(counts[leaf] for leaf in leaves) < min_group}
    changed = True
    while changed:  # totals may share leaves: repeat until no published sum gives a hidden group away
        changed = False
        for name, leaves, inner in _published_sums(totals, hidden):
            inside = [leaf for leaf in leaves if leaf in hidden]
            held = sum(counts[leaf] for leaf in inside)
            holding = sum(1 for leaf in inside if counts[leaf] > 0)
            if held == 0 or (held >= min_group and holding >= 2):
                continue
            shown = sorted((leaf for leaf in leaves if leaf not in hidden), key=lambda leaf: (counts[leaf], _code_order(leaf)))
            hidden.add(shown[0] if shown else inner or name)  # no leaf left to hide: hide the inner total (or this one)
            changed = True
            break  # the published sums change with what is hidden
    return hidden


def _published_sums(totals: Mapping[str, Sequence[str]], hidden: set[str]) -> list[tuple[str, list[str], str | None]]:
    """Return every sum of leaves an attacker learns: each shown total, and each shown total less a shown total
    inside it (name, leaves, the inner total or None)."""
    shown = {name: list(leaves) for name, leaves in totals.items() if name not in hidden}
    sums: list[tuple[str, list[str], str | None]] = [(name, leaves, None) for name, leaves in shown.items()]
    for outer, outer_leaves in shown.items():
        parts = [(inner, set(leaves)) for inner, leaves in shown.items() if inner != outer and set(leaves) < set(outer_leaves)]
        for inner, inner_leaves in parts:
            sums.append((f"{outer}-{inner}", [leaf for leaf in outer_leaves if leaf not in inner_leaves], inner))
        if len(parts) > 1:  # the outer total less all its (disjoint) inner totals
            rest = set().union(*(leaves for _, leaves in parts))
            sums.append((f"{outer}-parts", [leaf for leaf in outer_leaves if leaf not in rest], parts[0][0]))
    return sums


def caseload_table(
    profiles: pd.DataFrame,
    *,
    quartiers: Sequence[str],
    commune: Sequence[str],
    groups: Mapping[str, Sequence[str]] | None = None,
    min_group: int = MIN_GROUP,
) -> pd.DataFrame:
    """Return the protected caseload figures: the commune's row, its groups' rows, then one row per quartier.

    Parameters
    ----------
    profiles
        `caseload.citizen_profiles` of all the organisation's citizens.
    quartiers
        The codes of every quartier of the region (the fixed units; one row each, empty ones too).
    commune
        The codes of the commune's quartiers: the commune's row is their sum.
    groups
        Fixed groups of the commune's quartiers (name -> codes; default GROUPS): one row each, named
        GROUP_PREFIX + name, the sum of its quartiers in the commune.
    min_group
        The smallest group of citizens that may be shown.

    Returns
    -------
    pandas.DataFrame
        TABLE_COLUMNS; a hidden row has `suppressed` True, `citizens` HIDDEN and no figure (None).
    """
    fixed = list(dict.fromkeys([*commune, *quartiers]))
    parts = commune_groups(commune, GROUPS if groups is None else groups)
    known = profiles[profiles["quartier"].astype(str).isin(fixed)]
    raw = caseload.caseload_gaps(known, by_quartier=True, min_group=0).set_index("group")
    totals = {COMMUNE: list(commune), **{GROUP_PREFIX + name: list(codes) for name, codes in parts.items()}}
    sizes = {}
    for name, codes in totals.items():
        inside = known[known["quartier"].astype(str).isin(set(codes))]
        raw.loc[name] = caseload.caseload_gaps(inside, by_quartier=False, min_group=0).set_index("group").loc[caseload.ALL]
        sizes[name] = len(inside)
    counts = known["quartier"].astype(str).value_counts().reindex(fixed, fill_value=0).astype(int).to_dict()
    hidden = hidden_cells(counts, totals, min_group=min_group)
    rows = [_row(name, sizes[name], raw, name in hidden) for name in totals]
    rows += [_row(code, counts[code], raw, code in hidden) for code in fixed]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def commune_groups(commune: Sequence[str], groups: Mapping[str, Sequence[str]] = GROUPS) -> dict[str, tuple[str, ...]]:
    """Return the fixed groups restricted to the commune's quartiers (a group with none left is dropped)."""
    inside = set(commune)
    parts = {name: tuple(code for code in codes if code in inside) for name, codes in groups.items()}
    return {name: codes for name, codes in parts.items() if codes}


def unit_rows(table: pd.DataFrame, unit: str, *, commune: Sequence[str], groups: Mapping[str, Sequence[str]] = GROUPS) -> pd.DataFrame:
    """Return the rows of `table` that a unit shows: the commune with its quartiers, a group with its quartiers,
    or one quartier."""
    if unit == COMMUNE:
        codes = [COMMUNE, *commune]
    elif unit.startswith(GROUP_PREFIX):
        codes = [unit, *commune_groups(commune, groups).get(unit.removeprefix(GROUP_PREFIX), ())]
    else:
        codes = [str(unit)]
    return table.set_index("group").loc[codes].reset_index()


def _row(group: str, n: int, raw: pd.DataFrame, hidden: bool) -> dict[str, object]:
    """Return one published row: the rounded figures of a group, or nothing when it is hidden."""
    row: dict[str, object] = {"group": group, "citizens": HIDDEN if hidden else str(n), "n": None if hidden else n, "suppressed": hidden}
    figures = raw.loc[group] if group in raw.index and not hidden else None
    for column in SHARE_COLUMNS:
        row[column] = None if figures is None else round(float(figures[column]), 2)
    row["mean_size"] = None if figures is None else round(float(figures["mean_size"]), 1)
    row["dormant"] = None if figures is None else int(figures["dormant"])
    return row


def _code_order(code: str) -> tuple[int, str]:
    """Return a sort key that puts quartier codes in numeric order."""
    return (int(code), "") if code.isdigit() else (np.iinfo(np.int32).max, code)
