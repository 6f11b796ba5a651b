"""Tests of the command line (python -m buurtkaart …)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from buurtkaart.cli import main
from buurtkaart.paths import ROOT


def test_summary_of_the_default_commune(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "Schaerbeek" in out and "Gebedshuis" in out


def test_places_search_and_category_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "--category", "worship"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert all("Gebedshuis" in line for line in lines[:-1]) and int(lines[-1].strip("()")) > 10


def test_places_export_geojson(tmp_path: Path) -> None:
    out = tmp_path / "cafes.geojson"
    assert main(["places", "--quartier", "1", "--category", "cafe", "--out", str(out)]) == 0  # Grote Markt
    data = json.loads(out.read_text())
    assert len(data["features"]) > 20
    assert {f["properties"]["category"] for f in data["features"]} == {"cafe"}
    csv = tmp_path / "josaphat.csv"
    assert main(["places", "--region", "--search", "josaphat", "--out", str(csv)]) == 0
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("place_id,name") and len(rows) > 2
    assert all("osaphat" in row.lower() for row in rows[1:])


def test_user_errors_exit_1_with_a_plain_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["places", "--bbox", "3.20,51.20,3.24,51.23"]) == 1
    assert "buiten Brussel" in capsys.readouterr().err
    assert main(["--lang", "en", "places", "--bbox", "1,2,3"]) == 1
    assert "not valid" in capsys.readouterr().err


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "buurtkaart", "quartiers"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert len(result.stdout.strip().splitlines()) == 145


def test_taxonomy_doc_is_in_sync_with_the_code() -> None:
    from buurtkaart.cli import taxonomy_markdown

    assert taxonomy_markdown() in (ROOT / "docs" / "taxonomy.md").read_text(encoding="utf-8")


def test_import_and_export_through_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTKAART_SQLITE_PATH", str(tmp_path / "cli.sqlite"))
    monkeypatch.delenv("BUURTKAART_DATABASE_URL", raising=False)
    source = tmp_path / "spots.csv"
    source.write_text("name,kind,lon,lat\nTheehuis Nour,tea_house,4.3770,50.8610\nBank in het park,bench,4.3850,50.8640\n")
    assert main(["import", str(source), "--org", "Buurthuis", "--user", "an", "--layer", "vindplaats"]) == 0
    out = tmp_path / "out.geojson"
    assert main(["export", str(out), "--org", "Buurthuis"]) == 0
    names = sorted(f["properties"]["name"] for f in json.loads(out.read_text())["features"])
    assert names == ["Bank in het park", "Theehuis Nour"]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,lon,lat\nVer weg,bench,3.2,51.2\n")  # Bruges: outside the area
    assert main(["import", str(bad), "--org", "Buurthuis", "--user", "an", "--layer", "vindplaats"]) == 1
    assert main(["export", str(out), "--org", "Buurthuis"]) == 0
    assert len(json.loads(out.read_text())["features"]) == 2  # nothing half-imported


def test_demo_then_citizen_list_report_and_erase(tmp_path, monkeypatch, capsys) -> None:
    import re

    from buurtkaart import demo

    monkeypatch.delenv("BUURTKAART_DATABASE_URL", raising=False)
    monkeypatch.setenv("BUURTKAART_SQLITE_PATH", str(tmp_path / "cli.sqlite"))
    monkeypatch.setenv("BUURTKAART_PSEUDONYM_KEY", "a cli test key of enough length, 32+ bytes")
    assert main(["demo"]) == 0
    assert "fictief" in capsys.readouterr().out

    assert main(["citizen", "list", "--org", demo.DEMO_ORGANISATION]) == 0
    listed = capsys.readouterr().out
    codes = re.findall(r"^(BK-[0-9A-Z]{4}-[0-9A-Z]{4})", listed, flags=re.MULTILINE)
    assert len(codes) == len(demo.citizen_specs()) and "(demo)" in listed

    assert main(["citizen", "report", codes[0].lower(), "--org", demo.DEMO_ORGANISATION]) == 0  # codes are found in any case
    report = capsys.readouterr().out
    assert report.startswith(f"Burger {codes[0]}")
    assert re.search(r"^\s+1\. ", report, flags=re.MULTILINE)  # the numbered ties
    assert "Het netwerk telt" in report

    with pytest.raises(SystemExit) as caught:  # without --org: refused, a code is only looked up in its own organisation
        main(["citizen", "report", codes[1]])
    assert caught.value.code == 2 and "--org" in capsys.readouterr().err
    assert main(["citizen", "list", "--org", "Typo"]) == 1  # an unknown organisation is named, never created
    assert "geen organisatie met de naam 'Typo'" in capsys.readouterr().err
    from buurtkaart import organisations
    from buurtkaart import store as store_mod

    assert "Typo" not in {name for _, name in organisations.listing(store_mod.open_store())}
    assert main(["export", str(tmp_path / "x.geojson"), "--org", "Typo"]) == 1

    assert main(["citizen", "erase", codes[0], "--org", demo.DEMO_ORGANISATION]) == 0
    assert "gewist" in capsys.readouterr().out
    assert main(["citizen", "report", codes[0], "--org", demo.DEMO_ORGANISATION]) == 1
    assert codes[0] in capsys.readouterr().err
