"""Tests of saved rounds on both backends: save, reopen, repeat on another day, mark walked, refuse stale edits."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from buurtkaart import saved_rounds as sr
from buurtkaart import vindplaatsen as vp
from buurtkaart.routes import Stop
from buurtkaart.saved_rounds import RoundError, Settings
from buurtkaart.store import Store
from tests.store_fixtures import (  # noqa: F401  (fixtures)
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

START = Stop(id="site-1", name="Buurthuis De Kroon", lon=4.377, lat=50.864, source="item")
STOPS = (
    Stop(id="vp-1", name="Theehuis <b>Anatolia</b>", lon=4.372, lat=50.865, minutes=20, hours="Mo-Su 14:00-22:00", source="item"),
    Stop(id="bxl:poi/5", name="Wasserette", lon=4.366, lat=50.860, source="place"),
)
SETTINGS = Settings(start=START, stops=STOPS, returns=False, walkers=2, max_minutes=90, speed_kmh=3.5, start_time=time(14, 30))


def test_save_reopen_and_repeat_on_another_day(store: Store, org: str) -> None:
    saved = sr.save_round(store, org, user="an", name="  Dinsdagronde \n Noord ", settings=SETTINGS, planned_for=date(2026, 12, 8))
    assert saved.name == "Dinsdagronde Noord" and saved.version == 1
    [listed] = sr.list_rounds(store, org)
    assert listed.settings == SETTINGS  # every stop, hour and setting comes back as it was
    assert listed.planned_for == date(2026, 12, 8)
    again = sr.update_round(store, org, saved.id, user="bo", expected_version=1, planned_for=date(2026, 12, 15))
    assert again.version == 2 and again.updated_by == "bo"
    reopened = sr.get_round(store, org, saved.id)
    assert reopened.planned_for == date(2026, 12, 15) and reopened.settings == SETTINGS
    assert sr.round_names([reopened]) == {saved.id: "Dinsdagronde Noord (2026-12-15)"}


def test_a_stale_edit_is_refused_and_names_who_changed_the_round(store: Store, org: str) -> None:
    saved = sr.save_round(store, org, user="an", name="Ronde", settings=SETTINGS)
    sr.update_round(store, org, saved.id, user="bo", expected_version=saved.version, name="Ronde Noord")
    with pytest.raises(RoundError) as error:
        sr.update_round(store, org, saved.id, user="an", expected_version=saved.version, name="Ronde Zuid")
    assert error.value.key == "error.round_stale" and "bo" in error.value.message("nl")
    assert sr.get_round(store, org, saved.id).name == "Ronde Noord"  # nothing written over


def test_mark_walked_keeps_a_count_not_names(store: Store, org: str) -> None:
    saved = sr.save_round(store, org, user="an", name="Ronde", settings=SETTINGS)
    sr.mark_walked(store, org, saved.id, walked_on=date(2026, 11, 3), walked_by="Fatima", contacts=7)
    sr.mark_walked(store, org, saved.id, walked_on=date(2026, 11, 10), walked_by="Jan", contacts=0)
    assert [(w.walked_on, w.walked_by, w.contacts) for w in sr.walks(store, org, saved.id)] == [
        (date(2026, 11, 3), "Fatima", 7), (date(2026, 11, 10), "Jan", 0),
    ]
    for bad in (-1, 2.5, "zeven", True, sr.MAX_CONTACTS + 1):
        with pytest.raises(RoundError) as error:
            sr.mark_walked(store, org, saved.id, walked_on=date(2026, 11, 3), walked_by="Jan", contacts=bad)
        assert error.value.key == "error.round_contacts"
    with pytest.raises(RoundError) as error:
        sr.mark_walked(store, org, saved.id, walked_on=date.today() + timedelta(days=2), walked_by="Jan", contacts=1)
    assert error.value.key == "error.round_walked_on"
    assert len(sr.walks(store, org, saved.id)) == 2  # the refused ones wrote nothing


def test_bad_rounds_are_refused_and_other_organisations_see_nothing(store: Store, org: str) -> None:
    for name, settings, key in [
        ("", SETTINGS, "error.round_name"),
        ("x" * 201, SETTINGS, "error.round_name"),
        ("Ronde\x00", SETTINGS, "error.round_name"),
        ("Ronde", Settings(start=START, stops=()), "error.route_no_stops"),
        ("Ronde", Settings(start=START, stops=(Stop(id="p", name="Nergens", lon=float("nan"), lat=50.0),)), "error.round_point"),
    ]:
        with pytest.raises(RoundError) as error:
            sr.save_round(store, org, user="an", name=name, settings=settings)
        assert error.value.key == key
    assert sr.list_rounds(store, org) == []
    saved = sr.save_round(store, org, user="an", name="Ronde", settings=SETTINGS)
    other = vp.ensure_organisation(store, "Ander huis")
    assert sr.list_rounds(store, other) == []
    with pytest.raises(RoundError) as error:
        sr.get_round(store, other, saved.id)
    assert error.value.key == "error.round_not_found"
    with pytest.raises(RoundError):
        sr.mark_walked(store, other, saved.id, walked_on=date(2026, 11, 3), walked_by="Jan", contacts=1)
    sr.delete_round(store, org, saved.id, user="an", expected_version=saved.version)
    assert sr.list_rounds(store, org) == []
