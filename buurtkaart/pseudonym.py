"""Pseudonyms of citizens: an HMAC of the organisation's own reference, with a key kept apart from the data.

The key comes from configuration, never from the database: the environment variable BUURTKAART_PSEUDONYM_KEY,
else a key file (BUURTKAART_KEY_FILE, default ~/.config/buurtkaart/pseudonym.key, made with 32 random bytes and
mode 0600 on first use; not in the cache folder where the SQLite file lives). Whoever has the database but not the
key cannot tell which file number belongs to which citizen; whoever loses the key can no longer find a citizen by
file number (the short codes keep working).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from pathlib import Path

from buurtkaart import settings, validate
from buurtkaart.errors import BuurtkaartError

KEY_ENV = settings.PSEUDONYM_KEY_ENV
KEY_FILE_ENV = settings.KEY_FILE_ENV
KEY_BYTES = 32  # a new key file's size
KEY_MIN_BYTES = 32  # shorter keys are refused (32 random bytes, as a new key file has)
REFERENCE_MAX = 100
CODE_PREFIX = "BK"
CODE_CHARS = 8
# Crockford's base 32: digits and capitals without I, L, O and U, so that a code read aloud or copied is unambiguous.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_HEX_PER_CODE = CODE_CHARS * 5 // 4  # 40 bits


class PseudonymError(BuurtkaartError):
    """The pseudonym key cannot be read or made, or a reference cannot be used."""


def default_key_file() -> Path:
    """Return where the key file is kept: BUURTKAART_KEY_FILE, else ~/.config/buurtkaart/pseudonym.key."""
    return settings.key_file()


def load_key() -> bytes:
    """Return the HMAC key: BUURTKAART_PSEUDONYM_KEY (as UTF-8), else the key file (made on first use)."""
    configured = settings.pseudonym_key()
    if configured:
        key = configured.encode("utf-8")
        if len(key) < KEY_MIN_BYTES:
            raise PseudonymError("error.citizen_key_too_short", source=KEY_ENV, minimum=KEY_MIN_BYTES)
        return key
    return _key_from_file(default_key_file())


def normalise_reference(reference: str) -> str:
    """Return a reference as it is hashed: same letters, any case, spacing or width give the same result."""
    if not isinstance(reference, str):
        raise PseudonymError("error.citizen_reference_invalid", limit=REFERENCE_MAX)
    text = " ".join(validate.CONTROL.sub(" ", unicodedata.normalize("NFKC", reference)).split()).casefold()
    if not text or len(text) > REFERENCE_MAX:
        raise PseudonymError("error.citizen_reference_invalid", limit=REFERENCE_MAX)
    return text


def pseudonym(reference: str, organisation_id: str, key: bytes) -> str:
    """Return the pseudonym of an organisation's reference (e.g. a file number): HMAC-SHA256 in hex."""
    message = f"{organisation_id}\x00{normalise_reference(reference)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def random_pseudonym(organisation_id: str, key: bytes) -> str:
    """Return the pseudonym of a random reference, for a citizen created without one."""
    return pseudonym(secrets.token_hex(16), organisation_id, key)


def short_code(pseudonym: str, attempt: int = 0) -> str:
    """Return the short code shown in the UI, e.g. "BK-7F3A-92CW": 40 bits of the pseudonym in Crockford base 32.

    `attempt` takes the next 40 bits instead, for the rare code that another citizen of the organisation already has.
    """
    start = attempt * _HEX_PER_CODE
    chunk = pseudonym[start : start + _HEX_PER_CODE]
    if len(chunk) != _HEX_PER_CODE:
        msg = f"a pseudonym of {len(pseudonym)} hex digits has no short code number {attempt}"
        raise ValueError(msg)
    number = int(chunk, 16)
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(5 * (CODE_CHARS - 1), -1, -5))
    return f"{CODE_PREFIX}-{chars[:4]}-{chars[4:]}"


def code_attempts(pseudonym: str) -> int:
    """Return how many distinct short codes a pseudonym offers."""
    return len(pseudonym) // _HEX_PER_CODE


def normalise_code(text: str) -> str | None:
    """Return a code as typed ("bk 7f3a 92cw", "7F3A-92CW", O for 0) in its stored form, or None if it is no code."""
    if not isinstance(text, str):
        return None
    plain = re.sub(r"[\s\-_.]", "", text.upper())
    if plain.startswith(CODE_PREFIX) and len(plain) == CODE_CHARS + len(CODE_PREFIX):
        plain = plain[len(CODE_PREFIX) :]
    plain = plain.translate(_READ_AS)
    if len(plain) != CODE_CHARS or any(c not in CROCKFORD for c in plain):
        return None
    return f"{CODE_PREFIX}-{plain[:4]}-{plain[4:]}"


def _key_from_file(path: Path) -> bytes:
    """Return the key in `path`, creating the file (32 random bytes, mode 0600) if it does not exist."""
    try:
        if not path.exists():
            _create_key_file(path)
        key = path.read_bytes()
    except OSError as exc:
        raise PseudonymError("error.citizen_key_unreadable", path=str(path), detail=exc.strerror or str(exc)) from exc
    if len(key) < KEY_MIN_BYTES:
        raise PseudonymError("error.citizen_key_too_short", source=str(path), minimum=KEY_MIN_BYTES)
    return key


def _create_key_file(path: Path) -> None:
    """Write a new random key to `path` atomically, readable by its owner only; keep a key that appeared meanwhile."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link never replaces an existing file: two app instances starting together keep the first key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
