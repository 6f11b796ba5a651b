"""One pseudonym key, guarded: a fingerprint in the store, a wrong or missing key refused with what to do, no new
key while citizens exist, at least 32 random bytes; the SQLite file and its folder private to their owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from buurtkaart import citizens as cz
from buurtkaart import cli, keyguard
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import Store, StoreSetting, open_store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
KEY = "the-first-key-of-this-database-0123456789"
OTHER = "a-second-different-key-QRSTUVWXYZ-98765"


@pytest.fixture(autouse=True)
def key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the key file into the test's folder, with no key in the environment; return its path."""
    path = tmp_path / "config" / "pseudonym.key"
    monkeypatch.delenv(pseudo.KEY_ENV, raising=False)
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(path))
    keyguard._CHECKED.clear()
    return path


def test_the_store_keeps_a_fingerprint_and_refuses_another_key(store: Store, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pseudo.KEY_ENV, KEY)
    cz.create_citizen(store, org, reference="D-1", anchor=ANCHOR)
    with store.read() as session:
        stored = session.get(StoreSetting, keyguard.FINGERPRINT).value
    assert stored == keyguard.fingerprint(KEY.encode()) and KEY not in stored and len(stored) == 64
    monkeypatch.setenv(pseudo.KEY_ENV, OTHER)  # a second app instance with another key on the same database
    with pytest.raises(pseudo.PseudonymError) as caught:
        keyguard.check(store)
    assert caught.value.key == "error.key_mismatch" and "not the key this database was used with" in caught.value.message("en")
    with pytest.raises(pseudo.PseudonymError):
        cz.create_citizen(store, org, reference="D-2", anchor=ANCHOR)  # no duplicate citizens under another key
    assert len(cz.list_citizens(store, org)) == 1


def test_a_lost_key_file_is_never_replaced_while_citizens_exist(store: Store, org: str, key_file: Path) -> None:
    cz.create_citizen(store, org, reference="D-1", anchor=ANCHOR)  # the key file is made on first use
    assert key_file.is_file()
    key_file.unlink()  # lost
    keyguard._CHECKED.clear()
    with pytest.raises(pseudo.PseudonymError) as caught:
        keyguard.check(store)
    assert caught.value.key == "error.key_missing" and str(key_file) in caught.value.message("en")
    with pytest.raises(pseudo.PseudonymError):
        cz.create_citizen(store, org, reference="D-2", anchor=ANCHOR)
    assert not key_file.exists()  # no new key was made


@pytest.mark.parametrize("weak", ["k" * 16, "k" * 40, "0101010101010101010101010101010101", "short but varied!"])
def test_a_weak_key_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch, weak: str) -> None:
    monkeypatch.setenv(pseudo.KEY_ENV, weak)
    with pytest.raises(pseudo.PseudonymError) as caught:
        keyguard.check(store)
    assert caught.value.key in ("error.key_weak", "error.citizen_key_too_short") and "32" in caught.value.message("en")


def test_an_empty_store_without_a_key_starts_and_makes_one_on_first_use(store: Store, org: str, key_file: Path) -> None:
    keyguard.check(store)  # nothing to guard yet
    assert not key_file.exists()
    cz.create_citizen(store, org, anchor=ANCHOR)
    assert key_file.stat().st_size == 32 and stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_command_line_refuses_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("BUURTKAART_DATABASE_URL", raising=False)
    monkeypatch.setenv("BUURTKAART_SQLITE_PATH", str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv(pseudo.KEY_ENV, KEY)
    assert cli.main(["demo"]) == 0
    monkeypatch.setenv(pseudo.KEY_ENV, OTHER)
    keyguard._CHECKED.clear()
    assert cli.main(["citizen", "list", "--org", "Demo-organisatie (fictief)"]) == 1
    assert "niet de sleutel waarmee deze databank gebruikt werd" in capsys.readouterr().err


def test_the_sqlite_file_and_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "nieuw" / "map" / "buurtkaart.sqlite"
    db = open_store(f"sqlite:///{path}")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        db.close()
