"""Tests of buurtkaart.settings: the one module that reads the environment, the CRSs and metric buffers."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import settings

PACKAGE = Path(settings.__file__).resolve().parent


def test_each_variable_is_read_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(settings.DATABASE_URL_ENV, "  postgresql+psycopg://bk@db/bk  ")
    monkeypatch.setenv(settings.PSEUDONYM_KEY_ENV, " a key \n")
    monkeypatch.setenv(settings.KEY_FILE_ENV, str(tmp_path / "k" / "pseudo.key"))
    monkeypatch.delenv(settings.SQLITE_PATH_ENV, raising=False)
    assert settings.cache_dir() == tmp_path / "cache"
    assert (tmp_path / "cache").is_dir()
    assert settings.database_url() == "postgresql+psycopg://bk@db/bk"
    assert settings.pseudonym_key() == "a key"
    assert settings.key_file() == tmp_path / "k" / "pseudo.key"
    assert settings.sqlite_path() == tmp_path / "cache" / "buurtkaart.sqlite"
    monkeypatch.setenv(settings.SQLITE_PATH_ENV, str(tmp_path / "team.sqlite"))
    assert settings.sqlite_path() == tmp_path / "team.sqlite"


def test_defaults_when_nothing_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in (settings.CACHE_DIR_ENV, settings.DATABASE_URL_ENV, settings.PSEUDONYM_KEY_ENV, settings.KEY_FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    assert settings.cache_dir() == tmp_path / ".cache" / "buurtkaart"
    assert settings.database_url() == ""
    assert settings.pseudonym_key() == ""
    assert settings.key_file() == tmp_path / ".config" / "buurtkaart" / "pseudonym.key"


def test_no_other_module_reads_the_environment():
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert readers == []


def test_the_crs_is_written_out_only_in_settings():
    literal = '"EPSG:4326"'
    found = [
        p.name for p in PACKAGE.rglob("*.py")
        if p.name not in {"settings.py", "i18n.py"} and literal in p.read_text(encoding="utf-8")
    ]
    assert found == []
    assert pyproj.CRS(settings.METRIC_CRS).axis_info[0].unit_name == "metre"


def test_buffer_metres_is_round_in_metres_not_in_degrees():
    point = shapely.Point(4.37, 50.86)  # Schaerbeek
    ring = area_mod.buffer_metres(point, 150.0)
    west, south, east, north = ring.bounds
    geod = pyproj.Geod(ellps="WGS84")
    north_south = geod.inv(4.37, south, 4.37, north)[2]
    east_west = geod.inv(west, 50.86, east, 50.86)[2]
    # a buffer of 0.002 degrees would be ~280 m across east-west and ~445 m north-south
    assert abs(north_south - 300) < 3
    assert abs(east_west - 300) < 3


def test_to_metric_and_back_keeps_the_point():
    points = np.array([shapely.Point(4.35, 50.85), shapely.Point(4.40, 50.88)])
    metric = area_mod.to_metric(points)
    assert 140_000 < shapely.get_x(metric[0]) < 160_000  # Lambert 72 easting of Brussels
    assert abs(shapely.distance(metric[0], metric[1]) - pyproj.Geod(ellps="WGS84").inv(4.35, 50.85, 4.40, 50.88)[2]) < 5
    back = area_mod.from_metric(metric)
    assert np.allclose(shapely.get_coordinates(back), shapely.get_coordinates(points), atol=1e-9)


def test_one_privacy_threshold():
    from buurtkaart import accessibility, caseload

    assert caseload.MIN_GROUP == settings.MIN_GROUP == 5
    assert not hasattr(accessibility, "SMALL_GROUP")


def test_trusted_proxies_are_off_unless_set_and_a_wrong_entry_is_refused(monkeypatch):
    monkeypatch.delenv(settings.TRUSTED_PROXY_ENV, raising=False)
    assert settings.trusted_proxies() == ()
    monkeypatch.setenv(settings.TRUSTED_PROXY_ENV, " 127.0.0.1, 10.0.0.0/8 ,::1")
    assert [str(n) for n in settings.trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv(settings.TRUSTED_PROXY_ENV, "127.0.0.1, yes")
    with pytest.raises(ValueError, match="'yes'"):
        settings.trusted_proxies()
