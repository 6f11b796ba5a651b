"""Citizens and their networks of ties in the store: pseudonymised, checked, per organisation, with dated versions.

Every function takes the organisation's id and never reads or changes another organisation's rows: a citizen,
tie or version of another organisation is "not found". Input is checked completely before anything is written,
so bad input never half-saves. No name, address or free text about a person is stored: a citizen is a pseudonym
(an HMAC of the organisation's own file number, see buurtkaart.pseudonym), a short code and keys from the
vocabularies of buurtkaart.ties; a tie is a role and the place where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Table, Text, cast, select
from sqlalchemy.orm import Session

from buurtkaart import accounts, audit, gazetteer, keyguard, organisations, validate, vocabulary_entries
from buurtkaart import area as area_mod
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart import vocabulary as vocab
from buurtkaart.accounts import Actor
from buurtkaart.area import DATA_DIR, Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.store import (
    LABEL_MAX,
    VERSION_LABEL_MAX,
    CitizenRecord,
    NetworkVersionRecord,
    Store,
    TieLink,
    TieRecord,
    new_id,
    now,
)
from buurtkaart.taxonomy import CATEGORY_KEYS
from buurtkaart.vocabulary import CRS, LINK_COLUMNS, TIE_COLUMNS, Location

CITIZENS: Table = CitizenRecord.__table__  # type: ignore[assignment]
TIES: Table = TieRecord.__table__  # type: ignore[assignment]
LINKS: Table = TieLink.__table__  # type: ignore[assignment]
VERSIONS: Table = NetworkVersionRecord.__table__  # type: ignore[assignment]

TAG_MAX = 40
# A situation or talent tag is a key, never free text: it starts with a letter and holds no long number.
_TAG = re.compile(r"[a-z][a-z0-9_]*")
_LONG_NUMBER = re.compile(r"\d{4}")
PROFILE_FIELDS: tuple[str, ...] = ("age_band", "situations", "talents", "interests", "languages", "anchor", "demo")
TIE_FIELDS: tuple[str, ...] = (
    "role",
    "capital",
    "functions",
    "frequency",
    "strength",
    "state",
    "influence",
    "reciprocity",
)
LOCATION_FIELDS: tuple[str, ...] = ("level", "place_kind", "place_ref", "place_label", "lon", "lat")
GROUP_MAX = 99  # a tie may stand for a group of people ("3 drinking friends"), up to this many
# The columns of `list_ties` / `version_ties` (besides `geometry`): TIE_COLUMNS and how many people the tie stands for.
LISTED_TIE_COLUMNS: tuple[str, ...] = (*TIE_COLUMNS, "group_size")
WEAK_STATES: tuple[str, ...] = ("slapend", "breuklijn")
CHANGES: tuple[str, ...] = ("added", "lost", "reactivated", "weakened", "unchanged", "changed")
# The columns of `compare` (besides `geometry`): what happened to each tie, which fields changed, the tie itself.
COMPARE_COLUMNS: tuple[str, ...] = ("change", "changed_fields", *TIE_COLUMNS)
# The columns of `list_versions`: the version's id, its citizen, the day it stands for, its label and size.
VERSION_COLUMNS: tuple[str, ...] = ("id", "citizen_id", "saved_on", "label", "n_ties", "n_links", "created_at")
_COMPARED: tuple[str, ...] = tuple(c for c in TIE_COLUMNS if c not in ("tie_id", "citizen_id"))


class CitizenError(BuurtkaartError):
    """Input about a citizen or a tie that cannot be saved; `field` names the field, `row` the table row (from 0)."""

    FIELD_LABELS = "citizen.field."

    def __init__(self, key: str, *, field: str | None = None, row: int | None = None, **values: object) -> None:
        super().__init__(key, field=field, **values)
        self.row = row

    def shown_values(self, lang: str) -> dict[str, object]:
        """Return the message's values, with the level and the kinds of place named in `lang`."""
        values = dict(self.values)
        if "level" in values:
            values["level"] = vocab.label("level", str(values["level"]), lang)
        if "kinds" in values:
            kinds: Iterable[str] = values["kinds"]  # type: ignore[assignment]
            values["kinds"] = ", ".join(vocab.label("place_kind", str(k), lang) for k in kinds)
        return values

    def message(self, lang: str) -> str:
        """Return the message in `lang` (with the row, in a table)."""
        message = super().message(lang)
        return message if self.row is None else t("citizen.in_row", lang, row=self.row + 1, message=message)

    def at_row(self, row: int) -> CitizenError:
        """Return this error, saying which row of a table it concerns."""
        self.row = row
        return self


class TieError(CitizenError):
    """A tie (or a link between ties) that cannot be saved."""


class CitizenNotFoundError(CitizenError):
    """No citizen with this id in this organisation (citizens of other organisations are invisible)."""


class TieNotFoundError(TieError):
    """No tie with this id in this organisation (or not of this citizen)."""


class VersionNotFoundError(CitizenError):
    """No version of a network with this id in this organisation."""


@dataclass(frozen=True)
class Citizen:
    """A citizen as stored: the fields of vocabulary.CITIZEN_COLUMNS and the anchor point (lon, lat)."""

    citizen_id: str
    organisation_id: str
    code: str
    age_band: str
    situations: tuple[str, ...]
    talents: tuple[str, ...]
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    anchor_kind: str
    anchor_ref: str
    anchor_label: str
    quartier: str
    demo: bool
    created_at: datetime
    updated_at: datetime
    lon: float
    lat: float

    @property
    def id(self) -> str:
        """Return the citizen's id (the same as `citizen_id`)."""
        return self.citizen_id


@dataclass(frozen=True)
class Tie:
    """A tie as stored: the fields of vocabulary.TIE_COLUMNS, its point (lon, lat) and when it was made and changed."""

    tie_id: str
    citizen_id: str
    role: str
    capital: str
    functions: tuple[str, ...]
    frequency: str
    strength: str
    state: str
    influence: str
    reciprocity: str
    level: str
    place_kind: str
    place_ref: str
    place_label: str
    lon: float
    lat: float
    created_at: datetime
    updated_at: datetime
    group_size: int = 1

    @property
    def id(self) -> str:
        """Return the tie's id (the same as `tie_id`)."""
        return self.tie_id

    @property
    def location(self) -> Location:
        """Return where the tie is placed."""
        return Location(self.level, self.place_kind, self.place_ref, self.place_label, self.lon, self.lat)


@dataclass(frozen=True)
class NetworkVersion:
    """A saved version of a citizen's network: the day it stands for, a short label, how many ties and links."""

    id: str
    citizen_id: str
    saved_on: date
    label: str
    n_ties: int
    n_links: int
    created_at: datetime


# --- citizens ---


def create_citizen(
    store: Store,
    organisation_id: Actor | str,
    *,
    reference: str | None = None,
    age_band: str = "",
    situations: Iterable[str] = (),
    talents: Iterable[str] = (),
    interests: Iterable[str] = (),
    languages: Iterable[str] = (),
    anchor: Location,
    demo: bool = False,
    quartiers: gpd.GeoDataFrame | None = None,
    area: Area | None = None,
    user: str | None = None,
) -> Citizen:
    """Add a citizen and return it: no name, a pseudonym and a short code.

    Parameters
    ----------
    store, organisation_id
        The database and the organisation the citizen belongs to.
    reference
        The organisation's own reference (e.g. a file number), kept only as an HMAC; None: a random one.
    age_band, situations, talents, interests, languages
        The profile, as keys of ``vocabulary`` (tags are keys, never free text).
    anchor
        A quartier or a place the citizen chooses (a ``vocabulary.Location`` from the gazetteer), never a home:
        only its reference counts; its label and point are the gazetteer's (a label of another place is refused).
    demo
        Mark the citizen as invented (the demo organisation).
    quartiers
        The quartiers the anchor is placed in (default: the embedded ones).
    area
        The area whose gazetteer the anchor comes from (default: the embedded region).
    user
        Who creates the citizen (for the audit log).

    Returns
    -------
    Citizen
        The stored citizen, with its ``code`` (e.g. ``BK-7F3A-92C1``).

    Raises
    ------
    CitizenError
        Bad input, or a citizen with the same reference exists (its code is in the message).

    Example
    -------
    >>> citizen = create_citizen(store, org, anchor=gazetteer.quartier_location(27, area=region))  # doctest: +SKIP
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    values = _clean_profile(
        {"age_band": age_band, "situations": situations, "talents": talents, "interests": interests,
         "languages": languages, "anchor": _placed_anchor(store, organisation_id, anchor, area), "demo": demo},
        quartiers,
    )  # fmt: skip
    vocabulary_entries.check_tags(store, organisation_id, values)  # situations and talents only from the vocabulary
    key = keyguard.key_for(store)
    if reference is None or (isinstance(reference, str) and not reference.strip()):
        pseudonym = pseudo.random_pseudonym(organisation_id, key)
    else:
        pseudonym = _pseudonym(reference, organisation_id, key)
    with store.write(lock=organisation_id) as session:
        organisations.require(session, organisation_id, vp.VindplaatsError)
        existing = session.execute(
            select(CITIZENS.c.code).where(
                CITIZENS.c.organisation_id == organisation_id, CITIZENS.c.pseudonym == pseudonym
            )
        ).scalar()
        if existing is not None:
            raise CitizenError("error.citizen_reference_exists", field="reference", code=existing)
        at = now()
        row = {
            **values,
            "id": new_id(),
            "organisation_id": organisation_id,
            "pseudonym": pseudonym,
            "code": _free_code(session, organisation_id, pseudonym),
            "created_at": at,
            "updated_at": at,
        }
        session.execute(CITIZENS.insert(), [row])
        audit.record_in(session, organisation_id, user, "citizen.create", row["code"])
    return _citizen(row)


def update_citizen(
    store: Store,
    organisation_id: Actor | str,
    citizen_id: str,
    *,
    quartiers: gpd.GeoDataFrame | None = None,
    area: Area | None = None,
    user: str | None = None,
    **changes: Any,
) -> Citizen:
    """Change a citizen's profile fields (PROFILE_FIELDS) and return it; raise CitizenError on bad input.

    A new anchor is taken from the gazetteer of `area` (default: the embedded region) by its reference, as on creation.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        msg = f"update_citizen() cannot change {sorted(unknown)}; it changes {PROFILE_FIELDS}"
        raise TypeError(msg)
    if "anchor" in changes:
        changes = {**changes, "anchor": _placed_anchor(store, organisation_id, changes["anchor"], area)}
    values = _clean_profile(changes, quartiers)
    vocabulary_entries.check_tags(store, organisation_id, values)  # situations and talents only from the vocabulary
    with store.write(lock=organisation_id) as session:
        current = dict(_citizen_row(session, organisation_id, citizen_id)._mapping)
        if not values:
            return _citizen(current)
        values["updated_at"] = now()
        session.execute(CITIZENS.update().where(CITIZENS.c.id == current["id"]).values(values))
        audit.record_in(session, organisation_id, user, "citizen.update", current["code"])
    return _citizen({**current, **values})


def get_citizen(store: Store, organisation_id: Actor | str, citizen_id: str) -> Citizen:
    """Return one citizen of the organisation; raise CitizenNotFoundError if it has none with this id."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        return _citizen(_citizen_row(session, organisation_id, citizen_id)._mapping)


def find_by_code(store: Store, organisation_id: Actor | str, code: str) -> Citizen | None:
    """Return the citizen with this short code (typed in any case, with or without "BK-" and dashes), or None."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    normal = pseudo.normalise_code(code)
    if normal is None:
        return None
    return _find(store, organisation_id, CITIZENS.c.code == normal)


def find_by_reference(store: Store, organisation_id: Actor | str, reference: str) -> Citizen | None:
    """Return the citizen created with this reference (e.g. a file number), or None."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    if not isinstance(reference, str) or not reference.strip():
        return None
    pseudonym = _pseudonym(reference, organisation_id, keyguard.key_for(store))
    return _find(store, organisation_id, CITIZENS.c.pseudonym == pseudonym)


def list_citizens(store: Store, organisation_id: Actor | str, *, demo: bool | None = None) -> gpd.GeoDataFrame:
    """Return the organisation's citizens (vocabulary.CITIZEN_COLUMNS + anchor Point), oldest first; `demo` filters."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    query = select(CITIZENS).where(CITIZENS.c.organisation_id == organisation_id)
    if demo is not None:
        query = query.where(CITIZENS.c.demo == bool(demo))
    with store.read() as session:
        rows = session.execute(query.order_by(CITIZENS.c.created_at, CITIZENS.c.id)).mappings().all()
    return citizens_frame([_citizen(row) for row in rows])


def citizens_frame(citizens: Sequence[Citizen]) -> gpd.GeoDataFrame:
    """Return citizens as a GeoDataFrame with the declared columns (lists as tuples, times in UTC)."""
    data = {c: pd.Series([getattr(x, c) for x in citizens], dtype=object) for c in vocab.CITIZEN_COLUMNS}
    data["demo"] = data["demo"].astype(bool)
    for column in ("created_at", "updated_at"):
        data[column] = pd.to_datetime(data[column], utc=True).astype("datetime64[us, UTC]")
    geometry = gpd.points_from_xy([x.lon for x in citizens], [x.lat for x in citizens], crs=CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def erase_citizen(store: Store, organisation_id: Actor | str, citizen_id: str, *, user: str | None = None) -> int:
    """Delete a citizen with every tie, link and version in one transaction.

    On SQLite the freed pages are overwritten and the write-ahead log is emptied (``Store.erase``), so the
    citizen's data does not linger in the file. (PostgreSQL keeps dead rows, invisible to every query,
    until its autovacuum runs.)

    Parameters
    ----------
    store, organisation_id, citizen_id
        The database, the organisation and its citizen.
    user
        Who erases (for the audit log, which keeps an ``erased-…`` token instead of the citizen's code).

    Returns
    -------
    int
        How many rows were removed.

    Example
    -------
    >>> erase_citizen(store, org, citizen.citizen_id)  # doctest: +SKIP
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_ERASE)
    with store.erase(lock=organisation_id) as session:
        code = _citizen_row(session, organisation_id, citizen_id).code
        removed = 0
        for table in (LINKS, VERSIONS, TIES, CITIZENS):
            key = table.c.id if table is CITIZENS else table.c.citizen_id
            result = session.execute(
                table.delete().where(key == citizen_id, table.c.organisation_id == organisation_id)
            )
            removed += result.rowcount
        audit.record_in(session, organisation_id, user, "citizen.erase", audit.forget_target(session, organisation_id, code))
    return removed


# --- ties ---


def add_tie(
    store: Store,
    organisation_id: Actor | str,
    citizen_id: str,
    *,
    role: str,
    capital: str,
    functions: Iterable[str],
    frequency: str,
    strength: str,
    state: str,
    influence: str,
    reciprocity: str,
    location: Location,
    group_size: int = 1,
    area: Area | None = None,
    user: str | None = None,
) -> Tie:
    """Add a tie to a citizen's network and return it.

    Parameters
    ----------
    store, organisation_id, citizen_id
        The database, the organisation and its citizen.
    role, capital, frequency, strength, state, influence, reciprocity
        Keys of ``vocabulary`` (a role, never a name).
    functions
        One or more of ``vocabulary.FUNCTIONS``.
    location
        Where the tie is, at its level (``gazetteer.resolve``): only its reference counts; its label and point
        are the gazetteer's (a label of another place, or free text, is refused).
    group_size
        How many people the tie stands for (1 to GROUP_MAX: "3 drinking friends" is one tie of 3).
    area
        The area whose gazetteer the place comes from (default: the embedded region).
    user
        Who adds the tie (for the audit log).

    Returns
    -------
    Tie
        The stored tie.

    Raises
    ------
    TieError
        Bad input, naming the field.

    Example
    -------
    >>> add_tie(store, org, citizen.citizen_id, role="friend", capital="bonding", functions=["affectief"],
    ...         frequency="weekly", strength="strong", state="active", influence="positive", reciprocity="both",
    ...         location=gazetteer.resolve("translokaal", "Casablanca", area=region))  # doctest: +SKIP
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    values = clean_tie(
        {"role": role, "capital": capital, "functions": functions, "frequency": frequency, "strength": strength,
         "state": state, "influence": influence, "reciprocity": reciprocity, "location": location,
         "group_size": group_size}
    )  # fmt: skip
    values = _placed_tie(store, organisation_id, values, area)
    return _insert_ties(store, organisation_id, citizen_id, [values], user=user)[0]


def add_ties(
    store: Store,
    organisation_id: Actor | str,
    citizen_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    area: Area | None = None,
    user: str | None = None,
) -> list[Tie]:
    """Add many ties at once (all rows are checked first; then all are saved, or none); return them in row order.

    A row holds TIE_FIELDS and either `location` (a vocabulary.Location) or the LOCATION_FIELDS; a TieError names its row.
    Each place is taken from the gazetteer of `area` by its reference, as in `add_tie`.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    values = [_at_row(i, clean_tie, row) for i, row in enumerate(rows)]
    values = [_at_row(i, lambda v: _placed_tie(store, organisation_id, v, area), v) for i, v in enumerate(values)]
    return _insert_ties(store, organisation_id, citizen_id, values, user=user)


def update_tie(
    store: Store, organisation_id: Actor | str, tie_id: str, *, area: Area | None = None, user: str | None = None, **changes: Any
) -> Tie:
    """Change fields of a tie (TIE_FIELDS, `location` or LOCATION_FIELDS) and return it; raise TieError on bad input.

    A new place is taken from the gazetteer of `area` by its reference, as in `add_tie`.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    moved = "location" in changes or any(f in changes for f in LOCATION_FIELDS)
    with store.read() as session:
        current = dict(_tie_row(session, organisation_id, tie_id)._mapping)
    if "location" in changes:
        merged = {k: current[k] for k in (*TIE_FIELDS, "group_size")} | changes
    else:
        merged = {k: current[k] for k in (*TIE_FIELDS, "group_size", *LOCATION_FIELDS)} | changes
    values = clean_tie(merged)
    if moved:  # a new place comes from the gazetteer; an unchanged one stays as stored
        values = _placed_tie(store, organisation_id, values, area)
    with store.write(lock=organisation_id) as session:
        current = dict(_tie_row(session, organisation_id, tie_id)._mapping)
        if all(validate.same(current[k], v) for k, v in values.items()):
            return _tie(current)
        values["updated_at"] = now()
        session.execute(TIES.update().where(TIES.c.id == current["id"]).values(values))
        audit.record_in(session, organisation_id, user, "tie.update", _code(session, organisation_id, current["citizen_id"]))
    return _tie({**current, **values})


def delete_tie(store: Store, organisation_id: Actor | str, tie_id: str, *, user: str | None = None) -> None:
    """Delete a tie and its links (saved versions keep it); raise TieNotFoundError if there is no such tie."""
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    with store.write(lock=organisation_id) as session:
        row = _tie_row(session, organisation_id, tie_id)
        session.execute(TIES.delete().where(TIES.c.id == row.id))
        audit.record_in(session, organisation_id, user, "tie.delete", _code(session, organisation_id, row.citizen_id))


def get_tie(store: Store, organisation_id: Actor | str, tie_id: str) -> Tie:
    """Return one tie of the organisation; raise TieNotFoundError if it has none with this id."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        return _tie(_tie_row(session, organisation_id, tie_id)._mapping)


def list_ties(store: Store, organisation_id: Actor | str, citizen_id: str) -> gpd.GeoDataFrame:
    """Return a citizen's ties, oldest first.

    Parameters
    ----------
    store, organisation_id, citizen_id
        The database, the organisation and its citizen (another organisation's citizen is not found).

    Returns
    -------
    geopandas.GeoDataFrame
        ``vocabulary.TIE_COLUMNS`` and a Point geometry (EPSG:4326) per tie.

    Example
    -------
    >>> ties = list_ties(store, org, citizen.citizen_id)  # doctest: +SKIP
    """
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        _citizen_row(session, organisation_id, citizen_id)
        columns = _tie_columns(session, _tie_query(functions_as_text=True).where(_ties_of(organisation_id, citizen_id)))
    return _ties_frame_of(columns)


def all_ties(store: Store, organisation_id: Actor | str, *, demo: bool | None = None) -> gpd.GeoDataFrame:
    """Return every tie of the organisation (the buurtanalyse), as `list_ties`; `demo` filters by demo citizens."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    query = _tie_query(functions_as_text=True).where(TIES.c.organisation_id == organisation_id)
    if demo is not None:
        demo_ids = select(CITIZENS.c.id).where(
            CITIZENS.c.organisation_id == organisation_id, CITIZENS.c.demo == bool(demo)
        )
        query = query.where(TIES.c.citizen_id.in_(demo_ids))
    with store.read() as session:  # one query, read by column: 300,000 ties in about a second
        columns = _tie_columns(session, query)
    return _ties_frame_of(columns)


def ties_frame(records: Sequence[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """Return tie records (TIE_COLUMNS + lon, lat) as a GeoDataFrame with the declared columns (functions as tuples)."""
    columns = {c: [r[c] for r in records] for c in (*TIE_COLUMNS, "lon", "lat")}
    columns["group_size"] = [r.get("group_size") for r in records]
    return _ties_frame_of(columns)


def _ties_frame_of(columns: Mapping[str, Sequence[Any]]) -> gpd.GeoDataFrame:
    """Return tie columns (TIE_COLUMNS, group_size, lon, lat; functions as lists) as `ties_frame` does."""
    data = {c: pd.Series(columns[c], dtype=object) for c in TIE_COLUMNS}
    data["functions"] = pd.Series([tuple(f) for f in columns["functions"]], dtype=object)
    sizes = pd.Series(columns["group_size"], dtype=object)
    data["group_size"] = sizes.where(sizes.notna() & (sizes != 0), 1).astype("int64")  # older versions: 1
    geometry = gpd.points_from_xy(np.asarray(columns["lon"], dtype=float), np.asarray(columns["lat"], dtype=float), crs=CRS)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)


def _tie_columns(session: Session, query: Any) -> dict[str, list[Any]]:
    """Return the result of a `_tie_query(functions_as_text=True)` by column, the functions decoded in one go."""
    result = session.execute(query)
    names = list(result.keys())
    rows = result.all()
    columns = {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)} if rows else {n: [] for n in names}
    columns["functions"] = json.loads("[" + ",".join(columns["functions"]) + "]")  # one parse, not one per tie
    return columns


def clean_tie(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return a tie's fields checked and normalised (TIE_FIELDS + LOCATION_FIELDS); raise TieError on a problem."""
    allowed = {*TIE_FIELDS, *LOCATION_FIELDS, "location", "group_size"}
    unknown = set(values) - allowed
    if unknown:
        msg = f"a tie has no field {sorted(unknown)}; it has {sorted(allowed)}"
        raise TypeError(msg)
    out = {f: _choice(values.get(f), f, TieError) for f in TIE_FIELDS if f != "functions"}
    out["functions"] = _functions(values.get("functions"))
    out["group_size"] = _group_size(values.get("group_size", 1))
    return {**out, **_clean_location(values)}


def _group_size(value: object) -> int:
    """Return how many people a tie stands for (a whole number from 1 to GROUP_MAX); raise TieError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not str(value).strip().isdigit():
        raise TieError("error.tie_group_size", field="group_size", max=GROUP_MAX)
    size = int(str(value).strip())
    if not 1 <= size <= GROUP_MAX:
        raise TieError("error.tie_group_size", field="group_size", max=GROUP_MAX)
    return size


# --- who knows whom ---


def set_links(
    store: Store, organisation_id: Actor | str, citizen_id: str, pairs: Iterable[tuple[str, str]], *, user: str | None = None
) -> pd.DataFrame:
    """Make the links among a citizen's ties exactly `pairs` (either order, repeats ignored); return `list_links`."""
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    wanted: set[tuple[str, str]] = set()
    for i, pair in enumerate(pairs):
        a, b = _pair(pair)
        if a == b:
            raise TieError("error.tie_link_self", field="links", row=i)
        wanted.add((min(a, b), max(a, b)))
    with store.write(lock=organisation_id) as session:
        code = _citizen_row(session, organisation_id, citizen_id).code
        own = set(session.execute(select(TIES.c.id).where(_ties_of(organisation_id, citizen_id))).scalars())
        if any(a not in own or b not in own for a, b in wanted):
            raise TieNotFoundError("error.tie_not_found", field="links")
        session.execute(
            LINKS.delete().where(LINKS.c.citizen_id == citizen_id, LINKS.c.organisation_id == organisation_id)
        )
        if wanted:
            session.execute(
                LINKS.insert(),
                [
                    {"tie_a": a, "tie_b": b, "citizen_id": citizen_id, "organisation_id": organisation_id}
                    for a, b in wanted
                ],
            )
        audit.record_in(session, organisation_id, user, "tie.links", code)
    return links_frame(sorted(wanted))


def list_links(store: Store, organisation_id: Actor | str, citizen_id: str) -> pd.DataFrame:
    """Return who knows whom among a citizen's ties (tie_a < tie_b), sorted."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        _citizen_row(session, organisation_id, citizen_id)
        return links_frame(_links(session, organisation_id, citizen_id))


def links_frame(pairs: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Return pairs of tie ids as a frame with vocabulary.LINK_COLUMNS."""
    return pd.DataFrame({c: pd.Series([p[i] for p in pairs], dtype=object) for i, c in enumerate(LINK_COLUMNS)})


# --- versions over time ---


def save_version(
    store: Store, organisation_id: Actor | str, citizen_id: str, *, on: date, label: str = "", user: str | None = None
) -> NetworkVersion:
    """Save the citizen's current ties and links as the version of day `on` (replacing one saved that day).

    Parameters
    ----------
    store, organisation_id, citizen_id
        The database, the organisation and its citizen.
    on
        The day the version stands for.
    label
        A short label, e.g. "intake".
    user
        Who saves it (for the audit log).

    Returns
    -------
    NetworkVersion
        The saved version (``version_ties`` reads its ties back).

    Example
    -------
    >>> save_version(store, org, citizen.citizen_id, on=date(2025, 3, 1), label="intake")  # doctest: +SKIP
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    if isinstance(on, datetime) or not isinstance(on, date):
        msg = f"`on` must be a datetime.date (the day the version stands for), not {on!r}"
        raise TypeError(msg)
    label = vocabulary_entries.version_label(_label(label, "version_label", CitizenError, limit=VERSION_LABEL_MAX))
    with store.write(lock=organisation_id) as session:
        code = _citizen_row(session, organisation_id, citizen_id).code
        ties = [
            {c: list(r[c]) if c == "functions" else r[c] for c in (*TIE_COLUMNS, "group_size", "lon", "lat") if c != "citizen_id"}
            for r in session.execute(_tie_query().where(_ties_of(organisation_id, citizen_id))).mappings()
        ]
        links = [list(pair) for pair in _links(session, organisation_id, citizen_id)]
        values = {"label": label, "ties": ties, "links": links, "created_at": now()}
        existing = session.execute(
            select(VERSIONS.c.id).where(VERSIONS.c.citizen_id == citizen_id, VERSIONS.c.saved_on == on)
        ).scalar()
        if existing is None:
            existing = new_id()
            session.execute(
                VERSIONS.insert(),
                [
                    {
                        **values,
                        "id": existing,
                        "citizen_id": citizen_id,
                        "organisation_id": organisation_id,
                        "saved_on": on,
                    }
                ],
            )
        else:
            session.execute(VERSIONS.update().where(VERSIONS.c.id == existing).values(values))
        audit.record_in(session, organisation_id, user, "citizen.version", code)
    return NetworkVersion(existing, citizen_id, on, label, len(ties), len(links), values["created_at"])


def redate_version(
    store: Store, organisation_id: Actor | str, version_id: str, *, on: date, user: str | None = None
) -> NetworkVersion:
    """Move a saved version to the day `on`; raise CitizenError if the citizen has another version that day."""
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    if isinstance(on, datetime) or not isinstance(on, date):
        msg = f"`on` must be a datetime.date (the day the version stands for), not {on!r}"
        raise TypeError(msg)
    with store.write(lock=organisation_id) as session:
        row = _version_row(session, organisation_id, version_id)
        taken = session.execute(
            select(VERSIONS.c.id).where(
                VERSIONS.c.citizen_id == row.citizen_id, VERSIONS.c.saved_on == on, VERSIONS.c.id != row.id
            )
        ).scalar()
        if taken is not None:
            raise CitizenError("error.version_date_taken", field="version_date", on=on.isoformat())
        session.execute(VERSIONS.update().where(VERSIONS.c.id == row.id).values(saved_on=on))
        audit.record_in(session, organisation_id, user, "citizen.version", _code(session, organisation_id, row.citizen_id))
    return NetworkVersion(row.id, row.citizen_id, on, row.label, len(row.ties), len(row.links), row.created_at)


def list_versions(store: Store, organisation_id: Actor | str, citizen_id: str) -> pd.DataFrame:
    """Return the saved versions of a citizen's network (VERSION_COLUMNS), oldest day first."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        _citizen_row(session, organisation_id, citizen_id)
        rows = session.execute(
            select(VERSIONS)
            .where(VERSIONS.c.citizen_id == citizen_id, VERSIONS.c.organisation_id == organisation_id)
            .order_by(VERSIONS.c.saved_on)
        ).mappings()
        versions = [
            NetworkVersion(
                r["id"], r["citizen_id"], r["saved_on"], r["label"], len(r["ties"]), len(r["links"]), r["created_at"]
            )
            for r in rows
        ]
    return versions_frame(versions)


def versions_frame(versions: Sequence[NetworkVersion]) -> pd.DataFrame:
    """Return versions as a frame with VERSION_COLUMNS (created_at in UTC)."""
    frame = pd.DataFrame({c: pd.Series([getattr(v, c) for v in versions], dtype=object) for c in VERSION_COLUMNS})
    frame[["n_ties", "n_links"]] = frame[["n_ties", "n_links"]].astype("int64")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).astype("datetime64[us, UTC]")
    return frame


def version_ties(store: Store, organisation_id: Actor | str, version_id: str) -> gpd.GeoDataFrame:
    """Return the ties of a saved version, with the same columns as `list_ties`."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        row = _version_row(session, organisation_id, version_id)
    return ties_frame([{**tie, "citizen_id": row.citizen_id} for tie in row.ties])


def version_links(store: Store, organisation_id: Actor | str, version_id: str) -> pd.DataFrame:
    """Return who knew whom in a saved version, as `list_links`."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        row = _version_row(session, organisation_id, version_id)
    return links_frame(sorted(tuple(pair) for pair in row.links))


def compare(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return what happened to each tie between two networks (e.g. `version_ties` and `list_ties`).

    Parameters
    ----------
    old, new
        Two tie frames (``vocabulary.TIE_COLUMNS``) of one citizen.

    Returns
    -------
    geopandas.GeoDataFrame
        ``COMPARE_COLUMNS``: `change` is added, lost (in old only), reactivated (slapend or breuklijn → active),
        weakened (active → slapend or breuklijn), unchanged or changed; `changed_fields` names the fields that
        differ ("geometry" for the point). The tie's columns are those of `new`, or of `old` for a lost tie.
        New ties come first, in their order.

    Example
    -------
    >>> change = compare(version_ties(store, org, version.id), list_ties(store, org, citizen_id))  # doctest: +SKIP
    """
    old = old.set_axis(pd.Index(old["tie_id"].to_numpy(dtype=object)), axis=0)
    before = old.reindex(pd.Index(new["tie_id"].to_numpy(dtype=object)))
    known = new["tie_id"].isin(old.index).to_numpy(dtype=bool)
    differs = {c: _differs(before[c].to_numpy(dtype=object), new[c].to_numpy(dtype=object)) for c in _COMPARED}
    differs["geometry"] = ~shapely.equals_exact(
        np.asarray(before.geometry.values, dtype=object), np.asarray(new.geometry.values, dtype=object), tolerance=0.0
    )
    names = np.array(list(differs), dtype=object)
    matrix = np.column_stack(list(differs.values())) if len(new) else np.zeros((0, len(names)), dtype=bool)
    old_state, new_state = before["state"].to_numpy(dtype=object), new["state"].to_numpy(dtype=object)
    change = np.select(
        [
            ~known,
            np.isin(old_state, WEAK_STATES) & (new_state == "active"),
            (old_state == "active") & np.isin(new_state, WEAK_STATES),
            ~matrix.any(axis=1),
        ],
        ["added", "reactivated", "weakened", "unchanged"],
        default="changed",
    )
    changed_fields = [tuple(names[mask]) if was_known else () for mask, was_known in zip(matrix, known, strict=True)]
    lost = old[~old["tie_id"].isin(new["tie_id"])]
    frames = [
        _compare_part(new, change.astype(object), changed_fields),
        _compare_part(lost, np.full(len(lost), "lost", dtype=object), [()] * len(lost)),
    ]
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def citizen_names(people: pd.DataFrame, *, lang: str) -> dict[str, str]:
    """Return {citizen_id: "BK-7F3A-92C1 · 60–69 jaar · Josaphat · demo"} to pick a citizen (a code, never a name)."""
    return {
        row.citizen_id: f"{row.code}" + (f" · {vocab.label('age_band', row.age_band, lang)}" if row.age_band else "")
        + f" · {row.anchor_label}" + (" · demo" if row.demo else "")
        for row in people.itertuples()
    }


def citizen_facts(person: pd.Series, *, lang: str) -> str:
    """Return one line about a citizen in `lang`: the anchor, the age band, the situations, and whether invented."""
    facts = [vocab.label("anchor_kind", person["anchor_kind"], lang) + ": " + person["anchor_label"]]
    if person["age_band"]:
        facts.append(vocab.label("age_band", person["age_band"], lang))
    facts += [vocab.label("situation", s, lang) for s in person["situations"]]
    if person["demo"]:
        facts.append(t("burger.demo.marker", lang))
    return " · ".join(facts)


def change_summary(change: pd.DataFrame, *, lang: str) -> str:
    """Return how many ties `compare` found added, reactivated, weakened and lost, as one Markdown line in `lang`."""
    counts = change["change"].value_counts()
    return " · ".join(f"**{counts.get(k, 0)}** {t(f'change.{k}', lang).lower()}" for k in ("added", "reactivated", "weakened", "lost"))


# --- building blocks ---


def _clean_profile(values: Mapping[str, Any], quartiers: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """Return the stored columns of the given profile fields, checked; raise CitizenError on the first problem."""
    out: dict[str, Any] = {}
    if "age_band" in values:
        band = "" if values["age_band"] is None else values["age_band"]
        out["age_band"] = band if band == "" else _choice(band, "age_band", CitizenError)
    for field in ("situations", "talents"):
        if field in values:
            out[field] = [_tag(tag, field) for tag in _distinct(values[field], field, CitizenError)]
    if "interests" in values:
        out["interests"] = [
            _among(v, CATEGORY_KEYS, "interests") for v in _distinct(values["interests"], "interests", CitizenError)
        ]
    if "languages" in values:
        out["languages"] = [
            _among(v, vp.SPOKEN_LANGUAGES, "languages")
            for v in _distinct(values["languages"], "languages", CitizenError)
        ]
    if "anchor" in values:
        out |= _clean_anchor(values["anchor"], quartiers)
    if "demo" in values:
        if not isinstance(values["demo"], bool | np.bool_):
            msg = f"demo must be True or False, not {values['demo']!r}"
            raise TypeError(msg)
        out["demo"] = bool(values["demo"])
    return out


def _clean_anchor(anchor: Location, quartiers: gpd.GeoDataFrame | None) -> dict[str, Any]:
    """Return a citizen's anchor columns (kind, ref, label, point, quartier) from a Location (its level is not kept)."""
    if not isinstance(anchor, Location):
        msg = f"anchor must be a buurtkaart.vocabulary.Location, not {type(anchor).__name__}"
        raise TypeError(msg)
    kind = _choice(anchor.place_kind, "anchor_kind", CitizenError)
    lon, lat = _point(anchor.lon, anchor.lat, "anchor", CitizenError)
    label = _label(anchor.label, "anchor_label", CitizenError, required=True)
    ref = _label(anchor.place_ref, "anchor_ref", CitizenError)
    table = _embedded_quartiers() if quartiers is None else quartiers
    if kind == "quartier":
        codes = set(table["mdrc"].astype(str))
        ref = ref.lstrip("0") or ref
        if ref not in codes:
            raise CitizenError(
                "error.citizen_quartier_unknown", field="anchor_ref", value=validate.show_value(anchor.place_ref)
            )
        quartier = ref
    else:
        quartier = quartier_at(table, lon, lat)
    return {"anchor_kind": kind, "anchor_ref": ref, "anchor_label": label, "anchor_lon": lon, "anchor_lat": lat,
            "quartier": quartier}  # fmt: skip


def quartier_at(quartiers: gpd.GeoDataFrame, lon: float, lat: float) -> str:
    """Return the mdrc (as text) of the quartier a point lies in, or "" outside every quartier."""
    hits = quartiers.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    return str(quartiers["mdrc"].iloc[int(np.min(hits))]) if len(hits) else ""


@lru_cache(maxsize=1)
def _embedded_quartiers() -> gpd.GeoDataFrame:
    """Return the quartiers of the embedded area (those of area.load_embedded(), without its places and streets)."""
    return gpd.read_parquet(DATA_DIR / "quartiers.parquet")[["mdrc", "geometry"]]


def _clean_location(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the location columns of a tie from `location` (a Location) or the LOCATION_FIELDS of `values`."""
    location = values.get("location")
    if location is not None:
        if not isinstance(location, Location) or any(f in values for f in LOCATION_FIELDS):
            msg = "give a tie's place either as `location` (a buurtkaart.vocabulary.Location) or as LOCATION_FIELDS, not both"
            raise TypeError(msg)
        flat = {"level": location.level, "place_kind": location.place_kind, "place_ref": location.place_ref,
                "place_label": location.label, "lon": location.lon, "lat": location.lat}  # fmt: skip
    else:
        flat = {f: values.get(f) for f in LOCATION_FIELDS}
    level = flat["level"]
    if not isinstance(level, str) or level not in vocab.LEVELS:
        raise TieError("error.tie_level_unknown", field="level", value=validate.show_value(level))
    kind = flat["place_kind"]
    if not isinstance(kind, str) or kind not in vocab.PLACE_KINDS[level]:
        raise TieError(
            "error.tie_place_kind_wrong", field="place_kind", value=validate.show_value(kind), level=level,
            kinds=vocab.PLACE_KINDS[level],
        )  # fmt: skip
    lon, lat = _point(flat["lon"], flat["lat"], "location", TieError)
    return {
        "level": level,
        "place_kind": kind,
        "place_ref": _label(flat["place_ref"], "place_ref", TieError),
        "place_label": _label(flat["place_label"], "place_label", TieError, required=True),
        "lon": lon,
        "lat": lat,
    }


def _placed_tie(store: Store, organisation_id: str, values: dict[str, Any], area: Area | None) -> dict[str, Any]:
    """Return checked tie values with the place's label and point from the gazetteer (found by its reference)."""
    found = _gazetteer_place(store, organisation_id, values["level"], values["place_kind"], values["place_ref"],
                             values["place_label"], area, TieError, "location")  # fmt: skip
    return {**values, "place_ref": found.place_ref, "place_label": found.label, "lon": found.lon, "lat": found.lat}


def _placed_anchor(store: Store, organisation_id: str, anchor: object, area: Area | None) -> object:
    """Return the gazetteer's Location of an anchor (found by its kind and reference); refuse any other label."""
    if not isinstance(anchor, Location):
        return anchor  # _clean_anchor names the mistake
    kind = _choice(anchor.place_kind, "anchor_kind", CitizenError)
    level = "stad" if kind == "quartier" else "buurt"
    ref = anchor.place_ref.lstrip("0") or anchor.place_ref if kind == "quartier" and isinstance(anchor.place_ref, str) else anchor.place_ref
    return _gazetteer_place(store, organisation_id, level, kind, ref, anchor.label, area, CitizenError, "anchor")


def _gazetteer_place(
    store: Store, organisation_id: str, level: str, kind: str, ref: object, label: object, area: Area | None,
    error: type[CitizenError], field: str,
) -> Location:  # fmt: skip
    """Return the gazetteer's Location of a reference; raise `error` on `field` when it holds no such place or the
    label names another (free text about a person never gets in as a place's name)."""
    items = vp.list_items(store, organisation_id) if kind == "vindplaats" else None
    try:
        return gazetteer.place(level, kind, ref, label, area=_embedded_area() if area is None else area, items=items)
    except gazetteer.GazetteerError:
        shown = label if isinstance(label, str) and label.strip() else ref
        raise error("error.place_not_in_gazetteer", field=field, value=validate.show_value(shown)) from None


@lru_cache(maxsize=1)
def _embedded_area() -> Area:
    """Return the embedded region (the gazetteer of places, streets and quartiers when no area is given)."""
    return area_mod.load_embedded()


def _choice(value: object, field: str, error: type[CitizenError]) -> str:
    """Return `value` if it is a key of the field's vocabulary (vocabulary.VOCABULARIES); raise `error` naming it if not."""
    key = "error.tie_value_unknown" if issubclass(error, TieError) else "error.citizen_value_unknown"
    return validate.choice(value, field, vocab.VOCABULARIES[field], error, key)


def _among(value: object, keys: Sequence[str], field: str) -> str:
    """Return `value` if it is one of `keys`; raise CitizenError naming the field if not."""
    return validate.choice(value, field, keys, CitizenError, "error.citizen_value_unknown")


def _functions(value: object) -> list[str]:
    """Return a tie's functions in the order of vocabulary.FUNCTIONS; at least one."""
    given = _distinct(value, "functions", TieError)
    for entry in given:
        if not isinstance(entry, str) or entry not in vocab.FUNCTIONS:
            raise TieError("error.tie_value_unknown", field="functions", value=validate.show_value(entry))
    if not given:
        raise TieError("error.tie_no_function", field="functions")
    return [f for f in vocab.FUNCTIONS if f in given]


def _distinct(value: object, field: str, error: type[CitizenError]) -> list[Any]:
    """Return the distinct entries of a list field in order (None is empty); refuse text and non-lists."""
    return validate.distinct(value, field, error)


def _tag(value: object, field: str) -> str:
    """Return a situation or talent tag (lowercased); refuse anything that looks like free text about a person."""
    tag = value.strip().lower() if isinstance(value, str) else value
    if not isinstance(tag, str) or len(tag) > TAG_MAX or not _TAG.fullmatch(tag) or _LONG_NUMBER.search(tag):
        raise CitizenError("error.citizen_tag_invalid", field=field, value=validate.show_value(value))
    return tag


def _label(
    value: object, field: str, error: type[CitizenError], *, limit: int = LABEL_MAX, required: bool = False
) -> str:
    """Return a label or reference without control characters and outer spaces; refuse non-text and long text."""
    empty_key = "error.citizen_label_empty" if required else None
    return validate.text(value, field, error, limit=limit, empty_key=empty_key, drop_control=True, integers=True)


def _point(lon: object, lat: object, field: str, error: type[CitizenError]) -> tuple[float, float]:
    """Return (lon, lat) as finite floats in degrees; raise `error` if they are not."""
    point = validate.lon_lat(lon, lat)
    if point is None:
        raise error("error.citizen_coordinates", field=field, lon=validate.show_value(lon), lat=validate.show_value(lat))
    return point


def _pair(pair: object) -> tuple[str, str]:
    """Return a pair of tie ids; refuse anything else (a programming error)."""
    if (
        isinstance(pair, str)
        or not isinstance(pair, Sequence)
        or len(pair) != 2
        or not all(isinstance(p, str) for p in pair)
    ):
        msg = f"a link is a pair of tie ids, not {pair!r}"
        raise TypeError(msg)
    return pair[0], pair[1]


def _pseudonym(reference: str, organisation_id: str, key: bytes) -> str:
    """Return the pseudonym of a reference; a bad reference is a CitizenError on the reference field."""
    try:
        return pseudo.pseudonym(reference, organisation_id, key)
    except pseudo.PseudonymError as exc:
        raise CitizenError(exc.key, field="reference", **exc.values) from None


def _free_code(session: Session, organisation_id: str, pseudonym: str) -> str:
    """Return the first short code of the pseudonym that no other citizen of the organisation has."""
    candidates = [pseudo.short_code(pseudonym, i) for i in range(pseudo.code_attempts(pseudonym))]
    taken = set(
        session.execute(
            select(CITIZENS.c.code).where(
                CITIZENS.c.organisation_id == organisation_id, CITIZENS.c.code.in_(candidates)
            )
        ).scalars()
    )
    free = [code for code in candidates if code not in taken]
    if not free:  # six 40-bit codes all taken: not expected before the heat death of the organisation
        msg = "no free short code for this citizen"
        raise RuntimeError(msg)
    return free[0]


def _find(store: Store, organisation_id: str, condition: Any) -> Citizen | None:
    """Return the organisation's citizen that meets `condition`, or None."""
    with store.read() as session:
        row = session.execute(select(CITIZENS).where(CITIZENS.c.organisation_id == organisation_id, condition)).first()
    return None if row is None else _citizen(row._mapping)


def _citizen_row(session: Session, organisation_id: str, citizen_id: str) -> Any:
    """Return the stored row of a citizen of this organisation; raise CitizenNotFoundError if there is none."""
    return _owned_row(session, CITIZENS, organisation_id, citizen_id, CitizenNotFoundError("error.citizen_not_found"))


def _code(session: Session, organisation_id: str, citizen_id: str) -> str:
    """Return the short code of a citizen of this organisation (the target of an audit event)."""
    return _citizen_row(session, organisation_id, citizen_id).code


def _tie_row(session: Session, organisation_id: str, tie_id: str) -> Any:
    """Return the stored row of a tie of this organisation; raise TieNotFoundError if there is none."""
    return _owned_row(session, TIES, organisation_id, tie_id, TieNotFoundError("error.tie_not_found"))


def _version_row(session: Session, organisation_id: str, version_id: str) -> Any:
    """Return the stored row of a version of this organisation; raise VersionNotFoundError if there is none."""
    return _owned_row(session, VERSIONS, organisation_id, version_id, VersionNotFoundError("error.citizen_version_not_found"))


def _owned_row(session: Session, table: Table, organisation_id: str, row_id: str, missing: Exception) -> Any:
    """Return the row `row_id` of `table` if it belongs to the organisation; raise `missing` otherwise."""
    row = session.execute(
        select(table).where(table.c.id == str(row_id), table.c.organisation_id == str(organisation_id))
    ).first()
    if row is None:
        raise missing
    return row


def _ties_of(organisation_id: str, citizen_id: str) -> Any:
    """Return the condition that selects a citizen's ties within the organisation."""
    return (TIES.c.citizen_id == str(citizen_id)) & (TIES.c.organisation_id == str(organisation_id))


def _tie_query(*, functions_as_text: bool = False) -> Any:
    """Return a query of ties with the TIE_COLUMNS names and lon, lat, oldest first (functions as JSON text if asked)."""
    columns = [TIES.c.id.label("tie_id"), *(TIES.c[c] for c in TIE_COLUMNS if c != "tie_id"), TIES.c.group_size, TIES.c.lon, TIES.c.lat]
    if functions_as_text:
        columns = [cast(c, Text).label("functions") if c.name == "functions" else c for c in columns]
    return select(*columns).order_by(TIES.c.created_at, TIES.c.id)


def _links(session: Session, organisation_id: str, citizen_id: str) -> list[tuple[str, str]]:
    """Return a citizen's links as sorted (tie_a, tie_b) pairs."""
    rows = session.execute(
        select(LINKS.c.tie_a, LINKS.c.tie_b)
        .where(LINKS.c.citizen_id == citizen_id, LINKS.c.organisation_id == organisation_id)
        .order_by(LINKS.c.tie_a, LINKS.c.tie_b)
    )
    return [(row.tie_a, row.tie_b) for row in rows]


def _insert_ties(
    store: Store, organisation_id: str, citizen_id: str, values: list[dict[str, Any]], *, user: str
) -> list[Tie]:
    """Insert checked ties of a citizen in one transaction (one audit event) and return them."""
    rows = [_new_tie_row(organisation_id, citizen_id, clean, now()) for clean in values]
    with store.write(lock=organisation_id) as session:
        code = _citizen_row(session, organisation_id, citizen_id).code
        if rows:
            session.execute(TIES.insert(), rows)
            audit.record_in(session, organisation_id, user, "tie.add", code)
    return [_tie(row) for row in rows]


def _new_tie_row(organisation_id: str, citizen_id: str, clean: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """Return the stored row of a new tie (`at`: a now() of its own, so that ties are listed in row order)."""
    return {**clean, "id": new_id(), "citizen_id": citizen_id, "organisation_id": organisation_id,
            "created_at": at, "updated_at": at}  # fmt: skip


def _at_row(row: int, clean: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return `clean(values)`, with the row number added to a CitizenError."""
    try:
        return clean(values)
    except CitizenError as exc:
        raise exc.at_row(row) from None


def _citizen(row: Mapping[str, Any]) -> Citizen:
    """Return the Citizen of a stored row."""
    values = {f.name: row[f.name] for f in fields(Citizen) if f.name in row}
    values |= {"citizen_id": row["id"], "lon": row["anchor_lon"], "lat": row["anchor_lat"], "demo": bool(row["demo"])}
    for field in ("situations", "talents", "interests", "languages"):
        values[field] = tuple(row[field] or ())
    return Citizen(**values)


def _tie(row: Mapping[str, Any]) -> Tie:
    """Return the Tie of a stored row."""
    values = {f.name: row[f.name] for f in fields(Tie) if f.name in row}
    values |= {"tie_id": row["id"], "functions": tuple(row["functions"])}
    return Tie(**values)


def _compare_part(frame: gpd.GeoDataFrame, change: np.ndarray, changed_fields: list[tuple[str, ...]]) -> pd.DataFrame:
    """Return one part of `compare`'s result: the change, the changed fields and the tie columns of `frame`."""
    part = pd.DataFrame(
        {"change": pd.Series(change, dtype=object), "changed_fields": pd.Series(changed_fields, dtype=object)}
    )
    for column in TIE_COLUMNS:
        part[column] = pd.Series(frame[column].to_numpy(dtype=object), dtype=object)
    part["geometry"] = np.asarray(frame.geometry.values, dtype=object)
    return part


def _differs(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Return, element by element, whether two object arrays differ (a list of functions equals the same tuple)."""
    as_tuples = np.frompyfunc(lambda v: tuple(v) if isinstance(v, list) else v, 1, 1)
    return np.asarray(as_tuples(old) != as_tuples(new), dtype=bool) if len(new) else np.zeros(0, dtype=bool)
