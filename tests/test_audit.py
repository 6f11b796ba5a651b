"""Tests of the audit log: events per organisation, the writers record theirs in their own transaction, clean targets."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from buurtkaart import audit, consent, erasure, exchange, formats, organisations
from buurtkaart import citizens as cz
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url, pseudonym_key, quartiers)
    BOX,
    PARK,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    pseudonym_key_fixture,
    quartiers_fixture,
    store_fixture,
)

TIE = {
    "role": "friend", "capital": "bonding", "functions": ["affectief"], "frequency": "weekly", "strength": "strong",
    "state": "active", "influence": "positive", "reciprocity": "both", "location": PARK,
}  # fmt: skip


def actions(store: Store, org: str) -> list[tuple[str, str, str | None]]:
    """Return (user, action, target) of the organisation's events, the oldest first."""
    frame = audit.events(store, org)
    return [(r.user, r.action, r.target) for r in frame.iloc[::-1].itertuples()]


def test_events_are_read_back_newest_first_with_since_and_limit(store: Store, org: str) -> None:
    audit.record(store, org, "an", "export.csv")
    audit.record(store, org, "bo", "citizen.view", "BK-7F3A-92C1")
    frame = audit.events(store, org)
    assert list(frame.columns) == list(audit.COLUMNS)
    assert list(frame["user"]) == ["bo", "an"] and list(frame["target"]) == ["BK-7F3A-92C1", None]
    assert str(frame["at"].dtype) == "datetime64[us, UTC]"
    assert list(audit.events(store, org, limit=1)["user"]) == ["bo"]
    assert len(audit.events(store, org, since=datetime.now(UTC) + timedelta(minutes=1))) == 0
    assert len(audit.events(store, org, since=date.today())) == 2


def test_an_organisation_never_sees_another_ones_events(store: Store, org: str) -> None:
    other = organisations.ensure(store, "Buurthuis B")
    audit.record(store, other, "spy", "citizen.view", "BK-AAAA-BBBB")
    audit.record(store, org, "an", "export.csv")
    assert [a for _u, a, _t in actions(store, org)] == ["export.csv"]
    assert "spy" not in set(audit.events(store, org)["user"])
    assert list(audit.events(store, other)["user"]) == ["spy"]


def test_untrusted_user_and_target_are_cleaned_and_unknown_actions_refused(store: Store, org: str) -> None:
    audit.record(store, org, "an\n<b>x</b>\x00" + "y" * 500, "citizen.view", "Jan Janssens <script>alert(1)</script>")
    [(user, _action, target)] = actions(store, org)
    assert "\n" not in user and "\x00" not in user and len(user) <= 200
    assert target == "JanJanssensscriptalert1script"  # no spaces, no markup: a code or an id, never a sentence
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(store, org, "an", "citizen.steal", "x")
    audit.record(store, org, "", "user.sign_in")  # the sign-in's own user.* events are accepted
    assert actions(store, org)[-1] == (audit.DEFAULT_USER, "user.sign_in", None)


def test_the_citizen_writers_record_who_did_what_to_which_code(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> None:
    person = cz.create_citizen(store, org, anchor=PARK, quartiers=quartiers, user="an")
    cz.update_citizen(store, org, person.id, age_band="70_plus", user="an")
    tie = cz.add_tie(store, org, person.id, **TIE, user="bo")
    other = cz.add_ties(store, org, person.id, [TIE], user="bo")[0]
    cz.update_tie(store, org, tie.id, state="slapend", user="bo")
    cz.set_links(store, org, person.id, [(tie.id, other.id)], user="bo")
    version = cz.save_version(store, org, person.id, on=date(2025, 3, 1), user="an")
    cz.redate_version(store, org, version.id, on=date(2025, 3, 2), user="an")
    cz.delete_tie(store, org, other.id, user="bo")
    consent.record_consent(store, org, person.id, given=True, given_on=date.today(), user="cy")
    code = person.code
    assert actions(store, org) == [
        ("an", "citizen.create", code), ("an", "citizen.update", code), ("bo", "tie.add", code), ("bo", "tie.add", code),
        ("bo", "tie.update", code), ("bo", "tie.links", code), ("an", "citizen.version", code),
        ("an", "citizen.version", code), ("bo", "tie.delete", code), ("cy", "export.share", code),
    ]  # fmt: skip


def test_erasing_a_citizen_keeps_the_events_but_not_the_code(store: Store, org: str, quartiers: gpd.GeoDataFrame) -> None:
    person = cz.create_citizen(store, org, anchor=PARK, quartiers=quartiers, user="an")
    stays = cz.create_citizen(store, org, anchor=PARK, quartiers=quartiers, user="an")
    audit.record(store, org, "bo", "citizen.view", person.code)
    erasure.erase_citizen(store, org, person.id, user="cy")
    events = actions(store, org)
    targets = [t for _u, _a, t in events]
    assert person.code not in targets and stays.code in targets
    token = events[-1][2]
    assert events[-1][:2] == ("cy", "citizen.erase") and token.startswith(audit.ERASED_PREFIX)
    assert targets.count(token) == 3  # created, viewed and erased: one (erased) citizen, no code
    if not store.is_postgres:
        path = Path(store.engine.url.database)
        data = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        assert person.code.encode() not in data and stays.code.encode() in data


def test_the_map_writers_and_exports_record_their_events(store: Store, org: str, tmp_path: Path) -> None:
    item = vp.add(store, org, user="an", layer="vindplaats", name="Theehuis", kind="tea_house", lon=4.37, lat=50.86, bounds=BOX)
    item = vp.update(store, org, item.id, user="bo", expected_version=1, notes="open")
    item = vp.move(store, org, item.id, user="bo", expected_version=2, lon=4.371, lat=50.861, bounds=BOX)
    item = vp.delete(store, org, item.id, user="bo", expected_version=3)
    vp.restore(store, org, item.id, user="bo", expected_version=4)
    exchange.export_items(store, org, tmp_path / "team.geojson", user="cy")
    exchange.export_bytes(store, org, suffix=".csv", user="cy")
    source = tmp_path / "in.csv"
    source.write_text("name,kind,lon,lat\nBank,bench,4.38,50.87\nPlein,square,4.39,50.865\n", encoding="utf-8")
    exchange.import_file(store, org, source, user="dy", layer="vindplaats", bounds=BOX)
    assert actions(store, org) == [
        ("an", "vindplaats.create", item.id), ("bo", "vindplaats.update", item.id), ("bo", "vindplaats.move", item.id),
        ("bo", "vindplaats.delete", item.id), ("bo", "vindplaats.restore", item.id), ("cy", "export.geojson", None),
        ("cy", "export.csv", None), ("dy", "vindplaats.import", None),
    ]  # fmt: skip


def test_a_refused_change_records_no_event(store: Store, org: str) -> None:
    item = vp.add(store, org, user="an", layer="vindplaats", name="Bank", kind="bench", lon=4.37, lat=50.86, bounds=BOX)
    vp.update(store, org, item.id, user="bo", expected_version=1, notes="x")
    with pytest.raises(vp.StaleEditError):
        vp.update(store, org, item.id, user="cy", expected_version=1, notes="y")
    assert "cy" not in {u for u, _a, _t in actions(store, org)}


def test_csv_cells_of_the_log_never_run_as_formulas(store: Store, org: str) -> None:
    audit.record(store, org, "=HYPERLINK(\"http://x\")", "export.csv")
    table = pd.read_csv(io.StringIO(audit.csv_text(audit.events(store, org))))
    assert list(table.columns) == list(audit.COLUMNS)
    assert table["user"][0].startswith("'=")


def test_the_page_table_has_translated_headers_actions_brussels_time_and_a_dash_for_no_target(store: Store, org: str) -> None:
    audit.record(store, org, "an", "export.csv")
    events = audit.events(store, org)
    table = audit.shown(events, lang="fr")
    assert list(table.columns) == ["Moment", "Utilisateur", "Action", "Cible"]
    assert table["Moment"][0] == formats.datetime_text(events["at"][0], "fr")  # Brussels time, to the second
    assert re.fullmatch(r"\d{1,2} \S+ \d{4}, \d\d:\d\d:\d\d", table["Moment"][0])
    assert table["Action"][0] == "export (CSV)" and table["Cible"][0] == "—"
    assert audit.action_label("user.sign_in", "en") == "signed in" and audit.action_label("user.new_thing", "en") == "user.new_thing"


def test_a_shared_map_of_the_organisation_made_on_the_command_line_is_in_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buurtkaart import cli
    from buurtkaart import store as store_mod

    monkeypatch.delenv(store_mod.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(store_mod.SQLITE_PATH_ENV, str(tmp_path / "cli.sqlite"))
    db = store_mod.open_store()
    org = organisations.ensure(db, "Buurthuis X")
    assert cli.main(["share", "--what", "map", "--area", "quartier:27", "--org", "Buurthuis X",
                     "--out", str(tmp_path / "kaart.html")]) == 0  # fmt: skip
    assert actions(db, org) == [("cli", "export.share", "map")]
    db.close()
