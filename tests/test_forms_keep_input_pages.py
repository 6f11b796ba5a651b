"""Issue 14 through Streamlit's AppTest: the first-start form, which shows only while the store has no account (so not
in the served app of the browser tests), keeps what was typed when it refuses, and says why in the form."""

from __future__ import annotations

from buurtkaart import accounts, organisations, settings
from buurtkaart.i18n import t
from buurtkaart.plain_text import escape_markdown
from tests.test_signin_pages import PASSWORD, app_store_fixture, page  # noqa: F401  (the app_store fixture)


def test_a_refused_first_start_keeps_the_organisation_and_the_username(app_store) -> None:
    at = page("burger_page.py").run()
    at.text_input(key="auth_first_org").input("LDC Nieuw")
    at.text_input(key="auth_first_user").input("nina")
    at.text_input(key="auth_first_pw").input("kort")  # too short
    at.text_input(key="auth_first_pw2").input("kort")
    at.button(key="FormSubmitter:auth_first-Coördinator aanmaken").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [escape_markdown(t("error.password_short", "nl", minimum=settings.PASSWORD_MIN_LENGTH))]
    assert at.text_input(key="auth_first_org").value == "LDC Nieuw"
    assert at.text_input(key="auth_first_user").value == "nina"
    assert organisations.listing(app_store) == [] and not accounts.any_accounts(app_store)
    # two different passwords: refused too, and the names still there
    at.text_input(key="auth_first_pw").input(PASSWORD)
    at.text_input(key="auth_first_pw2").input(PASSWORD + " anders")
    at.button(key="FormSubmitter:auth_first-Coördinator aanmaken").click().run()
    assert [e.value for e in at.error] == [escape_markdown(t("error.password_mismatch", "nl"))]
    assert at.text_input(key="auth_first_org").value == "LDC Nieuw"
    assert at.text_input(key="auth_first_user").value == "nina" and not accounts.any_accounts(app_store)
    # typed right: the first coordinator is made
    at.text_input(key="auth_first_pw2").input(PASSWORD)
    at.button(key="FormSubmitter:auth_first-Coördinator aanmaken").click().run()
    assert [name for _, name in organisations.listing(app_store)] == ["LDC Nieuw"] and accounts.any_accounts(app_store)
