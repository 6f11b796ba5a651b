"""Tests of citizens and their ties in the store: schema, validation, isolation, links, versions, erasure, migration."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import geoalchemy2  # noqa: F401  (lets SQLAlchemy reflect PostGIS's geometry type)
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, create_engine, event, inspect, select, text
from sqlalchemy.exc import IntegrityError

from buurtkaart import area as area_mod
from buurtkaart import audit, gazetteer, organisations, vocabulary_entries
from buurtkaart import citizens as cz
from buurtkaart import store as store_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart import vocabulary as vocab
from buurtkaart.store import Base, Store, open_store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url, pseudonym_key, quartiers)
    BOX,
    PARK,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    pseudonym_key_fixture,
    quartiers_fixture,
    store_fixture,
)

OWN_TABLES = ("citizens", "ties", "tie_links", "network_versions")
POSTGIS_ONLY = {"geom", "ix_citizens_geom", "ix_ties_geom"}
# Places as the gazetteer of the embedded region gives them (the writers keep nothing else)
TEA_HOUSE = Location("buurt", "place", "bxl:poi/5338", "Maison des Femmes", 4.3375088, 50.859702)
EVERE = Location("stad", "municipality", "evere", "Evere", 4.4030741, 50.8726183)
CASABLANCA = Location("translokaal", "city", "2553604", "Casablanca (MA)", -7.61138, 33.58831)
EVERE_ANCHOR = Location("buurt", "place", "bxl:poi/17028", "De Speelboom", 4.4010517, 50.8710738)
TIE: dict[str, Any] = {
    "role": "friend",
    "capital": "bonding",
    "functions": ["verbindend", "affectief"],
    "frequency": "weekly",
    "strength": "strong",
    "state": "active",
    "influence": "positive",
    "reciprocity": "both",
}


@pytest.fixture
def citizen(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> cz.Citizen:
    """Return a citizen anchored at the Josaphatpark."""
    return cz.create_citizen(store, org, age_band="70_plus", anchor=PARK, quartiers=quartiers)


def flat(location: Location, **tie: Any) -> dict[str, Any]:
    """Return a table row of a tie: TIE and the location's fields, with `tie` replacing some."""
    where = {"level": location.level, "place_kind": location.place_kind, "place_ref": location.place_ref,
             "place_label": location.label, "lon": location.lon, "lat": location.lat}  # fmt: skip
    return {**TIE, **where, **tie}


def add(store: Store, org: str, citizen_id: str, location: Location = TEA_HOUSE, **tie: Any) -> cz.Tie:
    """Add a tie (TIE with `tie` replacing some fields) at `location`."""
    return cz.add_tie(store, org, citizen_id, **{**TIE, **tie}, location=location)


def schema_of(store: Store) -> str | None:
    """Return the schema the store's tables live in (None for SQLite)."""
    if not store.is_postgres:
        return None
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar()


def table_rows(store: Store) -> dict[str, list[tuple]]:
    """Return every row of every table of the store."""
    with store.engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
            for table in inspect(store.engine).get_table_names(schema=schema_of(store))
        }


def mentions(store: Store, *needles: str) -> dict[str, list[str]]:
    """Return, per table, which of `needles` appear anywhere in its rows (JSON included)."""
    found: dict[str, list[str]] = {}
    for table, rows in table_rows(store).items():
        dump = repr(rows)
        hits = [n for n in needles if n in dump]
        if hits:
            found[table] = hits
    return found


def counts(store: Store) -> dict[str, int]:
    """Return the number of rows of each citizen table."""
    with store.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in OWN_TABLES}


# --- the schema ---


def test_no_table_about_citizens_can_hold_a_name_an_address_or_notes(store: Store) -> None:
    forbidden = ("name", "address", "street", "note", "phone", "mail", "birth", "comment", "description")
    for table in OWN_TABLES:
        columns = [c["name"] for c in inspect(store.engine).get_columns(table, schema=schema_of(store))]
        assert columns, table
        assert [c for c in columns if any(word in c for word in forbidden)] == [], table
        assert "reference" not in columns
    assert {c.name for c in Base.metadata.tables["citizens"].columns} >= {"pseudonym", "code", "organisation_id"}


def test_the_migration_makes_exactly_the_models_tables(store: Store) -> None:
    schema = schema_of(store)
    with store.engine.connect() as connection:
        postgis_own = lambda name, type_, _parent: not (type_ == "table" and name == "spatial_ref_sys")  # noqa: E731
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": postgis_own})
        diff = compare_metadata(context, Base.metadata)
    names = {d[3].name if d[0] == "remove_column" else d[1].name for d in diff}
    assert names == (POSTGIS_ONLY | {"ix_map_items_geom"} if store.is_postgres else set())
    for table in OWN_TABLES:
        model = Base.metadata.tables[table]
        reflected = inspect(store.engine).get_columns(table, schema=schema)
        assert {c["name"] for c in reflected} - {"geom"} == {c.name for c in model.columns}
        assert [c["name"] for c in reflected if c["nullable"] and c["name"] != "geom"] == []
        checks = {c["name"] for c in inspect(store.engine).get_check_constraints(table, schema=schema)}
        assert checks == {c.name for c in model.constraints if isinstance(c, CheckConstraint)}
        foreign = inspect(store.engine).get_foreign_keys(table, schema=schema)
        assert foreign and all(fk["options"].get("ondelete") == "CASCADE" for fk in foreign), table
        assert "organisation_id" in {c["name"] for c in reflected}


def test_the_database_accepts_every_word_of_the_vocabularies_and_nothing_else(
    store: Store, org: str, citizen: cz.Citizen
) -> None:
    tie = add(store, org, citizen.citizen_id)
    checked = ("role", "capital", "frequency", "strength", "state", "influence", "reciprocity")
    for field in checked:
        for word in vocab.VOCABULARIES[field]:
            with store.write() as session:
                session.execute(cz.TIES.update().where(cz.TIES.c.id == tie.tie_id).values({field: word}))
        with pytest.raises(IntegrityError), store.write() as session:
            session.execute(cz.TIES.update().where(cz.TIES.c.id == tie.tie_id).values({field: "unknown"}))
    for level, kinds in vocab.PLACE_KINDS.items():
        for kind in vocab.VOCABULARIES["place_kind"]:
            change = cz.TIES.update().where(cz.TIES.c.id == tie.tie_id).values(level=level, place_kind=kind)
            if kind in kinds:
                with store.write() as session:
                    session.execute(change)
            else:
                with pytest.raises(IntegrityError), store.write() as session:
                    session.execute(change)
    for band in ("", *vocab.AGE_BANDS):
        with store.write() as session:
            session.execute(cz.CITIZENS.update().where(cz.CITIZENS.c.id == citizen.citizen_id).values(age_band=band))
    bad_rows = [
        (cz.CITIZENS, citizen.citizen_id, {"age_band": "80_89"}),
        (cz.CITIZENS, citizen.citizen_id, {"anchor_kind": "home"}),
        (cz.CITIZENS, citizen.citizen_id, {"anchor_lat": 91.0}),
        (cz.TIES, tie.tie_id, {"lon": 181.0}),
    ]
    for table, row_id, values in bad_rows:
        with pytest.raises(IntegrityError), store.write() as session:
            session.execute(table.update().where(table.c.id == row_id).values(values))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgis_points_follow_the_anchor_and_the_ties(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id, location=CASABLANCA)
    cz.update_tie(store, org, tie.tie_id, location=EVERE)
    with store.engine.connect() as connection:
        anchor = connection.execute(text("SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM citizens")).one()
        point = connection.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM ties WHERE id = :id"), {"id": tie.tie_id}
        ).one()
    assert tuple(anchor) == (PARK.lon, PARK.lat, 4326) and tuple(point) == (EVERE.lon, EVERE.lat)


# --- citizens ---


def test_a_citizen_is_created_with_its_quartier_and_listed(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> None:
    assert vocabulary_entries.add_entry(store, org, "situations", " Knits ", user="coordinator") == "knits"  # a coordinator's word
    item = vp.add(store, org, user="ann", layer="vindplaats", name="Theehuis Assalam", kind="tea_house", lon=4.3725,
                  lat=50.8610, bounds=BOX)  # fmt: skip
    tea_house = Location("buurt", "vindplaats", item.id, "Theehuis Assalam", 4.3725, 50.8610)
    made = cz.create_citizen(
        store, org, age_band="60_69", situations=["lives_alone", "Knits", "lives_alone"], talents=["cooking"],
        interests=["park", "cafe"], languages=["nl", "ar"], anchor=tea_house, demo=True, quartiers=quartiers,
    )  # fmt: skip
    inside = quartiers[quartiers.contains(shapely.Point(tea_house.lon, tea_house.lat))]
    assert len(inside) == 1 and made.quartier == str(inside["mdrc"].iloc[0])
    assert (made.situations, made.talents, made.interests, made.languages) == (
        ("lives_alone", "knits"), ("cooking",), ("park", "cafe"), ("nl", "ar"),
    )  # fmt: skip
    assert (made.anchor_kind, made.anchor_ref, made.anchor_label, made.lon, made.lat) == (
        "vindplaats", item.id, "Theehuis Assalam", tea_house.lon, tea_house.lat,
    )  # fmt: skip
    TEA_HOUSE = tea_house
    assert made.demo is True and made.organisation_id == org and made.created_at == made.updated_at
    assert cz.get_citizen(store, org, made.citizen_id) == made and made.id == made.citizen_id
    frame = cz.list_citizens(store, org)
    assert list(frame.columns) == [*vocab.CITIZEN_COLUMNS, "geometry"] and frame.crs.to_epsg() == 4326
    row = frame.iloc[0]
    assert row["citizen_id"] == made.citizen_id and row["code"] == made.code and row["languages"] == ("nl", "ar")
    assert (row.geometry.x, row.geometry.y) == (TEA_HOUSE.lon, TEA_HOUSE.lat) and bool(row["demo"])
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert len(cz.list_citizens(store, org, demo=False)) == 0 and len(cz.list_citizens(store, org, demo=True)) == 1


def test_an_empty_organisation_lists_the_declared_columns(store: Store, org: str) -> None:
    frame = cz.list_citizens(store, org)
    assert frame.empty and list(frame.columns) == [*vocab.CITIZEN_COLUMNS, "geometry"]
    ties = cz.all_ties(store, org)
    assert ties.empty and list(ties.columns) == [*cz.LISTED_TIE_COLUMNS, "geometry"]


def test_the_embedded_quartiers_are_used_when_none_are_given(
    store: Store, org: str, quartiers: gpd.GeoDataFrame
) -> None:
    made = cz.create_citizen(store, org, anchor=PARK)
    assert made.quartier == cz.quartier_at(quartiers, PARK.lon, PARK.lat) != ""
    elsewhere = quartiers[quartiers["mdrc"].astype(str) != made.quartier]  # quartiers that do not hold the park
    assert cz.create_citizen(store, org, anchor=PARK, quartiers=elsewhere).quartier == ""


def test_a_quartier_anchor_keeps_its_code(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> None:
    mdrc = int(quartiers["mdrc"].iloc[3])
    anchor = gazetteer.quartier_location(mdrc, area=area_mod.load_embedded())
    made = cz.create_citizen(store, org, anchor=anchor, quartiers=quartiers)
    assert made.quartier == made.anchor_ref == str(mdrc) and made.anchor_label == anchor.label
    with pytest.raises(cz.CitizenError) as caught:
        cz.create_citizen(store, org, anchor=Location("stad", "quartier", "99999", "Nergens", anchor.lon, anchor.lat))
    assert caught.value.key == "error.place_not_in_gazetteer" and caught.value.field == "anchor"


@pytest.mark.parametrize(
    ("fields", "field", "key"),
    [
        ({"age_band": "75_plus"}, "age_band", "error.citizen_value_unknown"),
        ({"interests": ["park", "shopping"]}, "interests", "error.citizen_value_unknown"),
        ({"languages": ["nl", "klingon"]}, "languages", "error.citizen_value_unknown"),
        ({"situations": "lives_alone"}, "situations", "error.not_a_list"),
        ({"situations": ["lives alone"]}, "situations", "error.citizen_tag_invalid"),
        ({"situations": ["<script>alert(1)</script>"]}, "situations", "error.citizen_tag_invalid"),
        ({"talents": ["fatima@example.be"]}, "talents", "error.citizen_tag_invalid"),
        ({"talents": ["0475123456"]}, "talents", "error.citizen_tag_invalid"),
        ({"talents": ["born_19500312"]}, "talents", "error.citizen_tag_invalid"),
        ({"talents": ["x" * (cz.TAG_MAX + 1)]}, "talents", "error.citizen_tag_invalid"),
        ({"talents": [""]}, "talents", "error.citizen_tag_invalid"),
        ({"anchor": Location("buurt", "home", "", "Thuis", 4.37, 50.86)}, "anchor_kind", "error.citizen_value_unknown"),
        ({"anchor": Location("buurt", "place", "", "  \x07 ", 4.37, 50.86)}, "anchor", "error.place_not_in_gazetteer"),
        ({"anchor": Location("buurt", "place", "", "Park", math.nan, 50.86)}, "anchor", "error.place_not_in_gazetteer"),
        ({"anchor": Location("buurt", "place", "osm-way-1", "Park", 4.37, 95.0)}, "anchor", "error.place_not_in_gazetteer"),
        ({"anchor": replace(PARK, label="Jan Peeters 0470 12 34 56")}, "anchor", "error.place_not_in_gazetteer"),
        ({"anchor": replace(PARK, place_ref="Jan Peeters 0470 12 34 56")}, "anchor", "error.place_not_in_gazetteer"),
        ({"anchor": replace(TEA_HOUSE, label=PARK.label)}, "anchor", "error.place_not_in_gazetteer"),
    ],
)
def test_bad_citizen_input_is_refused_and_nothing_is_saved(
    store: Store, org: str, quartiers: gpd.GeoDataFrame, fields: dict[str, Any], field: str, key: str
) -> None:
    values = {"anchor": PARK, **fields}
    with pytest.raises(cz.CitizenError) as caught:
        cz.create_citizen(store, org, quartiers=quartiers, **values)
    assert (caught.value.key, caught.value.field) == (key, field)
    assert cz.list_citizens(store, org).empty
    for lang in ("nl", "fr", "en"):
        assert "citizen.field" not in caught.value.message(lang) and "{" not in caught.value.message(lang)


def test_a_citizen_is_updated_field_by_field(
    store: Store, org: str, citizen: cz.Citizen, quartiers: gpd.GeoDataFrame
) -> None:
    changed = cz.update_citizen(
        store, org, citizen.citizen_id, talents=["gardening"], anchor=EVERE_ANCHOR, quartiers=quartiers
    )
    assert changed.talents == ("gardening",) and changed.age_band == citizen.age_band == "70_plus"
    assert changed.code == citizen.code and changed.created_at == citizen.created_at < changed.updated_at
    assert changed.quartier == cz.quartier_at(quartiers, EVERE_ANCHOR.lon, EVERE_ANCHOR.lat) != citizen.quartier
    assert cz.get_citizen(store, org, citizen.citizen_id) == changed
    with pytest.raises(cz.CitizenError):
        cz.update_citizen(store, org, citizen.citizen_id, talents=["gardening"], age_band="old")
    assert cz.get_citizen(store, org, citizen.citizen_id) == changed
    with pytest.raises(TypeError):
        cz.update_citizen(store, org, citizen.citizen_id, name="Fatima")


def test_a_citizen_is_found_by_code(store: Store, org: str, citizen: cz.Citizen) -> None:
    assert cz.find_by_code(store, org, citizen.code.lower()) == citizen
    assert cz.find_by_code(store, org, "BK-0000-0000") is None
    assert cz.find_by_code(store, org, "not a code") is None


# --- organisations do not see each other ---


def test_another_organisation_sees_nothing_of_a_citizen(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id)
    version = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 3, 1))
    other = organisations.ensure(store, "Buurthuis Elders")
    cid = citizen.citizen_id
    not_found = [
        lambda: cz.get_citizen(store, other, cid),
        lambda: cz.update_citizen(store, other, cid, talents=["music"]),
        lambda: cz.erase_citizen(store, other, cid),
        lambda: cz.list_ties(store, other, cid),
        lambda: cz.add_tie(store, other, cid, **TIE, location=TEA_HOUSE),
        lambda: cz.add_ties(store, other, cid, [flat(TEA_HOUSE)]),
        lambda: cz.get_tie(store, other, tie.tie_id),
        lambda: cz.update_tie(store, other, tie.tie_id, state="slapend"),
        lambda: cz.delete_tie(store, other, tie.tie_id),
        lambda: cz.set_links(store, other, cid, []),
        lambda: cz.list_links(store, other, cid),
        lambda: cz.save_version(store, other, cid, on=date(2025, 3, 2)),
        lambda: cz.list_versions(store, other, cid),
        lambda: cz.version_ties(store, other, version.id),
        lambda: cz.version_links(store, other, version.id),
    ]
    for call in not_found:
        with pytest.raises((cz.CitizenNotFoundError, cz.TieNotFoundError, cz.VersionNotFoundError)):
            call()
    assert cz.find_by_code(store, other, citizen.code) is None
    assert cz.list_citizens(store, other).empty and cz.all_ties(store, other).empty
    assert cz.get_citizen(store, org, cid) == citizen and cz.get_tie(store, org, tie.tie_id) == tie
    assert len(cz.list_versions(store, org, cid)) == 1


def test_the_same_reference_in_two_organisations_is_two_citizens(
    store: Store, org: str, quartiers: gpd.GeoDataFrame
) -> None:
    other = organisations.ensure(store, "Buurthuis Elders")
    ours = cz.create_citizen(store, org, reference="D-1", anchor=PARK, quartiers=quartiers)
    theirs = cz.create_citizen(store, other, reference="D-1", anchor=PARK, quartiers=quartiers)
    assert ours.citizen_id != theirs.citizen_id and ours.code != theirs.code
    assert cz.find_by_reference(store, org, "D-1") == ours and cz.find_by_reference(store, other, "D-1") == theirs


# --- ties ---


def test_a_tie_is_added_and_listed(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id, functions=["verbindend", "materieel", "verbindend"], location=CASABLANCA)
    assert tie.functions == ("materieel", "verbindend")  # the order of vocabulary.FUNCTIONS, once each
    assert tie.location == CASABLANCA and tie.citizen_id == citizen.citizen_id
    assert cz.get_tie(store, org, tie.tie_id) == tie and tie.id == tie.tie_id
    frame = cz.list_ties(store, org, citizen.citizen_id)
    assert list(frame.columns) == [*cz.LISTED_TIE_COLUMNS, "geometry"] and frame.crs.to_epsg() == 4326
    row = frame.iloc[0]
    assert row["tie_id"] == tie.tie_id and row["functions"] == ("materieel", "verbindend")
    assert (row["level"], row["place_kind"], row["place_ref"], row["place_label"]) == (
        "translokaal",
        "city",
        "2553604",
        "Casablanca (MA)",
    )
    assert (row.geometry.x, row.geometry.y) == (CASABLANCA.lon, CASABLANCA.lat)


def test_a_place_label_is_derived_and_free_text_is_refused(store: Store, org: str, citizen: cz.Citizen) -> None:
    """Attacker: free text about a person as a place's name (or its reference) never gets into the store."""
    secret = "Jan Peeters 0470 12 34 56 psychose"
    for location in (
        Location("buurt", "place", "r\x00ef", f' <script>alert("x")</script>{secret}\x1b ', 4.37, 50.86),
        replace(TEA_HOUSE, label=secret),
        replace(TEA_HOUSE, place_ref=secret),
        Location("buurt", "street", secret, secret, 4.37, 50.86),
        replace(EVERE, label=f"Evere {secret}"),
        replace(CASABLANCA, label=secret),
        Location("buurt", "vindplaats", "vp-1", secret, 4.37, 50.86),
    ):
        with pytest.raises(cz.TieError) as caught:
            add(store, org, citizen.citizen_id, location=location)
        assert (caught.value.key, caught.value.field) == ("error.place_not_in_gazetteer", "location")
        with pytest.raises(cz.TieError):
            cz.add_ties(store, org, citizen.citizen_id, [flat(location)])
    tie = add(store, org, citizen.citizen_id, location=replace(TEA_HOUSE, label="maison des femmes", lon=5.0, lat=51.0))
    assert (tie.place_label, tie.lon, tie.lat) == (TEA_HOUSE.label, TEA_HOUSE.lon, TEA_HOUSE.lat)  # the gazetteer's own
    with pytest.raises(cz.TieError):
        cz.update_tie(store, org, tie.tie_id, place_label=secret)
    with pytest.raises(cz.CitizenError):
        cz.update_citizen(store, org, citizen.citizen_id, anchor=replace(PARK, label=secret))
    assert secret not in str(cz.list_ties(store, org, citizen.citizen_id).to_dict()) + str(cz.list_citizens(store, org).to_dict())


@pytest.mark.parametrize(
    ("changes", "field", "key"),
    [
        ({"functions": []}, "functions", "error.tie_no_function"),
        ({"functions": None}, "functions", "error.tie_no_function"),
        ({"functions": ["affectief", "spiritueel"]}, "functions", "error.tie_value_unknown"),
        ({"functions": "affectief"}, "functions", "error.not_a_list"),
        ({"role": "Fatima"}, "role", "error.tie_value_unknown"),
        ({"capital": "cultural"}, "capital", "error.tie_value_unknown"),
        ({"state": "gone"}, "state", "error.tie_value_unknown"),
        ({"frequency": None}, "frequency", "error.tie_value_unknown"),
        ({"level": "wijk"}, "level", "error.tie_level_unknown"),
        ({"level": "translokaal", "place_kind": "street"}, "place_kind", "error.tie_place_kind_wrong"),
        ({"level": "buurt", "place_kind": "country"}, "place_kind", "error.tie_place_kind_wrong"),
        ({"lon": math.inf}, "location", "error.citizen_coordinates"),
        ({"lat": "50.86"}, "location", "error.citizen_coordinates"),
        ({"lon": True}, "location", "error.citizen_coordinates"),
        ({"place_label": ""}, "place_label", "error.citizen_label_empty"),
        ({"place_label": "x" * 201}, "place_label", "error.text_too_long"),
        ({"place_label": 3.5}, "place_label", "error.not_text"),
    ],
)
def test_bad_ties_are_refused_and_nothing_is_half_saved(
    store: Store, org: str, citizen: cz.Citizen, changes: dict[str, Any], field: str, key: str
) -> None:
    good = flat(TEA_HOUSE)
    with pytest.raises(cz.TieError) as caught:
        cz.add_ties(store, org, citizen.citizen_id, [good, good, {**good, **changes}])
    assert (caught.value.key, caught.value.field, caught.value.row) == (key, field, 2)
    assert caught.value.message("nl").startswith("Rij 3: ") and caught.value.message("en").startswith("Row 3: ")
    assert "{" not in caught.value.message("fr")
    assert cz.list_ties(store, org, citizen.citizen_id).empty


def test_a_wrong_place_kind_names_the_kinds_that_fit_the_level(store: Store, org: str, citizen: cz.Citizen) -> None:
    with pytest.raises(cz.TieError) as caught:
        add(store, org, citizen.citizen_id, location=Location("stad", "street", "", "Rue Royale", 4.36, 50.85))
    for lang in ("nl", "fr", "en"):
        message = caught.value.message(lang)
        assert vocab.label("level", "stad", lang) in message
        assert all(vocab.label("place_kind", kind, lang) in message for kind in vocab.PLACE_KINDS["stad"])


def test_a_tie_is_updated_and_a_bad_update_changes_nothing(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id)
    weaker = cz.update_tie(store, org, tie.tie_id, state="slapend", strength="light")
    assert (weaker.state, weaker.strength, weaker.role, weaker.location) == ("slapend", "light", tie.role, tie.location)
    assert weaker.updated_at > tie.updated_at and weaker.created_at == tie.created_at
    moved = cz.update_tie(store, org, tie.tie_id, location=EVERE)
    assert moved.location == EVERE and moved.state == "slapend"
    with pytest.raises(cz.TieError):
        cz.update_tie(
            store, org, tie.tie_id, state="active", place_kind="street"
        )  # a street is not a place at level stad
    assert cz.get_tie(store, org, tie.tie_id) == moved
    with pytest.raises(TypeError):
        cz.update_tie(store, org, tie.tie_id, name="Mohammed")


def test_many_ties_are_added_in_one_go(store: Store, org: str, citizen: cz.Citizen) -> None:
    rows = [flat(TEA_HOUSE, role=role) for role in vocab.ROLES] + [{**TIE, "location": CASABLANCA}]
    added = cz.add_ties(store, org, citizen.citizen_id, rows)
    assert [t.role for t in added] == [*vocab.ROLES, "friend"] and added[-1].location == CASABLANCA
    frame = cz.list_ties(store, org, citizen.citizen_id)
    assert frame["tie_id"].tolist() == [t.tie_id for t in added]
    with pytest.raises(TypeError):
        cz.add_ties(store, org, citizen.citizen_id, [{**flat(TEA_HOUSE), "name": "Mohammed"}])
    with pytest.raises(TypeError):
        cz.add_ties(store, org, citizen.citizen_id, [{**flat(TEA_HOUSE), "location": CASABLANCA}])


def test_ties_of_every_citizen_of_the_organisation(
    store: Store, org: str, citizen: cz.Citizen, quartiers: gpd.GeoDataFrame
) -> None:
    demo = cz.create_citizen(store, org, anchor=TEA_HOUSE, demo=True, quartiers=quartiers)
    mine = cz.add_ties(store, org, citizen.citizen_id, [flat(TEA_HOUSE), flat(EVERE)])
    demos = cz.add_ties(store, org, demo.citizen_id, [flat(CASABLANCA)])
    everything = cz.all_ties(store, org)
    assert sorted(everything["tie_id"]) == sorted(t.tie_id for t in mine + demos)
    assert list(everything.columns) == [*cz.LISTED_TIE_COLUMNS, "geometry"]
    assert cz.all_ties(store, org, demo=True)["tie_id"].tolist() == [demos[0].tie_id]
    assert sorted(cz.all_ties(store, org, demo=False)["tie_id"]) == sorted(t.tie_id for t in mine)


def test_deleting_a_tie_removes_its_links(store: Store, org: str, citizen: cz.Citizen) -> None:
    a, b, c = cz.add_ties(store, org, citizen.citizen_id, [flat(TEA_HOUSE)] * 3)
    cz.set_links(store, org, citizen.citizen_id, [(a.tie_id, b.tie_id), (b.tie_id, c.tie_id)])
    cz.delete_tie(store, org, b.tie_id)
    assert cz.list_links(store, org, citizen.citizen_id).empty
    assert cz.list_ties(store, org, citizen.citizen_id)["tie_id"].tolist() == [a.tie_id, c.tie_id]
    with pytest.raises(cz.TieNotFoundError):
        cz.delete_tie(store, org, b.tie_id)


# --- who knows whom ---


def test_links_are_stored_once_in_order(store: Store, org: str, citizen: cz.Citizen) -> None:
    a, b, c = cz.add_ties(store, org, citizen.citizen_id, [flat(TEA_HOUSE)] * 3)
    links = cz.set_links(
        store, org, citizen.citizen_id, [(b.tie_id, a.tie_id), (a.tie_id, b.tie_id), [c.tie_id, a.tie_id]]
    )
    expected = sorted([tuple(sorted((a.tie_id, b.tie_id))), tuple(sorted((a.tie_id, c.tie_id)))])
    assert [tuple(r) for r in links.values.tolist()] == expected
    listed = cz.list_links(store, org, citizen.citizen_id)
    assert list(listed.columns) == list(vocab.LINK_COLUMNS) and [tuple(r) for r in listed.values.tolist()] == expected
    assert (
        cz.set_links(store, org, citizen.citizen_id, []).empty and cz.list_links(store, org, citizen.citizen_id).empty
    )


def test_bad_links_are_refused_and_the_old_ones_kept(
    store: Store, org: str, citizen: cz.Citizen, quartiers: gpd.GeoDataFrame
) -> None:
    a, b = cz.add_ties(store, org, citizen.citizen_id, [flat(TEA_HOUSE)] * 2)
    someone_else = cz.create_citizen(store, org, anchor=PARK, quartiers=quartiers)
    theirs = add(store, org, someone_else.citizen_id)
    cz.set_links(store, org, citizen.citizen_id, [(a.tie_id, b.tie_id)])
    with pytest.raises(cz.TieError) as caught:
        cz.set_links(store, org, citizen.citizen_id, [(a.tie_id, a.tie_id)])
    assert caught.value.key == "error.tie_link_self"
    with pytest.raises(cz.TieNotFoundError):
        cz.set_links(store, org, citizen.citizen_id, [(a.tie_id, theirs.tie_id)])
    with pytest.raises(IntegrityError), store.write() as session:  # the database keeps the order too
        session.execute(cz.LINKS.insert().values(tie_a=max(a.tie_id, b.tie_id), tie_b=min(a.tie_id, b.tie_id),
                                                 citizen_id=citizen.citizen_id, organisation_id=org))  # fmt: skip
    assert len(cz.list_links(store, org, citizen.citizen_id)) == 1


# --- versions over time ---


def test_a_version_is_a_snapshot_and_saving_the_same_day_replaces_it(
    store: Store, org: str, citizen: cz.Citizen
) -> None:
    a, b = cz.add_ties(store, org, citizen.citizen_id, [flat(TEA_HOUSE), flat(CASABLANCA)])
    cz.set_links(store, org, citizen.citizen_id, [(a.tie_id, b.tie_id)])
    intake = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 1, 15), label=" intake\x07 ")
    assert (intake.label, intake.n_ties, intake.n_links, intake.saved_on) == ("intake", 2, 1, date(2025, 1, 15))
    snapshot = cz.list_ties(store, org, citizen.citizen_id)
    cz.update_tie(store, org, a.tie_id, state="slapend")
    cz.delete_tie(store, org, b.tie_id)
    pd.testing.assert_frame_equal(cz.version_ties(store, org, intake.id), snapshot)
    assert cz.version_links(store, org, intake.id).equals(cz.links_frame([sorted((a.tie_id, b.tie_id))]))
    later = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 7, 1))
    again = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 1, 15), label="Evaluatie")
    assert again.id == intake.id and again.n_ties == 1
    versions = cz.list_versions(store, org, citizen.citizen_id)
    assert list(versions.columns) == list(cz.VERSION_COLUMNS)
    assert versions[["id", "saved_on", "label", "n_ties", "n_links"]].values.tolist() == [
        [intake.id, date(2025, 1, 15), "evaluatie", 1, 0],
        [later.id, date(2025, 7, 1), "", 1, 0],
    ]
    assert (versions["citizen_id"] == citizen.citizen_id).all() and str(
        versions["created_at"].dtype
    ) == "datetime64[us, UTC]"
    assert versions["created_at"].iloc[0] > versions["created_at"].iloc[1]  # the intake was saved again, last
    assert cz.version_ties(store, org, intake.id)["state"].tolist() == ["slapend"]
    with pytest.raises(cz.CitizenError) as caught:
        cz.save_version(store, org, citizen.citizen_id, on=date(2025, 8, 1), label="x" * 61)
    assert caught.value.key == "error.text_too_long" and len(cz.list_versions(store, org, citizen.citizen_id)) == 2
    for free_text in ("Jan Peeters 0470123456 psychose", "2025-13-45", "intake jan"):
        with pytest.raises(cz.CitizenError) as caught:
            cz.save_version(store, org, citizen.citizen_id, on=date(2025, 8, 1), label=free_text)
        assert caught.value.key == "error.version_label_not_allowed" and "intake" in caught.value.message("nl")
    assert cz.save_version(store, org, citizen.citizen_id, on=date(2025, 8, 1), label="2025-08-01").label == "2025-08-01"
    with pytest.raises(TypeError):
        cz.save_version(store, org, citizen.citizen_id, on="2025-08-01")  # type: ignore[arg-type]


def test_compare_says_what_happened_to_each_tie(store: Store, org: str, citizen: cz.Citizen) -> None:
    rows = [
        flat(TEA_HOUSE, role="friend", state="slapend"),  # reactivated
        flat(TEA_HOUSE, role="neighbour", state="active"),  # weakened
        flat(EVERE, role="professional"),  # unchanged
        flat(CASABLANCA, role="family"),  # changed: more often, and a function more
        flat(TEA_HOUSE, role="cafe_owner"),  # lost
        flat(PARK, role="volunteer", state="slapend"),  # changed: moved, still slapend
    ]
    reactivated, weakened, unchanged, changed, lost, moved = cz.add_ties(store, org, citizen.citizen_id, rows)
    before = cz.version_ties(store, org, cz.save_version(store, org, citizen.citizen_id, on=date(2025, 1, 1)).id)
    cz.update_tie(store, org, reactivated.tie_id, state="active")
    cz.update_tie(store, org, weakened.tie_id, state="breuklijn")
    cz.update_tie(store, org, changed.tie_id, frequency="daily", functions=[*changed.functions, "informatief"])
    royale = Location("buurt", "street", "Rue Royale - Koningsstraat", "Rue Royale - Koningsstraat", 4.364478013505228, 50.85083341875136)
    cz.update_tie(store, org, moved.tie_id, location=royale)
    cz.delete_tie(store, org, lost.tie_id)
    added = add(store, org, citizen.citizen_id, role="acquaintance")
    after = cz.list_ties(store, org, citizen.citizen_id)
    result = cz.compare(before, after)
    assert list(result.columns) == [*cz.COMPARE_COLUMNS, "geometry"] and result.crs.to_epsg() == 4326
    by_id = result.set_index("tie_id")
    expected = {
        reactivated.tie_id: "reactivated", weakened.tie_id: "weakened", unchanged.tie_id: "unchanged",
        changed.tie_id: "changed", lost.tie_id: "lost", moved.tie_id: "changed", added.tie_id: "added",
    }  # fmt: skip
    assert by_id["change"].to_dict() == expected and set(by_id["change"]) <= set(cz.CHANGES)
    assert by_id.loc[changed.tie_id, "changed_fields"] == ("functions", "frequency")
    assert set(by_id.loc[moved.tie_id, "changed_fields"]) == {"place_kind", "place_ref", "place_label", "geometry"}
    assert by_id.loc[reactivated.tie_id, "state"] == "active"  # the newest side
    assert by_id.loc[lost.tie_id, "role"] == "cafe_owner"  # a lost tie keeps its old columns
    assert result["tie_id"].tolist()[-1] == lost.tie_id
    assert by_id.loc[moved.tie_id].geometry.equals(shapely.Point(royale.lon, royale.lat))


def test_compare_of_empty_networks() -> None:
    empty = vocab.empty_ties()
    assert cz.compare(empty, empty).empty
    one = cz.ties_frame([{**flat(TEA_HOUSE), "functions": ("affectief",), "tie_id": "t1", "citizen_id": "c1"}])
    assert cz.compare(empty, one)["change"].tolist() == ["added"]
    assert cz.compare(one, empty)["change"].tolist() == ["lost"]
    assert cz.compare(one, one)["change"].tolist() == ["unchanged"]


# --- erasure ---


def test_erasing_a_citizen_leaves_no_trace_in_any_table(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> None:
    gone = cz.create_citizen(
        store, org, reference="DOS-1", situations=["lives_alone"], anchor=PARK, quartiers=quartiers
    )
    stays = cz.create_citizen(store, org, reference="DOS-2", anchor=TEA_HOUSE, quartiers=quartiers)
    ties = cz.add_ties(store, org, gone.citizen_id, [flat(TEA_HOUSE), flat(EVERE), flat(CASABLANCA)])
    cz.set_links(store, org, gone.citizen_id, [(ties[0].tie_id, ties[1].tie_id), (ties[1].tie_id, ties[2].tie_id)])
    for day in (date(2025, 1, 1), date(2025, 6, 1)):
        cz.save_version(store, org, gone.citizen_id, on=day)
    kept_tie = add(store, org, stays.citizen_id)
    cz.save_version(store, org, stays.citizen_id, on=date(2025, 1, 1))
    before = counts(store)
    needles = (gone.citizen_id, gone.code, *(t.tie_id for t in ties))
    assert set(mentions(store, *needles)) == {*OWN_TABLES, "audit_events"}  # the audit log names the code too

    removed = cz.erase_citizen(store, org, gone.citizen_id)

    after = counts(store)
    assert removed == sum(before.values()) - sum(after.values()) == 1 + 3 + 2 + 2
    assert mentions(store, *needles) == {}
    assert cz.get_citizen(store, org, stays.citizen_id) == stays and cz.get_tie(store, org, kept_tie.tie_id) == kept_tie
    assert len(cz.list_versions(store, org, stays.citizen_id)) == 1
    assert cz.find_by_reference(store, org, "DOS-1") is None and cz.find_by_code(store, org, gone.code) is None
    with pytest.raises(cz.CitizenNotFoundError):
        cz.erase_citizen(store, org, gone.citizen_id)
    if not store.is_postgres:  # nor in the file: the freed pages are zeroed and the write-ahead log emptied
        path = Path(store.engine.url.database or "")
        data = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        assert stays.code.encode() in data
        assert gone.code.encode() not in data and gone.citizen_id.encode() not in data


def test_deleting_an_organisation_deletes_its_citizens(store: Store, org: str, citizen: cz.Citizen) -> None:
    add(store, org, citizen.citizen_id)
    cz.save_version(store, org, citizen.citizen_id, on=date(2025, 1, 1))
    with store.write() as session:
        session.execute(organisations.ORGANISATIONS.delete().where(organisations.ORGANISATIONS.c.id == org))
    assert counts(store) == dict.fromkeys(OWN_TABLES, 0)


# --- migration ---


def test_migrating_a_database_with_vindplaatsen_from_0001_keeps_them(
    database_url: str, quartiers: gpd.GeoDataFrame
) -> None:
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA foreign_keys = ON"))
    try:
        with engine.connect() as connection, connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            command.upgrade(store_mod.alembic_config(connection), "0001")
        assert not set(OWN_TABLES) & set(inspect(engine).get_table_names())
        old = Store(engine=engine, url=database_url)  # the app as it was: 0001, no citizens yet
        org = organisations.ensure(old, "LDC De Buurt")
        with pytest.MonkeyPatch.context() as patch:  # nor an audit log (migration 0008_audit)
            patch.setattr(audit, "record_in", lambda *_args, **_kwargs: None)
            item = vp.add(old, org, user="ann", layer="vindplaats", name="Theehuis Assalam", kind="tea_house",
                          lon=TEA_HOUSE.lon, lat=TEA_HOUSE.lat, bounds=BOX)  # fmt: skip
    finally:
        engine.dispose()

    store = open_store(database_url)
    try:
        with store.engine.connect() as connection:
            head = ScriptDirectory.from_config(store_mod.alembic_config()).get_current_head()
            assert MigrationContext.configure(connection).get_current_revision() == head != "0001"
        assert vp.get(store, org, item.id) == item and len(vp.history(store, org)) == 1
        made = cz.create_citizen(store, org, anchor=TEA_HOUSE, quartiers=quartiers)
        add(store, org, made.citizen_id)
        with store.engine.connect() as connection, connection.begin():
            command.downgrade(store_mod.alembic_config(connection), "0001")
        assert not set(OWN_TABLES) & set(inspect(store.engine).get_table_names(schema=schema_of(store)))
        assert vp.get(store, org, item.id) == item
    finally:
        store.close()


def test_no_citizen_query_reads_another_organisations_rows(store: Store, org: str, citizen: cz.Citizen) -> None:
    add(store, org, citizen.citizen_id)
    cz.save_version(store, org, citizen.citizen_id, on=date(2025, 1, 1))
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        cz.list_citizens(store, org)
        cz.all_ties(store, org)
        cz.list_ties(store, org, citizen.citizen_id)
        cz.list_links(store, org, citizen.citizen_id)
        cz.list_versions(store, org, citizen.citizen_id)
        cz.find_by_code(store, org, citizen.code)
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT") and any(t in s for t in OWN_TABLES)]
    assert len(selects) >= 6 and all("WHERE" in s and "organisation_id" in s.split("WHERE", 1)[1] for s in selects)


def test_reading_does_not_write(store: Store, org: str, citizen: cz.Citizen) -> None:
    before = table_rows(store)
    cz.get_citizen(store, org, citizen.citizen_id)
    cz.list_citizens(store, org)
    cz.find_by_reference(store, org, "nobody")
    with store.read() as session:
        assert session.execute(select(cz.CITIZENS.c.updated_at)).scalar() == citizen.updated_at
    assert table_rows(store) == before


# --- no free text about a citizen (issue 13) ---


@pytest.mark.parametrize("tag", ["jan_peeters", "tel_047_012_34_56", "knits"])
def test_a_situation_or_talent_outside_the_vocabulary_is_refused(store: Store, org: str, tag: str) -> None:
    with pytest.raises(cz.CitizenError) as caught:
        cz.create_citizen(store, org, situations=[tag], anchor=TEA_HOUSE)
    assert caught.value.key == "error.citizen_tag_not_in_vocabulary" and tag in caught.value.message("en")
    assert cz.list_citizens(store, org).empty


@pytest.mark.parametrize("word", ["tel_0470", "jan@peeters", "jan peeters", "x" * 41, "born_1950", "a1b22"])
def test_a_coordinator_word_is_checked_like_a_tag(store: Store, org: str, word: str) -> None:
    with pytest.raises(cz.CitizenError) as caught:
        vocabulary_entries.add_entry(store, org, "talents", word, user="coordinator")
    assert caught.value.key == "error.citizen_tag_invalid"
    assert vocabulary_entries.allowed(store, org, "talents") == vocab.TALENTS


def test_a_coordinator_word_belongs_to_its_organisation(store: Store, org: str) -> None:
    vocabulary_entries.add_entry(store, org, "talents", "beekeeping", user="coordinator")
    other = vp.ensure_organisation(store, "Buurthuis Ander")
    assert "beekeeping" in vocabulary_entries.allowed(store, org, "talents") and "beekeeping" not in vocabulary_entries.allowed(store, other, "talents")
    made = cz.create_citizen(store, org, talents=["beekeeping"], anchor=TEA_HOUSE)
    assert made.talents == ("beekeeping",)
    with pytest.raises(cz.CitizenError):
        cz.update_citizen(store, other, made.citizen_id, talents=["beekeeping"])


# --- issue 14: correct anything; a tie may stand for a group ---


def test_a_tie_for_a_group_is_one_row_with_its_number_of_people(store: Store, org: str, citizen: cz.Citizen) -> None:
    friends = add(store, org, citizen.citizen_id, group_size=3)
    one = add(store, org, citizen.citizen_id, location=PARK)
    assert (friends.group_size, one.group_size) == (3, 1)
    frame = cz.list_ties(store, org, citizen.citizen_id)
    assert frame["group_size"].tolist() == [3, 1]
    for bad in (0, -2, cz.GROUP_MAX + 1, "drie", 2.5, None):
        with pytest.raises(cz.TieError) as refused:
            add(store, org, citizen.citizen_id, group_size=bad)
        assert refused.value.field == "group_size"
    assert len(cz.list_ties(store, org, citizen.citizen_id)) == 2  # nothing half-saved
    # a saved version keeps the group; an older version without the field reads as one person
    version = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 3, 1))
    assert cz.version_ties(store, org, version.id)["group_size"].tolist() == [3, 1]


def test_every_property_of_a_tie_can_be_corrected_with_the_checks_of_creation(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id)
    changes = {"role": "neighbour", "capital": "bridging", "functions": ["affectief", "informatief"], "frequency": "monthly",
               "strength": "light", "state": "slapend", "influence": "mixed", "reciprocity": "receives", "group_size": 2}  # fmt: skip
    changed = cz.update_tie(store, org, tie.tie_id, **changes, location=EVERE)
    stored = cz.get_tie(store, org, tie.tie_id)
    assert stored == changed
    assert (stored.role, stored.capital, stored.functions, stored.frequency, stored.strength, stored.state,
            stored.influence, stored.reciprocity, stored.group_size) == (
        "neighbour", "bridging", ("affectief", "informatief"), "monthly", "light", "slapend", "mixed", "receives", 2
    )  # fmt: skip
    assert stored.location == EVERE
    # only the group size: the rest stays
    assert cz.update_tie(store, org, tie.tie_id, group_size=5).role == "neighbour"
    with pytest.raises(cz.TieError) as refused:
        cz.update_tie(store, org, tie.tie_id, functions=[])
    assert refused.value.field == "functions"
    with pytest.raises(cz.TieError):
        cz.update_tie(store, org, tie.tie_id, group_size=0)
    assert cz.get_tie(store, org, tie.tie_id).group_size == 5


def test_a_wrong_anchor_is_corrected_without_erasing_the_citizen(store: Store, org: str, citizen: cz.Citizen) -> None:
    tie = add(store, org, citizen.citizen_id)
    moved = cz.update_citizen(store, org, citizen.citizen_id, anchor=EVERE_ANCHOR, age_band="70_plus")
    assert (moved.lon, moved.lat, moved.anchor_label) == (EVERE_ANCHOR.lon, EVERE_ANCHOR.lat, "De Speelboom")
    assert moved.code == citizen.code and cz.get_tie(store, org, tie.tie_id) == tie


def test_a_version_can_be_moved_to_another_day_but_not_onto_another_version(store: Store, org: str, citizen: cz.Citizen) -> None:
    add(store, org, citizen.citizen_id)
    first = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 3, 1), label="intake")
    second = cz.save_version(store, org, citizen.citizen_id, on=date(2025, 6, 1))
    moved = cz.redate_version(store, org, first.id, on=date(2025, 2, 14))
    assert moved.saved_on == date(2025, 2, 14) and moved.label == "intake"
    assert cz.list_versions(store, org, citizen.citizen_id)["saved_on"].tolist() == [date(2025, 2, 14), date(2025, 6, 1)]
    with pytest.raises(cz.CitizenError) as refused:
        cz.redate_version(store, org, first.id, on=date(2025, 6, 1))
    assert refused.value.field == "version_date" and "2025-06-01" in refused.value.message("nl")
    assert cz.list_versions(store, org, citizen.citizen_id)["id"].tolist() == [first.id, second.id]
