"""Where Buurtkaart finds its embedded data and keeps its caches."""

from __future__ import annotations

from pathlib import Path

from buurtkaart import settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def cache_dir() -> Path:
    """Return the folder for derived caches (see `settings.cache_dir`)."""
    return settings.cache_dir()


STATIC_DIR = ROOT / "static"  # served by Streamlit under /app/static (enableStaticServing)
STATIC_CACHE_DIR = STATIC_DIR / "cache"  # the map data files of `maps.publish` (not in git)
