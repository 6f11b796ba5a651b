"""Tests of vindplaatsen and the organisation map: add, edit, move, delete, undo, history, concurrency, bad input."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import i18n, organisations, taxonomy
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    BOX,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

TEA_HOUSE = {"lon": 4.3725, "lat": 50.8610}
# Metres per degree of longitude at Brussels' latitude: to place points a given distance apart.
M_PER_DEG_LON = 111_320 * math.cos(math.radians(50.861))


def add(store: Store, org: str, **fields: Any) -> vp.Item:
    """Add a vindplaats with sensible defaults (a tea house in Schaerbeek) and return it."""
    values = {"user": "ann", "layer": "vindplaats", "name": "Theehuis Assalam", "kind": "tea_house", "bounds": BOX, **TEA_HOUSE}
    return vp.add(store, org, **{**values, **fields})


def east(metres: float) -> float:
    """Return the longitude `metres` east of the tea house."""
    return TEA_HOUSE["lon"] + metres / M_PER_DEG_LON


def state(store: Store, org: str) -> tuple[list[dict[str, str]], list[str], int]:
    """Return everything stored for an organisation (items, deleted too; positions; history length)."""
    items = vp.list_items(store, org, include_deleted=True)
    return items.drop(columns="geometry").astype(str).to_dict("records"), items.geometry.to_wkt().tolist(), len(vp.history(store, org))


# --- adding and listing ---


def test_add_returns_the_item_and_list_items_shows_it(store: Store, org: str) -> None:
    item = add(
        store, org, target_groups=["elderly", "newcomers", "elderly"], languages=["ar", "nl"], hours="ma-vr 9-18",
        wheelchair="limited", formal=False, notes="Vraag naar Mohammed.\nThee op de mat.",
    )  # fmt: skip
    assert (item.name, item.kind, item.layer, item.version, item.deleted) == ("Theehuis Assalam", "tea_house", "vindplaats", 1, False)
    assert (item.lon, item.lat) == (TEA_HOUSE["lon"], TEA_HOUSE["lat"])
    assert item.target_groups == ("elderly", "newcomers")
    assert item.updated_by == "ann" and item.created_at == item.updated_at
    frame = vp.list_items(store, org)
    assert list(frame.columns) == [*vp.ITEM_COLUMNS, "geometry"]
    assert frame.crs.to_epsg() == 4326 and (frame.geom_type == "Point").all()
    row = frame.iloc[0]
    assert row["id"] == item.id and row["languages"] == ("ar", "nl") and row["formal"] is False
    assert row["notes"] == "Vraag naar Mohammed.\nThee op de mat." and row["hours"] == "ma-vr 9-18"
    assert (row.geometry.x, row.geometry.y) == (item.lon, item.lat)
    assert str(frame["version"].dtype) == "int64" and str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert vp.get(store, org, item.id) == item


def test_an_empty_map_has_the_declared_columns(store: Store, org: str) -> None:
    frame = vp.list_items(store, org)
    assert frame.empty and list(frame.columns) == [*vp.ITEM_COLUMNS, "geometry"] and frame.crs.to_epsg() == 4326


def test_the_organisation_layers_are_kept_and_filtered(store: Store, org: str) -> None:
    add(store, org)
    add(store, org, layer="site", name="LDC De Buurt", kind="meeting", lon=4.375, formal=True)
    add(store, org, layer="partner", name="Café De Pintelier", kind="cafe", actor="cafe", lon=4.38, formal=False)
    add(store, org, layer="partner", name="Moskee Al Amal", kind="worship", actor="religious", lon=4.381)
    add(store, org, layer="gatekeeper", name="Voorzitter seniorenclub", kind="meeting", actor="resident", lon=4.39, target_groups=["elderly"])
    add(store, org, layer="need", name="Geen bank op het plein", kind="square", actor="shopkeeper", lon=4.385)
    frame = vp.list_items(store, org)
    assert frame["layer"].value_counts().to_dict() == {"vindplaats": 1, "site": 1, "partner": 2, "gatekeeper": 1, "need": 1}
    partners = vp.list_items(store, org, layers=["partner"])
    assert sorted(partners["name"]) == ["Café De Pintelier", "Moskee Al Amal"]
    assert set(vp.list_items(store, org, layers=vp.ORGANISATION_LAYERS)["layer"]) == set(vp.ORGANISATION_LAYERS)
    assert frame[frame["target_groups"].map(lambda groups: "elderly" in groups)]["name"].tolist() == ["Voorzitter seniorenclub"]
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.list_items(store, org, layers=["talent"])
    assert caught.value.key == "error.layer_unknown"


def test_untrusted_text_is_kept_verbatim(store: Store, org: str) -> None:
    names = ["<img src=x onerror=alert(1)>", "'; DROP TABLE map_items; --", "Café Één ë \u00e9 e\u0301", "{name} {0} %s"]
    for i, name in enumerate(names):
        add(store, org, name=name, lon=east(100 * i), notes=f"<script>alert({i})</script> & &amp;")
    frame = vp.list_items(store, org)
    assert frame["name"].tolist() == names
    assert set(frame["notes"]) == {f"<script>alert({i})</script> & &amp;" for i in range(len(names))}


def test_mark_an_osm_place_as_a_vindplaats(store: Store, org: str) -> None:
    place = {
        "place_id": "osm:node/123", "name": "Café Le Central", "category": "cafe", "osm_tag": "amenity=cafe",
        "opening_hours": "Mo-Sa 08:00-20:00", "wheelchair": "yes", "geometry": shapely.Point(4.377, 50.862),
    }  # fmt: skip
    item = vp.add_from_place(store, org, place, user="ann", bounds=BOX, target_groups=["men"])
    assert (item.name, item.kind, item.osm_place_id, item.hours, item.wheelchair) == (
        "Café Le Central", "cafe", "osm:node/123", "Mo-Sa 08:00-20:00", "yes",
    )  # fmt: skip
    assert (item.lon, item.lat, item.target_groups, item.layer) == (4.377, 50.862, ("men",), "vindplaats")
    unnamed = {**place, "name": "", "place_id": "osm:node/9", "wheelchair": "designated", "geometry": shapely.Point(4.378, 50.863)}
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.add_from_place(store, org, unnamed, user="ann", bounds=BOX)
    assert caught.value.key == "error.name_empty"
    named = vp.add_from_place(store, org, unnamed, user="ann", bounds=BOX, layer="partner", name="Terras", actor="cafe")
    assert (named.layer, named.wheelchair, named.actor) == ("partner", "unknown", "cafe")


def test_search_locations_finds_places_and_streets() -> None:
    places = gpd.GeoDataFrame(
        {"place_id": ["p1"], "name": ["Bibliothèque Sésame"], "category": ["learning"], "osm_tag": [""], "religion": [""],
         "opening_hours": [""], "wheelchair": [""], "address": [""]},
        geometry=[shapely.Point(4.376, 50.866)], crs="EPSG:4326",
    )  # fmt: skip
    street = shapely.LineString([(4.37, 50.86), (4.38, 50.87)])
    edges = gpd.GeoDataFrame({"name": ["Chaussée de Haecht - Haachtsesteenweg"] * 2}, geometry=[street, street], crs="EPSG:4326")
    area = area_mod.Area(name="test", places=places, street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(*BOX))
    found = vp.search_locations(area, "sesame")
    assert found[["label", "source"]].values.tolist() == [["Bibliothèque Sésame", "place"]]
    streets = vp.search_locations(area, "HAECHT")
    assert streets[["label", "source"]].values.tolist() == [["Chaussée de Haecht - Haachtsesteenweg", "street"]]
    assert streets.geometry.iloc[0].distance(street) < 1e-9
    assert vp.search_locations(area, "  ").empty


# --- changing, moving, deleting, undo, history ---


def test_update_changes_fields_and_keeps_the_history(store: Store, org: str) -> None:
    item = add(store, org)
    changed = vp.update(store, org, item.id, user="bob", expected_version=1, notes="Op vrijdag druk.", languages=["tr"], wheelchair="yes")
    assert (changed.version, changed.notes, changed.languages, changed.wheelchair, changed.updated_by) == (
        2, "Op vrijdag druk.", ("tr",), "yes", "bob",
    )  # fmt: skip
    assert changed.created_at == item.created_at and changed.updated_at > item.updated_at
    assert vp.get(store, org, item.id) == changed
    log = vp.history(store, org, item.id)
    assert list(log.columns) == list(vp.HISTORY_COLUMNS)
    assert log["action"].tolist() == ["create", "update"] and log["user"].tolist() == ["ann", "bob"]
    assert log["changed"].iloc[1] == ("languages", "wheelchair", "notes")
    assert log["before"].iloc[1]["notes"] == "" and log["after"].iloc[1]["notes"] == "Op vrijdag druk."
    assert log["before"].iloc[0] is None and log["after"].iloc[0]["name"] == "Theehuis Assalam"
    assert str(log["at"].dtype).startswith("datetime64") and log["at"].is_monotonic_increasing


def test_an_update_that_changes_nothing_writes_nothing(store: Store, org: str) -> None:
    item = add(store, org, languages=["ar"])
    same = vp.update(store, org, item.id, user="bob", expected_version=1, name="Theehuis Assalam", languages=("ar",))
    assert same == item and len(vp.history(store, org)) == 1


def test_update_refuses_fields_it_does_not_edit(store: Store, org: str) -> None:
    item = add(store, org)
    with pytest.raises(TypeError, match="use move"):
        vp.update(store, org, item.id, user="bob", expected_version=1, lon=4.0)
    with pytest.raises(TypeError, match="version"):
        vp.update(store, org, item.id, user="bob", expected_version=1, version=7)
    with pytest.raises(TypeError, match="expected_version"):
        vp.update(store, org, item.id, user="bob", expected_version="1", notes="x")  # type: ignore[arg-type]
    assert vp.get(store, org, item.id) == item


def test_a_layer_change_checks_the_actor(store: Store, org: str) -> None:
    item = add(store, org, name="Café De Pintelier", kind="cafe")
    partner = vp.update(store, org, item.id, user="bob", expected_version=1, layer="partner", actor="cafe")
    assert (partner.layer, partner.actor, partner.version) == ("partner", "cafe", 2)
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.update(store, org, item.id, user="bob", expected_version=2, layer="vindplaats")
    assert caught.value.key == "error.actor_unknown" and caught.value.field == "actor"
    assert vp.get(store, org, item.id) == partner


def test_move(store: Store, org: str) -> None:
    item = add(store, org)
    moved = vp.move(store, org, item.id, user="bob", expected_version=1, lon=4.38, lat=50.865, bounds=BOX)
    assert (moved.lon, moved.lat, moved.version) == (4.38, 50.865, 2)
    log = vp.history(store, org, item.id)
    assert log["action"].tolist() == ["create", "move"] and log["changed"].iloc[1] == ("lon", "lat")
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.move(store, org, item.id, user="bob", expected_version=2, lon=4.2, lat=50.865, bounds=BOX)
    assert caught.value.key == "error.outside_area"
    assert vp.get(store, org, item.id) == moved


def test_delete_and_undo(store: Store, org: str) -> None:
    item = add(store, org)
    deleted = vp.delete(store, org, item.id, user="bob", expected_version=1)
    assert deleted.deleted and deleted.version == 2
    assert vp.list_items(store, org).empty
    shown = vp.list_items(store, org, include_deleted=True)
    assert shown["id"].tolist() == [item.id] and shown["deleted_at"].notna().all()
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.update(store, org, item.id, user="bob", expected_version=2, notes="x")
    assert caught.value.key == "error.item_deleted"
    restored = vp.undo_delete(store, org, item.id, user="cas", expected_version=2)
    assert not restored.deleted and restored.version == 3 and restored.name == item.name
    assert vp.list_items(store, org)["id"].tolist() == [item.id]
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.restore(store, org, item.id, user="cas", expected_version=3)
    assert caught.value.key == "error.item_not_deleted"
    log = vp.history(store, org, item.id)
    assert log["action"].tolist() == ["create", "delete", "restore"] and log["user"].tolist() == ["ann", "bob", "cas"]


def test_history_of_the_whole_organisation(store: Store, org: str) -> None:
    first = add(store, org)
    second = add(store, org, name="Wassalon Helmet", kind="laundromat", lon=4.38)
    vp.update(store, org, second.id, user="bob", expected_version=1, hours="elke dag")
    vp.delete(store, org, first.id, user="cas", expected_version=1)
    log = vp.history(store, org)
    assert log[["name", "action", "user"]].values.tolist() == [
        ["Theehuis Assalam", "create", "ann"],
        ["Wassalon Helmet", "create", "ann"],
        ["Wassalon Helmet", "update", "bob"],
        ["Theehuis Assalam", "delete", "cas"],
    ]


# --- nothing lost: concurrent edits ---


@pytest.mark.parametrize("late_change", ["update", "move", "delete"])
def test_a_stale_edit_from_another_app_instance_is_refused(
    open_stores: Callable[[], Store], store: Store, org: str, late_change: str
) -> None:
    item = add(store, org)
    other = open_stores()  # a second app instance on the same database
    seen_by_bob = vp.get(other, org, item.id)
    saved = vp.update(store, org, item.id, user="ann", expected_version=1, notes="Ann's note")
    changes = {
        "update": lambda: vp.update(other, org, item.id, user="bob", expected_version=seen_by_bob.version, notes="Bob's note"),
        "move": lambda: vp.move(other, org, item.id, user="bob", expected_version=seen_by_bob.version, lon=4.38, lat=50.87, bounds=BOX),
        "delete": lambda: vp.delete(other, org, item.id, user="bob", expected_version=seen_by_bob.version),
    }
    with pytest.raises(vp.StaleEditError) as caught:
        changes[late_change]()
    error = caught.value
    assert (error.key, error.changed_by, error.current_version) == ("error.stale_edit", "ann", 2)
    assert error.changed_at == saved.updated_at
    assert "ann" in str(error) and "not saved" in str(error) and "ann" in error.message("nl") and "ann" in error.message("fr")
    assert vp.get(store, org, item.id) == saved and vp.get(other, org, item.id) == saved
    assert vp.history(store, org, item.id)["user"].tolist() == ["ann", "ann"]


def test_two_people_editing_at_the_same_time_both_keep_their_work(open_stores: Callable[[], Store], store: Store, org: str) -> None:
    other = open_stores()
    tea = add(store, org)
    laundry = add(other, org, name="Wassalon Helmet", kind="laundromat", lon=4.38)
    ann = vp.update(store, org, tea.id, user="ann", expected_version=1, notes="Ann was here")
    bob = vp.update(other, org, laundry.id, user="bob", expected_version=1, notes="Bob was here")
    ann_again = vp.move(store, org, tea.id, user="ann", expected_version=ann.version, lon=4.374, lat=50.861, bounds=BOX)
    frame = vp.list_items(other, org).set_index("id")
    assert frame.loc[tea.id, "notes"] == "Ann was here" and frame.loc[tea.id].geometry.x == ann_again.lon
    assert frame.loc[laundry.id, "notes"] == "Bob was here" and frame.loc[laundry.id, "version"] == bob.version == 2


def test_concurrent_writers_in_threads_lose_nothing(open_stores: Callable[[], Store], store: Store, org: str) -> None:
    stores = [store, open_stores()]
    items = [add(store, org, name=f"Bank {i}", kind="bench", lon=east(40 * i)) for i in range(6)]
    rounds = 8

    def edit_own_item(index: int) -> int:
        item, version = items[index], items[index].version
        for n in range(rounds):
            version = vp.update(stores[index % 2], org, item.id, user=f"user{index}", expected_version=version, notes=f"round {n}").version
        return version

    with ThreadPoolExecutor(max_workers=6) as pool:
        versions = list(pool.map(edit_own_item, range(len(items))))
    assert versions == [1 + rounds] * len(items)
    frame = vp.list_items(store, org).set_index("id")
    assert all(frame.loc[item.id, "notes"] == f"round {rounds - 1}" for item in items)
    assert len(vp.history(store, org)) == len(items) * (1 + rounds)


def test_racing_edits_of_one_place_let_exactly_one_win(open_stores: Callable[[], Store], store: Store, org: str) -> None:
    stores = [store, open_stores()]
    item = add(store, org)
    start = threading.Barrier(6)

    def edit(index: int) -> str:
        start.wait()
        try:
            vp.update(stores[index % 2], org, item.id, user=f"user{index}", expected_version=1, notes=f"from {index}")
        except vp.StaleEditError:
            return "refused"
        return f"from {index}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(edit, range(6)))
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1 and outcomes.count("refused") == 5
    final = vp.get(store, org, item.id)
    assert (final.notes, final.version) == (winners[0], 2)
    assert vp.history(store, org, item.id)["action"].tolist() == ["create", "update"]


def test_racing_adds_of_one_place_keep_one(open_stores: Callable[[], Store], store: Store, org: str) -> None:
    stores = [store, open_stores()]
    start = threading.Barrier(6)

    def mark(index: int) -> str:
        start.wait()
        try:
            add(stores[index % 2], org, user=f"user{index}", name="Theehuis  assalam" if index % 2 else "Theehuis Assalam")
        except vp.DuplicateError:
            return "duplicate"
        return "added"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(mark, range(6)))
    assert sorted(outcomes) == ["added"] + ["duplicate"] * 5
    assert len(vp.list_items(store, org)) == 1


# --- per organisation ---


def test_items_of_another_organisation_are_invisible(store: Store, org: str) -> None:
    item = add(store, org)
    other = organisations.ensure(store, "Buurthuis Aksent")
    assert vp.list_items(store, other).empty and vp.history(store, other).empty
    attempts = [
        lambda: vp.get(store, other, item.id),
        lambda: vp.update(store, other, item.id, user="eve", expected_version=1, notes="mine"),
        lambda: vp.move(store, other, item.id, user="eve", expected_version=1, lon=4.38, lat=50.87, bounds=BOX),
        lambda: vp.delete(store, other, item.id, user="eve", expected_version=1),
        lambda: vp.restore(store, other, item.id, user="eve", expected_version=1),
        lambda: vp.history(store, other, item.id),
    ]
    for attempt in attempts:
        with pytest.raises(vp.ItemNotFoundError) as caught:
            attempt()
        assert caught.value.key == "error.item_not_found" and item.id in str(caught.value)
    assert vp.get(store, org, item.id) == item
    theirs = add(store, other)  # the same place on another organisation's map is no duplicate
    assert vp.list_items(store, other)["id"].tolist() == [theirs.id]
    with pytest.raises(vp.VindplaatsError) as caught:
        add(store, "no-such-organisation")
    assert caught.value.key == "error.organisation_unknown"


# --- bad input leaves the data as it was ---

BAD_ADDS: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "error.name_empty"),
    ({"name": "   \t "}, "error.name_empty"),
    ({"name": None}, "error.name_empty"),
    ({"name": "x" * 201}, "error.text_too_long"),
    ({"name": "Bell\x07 café"}, "error.control_character"),
    ({"name": "two\nlines"}, "error.control_character"),
    ({"name": 42}, "error.not_text"),
    ({"kind": "spaceship"}, "error.kind_unknown"),
    ({"kind": ""}, "error.kind_unknown"),
    ({"layer": "talent"}, "error.layer_unknown"),
    ({"lon": "4.37"}, "error.coordinate_not_number"),
    ({"lat": None}, "error.coordinate_not_number"),
    ({"lon": float("nan")}, "error.coordinate_not_number"),
    ({"lat": float("inf")}, "error.coordinate_not_number"),
    ({"lon": True}, "error.coordinate_not_number"),
    ({"lon": 4.2}, "error.outside_area"),
    ({"lat": 95.0}, "error.coordinate_out_of_range"),
    ({"lon": 150000.0, "lat": 170000.0}, "error.coordinate_out_of_range"),
    ({"lon": 50.861, "lat": 4.3725}, "error.coordinates_swapped"),
    ({"target_groups": ["elderly", "aliens"]}, "error.target_group_unknown"),
    ({"target_groups": "elderly"}, "error.not_a_list"),
    ({"languages": ["Arabisch"]}, "error.language_unknown"),
    ({"wheelchair": "maybe"}, "error.wheelchair_unknown"),
    ({"formal": "yes"}, "error.formal_invalid"),
    ({"actor": "resident"}, "error.actor_unknown"),
    ({"layer": "partner", "actor": "bank robber"}, "error.actor_unknown"),
    ({"notes": "x" * 5001}, "error.text_too_long"),
    ({"notes": "nul \x00 byte"}, "error.control_character"),
    ({"hours": "lone \ud800 surrogate"}, "error.control_character"),
    ({"osm_place_id": "osm:node/\x1b1"}, "error.control_character"),
    ({"user": ""}, "error.user_empty"),
    ({"user": None}, "error.user_empty"),
    ({"name": " theehuis   ASSALAM ", "lon": east(10)}, "error.duplicate"),
]


@pytest.mark.parametrize(("fields", "key"), BAD_ADDS, ids=[f"{k}-{i}" for i, (_, k) in enumerate(BAD_ADDS)])
def test_bad_input_to_add_is_refused_and_changes_nothing(store: Store, org: str, fields: dict[str, Any], key: str) -> None:
    add(store, org)
    before = state(store, org)
    with pytest.raises(vp.VindplaatsError) as caught:
        add(store, org, **fields)
    assert caught.value.key == key
    for lang in i18n.LANGUAGES:
        text = caught.value.message(lang)
        assert text and not text.startswith("error.") and "{" not in text
    assert state(store, org) == before


BAD_UPDATES: list[tuple[dict[str, Any], str]] = [
    ({"name": "  "}, "error.name_empty"),
    ({"kind": "castle"}, "error.kind_unknown"),
    ({"languages": ["nl", 3]}, "error.language_unknown"),
    ({"wheelchair": None, "formal": 1}, "error.formal_invalid"),
    ({"name": "Wassalon Helmet"}, "error.duplicate"),
]


@pytest.mark.parametrize(("changes", "key"), BAD_UPDATES, ids=[k for _, k in BAD_UPDATES])
def test_bad_input_to_update_is_refused_and_changes_nothing(store: Store, org: str, changes: dict[str, Any], key: str) -> None:
    item = add(store, org)
    add(store, org, name="Wassalon Helmet", kind="laundromat", lon=east(15))
    before = state(store, org)
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.update(store, org, item.id, user="bob", expected_version=1, **changes)
    assert caught.value.key == key
    assert state(store, org) == before


def test_messages_name_the_bad_value_and_the_field(store: Store, org: str) -> None:
    with pytest.raises(vp.VindplaatsError) as caught:
        add(store, org, kind="spaceship")
    assert "spaceship" in str(caught.value) and caught.value.field == "kind"
    with pytest.raises(vp.VindplaatsError) as caught:
        add(store, org, name="x" * 201)
    assert caught.value.message("nl").startswith("Naam is te lang (201 tekens")
    assert caught.value.message("fr").startswith("Nom est trop long (201 caractères")
    with pytest.raises(vp.VindplaatsError) as caught:
        add(store, org, lon="four")
    assert caught.value.field == "lon" and "“four”" in caught.value.message("en") and "Lengtegraad" in caught.value.message("nl")


# --- duplicates ---


@pytest.mark.parametrize("name", ["Theehuis Assalam", "theehuis assalam", "  Theehuis   Assalam ", "Théehuis Assàlam", "THEEHUIS ASSALAM"])
def test_the_same_name_within_25_m_is_a_duplicate(store: Store, org: str, name: str) -> None:
    first = add(store, org)
    with pytest.raises(vp.DuplicateError) as caught:
        add(store, org, name=name, lon=east(20), user="bob")
    assert caught.value.existing_id == first.id
    assert "20 m" in str(caught.value) and "Theehuis Assalam" in str(caught.value)


def test_what_is_not_a_duplicate(store: Store, org: str) -> None:
    first = add(store, org)
    add(store, org, lon=east(30))  # 30 m away: another place with the same name
    add(store, org, name="Theehuis Assalam 2", lon=east(5))
    add(store, org, layer="partner", actor="cafe", lon=east(1))  # the same café, now also as a partner
    vp.delete(store, org, first.id, user="ann", expected_version=1)
    add(store, org, lon=TEA_HOUSE["lon"])  # a deleted place does not block
    assert len(vp.list_items(store, org)) == 4


def test_metres_are_measured_on_the_earth() -> None:
    assert vp.distance_m(4.3725, 50.861, 4.3725, 50.862) == pytest.approx(111.2, abs=0.2)
    assert vp.distance_m(4.3725, 50.861, east(25), 50.861) == pytest.approx(25, abs=0.1)


def test_moving_renaming_or_restoring_onto_a_duplicate_is_refused(store: Store, org: str) -> None:
    first = add(store, org)
    far = add(store, org, lon=east(200))
    with pytest.raises(vp.DuplicateError):
        vp.move(store, org, far.id, user="bob", expected_version=1, lon=east(10), lat=TEA_HOUSE["lat"], bounds=BOX)
    other = add(store, org, name="Bank", kind="bench", lon=east(5))
    with pytest.raises(vp.DuplicateError):
        vp.update(store, org, other.id, user="bob", expected_version=1, name="theehuis assalam")
    vp.delete(store, org, first.id, user="bob", expected_version=1)
    again = add(store, org, lon=east(3))
    with pytest.raises(vp.DuplicateError) as caught:
        vp.restore(store, org, first.id, user="bob", expected_version=2)
    assert caught.value.existing_id == again.id
    assert vp.get(store, org, first.id).deleted and vp.get(store, org, far.id) == far


# --- the area ---


def test_the_area_can_be_a_polygon() -> None:
    schaerbeek = area_mod.commune_boundary()
    assert vp.clean_position(4.3725, 50.8610, schaerbeek) == (4.3725, 50.8610)
    with pytest.raises(vp.VindplaatsError) as caught:
        vp.clean_position(4.3524, 50.8467, schaerbeek)  # the Grand-Place is in Brussels-City
    assert caught.value.key == "error.outside_area" and "4.352400" in str(caught.value)
    with pytest.raises(TypeError):
        vp.clean_position(4.37, 50.86, (4.3, 50.8))


# --- vocabularies ---


def test_every_vocabulary_entry_has_a_label_in_three_languages() -> None:
    for vocabulary, keys in vp.VOCABULARIES.items():
        assert len(set(keys)) == len(keys), vocabulary
        for key in keys:
            label_key = vp.label_key(vocabulary, key)
            assert label_key in i18n.TABLE, label_key
            assert all(i18n.t(label_key, lang) for lang in i18n.LANGUAGES)
    for field in (*vp.EDITABLE, "lon", "lat", "user", "organisation"):
        assert f"item.{field}" in i18n.TABLE


def test_kinds_are_the_place_categories_plus_informal_places() -> None:
    assert set(vp.KINDS) == set(taxonomy.CATEGORY_KEYS) | set(vp.INFORMAL_KINDS)
    assert vp.KINDS[-1] == "other"
    assert {"bench", "square", "laundromat", "metro_station", "market", "self_organisation", "tea_house"} <= set(vp.KINDS)
    assert vp.label_key("kind", "cafe") == "category.cafe" and vp.label("kind", "tea_house", "fr") == "Salon de thé"
    assert vp.options("layer", "nl")[0] == ("vindplaats", "Vindplaats")
    assert [key for key, _ in vp.options("target_group", "en")] == list(vp.TARGET_GROUPS)


def test_the_history_survives_as_plain_json(store: Store, org: str) -> None:
    item = add(store, org, target_groups=["women"], formal=True)
    vp.update(store, org, item.id, user="bob", expected_version=1, target_groups=[], formal=None)
    after = vp.history(store, org, item.id)["after"]
    assert after.iloc[0]["target_groups"] == ["women"] and after.iloc[0]["formal"] is True
    assert after.iloc[1]["target_groups"] == [] and after.iloc[1]["formal"] is None
    assert isinstance(pd.Timestamp(vp.history(store, org)["at"].iloc[0]), pd.Timestamp)


def test_search_hits_of_the_same_name_keep_their_own_id_and_street() -> None:
    """Two laundromats called alike are told apart by id and street, never confused by their label."""
    places = gpd.GeoDataFrame(
        {"place_id": ["bxl:1", "bxl:2"], "name": ["Speed Queen", "Speed Queen"], "category": ["market"] * 2,
         "osm_tag": ["shop=laundry"] * 2, "religion": [""] * 2, "opening_hours": [""] * 2, "wheelchair": [""] * 2,
         "address": ["", ""]},
        geometry=[shapely.Point(4.3705, 50.8605), shapely.Point(4.3795, 50.8795)], crs="EPSG:4326",
    )  # fmt: skip
    edges = gpd.GeoDataFrame(
        {"name": ["Avenue Rogier - Rogierlaan", "Rue Gray - Graystraat"]},
        geometry=[shapely.LineString([(4.37, 50.86), (4.371, 50.86)]), shapely.LineString([(4.379, 50.88), (4.38, 50.88)])],
        crs="EPSG:4326",
    )
    area = area_mod.Area(name="test", places=places, street_edges=edges, street_nodes=edges.iloc[:0], boundary=shapely.box(*BOX))
    found = vp.search_locations(area, "speed queen")
    assert found["id"].tolist() == ["bxl:1", "bxl:2"]
    assert found["detail"].tolist() == ["Avenue Rogier - Rogierlaan", "Rue Gray - Graystraat"]


def test_a_vindplaats_from_an_osm_place_keeps_its_osm_kind_and_id() -> None:
    laundry = {"place_id": "bxl:poi/2307", "name": "Speed Queen", "category": "market", "osm_tag": "shop=laundry",
               "geometry": shapely.Point(4.38295, 50.85838)}  # fmt: skip
    fields = vp.fields_from_place(laundry)
    assert (fields["kind"], fields["osm_place_id"]) == ("laundromat", "bxl:poi/2307")
    assert vp.fields_from_place({**laundry, "osm_tag": "amenity=bench", "category": "public"})["kind"] == "bench"
    assert vp.fields_from_place({**laundry, "osm_tag": "amenity=cafe", "category": "cafe"})["kind"] == "cafe"
