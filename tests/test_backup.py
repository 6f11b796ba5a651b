"""Tests of backup and restore of one organisation: round trips between SQLite and PostGIS, refusals that change nothing."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url

from buurtkaart import accounts, audit, backup, cli, consent, keyguard, organisations, vocabulary_entries
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart import saved_rounds as sr
from buurtkaart import store as store_mod
from buurtkaart import vindplaatsen as vp
from buurtkaart.routes import Stop
from buurtkaart.store import Base, Store, open_store
from buurtkaart.vocabulary import Location
from tests.store_fixtures import (  # noqa: F401  (the fixtures: postgres_admin, pseudonym_key, quartiers)
    BOX,
    PARK,
    TEST_KEY,
    postgres_admin_fixture,
    postgres_url,
    pseudonym_key_fixture,
    quartiers_fixture,
)

KEY = TEST_KEY
PASSWORD = "blauwe fiets op de markt"  # of the accounts `fill` makes
OTHER_KEY = "another-test-key-long-enough-456789"
CASABLANCA = Location("translokaal", "city", "2553604", "Casablanca (MA)", -7.61138, 33.58831)
TIE: dict[str, Any] = {
    "role": "friend", "capital": "bonding", "functions": ["affectief", "verbindend"], "frequency": "weekly",
    "strength": "strong", "state": "active", "influence": "positive", "reciprocity": "both",
}  # fmt: skip
START = Stop(id="site-1", name="Buurthuis De Kroon", lon=4.377, lat=50.864, source="item")
STOPS = (Stop(id="bxl:poi/5", name="Wasserette", lon=4.366, lat=50.860, source="place"),)
ROUND = sr.Settings(start=START, stops=STOPS, returns=True, walkers=1, start_time=time(14, 30))


@pytest.fixture(name="new_store")
def new_store_fixture(tmp_path: Path, postgres_admin: Callable[[], Engine]) -> Iterator[Callable[[str], Store]]:
    """Yield a function that opens a new, empty store of a backend ("sqlite" or "postgresql"); all are removed after."""
    stores: list[Store] = []
    schemas: list[str] = []

    def make(backend: str) -> Store:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.sqlite'}"
        else:
            schema = f"bk_test_{uuid.uuid4().hex[:12]}"
            with postgres_admin().connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            schemas.append(schema)
            url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema},public"})
            url = url.render_as_string(hide_password=False)
        stores.append(open_store(url))
        return stores[-1]

    yield make
    for opened in stores:
        opened.close()
    for schema in schemas:
        with postgres_admin().connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def fill(store: Store, name: str, quartiers: gpd.GeoDataFrame) -> str:
    """Give `store` an organisation with a row in every table that a backup carries; return its id."""
    org = organisations.ensure(store, name)
    item = vp.add(store, org, user="an", layer="vindplaats", name="Theehuis <b>Assalam</b>", kind="tea_house",
                  lon=4.3725, lat=50.861, bounds=BOX, target_groups=["elderly"], languages=["ar", "nl"],
                  notes="=1+1\nregel 2", formal=False)  # fmt: skip
    item = vp.update(store, org, item.id, user="bo", expected_version=1, hours="Mo-Fr 10:00-18:00")
    gone = vp.add(store, org, user="an", layer="partner", name="Club", kind="sport", lon=4.38, lat=50.87, bounds=BOX)
    vp.delete(store, org, gone.id, user="an", expected_version=1)
    vocabulary_entries.add_entry(store, org, "talents", "tuinieren", user="co")
    person = cz.create_citizen(store, org, reference="dossier 17", age_band="70_plus", talents=["tuinieren"],
                               anchor=PARK, quartiers=quartiers, user="an")  # fmt: skip
    a = cz.add_tie(store, org, person.id, **TIE, location=PARK, user="an")
    b = cz.add_tie(store, org, person.id, **{**TIE, "role": "family"}, location=CASABLANCA, group_size=3, user="an")
    cz.set_links(store, org, person.id, [(a.id, b.id)], user="an")
    cz.save_version(store, org, person.id, on=date(2025, 3, 1), label="intake", user="an")
    consent.record_consent(store, org, person.id, given=True, given_on=date(2025, 3, 2), user="an")
    saved = sr.save_round(store, org, user="an", name="Dinsdagronde", settings=ROUND, planned_for=date(2026, 12, 8))
    sr.mark_walked(store, org, saved.id, walked_on=date(2025, 1, 7), walked_by="an", contacts=4)
    audit.record(store, org, "bo", "citizen.view", person.code)
    accounts.create_user(store, None, username=f"co-{org[:6]}", password=PASSWORD, organisation_id=org, role="coordinator",
                         email=f"co-{org[:6]}@ldc.example")  # fmt: skip
    accounts.create_user(store, None, username=f"vi-{org[:6]}", password=PASSWORD, organisation_id=org, role="viewer")
    accounts.disable(store, None, f"vi-{org[:6]}")
    return org


def dump(store: Store, org: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Return the rows of every table (of one organisation, or all), sorted, without the ids a restore gives anew."""
    out: dict[str, list[dict[str, Any]]] = {}
    with store.read() as session:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if org is not None and "organisation_id" in table.c:
                query = query.where(table.c.organisation_id == org)
            elif org is not None and table.name == "organisations":
                query = query.where(table.c.id == org)
            elif org is not None:
                continue
            rows = [dict(r) for r in session.execute(query).mappings()]
            if table.name == "history":
                rows = [{k: v for k, v in r.items() if k != "id"} for r in rows]
            if table.name == "audit_events" and org is not None:  # the two events a backup and a restore add
                rows = [r for r in rows if r["action"] not in ("backup.restore", "export.backup")]
            out[table.name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


@pytest.mark.parametrize(("source", "target"), [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_backup_and_restore_give_back_the_same_rows(
    source: str, target: str, new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    origin = new_store(source)
    org = fill(origin, "LDC De Buurt", quartiers)
    file = tmp_path / "ldc.zip"
    before = dump(origin, org)
    manifest = backup.backup(origin, org, file, user="co")
    assert all(before[table.name] for table in backup.TABLES), "every table has a row to carry"
    assert {t: e["rows"] for t, e in manifest["tables"].items()} == {t: len(r) for t, r in before.items() if t in manifest["tables"]}
    destination = new_store(target)
    other = organisations.ensure(destination, "Buurthuis B")  # another organisation of the store stays as it is
    audit.record(destination, other, "eve", "export.csv")
    kept = dump(destination, other)
    restored = backup.restore(destination, file, user="dy")
    assert restored.organisation_id == org and restored.organisation == "LDC De Buurt"
    assert dump(destination, org) == before  # the same rows, compared value by value
    assert dump(destination, other) == kept
    assert sorted(name for _id, name in organisations.listing(destination)) == ["Buurthuis B", "LDC De Buurt"]
    # the pseudonyms still find the citizen by its file number, and the restore is in the audit log
    found = cz.find_by_reference(destination, org, "dossier 17")
    assert found is not None and found.code == before["citizens"][0]["code"]
    assert audit.events(destination, org, limit=1)["action"][0] == "backup.restore"
    assert [h["action"] for h in vp.history(destination, org).to_dict("records")].count("delete") == 1
    # the team's accounts: the same role, e-mail and state; they sign in with their old password
    users = {u.username: u for u in accounts.list_users(destination, None, organisation_id=org)}
    assert manifest["tables"]["users"]["rows"] == 2 and {u.role for u in users.values()} == {"coordinator", "viewer"}
    coordinator = next(u for u in users.values() if u.role == "coordinator")
    assert accounts.authenticate(destination, coordinator.username, PASSWORD, None).organisation_id == org
    assert [u.disabled for u in users.values() if u.role == "viewer"] == [True]
    with zipfile.ZipFile(file) as archive:  # only argon2 hashes, never the password
        carried = b"".join(archive.read(n) for n in archive.namelist())
    assert PASSWORD.encode() not in carried and carried.count(b'"password_hash":"$argon2id$') == 2


def test_restoring_an_organisation_the_store_holds_is_refused(
    new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    origin = new_store("sqlite")
    org = fill(origin, "LDC De Buurt", quartiers)
    backup.backup(origin, org, tmp_path / "ldc.zip")
    before = dump(origin)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(origin, tmp_path / "ldc.zip")
    assert refused.value.key == "error.backup_org_exists" and "LDC De Buurt" in refused.value.message("nl")
    assert dump(origin) == before
    renamed = new_store("sqlite")
    organisations.ensure(renamed, "LDC De Buurt")  # the same name under another id is refused too
    with pytest.raises(backup.BackupError, match="already holds"):
        backup.restore(renamed, tmp_path / "ldc.zip")


# --- crafted and corrupt files: each is refused and the store is unchanged ---


def rewrite(source: Path, out: Path, *, key: str | None = KEY, manifest: Callable[[dict], None] | None = None,
            members: dict[str, bytes | None] | None = None, resign: bool = True) -> Path:  # fmt: skip
    """Write a changed copy of a backup: members replaced or dropped, the manifest edited, re-signed with `key`."""
    with zipfile.ZipFile(source) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    data = json.loads(contents[backup.MANIFEST])
    for member, value in (members or {}).items():
        if value is None:
            contents.pop(member)
            continue
        contents[member] = value
        table = member.removeprefix("tables/").removesuffix(".jsonl")
        if resign and table in data["tables"]:
            entry = data["tables"][table]
            entry.update(bytes=len(value), sha256=hashlib.sha256(value).hexdigest(), rows=value.count(b"\n"))
    if manifest is not None:
        manifest(data)
    if resign or manifest is not None:
        contents[backup.MANIFEST] = json.dumps(data).encode()
    if resign:
        contents[backup.SIGNATURE] = backup._sign(key.encode(), contents[backup.MANIFEST]).encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, value in contents.items():
            archive.writestr(member, value)
    return out


@pytest.fixture(name="made")
def made_fixture(new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path) -> tuple[Path, Store]:
    """Return a good backup of "LDC De Buurt" and an empty store to restore it into."""
    origin = new_store("sqlite")
    org = fill(origin, "LDC De Buurt", quartiers)
    backup.backup(origin, org, tmp_path / "good.zip")
    return tmp_path / "good.zip", new_store("sqlite")


def refused(store: Store, path: Path, key: str) -> backup.BackupError:
    """Return the error a restore of `path` raises, after checking that it changed nothing in `store`."""
    before = dump(store)
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(store, path)
    assert caught.value.key == key, caught.value.message("en")
    assert dump(store) == before
    for lang in ("nl", "fr", "en"):
        assert caught.value.message(lang) != caught.value.key
    return caught.value


def test_a_file_that_is_no_zip_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    _good, target = made
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 not really a zip")
    refused(target, tmp_path / "x.zip", "error.backup_corrupt")


def test_a_changed_byte_in_a_member_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    good, target = made
    with zipfile.ZipFile(good) as archive:
        data = archive.read("tables/citizens.jsonl")
    changed = data.replace(b'"70_plus"', b'"60_69"')
    assert changed != data
    error = refused(target, rewrite(good, tmp_path / "x.zip", members={"tables/citizens.jsonl": changed}, resign=False),
                    "error.backup_checksum")  # fmt: skip
    assert "citizens" in error.message("nl")


def test_a_changed_byte_of_the_raw_file_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    good, target = made
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 3] ^= 0xFF
    (tmp_path / "x.zip").write_bytes(bytes(raw))
    before = dump(target)
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(target, tmp_path / "x.zip")
    assert caught.value.key in {"error.backup_corrupt", "error.backup_checksum", "error.backup_foreign"}
    assert dump(target) == before


def test_a_missing_member_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    good, target = made
    refused(target, rewrite(good, tmp_path / "x.zip", members={"tables/ties.jsonl": None}, resign=False),
            "error.backup_members")  # fmt: skip


def test_an_extra_member_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    good, target = made
    refused(target, rewrite(good, tmp_path / "x.zip", members={"../../etc/evil": b"x"}), "error.backup_members")


@pytest.mark.parametrize("version", [1, 99])  # 1: before the accounts were in the file
def test_another_format_version_is_refused(made: tuple[Path, Store], tmp_path: Path, version: int) -> None:
    good, target = made
    path = rewrite(good, tmp_path / "x.zip", manifest=lambda m: m.update(format_version=version))
    assert str(version) in refused(target, path, "error.backup_version").message("nl")


def test_foreign_json_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    _good, target = made
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as archive:
        archive.writestr(backup.MANIFEST, json.dumps({"type": "FeatureCollection", "features": []}))
        archive.writestr(backup.SIGNATURE, "00")
    refused(target, tmp_path / "x.zip", "error.backup_foreign")


def test_a_manifest_changed_without_the_key_is_refused(made: tuple[Path, Store], tmp_path: Path) -> None:
    good, target = made

    def rename(m: dict) -> None:
        m["organisation"]["name"] = "Overgenomen"

    refused(target, rewrite(good, tmp_path / "x.zip", manifest=rename, resign=False), "error.backup_signature")
    # recomputed checksums do not help whoever lacks the key: the signature is the store's
    path = rewrite(good, tmp_path / "y.zip", members={"tables/citizens.jsonl": b""}, key=OTHER_KEY)
    refused(target, path, "error.backup_signature")


def test_a_zip_bomb_is_refused_unread(made: tuple[Path, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good, target = made
    monkeypatch.setattr(backup, "MEMBER_MAX_BYTES", 1024 * 1024)
    bomb = rewrite(good, tmp_path / "x.zip", members={"tables/history.jsonl": b"\n" * (20 * 1024 * 1024)})
    assert bomb.stat().st_size < 200 * 1024  # 20 MB of newlines pack into a few kB
    refused(target, bomb, "error.backup_too_large")


def test_a_backup_made_with_another_pseudonym_key_is_refused(
    made: tuple[Path, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, target = made
    monkeypatch.setenv(pseudo.KEY_ENV, OTHER_KEY)
    error = refused(target, good, "error.backup_key_mismatch")
    assert "BUURTKAART_PSEUDONYM_KEY" in error.message("nl")


def test_a_server_without_a_key_is_refused_and_makes_none(
    made: tuple[Path, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, target = made
    monkeypatch.delenv(pseudo.KEY_ENV)
    monkeypatch.setenv(pseudo.KEY_FILE_ENV, str(tmp_path / "keys" / "pseudonym.key"))
    refused(target, good, "error.backup_key_mismatch")
    assert not (tmp_path / "keys" / "pseudonym.key").exists()


def test_a_store_used_with_another_key_is_refused(made: tuple[Path, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    good, target = made
    monkeypatch.setenv(pseudo.KEY_ENV, OTHER_KEY)
    keyguard._CHECKED.clear()
    keyguard.key_for(target)  # the target keeps the other key's fingerprint
    monkeypatch.setenv(pseudo.KEY_ENV, KEY)
    refused(target, good, "error.backup_key_store")


# --- attacks by someone who holds the key (an operator): the rows themselves are checked too ---


def test_a_backup_cannot_overwrite_or_reach_into_another_organisation(
    new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    shared = new_store("sqlite")
    org_b = fill(shared, "Buurthuis B", quartiers)
    origin = new_store("sqlite")
    org_a = fill(origin, "LDC A", quartiers)
    backup.backup(origin, org_a, tmp_path / "a.zip")
    b_citizen = dump(shared, org_b)["citizens"][0]["id"]
    b_before = dump(shared, org_b)

    def claim_b(m: dict) -> None:  # the manifest says it is organisation B (by id), under A's name
        m["organisation"]["id"] = org_b

    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        org_line = archive.read("tables/organisations.jsonl")
        ties = archive.read("tables/ties.jsonl")
    as_b = org_line.replace(org_a.encode(), org_b.encode())
    refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "x.zip", manifest=claim_b,
                            members={"tables/organisations.jsonl": as_b}), "error.backup_foreign_rows")  # fmt: skip
    # a tie of A that hangs on B's citizen
    hooked = ties.replace(json.loads(ties.splitlines()[0])["citizen_id"].encode(), b_citizen.encode(), 1)
    refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "y.zip", members={"tables/ties.jsonl": hooked}),
            "error.backup_foreign_rows")  # fmt: skip
    # a row of B's, carried under B's id inside A's backup
    b_row = json.dumps({**json.loads(ties.splitlines()[0]), "organisation_id": org_b}).encode() + b"\n"
    refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "z.zip", members={"tables/ties.jsonl": ties + b_row}),
            "error.backup_foreign_rows")  # fmt: skip
    # a row of the wrong type or a column too many
    bad = ties.replace(b'"group_size":3', b'"group_size":"3"')
    assert bad != ties
    refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "w.zip", members={"tables/ties.jsonl": bad}), "error.backup_row")
    # a place off the globe or NaN, text the store cannot hold, JSON nested beyond reason: refused, nothing written
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        items = archive.read("tables/map_items.jsonl")
    line = json.loads(items.splitlines()[0])
    for key, change in (("error.backup_rejected", {"lon": 400.0}), ("error.backup_row", {"lat": float("nan")}),
                        ("error.backup_rejected", {"layer": "kelder"}), ("error.backup_row", {"target_groups": "x"}),
                        ("error.backup_row", {"name": "x" * 201})):  # fmt: skip
        crafted = json.dumps({**line, **change}).encode() + b"\n" + b"\n".join(items.splitlines()[1:]) + b"\n"
        refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "v.zip", members={"tables/map_items.jsonl": crafted}), key)
    deep = ties.replace(b'"functions":[', b'"functions":' + b"[" * 100_000 + b"]" * 99_999 + b"[", 1)
    refused(shared, rewrite(tmp_path / "a.zip", tmp_path / "u.zip", members={"tables/ties.jsonl": deep}), "error.backup_row")
    # the honest file goes in next to B and leaves B as it was
    backup.restore(shared, tmp_path / "a.zip")
    assert dump(shared, org_b) == b_before
    assert dump(shared, org_a) == dump(origin, org_a)
    # and a second copy of A is refused: its organisation is there now
    refused(shared, tmp_path / "a.zip", "error.backup_org_exists")


def test_rows_whose_ids_the_store_already_has_are_refused(
    new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    origin = new_store("sqlite")
    org = fill(origin, "LDC A", quartiers)
    backup.backup(origin, org, tmp_path / "a.zip")
    target = new_store("sqlite")
    backup.restore(target, tmp_path / "a.zip")

    def rename(m: dict) -> None:  # the same rows under a new organisation (id and name) collide with A's ids
        m["organisation"].update(id="00000000-0000-4000-8000-000000000000", name="Kopie")

    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        contents = {n: archive.read(n) for n in archive.namelist() if n.startswith("tables/")}
    members = {n: v.replace(org.encode(), b"00000000-0000-4000-8000-000000000000").replace(b'"LDC A"', b'"Kopie"')
               for n, v in contents.items()}  # fmt: skip
    members["tables/users.jsonl"] = b""  # (its usernames would be refused first: the next test)
    refused(target, rewrite(tmp_path / "a.zip", tmp_path / "x.zip", manifest=rename, members=members), "error.backup_ids_taken")


@pytest.mark.parametrize("taken", ["username", "email"])
def test_a_username_or_email_another_organisation_has_is_refused(
    new_store: Callable[[str], Store], quartiers: gpd.GeoDataFrame, tmp_path: Path, taken: str
) -> None:
    origin = new_store("sqlite")
    org = fill(origin, "LDC A", quartiers)
    backup.backup(origin, org, tmp_path / "a.zip")
    target = new_store("sqlite")
    other = organisations.ensure(target, "Buurthuis B")
    coordinator = next(u for u in accounts.list_users(origin, None, organisation_id=org) if u.role == "coordinator")
    same = {"username": coordinator.username} if taken == "username" else {"username": "bea", "email": coordinator.email}
    accounts.create_user(target, None, password=PASSWORD, organisation_id=other, role="worker", **same)
    before = dump(target)
    error = refused(target, tmp_path / "a.zip", f"error.backup_{taken}_taken")
    assert coordinator.username in error.message("nl")
    assert dump(target) == before and [u.username for u in accounts.list_users(target, None)] == [same["username"]]


# --- the command line ---


def test_the_command_line_backs_up_restores_and_prints_the_audit_log(
    quartiers: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "one.sqlite"))
    origin = open_store()
    fill(origin, "LDC De Buurt", quartiers)
    origin.close()
    assert cli.main(["backup", "--org", "LDC De Buurt", "--out", str(tmp_path / "b.zip"), "--user", "co"]) == 0
    assert "b.zip" in capsys.readouterr().out
    assert cli.main(["backup", "--org", "Onbekend", "--out", str(tmp_path / "c.zip")]) == 1
    assert not (tmp_path / "c.zip").exists()
    assert cli.main(["audit", "--org", "LDC De Buurt", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "at,user,action,target" and ",co,export.backup," in lines[1]
    assert cli.main(["restore", str(tmp_path / "b.zip")]) == 1  # the organisation is there
    assert "bevat de organisatie LDC De Buurt al" in capsys.readouterr().err
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "two.sqlite"))
    assert cli.main(["--lang", "en", "restore", str(tmp_path / "b.zip"), "--user", "dy"]) == 0
    assert "LDC De Buurt restored" in capsys.readouterr().out
    assert cli.main(["audit", "--org", "LDC De Buurt", "--since", "2000-01-01"]) == 0
    table = capsys.readouterr().out
    assert "backup.restore" in table and "citizen.view" in table and "export.backup" not in table
    assert cli.main(["audit", "--org", "LDC De Buurt", "--since", "gisteren"]) == 1
    assert "gisteren" in capsys.readouterr().err
