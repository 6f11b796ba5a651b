"""Accounts: who may sign in, for which organisation, with which role; the acting user (`Actor`) every reader checks.

A user belongs to one organisation and has one role: a *viewer* sees the map, the team's vindplaatsen and the
place-access figures; a *worker* also maps citizens and vindplaatsen and plans rounds; a *coordinator* also
erases, exports, reads the audit log and manages the users of their own organisation. The server admin has no
account: the command line runs as admin (``who=None`` below).

Passwords are kept only as argon2id hashes (argon2-cffi) and are never logged. A password needs
``settings.PASSWORD_MIN_LENGTH`` characters and must not be (a variant of) a common password
(``data/common_passwords.txt``). After ``settings.SIGN_IN_FREE_FAILURES`` failed sign-ins of one account, or from
one client address, every further attempt waits: ``SIGN_IN_BASE_DELAY_S`` doubling per failure, at most
``SIGN_IN_MAX_DELAY_S``; while it waits, even the right password is refused.

Package functions that read or write an organisation's data take ``who: Actor | str``: ``scope(who, permission)``
checks an Actor's role and returns its organisation id; a bare organisation id is a trusted server-side caller
(the command line, tests).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from buurtkaart import organisations, settings, validate
from buurtkaart.errors import BuurtkaartError
from buurtkaart.paths import DATA_DIR
from buurtkaart.store import EMAIL_MAX, ROLES, USERNAME_MAX, SignInThrottle, Store, UserRecord, new_id, now

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
USERS: Table = UserRecord.__table__  # type: ignore[assignment]
THROTTLE: Table = SignInThrottle.__table__  # type: ignore[assignment]
COMMON_PASSWORDS_FILE = DATA_DIR / "common_passwords.txt"
DEMO_USERNAME = "demo-coordinator"

# --- permissions ---
MAP_READ = "map.read"  # the organisation's vindplaatsen, sites, partners on the map
ACCESS_READ = "access.read"  # the buurtanalyse's place-access figures
ROUNDS_READ = "rounds.read"
CITIZENS_READ = "citizens.read"  # citizens, ties, versions and caseload figures
CITIZENS_WRITE = "citizens.write"
MAP_WRITE = "map.write"  # add, change, delete, import vindplaatsen
ROUNDS_WRITE = "rounds.write"
CITIZENS_ERASE = "citizens.erase"
EXPORT = "export"  # export the organisation's map or data as a file
AUDIT_READ = "audit.read"
USERS_MANAGE = "users.manage"
VOCABULARY_WRITE = "vocabulary.write"

_VIEWER = frozenset({MAP_READ, ACCESS_READ, ROUNDS_READ})
_WORKER = _VIEWER | {CITIZENS_READ, CITIZENS_WRITE, MAP_WRITE, ROUNDS_WRITE}
_COORDINATOR = _WORKER | {CITIZENS_ERASE, EXPORT, AUDIT_READ, USERS_MANAGE, VOCABULARY_WRITE}
PERMISSIONS: dict[str, frozenset[str]] = {"viewer": _VIEWER, "worker": frozenset(_WORKER), "coordinator": frozenset(_COORDINATOR)}

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,59}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(BuurtkaartError):
    """An account that cannot be made or changed (a bad username, a weak password, an unknown user)."""


class AccessDeniedError(BuurtkaartError):
    """The acting user's role or organisation does not allow this."""


class SignInError(BuurtkaartError):
    """A sign-in that is refused; `retry_after` says how many seconds the next attempt has to wait (0: none)."""

    def __init__(self, key: str, *, retry_after: float = 0.0, **values: object) -> None:
        super().__init__(key, **values)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Actor:
    """The signed-in user a function acts for: read from the store, never from a widget."""

    user_id: str
    username: str
    organisation_id: str
    role: str

    def can(self, permission: str) -> bool:
        """Return whether this user's role allows `permission` (e.g. ``accounts.CITIZENS_WRITE``)."""
        return permission in PERMISSIONS.get(self.role, frozenset())

    def require(self, permission: str) -> None:
        """Raise AccessDeniedError unless this user's role allows `permission`."""
        if not self.can(permission):
            raise AccessDeniedError("error.access_denied", role=self.role)


@dataclass(frozen=True)
class UserInfo:
    """What a coordinator sees of an account (never the hash)."""

    user_id: str
    username: str
    email: str | None
    organisation_id: str
    role: str
    disabled: bool
    created_at: datetime
    last_sign_in_at: datetime | None


def scope(who: Actor | str, permission: str) -> str:
    """Return the organisation id `who` acts in, after checking an Actor's `permission` (a bare id is trusted).

    Parameters
    ----------
    who
        The signed-in user (an ``Actor``), or an organisation id from a trusted server-side caller (CLI, tests).
    permission
        What the caller is about to do (``accounts.CITIZENS_READ``…).

    Returns
    -------
    str
        The organisation id every query of the caller must be limited to.
    """
    if isinstance(who, Actor):
        who.require(permission)
        return who.organisation_id
    if not isinstance(who, str) or not who:
        raise TypeError(f"expected an Actor or an organisation id, got {who!r}")
    return who


def user_of(who: Actor | str, user: str | None, default: str = "") -> str:
    """Return who a history row names: the Actor's user id, else the `user` a trusted caller gave."""
    if isinstance(who, Actor):
        return who.user_id
    return user if user is not None else default


# --- passwords ---


@cache
def common_passwords() -> frozenset[str]:
    """Return the common passwords a new password may not be (lower case)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, *, username: str = "") -> None:
    """Raise AccountError unless `password` is long enough and not a common password (or the username)."""
    if not isinstance(password, str) or len(password) < settings.PASSWORD_MIN_LENGTH:
        raise AccountError("error.password_short", minimum=settings.PASSWORD_MIN_LENGTH)
    folded = password.strip().lower()
    core = re.sub(r"[\d\W_]+$", "", folded)  # "password2024!" is "password"
    if folded in common_passwords() or core in common_passwords() or len(set(folded)) <= 2:
        raise AccountError("error.password_common")
    if username and username.lower() in folded:
        raise AccountError("error.password_username")


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password` (salted: never the same twice)."""
    return _HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    """Return whether `password` matches `password_hash`."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Return a hash to verify against for an unknown username (the same work as for a known one)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


# --- accounts ---


def any_accounts(store: Store) -> bool:
    """Return whether at least one account exists (until then the app offers to make the first coordinator)."""
    with store.read() as session:
        return session.execute(select(USERS.c.id).limit(1)).first() is not None


def create_user(
    store: Store,
    who: Actor | None,
    *,
    username: str,
    password: str,
    organisation_id: str,
    role: str,
    email: str | None = None,
) -> Actor:
    """Create an account and return it as an Actor.

    Parameters
    ----------
    store
        The database.
    who
        The coordinator of `organisation_id` who creates it, or None for the server admin (the command line).
    username, password
        The new account's name (lower-case letters, digits, ``. _ @ -``) and password (checked by `check_password`).
    organisation_id
        The organisation the account belongs to.
    role
        ``viewer``, ``worker`` or ``coordinator``.
    email
        For single sign-on: the e-mail the identity provider returns (kept in lower case, unique).
    """
    _require_manager(who, organisation_id)
    username = _username(username)
    _role(role)
    email = _email(email)
    check_password(password, username=username)
    password_hash = hash_password(password)
    with store.write(lock="users") as session:
        organisations.require(session, organisation_id, AccountError)
        return _insert_user(session, username=username, email=email, organisation_id=organisation_id, role=role, password_hash=password_hash)


def create_first_coordinator(store: Store, *, organisation_name: str, username: str, password: str) -> Actor:
    """Create an organisation and its coordinator, only while the store holds no account at all (the first start)."""
    username = _username(username)
    check_password(password, username=username)
    password_hash = hash_password(password)
    if any_accounts(store):
        raise AccountError("error.accounts_exist")
    org_id = organisations.ensure(store, organisation_name)
    with store.write(lock="users") as session:
        if session.execute(select(USERS.c.id).limit(1)).first() is not None:
            raise AccountError("error.accounts_exist")
        return _insert_user(session, username=username, email=None, organisation_id=org_id, role="coordinator", password_hash=password_hash)


def create_demo_coordinator(store: Store, organisation_id: str) -> tuple[Actor, str]:
    """Create the demo organisation's coordinator with a new random password, only while no account exists.

    Returns the account and its password (shown once; only its hash is kept).
    """
    password = secrets.token_urlsafe(15)
    password_hash = hash_password(password)
    with store.write(lock="users") as session:
        if session.execute(select(USERS.c.id).limit(1)).first() is not None:
            raise AccountError("error.accounts_exist")
        organisations.require(session, organisation_id, AccountError)
        actor = _insert_user(
            session, username=DEMO_USERNAME, email=None, organisation_id=organisation_id, role="coordinator", password_hash=password_hash
        )
    return actor, password


def list_users(store: Store, who: Actor | None, *, organisation_id: str | None = None) -> list[UserInfo]:
    """Return the accounts of an organisation (a coordinator: only their own), or of all (the admin), by name."""
    if who is not None:
        _require_manager(who, organisation_id or who.organisation_id)
        organisation_id = who.organisation_id
    query = select(USERS).order_by(USERS.c.username)
    if organisation_id is not None:
        query = query.where(USERS.c.organisation_id == organisation_id)
    with store.read() as session:
        return [_info(row._mapping) for row in session.execute(query)]


def set_role(store: Store, who: Actor | None, username: str, role: str) -> UserInfo:
    """Give an account another role (a coordinator: only in their own organisation)."""
    _role(role)
    return _change_user(store, who, username, role=role)


def disable(store: Store, who: Actor | None, username: str, *, disabled: bool = True) -> UserInfo:
    """Disable an account (it can no longer sign in; an open session ends at its next page run), or enable it again."""
    return _change_user(store, who, username, disabled=disabled)


def reset_password(store: Store, who: Actor | None, username: str, password: str) -> UserInfo:
    """Give an account a new password (and lift a sign-in wait)."""
    check_password(password, username=_username(username))
    return _change_user(store, who, username, password_hash=hash_password(password), failed_count=0, locked_until=None)


def set_email(store: Store, who: Actor | None, username: str, email: str | None) -> UserInfo:
    """Set (or clear) the e-mail an account signs in with through single sign-on."""
    return _change_user(store, who, username, email=_email(email))


def display_names(store: Store, organisation_id: str) -> dict[str, str]:
    """Return user id -> username of an organisation's accounts (history rows keep the id, pages show the name)."""
    with store.read() as session:
        return names_in(session, organisation_id)


def names_in(session: Session, organisation_id: str) -> dict[str, str]:
    """Return user id -> username of an organisation's accounts, read in an open transaction."""
    rows = session.execute(select(USERS.c.id, USERS.c.username).where(USERS.c.organisation_id == str(organisation_id)))
    return {row.id: row.username for row in rows}


def name_in(session: Session, organisation_id: str, user: str) -> str:
    """Return the username of the organisation's account id `user`, read in an open transaction; other text as it is."""
    found = session.execute(
        select(USERS.c.username).where(USERS.c.id == str(user), USERS.c.organisation_id == str(organisation_id))
    ).scalar()
    return found if found is not None else str(user)


def shown_users(store: Store, organisation_id: str, users: Iterable[str]) -> list[str]:
    """Return each of `users` as its username where it is an account id of the organisation, else as it is.

    History rows and audit events keep the account id (a name can change); what a person reads is the name.
    A name given by a trusted caller (the command line: "cli") stays as it is.
    """
    names = display_names(store, organisation_id)
    return [names.get(user, user) for user in users]


def actor_by_id(store: Store, user_id: str) -> Actor | None:
    """Return the account `user_id` as an Actor, or None when it is gone or disabled (read on every page run)."""
    with store.read() as session:
        row = session.execute(select(USERS).where(USERS.c.id == str(user_id))).first()
    if row is None or row.disabled:
        return None
    return _actor(row._mapping)


def actor_for_email(store: Store, email: str | None) -> Actor:
    """Return the account whose e-mail an identity provider (``st.login``) returned; refuse an unknown or disabled one."""
    folded = (email or "").strip().lower()
    if not folded or not _EMAIL.match(folded):
        raise SignInError("error.signin_email_unknown")
    with store.write(lock="users") as session:
        row = session.execute(select(USERS).where(USERS.c.email == folded)).first()
        if row is None or row.disabled:
            raise SignInError("error.signin_email_unknown")
        session.execute(USERS.update().where(USERS.c.id == row.id).values(last_sign_in_at=now()))
    return _actor(row._mapping)


def session_actor(store: Store, user_id: str | None, last_seen: datetime | None, *, at: datetime | None = None) -> Actor | None:
    """Return the signed-in Actor of a session, or None when there is none, it idled too long, or it was disabled."""
    if not user_id or last_seen is None:
        return None
    at = at or now()
    if at - last_seen > timedelta(minutes=settings.session_idle_minutes()):
        return None
    return actor_by_id(store, user_id)


def authenticate(store: Store, username: str, password: str, client: str | None, *, at: datetime | None = None) -> Actor:
    """Return the Actor of a right username and password; raise SignInError otherwise.

    Parameters
    ----------
    store
        The database.
    username, password
        As typed; the password is only ever compared with the stored argon2 hash.
    client
        The client's address (for the per-client wait), or None when unknown.
    at
        The time of the attempt (default: now; tests pass their own).

    Raises
    ------
    SignInError
        ``error.signin_failed`` (wrong or unknown: the same text), ``error.signin_wait`` with ``retry_after``
        seconds while the account or the client has to wait, ``error.signin_disabled``.
    """
    at = at or now()
    folded = (username or "").strip().lower()[:USERNAME_MAX]
    client_key = (client or "").strip()[:100]
    with store.read() as session:
        row = session.execute(select(USERS).where(USERS.c.username == folded)).first()
        waits = [_wait(row.locked_until, at) if row is not None else 0.0]
        if client_key:
            throttle = session.execute(select(THROTTLE).where(THROTTLE.c.client == client_key)).first()
            waits.append(_wait(throttle.locked_until, at) if throttle is not None else 0.0)
    if max(waits) > 0:
        raise SignInError("error.signin_wait", retry_after=max(waits), seconds=int(max(waits) + 0.999))
    if row is None:
        _verify(_dummy_hash(), password or "")  # the same work as for a known name: no timing hint
    if row is None or not _verify(row.password_hash, password or ""):
        retry_after = _record_failure(store, row.id if row is not None else None, client_key, at)
        raise SignInError("error.signin_failed", retry_after=retry_after)
    if row.disabled:
        raise SignInError("error.signin_disabled")
    with store.write(lock="users") as session:
        session.execute(USERS.update().where(USERS.c.id == row.id).values(failed_count=0, locked_until=None, last_sign_in_at=at))
    return _actor(row._mapping)


def client_address(peer: str | None, forwarded_for: str | None, *, trusted: Sequence[IPNetwork] | None = None) -> str | None:
    """Return the client address a sign-in is throttled by: the connection's, or behind a trusted proxy the forwarded one.

    Parameters
    ----------
    peer
        The address of the connection (the reverse proxy's, behind one); None when unknown.
    forwarded_for
        The ``X-Forwarded-For`` header as received: anyone can write it, so it counts only when `peer` is trusted.
    trusted
        The proxies' networks (default: ``settings.trusted_proxies()``, empty unless BUURTKAART_TRUSTED_PROXY is set).

    Returns
    -------
    str or None
        `peer`, unless `peer` is a trusted proxy: then the right-most entry of `forwarded_for` that is no trusted
        proxy (what the proxy itself appended; entries to its left may be forged). A malformed entry there, or an
        empty header, keeps `peer` (all such clients share one counter: the safe side).
    """
    trusted = settings.trusted_proxies() if trusted is None else tuple(trusted)
    if not peer or not trusted or not _trusted(peer, trusted):
        return peer
    for entry in reversed([part.strip() for part in (forwarded_for or "").split(",") if part.strip()]):
        address = _address(entry)
        if address is None:
            return peer
        if not _trusted(address, trusted):
            return address
    return peer


def delay_after(failures: int) -> float:
    """Return how many seconds the next sign-in waits after `failures` failures in a row."""
    extra = failures - settings.SIGN_IN_FREE_FAILURES
    if extra < 0:
        return 0.0
    return min(settings.SIGN_IN_BASE_DELAY_S * 2.0 ** min(extra, 30), settings.SIGN_IN_MAX_DELAY_S)


# --- helpers ---


def _record_failure(store: Store, user_id: str | None, client: str, at: datetime) -> float:
    """Count one failed sign-in for the account and the client; return the wait it now imposes (seconds)."""
    waits = [0.0]
    with store.write(lock="users") as session:
        if user_id is not None:
            failures = session.execute(select(USERS.c.failed_count).where(USERS.c.id == user_id)).scalar_one() + 1
            wait = delay_after(failures)
            locked = at + timedelta(seconds=wait) if wait else None
            session.execute(USERS.update().where(USERS.c.id == user_id).values(failed_count=failures, locked_until=locked))
            waits.append(wait)
        if client:
            row = session.execute(select(THROTTLE).where(THROTTLE.c.client == client)).first()
            failures = (row.failed_count if row is not None else 0) + 1
            wait = delay_after(failures)
            values = {"failed_count": failures, "locked_until": at + timedelta(seconds=wait) if wait else None, "updated_at": at}
            if row is None:
                session.execute(THROTTLE.insert().values(client=client, **values))
            else:
                session.execute(THROTTLE.update().where(THROTTLE.c.client == client).values(**values))
            waits.append(wait)
    return max(waits)


def _address(text: str) -> str | None:
    """Return an IP address as its canonical text (``[::1]`` and ``192.0.2.5:443`` as the address), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    """Return whether `address` lies in one of the trusted proxies' networks."""
    canonical = _address(address)
    return canonical is not None and any(ipaddress.ip_address(canonical) in network for network in trusted)


def _wait(locked_until: datetime | None, at: datetime) -> float:
    """Return the seconds left until `locked_until` (0 when it is past or unset)."""
    if locked_until is None:
        return 0.0
    return max((locked_until - at).total_seconds(), 0.0)


def _insert_user(session: Session, *, username: str, email: str | None, organisation_id: str, role: str, password_hash: str) -> Actor:
    """Insert one account row; refuse a taken username or e-mail."""
    taken = session.execute(select(func.count()).select_from(USERS).where(USERS.c.username == username)).scalar_one()
    if taken:
        raise AccountError("error.username_taken", username=username)
    if email is not None and session.execute(select(USERS.c.id).where(USERS.c.email == email)).first() is not None:
        raise AccountError("error.email_taken", email=email)
    user_id = new_id()
    session.execute(
        USERS.insert().values(
            id=user_id, username=username, email=email, organisation_id=organisation_id, role=role,
            password_hash=password_hash, disabled=False, created_at=now(), last_sign_in_at=None,
            failed_count=0, locked_until=None,
        )
    )  # fmt: skip
    return Actor(user_id=user_id, username=username, organisation_id=organisation_id, role=role)


def _change_user(store: Store, who: Actor | None, username: str, **values: object) -> UserInfo:
    """Change one account's columns, if `who` may manage it."""
    folded = _username(username)
    try:
        with store.write(lock="users") as session:
            row = session.execute(select(USERS).where(USERS.c.username == folded)).first()
            if row is None:
                raise AccountError("error.user_unknown", username=folded)
            _require_manager(who, row.organisation_id)
            session.execute(USERS.update().where(USERS.c.id == row.id).values(**values))
            changed = session.execute(select(USERS).where(USERS.c.id == row.id)).one()
    except IntegrityError as exc:
        raise AccountError("error.email_taken", email=str(values.get("email"))) from exc
    return _info(changed._mapping)


def _require_manager(who: Actor | None, organisation_id: str | None) -> None:
    """Refuse unless `who` is the admin (None) or a coordinator of `organisation_id`."""
    if who is None:
        return
    who.require(USERS_MANAGE)
    if organisation_id != who.organisation_id:
        raise AccessDeniedError("error.access_denied", role=who.role)


def _username(username: str) -> str:
    """Return a username in lower case, or raise AccountError."""
    folded = (username or "").strip().lower()
    if not _USERNAME.match(folded):
        raise AccountError("error.username_invalid", username=str(username)[:USERNAME_MAX])
    return folded


def _email(email: str | None) -> str | None:
    """Return an e-mail in lower case (None for none), or raise AccountError."""
    if email is None or not email.strip():
        return None
    folded = validate.text(email, "email", AccountError, limit=EMAIL_MAX).lower()
    if not _EMAIL.match(folded):
        raise AccountError("error.email_invalid", email=folded)
    return folded


def _role(role: str) -> None:
    """Raise AccountError unless `role` is one of ROLES."""
    if role not in ROLES:
        raise AccountError("error.role_invalid", role=str(role), roles=", ".join(ROLES))


def _actor(row: object) -> Actor:
    """Return an Actor from a users row mapping."""
    return Actor(user_id=row["id"], username=row["username"], organisation_id=row["organisation_id"], role=row["role"])  # type: ignore[index]


def _info(row: object) -> UserInfo:
    """Return a UserInfo from a users row mapping."""
    m = row  # type: ignore[assignment]
    return UserInfo(
        user_id=m["id"], username=m["username"], email=m["email"], organisation_id=m["organisation_id"], role=m["role"],  # type: ignore[index]
        disabled=bool(m["disabled"]), created_at=m["created_at"], last_sign_in_at=m["last_sign_in_at"],  # type: ignore[index]
    )  # fmt: skip
