"""Organisations kept apart, roles enforced: every package function given an Actor acts only in its organisation."""

from __future__ import annotations

from datetime import date

import pytest

from buurtkaart import accounts, consent, erasure, exchange, organisations, vocabulary_entries
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart import saved_rounds as sr
from buurtkaart import vindplaatsen as vp
from buurtkaart.accounts import AccessDeniedError, Actor
from buurtkaart.errors import BuurtkaartError
from buurtkaart.store import Store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import (  # noqa: F401
    BOX,
    database_url_fixture,
    open_stores_fixture,
    postgres_admin_fixture,
    store_fixture,
)
from tests.test_saved_rounds import SETTINGS

PASSWORD = "blauwe fiets op de markt"
ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
TIE = {"role": "friend", "capital": "bonding", "functions": ["affectief"], "frequency": "weekly", "strength": "strong",
       "state": "active", "influence": "positive", "reciprocity": "both", "level": "stad", "place_kind": "municipality",
       "place_ref": "evere", "place_label": "Evere", "lon": 4.4030741, "lat": 50.8726183}  # fmt: skip
VP = {"layer": "vindplaats", "name": "Theehuis Assalam", "kind": "tea_house", "lon": 4.3725, "lat": 50.8610, "bounds": BOX}


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the citizens' pseudonyms a key from the environment."""
    monkeypatch.setenv(pseudo.KEY_ENV, "an-access-test-key-that-is-long-enough-0123456789")


@pytest.fixture
def world(store: Store) -> dict:
    """Two organisations, each with a citizen (and a tie, a version), a vindplaats and a round; users of A and B."""
    a, b = organisations.ensure(store, "LDC A"), organisations.ensure(store, "LDC B")
    made = {"a": a, "b": b}
    for key, org in (("a", a), ("b", b)):
        person = cz.create_citizen(store, org, reference=f"REF-{key}", anchor=ANCHOR)
        tie = cz.add_ties(store, org, person.citizen_id, [TIE, {**TIE, "role": "neighbour"}])
        version = cz.save_version(store, org, person.citizen_id, on=date(2026, 1, 5))
        item = vp.add(store, org, user="admin", **VP)
        saved = sr.save_round(store, org, user="admin", name="Ronde", settings=SETTINGS)
        made[key + "_citizen"], made[key + "_code"], made[key + "_tie"] = person.citizen_id, person.code, tie[0].id
        made[key + "_version"], made[key + "_item"], made[key + "_round"] = version.id, item.id, saved.id
    for name, org, role in (("wout", a, "worker"), ("vera", a, "viewer"), ("cor", a, "coordinator"), ("bart", b, "worker")):
        made[name] = accounts.create_user(store, None, username=name, password=PASSWORD, organisation_id=org, role=role)
    return made


def test_a_worker_of_a_sees_only_a(store: Store, world: dict) -> None:
    wout: Actor = world["wout"]
    assert cz.list_citizens(store, wout)["code"].tolist() == [world["a_code"]]
    assert set(cz.all_ties(store, wout)["citizen_id"]) == {world["a_citizen"]}
    assert vp.list_items(store, wout)["id"].tolist() == [world["a_item"]]
    assert [r.id for r in sr.list_rounds(store, wout)] == [world["a_round"]]
    assert cz.find_by_code(store, wout, world["b_code"]) is None  # B's code typed into A's search
    assert cz.find_by_reference(store, wout, "REF-b") is None


@pytest.mark.parametrize(
    "attempt",
    [
        lambda s, w, x: cz.get_citizen(s, w, x["b_citizen"]),
        lambda s, w, x: cz.list_ties(s, w, x["b_citizen"]),
        lambda s, w, x: cz.list_links(s, w, x["b_citizen"]),
        lambda s, w, x: cz.list_versions(s, w, x["b_citizen"]),
        lambda s, w, x: cz.get_tie(s, w, x["b_tie"]),
        lambda s, w, x: cz.version_ties(s, w, x["b_version"]),
        lambda s, w, x: cz.update_citizen(s, w, x["b_citizen"], age_band="65+"),
        lambda s, w, x: cz.add_ties(s, w, x["b_citizen"], [TIE]),
        lambda s, w, x: cz.update_tie(s, w, x["b_tie"], frequency="daily"),
        lambda s, w, x: cz.delete_tie(s, w, x["b_tie"]),
        lambda s, w, x: cz.save_version(s, w, x["b_citizen"], on=date(2026, 2, 1)),
        lambda s, w, x: cz.redate_version(s, w, x["b_version"], on=date(2026, 2, 2)),
        lambda s, w, x: cz.set_links(s, w, x["b_citizen"], []),
        lambda s, w, x: consent.record_consent(s, w, x["b_citizen"], given=True, given_on=date(2026, 1, 1)),
        lambda s, w, x: vp.get(s, w, x["b_item"]),
        lambda s, w, x: vp.update(s, w, x["b_item"], expected_version=1, name="Overgenomen"),
        lambda s, w, x: vp.delete(s, w, x["b_item"], expected_version=1),
        lambda s, w, x: sr.get_round(s, w, x["b_round"]),
        lambda s, w, x: sr.delete_round(s, w, x["b_round"], expected_version=1),
    ],
)
def test_a_worker_of_a_cannot_read_or_change_b_by_its_ids(store: Store, world: dict, attempt) -> None:
    with pytest.raises(BuurtkaartError):
        attempt(store, world["wout"], world)
    b = world["b"]
    assert cz.get_citizen(store, b, world["b_citizen"]).age_band == ""
    assert len(cz.list_ties(store, b, world["b_citizen"])) == 2
    assert len(cz.list_versions(store, b, world["b_citizen"])) == 1
    assert consent.consents(store, b, world["b_citizen"]) == []
    assert vp.get(store, b, world["b_item"]).name == VP["name"] and vp.get(store, b, world["b_item"]).version == 1
    assert sr.get_round(store, b, world["b_round"]).version == 1


def test_nobody_of_a_erases_b(store: Store, world: dict) -> None:
    for who in (world["wout"], world["cor"]):
        with pytest.raises(BuurtkaartError):
            erasure.erase_citizen(store, who, world["b_citizen"])
        with pytest.raises(BuurtkaartError):
            cz.erase_citizen(store, who, world["b_citizen"])
    assert cz.get_citizen(store, world["b"], world["b_citizen"]).code == world["b_code"]


def test_a_viewer_sees_the_map_but_no_citizen_and_changes_nothing(store: Store, world: dict) -> None:
    vera = world["vera"]
    assert vp.list_items(store, vera)["id"].tolist() == [world["a_item"]]
    assert [r.id for r in sr.list_rounds(store, vera)] == [world["a_round"]]
    for refused in (
        lambda: cz.list_citizens(store, vera),
        lambda: cz.all_ties(store, vera),
        lambda: cz.get_citizen(store, vera, world["a_citizen"]),
        lambda: cz.create_citizen(store, vera, anchor=ANCHOR),
        lambda: vp.add(store, vera, **VP),
        lambda: vp.update(store, vera, world["a_item"], expected_version=1, name="Anders"),
        lambda: sr.save_round(store, vera, name="Mijn ronde", settings=SETTINGS),
        lambda: vocabulary_entries.add_entry(store, vera, "talents", "koken_extra"),
    ):
        with pytest.raises(AccessDeniedError):
            refused()
    assert vp.get(store, world["a"], world["a_item"]).name == VP["name"]


def test_erasure_and_export_are_for_the_coordinator(store: Store, world: dict, tmp_path) -> None:
    wout, cor = world["wout"], world["cor"]
    with pytest.raises(AccessDeniedError):
        erasure.erase_citizen(store, wout, world["a_citizen"])
    with pytest.raises(AccessDeniedError):
        exchange.export_bytes(store, wout, suffix=".geojson")
    assert b"Theehuis Assalam" in exchange.export_bytes(store, cor, suffix=".geojson")
    assert erasure.erase_citizen(store, cor, world["a_citizen"]).rows >= 3
    assert cz.list_citizens(store, cor).empty


def test_history_names_the_signed_in_user_not_a_typed_name(store: Store, world: dict) -> None:
    wout = world["wout"]
    item = vp.add(store, wout, user="somebody else", **{**VP, "name": "Wasserette", "lon": 4.376})
    changed = vp.update(store, wout, item.id, user="typed", expected_version=1, notes="open")
    log = vp.history(store, wout, item.id)
    assert set(log["user"]) == {wout.user_id} and changed.version == 2
    assert accounts.display_names(store, world["a"])[wout.user_id] == "wout"


def test_a_stale_edit_names_the_username_of_who_changed_it_not_the_account_id(store: Store, world: dict) -> None:
    wout, cor = world["wout"], world["cor"]
    item = vp.get(store, wout, world["a_item"])
    vp.update(store, cor, item.id, expected_version=item.version, notes="open op zondag")
    with pytest.raises(vp.StaleEditError) as stale:
        vp.update(store, wout, item.id, expected_version=item.version, notes="gesloten")
    assert stale.value.changed_by == "cor"
    text = stale.value.message("nl")
    assert "door cor (" in text and cor.user_id not in text
    saved = sr.get_round(store, wout, world["a_round"])
    sr.update_round(store, cor, saved.id, expected_version=saved.version, name="Ronde Noord", settings=SETTINGS)
    with pytest.raises(sr.RoundError) as stale_round:
        sr.update_round(store, wout, saved.id, expected_version=saved.version, name="Ronde Zuid", settings=SETTINGS)
    assert "door cor" in stale_round.value.message("nl") and cor.user_id not in stale_round.value.message("nl")


def test_shown_users_names_accounts_of_the_organisation_only(store: Store, world: dict) -> None:
    wout, bart = world["wout"], world["bart"]
    shown = accounts.shown_users(store, world["a"], [wout.user_id, "cli", bart.user_id])
    assert shown == ["wout", "cli", bart.user_id]  # B's account is not named to A
