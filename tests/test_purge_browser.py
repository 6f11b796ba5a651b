"""Browser test of the coordinator's purge on the vindplaatsen page: a deleted place goes with its whole history."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.signin import STORES, fresh_account, settle, sign_in

PHONE = "0470 12 34 56"


def store_of(app_url: str):
    """Return the served app's store (the caller closes it)."""
    from buurtkaart.store import open_store

    return open_store(f"sqlite:///{STORES[app_url]}")


def deleted_gatekeeper(app_url: str, username: str) -> tuple[str, str]:
    """Add a gatekeeper with a phone number in its notes to the account's organisation, clear the note, delete the
    place; return (organisation id, item id)."""
    from buurtkaart import organisations
    from buurtkaart import vindplaatsen as vp

    db = store_of(app_url)
    try:  # tests.signin.fresh_account names the organisation "<Team> <suffix>" and its user "<team>-<suffix>"
        org = next(oid for oid, org_name in organisations.listing(db) if org_name.lower().replace(" ", "-") == username)
        box = (4.2, 50.7, 4.5, 50.95)
        item = vp.add(db, org, user="ann", layer="gatekeeper", name="Poortwachter Jef", kind="other", lon=4.37, lat=50.86,
                      bounds=box, notes=f"bel {PHONE}")  # fmt: skip
        item = vp.update(db, org, item.id, user="ann", expected_version=item.version, notes="")
        vp.delete(db, org, item.id, user="ann", expected_version=item.version)
    finally:
        db.close()
    return org, item.id


def history_tab(page: Page):
    """Open the history tab and return its panel."""
    page.get_by_role("tab", name="Geschiedenis").click()
    return page.get_by_role("tabpanel", name="Geschiedenis")


def test_a_coordinator_purges_a_deleted_place_with_its_history(page: Page, app_url: str) -> None:
    from buurtkaart import vindplaatsen as vp

    username = fresh_account(app_url, "Purgeteam", "coordinator")
    org, _item = deleted_gatekeeper(app_url, username)
    sign_in(page, app_url, username, path="/vindplaatsen")
    tab = history_tab(page)
    expect(tab.get_by_text("Definitief wissen").first).to_be_visible(timeout=30_000)
    expect(tab.get_by_text("bewaard zonder einddatum")).to_be_visible()
    button = tab.get_by_role("button", name="Definitief wissen")
    expect(button).to_be_disabled()  # not before the box is ticked
    tab.get_by_text("Ik weet het zeker").click()
    settle(page)
    tab.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_text("Poortwachter Jef is definitief gewist")).to_be_visible(timeout=30_000)
    settle(page)
    page.screenshot(path="/tmp/privacy2-purge.png", full_page=True)

    db = store_of(app_url)
    try:
        assert vp.history(db, org).empty  # the cleared note's phone number went with the history
        assert vp.list_items(db, org, include_deleted=True).empty
    finally:
        db.close()
    expect(history_tab(page).get_by_text("geen verwijderde plaatsen")).to_be_visible(timeout=30_000)


def test_a_worker_sees_no_purge(page: Page, app_url: str) -> None:
    username = fresh_account(app_url, "Purgewerker", "worker")
    deleted_gatekeeper(app_url, username)
    sign_in(page, app_url, username, path="/vindplaatsen")
    tab = history_tab(page)
    expect(tab.get_by_text("bewaard zonder einddatum")).to_be_visible(timeout=30_000)
    assert tab.get_by_role("button", name="Definitief wissen").count() == 0
    assert tab.get_by_text("Ik weet het zeker").count() == 0
