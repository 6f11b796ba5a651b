"""Tests of the network indicators: members, functions, capitals, levels, links and the sentences about them."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from buurtkaart import indicators as ind_mod
from buurtkaart.i18n import TABLE, t
from buurtkaart.vocabulary import CRS, FUNCTIONS, LINK_COLUMNS, TIE_COLUMNS

DEFAULT_TIE: dict[str, Any] = {
    "citizen_id": "c1",
    "role": "friend",
    "capital": "bonding",
    "functions": ("verbindend",),
    "frequency": "weekly",
    "strength": "strong",
    "state": "active",
    "influence": "positive",
    "reciprocity": "both",
    "level": "buurt",
    "place_kind": "street",
    "place_ref": "Rue Royale",
    "place_label": "Rue Royale",
}


def tie_frame(*ties: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return a tie frame with the declared columns from partial dicts (defaults fill the rest)."""
    rows = [{**DEFAULT_TIE, "tie_id": f"t{i + 1}", **tie} for i, tie in enumerate(ties)]
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in TIE_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([4.37] * len(rows), [50.86] * len(rows)), crs=CRS)


def links(*pairs: tuple[str, str]) -> pd.DataFrame:
    """Return a who-knows-whom frame."""
    return pd.DataFrame(list(pairs), columns=list(LINK_COLUMNS))


def test_members_are_active_and_slapend_and_breuklijnen_are_reported_apart() -> None:
    ind = ind_mod.compute(tie_frame({}, {"state": "slapend"}, {"state": "breuklijn"}, {"state": "breuklijn"}))
    assert (ind.size, ind.active, ind.breuklijnen) == (2, 1, 2)
    assert ind.size_class == "vulnerable"


@pytest.mark.parametrize(("n", "expected"), [(0, "vulnerable"), (5, "vulnerable"), (6, "between"), (29, "between"), (30, "rich")])
def test_size_class_follows_the_seed_figures(n: int, expected: str) -> None:
    assert ind_mod.compute(tie_frame(*([{}] * n))).size_class == expected


def test_composition_groups_roles_as_the_seed_does() -> None:
    ties = tie_frame({"role": "family"}, {"role": "partner"}, {"role": "friend"}, {"role": "professional"}, {"role": "social_worker"}, {"role": "neighbour"})
    assert ind_mod.compute(ties).composition == {"family": 2, "friends": 1, "professionals": 2, "other": 1}


def test_functions_count_different_active_non_negative_ties() -> None:
    ties = tie_frame(
        {"functions": ("verbindend", "affectief")},
        {"functions": ("verbindend",)},
        {"functions": ("materieel",), "state": "slapend"},  # dormant: gives nothing now
        {"functions": ("informatief",), "influence": "negative"},  # destructive: does not fill a function
    )
    ind = ind_mod.compute(ties)
    assert ind.function_ties == {"materieel": 0, "affectief": 1, "informatief": 0, "verbindend": 2}
    assert ind_mod.missing_functions(ind) == ("materieel", "informatief")
    assert ind_mod.fragile_functions(ind) == ("affectief",)


def test_all_four_functions_by_different_people_needs_a_matching_not_just_coverage() -> None:
    one_person = ind_mod.compute(tie_frame({"functions": FUNCTIONS}))
    assert ind_mod.missing_functions(one_person) == ()
    assert not one_person.functions_by_different_people
    # Four people, but two of them only give verbindend: no way to give each function to a different person.
    crowded = tie_frame(
        {"functions": ("verbindend",)}, {"functions": ("verbindend",)},
        {"functions": ("materieel", "affectief", "informatief")}, {"functions": ("affectief", "verbindend")},
    )  # fmt: skip
    assert not ind_mod.compute(crowded).functions_by_different_people
    rich = tie_frame(
        {"functions": ("verbindend", "affectief")}, {"functions": ("affectief",)},
        {"functions": ("materieel", "verbindend")}, {"functions": ("informatief",)},
    )  # fmt: skip
    assert ind_mod.compute(rich).functions_by_different_people


def test_capitals_light_dormant_one_sided_negative_and_levels() -> None:
    ties = tie_frame(
        {"capital": "bonding", "strength": "light", "reciprocity": "receives"},
        {"capital": "bridging", "state": "slapend", "influence": "positive", "level": "stad"},
        {"capital": "bonding", "state": "slapend", "influence": "negative", "level": "translokaal"},
        {"capital": "linking", "influence": "negative", "reciprocity": "receives", "level": "stad"},
        {"capital": "bonding", "state": "slapend", "influence": "mixed", "strength": "light", "level": "translokaal"},
    )
    ind = ind_mod.compute(ties)
    assert ind.capital_counts == {"bonding": 3, "bridging": 1, "linking": 1}
    assert ind.capital_shares == pytest.approx({"bonding": 0.6, "bridging": 0.2, "linking": 0.2})
    assert ind.light_ties == 2
    assert ind.reactivatable == 2  # the positive and the mixed dormant tie, not the negative one
    assert ind.one_sided == 2
    assert ind.negative == 1
    assert ind.levels == {"buurt": 1, "stad": 2, "translokaal": 2}


def test_all_support_far_only_when_support_exists_and_none_is_in_the_buurt() -> None:
    far = tie_frame({"functions": ("affectief",), "level": "translokaal"}, {"functions": ("verbindend",), "level": "buurt"})
    assert ind_mod.compute(far).all_support_far
    near = tie_frame({"functions": ("affectief",), "level": "translokaal"}, {"functions": ("materieel",), "level": "buurt"})
    assert not ind_mod.compute(near).all_support_far
    dormant_near = tie_frame({"functions": ("affectief",), "level": "stad"}, {"functions": ("materieel",), "state": "slapend"})
    assert ind_mod.compute(dormant_near).all_support_far
    no_support = tie_frame({"functions": ("verbindend",), "level": "stad"})
    assert not ind_mod.compute(no_support).all_support_far


def test_links_give_density_isolated_members_and_clusters() -> None:
    ties = tie_frame({}, {}, {}, {}, {}, {"state": "breuklijn"})
    known = links(("t1", "t2"), ("t2", "t1"), ("t3", "t4"), ("t4", "t4"), ("t1", "t6"), ("t1", "nobody"))
    ind = ind_mod.compute(ties, known)
    # Members t1..t5; links among members: t1-t2 and t3-t4 (duplicates, self-links, breuklijn and unknown ignored).
    assert ind.density == pytest.approx(2 / 10)
    assert ind.isolated == 1
    assert ind.cluster_sizes == (2, 2)
    assert ind.clusters == 2
    without = ind_mod.compute(ties)
    assert (without.density, without.isolated, without.clusters) == (None, None, None)


def test_empty_network_gives_zeros_and_a_plain_sentence() -> None:
    ind = ind_mod.compute(tie_frame(), links())
    assert (ind.size, ind.density, ind.isolated, ind.clusters) == (0, 0.0, 0, 0)
    assert ind_mod.missing_functions(ind) == FUNCTIONS
    assert ind_mod.sentences(ind, lang="nl")[0] == "Er staat nog niemand in het netwerk."


def test_sentences_in_dutch_say_size_missing_functions_dormant_and_far_support() -> None:
    ties = tie_frame(
        {"functions": ("materieel",), "level": "stad"},
        {"functions": ("verbindend",), "level": "translokaal"},
        {"functions": ("informatief",), "state": "slapend"},
        {"functions": ("affectief",), "state": "slapend", "influence": "mixed"},
    )
    text = ind_mod.sentences(ind_mod.compute(ties), lang="nl")
    assert text[0] == "Het netwerk telt 4 personen: kwetsbaar (5 of minder; een rijk netwerk telt er ongeveer 30)."
    assert "Niemand geeft affectieve steun." in text
    assert "2 slapende banden kunnen opnieuw geactiveerd worden." in text
    assert "Alle steun komt van buiten de buurt." in text
    assert "Alle banden zijn bonding: er zijn geen bridging- of linking-banden." in text
    assert t("ind.light.none", "nl") in text
    assert "Samenstelling: familie 0, vrienden 4, hulpverleners 0, anderen 0" in text[1]


def test_sentences_exist_in_every_language_and_use_singulars() -> None:
    ties = tie_frame({"state": "slapend", "influence": "positive"}, {"reciprocity": "receives", "strength": "light"})
    for lang in ("nl", "fr", "en"):
        text = ind_mod.sentences(ind_mod.compute(ties, links()), lang=lang)
        assert all(s and "{" not in s and "ind." not in s for s in text), text
    en = ind_mod.sentences(ind_mod.compute(ties), lang="en")
    assert "1 dormant tie could be reactivated." in en
    assert "There is 1 light tie." in en
    fr = ind_mod.sentences(ind_mod.compute(ties), lang="fr")
    assert fr[0].startswith("Le réseau compte 2 personnes")


def test_rich_network_sentence_and_different_people() -> None:
    functions = [("verbindend",), ("affectief",), ("materieel",), ("informatief",)]
    ties = tie_frame(*[{"functions": functions[i % 4], "capital": ("bonding", "bridging")[i % 2]} for i in range(30)])
    text = ind_mod.sentences(ind_mod.compute(ties), lang="nl")
    assert text[0].startswith("Het netwerk telt 30 personen: een rijk netwerk")
    assert t("ind.functions.different", "nl") in text
    assert not any(s.startswith("Niemand") for s in text)


def test_summary_frame_holds_the_numbers_and_the_reference_figures() -> None:
    ties = tie_frame({"role": "family", "functions": ("affectief", "materieel")}, {"role": "professional", "level": "stad"})
    ind = ind_mod.compute(ties, links(("t1", "t2")))
    frame = ind_mod.summary_frame(ind, lang="fr").set_index(["section", "key"])
    assert list(frame.columns) == ["label", "value", "reference"]
    assert frame.loc[("size", "members"), "value"] == 2
    assert frame.loc[("composition", "family"), ["value", "reference"]].tolist() == [1, 12]
    assert frame.loc[("composition", "professionals"), ["value", "reference"]].tolist() == [1, 5]
    assert frame.loc[("function", "affectief"), "value"] == 1
    assert frame.loc[("function", "verbindend"), "value"] == 1  # the default tie gives verbindend
    assert frame.loc[("level", "stad"), "value"] == 1
    assert frame.loc[("links", "density"), "value"] == 1.0
    assert frame.loc[("composition", "family"), "label"] == "Famille"


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="functions"):
        ind_mod.compute(tie_frame({}).drop(columns="functions"))


def test_every_indicator_text_key_exists_in_the_table() -> None:
    keys = [k for k in TABLE if k.startswith("ind.")]
    assert {f"ind.missing.{f}" for f in FUNCTIONS} <= set(keys)
    assert {f"ind.size.{c}" for c in ind_mod.SIZE_CLASSES} <= set(keys)
    assert {f"ind.group.{g}" for g in ind_mod.ROLE_GROUP_KEYS} <= set(keys)


def test_a_tie_for_a_group_counts_its_people_not_its_row() -> None:
    """ "3 drinking friends" are one tie and three members of the network, three friends in the composition."""
    ind = ind_mod.compute(tie_frame({"strength": "light"}, {"role": "family"}).assign(group_size=[3, 1]))
    assert ind.size == 4 and ind.active == 4
    assert ind.composition["friends"] == 3
    assert ind.light_ties == 3
    assert ind.capital_counts["bonding"] == 4 and ind.levels["buurt"] == 4
    assert ind.function_ties["verbindend"] == 2  # two ties give company (functions count ties)
    # a frame without the column counts each tie once
    assert ind_mod.compute(tie_frame({}, {})).size == 2
