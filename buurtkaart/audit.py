"""The audit log: who viewed a citizen's page, who changed or erased what, who exported what, and when.

Every event belongs to one organisation and is only ever read back for that organisation. An event holds the
time (UTC), the acting user as the caller gives it (an account id or a name), an action from `ACTIONS` and a
target: a citizen's short code, an item id or a file format — never free text about a person. Untrusted text is
cleaned before it is stored: control characters go, the user is cut to its column's size, and a target keeps only
the characters of a code or an id.

The writers of the package record their event in their own transaction (`record_in`), so a change and its event
are saved together or not at all; a page records a view with `record`. Erasing a citizen replaces their code in
earlier events by an `erased-…` token (`forget_target`), so the log still shows that these events were about one
erased citizen without keeping a code that could find them again.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time

import pandas as pd
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from buurtkaart import accounts, csv_cells, formats, validate
from buurtkaart.accounts import Actor
from buurtkaart.i18n import TABLE, t
from buurtkaart.store import AUDIT_TARGET_MAX, AUDIT_USER_MAX, AuditEvent, Store, new_id, now

EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]
DEFAULT_USER = "onbekend"  # who acts when a caller does not say (sign-in will pass the account's id)
ACTIONS: tuple[str, ...] = (
    "citizen.view",
    "citizen.create",
    "citizen.update",
    "citizen.erase",
    "citizen.version",
    "tie.add",
    "tie.update",
    "tie.delete",
    "tie.links",
    "vindplaats.create",
    "vindplaats.update",
    "vindplaats.move",
    "vindplaats.delete",
    "vindplaats.restore",
    "vindplaats.import",
    "vindplaats.purge",
    "export.csv",
    "export.geojson",
    "export.kml",
    "export.gpx",
    "export.gpkg",
    "export.share",
    "export.backup",
    "backup.restore",
    "user.add",
    "user.role",
    "user.disable",
    "user.reset_password",
    "user.sign_in",
    "user.sign_out",
    "user.sign_in_failed",
)
COLUMNS: tuple[str, ...] = ("at", "user", "action", "target")
ERASED_PREFIX = "erased-"
_USER_ACTION = re.compile(r"user\.[a-z_]{1,30}")  # the sign-in's own events (user.*) may grow without a list here
_TARGET_DROP = re.compile(r"[^A-Za-z0-9._:@-]")


def record(store: Store, organisation_id: Actor | str, user: str | None, action: str, target: str | None = None) -> None:
    """Add one event to the organisation's audit log, in a transaction of its own.

    Parameters
    ----------
    store, organisation_id
        The database and the signed-in user (an ``Actor``: their organisation and id are taken), or a trusted
        caller's organisation id.
    user
        Who acted, for a trusted caller (an Actor's own user id is always used).
    action
        One of ``ACTIONS`` (or ``user.*``).
    target
        A citizen's short code, an item id or a format; None when the action has none.
    """
    user = accounts.user_of(organisation_id, user, DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_READ)  # any signed-in role's act is logged
    with store.write(lock=organisation_id) as session:
        record_in(session, organisation_id, user, action, target)


def record_in(session: Session, organisation_id: str, user: str, action: str, target: str | None = None) -> None:
    """Add one event in the caller's transaction (the change and its event are saved together)."""
    if action not in ACTIONS and not _USER_ACTION.fullmatch(str(action)):
        msg = f"unknown audit action {action!r}; declare it in audit.ACTIONS"
        raise ValueError(msg)
    session.execute(
        EVENTS.insert().values(
            id=new_id(), at=now(), organisation_id=str(organisation_id), user=clean_user(user), action=action,
            target=clean_target(target),
        )
    )  # fmt: skip


def events(
    store: Store, organisation_id: Actor | str, *, since: date | datetime | None = None, limit: int | None = None
) -> pd.DataFrame:
    """Return the organisation's audit events (COLUMNS), the newest first.

    Parameters
    ----------
    store, organisation_id
        The database and the organisation; never another organisation's events.
    since
        Only events at or after this time (a date: from the start of that day, UTC).
    limit
        At most this many events (the newest).

    Returns
    -------
    pandas.DataFrame
        One row per event: `at` (UTC), `user`, `action`, `target`.
    """
    organisation_id = accounts.scope(organisation_id, accounts.AUDIT_READ)
    query = select(EVENTS.c.at, EVENTS.c.user, EVENTS.c.action, EVENTS.c.target).where(
        EVENTS.c.organisation_id == str(organisation_id)
    )
    if since is not None:
        query = query.where(EVENTS.c.at >= _moment(since))
    query = query.order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
    if limit is not None:
        query = query.limit(max(0, int(limit)))
    with store.read() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame({c: pd.Series([getattr(r, c) for r in rows], dtype=object) for c in COLUMNS})
    frame["at"] = pd.to_datetime(frame["at"], utc=True).astype("datetime64[us, UTC]")
    return frame


def shown(frame: pd.DataFrame, *, lang: str) -> pd.DataFrame:
    """Return audit events as a page shows them: headers, actions and times (Brussels) in `lang`, a dash for no target."""
    return pd.DataFrame(
        {
            t("audit.col.at", lang): frame["at"].map(lambda at: formats.datetime_text(at, lang)),
            t("audit.col.user", lang): frame["user"],
            t("audit.col.action", lang): frame["action"].map(lambda action: action_label(action, lang)),
            t("audit.col.target", lang): frame["target"].fillna("—"),
        }
    )


def action_label(action: str, lang: str) -> str:
    """Return an audit action in `lang` ("citizen.view" -> "burger bekeken"); an action without a text stays as it is."""
    key = f"audit.action.{action}"
    return t(key, lang) if key in TABLE else action


def csv_text(frame: pd.DataFrame) -> str:
    """Return audit events as CSV text whose cells never run as spreadsheet formulas."""
    table = frame.assign(at=frame["at"].map(lambda v: v.isoformat() if pd.notna(v) else ""))
    return csv_cells.neutralise_frame(table.fillna("")).to_csv(index=False)


def forget_target(session: Session, organisation_id: str, target: str) -> str:
    """Replace `target` (an erased citizen's code) in the organisation's events by a new token; return the token."""
    token = ERASED_PREFIX + secrets.token_hex(6)
    session.execute(
        EVENTS.update()
        .where(EVENTS.c.organisation_id == str(organisation_id), EVENTS.c.target == clean_target(target))
        .values(target=token)
    )
    return token


def clean_user(user: object) -> str:
    """Return the acting user as stored: one line, no control characters, at most AUDIT_USER_MAX characters."""
    text = " ".join(validate.CONTROL.sub(" ", str(user if user is not None else "")).split())
    return text[:AUDIT_USER_MAX] or DEFAULT_USER


def clean_target(target: object) -> str | None:
    """Return a target as stored: only the characters of a code or an id, at most AUDIT_TARGET_MAX; None if empty."""
    if target is None:
        return None
    text = _TARGET_DROP.sub("", str(target))[:AUDIT_TARGET_MAX]
    return text or None


def _moment(since: date | datetime) -> datetime:
    """Return `since` as an aware UTC datetime (a date: its first moment)."""
    if isinstance(since, datetime):
        return since if since.tzinfo else since.replace(tzinfo=UTC)
    return datetime.combine(since, time.min, tzinfo=UTC)
