"""Tests of pseudonyms: the HMAC, the short codes, the key from configuration, and that no reference is ever stored."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from buurtkaart import citizens, paths
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import Store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

KEY = b"k3y-of-the-tests-0123456789abcdef"
OTHER_KEY = b"another-key-QRSTUVWXYZ-9876543210"
ORG = "7d0e3c1a-0000-4000-8000-000000000001"
OTHER_ORG = "7d0e3c1a-0000-4000-8000-000000000002"
CODE = re.compile(r"BK-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
REFERENCE = "DOS-2024/0173-Zq"


@pytest.fixture(autouse=True)
def no_real_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the tests away from the real key: no key in the environment, the key file in a temporary home."""
    monkeypatch.delenv(pseudo.KEY_ENV, raising=False)
    monkeypatch.delenv(pseudo.KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BUURTKAART_CACHE_DIR", str(tmp_path / "cache"))


def crockford_value(code: str) -> int:
    """Return the number a short code stands for (an independent decoder of Crockford's base 32)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = 0
    for char in code.removeprefix("BK-").replace("-", ""):
        value = value * 32 + alphabet.index(char)
    return value


# --- the pseudonym and its code ---


def test_the_pseudonym_is_the_hmac_of_organisation_and_reference() -> None:
    expected = hmac.new(KEY, f"{ORG}\x00{REFERENCE.casefold()}".encode(), hashlib.sha256).hexdigest()
    assert pseudo.pseudonym(REFERENCE, ORG, KEY) == expected
    assert pseudo.pseudonym(REFERENCE, ORG, KEY) == pseudo.pseudonym(REFERENCE, ORG, KEY)


def test_the_same_reference_typed_differently_gives_the_same_pseudonym() -> None:
    same = {
        pseudo.pseudonym(r, ORG, KEY)
        for r in (REFERENCE, f"  {REFERENCE.lower()} ", REFERENCE.upper(), "DOS-2024/0173-ｚｑ")
    }
    assert len(same) == 1
    assert pseudo.pseudonym("DOS-2024/0174-ZQ", ORG, KEY) not in same


def test_pseudonyms_differ_across_keys_and_organisations() -> None:
    base = pseudo.pseudonym(REFERENCE, ORG, KEY)
    assert pseudo.pseudonym(REFERENCE, ORG, OTHER_KEY) != base
    assert pseudo.pseudonym(REFERENCE, OTHER_ORG, KEY) != base


@pytest.mark.parametrize("reference", ["", "   ", "x" * (pseudo.REFERENCE_MAX + 1), None, 173])
def test_an_empty_or_too_long_reference_is_refused(reference: object) -> None:
    with pytest.raises(pseudo.PseudonymError) as caught:
        pseudo.pseudonym(reference, ORG, KEY)  # type: ignore[arg-type]
    assert caught.value.key == "error.citizen_reference_invalid"


def test_the_short_code_is_40_bits_of_the_pseudonym_in_unambiguous_letters() -> None:
    value = pseudo.pseudonym(REFERENCE, ORG, KEY)
    code = pseudo.short_code(value)
    assert CODE.fullmatch(code), code
    assert not set(code) & set("ILOU")
    assert crockford_value(code) == int(value[:10], 16)
    second = pseudo.short_code(value, 1)
    assert CODE.fullmatch(second) and second != code and crockford_value(second) == int(value[10:20], 16)
    assert pseudo.code_attempts(value) == 6
    with pytest.raises(ValueError):
        pseudo.short_code(value, pseudo.code_attempts(value))


def test_codes_of_many_references_are_distinct() -> None:
    codes = {pseudo.short_code(pseudo.pseudonym(f"dossier {i}", ORG, KEY)) for i in range(2000)}
    assert len(codes) == 2000


def test_a_code_is_found_however_it_is_typed() -> None:
    code = pseudo.short_code(pseudo.pseudonym(REFERENCE, ORG, KEY))
    plain = code.removeprefix("BK-").replace("-", "")
    typed = [code, code.lower(), f" bk {plain[:4]} {plain[4:]} ", plain, f"{plain[:4]}-{plain[4:]}"]
    assert {pseudo.normalise_code(t) for t in typed} == {code}
    assert pseudo.normalise_code("BK-0O1I-L000") == "BK-0011-1000"  # O read as 0, I and L as 1


@pytest.mark.parametrize("typed", ["", "BK-1234", "BK-1234-567U", "hello world", "BK-1234-5678-9", None])
def test_what_is_no_code_is_refused(typed: object) -> None:
    assert pseudo.normalise_code(typed) is None  # type: ignore[arg-type]


# --- the key ---


def test_the_key_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(pseudo.KEY_ENV, "a-key-of-the-administrator-0123456789")
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(tmp_path / "unused.key"))
    assert pseudo.load_key() == b"a-key-of-the-administrator-0123456789"
    assert not (tmp_path / "unused.key").exists()


def test_a_short_key_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pseudo.KEY_ENV, "short")
    with pytest.raises(pseudo.PseudonymError) as caught:
        pseudo.load_key()
    assert caught.value.key == "error.citizen_key_too_short" and pseudo.KEY_ENV in caught.value.message("nl")


def test_the_key_file_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = pseudo.load_key()
    path = tmp_path / "home" / ".config" / "buurtkaart" / "pseudonym.key"
    assert pseudo.default_key_file() == path and path.read_bytes() == first and len(first) == pseudo.KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert pseudo.load_key() == first
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no temporary file left behind


def test_the_key_is_not_kept_next_to_the_database() -> None:
    key_file = pseudo.default_key_file().resolve()
    assert not key_file.is_relative_to(paths.cache_dir().resolve())


def test_the_key_file_can_be_configured_and_an_existing_key_is_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "secrets" / "bk.key"
    path.parent.mkdir()
    path.write_bytes(OTHER_KEY)
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(path))
    assert pseudo.load_key() == OTHER_KEY
    pseudo._create_key_file(path)  # a second app instance that started at the same time
    assert pseudo.load_key() == OTHER_KEY


def test_an_unreadable_or_too_short_key_file_gives_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder.key"
    folder.mkdir()
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(folder))
    with pytest.raises(pseudo.PseudonymError) as caught:
        pseudo.load_key()
    assert caught.value.key == "error.citizen_key_unreadable" and str(folder) in caught.value.message("fr")
    short = tmp_path / "short.key"
    short.write_bytes(b"123")
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(short))
    with pytest.raises(pseudo.PseudonymError) as caught:
        pseudo.load_key()
    assert caught.value.key == "error.citizen_key_too_short"


# --- in the store ---


def _schema(store: Store) -> str | None:
    """Return the schema the store's tables live in (None for SQLite)."""
    if not store.is_postgres:
        return None
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar()


def everything_stored(store: Store) -> str:
    """Return every value of every row of every table of the store, as one text."""
    parts: list[str] = []
    with store.engine.connect() as connection:
        for table in inspect(store.engine).get_table_names(schema=_schema(store)):
            parts.extend(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"')))
    return "\n".join(parts)


def sqlite_bytes(store: Store) -> bytes:
    """Return the bytes of the SQLite file and its write-ahead log."""
    path = Path(store.engine.url.database or "")
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_the_reference_is_never_stored_and_finds_the_citizen_again(store: Store, org: str) -> None:
    created = citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    stored = everything_stored(store)
    for variant in (REFERENCE, REFERENCE.casefold(), "dos-2024/0173", "DOS-2024/0173"):
        assert variant not in stored
    assert pseudo.pseudonym(REFERENCE, org, pseudo.load_key()) in stored  # only its HMAC
    if not store.is_postgres:
        data = sqlite_bytes(store)
        assert created.code.encode() in data
        assert REFERENCE.encode() not in data and REFERENCE.casefold().encode() not in data
    assert citizens.find_by_reference(store, org, f" {REFERENCE.lower()} ") == created
    assert citizens.find_by_reference(store, org, "DOS-2024/0174-Zq") is None


def test_a_reference_typed_again_is_refused_without_repeating_it(store: Store, org: str) -> None:
    created = citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    with pytest.raises(citizens.CitizenError) as caught:
        citizens.create_citizen(store, org, reference=REFERENCE.upper(), anchor=ANCHOR)
    assert caught.value.key == "error.citizen_reference_exists" and caught.value.field == "reference"
    for lang in ("nl", "fr", "en"):
        message = caught.value.message(lang)
        assert created.code in message and REFERENCE not in message and REFERENCE.upper() not in message
    assert len(citizens.list_citizens(store, org)) == 1


def test_another_key_is_refused_not_used(store: Store, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pseudo.KEY_ENV, KEY.decode())
    created = citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    monkeypatch.setenv(pseudo.KEY_ENV, OTHER_KEY.decode())
    with pytest.raises(pseudo.PseudonymError) as caught:  # it would find nobody, and make duplicates
        citizens.find_by_reference(store, org, REFERENCE)
    assert caught.value.key == "error.key_mismatch"
    with pytest.raises(pseudo.PseudonymError):
        citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    assert citizens.find_by_code(store, org, created.code) == created  # the code does not need the key
    assert len(citizens.list_citizens(store, org)) == 1


def test_citizens_without_a_reference_get_random_distinct_codes(store: Store, org: str) -> None:
    made = [citizens.create_citizen(store, org, anchor=ANCHOR, reference=ref) for ref in (None, "", "  ", None)]
    codes = [c.code for c in made]
    assert all(CODE.fullmatch(c) for c in codes) and len(set(codes)) == len(codes)
    with store.engine.connect() as connection:
        pseudonyms = connection.execute(text("SELECT pseudonym FROM citizens")).scalars().all()
    assert len(set(pseudonyms)) == 4 and all(re.fullmatch(r"[0-9a-f]{64}", p) for p in pseudonyms)


def test_a_taken_code_moves_to_the_next_one(store: Store, org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = citizens.create_citizen(store, org, anchor=ANCHOR)
    real = pseudo.short_code
    # Pretend the next citizen's first code is the one the first citizen already has.
    monkeypatch.setattr(pseudo, "short_code", lambda p, attempt=0: first.code if attempt == 0 else real(p, attempt))
    second = citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    key = pseudo.load_key()
    assert second.code == real(pseudo.pseudonym(REFERENCE, org, key), 1) != first.code
    assert citizens.find_by_code(store, org, second.code) == second


def test_the_key_file_is_used_when_the_environment_has_none(store: Store, org: str, tmp_path: Path) -> None:
    created = citizens.create_citizen(store, org, reference=REFERENCE, anchor=ANCHOR)
    key = (tmp_path / "home" / ".config" / "buurtkaart" / "pseudonym.key").read_bytes()
    assert created.code == pseudo.short_code(pseudo.pseudonym(REFERENCE, org, key))
    assert not any(Path(os.environ["BUURTKAART_CACHE_DIR"]).glob("*.key"))
