"""Accounts on both stores: hashing, the password policy, throttled sign-ins, roles, sessions, single sign-on matching."""

from __future__ import annotations

import ipaddress
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from buurtkaart import accounts, organisations, settings
from buurtkaart.accounts import AccessDeniedError, AccountError, Actor, SignInError
from buurtkaart.store import Store, now
from tests.store_fixtures import (  # noqa: F401
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

PASSWORD = "blauwe fiets op de markt"


@pytest.fixture
def worker(store: Store, org: str) -> Actor:
    """Return a worker of the test organisation."""
    return accounts.create_user(store, None, username="ward", password=PASSWORD, organisation_id=org, role="worker", email="Ward@LDC.example")


def test_the_password_is_kept_only_as_an_argon2_hash(store: Store, worker: Actor) -> None:
    with store.read() as session:
        stored = session.execute(select(accounts.USERS.c.password_hash).where(accounts.USERS.c.id == worker.user_id)).scalar_one()
        every_cell = " ".join(str(v) for row in session.execute(select(accounts.USERS)) for v in row)
    assert stored.startswith("$argon2id$") and PASSWORD not in every_cell
    assert accounts._HASHER.verify(stored, PASSWORD)
    assert accounts.hash_password(PASSWORD) != accounts.hash_password(PASSWORD)  # salted


@pytest.mark.parametrize("password", ["kort wacht", "password1234", "1qaz2wsx3edc", "Wachtwoord2024!", "aaaaaaaaaaaaaaa"])
def test_short_and_common_passwords_are_refused(store: Store, org: str, password: str) -> None:
    with pytest.raises(AccountError) as refused:
        accounts.create_user(store, None, username="nina", password=password, organisation_id=org, role="worker")
    assert refused.value.key in {"error.password_short", "error.password_common"}
    assert "12" in refused.value.message("nl") or refused.value.key == "error.password_common"
    assert not accounts.any_accounts(store)


def test_the_common_password_list_is_shipped() -> None:
    assert len(accounts.common_passwords()) > 1000 and "123456" in accounts.common_passwords()


def test_a_right_password_signs_in_and_a_wrong_one_is_refused(store: Store, worker: Actor) -> None:
    assert accounts.authenticate(store, " Ward ", PASSWORD, "10.0.0.1") == worker
    with pytest.raises(SignInError) as wrong:
        accounts.authenticate(store, "ward", PASSWORD + "x", "10.0.0.1")
    with pytest.raises(SignInError) as unknown:
        accounts.authenticate(store, "nobody", PASSWORD, "10.0.0.2")
    assert wrong.value.key == unknown.value.key == "error.signin_failed"  # an unknown name reads the same


def test_twenty_wrong_passwords_do_not_open_the_account_and_slow_the_attacker(store: Store, worker: Actor) -> None:
    at = now()
    waits = []
    for attempt in range(20):
        with pytest.raises(SignInError) as refused:
            accounts.authenticate(store, "ward", f"wrong guess {attempt:04d}", "10.0.0.9", at=at)
        assert refused.value.key == "error.signin_failed"  # the attacker waited as told: each guess is checked
        waits.append(refused.value.retry_after)
        if attempt < 19:
            at += timedelta(seconds=refused.value.retry_after)
    assert waits[:4] == [0.0] * 4  # the first failures are free
    assert sum(waits) > 3600  # twenty guesses cost the attacker more than an hour
    assert waits[4] == settings.SIGN_IN_BASE_DELAY_S
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert waits[-1] == settings.SIGN_IN_MAX_DELAY_S
    # While it waits, even the right password is refused, from any client.
    with pytest.raises(SignInError) as locked:
        accounts.authenticate(store, "ward", PASSWORD, "10.0.0.77", at=at)
    assert locked.value.key == "error.signin_wait" and locked.value.retry_after > 0
    # After the wait, the right password works again and the count starts over.
    later = at + timedelta(seconds=settings.SIGN_IN_MAX_DELAY_S + 1)
    assert accounts.authenticate(store, "ward", PASSWORD, "10.0.0.77", at=later) == worker


def test_one_client_trying_many_usernames_is_slowed_down(store: Store, worker: Actor) -> None:
    at = now()
    for attempt in range(settings.SIGN_IN_FREE_FAILURES):
        with pytest.raises(SignInError):
            accounts.authenticate(store, f"guess{attempt}", PASSWORD, "192.0.2.5", at=at)
    with pytest.raises(SignInError) as waiting:
        accounts.authenticate(store, "ward", PASSWORD, "192.0.2.5", at=at)  # right password, but the client waits
    assert waiting.value.key == "error.signin_wait" and waiting.value.retry_after > 0
    assert accounts.authenticate(store, "ward", PASSWORD, "192.0.2.6", at=at) == worker  # another client is not held


def test_a_disabled_account_is_refused_and_its_session_ends(store: Store, worker: Actor) -> None:
    seen = now()
    assert accounts.session_actor(store, worker.user_id, seen) == worker
    accounts.disable(store, None, "ward")
    with pytest.raises(SignInError) as refused:
        accounts.authenticate(store, "ward", PASSWORD, "10.0.0.1")
    assert refused.value.key == "error.signin_disabled"
    assert accounts.session_actor(store, worker.user_id, seen) is None
    with pytest.raises(SignInError):
        accounts.actor_for_email(store, "ward@ldc.example")


def test_an_idle_session_expires_and_a_role_change_takes_effect(store: Store, worker: Actor) -> None:
    seen = now()
    idle = timedelta(minutes=settings.session_idle_minutes())
    assert accounts.session_actor(store, worker.user_id, seen, at=seen + idle - timedelta(seconds=1)) == worker
    assert accounts.session_actor(store, worker.user_id, seen, at=seen + idle + timedelta(seconds=1)) is None
    accounts.set_role(store, None, "ward", "viewer")
    assert accounts.session_actor(store, worker.user_id, now()).role == "viewer"


def test_single_sign_on_matches_a_known_email_and_refuses_an_unknown_one(store: Store, worker: Actor) -> None:
    assert accounts.actor_for_email(store, "  WARD@ldc.example ") == worker
    for unknown in ("someone@ldc.example", "", None, "not an e-mail"):
        with pytest.raises(SignInError) as refused:
            accounts.actor_for_email(store, unknown)
        assert refused.value.key == "error.signin_email_unknown"


def test_roles_and_permissions() -> None:
    viewer, worker, coordinator = (Actor("u", "x", "o", role) for role in ("viewer", "worker", "coordinator"))
    assert viewer.can(accounts.MAP_READ) and viewer.can(accounts.ACCESS_READ)
    assert not viewer.can(accounts.CITIZENS_READ) and not viewer.can(accounts.MAP_WRITE)
    assert worker.can(accounts.CITIZENS_WRITE) and not worker.can(accounts.CITIZENS_ERASE) and not worker.can(accounts.EXPORT)
    assert coordinator.can(accounts.CITIZENS_ERASE) and coordinator.can(accounts.EXPORT) and coordinator.can(accounts.USERS_MANAGE)
    with pytest.raises(AccessDeniedError) as denied:
        viewer.require(accounts.MAP_WRITE)
    assert "kijker" not in denied.value.message("en") and denied.value.message("nl")
    assert accounts.scope(worker, accounts.CITIZENS_READ) == "o" and accounts.scope("trusted-org", accounts.EXPORT) == "trusted-org"


def test_only_the_own_coordinator_manages_users(store: Store, org: str, worker: Actor) -> None:
    other = organisations.ensure(store, "Buurthuis B")
    boss = accounts.create_user(store, None, username="bea", password=PASSWORD, organisation_id=org, role="coordinator")
    stranger = accounts.create_user(store, None, username="bob", password=PASSWORD, organisation_id=other, role="coordinator")
    assert [u.username for u in accounts.list_users(store, boss)] == ["bea", "ward"]
    accounts.set_role(store, boss, "ward", "viewer")
    with pytest.raises(AccessDeniedError):
        accounts.set_role(store, stranger, "ward", "coordinator")
    with pytest.raises(AccessDeniedError):
        accounts.disable(store, stranger, "ward")
    with pytest.raises(AccessDeniedError):
        accounts.create_user(store, stranger, username="mole", password=PASSWORD, organisation_id=org, role="coordinator")
    with pytest.raises(AccessDeniedError):
        accounts.list_users(store, worker)
    assert [u.username for u in accounts.list_users(store, stranger)] == ["bob"]
    assert accounts.actor_by_id(store, worker.user_id).role == "viewer"


def test_usernames_and_emails_are_unique(store: Store, org: str, worker: Actor) -> None:
    with pytest.raises(AccountError):
        accounts.create_user(store, None, username="WARD", password=PASSWORD, organisation_id=org, role="worker")
    with pytest.raises(AccountError):
        accounts.create_user(store, None, username="wanda", password=PASSWORD, organisation_id=org, role="worker", email="ward@ldc.example")


def test_the_first_coordinator_only_while_no_account_exists(store: Store) -> None:
    first = accounts.create_first_coordinator(store, organisation_name="LDC Eerste", username="eva", password=PASSWORD)
    assert first.role == "coordinator" and organisations.find(store, "LDC Eerste") == first.organisation_id
    with pytest.raises(AccountError):
        accounts.create_first_coordinator(store, organisation_name="Indringer", username="ivo", password=PASSWORD)
    with pytest.raises(AccountError):
        accounts.create_demo_coordinator(store, first.organisation_id)
    assert organisations.find(store, "Indringer") is None
    assert [u.username for u in accounts.list_users(store, None)] == ["eva"]


def test_the_demo_coordinator_gets_a_password_shown_once(store: Store, org: str) -> None:
    actor, password = accounts.create_demo_coordinator(store, org)
    assert accounts.authenticate(store, accounts.DEMO_USERNAME, password, None) == actor
    assert actor.role == "coordinator"


def test_reset_password_replaces_the_old_one(store: Store, worker: Actor) -> None:
    accounts.reset_password(store, None, "ward", "een heel nieuw wachtwoord")
    with pytest.raises(SignInError):
        accounts.authenticate(store, "ward", PASSWORD, None)
    assert accounts.authenticate(store, "ward", "een heel nieuw wachtwoord", None) == worker


def test_the_command_line_manages_accounts_as_admin(tmp_path, monkeypatch, capsys) -> None:
    import io

    from buurtkaart import store as store_mod
    from buurtkaart.cli import main

    monkeypatch.setenv("BUURTKAART_SQLITE_PATH", str(tmp_path / "cli.sqlite"))
    monkeypatch.delenv("BUURTKAART_DATABASE_URL", raising=False)
    assert main(["org", "add", "LDC Noord"]) == 0
    assert main(["org", "list"]) == 0 and "LDC Noord" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "Nora", "--org", "LDC Noord", "--role", "worker", "--password-stdin", "--email", "nora@x.example"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    assert main(["user", "add", "weak", "--org", "LDC Noord", "--role", "worker", "--password-stdin"]) == 1
    assert "12" in capsys.readouterr().err
    assert main(["user", "add", "lost", "--org", "Nergens", "--role", "worker", "--password-stdin"]) == 1  # never creates an org
    assert main(["user", "role", "nora", "coordinator"]) == 0
    assert main(["user", "list", "--org", "LDC Noord"]) == 0
    listed = capsys.readouterr().out
    assert "nora" in listed and "coordinator" in listed and "weak" not in listed
    db = store_mod.open_store()
    assert accounts.authenticate(db, "nora", PASSWORD, None).role == "coordinator"
    monkeypatch.setattr("sys.stdin", io.StringIO("een ander lang wachtwoord\n"))
    assert main(["user", "reset-password", "nora", "--password-stdin"]) == 0
    assert accounts.authenticate(db, "nora", "een ander lang wachtwoord", None).username == "nora"
    assert main(["user", "disable", "nora"]) == 0
    with pytest.raises(SignInError):
        accounts.authenticate(db, "nora", "een ander lang wachtwoord", None)
    assert organisations.find(db, "Nergens") is None
    db.close()


def test_the_client_address_is_the_connection_unless_it_is_a_trusted_proxy() -> None:
    proxy = (ipaddress.ip_network("10.0.0.2"),)
    forged = "203.0.113.9"
    assert accounts.client_address("10.0.0.2", forged, trusted=()) == "10.0.0.2"  # off: the header is ignored
    assert accounts.client_address("198.51.100.7", forged, trusted=proxy) == "198.51.100.7"  # not from the proxy
    assert accounts.client_address("10.0.0.2", "192.0.2.5", trusted=proxy) == "192.0.2.5"
    # the right-most entry that is no trusted proxy: what the proxy appended, not what the client forged before it
    assert accounts.client_address("10.0.0.2", f"{forged}, 192.0.2.5", trusted=proxy) == "192.0.2.5"
    assert accounts.client_address("10.0.0.2", "192.0.2.5, 10.0.0.2", trusted=proxy) == "192.0.2.5"
    assert accounts.client_address("10.0.0.2", "[2001:db8::1]:443", trusted=proxy) == "2001:db8::1"
    assert accounts.client_address("10.0.0.2", "192.0.2.5:5123", trusted=proxy) == "192.0.2.5"
    for unusable in ("", "   ", "not-an-address", f"{forged}, <script>"):
        assert accounts.client_address("10.0.0.2", unusable, trusted=proxy) == "10.0.0.2"
    assert accounts.client_address(None, forged, trusted=proxy) is None
