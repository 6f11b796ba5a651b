"""Where Buurtkaart finds its embedded data and keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def cache_dir() -> Path:
    """Return the folder for derived caches (BUURTKAART_CACHE_DIR, else ~/.cache/buurtkaart)."""
    folder = Path(os.environ.get("BUURTKAART_CACHE_DIR", Path.home() / ".cache" / "buurtkaart"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
