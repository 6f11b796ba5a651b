"""Backup and restore of one organisation: one zip file, checked completely before anything is written.

The file holds ``manifest.json``, ``manifest.sig`` and one JSON Lines member per table (``tables/<table>.jsonl``,
one row per line, the columns as stored). Geometry is kept as the store keeps it: longitude and latitude in
degrees (WGS 84, EPSG:4326) in the ``lon``/``lat`` columns of places, ties and anchors, so nothing is reprojected
or rounded; times are ISO 8601 in UTC, days ISO dates, lists and snapshots JSON. The manifest says the format and
its version, the app version, the schema revision, the organisation (id and name), when the file was made, the
fingerprint of the pseudonym key, and per table its member, columns, row count, byte size and SHA-256.

The organisation's accounts (``users``) are carried with their username, e-mail, role, whether disabled, and the
argon2 hash of the password (never a password in clear: the store has none), so the team signs in after a restore
as before. A username and an e-mail are unique in a store: a restore into a store where one of them is taken (by
another organisation's account) is refused.

The pseudonym key: a citizen's pseudonym is an HMAC of the organisation's reference under the store's key, so it
only finds the citizen again under the same key. A backup is therefore restored only into a store used with the
same key (the fingerprints must match; copy the key file along with the backup to move to a new server). The
manifest is signed with a key derived from it (``manifest.sig``, HMAC-SHA256): a file changed or made by someone
without the key is refused, even where its checksums were recomputed. Store-wide settings are not in the file:
the one there is, the key's fingerprint, is a fact about the store, not the organisation.

`restore` reads and checks everything first — a readable zip, no member above MEMBER_MAX_BYTES unpacked, exactly
the expected members, the format version, the signature, each member's size, checksum and row count, the
columns and types of every row, every row of the organisation named in the manifest, every reference between the
tables inside the file — and only then writes all rows in one transaction, after checking that the store holds
neither this organisation (by id or name), nor a username or e-mail of its accounts, nor any of its row ids. Any
refusal names the problem in the reader's language and leaves the store unchanged. History lines get new ids (their order is kept); all other ids are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Table, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from buurtkaart import __version__, audit, keyguard, settings
from buurtkaart import pseudonym as pseudo
from buurtkaart.errors import BuurtkaartError
from buurtkaart.store import (
    AuditEvent,
    CitizenRecord,
    HistoryEntry,
    MapItem,
    NetworkVersionRecord,
    Organisation,
    RoundRecord,
    RoundWalk,
    ShareConsent,
    Store,
    StoreSetting,
    TieLink,
    TieRecord,
    UserRecord,
    UTCDateTime,
    VocabularyEntry,
    alembic_config,
    now,
)

FORMAT = "buurtkaart-backup"
FORMAT_VERSION = 2  # 2: the organisation's accounts (users) are in the file
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_MAX_BYTES = 1024 * 1024
MEMBER_MAX_BYTES = 512 * 1024 * 1024  # one table unpacked; a larger member (or a zip bomb) is refused unread
TOTAL_MAX_BYTES = 2 * 1024 * 1024 * 1024  # all members unpacked together
GEOMETRY = "lon/lat columns in degrees, WGS 84 (EPSG:4326), as stored"
# Every table that holds an organisation's rows, parents before children (the order rows are written in).
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Organisation, UserRecord, MapItem, HistoryEntry, CitizenRecord, TieRecord, TieLink, NetworkVersionRecord,
                  ShareConsent, RoundRecord, RoundWalk, VocabularyEntry, AuditEvent)
)  # fmt: skip
NEW_IDS: frozenset[str] = frozenset({"history"})  # tables whose integer ids the target store gives anew
# (table, column) -> the table whose `id` the column refers to, inside the same backup.
REFERENCES: dict[tuple[str, str], str] = {
    ("history", "item_id"): "map_items",
    ("ties", "citizen_id"): "citizens",
    ("tie_links", "tie_a"): "ties",
    ("tie_links", "tie_b"): "ties",
    ("tie_links", "citizen_id"): "citizens",
    ("network_versions", "citizen_id"): "citizens",
    ("share_consents", "citizen_id"): "citizens",
    ("round_walks", "round_id"): "rounds",
}
_SIGNING_LABEL = b"buurtkaart backup manifest v1"


class BackupError(BuurtkaartError):
    """A backup that cannot be written or restored: the message says why; nothing was changed."""


@dataclass(frozen=True)
class Restored:
    """What a restore wrote: the organisation (id, name) and the rows per table."""

    organisation_id: str
    organisation: str
    rows: dict[str, int]


def backup(store: Store, organisation_id: str, out: str | os.PathLike[str], *, user: str = audit.DEFAULT_USER) -> dict[str, Any]:
    """Write every row of one organisation to one zip file and return its manifest.

    Parameters
    ----------
    store, organisation_id
        The database and the organisation to back up (read in one consistent snapshot).
    out
        The file to write (replaced atomically: a half-written file never takes its place).
    user
        Who makes the backup (recorded in the audit log as ``export.backup``).

    Returns
    -------
    dict
        The manifest written into the file.
    """
    key = keyguard.key_for(store)
    members: dict[str, bytes] = {}
    tables: dict[str, dict[str, Any]] = {}
    with store.read() as session:
        if store.is_postgres:  # every table from the same snapshot
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for table in TABLES:
            columns = _columns(table)
            times = [c.name for c in table.columns if isinstance(c.type, UTCDateTime | Date)]
            data = b"".join(_line(row, columns, times) for row in _rows(session, table, organisation_id))
            member = f"tables/{table.name}.jsonl"
            members[member] = data
            tables[table.name] = {
                "member": member, "columns": list(columns), "rows": data.count(b"\n"), "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }  # fmt: skip
    if tables["organisations"]["rows"] != 1:
        raise BackupError("error.organisation_unknown", organisation=str(organisation_id))
    [org_row] = [json.loads(line) for line in members["tables/organisations.jsonl"].splitlines()]
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__, "schema": _schema_head(),
        "organisation": {"id": org_row["id"], "name": org_row["name"]}, "created_at": now().isoformat(),
        "key_fingerprint": keyguard.fingerprint(key), "geometry": GEOMETRY, "tables": tables,
    }  # fmt: skip
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    _write_zip(Path(out), {MANIFEST: manifest_bytes, SIGNATURE: _sign(key, manifest_bytes).encode(), **members})
    audit.record(store, organisation_id, user, "export.backup")
    return manifest


def restore(store: Store, source: str | os.PathLike[str], *, user: str = audit.DEFAULT_USER) -> Restored:
    """Restore one organisation from a backup file into a store that does not hold it yet.

    Parameters
    ----------
    store
        The database to restore into (SQLite or PostgreSQL, either way round).
    source
        The backup file (``backup``).
    user
        Who restores (recorded in the restored organisation's audit log as ``backup.restore``).

    Returns
    -------
    Restored
        The organisation and how many rows of each table were written.

    Raises
    ------
    BackupError
        A corrupt, changed, foreign or too large file, another pseudonym key, or an organisation (or row) that
        the store already holds; nothing is written then.
    """
    path = Path(source)
    if not settings.pseudonym_key() and not pseudo.default_key_file().exists():  # never make a new key to restore with
        raise BackupError("error.backup_key_mismatch", name=path.name)
    manifest, rows = read_backup(path, key=pseudo.load_key())
    org = manifest["organisation"]
    with store.write(lock="organisations") as session:
        _refuse_key_of_store(session, manifest["key_fingerprint"])
        _refuse_present(session, org, rows)
        try:
            for table in TABLES:
                values = rows[table.name]
                if table.name in NEW_IDS:
                    values = [{k: v for k, v in row.items() if k != "id"} for row in values]
                if values:
                    session.execute(table.insert(), values)
            if session.get(StoreSetting, keyguard.FINGERPRINT) is None:
                session.add(StoreSetting(name=keyguard.FINGERPRINT, value=manifest["key_fingerprint"], updated_at=now()))
            audit.record_in(session, org["id"], user, "backup.restore")
            session.flush()
        except (IntegrityError, DataError) as exc:  # a constraint of the store, or text it cannot hold
            raise BackupError("error.backup_rejected", name=path.name, detail=_first_line(exc)) from exc
    return Restored(org["id"], org["name"], {name: len(values) for name, values in rows.items()})


def read_backup(path: Path, *, key: bytes) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Return the manifest and the decoded rows per table of a backup file, all checked; raise BackupError otherwise."""
    name = path.name
    try:
        size = path.stat().st_size
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise BackupError("error.backup_missing", name=name) from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BackupError("error.backup_corrupt", name=name, detail="no zip file") from exc
    if size > TOTAL_MAX_BYTES:
        raise BackupError("error.backup_too_large", name=name, member=name, limit=TOTAL_MAX_BYTES // 2**20)
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise BackupError("error.backup_corrupt", name=name, detail="a member appears twice")
        if sum(info.file_size for info in infos) > TOTAL_MAX_BYTES:
            raise BackupError("error.backup_too_large", name=name, member="*", limit=TOTAL_MAX_BYTES // 2**20)
        if MANIFEST not in names or SIGNATURE not in names:
            raise BackupError("error.backup_foreign", name=name)
        manifest_bytes = _member(archive, MANIFEST, MANIFEST_MAX_BYTES, name)
        signature = _member(archive, SIGNATURE, 1024, name)
        manifest = _manifest(manifest_bytes, name)
        if manifest["key_fingerprint"] != keyguard.fingerprint(key):
            raise BackupError("error.backup_key_mismatch", name=name)
        if not hmac.compare_digest(signature, _sign(key, manifest_bytes).encode()):
            raise BackupError("error.backup_signature", name=name)
        expected = {MANIFEST, SIGNATURE, *(entry["member"] for entry in manifest["tables"].values())}
        if set(names) != expected:
            extra = sorted(set(names) ^ expected)
            raise BackupError("error.backup_members", name=name, members=", ".join(extra[:5]))
        rows: dict[str, list[dict[str, Any]]] = {}
        for table in TABLES:
            entry = manifest["tables"][table.name]
            data = _member(archive, entry["member"], MEMBER_MAX_BYTES, name)
            if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BackupError("error.backup_checksum", name=name, member=entry["member"])
            rows[table.name] = _decode(data, table, entry, name)
    _check_rows(manifest["organisation"], rows, name)
    return manifest, rows


# --- writing ---


def _columns(table: Table) -> tuple[str, ...]:
    """Return the columns of a table that a backup carries (all of them)."""
    return tuple(column.name for column in table.columns)


def _rows(session: Session, table: Table, organisation_id: str) -> Iterator[Mapping[str, Any]]:
    """Yield the organisation's rows of `table` in a stable order (history in the order it was written)."""
    owner = table.c.id if table.name == "organisations" else table.c.organisation_id
    order = [table.c[c.name] for c in table.primary_key.columns]
    yield from session.execute(select(table).where(owner == str(organisation_id)).order_by(*order)).mappings()


def _line(row: Mapping[str, Any], columns: Sequence[str], times: Sequence[str]) -> bytes:
    """Return one row as a line of JSON (the `times` columns, times and days, as ISO text)."""
    values = {c: row[c] for c in columns}
    for column in times:
        values[column] = _plain(values[column])
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _plain(value: object) -> object:
    """Return a stored time or day as ISO text (a time in UTC); None stays None."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _write_zip(path: Path, members: Mapping[str, bytes]) -> None:
    """Write the members to a zip at `path` through a temporary file in the same folder (atomic)."""
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".buurtkaart-backup-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _sign(key: bytes, manifest: bytes) -> str:
    """Return the signature of a manifest: HMAC-SHA256 under a key derived from the pseudonym key, in hex."""
    signing_key = hmac.new(key, _SIGNING_LABEL, hashlib.sha256).digest()
    return hmac.new(signing_key, manifest, hashlib.sha256).hexdigest()


def _schema_head() -> str:
    """Return the schema revision this version of the app migrates to."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


# --- reading and checking ---


def _member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """Return a member's bytes, reading at most `limit` + 1 of them whatever its header claims (zip bombs)."""
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise BackupError("error.backup_too_large", name=name, member=member, limit=limit // 2**20)
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise BackupError("error.backup_corrupt", name=name, detail=member) from exc
    if len(data) > limit:
        raise BackupError("error.backup_too_large", name=name, member=member, limit=limit // 2**20)
    return data


def _manifest(data: bytes, name: str) -> dict[str, Any]:
    """Return the parsed manifest; raise BackupError when it is no Buurtkaart manifest or of another version."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BackupError("error.backup_foreign", name=name) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("error.backup_foreign", name=name)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("error.backup_version", name=name, version=str(manifest.get("format_version"))[:20],
                          supported=FORMAT_VERSION)  # fmt: skip
    org = manifest.get("organisation")
    tables = manifest.get("tables")
    fine = (
        isinstance(org, dict) and isinstance(org.get("id"), str) and isinstance(org.get("name"), str)
        and isinstance(manifest.get("key_fingerprint"), str) and isinstance(tables, dict)
        and set(tables) == {table.name for table in TABLES}
        and all(_entry_fits(tables[table.name], table) for table in TABLES)
    )  # fmt: skip
    if not fine:
        raise BackupError("error.backup_schema", name=name)
    return manifest


def _entry_fits(entry: object, table: Table) -> bool:
    """Return True when a manifest's table entry has the fields of this version and the table's columns."""
    return (
        isinstance(entry, dict) and entry.get("member") == f"tables/{table.name}.jsonl"
        and entry.get("columns") == list(_columns(table))
        and all(isinstance(entry.get(k), int) and not isinstance(entry.get(k), bool) for k in ("rows", "bytes"))
        and isinstance(entry.get("sha256"), str)
    )  # fmt: skip


def _decode(data: bytes, table: Table, entry: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """Return a member's rows with their stored types; raise BackupError on a row that does not fit the table."""
    lines = data.splitlines()
    if len(lines) != entry["rows"] or (data and not data.endswith(b"\n")):
        raise BackupError("error.backup_checksum", name=name, member=entry["member"])
    columns = set(_columns(table))
    convert = {column.name: _converter(column) for column in table.columns}
    rows = []
    for number, line in enumerate(lines, start=1):
        try:
            raw = json.loads(line.decode("utf-8"))
            if not isinstance(raw, dict) or raw.keys() != columns:
                raise ValueError("columns")
            rows.append({c: convert[c](v) for c, v in raw.items()})
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
            raise BackupError("error.backup_row", name=name, table=table.name, row=number) from exc
    return rows


def _converter(column: Any) -> Callable[[object], object]:
    """Return the function that turns a value read from JSON into what `column` stores; it raises ValueError on a misfit."""
    kind = column.type
    nullable = bool(column.nullable) and not column.primary_key
    if isinstance(kind, UTCDateTime):
        convert: Callable[[object], object] = _moment
    elif isinstance(kind, Date):
        convert = lambda value: date.fromisoformat(_text(value))  # noqa: E731
    elif isinstance(kind, Boolean):
        convert = _of_type(bool)
    elif isinstance(kind, Integer):
        convert = _of_type(int)
    elif isinstance(kind, Float):
        convert = _number
    elif isinstance(kind, JSON):
        convert = _of_type(list, dict)
    elif isinstance(kind, String):  # also Text
        convert = _string(kind.length)
    else:
        msg = f"a backup cannot carry column {column.name!r} of type {kind!r}"
        raise TypeError(msg)

    def checked(value: object) -> object:
        if value is None:
            if not nullable:
                raise ValueError(column.name)
            return None
        return convert(value)

    return checked


def _moment(value: object) -> datetime:
    """Return an ISO time as an aware datetime (UTC when it names no zone)."""
    moment = datetime.fromisoformat(_text(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _of_type(*kinds: type) -> Callable[[object], object]:
    """Return a check that a value is exactly of one of `kinds` (a bool is no int here)."""

    def check(value: object) -> object:
        if type(value) not in kinds:
            raise ValueError(value)
        return value

    return check


def _number(value: object) -> float:
    """Return a JSON number as a float; raise ValueError for anything else (a bool included)."""
    if type(value) not in (int, float) or not math.isfinite(value):  # type: ignore[arg-type]
        raise ValueError(value)
    return float(value)  # type: ignore[arg-type]


def _string(length: int | None) -> Callable[[object], object]:
    """Return a check that a value is text of at most `length` characters."""

    def check(value: object) -> object:
        if type(value) is not str or (length is not None and len(value) > length):
            raise ValueError(value)
        return value

    return check


def _text(value: object) -> str:
    """Return `value` if it is text; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _check_rows(org: Mapping[str, str], rows: Mapping[str, list[dict[str, Any]]], name: str) -> None:
    """Raise BackupError unless every row is the organisation's and every reference stays inside the backup."""
    [*own] = rows["organisations"]
    if len(own) != 1 or own[0]["id"] != org["id"] or own[0]["name"] != org["name"]:
        raise BackupError("error.backup_schema", name=name)
    for table, values in rows.items():
        if table != "organisations" and any(row["organisation_id"] != org["id"] for row in values):
            raise BackupError("error.backup_foreign_rows", name=name, table=table)
    ids = {table: {row["id"] for row in values} for table, values in rows.items() if values and "id" in values[0]}
    for (table, column), target in REFERENCES.items():
        known = ids.get(target, set())
        if any(row[column] not in known for row in rows[table]):
            raise BackupError("error.backup_foreign_rows", name=name, table=table)


def _refuse_key_of_store(session: Session, mark: str) -> None:
    """Raise BackupError when the store keeps the fingerprint of another pseudonym key than the backup's."""
    stored = session.get(StoreSetting, keyguard.FINGERPRINT)
    if stored is not None and not hmac.compare_digest(stored.value, mark):
        raise BackupError("error.backup_key_store")


def _refuse_present(session: Session, org: Mapping[str, str], rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Raise BackupError when the store holds this organisation (by id or name), a username or e-mail of its accounts, or any row id."""
    organisations = TABLES[0]
    found = session.execute(
        select(organisations.c.name).where((organisations.c.id == org["id"]) | (organisations.c.name == org["name"]))
    ).first()
    if found is not None:
        raise BackupError("error.backup_org_exists", organisation=found.name)
    users: Table = UserRecord.__table__  # type: ignore[assignment]
    for row in rows[users.name]:  # a username or e-mail is unique in the whole store: one account, one organisation
        taken = session.execute(
            select(users.c.username, users.c.email).where(
                (users.c.username == row["username"]) | ((users.c.email == row["email"]) & users.c.email.is_not(None))
            )
        ).first()
        if taken is not None:
            key = "error.backup_username_taken" if taken.username == row["username"] else "error.backup_email_taken"
            raise BackupError(key, username=row["username"], email=str(row["email"]))
    for table in TABLES[1:]:
        if table.name in NEW_IDS or "id" not in table.c:
            continue
        wanted = [row["id"] for row in rows[table.name]]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            if session.execute(select(table.c.id).where(table.c.id.in_(chunk)).limit(1)).first() is not None:
                raise BackupError("error.backup_ids_taken", table=table.name)


def _first_line(exc: BaseException) -> str:
    """Return the first line of a database error (no SQL, no parameters)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]
