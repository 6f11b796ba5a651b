"""Tables, maps and places in the user's language: history and audit tables, Leaflet's scale and draw texts, countries."""

from __future__ import annotations

from datetime import UTC, datetime

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from buurtkaart import gazetteer, i18n, maps, network_maps
from buurtkaart import vindplaatsen as vp

WINTER_EVENING = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # already 8 December in Brussels


def history_log() -> pd.DataFrame:
    """Return a small history: a place made, then changed, then deleted."""
    return pd.DataFrame(
        {
            "id": [1, 2, 3], "item_id": ["a", "a", "a"],
            "at": pd.to_datetime([WINTER_EVENING, WINTER_EVENING, WINTER_EVENING], utc=True),
            "user": ["u-1", "u-1", "gone"], "action": ["create", "update", "delete"], "name": ["Theehuis"] * 3,
            "changed": [("name", "kind"), ("hours",), ("deleted_at",)], "before": [None] * 3, "after": [None] * 3,
        }
    )  # fmt: skip


def test_the_history_table_is_in_the_language_newest_first_in_brussels_time() -> None:
    table = vp.history_table(history_log(), lang="fr", names={"u-1": "an"})
    assert list(table.columns) == ["Moment", "Qui", "Quoi", "Lieu", "Champs modifiés"]
    assert list(table["Quoi"]) == ["supprimé", "modifié", "ajouté"]
    assert list(table["Qui"]) == ["gone", "an", "an"]  # an unknown account keeps its id
    assert table["Moment"].iloc[0] == "8 déc. 2026, 00:30:00"
    assert list(table["Champs modifiés"]) == ["supprimé", "Quand (jours et heures)", "Nom, Type de lieu"]
    english = vp.history_table(history_log(), lang="en")
    assert not set(english.columns) & {"at", "user", "action", "name", "changed"}
    assert "create" not in set(english.iloc[:, 2]) and "added" in set(english.iloc[:, 2])


def test_every_history_action_and_field_has_a_text() -> None:
    for action in ("create", "update", "move", "delete", "restore", "import"):
        assert f"history.action.{action}" in i18n.TABLE
    for field in (*vp.EDITABLE, "lon", "lat"):
        assert f"item.{field}" in i18n.TABLE, field


def test_the_scale_bar_is_metric_only() -> None:
    m = folium.Map(location=[50.86, 4.38], zoom_start=14, tiles=None, control_scale=False)
    html = maps.add_scale(m).get_root().render()
    assert "L.control.scale({imperial: false})" in html
    assert "imperial: true" not in html and "control.scale()" not in html


def test_the_draw_tool_speaks_the_language_and_cannot_be_made_to_run_a_script() -> None:
    texts = maps.draw_texts("fr")
    assert texts["draw"]["toolbar"]["buttons"]["polygon"] == "Dessiner un polygone"
    assert texts["draw"]["handlers"]["rectangle"]["tooltip"]["start"].startswith("Cliquez et faites glisser")
    for lang in i18n.LANGUAGES:
        flat = str(maps.draw_texts(lang))
        assert "draw." not in flat  # every key has a text
    m = folium.Map(location=[50.86, 4.38], zoom_start=14, tiles=None)
    html = maps.add_draw(m, lang="en").get_root().render()
    assert html.index("L.drawLocal") < html.index("L.Control.Draw")  # the texts are set before the tool is made
    assert "Draw an area with corners" in html
    element = maps.DrawTexts({"draw": {"toolbar": {"buttons": {"polygon": "</script><script>alert(1)</script>"}}}})
    assert "</script>" not in element.texts and "\\u003c/script\\u003e" in element.texts


def test_countries_and_municipalities_are_shown_in_the_language() -> None:
    assert [gazetteer.shown_label("country", "MA", "Marokko", lang) for lang in ("nl", "fr", "en")] == ["Marokko", "Maroc", "Morocco"]
    assert gazetteer.shown_label("municipality", "schaerbeek", "Schaarbeek / Schaerbeek", "nl") == "Schaarbeek"
    assert gazetteer.shown_label("municipality", "schaerbeek", "Schaarbeek / Schaerbeek", "fr") == "Schaerbeek"
    assert gazetteer.shown_label("city", "2553604", "Casablanca (MA)", "fr") == "Casablanca (MA)"
    assert gazetteer.shown_label("country", "XX", "Atlantis", "fr") == "Atlantis"  # unknown: as stored


def test_the_tie_table_and_names_show_a_country_in_the_language() -> None:
    ties = gpd.GeoDataFrame(
        {
            "tie_id": ["t1"], "num": [1], "role": ["family"], "group_size": [1], "level": ["translokaal"],
            "place_kind": ["country"], "place_ref": ["MA"], "place_label": ["Marokko"], "functions": [("affectief",)],
            "capital": ["bonding"], "state": ["active"], "frequency": ["monthly"], "strength": ["strong"],
            "influence": ["positive"], "reciprocity": ["both"],
        },
        geometry=[shapely.Point(-6.83, 34.01)], crs="EPSG:4326",
    )  # fmt: skip
    assert network_maps.tie_table(ties, lang="fr")["place_label"].tolist() == ["Maroc"]
    assert network_maps.tie_names(ties, lang="en")["t1"].endswith("— Morocco")


def contrast(colour: str, background: str = "#ffffff") -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_report_legend_runs_from_near_to_far_in_colours_that_stand_out() -> None:
    from buurtkaart import accessibility as access
    from buurtkaart import report

    metres = np.array([390.0, 150.0, 700.0, np.inf, 1200.0, 380.0])  # first seen: 400 m, then 200 m, as the issue saw
    _, labels, colours = access._classes(metres, access.DEFAULT_BREAKS_M, 1.2, "nl")
    streets = pd.DataFrame({"colour": colours, "label": labels, "distance_m": np.where(np.isfinite(metres), metres, np.nan)})
    order = [label for _, label in report.legend_order(streets)]
    assert [label.split(" m")[0] for label in order[:3]] == ["tot 200", "tot 400", "tot 800"], order
    assert order[3] == "meer dan 800 m" and order[4] == access.t("access.class.unreachable", "nl")
    for colour in {c for c, _ in report.legend_order(streets)}:
        assert contrast(colour) >= 3.0, colour  # WCAG 1.4.11: graphics at least 3:1 on the report's white page
    assert len(set(colours)) == 5  # every class its own colour
