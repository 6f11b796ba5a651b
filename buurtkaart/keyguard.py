"""One pseudonym key per database, guarded: its fingerprint is kept in the store, a key that does not match is
refused, no new key is ever made while the database holds citizens, and a key must have 32 random bytes.

The fingerprint is an HMAC of a fixed text under the key: it tells whether two keys are the same and nothing
about the key itself. `key_for` is what citizens.py uses instead of `pseudonym.load_key`; `check` runs it when
the app or the command line opens a store, so a wrong or missing key stops the start with a message saying what
to do, before anyone types a file number.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from sqlalchemy import func, select

from buurtkaart import pseudonym as pseudo
from buurtkaart import settings
from buurtkaart.store import CitizenRecord, Store, StoreSetting, now

KEY_MIN_BYTES = 32
KEY_MIN_DISTINCT = 12  # distinct byte values: "aaaa…" or "0101…" is no random key
FINGERPRINT = "pseudonym_key_fingerprint"
_CHECKED: dict[tuple[str, str], bool] = {}
_LOCK = threading.Lock()


def key_for(store: Store) -> bytes:
    """Return the pseudonym key for `store`, checked against the fingerprint the store keeps (set on first use).

    Raise PseudonymError when the key is missing while the store has citizens (never make a new one then), too weak,
    or not the one the store was used with.
    """
    configured = settings.pseudonym_key()
    path = pseudo.default_key_file()
    if not configured and not path.exists() and (_has_citizens(store) or _stored(store) is not None):
        raise pseudo.PseudonymError("error.key_missing", path=str(path), env=pseudo.KEY_ENV)
    key = pseudo.load_key()
    source = pseudo.KEY_ENV if configured else str(path)
    if len(key) < KEY_MIN_BYTES or len(set(key)) < KEY_MIN_DISTINCT:
        raise pseudo.PseudonymError("error.key_weak", source=source, minimum=KEY_MIN_BYTES)
    mark = fingerprint(key)
    with _LOCK:
        if _CHECKED.get((store.url, mark)):
            return key
    with store.write(lock="store_settings") as session:
        stored = session.execute(select(StoreSetting.value).where(StoreSetting.name == FINGERPRINT)).scalar()
        if stored is None:
            session.add(StoreSetting(name=FINGERPRINT, value=mark, updated_at=now()))
        elif not hmac.compare_digest(stored, mark):
            raise pseudo.PseudonymError("error.key_mismatch", source=source, env=pseudo.KEY_ENV)
    with _LOCK:
        _CHECKED[(store.url, mark)] = True
    return key


def check(store: Store) -> None:
    """Raise PseudonymError when the store cannot be used with this key (at start: a missing, weak or other key)."""
    configured = settings.pseudonym_key()
    if configured or pseudo.default_key_file().exists() or _has_citizens(store) or _stored(store) is not None:
        key_for(store)


def fingerprint(key: bytes) -> str:
    """Return the fingerprint of a key: an HMAC of a fixed text, in hex (it reveals nothing of the key)."""
    return hmac.new(key, b"buurtkaart pseudonym key fingerprint v1", hashlib.sha256).hexdigest()


def _has_citizens(store: Store) -> bool:
    """Return True when the store holds any citizen (of any organisation)."""
    with store.read() as session:
        return bool(session.execute(select(func.count()).select_from(CitizenRecord)).scalar())


def _stored(store: Store) -> str | None:
    """Return the fingerprint the store keeps, or None."""
    with store.read() as session:
        return session.execute(select(StoreSetting.value).where(StoreSetting.name == FINGERPRINT)).scalar()
