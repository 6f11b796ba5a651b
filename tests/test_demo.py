"""Tests of the demo data: the seed's statistics in the generated networks, the named cases, and loading it."""

from __future__ import annotations

import itertools
from collections import Counter

import pandas as pd
import pytest
import shapely

from buurtkaart import caseload, demo, organisations
from buurtkaart import citizens as cz
from buurtkaart import gazetteer as gz
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area, commune_boundary
from buurtkaart.store import Store
from buurtkaart.vocabulary import FUNCTIONS, PLACE_KINDS, ROLE_GROUPS, VOCABULARIES, Location
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

REGION_BOX = (4.24, 50.76, 4.49, 50.92)  # the Brussels-Capital Region, a little generous


@pytest.fixture(scope="module")
def specs() -> list[demo.CitizenSpec]:
    """Return the demo citizens as generated (no store)."""
    return demo.citizen_specs()


@pytest.fixture(scope="module")
def ties(specs: list[demo.CitizenSpec]) -> pd.DataFrame:
    """Return one row per tie of the demo citizens."""
    return demo.spec_frame(specs)


@pytest.fixture(scope="module")
def plan(region: Area) -> demo.DemoPlan:
    """Return the demo placed on the region through the gazetteer."""
    return demo.plan_demo(region)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the citizens' pseudonyms a key from the environment (never a key file in the home folder)."""
    monkeypatch.setenv(pseudo.KEY_ENV, "a-demo-test-key-that-is-long-enough-42")


def in_box(location: Location) -> bool:
    """Return True when a Location lies in the Brussels region's box."""
    west, south, east, north = REGION_BOX
    return west <= location.lon <= east and south <= location.lat <= north


def case(specs: list[demo.CitizenSpec], name: str) -> demo.CitizenSpec:
    """Return the named case `name`."""
    found = [s for s in specs if s.case == name]
    assert len(found) == 1, name
    return found[0]


# --- the generated networks follow the seed ---


def test_about_forty_invented_citizens_with_distinct_references(specs: list[demo.CitizenSpec]) -> None:
    assert 35 <= len(specs) <= 45
    assert len({s.reference for s in specs}) == len(specs)
    assert all(s.reference.startswith("DEMO-") for s in specs)
    assert "fictief" in demo.DEMO_ORGANISATION


def test_vulnerable_networks_have_about_five_members_mostly_bonding(ties: pd.DataFrame) -> None:
    vulnerable = ties[ties["vulnerable"]]
    sizes = vulnerable.groupby("reference").size()
    assert len(sizes) >= 25
    assert 4.0 <= sizes.mean() <= 6.5
    assert sizes.max() <= 9
    share = vulnerable["capital"].value_counts(normalize=True)
    assert share["bonding"] > 0.55  # mostly bonding
    assert share["bonding"] > 2 * share["bridging"]  # little bridging
    assert share.get("linking", 0.0) < 0.12  # hardly linking
    assert share.get("linking", 0.0) < share["bridging"]


def test_rich_networks_are_12_family_13_friends_5_professionals(ties: pd.DataFrame) -> None:
    rich = ties[ties["profile"] == "rich"]
    assert rich["reference"].nunique() >= 3
    for _reference, network in rich.groupby("reference"):
        assert len(network) == 30
        groups = Counter(ROLE_GROUPS[role] for role in network["role"])
        assert groups == {"family": 12, "friends": 13, "professionals": 5}
        assert network["frequency"].isin(["daily", "weekly"]).mean() > 0.6  # frequent contacts
        assert network["capital"].nunique() >= 2  # varied


def test_rich_networks_have_all_four_functions_filled_by_different_people(ties: pd.DataFrame) -> None:
    for _reference, network in ties[ties["profile"] == "rich"].groupby("reference"):
        holders = {
            f: [ref for ref, fs in zip(network["ref"], network["functions"], strict=True) if f in fs] for f in FUNCTIONS
        }
        assert all(holders.values())
        # four different people, one per function (a system of distinct representatives)
        assert any(len(set(choice)) == 4 for choice in itertools.product(*(h[:8] for h in holders.values())))
        assert all(len(h) >= 3 for h in holders.values())


def test_people_in_poverty_have_2_family_members_and_3_professionals(ties: pd.DataFrame) -> None:
    poor = ties[ties["profile"] == "poverty"]
    assert poor["reference"].nunique() >= 4
    for _reference, network in poor.groupby("reference"):
        assert Counter(ROLE_GROUPS[role] for role in network["role"]) == {"family": 2, "professionals": 3}
        professionals = network[network["role"].map(ROLE_GROUPS) == "professionals"]
        assert (professionals["reciprocity"] == "receives").all()  # they only receive there


def test_every_value_is_in_the_vocabularies(ties: pd.DataFrame, specs: list[demo.CitizenSpec]) -> None:
    for field in ("role", "capital", "frequency", "strength", "state", "influence", "reciprocity", "level"):
        assert set(ties[field]) <= set(VOCABULARIES[field]), field
    assert all(fs and set(fs) <= set(FUNCTIONS) for fs in ties["functions"])
    assert all(t.intake_state in (None, *VOCABULARIES["state"]) for s in specs for t in s.ties)
    for spec in specs:
        assert spec.age_band in VOCABULARIES["age_band"]
        assert set(spec.interests) <= set(demo.INTERESTS)
        assert set(spec.languages) <= set(vp.SPOKEN_LANGUAGES)
        assert all(tag.isidentifier() and tag.islower() for tag in (*spec.situations, *spec.talents))
        assert spec.profile in demo.PROFILES
        assert len({t.ref for t in spec.ties}) == len(spec.ties)


def test_dormant_broken_negative_and_only_receiving_ties_occur(ties: pd.DataFrame) -> None:
    assert (ties["state"] == "slapend").sum() >= 5
    assert (ties["state"] == "breuklijn").sum() >= 3
    assert (ties["influence"] == "negative").sum() >= 3
    assert (ties["influence"] == "mixed").sum() >= 1
    assert (ties["reciprocity"] == "receives").sum() >= 20
    assert (ties["strength"] == "light").sum() >= 20
    assert set(ties["level"]) == {"buurt", "stad", "translokaal"}


def test_who_knows_whom_links_join_ties_of_the_same_citizen(specs: list[demo.CitizenSpec]) -> None:
    with_links = [s for s in specs if s.links]
    assert len(with_links) >= 15
    for spec in with_links:
        refs = {t.ref for t in spec.ties}
        assert all(a in refs and b in refs and a != b for a, b in spec.links)


def test_some_citizens_have_an_intake_and_a_later_version(specs: list[demo.CitizenSpec]) -> None:
    versioned = [s for s in specs if s.intake]
    assert len(versioned) >= 8
    for spec in versioned:
        assert spec.review is not None and spec.intake < spec.review
        intake = {t.ref: t for t in spec.intake_ties()}
        reactivated = [
            t for t in spec.ties if t.ref in intake and intake[t.ref].state != "active" and t.state == "active"
        ]
        added = [t for t in spec.ties if t.ref not in intake]
        assert reactivated or added, spec.reference
    assert sum(1 for s in versioned for t in s.ties if t.new) >= 5
    assert sum(1 for s in versioned for t in s.ties if t.intake_state == "slapend" and t.state == "active") >= 5
    assert all(s.intake is None and s.review is None for s in specs if s not in versioned)


def test_generation_is_deterministic(specs: list[demo.CitizenSpec]) -> None:
    assert demo.citizen_specs() == specs
    assert demo.citizen_specs(seed=7) != specs


# --- the seed's named cases ---


def test_the_mother_recently_arrived_from_morocco(specs: list[demo.CitizenSpec], plan: demo.DemoPlan) -> None:
    mother = case(specs, "newcomer_mother")
    assert "newcomer" in mother.situations
    family = [t for t in mother.ties if t.role == "family"]
    abroad = [t for t in family if t.level == "translokaal" and t.frequency == "daily"]
    assert len(abroad) >= 3  # daily contact with family across Europe and Morocco
    placed = next(ties for spec, _, ties in plan.citizens if spec.case == "newcomer_mother")
    countries = {placed[t.ref].label.rsplit("(", 1)[-1].rstrip(")") for t in abroad}
    assert "MA" in countries and len(countries) >= 2
    at_intake = mother.intake_ties()
    buurt = [t for t in at_intake if t.level == "buurt"]
    assert all(t.strength == "light" or t.role in ("social_worker", "professional") for t in buurt)  # isolated


def test_the_man_and_his_stamcafe(specs: list[demo.CitizenSpec], plan: demo.DemoPlan) -> None:
    man = case(specs, "stamcafe")
    owner = [t for t in man.ties if t.role == "cafe_owner"]
    assert owner and {"materieel", "affectief"} <= set(owner[0].functions)  # a bed and a listening ear
    placed = next(ties for spec, _, ties in plan.citizens if spec.case == "stamcafe")
    assert placed[owner[0].ref].place_kind == "vindplaats"  # the café is a partner on the organisation's map
    assert any(t.state == "breuklijn" for t in man.ties)


def test_the_commuter_and_the_metro_coffee_bar(specs: list[demo.CitizenSpec], plan: demo.DemoPlan) -> None:
    commuter = case(specs, "commuter")
    placed = next(ties for spec, _, ties in plan.citizens if spec.case == "commuter")
    bar = [t for t in commuter.ties if placed[t.ref].label == "Koffiebar metrostation Diamant"]
    assert bar and bar[0].strength == "light" and bar[0].frequency == "daily"
    assert placed[bar[0].ref].place_kind == "vindplaats"


def test_the_wheelchair_user_greeting_from_his_balcony(specs: list[demo.CitizenSpec]) -> None:
    neighbour = case(specs, "balcony")
    assert "wheelchair" in neighbour.situations and "greeting" in neighbour.talents
    greeted = [t for t in neighbour.ties if t.role == "neighbour"]
    assert greeted and all(t.strength == "light" and t.level == "buurt" for t in greeted)
    assert any(t.reciprocity == "gives" for t in greeted)  # he gives too


def test_talents_meet_the_needs_of_the_neighbourhood(specs: list[demo.CitizenSpec]) -> None:
    needs = [item for item in demo.item_specs() if item.layer == "need"]
    assert len(needs) >= 4
    talents = Counter(t for s in specs for t in s.talents)
    for need in needs:
        answering = caseload.need_talents(need.name, need.kind, need.notes)
        assert answering, need.name
        assert max(talents[t] for t in answering) >= 5, need.name  # enough people to show a (suppressed ≥ 5) match


def test_the_organisations_map_has_vindplaatsen_partners_and_needs() -> None:
    items = demo.item_specs()
    assert 10 <= len(items) <= 20
    layers = Counter(item.layer for item in items)
    assert layers["vindplaats"] >= 3 and layers["partner"] >= 2 and layers["need"] >= 4
    assert all(item.kind in vp.KINDS for item in items)
    assert len({(i.layer, gz.fold(i.name)) for i in items}) == len(items)


# --- placed on the map through the gazetteer ---


@pytest.mark.parametrize("clipped", [False, True])
def test_every_place_resolves_within_its_bounds(region: Area, clipped: bool) -> None:
    boundary = commune_boundary()
    area = region.clip(boundary, name="Schaerbeek") if clipped else region
    plan = demo.plan_demo(area)
    assert len(plan.items) == len(demo.item_specs())
    for _spec, location in plan.items:
        assert boundary.contains(shapely.Point(location.lon, location.lat)), location
    kinds: Counter[tuple[str, str]] = Counter()
    for spec, anchor, ties in plan.citizens:
        assert boundary.contains(shapely.Point(anchor.lon, anchor.lat)), (spec.reference, anchor)
        assert set(ties) == {t.ref for t in spec.ties}
        for tie in spec.ties:
            loc = ties[tie.ref]
            assert loc.level == tie.level and loc.place_kind in PLACE_KINDS[loc.level], loc
            kinds[(loc.level, loc.place_kind)] += 1
            if loc.level == "buurt":
                assert boundary.contains(shapely.Point(loc.lon, loc.lat)), (spec.reference, loc)
            else:
                assert in_box(loc) == (loc.level == "stad"), (spec.reference, loc)
    expected = {(level, kind) for level in PLACE_KINDS for kind in PLACE_KINDS[level]} - {("stad", "quartier")}
    assert expected <= set(kinds)  # ties at vindplaatsen, places, streets, municipalities, cities and countries


# --- loading into a store (SQLite and PostgreSQL) ---


def test_load_demo_stores_the_whole_demo(store: Store, region: Area, specs: list[demo.CitizenSpec]) -> None:
    org = demo.load_demo(store, area=region)
    assert (org, demo.DEMO_ORGANISATION) in organisations.listing(store)
    citizens = cz.list_citizens(store, org)
    assert len(citizens) == len(specs) == demo.demo_citizen_count(store)
    assert citizens["demo"].all()
    items = vp.list_items(store, org)
    assert len(items) == len(demo.item_specs())
    stored = cz.all_ties(store, org)
    assert len(stored) == sum(len(s.ties) for s in specs)
    assert stored.geometry.notna().all() and stored.geometry.x.between(-180, 180).all()
    buurt = stored[stored["level"] == "buurt"]
    assert commune_boundary().contains(shapely.MultiPoint(list(zip(buurt.geometry.x, buurt.geometry.y, strict=True))))
    vindplaats = stored[stored["place_kind"] == "vindplaats"]
    assert len(vindplaats) >= 10 and set(vindplaats["place_ref"]) <= set(items["id"])
    at_item = items.set_index("id").geometry.reindex(vindplaats["place_ref"]).to_numpy()
    assert shapely.equals_exact(at_item, vindplaats.geometry.to_numpy(), tolerance=1e-9).all()  # at the item itself
    assert citizens["quartier"].ne("").all()
    # the versions: intake, then the later one with reactivated and added ties
    versioned = [s for s in specs if s.intake]
    checked = 0
    for spec in versioned:
        citizen = cz.find_by_reference(store, org, spec.reference)
        assert citizen is not None and citizen.demo
        versions = cz.list_versions(store, org, citizen.citizen_id)
        assert list(versions["saved_on"]) == [spec.intake, spec.review]
        assert list(versions["label"]) == [demo.INTAKE_LABEL, demo.REVIEW_LABEL]
        intake = cz.version_ties(store, org, versions["id"].iloc[0])
        changes = cz.compare(intake, cz.list_ties(store, org, citizen.citizen_id))
        counts = changes["change"].value_counts()
        assert counts.get("added", 0) == sum(t.new for t in spec.ties)
        assert counts.get("reactivated", 0) == sum(1 for t in spec.ties if t.intake_state and not t.new)
        checked += 1
    assert checked == len(versioned)
    links = sum(len(cz.list_links(store, org, cid)) for cid in citizens["citizen_id"])
    assert links == sum(len(s.links) for s in specs)


def test_load_demo_twice_replaces_the_demo_and_keeps_other_data(store: Store, org: str, region: Area) -> None:
    helmet = gz.resolve("stad", "Helmet", area=region)
    own = cz.create_citizen(store, org, anchor=helmet, quartiers=region.quartiers)
    first = demo.load_demo(store, area=region)
    before = set(cz.list_citizens(store, first)["citizen_id"])
    items_before = set(vp.list_items(store, first)["id"])
    second = demo.load_demo(store, area=region)
    assert first == second
    after = cz.list_citizens(store, second)
    assert len(after) == len(before) and not before & set(after["citizen_id"])  # replaced, not added
    assert set(vp.list_items(store, second)["id"]) == items_before  # the map's items are kept, not doubled
    assert len(cz.all_ties(store, second)) == sum(len(s.ties) for s in demo.citizen_specs())
    assert [name for _, name in organisations.listing(store)].count(demo.DEMO_ORGANISATION) == 1
    assert list(cz.list_citizens(store, org)["citizen_id"]) == [own.citizen_id]  # another organisation untouched


def test_an_area_without_the_demos_places_writes_nothing(store: Store, region: Area) -> None:
    uccle = region.clip(shapely.box(4.33, 50.78, 4.36, 50.80), name="Ukkel")
    with pytest.raises(gz.GazetteerError):
        demo.load_demo(store, area=uccle)
    assert demo.DEMO_ORGANISATION not in [name for _, name in organisations.listing(store)]
    assert demo.demo_citizen_count(store) == 0


def test_the_demo_is_reachable_at_any_time_as_oneself_never_more_than_a_worker(store: Store, org: str, region: Area) -> None:
    from buurtkaart import accounts

    helmet = gz.resolve("stad", "Helmet", area=region)
    own = cz.create_citizen(store, org, anchor=helmet, quartiers=region.quartiers)  # the team already has its own data
    coordinator = accounts.Actor(user_id="u-1", username="ann", organisation_id=org, role="coordinator")
    demo_org = demo.demo_organisation(store, area=region)
    assert demo.demo_organisation(store, area=region) == demo_org  # loaded once, then found
    acting = demo.demo_actor(coordinator, demo_org)
    assert (acting.user_id, acting.username, acting.organisation_id, acting.role) == ("u-1", "ann", demo_org, "worker")
    assert not acting.can(accounts.EXPORT) and not acting.can(accounts.CITIZENS_ERASE) and not acting.can(accounts.USERS_MANAGE)
    assert demo.demo_actor(accounts.Actor("u-2", "bob", org, "viewer"), demo_org).role == "viewer"
    # in the demo, the team's own citizens are out of reach; the demo's are there
    shown = set(cz.list_citizens(store, acting)["citizen_id"])
    assert own.citizen_id not in shown and len(shown) == demo.demo_citizen_count(store) > 0
    with pytest.raises(accounts.AccessDeniedError):
        cz.erase_citizen(store, acting, next(iter(shown)))
