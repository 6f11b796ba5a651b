"""Tests of the store: database URL, first start, migrations and their schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import geoalchemy2  # noqa: F401  (lets SQLAlchemy reflect PostGIS's geometry type)
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, event, inspect, select, text
from sqlalchemy.exc import IntegrityError

from buurtkaart import organisations
from buurtkaart import store as store_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Base, Store, StoreError, open_store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    BOX,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

POSTGIS_ONLY = {"geom", "ix_map_items_geom", "ix_citizens_geom", "ix_ties_geom"}


def _schema(store: Store) -> str | None:
    """Return the schema the store's tables live in (None for SQLite)."""
    if not store.is_postgres:
        return None
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar()


def _add(store: Store, org: str, name: str = "Theehuis Assalam") -> vp.Item:
    """Add one vindplaats and return it."""
    return vp.add(store, org, user="ann", layer="vindplaats", name=name, kind="tea_house", lon=4.3725, lat=50.8610, bounds=BOX)


def test_database_url_defaults_to_a_sqlite_file_in_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.delenv(store_mod.SQLITE_PATH_ENV, raising=False)
    monkeypatch.setenv("BUURTKAART_CACHE_DIR", str(tmp_path / "cache"))
    assert store_mod.database_url() == f"sqlite:///{tmp_path / 'cache' / 'buurtkaart.sqlite'}"


def test_database_url_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "team" / "kaart.sqlite"))
    assert store_mod.database_url() == f"sqlite:///{tmp_path / 'team' / 'kaart.sqlite'}"
    monkeypatch.setenv(store_mod.DATABASE_URL_ENV, "postgresql+psycopg://bk@db.example/buurtkaart")
    assert store_mod.database_url() == "postgresql+psycopg://bk@db.example/buurtkaart"


def test_first_start_creates_the_sqlite_file_with_no_set_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "new folder" / "kaart.sqlite"))
    store = open_store()
    try:
        assert (tmp_path / "new folder" / "kaart.sqlite").is_file()
        org = organisations.ensure(store, "Buurthuis")
        assert vp.list_items(store, org).empty
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        store.close()


def test_migrations_create_exactly_the_models_tables(store: Store) -> None:
    schema = _schema(store)
    tables = set(inspect(store.engine).get_table_names(schema=schema))
    assert tables == {*Base.metadata.tables, "alembic_version"}
    with store.engine.connect() as connection:
        postgis_own = lambda name, type_, _parent: not (type_ == "table" and name == "spatial_ref_sys")  # noqa: E731
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": postgis_own})
        diff = compare_metadata(context, Base.metadata)
    # On PostgreSQL the migration adds a PostGIS point that follows lon/lat; the models (also for SQLite) do not have it.
    leftovers = [d for d in diff if not (d[0] in ("remove_column", "remove_index") and _diff_name(d) in POSTGIS_ONLY)]
    assert leftovers == []
    assert {_diff_name(d) for d in diff} == (POSTGIS_ONLY if store.is_postgres else set())
    for table in Base.metadata.tables.values():
        reflected = {c["name"] for c in inspect(store.engine).get_columns(table.name, schema=schema)}
        assert reflected - {"geom"} == {c.name for c in table.columns}
        checks = {c["name"] for c in inspect(store.engine).get_check_constraints(table.name, schema=schema)}
        assert checks == {c.name for c in table.constraints if isinstance(c, CheckConstraint)}


def test_the_migration_can_be_undone_and_redone(store: Store) -> None:
    with store.engine.connect() as connection, connection.begin():
        command.downgrade(store_mod.alembic_config(connection), "base")
    assert set(inspect(store.engine).get_table_names(schema=_schema(store))) == {"alembic_version"}
    again = open_store(store.url)
    again.close()
    assert set(inspect(store.engine).get_table_names(schema=_schema(store))) == {*Base.metadata.tables, "alembic_version"}


def _diff_name(diff: tuple) -> str:
    """Return the column or index name of one alembic autogenerate difference."""
    if diff[0] == "remove_column":
        return diff[3].name
    return diff[1].name


def test_the_database_is_at_the_newest_revision(store: Store) -> None:
    head = ScriptDirectory.from_config(store_mod.alembic_config()).get_current_head()
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head == "0008_audit"


def test_opening_a_database_at_head_keeps_its_data(store: Store, org: str) -> None:
    item = _add(store, org)
    for _ in range(2):  # two restarts, as app instances do
        open_store(store.url).close()
    reopened = open_store(store.url)
    try:
        assert vp.get(reopened, org, item.id) == item
        assert len(vp.history(reopened, org)) == 1
    finally:
        reopened.close()


def test_a_restart_runs_no_schema_statement(store: Store) -> None:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2].strip().split()[0].upper())  # noqa: E731
    event.listen(store_mod.Engine, "before_cursor_execute", listener)
    try:
        open_store(store.url).close()
    finally:
        event.remove(store_mod.Engine, "before_cursor_execute", listener)
    assert statements, "open_store did not query the database"
    assert not {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"} & set(statements)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgis_point_follows_lon_and_lat(store: Store, org: str) -> None:
    item = _add(store, org)
    vp.move(store, org, item.id, user="bob", expected_version=1, lon=4.38, lat=50.865, bounds=BOX)
    with store.engine.connect() as connection:
        srid, x, y = connection.execute(
            text("SELECT ST_SRID(geom), ST_X(geom), ST_Y(geom) FROM map_items WHERE id = :id"), {"id": item.id}
        ).one()
        near = connection.execute(
            text("SELECT count(*) FROM map_items WHERE ST_DWithin(geom::geography, ST_MakePoint(4.38, 50.865)::geography, 5)")
        ).scalar()
    assert (srid, x, y, near) == (4326, 4.38, 50.865, 1)


def test_timestamps_are_aware_utc(store: Store, org: str) -> None:
    item = _add(store, org)
    again = vp.get(store, org, item.id)
    assert again.created_at.tzinfo is not None and again.created_at.utcoffset().total_seconds() == 0
    assert again.created_at == item.created_at
    assert again.created_at.astimezone(UTC) == item.created_at


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(IntegrityError), store.write() as session:
        session.execute(
            vp.HISTORY.insert().values(item_id="nope", organisation_id="nope", at=store_mod.now(), user="x", action="create")
        )
    with store.read() as session:
        assert session.execute(select(vp.HISTORY)).all() == []


def test_a_failed_write_changes_nothing(store: Store, org: str) -> None:
    item = _add(store, org)
    with pytest.raises(RuntimeError, match="power cut"), store.write() as session:
        session.execute(vp.ITEMS.update().where(vp.ITEMS.c.id == item.id).values(name="Half written"))
        raise RuntimeError("power cut")
    assert vp.get(store, org, item.id) == item


def test_organisations_are_created_once(store: Store) -> None:
    first = organisations.ensure(store, "Buurthuis Aksent")
    assert organisations.ensure(store, "  Buurthuis Aksent ") == first
    other = organisations.ensure(store, "LDC Het Anker")
    assert other != first
    assert organisations.listing(store) == [(first, "Buurthuis Aksent"), (other, "LDC Het Anker")]
    with pytest.raises(organisations.OrganisationError) as caught:
        organisations.ensure(store, "   ")
    assert caught.value.key == "error.organisation_empty"


def test_two_app_instances_share_one_database(open_stores: Callable[[], Store], store: Store, org: str) -> None:
    other = open_stores()
    item = _add(store, org)
    assert vp.get(other, org, item.id) == item
    assert organisations.ensure(other, "LDC De Buurt") == org


def test_an_unreachable_server_gives_a_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/buurtkaart?connect_timeout=3")
    assert caught.value.key == "error.store_unavailable"
    assert "cannot be reached" in str(caught.value) and "127.0.0.1" in str(caught.value)
    assert "niet bereikbaar" in caught.value.message("nl")
    assert time.monotonic() - started < 10


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("mysql://user:secret@db.example/buurtkaart")
    assert caught.value.key == "error.store_unsupported"
    assert "secret" not in str(caught.value)


def test_a_sqlite_file_that_cannot_be_created_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{blocker / 'kaart.sqlite'}")
    assert caught.value.key == "error.store_unavailable"


def test_a_database_that_stays_locked_gives_a_clear_error_and_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kaart.sqlite'}?timeout=0.2"
    store = open_store(url)
    try:
        org = organisations.ensure(store, "Buurthuis")
        item = _add(store, org)
        blocker = sqlite3.connect(tmp_path / "kaart.sqlite", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(StoreError) as caught:
                vp.update(store, org, item.id, user="bob", expected_version=1, notes="while locked")
            assert caught.value.key == "error.store_unavailable" and "locked" in str(caught.value)
            assert "Nothing was changed" in str(caught.value)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert vp.get(store, org, item.id) == item
        assert vp.update(store, org, item.id, user="bob", expected_version=1, notes="later").version == 2
    finally:
        store.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_writer_that_waits_too_long_on_postgresql_gives_a_clear_error(
    store: Store, org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = _add(store, org)
    monkeypatch.setattr(store_mod, "POSTGRES_LOCK_MS", 300)
    with store.engine.connect() as blocker, blocker.begin():  # another instance in a long write for this organisation
        blocker.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": org})
        with pytest.raises(StoreError) as caught:
            vp.update(store, org, item.id, user="bob", expected_version=1, notes="while locked")
        assert caught.value.key == "error.store_unavailable" and "lock timeout" in str(caught.value)
    assert vp.get(store, org, item.id) == item
