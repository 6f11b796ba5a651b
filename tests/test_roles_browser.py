"""Browser test of roles (issue 10): a viewer signs in on the Kaart page and finds no form that would change, import,
save or export anything on the Vindplaatsen, Ronde and Delen pages, but a short line that says why."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from buurtkaart.i18n import t
from tests.signin import settle, sign_in

NL = "nl"
READ_ONLY = t("auth.read_only", NL, role=t("auth.role.viewer", NL))
SHOTS = Path(__file__).resolve().parent / "artifacts"  # ignored by git


def open_page(page: Page, url_path: str) -> None:
    """Go to another page through the sidebar's navigation (the session, and so the sign-in, stays)."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').click()
    settle(page)


def main(page: Page):
    """Return the main part of the page (not the sidebar)."""
    return page.locator('[data-testid="stMain"]')


def test_a_viewer_signs_in_on_the_kaart_page_and_gets_no_edit_form(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "viewer")  # the Kaart page has the sign-in box too
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("(kijker)")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)

    open_page(page, "vindplaatsen")
    expect(main(page).get_by_text(READ_ONLY).first).to_be_visible(timeout=60_000)
    for name in (t("vp.save", NL), t("vp.delete", NL), t("vp.move", NL), t("vp.import.button", NL)):
        expect(main(page).get_by_role("button", name=name, exact=True)).to_have_count(0)
    page.get_by_role("tab", name=t("vp.tab.exchange", NL)).click()
    settle(page)
    expect(main(page).locator('input[type="file"]')).to_have_count(0)
    expect(main(page).get_by_role("button", name=t("vp.export.button", NL))).to_have_count(0)
    page.screenshot(path=str(SHOTS / "viewer-vindplaatsen.png"), full_page=True)

    open_page(page, "ronde")
    expect(main(page).get_by_text(READ_ONLY)).to_be_visible(timeout=60_000)
    expect(main(page).get_by_role("button", name=t("ronde.save", NL))).to_have_count(0)
    expect(main(page).get_by_role("button", name=t("ronde.walked.button", NL))).to_have_count(0)

    open_page(page, "delen")
    role = t("auth.role.viewer", NL)
    expect(main(page).get_by_text(t("auth.export_needed", NL, role=role))).to_be_visible(timeout=120_000)
    for name in (t("share.download", NL), t("share.make.png", NL), t("share.make.pdf", NL)):
        expect(main(page).get_by_role("button", name=name)).to_have_count(0)
    page.screenshot(path=str(SHOTS / "viewer-delen.png"), full_page=True)
