"""The pages through Streamlit's AppTest by role: a viewer gets no form that would change, erase or export anything."""

from __future__ import annotations

from datetime import time

import pytest
from streamlit.testing.v1 import AppTest

from buurtkaart import accounts, audit, organisations, routes
from buurtkaart import citizens as cz
from buurtkaart import saved_rounds as sr
from buurtkaart import vindplaatsen as vp
from tests.store_fixtures import BOX, PARK
from tests.test_signin_pages import PASSWORD, app_store_fixture, signed_in  # noqa: F401  (the fixture app_store)

STOPS = (routes.Stop(id="a", name="Theehuis", lon=4.3725, lat=50.8610), routes.Stop(id="b", name="Wasserette", lon=4.3660, lat=50.8600))
READ_ONLY = {"nl": "kan hier kijken, niet wijzigen", "fr": "permet de consulter ici", "en": "can look here, not change"}


@pytest.fixture
def team(app_store) -> dict:
    """An organisation with a vindplaats, a saved round and a citizen, and one account of each role."""
    org = organisations.ensure(app_store, "LDC Rollen")
    vp.add(app_store, org, user="admin", layer="vindplaats", name="Theehuis Assalam", kind="tea_house", lon=4.3725, lat=50.8610, bounds=BOX)
    settings = sr.Settings(start=STOPS[0], stops=STOPS[1:], returns=True, walkers=1, start_time=time(10, 0))
    sr.save_round(app_store, org, user="admin", name="Dinsdagronde", settings=settings)
    person = cz.create_citizen(app_store, org, reference="R-1", anchor=PARK)
    made = {"org": org, "code": person.code, "citizen": person.citizen_id}
    for role in ("viewer", "worker", "coordinator"):
        made[role] = accounts.create_user(app_store, None, username=f"{role}-1", password=PASSWORD, organisation_id=org, role=role)
    return made


def controls(at: AppTest) -> set[str]:
    """Return the keys of every button (a form's submit button too) and upload field the run drew.

    Sign-out and the way into the demo organisation (open to every signed-in user, a viewer stays a viewer there) aside.
    """
    keys = {str(b.key) for b in at.button} | {str(u.key) for u in at.get("file_uploader")}
    keys |= {str(b.key) for b in at.get("download_button")}
    return keys - {"auth_sign_out", "demo_enter"}


def shown(at: AppTest) -> str:
    """Return the messages and captions of the run."""
    return "\n".join(str(e.value) for kind in ("info", "warning", "caption", "markdown") for e in getattr(at, kind))


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_a_viewer_gets_no_edit_form_on_the_vindplaatsen_page(team: dict, lang: str) -> None:
    at = signed_in("vindplaatsen_page.py", team["viewer"], lang=lang)
    assert not at.exception
    assert controls(at) == set()  # no save, move, delete, import or export
    assert READ_ONLY[lang] in shown(at)
    worker = signed_in("vindplaatsen_page.py", team["worker"], lang=lang)
    assert any(key.startswith("FormSubmitter:vp_new") for key in controls(worker))  # the check does see a form
    assert "vp_delete" in controls(worker) and "vp_export" not in controls(worker)
    assert "vp_export" in controls(signed_in("vindplaatsen_page.py", team["coordinator"], lang=lang))


def test_a_viewer_plans_a_round_but_gets_no_save_or_walked_form(team: dict) -> None:
    at = signed_in("ronde_page.py", team["viewer"])
    assert not at.exception
    assert not {k for k in controls(at) if k.startswith(("ronde_save", "ronde_update", "FormSubmitter:ronde_walked"))}
    assert "ronde_plan_button" in controls(at) and "ronde_open" in controls(at)  # planning and opening are reading
    assert READ_ONLY["nl"] in shown(at)
    worker = signed_in("ronde_page.py", team["worker"])
    assert any(k.startswith("FormSubmitter:ronde_walked") for k in controls(worker))


def test_only_the_coordinator_gets_the_files_of_the_delen_page(team: dict) -> None:
    for role in ("viewer", "worker"):
        at = signed_in("delen_page.py", team[role])
        assert not at.exception
        assert not {k for k in controls(at) if k.startswith(("share_download", "share_make"))}, role
        assert "coördinator" in shown(at)
    coordinator = signed_in("delen_page.py", team["coordinator"])
    assert {"share_download", "share_make_png", "share_make_pdf"} <= controls(coordinator)


def test_a_viewer_gets_no_citizen_form_and_a_worker_no_erasure(team: dict) -> None:
    at = signed_in("burger_page.py", team["viewer"])
    assert controls(at) == set() and not at.text_input and "BK-" not in shown(at)
    worker = signed_in("burger_page.py", team["worker"], bg_section="manage")
    assert not worker.exception and "bg_erase" not in controls(worker) and any(k.endswith("_save") for k in controls(worker))
    coordinator = signed_in("burger_page.py", team["coordinator"], bg_section="manage")
    assert "bg_erase" in controls(coordinator)


def test_opening_a_citizen_records_one_view_per_opening_not_per_rerun(team: dict, app_store) -> None:
    def views() -> int:
        return int((audit.events(app_store, team["org"])["action"] == "citizen.view").sum())

    at = signed_in("burger_page.py", team["worker"])
    assert team["code"] in "\n".join(str(h.value) for h in at.header)
    assert views() == 1
    at.run()
    at.run()  # reruns of the same page (a click, a widget) are no new opening
    assert views() == 1
    again = signed_in("burger_page.py", team["worker"])  # a new session opens the citizen again
    assert not again.exception and views() == 2
