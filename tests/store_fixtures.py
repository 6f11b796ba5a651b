"""Store fixtures for both backends (SQLite file, PostgreSQL + PostGIS schema): import the `*_fixture` names into a test module."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from buurtkaart import area as area_mod
from buurtkaart import organisations
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import Store, open_store
from buurtkaart.vocabulary import Location

POSTGRES_ENV = "BUURTKAART_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
# A box around Schaerbeek and its neighbours (west, south, east, north), used as the area in tests.
BOX = (4.33, 50.83, 4.43, 50.90)
TEST_KEY = "a-test-key-that-is-long-enough-0123"  # the pseudonym key of the store tests
PARK = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)  # an anchor and a tie's place (as the gazetteer gives it)


@pytest.fixture(autouse=True, name="pseudonym_key")
def pseudonym_key_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every test of a module that imports this a pseudonym key in the environment (never the user's key file)."""
    monkeypatch.setenv(pseudo.KEY_ENV, TEST_KEY)


@pytest.fixture(scope="module", name="quartiers")
def quartiers_fixture() -> gpd.GeoDataFrame:
    """Return the quartiers of the embedded area."""
    return area_mod.load_embedded().quartiers


def postgres_url() -> str:
    """Return the test server's URL; fail (under CI) or skip (elsewhere) when it was not started."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    message = (
        f"PostgreSQL was not started: {POSTGRES_ENV} is not set. "
        f"Run `export {POSTGRES_ENV}=$(bash scripts/postgres.sh start)` to test the PostGIS backend."
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session", name="postgres_admin")
def postgres_admin_fixture() -> Iterator[Callable[[], Engine]]:
    """Yield a function that returns one engine on the test server (made on first use, closed at the end)."""
    engines: list[Engine] = []

    def get() -> Engine:
        if not engines:
            engines.append(create_engine(postgres_url(), isolation_level="AUTOCOMMIT"))
        return engines[0]

    yield get
    for engine in engines:
        engine.dispose()


@pytest.fixture(params=BACKENDS, name="database_url")
def database_url_fixture(request: pytest.FixtureRequest, tmp_path: Path, postgres_admin: Callable[[], Engine]) -> Iterator[str]:
    """Yield the URL of a new, empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'buurtkaart.sqlite'}"
        return
    admin = postgres_admin()
    schema = f"bk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(name="open_stores")
def open_stores_fixture(database_url: str) -> Iterator[Callable[[], Store]]:
    """Yield a function that opens one more Store on the test database (another app instance); all are closed after."""
    opened: list[Store] = []

    def another() -> Store:
        opened.append(open_store(database_url))
        return opened[-1]

    yield another
    for store in opened:
        store.close()


@pytest.fixture(name="store")
def store_fixture(open_stores: Callable[[], Store]) -> Store:
    """Return a store on a new, empty database of the test's backend."""
    return open_stores()


@pytest.fixture(name="org")
def org_fixture(store: Store) -> str:
    """Return the id of an organisation in the test database."""
    return organisations.ensure(store, "LDC De Buurt")
