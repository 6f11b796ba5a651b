"""Statistical disclosure control of the caseload figures: no figure lets anyone work out a group of fewer
than 5 citizens, alone or combined with the other figures Buurtkaart publishes.

The rules, as statistics offices apply them to a table with totals:

1. Caseload figures exist for fixed units only: the commune (the sum of its quartiers) and each quartier.
   A freely drawn area gets none (two drawn areas that differ by a small circle would show its citizens).
2. Primary suppression: a quartier (or the commune) with fewer than MIN_GROUP citizens, none included,
   shows no figure at all. Every fixed unit is listed, so an absent row never says "nobody here".
3. Complementary suppression: where a published total holds hidden quartiers whose citizens add up to
   1–4 (or only one hidden quartier holds citizens), the smallest shown quartier of that total is
   hidden too, so that a subtraction or any linear combination of the published counts gives no hidden
   quartier and no group of fewer than MIN_GROUP citizens. Hidden cells look the same whatever the reason.
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
        Each published total and the leaves it adds up.
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
    while changed:  # totals may share leaves: repeat until no published total gives a hidden group away
        changed = False
        for name, leaves in totals.items():
            if name in hidden:
                continue
            inside = [leaf for leaf in leaves if leaf in hidden]
            held = sum(counts[leaf] for leaf in inside)
            holding = sum(1 for leaf in inside if counts[leaf] > 0)
            if held == 0 or (held >= min_group and holding >= 2):
                continue
            shown = sorted((leaf for leaf in leaves if leaf not in hidden), key=lambda leaf: (counts[leaf], _code_order(leaf)))
            if not shown:
                hidden.add(name)  # cannot happen for a sum of its leaves, kept as the safe answer
            else:
                hidden.add(shown[0])
            changed = True
    return hidden


def caseload_table(
    profiles: pd.DataFrame, *, quartiers: Sequence[str], commune: Sequence[str], min_group: int = MIN_GROUP
) -> pd.DataFrame:
    """Return the protected caseload figures: the commune's row, then one row per quartier (every fixed unit).

    Parameters
    ----------
    profiles
        `caseload.citizen_profiles` of all the organisation's citizens.
    quartiers
        The codes of every quartier of the region (the fixed units; one row each, empty ones too).
    commune
        The codes of the commune's quartiers: the commune's row is their sum.
    min_group
        The smallest group of citizens that may be shown.

    Returns
    -------
    pandas.DataFrame
        TABLE_COLUMNS; a hidden row has `suppressed` True, `citizens` HIDDEN and no figure (None).
    """
    fixed = list(dict.fromkeys([*commune, *quartiers]))
    known = profiles[profiles["quartier"].astype(str).isin(fixed)]
    raw = caseload.caseload_gaps(known, by_quartier=True, min_group=0).set_index("group")
    in_commune = known[known["quartier"].astype(str).isin(set(commune))]
    raw.loc[COMMUNE] = caseload.caseload_gaps(in_commune, by_quartier=False, min_group=0).set_index("group").loc[caseload.ALL]
    counts = known["quartier"].astype(str).value_counts().reindex(fixed, fill_value=0).astype(int).to_dict()
    hidden = hidden_cells(counts, {COMMUNE: list(commune)}, min_group=min_group)
    rows = [_row(COMMUNE, len(in_commune), raw, COMMUNE in hidden)]
    rows += [_row(code, counts[code], raw, code in hidden) for code in fixed]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def unit_rows(table: pd.DataFrame, unit: str, *, commune: Sequence[str]) -> pd.DataFrame:
    """Return the rows of `table` that a unit shows: the commune with its quartiers, or one quartier."""
    groups = [COMMUNE, *commune] if unit == COMMUNE else [str(unit)]
    return table.set_index("group").loc[groups].reset_index()


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
