"""Indicators of one citizen's network against the seed's reference figures, and plain sentences about them.

Who counts as a member: ties that are active or slapend (a dormant tie is still someone the citizen knows
and may reactivate). A breuklijn is a rupture: it is not counted as a member but reported on its own.
What counts as support: a function is covered by active ties whose influence is not negative (a destructive
contact does not fill a function, even when the citizen keeps it). Reciprocity is judged on active ties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from buurtkaart.i18n import t
from buurtkaart.vocabulary import CAPITALS, FUNCTIONS, LEVELS, LINK_COLUMNS, ROLE_GROUPS, TIE_COLUMNS, label

# The seed's reference figures: vulnerable networks ~5 members, rich ones ~30 (12 family, 13 friends, 5 professionals).
VULNERABLE_MAX = 5
RICH_MIN = 30
REFERENCE_COMPOSITION: dict[str, int] = {"family": 12, "friends": 13, "professionals": 5}
ROLE_GROUP_KEYS: tuple[str, ...] = ("family", "friends", "professionals", "other")
SIZE_CLASSES: tuple[str, ...] = ("vulnerable", "between", "rich")
MEMBER_STATES: tuple[str, ...] = ("active", "slapend")
# Support that a person usually needs close by: practical help and emotional support.
NEAR_SUPPORT: tuple[str, ...] = ("affectief", "materieel")
SUMMARY_COLUMNS: tuple[str, ...] = ("section", "key", "label", "value", "reference")


@dataclass(frozen=True)
class NetworkIndicators:
    """What one citizen's network looks like, in numbers (link figures are None when no links were given)."""

    size: int  # members: active + slapend ties
    active: int
    size_class: str  # one of SIZE_CLASSES
    breuklijnen: int  # ruptures, not counted in `size`
    composition: dict[str, int]  # role group (ROLE_GROUP_KEYS) -> members
    function_ties: dict[str, int]  # function -> how many different active, non-negative ties give it
    functions_by_different_people: bool  # all four functions can be given by four different people
    capital_counts: dict[str, int]  # capital -> members
    capital_shares: dict[str, float]  # capital -> share of the members (0 when there are none)
    light_ties: int  # members with a light tie (lichte binding)
    reactivatable: int  # slapend ties with a positive or mixed influence
    one_sided: int  # active ties where the citizen only receives
    negative: int  # active ties with a negative influence
    mixed: int  # active ties with a mixed influence
    levels: dict[str, int]  # level -> members
    near_support: int  # active, non-negative buurt ties giving affectief or materieel support
    all_support_far: bool  # there is affectief/materieel support, but none of it in the buurt
    density: float | None = None  # links among members / possible links
    isolated: int | None = None  # members who know no other member
    cluster_sizes: tuple[int, ...] | None = None  # sizes of groups of 2+ members who know each other, largest first

    @property
    def clusters(self) -> int | None:
        """Return the number of groups of two or more members who know each other (None without links)."""
        return None if self.cluster_sizes is None else len(self.cluster_sizes)


def compute(ties: pd.DataFrame, links: pd.DataFrame | None = None) -> NetworkIndicators:
    """Return the indicators of one citizen's network against the seed's figures.

    Parameters
    ----------
    ties
        The citizen's ties (``vocabulary.TIE_COLUMNS``).
    links
        Who knows whom among them (``vocabulary.LINK_COLUMNS``); None leaves the link figures out.

    Returns
    -------
    NetworkIndicators
        Size against 5 and 30, family / friends / professionals, functions and who fills them, capitals,
        states; ``sentences(ind, lang=lang)`` says them in plain words.

    Example
    -------
    >>> ind = compute(list_ties(store, org, citizen_id), list_links(store, org, citizen_id))  # doctest: +SKIP
    """
    frame = _checked(ties, TIE_COLUMNS, "ties")
    state = frame["state"].astype(str)
    members = member_ties(frame)
    active = frame[state == "active"]
    supportive = supportive_ties(frame)
    pairs = function_pairs(supportive)
    function_ties = pairs.groupby("function")["tie_id"].nunique().reindex(list(FUNCTIONS), fill_value=0)
    # Company ("verbindend") is given by every active tie that gives it, a harmful one too (the drinking friends).
    company = function_pairs(active)
    function_ties["verbindend"] = company.loc[company["function"] == "verbindend", "tie_id"].nunique()
    near = pairs[pairs["function"].isin(NEAR_SUPPORT)]
    near_ids = set(near["tie_id"])
    near_buurt = supportive[supportive["tie_id"].isin(near_ids) & (supportive["level"].astype(str) == "buurt")]
    size = people(members)
    capital_counts = _counts(members["capital"], CAPITALS, weights=group_sizes(members))
    result = {
        "size": size,
        "active": people(active),
        "size_class": size_class(size),
        "breuklijnen": int((state == "breuklijn").sum()),
        "composition": _counts(members["role"].map(ROLE_GROUPS).fillna("other"), ROLE_GROUP_KEYS, weights=group_sizes(members)),
        "function_ties": {f: int(n) for f, n in function_ties.items()},
        "functions_by_different_people": _distinct_cover(pairs),
        "capital_counts": capital_counts,
        "capital_shares": {c: (n / size if size else 0.0) for c, n in capital_counts.items()},
        "light_ties": people(members[members["strength"].astype(str) == "light"]),
        "reactivatable": int(((state == "slapend") & frame["influence"].isin(("positive", "mixed"))).sum()),
        "one_sided": int((active["reciprocity"].astype(str) == "receives").sum()),
        "negative": int((active["influence"].astype(str) == "negative").sum()),
        "mixed": int((active["influence"].astype(str) == "mixed").sum()),
        "levels": _counts(members["level"], LEVELS, weights=group_sizes(members)),
        "near_support": len(near_buurt),
        "all_support_far": bool(near_ids) and near_buurt.empty,
    }
    if links is not None:
        result.update(_link_figures(members["tie_id"], links))
    return NetworkIndicators(**result)


def group_sizes(ties: pd.DataFrame) -> pd.Series:
    """Return how many people each tie stands for (its `group_size`; 1 where it has none)."""
    if "group_size" not in ties.columns:
        return pd.Series(1, index=ties.index, dtype="int64")
    return pd.to_numeric(ties["group_size"], errors="coerce").fillna(1).clip(lower=1).astype("int64")


def people(ties: pd.DataFrame) -> int:
    """Return how many people some ties stand for ("3 drinking friends" count as 3 members)."""
    return int(group_sizes(ties).sum())


def member_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """Return the ties that count as members of the network: active and slapend (a breuklijn is no longer one)."""
    return ties[ties["state"].astype(str).isin(MEMBER_STATES)]


def supportive_ties(ties: pd.DataFrame) -> pd.DataFrame:
    """Return the ties that fill the functions they give: active, without a negative influence."""
    return ties[(ties["state"].astype(str) == "active") & (ties["influence"].astype(str) != "negative")]


def size_class(size: int) -> str:
    """Return "vulnerable" (≤ 5 members), "rich" (≥ 30) or "between"."""
    if size <= VULNERABLE_MAX:
        return "vulnerable"
    return "rich" if size >= RICH_MIN else "between"


def missing_functions(ind: NetworkIndicators) -> tuple[str, ...]:
    """Return the functions no active, non-negative tie gives, in FUNCTIONS order."""
    return tuple(f for f in FUNCTIONS if ind.function_ties.get(f, 0) == 0)


def fragile_functions(ind: NetworkIndicators) -> tuple[str, ...]:
    """Return the functions that rest on one person only, in FUNCTIONS order."""
    return tuple(f for f in FUNCTIONS if ind.function_ties.get(f, 0) == 1)


def function_pairs(ties: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (tie_id, function) of known functions, without duplicates."""
    if ties.empty:
        return pd.DataFrame({"tie_id": pd.Series(dtype=object), "function": pd.Series(dtype=object)})
    pairs = pd.DataFrame({"tie_id": ties["tie_id"].to_numpy(), "function": ties["functions"].map(as_keys).to_numpy()})
    pairs = pairs.explode("function").dropna(subset=["function"])
    return pairs[pairs["function"].isin(FUNCTIONS)].drop_duplicates().reset_index(drop=True)


def as_keys(value: object) -> tuple[str, ...]:
    """Return a tuple of keys from a tuple, list, array or single string (empty for None/NaN)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return ()


def sentences(ind: NetworkIndicators, *, lang: str) -> list[str]:
    """Return plain sentences about the network in `lang`, most important first."""
    out = [_size_sentence(ind, lang)]
    if ind.breuklijnen:
        out.append(_plural("ind.breuklijn", ind.breuklijnen, lang))
    if ind.size:
        ref = {f"ref_{k}": v for k, v in REFERENCE_COMPOSITION.items()}
        out.append(t("ind.composition", lang, **ind.composition, **ref))
    missing = missing_functions(ind)
    out += [t(f"ind.missing.{f}", lang) for f in missing]
    if not missing:
        out.append(t("ind.functions.different" if ind.functions_by_different_people else "ind.functions.same", lang))
    if ind.all_support_far:
        out.append(t("ind.support_far", lang))
    if ind.reactivatable:
        out.append(_plural("ind.reactivate", ind.reactivatable, lang))
    if ind.size:
        out.append(t("ind.capital", lang, **{c: round(100 * s) for c, s in ind.capital_shares.items()}))
        if ind.capital_counts["bonding"] == ind.size:
            out.append(t("ind.capital.homogeneous", lang))
        out.append(t("ind.levels", lang, **ind.levels))
        out.append(_plural("ind.light", ind.light_ties, lang) if ind.light_ties else t("ind.light.none", lang))
    if ind.one_sided:
        out.append(_plural("ind.one_sided", ind.one_sided, lang))
    if ind.negative:
        out.append(_plural("ind.negative", ind.negative, lang))
    if ind.density is not None and ind.size >= 2:
        out.append(t("ind.density", lang, percent=round(100 * ind.density)))
    if ind.isolated:
        out.append(_plural("ind.isolated", ind.isolated, lang))
    if ind.clusters is not None and ind.clusters >= 2:
        out.append(t("ind.clusters", lang, n=ind.clusters))
    return out


def summary_frame(ind: NetworkIndicators, *, lang: str = "nl") -> pd.DataFrame:
    """Return the indicators as rows [section, key, label, value, reference] for a chart or a table."""
    rows: list[tuple[str, str, str, float, float]] = [
        ("size", "members", t("ind.row.members", lang), ind.size, float(RICH_MIN)),
        ("size", "breuklijn", label("state", "breuklijn", lang), ind.breuklijnen, np.nan),
    ]
    rows += [
        ("composition", g, t(f"ind.group.{g}", lang), n, float(REFERENCE_COMPOSITION.get(g, np.nan)))
        for g, n in ind.composition.items()
    ]
    rows += [("function", f, label("function", f, lang), n, np.nan) for f, n in ind.function_ties.items()]
    rows += [("capital", c, label("capital", c, lang), n, np.nan) for c, n in ind.capital_counts.items()]
    rows += [("level", lv, label("level", lv, lang), n, np.nan) for lv, n in ind.levels.items()]
    for key in ("light_ties", "reactivatable", "one_sided", "negative"):
        rows.append(("quality", key, t(f"ind.row.{key}", lang), getattr(ind, key), np.nan))
    if ind.density is not None:
        rows.append(("links", "density", t("ind.row.density", lang), ind.density, np.nan))
        rows.append(("links", "isolated", t("ind.row.isolated", lang), ind.isolated, np.nan))
        rows.append(("links", "clusters", t("ind.row.clusters", lang), ind.clusters, np.nan))
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame["value"] = frame["value"].astype(float)
    return frame


def _checked(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """Return `frame` if it has the declared columns; raise ValueError naming the missing ones."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"The {what} frame lacks the columns {missing!r}."
        raise ValueError(msg)
    return frame


def _counts(values: pd.Series, keys: tuple[str, ...], *, weights: pd.Series | None = None) -> dict[str, int]:
    """Return how often each key occurs in `values` (each row counted `weights` times), in the order of `keys`."""
    if weights is None:
        counts = values.astype(str).value_counts()
    else:
        counts = weights.groupby(values.astype(str).to_numpy()).sum()
    return {k: int(counts.get(k, 0)) for k in keys}


def _distinct_cover(pairs: pd.DataFrame) -> bool:
    """Return whether each of the four functions can be given by a different tie (a bipartite matching)."""
    if pairs["function"].nunique() < len(FUNCTIONS):
        return False
    rows = pairs["function"].map({f: i for i, f in enumerate(FUNCTIONS)}).to_numpy()
    cols, tie_ids = pd.factorize(pairs["tie_id"])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(FUNCTIONS), len(tie_ids)))
    match = maximum_bipartite_matching(graph, perm_type="column")
    return bool((match >= 0).all())


def _link_figures(member_ids: pd.Series, links: pd.DataFrame) -> dict[str, object]:
    """Return density, isolated members and cluster sizes from who-knows-whom among the members."""
    _checked(links, LINK_COLUMNS, "links")
    ids = pd.Index(pd.unique(member_ids.astype(str)))
    n = len(ids)
    a = ids.get_indexer(links["tie_a"].astype(str))
    b = ids.get_indexer(links["tie_b"].astype(str))
    keep = (a >= 0) & (b >= 0) & (a != b)
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    edges = np.unique(np.column_stack([lo, hi]), axis=0) if keep.any() else np.empty((0, 2), dtype=int)
    possible = n * (n - 1) / 2
    degree = np.bincount(edges.ravel(), minlength=n) if n else np.zeros(0, dtype=int)
    if n:
        matrix = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
        _, labels = connected_components(matrix, directed=False)
        sizes = np.bincount(labels)
    else:
        sizes = np.zeros(0, dtype=int)
    return {
        "density": float(len(edges) / possible) if possible else 0.0,
        "isolated": int((degree == 0).sum()),
        "cluster_sizes": tuple(int(s) for s in sorted(sizes[sizes >= 2], reverse=True)),
    }


def _size_sentence(ind: NetworkIndicators, lang: str) -> str:
    """Return the sentence on the number of members and what it means against the seed's figures."""
    if ind.size == 0:
        return t("ind.size.none", lang)
    people = _plural("ind.people", ind.size, lang)
    return t(f"ind.size.{ind.size_class}", lang, people=people, vulnerable=VULNERABLE_MAX, rich=RICH_MIN)


def _plural(key: str, n: int, lang: str) -> str:
    """Return the text of `key`.one for one, `key`.many (with {n}) otherwise."""
    return t(f"{key}.one", lang) if n == 1 else t(f"{key}.many", lang, n=n)
