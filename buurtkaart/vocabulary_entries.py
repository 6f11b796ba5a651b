"""What may be typed about a citizen besides fixed choices: nothing free.

Situations and talents come from the fixed vocabulary of vocabulary.py plus the keys an organisation's coordinator
added (`add_entry`, checked like any tag: lower-case letters, digits and "_", no run of two digits, no "@",
at most 40 characters). A version's label comes from a short list or is a date ("2025-01-15"), so that no
name, phone number or diagnosis ends up in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from buurtkaart import accounts, vocabulary
from buurtkaart.accounts import Actor
from buurtkaart.store import Store, VocabularyEntry, now

VERSION_LABELS: tuple[str, ...] = ("intake", "opvolging", "evaluatie", "afsluiting")
FIELDS: dict[str, tuple[str, ...]] = {"situations": vocabulary.SITUATIONS, "talents": vocabulary.TALENTS}
KEY_MAX = 40
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_DIGIT_RUN = re.compile(r"\d{2}")


def allowed(store: Store, organisation_id: Actor | str, field: str) -> tuple[str, ...]:
    """Return the keys a citizen's `field` ("situations" or "talents") may hold in this organisation."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_READ)
    with store.read() as session:
        added = session.execute(
            select(VocabularyEntry.key)
            .where(VocabularyEntry.organisation_id == organisation_id, VocabularyEntry.field == field)
            .order_by(VocabularyEntry.key)
        ).scalars().all()  # fmt: skip
    return tuple(dict.fromkeys([*FIELDS[field], *added]))


def add_entry(store: Store, organisation_id: Actor | str, field: str, key: str, *, user: str | None = None) -> str:
    """Add a key to the organisation's vocabulary of `field` (a coordinator's act) and return it, checked like a tag."""
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.VOCABULARY_WRITE)
    from buurtkaart.citizens import CitizenError  # citizens imports this module

    if field not in FIELDS:
        msg = f"field must be one of {sorted(FIELDS)}, not {field!r}"
        raise ValueError(msg)
    clean = key.strip().lower() if isinstance(key, str) else key
    if not isinstance(clean, str) or len(clean) > KEY_MAX or not _KEY.fullmatch(clean) or _DIGIT_RUN.search(clean):
        raise CitizenError("error.citizen_tag_invalid", field=field, value=str(key)[:60])
    if clean in allowed(store, organisation_id, field):
        return clean
    with store.write(lock=organisation_id) as session:
        session.add(VocabularyEntry(organisation_id=organisation_id, field=field, key=clean, created_at=now(), created_by=user))
    return clean


def check_tags(store: Store, organisation_id: Actor | str, values: Mapping[str, Any]) -> None:
    """Raise CitizenError when a situation or talent in `values` is not in the organisation's vocabulary."""
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_WRITE)
    from buurtkaart.citizens import CitizenError  # citizens imports this module

    for field in FIELDS:
        if not values.get(field):
            continue
        known = set(allowed(store, organisation_id, field))
        for tag in values[field]:
            if tag not in known:
                raise CitizenError("error.citizen_tag_not_in_vocabulary", field=field, value=tag)


def version_label(label: str) -> str:
    """Return a version label if it is empty, one of VERSION_LABELS (any case) or an ISO date; raise CitizenError if not."""
    from buurtkaart.citizens import CitizenError  # citizens imports this module

    text = label.strip().casefold()
    if text == "" or text in VERSION_LABELS:
        return text
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise CitizenError("error.version_label_not_allowed", field="version_label", labels=", ".join(VERSION_LABELS))
