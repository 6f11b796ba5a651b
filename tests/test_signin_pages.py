"""The pages through Streamlit's AppTest: a visitor sees nothing of the citizens; first start; sign-in; SSO matching."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buurtkaart import accounts, organisations, settings
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import open_store
from buurtkaart.vocabulary import Location

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "blauwe fiets op de markt"
ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
TIMEOUT = 240


@pytest.fixture(name="app_store")
def app_store_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the pages at a new SQLite store (and a pseudonym key) and return it."""
    path = tmp_path / "app.sqlite"
    monkeypatch.setenv("BUURTKAART_SQLITE_PATH", str(path))
    monkeypatch.delenv("BUURTKAART_DATABASE_URL", raising=False)
    monkeypatch.setenv(pseudo.KEY_ENV, "an-apptest-key-that-is-long-enough-0123456789")
    st.cache_resource.clear()  # common.store() is cached per process
    db = open_store(f"sqlite:///{path}")
    yield db
    db.close()
    st.cache_resource.clear()


@pytest.fixture
def team(app_store) -> dict:
    """An organisation with one citizen and a worker; another organisation with its own citizen."""
    org, other = organisations.ensure(app_store, "LDC A"), organisations.ensure(app_store, "LDC B")
    mine = cz.create_citizen(app_store, org, reference="A-1", anchor=ANCHOR)
    theirs = cz.create_citizen(app_store, other, reference="B-1", anchor=ANCHOR)
    worker = accounts.create_user(app_store, None, username="wout", password=PASSWORD, organisation_id=org, role="worker")
    viewer = accounts.create_user(app_store, None, username="vera", password=PASSWORD, organisation_id=org, role="viewer")
    return {"mine": mine.code, "theirs": theirs.code, "worker": worker, "viewer": viewer}


def page(name: str) -> AppTest:
    """Return an AppTest of one page file."""
    return AppTest.from_file(str(ROOT / "buurtkaart" / "pages" / name), default_timeout=TIMEOUT)


def shown_text(at: AppTest) -> str:
    """Return every text the run put on the page and in the sidebar (markdown, messages, captions, headings, widgets)."""
    parts = []
    for kind in ("markdown", "info", "warning", "error", "success", "caption", "title", "subheader", "header", "text"):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind)]
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    parts += [str(getattr(el, "value", "")) for el in at.sidebar.markdown]
    return "\n".join(parts)


def test_a_visitor_sees_no_citizen_on_the_burger_page(team: dict) -> None:
    at = page("burger_page.py").run()
    text = shown_text(at)
    assert "Meld je aan" in text
    assert team["mine"] not in text and team["theirs"] not in text and "BK-" not in text
    assert not at.exception


def signed_in(name: str, actor: accounts.Actor, *, seen: datetime | None = None, **state: object) -> AppTest:
    """Return a run of the page `name` for a session signed in as `actor` (last seen now, or at `seen`), with `state`."""
    at = page(name)
    at.session_state["auth_user_id"] = actor.user_id
    at.session_state["auth_last_seen"] = seen or accounts.now()
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_a_signed_in_worker_sees_only_the_own_citizens(team: dict) -> None:
    at = signed_in("burger_page.py", team["worker"])
    text = shown_text(at)
    assert team["mine"] in text and team["theirs"] not in text and not at.exception


def test_a_viewer_gets_no_citizen_page(team: dict) -> None:
    text = shown_text(signed_in("burger_page.py", team["viewer"]))
    assert "kijker" in text and "BK-" not in text


def test_an_expired_session_is_signed_out(team: dict) -> None:
    at = signed_in("burger_page.py", team["worker"], seen=accounts.now() - timedelta(minutes=31))
    text = shown_text(at)
    assert "BK-" not in text and "verlopen" in text


def test_sign_in_through_the_sidebar_form(team: dict) -> None:
    at = page("burger_page.py").run()
    at.sidebar.text_input(key="auth_username").input("wout")
    at.sidebar.text_input(key="auth_password").input("wrong password here")
    at.sidebar.button[0].click().run()  # the form's submit button
    assert "BK-" not in shown_text(at) and "klopt niet" in "\n".join(e.value for e in at.sidebar.error)
    at.sidebar.text_input(key="auth_username").input("wout")
    at.sidebar.text_input(key="auth_password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert team["mine"] in shown_text(at)


def test_a_visitor_sees_no_caseload_on_the_analyse_page(team: dict) -> None:
    at = page("analyse_page.py").run()
    text = shown_text(at)
    assert "Meld je aan" in text and "BK-" not in text and not at.exception


def test_first_start_offers_the_first_coordinator_and_creates_no_organisation(app_store) -> None:
    at = page("burger_page.py").run()
    assert "Eerste coördinator aanmaken" in shown_text(at)
    assert organisations.listing(app_store) == []  # a page read creates no organisation
    at.text_input(key="auth_first_org").input("LDC Nieuw")
    at.text_input(key="auth_first_user").input("nina")
    at.text_input(key="auth_first_pw").input(PASSWORD)
    at.text_input(key="auth_first_pw2").input(PASSWORD)
    at.button(key="FormSubmitter:auth_first-Coördinator aanmaken").click().run()
    assert [name for _, name in organisations.listing(app_store)] == ["LDC Nieuw"]
    assert "nina" in shown_text(at) and accounts.any_accounts(app_store)


def test_first_start_is_refused_from_another_computer(app_store, monkeypatch: pytest.MonkeyPatch) -> None:
    from buurtkaart.pages import common

    monkeypatch.setattr(common, "local_client", lambda: False)
    at = page("burger_page.py").run()
    text = shown_text(at)
    assert "alleen op deze computer" in text and not at.text_input


def test_single_sign_on_e_mail_is_matched_or_refused(app_store) -> None:
    org = organisations.ensure(app_store, "LDC SSO")
    known = accounts.create_user(app_store, None, username="sam", password=PASSWORD, organisation_id=org, role="worker", email="sam@ldc.example")
    assert accounts.actor_for_email(app_store, "Sam@LDC.example") == known
    with pytest.raises(accounts.SignInError) as refused:
        accounts.actor_for_email(app_store, "stranger@elsewhere.example")
    assert "geen toegang" in refused.value.message("nl")


def sign_in_from(monkeypatch: pytest.MonkeyPatch, db, forwarded_for: str, username: str, password: str) -> accounts.Actor:
    """Sign in as the sidebar does, for a request that came through the proxy 10.0.0.2 with this X-Forwarded-For."""
    from buurtkaart.pages import common

    monkeypatch.setattr(common.st, "context", SimpleNamespace(ip_address="10.0.0.2", headers={"X-Forwarded-For": forwarded_for}))
    return accounts.authenticate(db, username, password, common.client_address())


def fail_five_times(monkeypatch: pytest.MonkeyPatch, db, forwarded_for: str) -> None:
    """Let one client try five unknown usernames (the free failures), each with another forged header in front."""
    for attempt in range(settings.SIGN_IN_FREE_FAILURES):
        with pytest.raises(accounts.SignInError):
            sign_in_from(monkeypatch, db, f"198.51.100.{attempt}, {forwarded_for}", f"guess{attempt}", "wrong password here")


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_change_the_throttle_key(
    team: dict, app_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buurtkaart.pages import common

    monkeypatch.delenv(settings.TRUSTED_PROXY_ENV, raising=False)
    keys = set()
    for forged in ("203.0.113.1", "203.0.113.2", "192.0.2.7, 203.0.113.3"):
        monkeypatch.setattr(common.st, "context", SimpleNamespace(ip_address="10.0.0.2", headers={"X-Forwarded-For": forged}))
        keys.add(common.client_address())
    assert keys == {"10.0.0.2"}  # the connection's address, whatever the header says
    fail_five_times(monkeypatch, app_store, "203.0.113.1")
    with pytest.raises(accounts.SignInError) as waiting:  # a new forged address does not escape the wait
        sign_in_from(monkeypatch, app_store, "203.0.113.200", "wout", PASSWORD)
    assert waiting.value.key == "error.signin_wait"


def test_behind_a_trusted_proxy_two_clients_are_throttled_apart(team: dict, app_store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.TRUSTED_PROXY_ENV, "10.0.0.2")
    fail_five_times(monkeypatch, app_store, "192.0.2.10")
    with pytest.raises(accounts.SignInError) as waiting:  # the guessing client waits, even with the right password…
        sign_in_from(monkeypatch, app_store, "192.0.2.10", "wout", PASSWORD)
    assert waiting.value.key == "error.signin_wait"
    assert sign_in_from(monkeypatch, app_store, "192.0.2.20", "wout", PASSWORD) == team["worker"]  # …the other does not


@pytest.mark.parametrize("name", ["map_page.py", "load_page.py"])
def test_the_pages_without_team_data_have_the_sign_in_box_too(team: dict, name: str) -> None:
    at = page(name).run()
    assert not at.exception
    assert at.sidebar.text_input(key="auth_username") is not None and at.sidebar.text_input(key="auth_password") is not None
    at.sidebar.text_input(key="auth_username").input("wout")
    at.sidebar.text_input(key="auth_password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert "Aangemeld: **wout**" in "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert at.session_state["auth_user_id"] == team["worker"].user_id
