"""Numbers, times, plurals and file names in the user's language (buurtkaart.formats)."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from buurtkaart import formats, i18n
from buurtkaart.paths import ROOT

NNBSP = "\u202f"  # the narrow no-break space French groups digits with


def test_numbers_are_grouped_as_each_language_writes_them() -> None:
    assert formats.number(1318, "nl") == "1.318"
    assert formats.number(1318, "fr") == f"1{NNBSP}318"
    assert formats.number(1318, "en") == "1,318"
    assert formats.number(12498, "xx") == "12.498"  # an unknown language: Dutch


def test_decimals_take_a_comma_in_dutch_and_french() -> None:
    assert formats.number(2.25, "nl", digits=1) == "2,2"  # half to even, as Babel rounds
    assert formats.number(1234.56, "fr", digits=1) == f"1{NNBSP}234,6"
    assert formats.number(1234.56, "en", digits=2) == "1,234.56"
    assert formats.number(4.5, "nl", digits=1) == "4,5"
    assert formats.number(4.6, "nl") == "5"


def test_metres_and_percentages() -> None:
    assert formats.metres(1250.4, "nl") == "1.250\u00a0m"
    assert formats.percent(0.25, "fr") == "25\u00a0%"
    assert formats.percent(0.25, "en") == "25%"


def test_times_are_shown_in_brussels_time_winter_and_summer() -> None:
    winter = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # UTC+1: already the 8th in Brussels
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # UTC+2
    assert formats.local_time(winter).hour == 0 and formats.local_time(winter).day == 8
    assert formats.local_time(summer).hour == 14
    assert formats.local_time(datetime(2026, 7, 1, 12, 0)).hour == 14  # naive = UTC, as the store keeps it
    assert formats.datetime_text(winter, "nl") == "8 dec 2026, 00:30:00"
    assert formats.datetime_text(winter, "fr") == "8 déc. 2026, 00:30:00"
    assert formats.datetime_text(winter, "en") == "8 Dec 2026, 00:30:00"
    assert formats.datetime_text(pd.Timestamp(summer), "en") == "1 Jul 2026, 14:00:00"
    assert formats.datetime_text(None, "nl") == "" and formats.datetime_text(pd.NaT, "nl") == ""


def test_days_are_written_in_the_language() -> None:
    assert formats.date_text(date(2026, 3, 5), "nl") == "5 mrt 2026"
    assert formats.date_text(date(2026, 3, 5), "fr") == "5 mars 2026"
    assert formats.date_text(datetime(2026, 12, 7, 23, 30, tzinfo=UTC), "en") == "8 Dec 2026"


def test_plural_forms_follow_each_language() -> None:
    assert formats.plural("plural.places_on_map", 1, "nl") == "1 plek op de kaart"
    assert formats.plural("plural.places_on_map", 2, "nl") == "2 plekken op de kaart"
    assert formats.plural("plural.places_on_map", 0, "nl") == "0 plekken op de kaart"
    assert formats.plural("plural.places_on_map", 0, "fr") == "0 lieu sur la carte"  # French: 0 is singular
    assert formats.plural("plural.places_on_map", 1318, "en") == "1,318 places on the map"
    assert formats.plural("plural.imported", 1, "en", name="a.csv") == "1 place imported from a.csv."


def test_every_plural_key_in_the_code_has_both_forms() -> None:
    used = set()
    for path in [*(ROOT / "buurtkaart").rglob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "plural":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used.add(first.value)
    assert {"plural.places_on_map", "plural.places_found", "plural.org_places", "plural.imported"} <= used  # the pages use them
    for key in used:
        assert f"{key}.one" in i18n.TABLE and f"{key}.other" in i18n.TABLE, key


def test_the_old_default_organisation_name_is_shown_in_the_language() -> None:
    assert formats.organisation_label("Mijn organisatie", "fr") == "Mon organisation"
    assert formats.organisation_label("Mijn organisatie", "en") == "My organisation"
    assert formats.organisation_label("Mijn organisatie", "nl") == "Mijn organisatie"
    assert formats.organisation_label("Buurthuis De Kroon", "fr") == "Buurthuis De Kroon"  # a real name is kept


def test_download_names_say_what_they_hold() -> None:
    on = date(2026, 12, 7)
    assert formats.download_name("buurtanalyse", "Schaerbeek", on=on, suffix=".html") == "buurtanalyse-schaerbeek-2026-12-07.html"
    assert formats.download_name("vindplaatsen", "Buurthuis De Kroon", on=on, suffix="geojson") == (
        "vindplaatsen-buurthuis-de-kroon-2026-12-07.geojson"
    )
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # made late in the evening: Brussels' date
    assert formats.download_name("auditlog", None, "", on=late, suffix=".csv") == "auditlog-2026-12-08.csv"
    assert formats.download_name("ronde", suffix=".gpx") == "ronde.gpx"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Chaussée de Haecht", "chaussee-de-haecht"),
        ("Maison des Femmes / Schaerbeek", "maison-des-femmes-schaerbeek"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("مسجد", "x"),  # no Latin letter: a stand-in, never an empty part
        ("Sint-Joost-ten-Node\u0000<script>", "sint-joost-ten-node-script"),
        ("Œuvre Łódź", "oeuvre-lodz"),
    ],
)
def test_file_name_parts_are_slug_safe(name: str, expected: str) -> None:
    part = formats.slug(name)
    assert part == expected
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", part)


def test_an_attacker_cannot_steer_where_a_download_goes() -> None:
    name = formats.download_name("vindplaatsen", "../" * 30 + "Ünïcode\r\n; rm -rf ~", on=date(2026, 1, 2), suffix=".csv")
    assert "/" not in name and "\\" not in name and ".." not in name and "\n" not in name and " " not in name
    assert name.startswith("vindplaatsen-") and name.endswith("-2026-01-02.csv")
    assert len(name) <= 80
