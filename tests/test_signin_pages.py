"""The pages through Streamlit's AppTest: a visitor sees nothing of the citizens; first start; sign-in; SSO matching."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buurtkaart import accounts, organisations
from buurtkaart import citizens as cz
from buurtkaart import pseudonym as pseudo
from buurtkaart.store import open_store
from buurtkaart.vocabulary import Location

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "blauwe fiets op de markt"
ANCHOR = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
TIMEOUT = 240


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
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


def test_a_signed_in_worker_sees_only_the_own_citizens(team: dict) -> None:
    at = page("burger_page.py")
    at.session_state["auth_user_id"] = team["worker"].user_id
    at.session_state["auth_last_seen"] = accounts.now()
    at.run()
    text = shown_text(at)
    assert team["mine"] in text and team["theirs"] not in text and not at.exception


def test_a_viewer_gets_no_citizen_page(team: dict) -> None:
    at = page("burger_page.py")
    at.session_state["auth_user_id"] = team["viewer"].user_id
    at.session_state["auth_last_seen"] = accounts.now()
    at.run()
    text = shown_text(at)
    assert "kijker" in text and "BK-" not in text


def test_an_expired_session_is_signed_out(team: dict) -> None:
    from datetime import timedelta

    at = page("burger_page.py")
    at.session_state["auth_user_id"] = team["worker"].user_id
    at.session_state["auth_last_seen"] = accounts.now() - timedelta(minutes=31)
    at.run()
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
