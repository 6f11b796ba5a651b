"""Erasure and deletion are complete: no byte of an erased citizen or a purged vindplaats stays in the database
files (SQLite file and write-ahead log; PostgreSQL table files), or the call says it is pending and a later call
finishes it."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from buurtkaart import citizens as cz
from buurtkaart import erasure
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Store, open_store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import BACKENDS, BOX, postgres_admin_fixture, postgres_url  # noqa: F401  (a fixture)

# A place's label (the gazetteer's own: a label is never typed) that only the erased citizen's ties hold
MARKER = "Sint-Agatha-Berchem / Berchem-Sainte-Agathe"
PARK = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
PHONE = "Bel poortwachter 0470 12 34 56"
TIE = {"role": "friend", "capital": "bonding", "functions": ["affectief"], "frequency": "weekly", "strength": "strong",
       "state": "active", "influence": "positive", "reciprocity": "both"}  # fmt: skip


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, postgres_admin) -> Iterator[Store]:
    """Yield a store on a new database: a SQLite file, or a PostgreSQL database of its own (not a schema: the
    transactions of other work on the shared test database would keep deleted rows visible, see erasure.py)."""
    if request.param == "sqlite":
        db = open_store(f"sqlite:///{tmp_path / 'erase.sqlite'}")
        yield db
        db.close()
        return
    admin = postgres_admin()
    name = f"bk_erase_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = open_store(make_url(postgres_url()).set(database=name).render_as_string(hide_password=False))
        yield db
        db.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def org(store: Store) -> str:
    """Return the id of an organisation in the test database."""
    return vp.ensure_organisation(store, "LDC De Buurt")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the citizens' pseudonyms a key from the environment."""
    monkeypatch.setenv(pseudo.KEY_ENV, "an-erasure-test-key-that-is-long-enough-0123456789")


def file_bytes(store: Store) -> bytes:
    """Return the bytes of every file that holds the database's rows (SQLite: file and log; PostgreSQL: table files)."""
    if not store.is_postgres:
        path = Path(store.engine.url.database or "")
        return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    with store.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("CHECKPOINT"))  # every buffer written to the table files
        folder = Path(connection.execute(text("SHOW data_directory")).scalar())
        tables = ("citizens", "ties", "tie_links", "network_versions", "map_items", "history")
        paths = [connection.execute(text("SELECT pg_relation_filepath(CAST(:t AS regclass))"), {"t": t}).scalar() for t in tables]
        toast = connection.execute(text(
            "SELECT pg_relation_filepath(reltoastrelid) FROM pg_class WHERE oid = ANY(CAST(:t AS regclass[])) AND reltoastrelid <> 0"
        ), {"t": list(tables)}).scalars().all()  # fmt: skip
    return b"".join((folder / p).read_bytes() for p in [*paths, *toast] if p and (folder / p).exists())


def finish_within(store: Store, *, seconds: float) -> bool:
    """Return True once `erasure.finish` succeeds within `seconds`."""
    deadline = time.monotonic() + seconds
    while not erasure.finish(store):
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def make_citizen(store: Store, org: str) -> cz.Citizen:
    """Return a citizen whose ties carry MARKER."""
    person = cz.create_citizen(store, org, reference="ER-1", anchor=PARK)
    cz.add_ties(store, org, person.citizen_id, [{**TIE, "level": "stad", "place_kind": "municipality", "place_ref": "berchem-sainte-agathe",
                                                 "place_label": MARKER, "lon": 4.29, "lat": 50.86} for i in range(3)])  # fmt: skip
    return person


def test_erasure_leaves_no_byte_in_the_files(store: Store, org: str) -> None:
    person = make_citizen(store, org)
    stays = cz.create_citizen(store, org, reference="ER-2", anchor=PARK)
    assert finish_within(store, seconds=60)  # everything in the table files / database file first
    data = file_bytes(store)
    assert MARKER.encode() in data and person.code.encode() in data  # the test would see them

    erased = erasure.erase_citizen(store, org, person.citizen_id)

    assert erased.rows == 4
    if erased.pending:  # PostgreSQL: other work on the shared test server had a transaction open; it ends soon
        assert finish_within(store, seconds=60)
    data = file_bytes(store)
    assert MARKER.encode() not in data and person.code.encode() not in data and person.citizen_id.encode() not in data
    assert stays.code.encode() in data


def test_erasure_while_another_connection_reads_is_pending_then_finished(store: Store, org: str) -> None:
    person = make_citizen(store, org)
    assert finish_within(store, seconds=60)
    if store.is_postgres:
        reader = store.engine.connect()
        reader.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        assert reader.execute(text("SELECT count(*) FROM citizens")).scalar() == 1  # holds its snapshot from now on
        close = reader.close  # ends (rolls back) its transaction
    else:
        reader = sqlite3.connect(store.engine.url.database, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM citizens").fetchone()[0] == 1  # holds its snapshot from now on

        def close() -> None:
            reader.execute("COMMIT")
            reader.close()

    try:
        erased = erasure.erase_citizen(store, org, person.citizen_id)
        assert erased.pending  # told, not silently left behind
        assert cz.find_by_code(store, org, person.code) is None  # gone for every new reader
        assert not erasure.finish(store, attempts=1)  # still held
    finally:
        close()
    assert finish_within(store, seconds=60)  # a later call finishes it
    data = file_bytes(store)
    assert MARKER.encode() not in data and person.code.encode() not in data
    if not store.is_postgres:
        assert Path(store.engine.url.database + "-wal").stat().st_size == 0


def test_the_log_is_kept_small(store: Store) -> None:
    if store.is_postgres:
        pytest.skip("a SQLite setting")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_size_limit")).scalar() == 1024 * 1024
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_a_deleted_vindplaats_is_purged_with_its_history(store: Store, org: str) -> None:
    item = vp.add(store, org, user="ann", layer="gatekeeper", name="Poortwachter", kind="other", lon=4.37, lat=50.86,
                  bounds=BOX, notes=PHONE)  # fmt: skip
    item = vp.update(store, org, item.id, user="ann", expected_version=item.version, notes="")
    with pytest.raises(vp.VindplaatsError) as caught:
        erasure.purge_item(store, org, item.id)
    assert caught.value.key == "error.purge_live"
    vp.delete(store, org, item.id, user="ann", expected_version=item.version)
    assert finish_within(store, seconds=60)
    assert PHONE.encode() in file_bytes(store)  # the cleared note still lives in the history

    purged = erasure.purge_item(store, org, item.id)

    assert purged.rows == 4  # added, updated, deleted, and the item itself
    if purged.pending:
        assert finish_within(store, seconds=60)
    assert vp.history(store, org).empty
    assert PHONE.encode() not in file_bytes(store)
    with pytest.raises(vp.ItemNotFoundError):
        erasure.purge_item(store, org, item.id)


def test_history_older_than_the_retention_is_purged(store: Store, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    item = vp.add(store, org, user="ann", layer="vindplaats", name="Bank", kind="other", lon=4.37, lat=50.86, bounds=BOX)
    vp.update(store, org, item.id, user="ann", expected_version=1, notes="later")
    assert len(vp.history(store, org)) == 2
    assert erasure.purge_history(store, months=1).rows == 0  # both are new
    assert erasure.purge_history(store, months=1, now=datetime.now(UTC) + timedelta(days=40)).rows == 2
    assert vp.history(store, org).empty and len(vp.list_items(store, org)) == 1  # the item itself stays
    monkeypatch.setenv(erasure.RETENTION_ENV, "12")
    assert erasure.retention_months() == 12 and erasure.apply_retention(store).rows == 0
    monkeypatch.setenv(erasure.RETENTION_ENV, "soms")
    with pytest.raises(ValueError, match="BUURTKAART_HISTORY_MONTHS"):
        erasure.retention_months()


def test_only_a_coordinator_purges(store: Store, org: str) -> None:
    from buurtkaart import accounts

    item = vp.add(store, org, user="ann", layer="gatekeeper", name="Poortwachter", kind="other", lon=4.37, lat=50.86,
                  bounds=BOX, notes=PHONE)  # fmt: skip
    vp.delete(store, org, item.id, user="ann", expected_version=item.version)
    worker = accounts.Actor(user_id="u1", username="wout", organisation_id=org, role="worker")
    with pytest.raises(accounts.AccessDeniedError):
        erasure.purge_item(store, worker, item.id)
    assert len(vp.history(store, org)) == 2  # nothing purged
    coordinator = accounts.Actor(user_id="u2", username="cor", organisation_id=org, role="coordinator")
    assert erasure.purge_item(store, coordinator, item.id).rows == 3


def test_a_purged_vindplaats_name_leaves_the_ties_anchors_and_versions_at_it(store: Store, org: str) -> None:
    name = "Zqxw Theehuis Merkplek"
    item = vp.add(store, org, user="ann", layer="vindplaats", name=name, kind="other", lon=4.37, lat=50.86, bounds=BOX)
    at_item = Location("buurt", "vindplaats", item.id, name, 4.37, 50.86)
    person = cz.create_citizen(store, org, reference="ER-9", anchor=at_item)
    tie = cz.add_tie(store, org, person.citizen_id, **TIE, location=at_item)
    assert tie.place_label == name and person.anchor_label == name  # derived from the item, by its id
    cz.save_version(store, org, person.citizen_id, on=date(2026, 1, 5))
    vp.delete(store, org, item.id, user="ann", expected_version=item.version)
    assert finish_within(store, seconds=60) and name.encode() in file_bytes(store)

    purged = erasure.purge_item(store, org, item.id)

    if purged.pending:
        assert finish_within(store, seconds=60)
    assert name.encode() not in file_bytes(store)
    assert cz.get_citizen(store, org, person.citizen_id).anchor_label == erasure.PURGED_LABEL
    assert cz.get_tie(store, org, tie.tie_id).place_label == erasure.PURGED_LABEL
    version = cz.list_versions(store, org, person.citizen_id)["id"].iloc[0]
    assert cz.version_ties(store, org, version)["place_label"].tolist() == [erasure.PURGED_LABEL]
