"""Vindplaatsen and the organisation's map: vocabularies, validation, and every change kept with its history."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from buurtkaart import accounts, audit, formats, names, organisations, settings, validate, wayfinding
from buurtkaart.accounts import Actor
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import TABLE, t
from buurtkaart.store import (
    LAYER_KEYS,
    NAME_MAX,
    WHEELCHAIR_KEYS,
    HistoryEntry,
    MapItem,
    Store,
    new_id,
    now,
)
from buurtkaart.taxonomy import CATEGORY_KEYS, OTHER

CRS = settings.CRS
ITEMS: Table = MapItem.__table__  # type: ignore[assignment]
HISTORY: Table = HistoryEntry.__table__  # type: ignore[assignment]

# --- vocabularies (keys are stored; labels come from i18n: see `label_key`) ---
LAYERS: tuple[str, ...] = LAYER_KEYS
ORGANISATION_LAYERS: tuple[str, ...] = ("site", "partner", "gatekeeper", "need")
# Informal places where people can be met, beyond the OSM categories ("market" is already one).
INFORMAL_KINDS: tuple[str, ...] = (
    "bench",
    "square",
    "laundromat",
    "metro_station",
    "self_organisation",
    "tea_house",
    "bus_stop",
    "street_corner",
    "school_gate",
)
KINDS: tuple[str, ...] = (*(k for k in CATEGORY_KEYS if k != OTHER), *INFORMAL_KINDS, OTHER)
TARGET_GROUPS: tuple[str, ...] = (
    "elderly",
    "young_people",
    "children",
    "parents",
    "newcomers",
    "women",
    "men",
    "people_with_disability",
    "homeless",
    "everyone",
)
# Languages spoken at a place: ISO 639 codes of languages common in Brussels, sign languages, "other".
SPOKEN_LANGUAGES: tuple[str, ...] = (
    "nl", "fr", "en", "de", "ar", "ber", "tr", "es", "pt", "it", "pl", "ro", "bg", "ru", "uk", "el",
    "sq", "ku", "fa", "ps", "ur", "so", "ti", "am", "ln", "sw", "zh", "rom", "vgt", "sfb", "other",
)  # fmt: skip
PARTNER_KINDS: tuple[str, ...] = (
    "formal",
    "informal",
    "self_organisation",
    "religious",
    "sports_club",
    "service_club",
    "cafe",
    "school",
    "care",
    "other",
)
ACTOR_KINDS: tuple[str, ...] = ("resident", "organisation", "business", "shopkeeper", "local_government")
WHEELCHAIR: tuple[str, ...] = WHEELCHAIR_KEYS
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "layer": LAYERS,
    "kind": KINDS,
    "target_group": TARGET_GROUPS,
    "language": SPOKEN_LANGUAGES,
    "partner": PARTNER_KINDS,
    "actor": ACTOR_KINDS,
    "wheelchair": WHEELCHAIR,
}
_LABEL_PREFIX = {
    "layer": "layer",
    "kind": "kind",
    "target_group": "target",
    "language": "language",
    "partner": "partner",
    "actor": "actor",
    "wheelchair": "wheelchair",
}
# Which vocabulary the `actor` field uses in each layer (None: the field stays empty).
ACTOR_VOCABULARY: dict[str, str | None] = {
    "vindplaats": None,
    "site": None,
    "partner": "partner",
    "gatekeeper": "actor",
    "need": "actor",
}

NOTES_MAX = 5000
HOURS_MAX = 500
OSM_ID_MAX = 100
USER_MAX = NAME_MAX
DUPLICATE_METRES = 25.0
EDITABLE: tuple[str, ...] = (
    "layer",
    "name",
    "kind",
    "target_groups",
    "languages",
    "hours",
    "wheelchair",
    "formal",
    "notes",
    "actor",
    "osm_place_id",
)
# The columns of `list_items` (besides `geometry`: Points in EPSG:4326), with their dtypes.
ITEM_COLUMNS: dict[str, str] = {
    "id": "str",
    "layer": "str",
    "name": "str",
    "kind": "str",
    "target_groups": "object",
    "languages": "object",
    "hours": "str",
    "wheelchair": "str",
    "formal": "object",
    "notes": "str",
    "actor": "str",
    "osm_place_id": "object",
    "version": "int64",
    "created_at": "datetime64[us, UTC]",
    "updated_at": "datetime64[us, UTC]",
    "updated_by": "str",
    "deleted_at": "datetime64[us, UTC]",
}
HISTORY_COLUMNS: tuple[str, ...] = ("id", "item_id", "at", "user", "action", "name", "changed", "before", "after")
_GEOD = pyproj.Geod(ellps="WGS84")

Bounds = shapely.Geometry | Sequence[float]


class VindplaatsError(BuurtkaartError):
    """Input or a change that cannot be saved; `field` names the form field it concerns, if any."""

    FIELD_LABELS = "item."

    def shown_values(self, lang: str) -> dict[str, object]:
        """Return the message's values, with the layer's label in `lang`."""
        values = dict(self.values)
        if "layer" in values:
            values["layer"] = label("layer", str(values["layer"]), lang)
        return values


class DuplicateError(VindplaatsError):
    """The same name is already on the map within DUPLICATE_METRES."""

    def __init__(self, key: str, *, existing_id: str, **values: object) -> None:
        self.existing_id = existing_id
        super().__init__(key, field="name", **values)


class StaleEditError(VindplaatsError):
    """Someone changed the item since it was read: the edit is refused, nothing is overwritten."""

    def __init__(self, *, name: str, changed_by: str, changed_at: datetime | None, current_version: int) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        super().__init__("error.stale_edit", name=name, user=changed_by, at=_local_time(changed_at))


class ItemNotFoundError(VindplaatsError):
    """No item with this id in this organisation (items of other organisations are invisible)."""


@dataclass(frozen=True)
class Item:
    """One point of an organisation's map as it is stored; `version` is what an edit must quote."""

    id: str
    organisation_id: str
    layer: str
    name: str
    kind: str
    lon: float
    lat: float
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    hours: str
    wheelchair: str
    formal: bool | None
    notes: str
    actor: str
    osm_place_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str
    deleted_at: datetime | None

    @property
    def deleted(self) -> bool:
        """Return True when the item is deleted (it can still be restored)."""
        return self.deleted_at is not None


# --- vocabularies and labels ---


def label_key(vocabulary: str, key: str) -> str:
    """Return the i18n key of a vocabulary entry (a kind that is a place category uses "category.<key>")."""
    if vocabulary == "kind" and key in CATEGORY_KEYS:
        return f"category.{key}"
    return f"{_LABEL_PREFIX[vocabulary]}.{key}"


def label(vocabulary: str, key: str, lang: str) -> str:
    """Return the label of a vocabulary entry in `lang`."""
    return t(label_key(vocabulary, key), lang)


def options(vocabulary: str, lang: str) -> list[tuple[str, str]]:
    """Return (key, label) of every entry of a vocabulary, in its order, for a select box."""
    return [(key, label(vocabulary, key, lang)) for key in VOCABULARIES[vocabulary]]


fold_name = names.duplicate_key  # the key stored with each item, that finds duplicates


# --- validation (shared with exchange.import_file) ---


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the editable fields of an item checked and normalised; raise VindplaatsError on the first problem."""
    text, choice, choices, error = validate.text, validate.choice, validate.choices, VindplaatsError  # once per row
    layer = choice(values.get("layer"), "layer", LAYERS, error, "error.layer_unknown")
    actor_vocabulary = ACTOR_VOCABULARY[layer]
    actor = text(values.get("actor"), "actor", error, limit=40)
    if actor and (actor_vocabulary is None or actor not in VOCABULARIES[actor_vocabulary]):
        raise VindplaatsError("error.actor_unknown", field="actor", value=actor, layer=layer)
    return {
        "layer": layer,
        "name": text(values.get("name"), "name", error, limit=NAME_MAX, empty_key="error.name_empty"),
        "kind": choice(values.get("kind"), "kind", KINDS, error, "error.kind_unknown"),
        "target_groups": tuple(choices(values.get("target_groups"), "target_groups", TARGET_GROUPS, error, "error.target_group_unknown")),
        "languages": tuple(choices(values.get("languages"), "languages", SPOKEN_LANGUAGES, error, "error.language_unknown")),
        "hours": text(values.get("hours"), "hours", error, limit=HOURS_MAX, multiline=True),
        "wheelchair": choice(values.get("wheelchair") or "unknown", "wheelchair", WHEELCHAIR, error, "error.wheelchair_unknown"),
        "formal": _formal(values.get("formal")),
        "notes": text(values.get("notes"), "notes", error, limit=NOTES_MAX, multiline=True),
        "actor": actor,
        "osm_place_id": text(values.get("osm_place_id"), "osm_place_id", error, limit=OSM_ID_MAX) or None,
    }


def clean_position(lon: object, lat: object, bounds: Bounds) -> tuple[float, float]:
    """Return (lon, lat) as floats if they are numbers in degrees inside `bounds`; raise VindplaatsError if not."""
    x, y = _coordinate(lon, "lon"), _coordinate(lat, "lat")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise VindplaatsError("error.coordinate_out_of_range", field="lon", lon=_deg(x), lat=_deg(y))
    area = bounds_geometry(bounds)
    if not area.covers(shapely.Point(x, y)):
        swapped = area.covers(shapely.Point(y, x))
        key = "error.coordinates_swapped" if swapped else "error.outside_area"
        raise VindplaatsError(key, field="lon", lon=_deg(x), lat=_deg(y))
    return x, y


def bounds_geometry(bounds: Bounds) -> shapely.Geometry:
    """Return the area (a shapely geometry) from a geometry or a (west, south, east, north) box."""
    if isinstance(bounds, shapely.Geometry):
        return bounds
    values = tuple(float(v) for v in bounds)
    if len(values) != 4:
        msg = f"bounds must be a shapely geometry or (west, south, east, north), not {bounds!r}"
        raise TypeError(msg)
    return shapely.box(*values)


def clean_user(user: object) -> str:
    """Return the user's name (who makes a change) stripped; raise VindplaatsError if it is empty."""
    if not isinstance(user, str) or not user.strip():
        raise VindplaatsError("error.user_empty")
    return _text(user, "user", limit=USER_MAX, required=True)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the distance in metres between two points (geodesic, WGS 84)."""
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- changes ---


def add(
    store: Store,
    organisation_id: Actor | str,
    *,
    user: str | None = None,
    layer: str,
    name: str,
    kind: str,
    lon: float,
    lat: float,
    bounds: Bounds,
    target_groups: Iterable[str] = (),
    languages: Iterable[str] = (),
    hours: str = "",
    wheelchair: str = "unknown",
    formal: bool | None = None,
    notes: str = "",
    actor: str = "",
    osm_place_id: str | None = None,
) -> Item:
    """Add an item to the organisation's map and return it (version 1); raise VindplaatsError on bad input."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    user = clean_user(user)
    values = clean_fields(
        {
            "layer": layer, "name": name, "kind": kind, "target_groups": target_groups, "languages": languages,
            "hours": hours, "wheelchair": wheelchair, "formal": formal, "notes": notes, "actor": actor,
            "osm_place_id": osm_place_id,
        }
    )  # fmt: skip
    x, y = clean_position(lon, lat, bounds)
    with store.write(lock=organisation_id) as session:
        organisations.require(session, organisation_id, VindplaatsError)
        refuse_duplicate(session, organisation_id, values["layer"], values["name"], x, y)
        [row] = insert_items(session, organisation_id, [(values, x, y)], user=user, action="create")
    return _item(row)


def add_from_place(
    store: Store,
    organisation_id: Actor | str,
    place: Mapping[str, Any],
    *,
    user: str | None = None,
    bounds: Bounds,
    layer: str = "vindplaats",
    **overrides: Any,
) -> Item:
    """Mark an OSM place (a row of `places`: a pandas Series or a dict) as an item of `layer`; `overrides` replace its fields."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    return add(store, organisation_id, user=user, layer=layer, bounds=bounds, **{**fields_from_place(place), **overrides})


# OSM tags whose own kind of vindplaats is narrower than their map category (a laundromat is not a shop).
OSM_TAG_KINDS: dict[str, str] = {
    "shop=laundry": "laundromat",
    "shop=dry_cleaning": "laundromat",
    "amenity=bench": "bench",
    "leisure=bench": "bench",
    "highway=bus_stop": "bus_stop",
    "railway=subway_entrance": "metro_station",
    "station=subway": "metro_station",
    "place=square": "square",
}


def osm_kind(place: Mapping[str, Any]) -> str:
    """Return the kind of vindplaats of an OSM place: from its OSM tag where one fits, else its category."""
    tag = str(place.get("osm_tag") or "")
    if tag in OSM_TAG_KINDS:
        return OSM_TAG_KINDS[tag]
    return place.get("category") if place.get("category") in KINDS else OTHER


def fields_from_place(place: Mapping[str, Any]) -> dict[str, Any]:
    """Return the `add` fields taken from an OSM place: name, kind, position, hours, wheelchair, osm id."""
    point = place["geometry"]
    wheelchair = str(place.get("wheelchair") or "")
    return {
        "name": str(place.get("name") or ""),
        "kind": osm_kind(place),
        "lon": float(point.x),
        "lat": float(point.y),
        "hours": str(place.get("opening_hours") or ""),
        "wheelchair": wheelchair if wheelchair in WHEELCHAIR else "unknown",
        "osm_place_id": str(place.get("place_id") or "") or None,
    }


def update(store: Store, organisation_id: Actor | str, item_id: str, *, user: str | None = None, expected_version: int, **changes: Any) -> Item:
    """Change fields of an item (not its position: see `move`); raise StaleEditError if it changed meanwhile."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        hint = " (use move() for the position)" if {"lon", "lat"} & set(unknown) else ""
        msg = f"update() cannot change {', '.join(unknown)}{hint}; editable fields: {', '.join(EDITABLE)}"
        raise TypeError(msg)

    def changed(session: Session, row: Row[Any]) -> dict[str, Any]:
        values = clean_fields({**{f: getattr(row, f) for f in EDITABLE}, **changes})
        if fold_name(values["name"]) != row.name_key or values["layer"] != row.layer:
            refuse_duplicate(session, organisation_id, values["layer"], values["name"], row.lon, row.lat, exclude=row.id)
        return {**values, "name_key": fold_name(values["name"])}

    return _change(store, organisation_id, item_id, user=user, expected_version=expected_version, action="update", compute=changed)


def move(
    store: Store, organisation_id: Actor | str, item_id: str, *, user: str | None = None, expected_version: int, lon: float, lat: float, bounds: Bounds
) -> Item:
    """Move an item to (lon, lat) inside `bounds`; raise StaleEditError if it changed meanwhile."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    x, y = clean_position(lon, lat, bounds)

    def moved(session: Session, row: Row[Any]) -> dict[str, Any]:
        refuse_duplicate(session, organisation_id, row.layer, row.name, x, y, exclude=row.id)
        return {"lon": x, "lat": y}

    return _change(store, organisation_id, item_id, user=user, expected_version=expected_version, action="move", compute=moved)


def delete(store: Store, organisation_id: Actor | str, item_id: str, *, user: str | None = None, expected_version: int) -> Item:
    """Delete an item (it stays restorable with `restore`); raise StaleEditError if it changed meanwhile."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    return _change(
        store, organisation_id, item_id, user=user, expected_version=expected_version, action="delete",
        compute=lambda _session, _row: {"deleted_at": now()},
    )  # fmt: skip


def restore(store: Store, organisation_id: Actor | str, item_id: str, *, user: str | None = None, expected_version: int) -> Item:
    """Undo the deletion of an item; raise DuplicateError if the same place was added again meanwhile."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)

    def restored(session: Session, row: Row[Any]) -> dict[str, Any]:
        refuse_duplicate(session, organisation_id, row.layer, row.name, row.lon, row.lat, exclude=row.id)
        return {"deleted_at": None}

    return _change(
        store, organisation_id, item_id, user=user, expected_version=expected_version, action="restore", compute=restored
    )


undo_delete = restore


# --- reading ---


def get(store: Store, organisation_id: Actor | str, item_id: str) -> Item:
    """Return one item of the organisation (also a deleted one); raise ItemNotFoundError if it has none."""
    organisation_id = accounts.scope(organisation_id, accounts.MAP_READ)
    with store.read() as session:
        return _item(load_row(session, organisation_id, item_id)._mapping)


def list_items(
    store: Store, organisation_id: Actor | str, *, layers: Iterable[str] | None = None, include_deleted: bool = False
) -> gpd.GeoDataFrame:
    """Return the organisation's items (ITEM_COLUMNS + Point geometry, EPSG:4326), oldest first."""
    organisation_id = accounts.scope(organisation_id, accounts.MAP_READ)
    query = select(ITEMS).where(ITEMS.c.organisation_id == organisation_id)
    if layers is not None:
        wanted = [_choice(layer, "layer", "error.layer_unknown") for layer in layers]
        query = query.where(ITEMS.c.layer.in_(wanted))
    if not include_deleted:
        query = query.where(ITEMS.c.deleted_at.is_(None))
    with store.read() as session:
        rows = session.execute(query.order_by(ITEMS.c.created_at, ITEMS.c.id)).mappings().all()
    return items_frame(rows)


def live(items: gpd.GeoDataFrame | None, *layers: str) -> gpd.GeoDataFrame:
    """Return the items that are not deleted (and of these layers, if given); an empty frame for None."""
    if items is None:
        return items_frame([])
    keep = items["deleted_at"].isna() if "deleted_at" in items else pd.Series(True, index=items.index)
    if layers:
        keep &= items["layer"].isin(layers)
    return items[keep]


def items_frame(rows: Sequence[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """Return stored item rows as a GeoDataFrame with the declared ITEM_COLUMNS."""
    data = {column: [row[column] for row in rows] for column in ITEM_COLUMNS}
    data["target_groups"] = [tuple(v or ()) for v in data["target_groups"]]
    data["languages"] = [tuple(v or ()) for v in data["languages"]]
    frame = pd.DataFrame({c: pd.Series(data[c], dtype="object") for c in ITEM_COLUMNS})
    for column, dtype in ITEM_COLUMNS.items():
        if dtype.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype(dtype)
        elif dtype != "object":
            frame[column] = frame[column].astype(dtype)
    geometry = gpd.points_from_xy([row["lon"] for row in rows], [row["lat"] for row in rows], crs=CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def history(store: Store, organisation_id: Actor | str, item_id: str | None = None) -> pd.DataFrame:
    """Return who changed what and when (HISTORY_COLUMNS), oldest first: of one item, or of the whole organisation."""
    organisation_id = accounts.scope(organisation_id, accounts.MAP_READ)
    query = select(HISTORY).where(HISTORY.c.organisation_id == organisation_id)
    with store.read() as session:
        if item_id is not None:
            load_row(session, organisation_id, item_id)
            query = query.where(HISTORY.c.item_id == item_id)
        rows = session.execute(query.order_by(HISTORY.c.id)).mappings().all()
    records = [
        {
            "id": row["id"],
            "item_id": row["item_id"],
            "at": row["at"],
            "user": row["user"],
            "action": row["action"],
            "name": (row["after"] or row["before"] or {}).get("name", ""),
            "changed": changed_fields(row["before"], row["after"]),
            "before": row["before"],
            "after": row["after"],
        }
        for row in rows
    ]
    frame = pd.DataFrame(records, columns=list(HISTORY_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def history_table(log: pd.DataFrame, *, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the history as a page shows it, newest first: headers, actions, field names and times (Brussels) in `lang`.

    `names` maps a user's account id to the name shown (the history keeps the id).
    """
    names = names or {}
    newest = log.iloc[::-1]

    def field(name: str) -> str:
        key = "history.field.deleted_at" if name == "deleted_at" else f"item.{name}"
        return t(key, lang)

    def action(name: str) -> str:
        key = f"history.action.{name}"
        return t(key, lang) if key in TABLE else name

    return pd.DataFrame(
        {
            t("history.col.at", lang): [formats.datetime_text(at, lang) for at in newest["at"]],
            t("history.col.user", lang): [names.get(u, u) for u in newest["user"]],
            t("history.col.action", lang): [action(a) for a in newest["action"]],
            t("history.col.name", lang): list(newest["name"]),
            t("history.col.changed", lang): [", ".join(field(f) for f in fields) for fields in newest["changed"]],
        }
    )


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Return the names of the fields that differ between two snapshots (all of them on create)."""
    before, after = before or {}, after or {}
    keys = [k for k in (*EDITABLE, "lon", "lat", "deleted_at") if k in before or k in after]
    return tuple(k for k in keys if before.get(k) != after.get(k))


def search_locations(area: Area, query: str, *, limit: int = 10, lang: str = "nl") -> gpd.GeoDataFrame:
    """Return places and streets of `area` whose name matches `query`, places first (``wayfinding.search``).

    `id` is the place's own id (``street:<name>`` for a street): a hit is picked by it, never by its label,
    since several places share a name. `detail` tells same-named places apart: the address, else the nearest street;
    `quartier` and `commune` say where it lies.
    """
    return wayfinding.search(area, query, lang=lang, limit=limit)


def nearest_street(area: Area, point: shapely.Point) -> str:
    """Return the name of the named street nearest to `point` ("" if there is none)."""
    return wayfinding.nearest_street(area, point.x, point.y, max_metres=None) or ""


# --- building blocks (also used by buurtkaart.exchange) ---


def refuse_duplicate(
    session: Session, organisation_id: str, layer: str, name: str, lon: float, lat: float, *, exclude: str | None = None
) -> None:
    """Raise DuplicateError if a live item of the same layer has this name within DUPLICATE_METRES."""
    query = select(ITEMS.c.id, ITEMS.c.name, ITEMS.c.lon, ITEMS.c.lat).where(
        ITEMS.c.organisation_id == organisation_id,
        ITEMS.c.layer == layer,
        ITEMS.c.name_key == fold_name(name),
        ITEMS.c.deleted_at.is_(None),
    )
    if exclude is not None:
        query = query.where(ITEMS.c.id != exclude)
    for other in session.execute(query):
        metres = distance_m(lon, lat, other.lon, other.lat)
        if metres < DUPLICATE_METRES:
            raise DuplicateError(
                "error.duplicate", existing_id=other.id, name=other.name, distance=round(metres), limit=round(DUPLICATE_METRES)
            )


def insert_items(
    session: Session,
    organisation_id: str,
    rows: Iterable[tuple[Mapping[str, Any], float, float]],
    *,
    user: str,
    action: str,
) -> list[dict[str, Any]]:
    """Write new items (clean fields, lon, lat) and their history lines in the caller's transaction; return the rows.

    With `_change`, the one way rows enter the items table (`add` and `exchange.import_file` call it).
    """
    new = [new_row(organisation_id, values, lon, lat, user=user) for values, lon, lat in rows]
    if new:
        session.execute(ITEMS.insert(), new)
        session.execute(HISTORY.insert(), [history_row(row, user=user, action=action, before=None) for row in new])
        if action == "import":  # one event for the whole file
            audit.record_in(session, organisation_id, user, "vindplaats.import")
        else:
            for row in new:
                audit.record_in(session, organisation_id, user, f"vindplaats.{action}", row["id"])
    return new


def live_by_name_key(session: Session, organisation_id: str, keys: Iterable[str]) -> dict[tuple[str, str], list[Row[Any]]]:
    """Return the organisation's live items whose name_key is one of `keys`, by (layer, name_key)."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], list[Row[Any]]] = {}
    for start in range(0, len(wanted), 500):
        query = select(ITEMS.c.id, ITEMS.c.name, ITEMS.c.name_key, ITEMS.c.layer, ITEMS.c.lon, ITEMS.c.lat).where(
            ITEMS.c.organisation_id == organisation_id,
            ITEMS.c.deleted_at.is_(None),
            ITEMS.c.name_key.in_(wanted[start : start + 500]),
        )
        for item in session.execute(query):
            found.setdefault((item.layer, item.name_key), []).append(item)
    return found


def new_row(organisation_id: str, values: Mapping[str, Any], lon: float, lat: float, *, user: str) -> dict[str, Any]:
    """Return the stored row of a new item from clean fields."""
    at = now()
    return {
        **values,
        "id": new_id(),
        "organisation_id": organisation_id,
        "name_key": fold_name(values["name"]),
        "target_groups": list(values["target_groups"]),
        "languages": list(values["languages"]),
        "lon": lon,
        "lat": lat,
        "version": 1,
        "created_at": at,
        "updated_at": at,
        "updated_by": user,
        "deleted_at": None,
    }


def history_row(row: Mapping[str, Any], *, user: str, action: str, before: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the history line of a change that produced `row`."""
    return {
        "item_id": row["id"],
        "organisation_id": row["organisation_id"],
        "at": row["updated_at"],
        "user": user,
        "action": action,
        "before": dict(before) if before is not None else None,
        "after": snapshot(row),
    }


def snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return an item's fields as plain JSON values, for the history."""
    deleted_at = row["deleted_at"]
    return {
        **{f: list(row[f]) if f in ("target_groups", "languages") else row[f] for f in EDITABLE},
        "lon": row["lon"],
        "lat": row["lat"],
        "version": row["version"],
        "deleted_at": deleted_at.isoformat() if deleted_at is not None else None,
    }


def load_row(session: Session, organisation_id: str, item_id: str) -> Row[Any]:
    """Return the stored row of an item of this organisation; raise ItemNotFoundError if there is none."""
    row = session.execute(
        select(ITEMS).where(ITEMS.c.id == str(item_id), ITEMS.c.organisation_id == str(organisation_id))
    ).first()
    if row is None:
        raise ItemNotFoundError("error.item_not_found", item_id=str(item_id))
    return row


def _change(
    store: Store,
    organisation_id: str,
    item_id: str,
    *,
    user: str,
    expected_version: int,
    action: str,
    compute: Callable[[Session, Row[Any]], dict[str, Any]],
) -> Item:
    """Apply one change to an item in one transaction: check its version, update it, write its history."""
    user = clean_user(user)
    if isinstance(expected_version, bool) or not isinstance(expected_version, numbers.Integral):
        msg = f"expected_version must be the int `version` of the item as it was read, not {expected_version!r}"
        raise TypeError(msg)
    with store.write(lock=organisation_id) as session:
        row = load_row(session, organisation_id, item_id)
        if row.version != expected_version:
            raise _stale(session, organisation_id, row)
        if (row.deleted_at is not None) != (action == "restore"):
            key = "error.item_not_deleted" if action == "restore" else "error.item_deleted"
            raise VindplaatsError(key, name=row.name)
        values = compute(session, row)
        current = dict(row._mapping)
        if all(validate.same(current[k], v) for k, v in values.items()):
            return _item(current)
        new = {**current, **values, "version": row.version + 1, "updated_at": now(), "updated_by": user}
        result = session.execute(
            ITEMS.update()
            .where(ITEMS.c.id == row.id, ITEMS.c.version == expected_version)
            .values({k: new[k] for k in (*values, "version", "updated_at", "updated_by")})
        )
        if result.rowcount != 1:
            raise _stale(session, organisation_id, load_row(session, organisation_id, item_id))
        session.execute(HISTORY.insert(), [history_row(new, user=user, action=action, before=snapshot(current))])
        audit.record_in(session, organisation_id, user, f"vindplaats.{action}", row.id)
    return _item(new)


def _stale(session: Session, organisation_id: str, row: Row[Any]) -> StaleEditError:
    """Return the error that says who changed the item last (their username, not the account id), and when."""
    last = session.execute(
        select(HISTORY.c.user, HISTORY.c.at).where(HISTORY.c.item_id == row.id).order_by(HISTORY.c.id.desc()).limit(1)
    ).first()
    return StaleEditError(
        name=row.name,
        changed_by=accounts.name_in(session, organisation_id, last.user if last else row.updated_by),
        changed_at=last.at if last else row.updated_at,
        current_version=row.version,
    )


def _item(row: Mapping[str, Any]) -> Item:
    """Return the Item of a stored row."""
    values = {f.name: row[f.name] for f in fields(Item)}
    values["target_groups"] = tuple(values["target_groups"] or ())
    values["languages"] = tuple(values["languages"] or ())
    return Item(**values)


def _text(value: object, field: str, *, limit: int, required: bool = False, multiline: bool = False) -> str:
    """Return text stripped of surrounding spaces; refuse non-text, control characters and text over `limit`."""
    empty_key = f"error.{field}_empty" if required else None  # name, organisation, user
    return validate.text(value, field, VindplaatsError, limit=limit, empty_key=empty_key, multiline=multiline)


def _choice(value: object, field: str, key: str) -> str:
    """Return `value` if it is a key of the field's vocabulary (layer, kind, wheelchair); raise VindplaatsError naming it if not."""
    return validate.choice(value, field, VOCABULARIES[field], VindplaatsError, key)


def _formal(value: object) -> bool | None:
    """Return True (formal), False (informal) or None (unknown); refuse anything else."""
    if value is None or isinstance(value, bool | np.bool_):
        return None if value is None else bool(value)
    raise VindplaatsError("error.formal_invalid", field="formal", value=show_value(value))


def _coordinate(value: object, field: str) -> float:
    """Return a coordinate as a finite float; raise VindplaatsError if it is not a number."""
    number = validate.number(value)
    if number is None:
        raise VindplaatsError("error.coordinate_not_number", field=field, value=show_value(value))
    return number


show_value = validate.show_value


def _deg(value: float) -> str:
    """Return a coordinate with 6 decimals (about 10 cm)."""
    return f"{value:.6f}"


def _local_time(at: datetime | None) -> str:
    """Return a timestamp as Brussels time, e.g. "2025-05-03 14:02"."""
    return "?" if at is None else formats.local_time(at).strftime("%Y-%m-%d %H:%M")


# The name from before buurtkaart.organisations existed, for code written against it; new code calls organisations.ensure.
ensure_organisation = organisations.ensure
