"""Saved rounds on foot: keep a round's stops and settings, reopen it, repeat it on another day, mark it walked.

A saved round holds places (vindplaatsen, OSM places, points) and settings, never a citizen. A walk keeps the
day, who walked (a worker or volunteer) and how many contacts were made: a count, never names. Every change of
a round goes through `_change`, as the vindplaatsen do: one transaction that checks the version that was read,
updates `WHERE version = expected` and refuses a stale edit, naming who changed the round last.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from buurtkaart import accounts, organisations
from buurtkaart.accounts import Actor
from buurtkaart.errors import BuurtkaartError
from buurtkaart.routes import DEFAULT_SPEED_KMH, MAX_STOPS, Stop
from buurtkaart.store import NAME_MAX, RoundRecord, RoundWalk, Store, new_id, now
from buurtkaart.vindplaatsen import clean_user

ROUNDS: Table = RoundRecord.__table__  # type: ignore[assignment]
WALKS: Table = RoundWalk.__table__  # type: ignore[assignment]
MAX_CONTACTS = 10_000
_STOP_FIELDS = ("id", "name", "lon", "lat", "minutes", "hours", "source")


class RoundError(BuurtkaartError):
    """A round or a walk that cannot be saved (no name, no stops, a bad count, a stale edit)."""


@dataclass(frozen=True)
class Settings:
    """What a round needs to be planned again: the start, the stops and how to walk them."""

    start: Stop
    stops: tuple[Stop, ...]
    returns: bool = True
    walkers: int = 1
    max_minutes: int | None = None
    speed_kmh: float = DEFAULT_SPEED_KMH
    start_time: time = time(10, 0)


@dataclass(frozen=True)
class SavedRound:
    """A saved round as stored; `version` is what a change must quote."""

    id: str
    name: str
    settings: Settings
    planned_for: date | None
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Walk:
    """One time a round was walked."""

    walked_on: date
    walked_by: str
    contacts: int


def save_round(
    store: Store, organisation_id: Actor | str, *, user: str | None = None, name: str, settings: Settings, planned_for: date | None = None
) -> SavedRound:
    """Save a new round of the organisation and return it (version 1)."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_WRITE)
    user = clean_user(user)
    values = {"name": _name(name), "spec": _spec(settings), "planned_for": planned_for}
    at = now()
    row = {**values, "id": new_id(), "organisation_id": organisation_id, "version": 1, "created_at": at,
           "updated_at": at, "updated_by": user, "deleted_at": None}  # fmt: skip
    with store.write(lock=organisation_id) as session:
        organisations.require(session, organisation_id, RoundError)
        session.execute(ROUNDS.insert().values(row))
    return _saved(row)


def update_round(
    store: Store,
    organisation_id: Actor | str,
    round_id: str,
    *,
    user: str | None = None,
    expected_version: int,
    name: str | None = None,
    settings: Settings | None = None,
    planned_for: date | None = None,
) -> SavedRound:
    """Change a round (its name, settings, or the day it is planned for: repeat it on another day)."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_WRITE)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _name(name)
    if settings is not None:
        values["spec"] = _spec(settings)
    if planned_for is not None:
        values["planned_for"] = planned_for
    return _change(store, organisation_id, round_id, user=user, expected_version=expected_version, compute=lambda _s, _r: values)


def delete_round(store: Store, organisation_id: Actor | str, round_id: str, *, user: str | None = None, expected_version: int) -> SavedRound:
    """Delete a round (kept in the database with its walks, no longer listed)."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_WRITE)
    return _change(
        store, organisation_id, round_id, user=user, expected_version=expected_version, compute=lambda _s, _r: {"deleted_at": now()}
    )


def list_rounds(store: Store, organisation_id: Actor | str) -> list[SavedRound]:
    """Return the organisation's rounds, the most recently changed first."""
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_READ)
    query = (
        select(ROUNDS)
        .where(ROUNDS.c.organisation_id == organisation_id, ROUNDS.c.deleted_at.is_(None))
        .order_by(ROUNDS.c.updated_at.desc(), ROUNDS.c.id)
    )
    with store.read() as session:
        return [_saved(row) for row in session.execute(query).mappings()]


def get_round(store: Store, organisation_id: Actor | str, round_id: str) -> SavedRound:
    """Return one round of the organisation; RoundError if it has none with this id."""
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_READ)
    with store.read() as session:
        return _saved(_load(session, organisation_id, round_id)._mapping)


def mark_walked(
    store: Store, organisation_id: Actor | str, round_id: str, *, walked_on: date, walked_by: str, contacts: int
) -> Walk:
    """Record that a round was walked: on which day, by whom (a worker), how many contacts (a count, never names)."""
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_WRITE)
    walked_by = clean_user(walked_by)
    if isinstance(contacts, bool) or not isinstance(contacts, numbers.Integral) or not 0 <= contacts <= MAX_CONTACTS:
        raise RoundError("error.round_contacts", value=contacts, max=MAX_CONTACTS)
    if not isinstance(walked_on, date) or walked_on > date.today():
        raise RoundError("error.round_walked_on", value=walked_on)
    with store.write(lock=organisation_id) as session:
        _load(session, organisation_id, round_id)
        session.execute(
            WALKS.insert().values(
                id=new_id(), round_id=round_id, organisation_id=organisation_id, walked_on=walked_on,
                walked_by=walked_by, contacts=int(contacts), created_at=now(),
            )
        )
    return Walk(walked_on=walked_on, walked_by=walked_by, contacts=int(contacts))


def walks(store: Store, organisation_id: Actor | str, round_id: str) -> list[Walk]:
    """Return the times a round was walked, the oldest first."""
    organisation_id = accounts.scope(organisation_id, accounts.ROUNDS_READ)
    query = (
        select(WALKS.c.walked_on, WALKS.c.walked_by, WALKS.c.contacts)
        .where(WALKS.c.round_id == round_id, WALKS.c.organisation_id == organisation_id)
        .order_by(WALKS.c.walked_on, WALKS.c.created_at)
    )
    with store.read() as session:
        _load(session, organisation_id, round_id)
        return [Walk(walked_on=r.walked_on, walked_by=r.walked_by, contacts=r.contacts) for r in session.execute(query)]


# --- one change, as vindplaatsen._change ---


def _change(
    store: Store,
    organisation_id: str,
    round_id: str,
    *,
    user: str,
    expected_version: int,
    compute: Callable[[Session, Row[Any]], dict[str, Any]],
) -> SavedRound:
    """Apply one change to a round in one transaction: check its version, update it, or refuse a stale edit."""
    user = clean_user(user)
    if isinstance(expected_version, bool) or not isinstance(expected_version, numbers.Integral):
        msg = f"expected_version must be the int `version` of the round as it was read, not {expected_version!r}"
        raise TypeError(msg)
    with store.write(lock=organisation_id) as session:
        row = _load(session, organisation_id, round_id)
        if row.version != expected_version:
            raise RoundError("error.round_stale", name=row.name, user=accounts.name_in(session, organisation_id, row.updated_by))
        values = compute(session, row)
        new = {**dict(row._mapping), **values, "version": row.version + 1, "updated_at": now(), "updated_by": user}
        result = session.execute(
            ROUNDS.update()
            .where(ROUNDS.c.id == row.id, ROUNDS.c.version == expected_version)
            .values({k: new[k] for k in (*values, "version", "updated_at", "updated_by")})
        )
        if result.rowcount != 1:
            current = _load(session, organisation_id, round_id)
            raise RoundError("error.round_stale", name=current.name, user=accounts.name_in(session, organisation_id, current.updated_by))
    return _saved(new)


def _load(session: Session, organisation_id: str, round_id: str) -> Row[Any]:
    """Return a live round of the organisation; RoundError "error.round_not_found" otherwise."""
    row = session.execute(
        select(ROUNDS).where(
            ROUNDS.c.id == str(round_id), ROUNDS.c.organisation_id == str(organisation_id), ROUNDS.c.deleted_at.is_(None)
        )
    ).first()
    if row is None:
        raise RoundError("error.round_not_found", round_id=str(round_id))
    return row


# --- validation and (de)serialisation ---


def _name(name: object) -> str:
    """Return a round's name, one line, stripped; RoundError when empty or too long."""
    text = " ".join(str(name or "").split())
    if not text or len(text) > NAME_MAX or any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise RoundError("error.round_name", max=NAME_MAX)
    return text


def _spec(settings: Settings) -> dict[str, Any]:
    """Return the settings as plain JSON; RoundError when they hold no stop, too many, or a point without coordinates."""
    stops = list(settings.stops)
    if not stops:
        raise RoundError("error.route_no_stops")
    if len(stops) > MAX_STOPS:
        raise RoundError("error.route_too_many", n=len(stops), max=MAX_STOPS)
    for stop in (settings.start, *stops):
        if not (math.isfinite(stop.lon) and math.isfinite(stop.lat)):
            raise RoundError("error.round_point", name=stop.name)
    return {
        "start": _stop_json(settings.start),
        "stops": [_stop_json(s) for s in stops],
        "returns": bool(settings.returns),
        "walkers": int(settings.walkers),
        "max_minutes": int(settings.max_minutes) if settings.max_minutes else None,
        "speed_kmh": float(settings.speed_kmh),
        "start_time": settings.start_time.strftime("%H:%M"),
    }


def _stop_json(stop: Stop) -> dict[str, Any]:
    """Return a stop as plain JSON."""
    values = asdict(stop)
    return {k: values[k] for k in _STOP_FIELDS}


def _settings(spec: dict[str, Any]) -> Settings:
    """Return stored settings."""
    return Settings(
        start=Stop(**spec["start"]),
        stops=tuple(Stop(**s) for s in spec["stops"]),
        returns=bool(spec["returns"]),
        walkers=int(spec["walkers"]),
        max_minutes=spec.get("max_minutes"),
        speed_kmh=float(spec["speed_kmh"]),
        start_time=time.fromisoformat(spec["start_time"]),
    )


def _saved(row: Any) -> SavedRound:
    """Return the SavedRound of a stored row (a mapping)."""
    return SavedRound(
        id=row["id"], name=row["name"], settings=_settings(row["spec"]), planned_for=row["planned_for"],
        version=row["version"], updated_at=row["updated_at"], updated_by=row["updated_by"],
    )


def round_names(rounds: Sequence[SavedRound]) -> dict[str, str]:
    """Return {id: "name (day)"} of rounds, for a picker."""
    return {r.id: f"{r.name} ({r.planned_for:%Y-%m-%d})" if r.planned_for else r.name for r in rounds}
