"""The layering docs/architecture.md describes: pages only lay out, one module per concern, no repeated code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "buurtkaart"
PAGES = sorted((PACKAGE / "pages").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of every module a file imports (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_build_no_maps_and_write_no_sql(page: Path) -> None:
    assert not imported_modules(page) & {"folium", "sqlalchemy", "alembic", "psycopg"}


def test_only_the_map_modules_import_folium() -> None:
    users = {p.name for p in PACKAGE.glob("*.py") if "folium" in imported_modules(p)}
    assert users == {"maps.py", "network_maps.py"}


def test_sql_stays_in_the_store_and_the_writers() -> None:
    users = {p.name for p in PACKAGE.glob("*.py") if "sqlalchemy" in imported_modules(p)}
    assert users <= {"store.py", "vindplaatsen.py", "citizens.py", "organisations.py", "exchange.py", "saved_rounds.py",
                     "erasure.py", "keyguard.py", "vocabulary_entries.py", "consent.py", "accounts.py", "audit.py", "backup.py"}
    exchange = (PACKAGE / "exchange.py").read_text(encoding="utf-8")
    assert ".insert()" not in exchange and ".update()" not in exchange  # items are written through vindplaatsen


def test_the_renamed_modules_are_gone() -> None:
    assert not (PACKAGE / "analysis.py").exists() and not (PACKAGE / "ties.py").exists()
    assert (PACKAGE / "caseload.py").exists() and (PACKAGE / "vocabulary.py").exists()


# The layers of docs/architecture.md, bottom up.
LAYERS: dict[str, int] = {
    **dict.fromkeys(("settings", "validate", "names", "vocabulary", "errors", "i18n", "paths", "csv_cells",
                     "plain_text", "formats"), 1),
    **dict.fromkeys(("store", "organisations", "vindplaatsen", "citizens", "exchange", "pseudonym", "area", "places",
                     "osm", "taxonomy", "prepare", "safe_files", "keyguard", "erasure",
                     "vocabulary_entries", "consent", "accounts", "audit", "backup", "wayfinding", "gazetteer"), 2),
    **dict.fromkeys(("graph", "accessibility", "buurtanalyse", "caseload", "indicators", "suggestions",
                     "routes", "saved_rounds", "disclosure"), 3),
    **dict.fromkeys(("maps", "network_maps", "report", "inclusieweb", "charts", "route_files", "share",
                     "compact"), 4),
    **dict.fromkeys(("cli", "demo", "pages", "__main__", "__init__"), 5),
}


def package_imports(path: Path) -> set[str]:
    """Return the buurtkaart modules a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("buurtkaart"):
            parts = node.module.split(".")
            found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("buurtkaart.")}
    return found


def test_every_module_has_a_layer_and_imports_none_above_it() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= set(LAYERS), modules - set(LAYERS)
    upward = [
        f"{p.stem} ({LAYERS[p.stem]}) -> {used} ({LAYERS[used]})"
        for p in PACKAGE.glob("*.py")
        for used in package_imports(p)
        if used in LAYERS and LAYERS[used] > LAYERS[p.stem]
    ]
    assert upward == []


def test_the_architecture_page_names_every_module() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [p.name for p in PACKAGE.glob("*.py") if p.stem not in {"__init__", "__main__"} and f"`{p.name}`" not in page]
    assert missing == []
