"""Erasure and deletion that are complete: what is erased is gone from the database files, or the caller is told.

- SQLite: rows are deleted with `secure_delete` (their bytes zeroed in the pages), then the write-ahead log is
  copied into the database file and truncated (`wal_checkpoint(TRUNCATE)`). The checkpoint's result is checked;
  while another connection holds an older snapshot it cannot finish, so it is retried a few times and
  otherwise reported as pending, to be finished by `finish` later (the page and the CLI call it again, and
  every store opened by the app does once). `journal_size_limit` (store.py) keeps the log from growing
  and holding old pages.
- PostgreSQL: a deleted row stays in its table file as a dead tuple until vacuumed, and a plain VACUUM
  only marks its space free. After an erasure or a purge the affected tables are rewritten with
  `VACUUM FULL` (new files, the old ones removed), so the rows are not in any table file when the call
  returns, unless a transaction on the server that began before holds back the horizon (VACUUM FULL
  keeps such rows): then the call reports pending, and `finish` later rewrites the tables again. (PostgreSQL's own write-ahead log, pg_wal, still holds them until it is recycled, normally
  within `max_wal_size`/two checkpoints; backups are the operator's.)
- A coordinator can purge a deleted vindplaats with its whole history (its notes included; the ties, anchors and
  saved versions at it keep their point and lose its name, PURGED_LABEL), and a
  retention setting (BUURTKAART_HISTORY_MONTHS) purges history older than that many months.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.exc import OperationalError

from buurtkaart import accounts, audit, settings
from buurtkaart import citizens as cz
from buurtkaart import vindplaatsen as vp
from buurtkaart.accounts import Actor
from buurtkaart.store import Store

RETENTION_ENV = settings.HISTORY_MONTHS_ENV
CHECKPOINT_ATTEMPTS = 10
CHECKPOINT_WAIT_S = 0.1
CHECKPOINT_BUSY_MS = 50
VACUUM_LOCK_TIMEOUT = "2s"
CITIZEN_TABLES: tuple[str, ...] = ("tie_links", "network_versions", "share_consents", "ties", "citizens", "audit_events")
MAP_TABLES: tuple[str, ...] = ("history", "map_items")
PURGED_LABEL = "—"  # what a tie or an anchor at a purged vindplaats is labelled: its name is gone with it


@dataclass(frozen=True)
class Erased:
    """What an erasure did: how many rows it removed, and whether traces may still be in the files (pending)."""

    rows: int
    pending: bool


def erase_citizen(store: Store, organisation_id: Actor | str, citizen_id: str, *, user: str | None = None) -> Erased:
    """Erase a citizen with every tie, link and version, and make the rows unrecoverable from the database files.

    Parameters
    ----------
    store
        The database.
    organisation_id
        The citizen's organisation.
    citizen_id
        The citizen to erase.
    user
        Who erases (for the audit log).

    Returns
    -------
    Erased
        The rows removed, and `pending` True when SQLite could not yet empty its log (another connection is
        reading); `finish` completes it later.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_ERASE)
    rows = cz.erase_citizen(store, organisation_id, citizen_id, user=user)
    return Erased(rows=rows, pending=not finish(store, tables=CITIZEN_TABLES))


def finish(store: Store, *, tables: tuple[str, ...] = CITIZEN_TABLES + MAP_TABLES, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
    """Return True once deleted rows are out of the database files (SQLite: log checkpointed and truncated; PostgreSQL: tables rewritten)."""
    if store.is_postgres:
        with store.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            since = connection.execute(text("SELECT statement_timestamp()")).scalar()
            connection.execute(text(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'"))  # a reader holds the table: do not wait long
            try:
                for table in tables:
                    connection.execute(text(f'VACUUM FULL "{table}"'))
            except OperationalError:  # lock not available: rewritten by a later call
                return False
            finally:
                connection.execute(text("RESET lock_timeout"))
            # a transaction begun before (in any database of the server) may hold back the horizon: the rows are kept
            holding = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND backend_xmin IS NOT NULL AND xact_start < :since"
            ), {"since": since}).scalar()  # fmt: skip
        return holding == 0
    for attempt in range(attempts):
        if store.checkpoint(busy_ms=CHECKPOINT_BUSY_MS):
            return True
        if attempt + 1 < attempts:
            time.sleep(CHECKPOINT_WAIT_S)
    return False


def purge_item(store: Store, organisation_id: Actor | str, item_id: str, *, user: str | None = None) -> Erased:
    """Remove a deleted item of the organisation's map with its whole history (notes and all), for good.

    Raise VindplaatsError ("error.purge_live") for an item that is not deleted: delete it first.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.CITIZENS_ERASE)
    with store.write(lock=organisation_id) as session:
        row = session.execute(
            select(vp.ITEMS.c.deleted_at).where(vp.ITEMS.c.id == item_id, vp.ITEMS.c.organisation_id == organisation_id)
        ).first()
        if row is None:
            raise vp.ItemNotFoundError("error.item_not_found", item_id=item_id)
        if row.deleted_at is None:
            raise vp.VindplaatsError("error.purge_live")
        _secure_delete(session, store)
        rows = session.execute(delete(vp.HISTORY).where(vp.HISTORY.c.item_id == item_id)).rowcount
        rows += session.execute(delete(vp.ITEMS).where(vp.ITEMS.c.id == item_id)).rowcount
        named = _forget_name(session, organisation_id, item_id)
        audit.record_in(session, organisation_id, user, "vindplaats.purge", item_id)
    tables = MAP_TABLES + (("ties", "citizens", "network_versions") if named else ())
    return Erased(rows=rows, pending=not finish(store, tables=tables))


def _forget_name(session: object, organisation_id: str, item_id: str) -> bool:
    """Replace the purged item's name where ties, anchors and saved versions carry it (their label, derived from it)
    by PURGED_LABEL; return True when any row changed."""
    ties = cz.TIES.c
    changed = session.execute(  # type: ignore[attr-defined]
        cz.TIES.update()
        .where(ties.organisation_id == organisation_id, ties.place_kind == "vindplaats", ties.place_ref == item_id)
        .values(place_label=PURGED_LABEL)
    ).rowcount
    people = cz.CITIZENS.c
    changed += session.execute(  # type: ignore[attr-defined]
        cz.CITIZENS.update()
        .where(people.organisation_id == organisation_id, people.anchor_kind == "vindplaats", people.anchor_ref == item_id)
        .values(anchor_label=PURGED_LABEL)
    ).rowcount
    versions = session.execute(  # type: ignore[attr-defined]
        select(cz.VERSIONS.c.id, cz.VERSIONS.c.ties).where(cz.VERSIONS.c.organisation_id == organisation_id)
    ).all()
    for version_id, saved in versions:
        if any(t.get("place_kind") == "vindplaats" and t.get("place_ref") == item_id for t in saved):
            kept = [{**t, "place_label": PURGED_LABEL} if t.get("place_kind") == "vindplaats" and t.get("place_ref") == item_id else t
                    for t in saved]  # fmt: skip
            session.execute(cz.VERSIONS.update().where(cz.VERSIONS.c.id == version_id).values(ties=kept))  # type: ignore[attr-defined]
            changed += 1
    return changed > 0


def purge_history(store: Store, *, months: int, now: datetime | None = None) -> Erased:
    """Remove every history line older than `months` months (of every organisation), for good."""
    if months < 1:
        msg = f"months must be at least 1, not {months!r}"
        raise ValueError(msg)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=round(months * 30.44))
    with store.write() as session:
        _secure_delete(session, store)
        rows = session.execute(delete(vp.HISTORY).where(vp.HISTORY.c.at < cutoff)).rowcount
    return Erased(rows=rows, pending=bool(rows) and not finish(store, tables=("history",)))


def retention_months() -> int | None:
    """Return the history retention in months from BUURTKAART_HISTORY_MONTHS (None: keep all history)."""
    value = settings.history_months()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        msg = f"{RETENTION_ENV} must be a whole number of months (at least 1), not {value!r}"
        raise ValueError(msg)
    return int(value)


def apply_retention(store: Store) -> Erased | None:
    """Purge the history older than the retention setting (nothing when it is not set)."""
    months = retention_months()
    return None if months is None else purge_history(store, months=months)


def _secure_delete(session: object, store: Store) -> None:
    """Make SQLite zero the bytes of rows deleted in this transaction."""
    if not store.is_postgres:
        session.execute(text("PRAGMA secure_delete = ON"))  # type: ignore[attr-defined]
