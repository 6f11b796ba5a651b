"""Accounts for the browser tests and how a test signs in (the served app's store gets them before it starts)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

TEST_PASSWORD = "browser test wachtwoord 2026"
TEAM = "Mijn organisatie"  # the organisation most browser tests work in
DEMO_TEAM = "Demo-organisatie (fictief)"  # buurtkaart.demo.DEMO_ORGANISATION
# username -> (organisation, role); every account has TEST_PASSWORD
ACCOUNTS: dict[str, tuple[str, str]] = {
    "worker": (TEAM, "worker"),
    "coordinator": (TEAM, "coordinator"),
    "viewer": (TEAM, "viewer"),
    "demo-worker": (DEMO_TEAM, "worker"),
    "wassalon": ("Wassalonteam", "coordinator"),
    "koffie": ("Koffieteam", "coordinator"),
    "banken": ("Bankenteam", "coordinator"),
    "ronde": ("Ronde-testorganisatie", "worker"),
    "other-worker": ("Ander team", "worker"),
    "correctie": ("Correctieteam", "worker"),
    "inlog": ("Inlogteam", "worker"),
}


STORES: dict[str, Path] = {}  # app URL -> the SQLite file its server uses (filled by the app_url fixture)


def fresh_account(app_url: str, team: str, role: str = "worker") -> str:
    """Create a new organisation named after `team` with one account of `role` in the served app's store; return
    its username (a test that creates data starts from an empty organisation, on a rerun too)."""
    suffix = uuid.uuid4().hex[:6]
    username = f"{team.lower()}-{suffix}"
    add_accounts(STORES[app_url], {username: (f"{team} {suffix}", role)})
    return username


def create_accounts(sqlite_file: Path) -> None:
    """Create the organisations and ACCOUNTS in the SQLite store at `sqlite_file` (made and migrated if new)."""
    add_accounts(sqlite_file, ACCOUNTS)


def add_accounts(sqlite_file: Path, wanted: dict[str, tuple[str, str]]) -> None:
    """Create the accounts `wanted` (username -> (organisation, role), password TEST_PASSWORD) and their organisations."""
    from buurtkaart import accounts, organisations
    from buurtkaart.store import open_store

    db = open_store(f"sqlite:///{sqlite_file}")
    try:
        for username, (team, role) in wanted.items():
            org = organisations.ensure(db, team)
            accounts.create_user(db, None, username=username, password=TEST_PASSWORD, organisation_id=org, role=role)
    finally:
        db.close()


def settle(page: Page, seconds: float = 60) -> None:
    """Wait until Streamlit has finished its run."""
    app = page.locator('[data-testid="stApp"]')
    page.wait_for_timeout(300)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=seconds * 1000)


def sign_in(page: Page, app_url: str, username: str, password: str = TEST_PASSWORD, *, path: str = "") -> None:
    """Open `app_url + path` and sign in with the sidebar form (a page load starts a new session: sign in after each goto)."""
    page.goto(app_url + path)
    form = page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')
    expect(form).to_be_visible(timeout=60_000)
    form.get_by_label("Gebruikersnaam").fill(username)
    form.get_by_label("Wachtwoord").fill(password)
    form.get_by_role("button", name="Aanmelden").click()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(re.compile(rf"Aangemeld: {re.escape(username)}\b"))).to_be_visible(
        timeout=60_000
    )
    settle(page)


def sign_out(page: Page) -> None:
    """Press the sidebar's sign-out button and wait until the sign-in form is back."""
    page.get_by_role("button", name="Afmelden").click()
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stForm"]')).to_be_visible(timeout=60_000)
    settle(page)
