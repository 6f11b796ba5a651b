"""A citizen's consent to share their own map: recorded before the file is made, kept with the day and the worker.

The consent row holds the citizen's id (not their code), the day the consent was given and who recorded it;
erasing the citizen removes it (ON DELETE CASCADE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, select

from buurtkaart import accounts, audit
from buurtkaart.accounts import Actor
from buurtkaart.errors import BuurtkaartError
from buurtkaart.store import CitizenRecord, ShareConsent, Store, new_id, now
from buurtkaart.vindplaatsen import clean_user

CONSENTS: Table = ShareConsent.__table__  # type: ignore[assignment]
CITIZENS: Table = CitizenRecord.__table__  # type: ignore[assignment]


class ConsentError(BuurtkaartError):
    """A consent that cannot be recorded (not given, a day in the future, an unknown citizen)."""


@dataclass(frozen=True)
class Consent:
    """A recorded consent: the day it was given and who recorded it."""

    citizen_id: str
    given_on: date
    recorded_by: str


def record_consent(
    store: Store, organisation_id: Actor | str, citizen_id: str, *, given: bool, given_on: date, user: str | None = None
) -> Consent:
    """Record that the citizen consents to a file of their own map; ConsentError when `given` is not True."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    if given is not True:
        raise ConsentError("error.share_consent")
    if not isinstance(given_on, date) or given_on > date.today():
        raise ConsentError("error.share_consent_day", value=given_on)
    user = clean_user(user)
    with store.write(lock=organisation_id) as session:
        found = session.execute(
            select(CITIZENS.c.code).where(CITIZENS.c.id == citizen_id, CITIZENS.c.organisation_id == organisation_id)
        ).first()
        if found is None:
            raise ConsentError("error.share_consent_citizen")
        session.execute(
            CONSENTS.insert().values(
                id=new_id(), citizen_id=citizen_id, organisation_id=organisation_id, given_on=given_on,
                recorded_by=user, created_at=now(),
            )
        )
        audit.record_in(session, organisation_id, user, "export.share", found.code)  # the citizen's own map is made next
    return Consent(citizen_id=citizen_id, given_on=given_on, recorded_by=user)


def consents(store: Store, organisation_id: Actor | str, citizen_id: str) -> list[Consent]:
    """Return the consents recorded for a citizen, the oldest first."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    query = (
        select(CONSENTS.c.citizen_id, CONSENTS.c.given_on, CONSENTS.c.recorded_by)
        .where(CONSENTS.c.citizen_id == citizen_id, CONSENTS.c.organisation_id == organisation_id)
        .order_by(CONSENTS.c.created_at)
    )
    with store.read() as session:
        return [Consent(r.citizen_id, r.given_on, r.recorded_by) for r in session.execute(query)]
