"""The database of vindplaatsen and organisation maps: SQLite embedded, PostgreSQL + PostGIS to scale."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from buurtkaart import settings
from buurtkaart import vocabulary as vocab
from buurtkaart.errors import BuurtkaartError

DATABASE_URL_ENV = settings.DATABASE_URL_ENV
SQLITE_PATH_ENV = settings.SQLITE_PATH_ENV
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
LAYER_KEYS: tuple[str, ...] = ("vindplaats", "site", "partner", "gatekeeper", "need")
WHEELCHAIR_KEYS: tuple[str, ...] = ("yes", "no", "limited", "unknown")
ACTIONS: tuple[str, ...] = ("create", "update", "move", "delete", "restore", "import")
NAME_MAX = 200
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another one before giving up with StoreError
POSTGRES_LOCK_MS = 30_000  # the same on PostgreSQL (lock_timeout of a write transaction)
# Taken (per transaction) before migrating a PostgreSQL database, so that app instances
# starting at the same time do not migrate it twice.
_MIGRATION_LOCK = 0x62757572  # "buur"
_WRITE_OPTION = "buurtkaart_write"
_now_lock = threading.Lock()
_last_now = datetime.min.replace(tzinfo=UTC)


class StoreError(BuurtkaartError):
    """The database cannot be opened or migrated (unreachable server, no PostGIS, no rights)."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return `value` in UTC (naive values are taken as UTC)."""
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON (lists and history snapshots); JSONB on PostgreSQL so that target groups and languages can be queried there.
JSONValue = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """The declarative base of the Buurtkaart tables."""


class Organisation(Base):
    """A team or organisation: every map item and history line belongs to one."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MapItem(Base):
    """One point of an organisation's map: a vindplaats, a site, a partner, a gatekeeper or a need."""

    __tablename__ = "map_items"
    __table_args__ = (
        Index("ix_map_items_org_layer", "organisation_id", "layer"),
        Index("ix_map_items_org_name_key", "organisation_id", "name_key"),
        CheckConstraint(f"layer IN ({', '.join(repr(k) for k in LAYER_KEYS)})", name="ck_map_items_layer"),
        CheckConstraint(f"wheelchair IN ({', '.join(repr(k) for k in WHEELCHAIR_KEYS)})", name="ck_map_items_wheelchair"),
        CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="ck_map_items_lonlat"),
        CheckConstraint("version >= 1", name="ck_map_items_version"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    layer: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_MAX * 2))
    kind: Mapped[str] = mapped_column(String(40))
    target_groups: Mapped[list[str]] = mapped_column(JSONValue)
    languages: Mapped[list[str]] = mapped_column(JSONValue)
    hours: Mapped[str] = mapped_column(Text)
    wheelchair: Mapped[str] = mapped_column(String(10))
    formal: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    notes: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(40))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    osm_place_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(NAME_MAX))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HistoryEntry(Base):
    """One change of one map item: who, when, what it was before and after."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_item_at", "item_id", "at"),
        Index("ix_history_org_at", "organisation_id", "at"),
        CheckConstraint(f"action IN ({', '.join(repr(a) for a in ACTIONS)})", name="ck_history_action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("map_items.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user: Mapped[str] = mapped_column(String(NAME_MAX))
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)


# --- citizens' networks (migration 0002): no name, no address, no free-text notes about a person ---

PSEUDONYM_LENGTH = 64  # an HMAC-SHA256 in hex (buurtkaart.pseudonym)
CODE_LENGTH = 12  # "BK-7F3A-92C1"
LABEL_MAX = 200  # a place's label and reference
VERSION_LABEL_MAX = 60  # "intake", "after 6 months"


def _one_of(column: str, keys: tuple[str, ...]) -> str:
    """Return the SQL condition that `column` holds one of `keys`."""
    return f"{column} IN ({', '.join(repr(k) for k in keys)})"


_LONLAT = "{lon} >= -180 AND {lon} <= 180 AND {lat} >= -90 AND {lat} <= 90"
_PLACE_KIND_FITS_LEVEL = " OR ".join(
    f"(level = {level!r} AND {_one_of('place_kind', kinds)})" for level, kinds in vocab.PLACE_KINDS.items()
)


class CitizenRecord(Base):
    """One citizen whose network an organisation maps, known only by a pseudonym and a short code."""

    __tablename__ = "citizens"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code", name="uq_citizens_org_code"),
        UniqueConstraint("organisation_id", "pseudonym", name="uq_citizens_org_pseudonym"),
        CheckConstraint(f"age_band = '' OR {_one_of('age_band', vocab.AGE_BANDS)}", name="ck_citizens_age_band"),
        CheckConstraint(_one_of("anchor_kind", vocab.ANCHOR_KINDS), name="ck_citizens_anchor_kind"),
        CheckConstraint(_LONLAT.format(lon="anchor_lon", lat="anchor_lat"), name="ck_citizens_lonlat"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(PSEUDONYM_LENGTH))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    age_band: Mapped[str] = mapped_column(String(10))
    situations: Mapped[list[str]] = mapped_column(JSONValue)
    talents: Mapped[list[str]] = mapped_column(JSONValue)
    interests: Mapped[list[str]] = mapped_column(JSONValue)
    languages: Mapped[list[str]] = mapped_column(JSONValue)
    anchor_kind: Mapped[str] = mapped_column(String(20))
    anchor_ref: Mapped[str] = mapped_column(String(LABEL_MAX))
    anchor_label: Mapped[str] = mapped_column(String(LABEL_MAX))
    anchor_lon: Mapped[float] = mapped_column(Float)
    anchor_lat: Mapped[float] = mapped_column(Float)
    quartier: Mapped[str] = mapped_column(String(10))
    demo: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TieRecord(Base):
    """One member of a citizen's network: a role (never a name), what the tie gives, and where it is."""

    __tablename__ = "ties"
    __table_args__ = (
        Index("ix_ties_citizen", "citizen_id"),
        Index("ix_ties_org", "organisation_id"),
        CheckConstraint(_one_of("role", vocab.ROLES), name="ck_ties_role"),
        CheckConstraint(_one_of("capital", vocab.CAPITALS), name="ck_ties_capital"),
        CheckConstraint(_one_of("frequency", vocab.FREQUENCIES), name="ck_ties_frequency"),
        CheckConstraint(_one_of("strength", vocab.STRENGTHS), name="ck_ties_strength"),
        CheckConstraint(_one_of("state", vocab.STATES), name="ck_ties_state"),
        CheckConstraint(_one_of("influence", vocab.INFLUENCES), name="ck_ties_influence"),
        CheckConstraint(_one_of("reciprocity", vocab.RECIPROCITIES), name="ck_ties_reciprocity"),
        CheckConstraint(_one_of("level", vocab.LEVELS), name="ck_ties_level"),
        CheckConstraint(_PLACE_KIND_FITS_LEVEL, name="ck_ties_place_kind"),
        CheckConstraint(_LONLAT.format(lon="lon", lat="lat"), name="ck_ties_lonlat"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    capital: Mapped[str] = mapped_column(String(10))
    functions: Mapped[list[str]] = mapped_column(JSONValue)
    frequency: Mapped[str] = mapped_column(String(10))
    strength: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    influence: Mapped[str] = mapped_column(String(10))
    reciprocity: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(12))
    place_kind: Mapped[str] = mapped_column(String(20))
    place_ref: Mapped[str] = mapped_column(String(LABEL_MAX))
    place_label: Mapped[str] = mapped_column(String(LABEL_MAX))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How many people the tie stands for ("3 drinking friends" is one tie of 3); 1 for one person.
    group_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class TieLink(Base):
    """Two ties of one citizen who know each other (stored once, the smaller tie id first)."""

    __tablename__ = "tie_links"
    __table_args__ = (
        Index("ix_tie_links_citizen", "citizen_id"),
        Index("ix_tie_links_tie_b", "tie_b"),
        CheckConstraint("tie_a < tie_b", name="ck_tie_links_order"),
    )

    tie_a: Mapped[str] = mapped_column(ForeignKey("ties.id", ondelete="CASCADE"), primary_key=True)
    tie_b: Mapped[str] = mapped_column(ForeignKey("ties.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))


class NetworkVersionRecord(Base):
    """A citizen's network as it was on one day (its ties and links as JSON): one version per citizen and day."""

    __tablename__ = "network_versions"
    __table_args__ = (
        UniqueConstraint("citizen_id", "saved_on", name="uq_network_versions_citizen_day"),
        Index("ix_network_versions_org", "organisation_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    saved_on: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(VERSION_LABEL_MAX))
    ties: Mapped[list[dict[str, Any]]] = mapped_column(JSONValue)
    links: Mapped[list[list[str]]] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- saved rounds on foot (migration 0003_rounds): the round's stops are places, a walk keeps only a count ---


class RoundRecord(Base):
    """A saved round: its name, its start, stops and settings (`spec`, JSON) and the day it is planned for."""

    __tablename__ = "rounds"
    __table_args__ = (Index("ix_rounds_org", "organisation_id"), CheckConstraint("version >= 1", name="ck_rounds_version"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    planned_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(NAME_MAX))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RoundWalk(Base):
    """One time a saved round was walked: the day, who walked it (a worker, never a citizen), how many contacts."""

    __tablename__ = "round_walks"
    __table_args__ = (
        Index("ix_round_walks_round", "round_id", "walked_on"),
        CheckConstraint("contacts >= 0", name="ck_round_walks_contacts"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    walked_on: Mapped[date] = mapped_column(Date)
    walked_by: Mapped[str] = mapped_column(String(NAME_MAX))
    contacts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StoreSetting(Base):
    """A fact about the database itself (migration 0003), e.g. the fingerprint of the pseudonym key in use."""

    __tablename__ = "store_settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VocabularyEntry(Base):
    """A situation or talent key an organisation's coordinator added to the fixed vocabulary (migration 0004)."""

    __tablename__ = "vocabulary_entries"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(NAME_MAX))


# --- a citizen's consent to share their own map (migration 0005_share_consent): the day, who recorded it ---


class ShareConsent(Base):
    """A citizen's consent to a standalone file of their own map: the day they gave it and the worker who recorded it."""

    __tablename__ = "share_consents"
    __table_args__ = (Index("ix_share_consents_citizen", "citizen_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

# --- accounts (migration 0007_accounts): who may sign in, their organisation and role; failed sign-ins ---

ROLES: tuple[str, ...] = ("viewer", "worker", "coordinator")
USERNAME_MAX = 60
EMAIL_MAX = 254


class UserRecord(Base):
    """A person who signs in: one organisation, one role, an argon2 hash of the password (never the password)."""

    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_org", "organisation_id"),
        CheckConstraint(_one_of("role", ROLES), name="ck_users_role"),
        CheckConstraint("failed_count >= 0", name="ck_users_failed_count"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX), unique=True, nullable=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SignInThrottle(Base):
    """Failed sign-ins from one client address (any username): how many in a row, and until when it waits."""

    __tablename__ = "sign_in_throttle"

    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- the audit log (migration 0008_audit): who viewed, changed, erased or exported what, and when ---

AUDIT_USER_MAX = NAME_MAX  # the acting user as the caller gives it (an account id or a name)
AUDIT_ACTION_MAX = 40  # "citizen.view", "vindplaats.import" (the set is declared in buurtkaart.audit)
AUDIT_TARGET_MAX = 64  # a citizen's short code, an item id or a format: never free text about a person


class AuditEvent(Base):
    """One event of an organisation's audit log: when, who, what action, on which target."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_at", "organisation_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user: Mapped[str] = mapped_column(String(AUDIT_USER_MAX))
    action: Mapped[str] = mapped_column(String(AUDIT_ACTION_MAX))
    target: Mapped[str | None] = mapped_column(String(AUDIT_TARGET_MAX), nullable=True)


@dataclass(frozen=True)
class Store:
    """An open database: the engine and how to run a transaction on it."""

    engine: Engine
    url: str

    @property
    def is_postgres(self) -> bool:
        """Return True when the database is PostgreSQL (+ PostGIS)."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading (a consistent snapshot on SQLite's WAL)."""
        with _unavailable_as_store_error(), Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, lock: str | None = None) -> Iterator[Session]:
        """Yield a session whose changes are committed together, or not at all on an error.

        On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE), so that two
        app instances wait for each other instead of failing; on PostgreSQL `lock` (e.g. an
        organisation id) serialises the writers of that organisation with an advisory lock.
        """
        with _unavailable_as_store_error(), self.engine.connect() as connection:
            connection = connection.execution_options(**{_WRITE_OPTION: True})
            with Session(bind=connection) as session, session.begin():
                if self.is_postgres:
                    session.execute(text(f"SET LOCAL lock_timeout = '{int(POSTGRES_LOCK_MS)}ms'"))
                if lock is not None and self.is_postgres:
                    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": lock})
                yield session

    @contextmanager
    def erase(self, *, lock: str | None = None) -> Iterator[Session]:
        """Yield a write session for deleting personal data, so that it does not linger in the database file.

        On SQLite the deleted rows are zeroed in their pages (secure_delete: some builds do so by default,
        not all) and the write-ahead log is copied into the file and emptied after the commit. PostgreSQL
        keeps dead rows, invisible to every query, until its autovacuum runs.
        """
        with self.write(lock=lock) as session:
            if self.is_postgres:
                yield session
            else:
                previous = int(session.execute(text("PRAGMA secure_delete")).scalar() or 0)
                session.execute(text("PRAGMA secure_delete = ON"))
                try:
                    yield session
                finally:
                    session.execute(text(f"PRAGMA secure_delete = {previous}"))
        if not self.is_postgres:
            self.checkpoint()

    def checkpoint(self, *, busy_ms: int = 50) -> bool:
        """Copy SQLite's write-ahead log into the database file and empty it; return False while a reader holds it.

        A reader's snapshot is not waited for longer than `busy_ms` (``erasure.finish`` retries).
        """
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            try:
                busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
                cursor.close()
        finally:
            connection.close()
        return busy == 0

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def database_url() -> str:
    """Return the database URL: BUURTKAART_DATABASE_URL, else a SQLite file (BUURTKAART_SQLITE_PATH or the cache folder)."""
    url = settings.database_url()
    if url:
        return url
    path = settings.sqlite_path()
    return URL.create("sqlite", database=str(path.resolve())).render_as_string(hide_password=False)


def open_store(url: str | None = None) -> Store:
    """Return the store at `url` (default: `database_url()`), created or migrated to the newest schema."""
    url = url or database_url()
    engine = _engine(url)
    try:
        _migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, CommandError, OSError) as exc:
        engine.dispose()
        raise StoreError("error.store_unavailable", detail=_short(exc)) from exc
    return Store(engine=engine, url=url)


def new_id() -> str:
    """Return a new random id (a UUID as text)."""
    return str(uuid.uuid4())


def now() -> datetime:
    """Return the current time in UTC, strictly later than the previous call (rows keep the order they were written in)."""
    global _last_now
    with _now_lock:
        current = datetime.now(UTC)
        _last_now = current if current > _last_now else _last_now + timedelta(microseconds=1)
        return _last_now


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic configuration that migrates through `connection` (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def _engine(url: str) -> Engine:
    """Return an engine for `url`, set up for its backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    raise StoreError("error.store_unsupported", url=parsed.render_as_string(hide_password=True))


SQLITE_JOURNAL_LIMIT = 1024 * 1024  # bytes of write-ahead log kept after a checkpoint


def _sqlite_engine(url: URL) -> Engine:
    """Return a SQLite engine: foreign keys on, WAL journal, shared between threads, BEGIN IMMEDIATE for writes."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        try:
            _private_file(Path(url.database).expanduser())
        except OSError as exc:
            raise StoreError("error.store_unavailable", detail=str(exc)) from exc
    connect_args: dict[str, Any] = {"check_same_thread": False}
    if "timeout" not in url.query:  # how long a writer waits for another one (the URL may say, e.g. ?timeout=5)
        connect_args["timeout"] = SQLITE_BUSY_SECONDS
    engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA journal_size_limit = {SQLITE_JOURNAL_LIMIT}")  # a reset log is cut back: no old pages kept
        cursor.execute("PRAGMA secure_delete = ON")  # deleted rows are zeroed in their pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _private_file(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) readable by their owner only, when they are new."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # SQLite takes an empty file as new


def _migrate(engine: Engine) -> None:
    """Run `alembic upgrade head` in one transaction (on PostgreSQL: one instance at a time)."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{_WRITE_OPTION: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                _require_postgis(connection)
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")


def _require_postgis(connection: Connection) -> None:
    """Create the PostGIS extension if it is missing; raise StoreError if that is not possible."""
    installed = connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    if installed:
        return
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except SQLAlchemyError as exc:
        raise StoreError("error.store_no_postgis", detail=_short(exc)) from exc


@contextmanager
def _unavailable_as_store_error() -> Iterator[None]:
    """Turn a database that cannot be reached or stays locked into a StoreError (the transaction was rolled back)."""
    try:
        yield
    except OperationalError as exc:
        raise StoreError("error.store_unavailable", detail=_short(exc)) from exc


def _short(exc: BaseException) -> str:
    """Return the first line of an exception's message (no SQL, no parameters)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
