"""The Beheer page through Streamlit's AppTest: the organisation's audit log, never another organisation's events."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buurtkaart import accounts, audit, organisations
from buurtkaart import pseudonym as pseudo
from buurtkaart import store as store_mod
from buurtkaart.i18n import t

PAGE = str(Path(__file__).resolve().parent.parent / "buurtkaart" / "pages" / "beheer_page.py")


@pytest.fixture(name="db")
def db_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> store_mod.Store:
    """Return the store the page opens (a SQLite file of this test), with the page's caches emptied."""
    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "page.sqlite"))
    monkeypatch.setenv(pseudo.KEY_ENV, "a-test-key-that-is-long-enough-0123")
    st.cache_resource.clear()
    db = store_mod.open_store()
    yield db
    db.close()
    st.cache_resource.clear()


PASSWORD = "een lang beheerwachtwoord 2026"


def signed_in(db: store_mod.Store, organisation_id: str, role: str) -> AppTest:
    """Return the page with a user of `role` of the organisation signed in (the session holds only the account id)."""
    actor = accounts.create_user(
        db, None, username=f"{role}-beheer", password=PASSWORD, organisation_id=organisation_id, role=role
    )
    page = AppTest.from_file(PAGE, default_timeout=60)
    page.session_state["auth_user_id"] = actor.user_id
    page.session_state["auth_last_seen"] = accounts.now()
    return page


def test_the_page_shows_its_own_organisations_events_only(db: store_mod.Store) -> None:
    own = organisations.ensure(db, "Buurthuis A")
    other = organisations.ensure(db, "Buurthuis B")
    audit.record(db, own, "an", "citizen.view", "BK-AAAA-1111")
    audit.record(db, other, "spion", "citizen.view", "BK-BBBB-2222")
    page = signed_in(db, own, "coordinator").run()
    assert not page.exception
    assert page.title[0].value.endswith(t("page.beheer", "nl"))
    [table] = page.dataframe
    shown = table.value
    assert list(shown.columns) == [t(f"audit.col.{c}", "nl") for c in audit.COLUMNS]
    assert list(shown[t("audit.col.target", "nl")]) == ["BK-AAAA-1111"]
    assert list(shown[t("audit.col.action", "nl")]) == ["burger bekeken"]  # the action in the page's language
    assert "spion" not in set(shown[t("audit.col.user", "nl")])


def test_an_organisation_without_events_says_so(db: store_mod.Store) -> None:
    page = signed_in(db, organisations.ensure(db, "Buurthuis A"), "coordinator").run()
    assert not page.exception and not page.dataframe
    assert page.info[0].value == t("audit.empty", "nl")


def test_a_worker_and_a_visitor_see_no_audit_log(db: store_mod.Store) -> None:
    own = organisations.ensure(db, "Buurthuis A")
    audit.record(db, own, "an", "citizen.view", "BK-AAAA-1111")
    worker = signed_in(db, own, "worker").run()
    visitor = AppTest.from_file(PAGE, default_timeout=60).run()
    for page in (worker, visitor):
        assert not page.exception and not page.dataframe
        assert "BK-AAAA-1111" not in str([element.value for element in page.main.children.values() if hasattr(element, "value")])
