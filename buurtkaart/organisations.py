"""Organisations: every row of the store belongs to one, and a page only ever reads its own organisation's rows.

The organisations table has one writer, `ensure`; the maps (vindplaatsen), citizens, imports and the demo
call `require` inside their own transaction before they write a row that names an organisation.
"""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from buurtkaart import validate
from buurtkaart.errors import BuurtkaartError
from buurtkaart.store import NAME_MAX, Organisation, Store, new_id, now

ORGANISATIONS: Table = Organisation.__table__  # type: ignore[assignment]


class OrganisationError(BuurtkaartError):
    """An organisation name that cannot be used, or an organisation id that does not exist."""

    FIELD_LABELS = "item."


def ensure(store: Store, name: str) -> str:
    """Return the id of the organisation called `name`, created if it does not exist yet.

    Parameters
    ----------
    store
        The database (``store.open_store()``).
    name
        The organisation's name as the team types it; outer spaces are ignored.

    Returns
    -------
    str
        The organisation's id (a UUID as text).

    Example
    -------
    >>> org = ensure(open_store(), "Buurthuis X")  # doctest: +SKIP
    """
    name = validate.text(name, "organisation", OrganisationError, limit=NAME_MAX, empty_key="error.organisation_empty")
    with store.write(lock="organisations") as session:
        found = session.execute(select(ORGANISATIONS.c.id).where(ORGANISATIONS.c.name == name)).scalar()
        if found is not None:
            return found
        org_id = new_id()
        session.execute(ORGANISATIONS.insert().values(id=org_id, name=name, created_at=now()))
        return org_id


def listing(store: Store) -> list[tuple[str, str]]:
    """Return (id, name) of every organisation, by name."""
    with store.read() as session:
        rows = session.execute(select(ORGANISATIONS.c.id, ORGANISATIONS.c.name).order_by(ORGANISATIONS.c.name))
        return [(row.id, row.name) for row in rows]


def find(store: Store, name: str) -> str | None:
    """Return the id of the organisation called exactly `name`, or None when there is none."""
    return next((org for org, found in listing(store) if found == name), None)


def require(session: Session, organisation_id: str, error: type[BuurtkaartError] = OrganisationError) -> None:
    """Raise `error` (the caller's error class) if no organisation has this id."""
    found = session.execute(select(ORGANISATIONS.c.id).where(ORGANISATIONS.c.id == str(organisation_id))).first()
    if found is None:
        raise error("error.organisation_unknown", organisation=str(organisation_id))
