"""The command line: the same operations as the pages, for scripting (python -m buurtkaart …)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from buurtkaart import area as area_mod
from buurtkaart import i18n, osm, places, taxonomy
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.paths import DATA_DIR

OUTPUT_DRIVERS = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 a user error, 2 bad usage)."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except BuurtkaartError as error:
        print(f"buurtkaart: {error.message(args.lang)}", file=sys.stderr)
        return 1


def cmd_places(args: argparse.Namespace) -> int:
    """List the places of an area, optionally of some categories or matching a name."""
    area = _area(args)
    found = area.places
    if args.category:
        found = found[found["category"].isin(args.category)]
    if args.search:
        found = places.search(found, args.search, limit=len(found))
    _write_or_print(found, args.out, args.lang)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the places per category and the street length of an area."""
    area = _area(args)
    print(i18n.t("load.current", args.lang, name=area.name, places=len(area.places), km=f"{area.street_km:.1f}"))
    counts = places.counts(area.places)
    for cat in taxonomy.CATEGORIES:
        print(f"  {counts.get(cat.key, 0):6d}  {i18n.category_label(cat.key, args.lang)}")
    return 0


def cmd_quartiers(args: argparse.Namespace) -> int:
    """List the 145 monitoring quartiers (wijken) with their code."""
    quartiers = area_mod.load_embedded().quartiers
    for row in quartiers.sort_values("mdrc").itertuples():
        print(f"{row.mdrc:4d}  {row.name_nl} / {row.name_fr}")
    return 0


def cmd_taxonomy(args: argparse.Namespace) -> int:
    """Print the taxonomy as a Markdown table (tag -> category), as in docs/taxonomy.md."""
    print(taxonomy_markdown())
    return 0


def taxonomy_markdown() -> str:
    """Return the categories and the tag rules as Markdown tables."""
    lines = ["| category | icon | colour | nl | fr | en |", "|---|---|---|---|---|---|"]
    for cat in taxonomy.CATEGORIES:
        labels = " | ".join(i18n.category_label(cat.key, lang) for lang in i18n.LANGUAGES)
        lines.append(f"| `{cat.key}` | {cat.icon} | `{cat.colour}` | {labels} |")
    lines += ["", "| OSM tag | category |", "|---|---|"]
    lines += [f"| `{key}={value}` | `{cat}` |" for key, value, cat in taxonomy.RULES]
    lines.append(f"| anything else | `{taxonomy.OTHER}` |")
    return "\n".join(lines)


def cmd_import(args: argparse.Namespace) -> int:
    """Import vindplaatsen or organisation layers from a file into the organisation's map."""
    from buurtkaart import exchange, store
    from buurtkaart import vindplaatsen as vp

    db = store.open_store()
    org = vp.ensure_organisation(db, args.org)
    bounds = area_mod.load_embedded().boundary
    report = exchange.import_file(db, org, args.path, user=args.user, layer=args.layer, bounds=bounds)
    print(i18n.t("import.done", args.lang, n=report.added, name=Path(args.path).name))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the organisation's map (GeoJSON, CSV, KML, GPX or GeoPackage by the file's suffix)."""
    from buurtkaart import exchange, store
    from buurtkaart import vindplaatsen as vp

    db = store.open_store()
    org = vp.ensure_organisation(db, args.org)
    count = exchange.export_items(db, org, args.path, layers=args.layer)
    print(f"{count} -> {args.path}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Rebuild data/ from the source files (shared/data)."""
    from buurtkaart.prepare import prepare_all

    for name, rows in prepare_all(Path(args.source), Path(args.target)).items():
        print(f"{name}: {rows} rows")
    return 0


def _area(args: argparse.Namespace) -> Area:
    """Return the area the arguments ask for: a file, OpenStreetMap, a box or the embedded data."""
    if args.file:
        return osm.load_file(args.file)
    if args.place:
        return osm.fetch(place=args.place)
    region = area_mod.load_embedded()
    if args.bbox:
        return area_mod.clip_bbox(region, area_mod.parse_bbox(args.bbox))
    if args.quartier is not None:
        row = area_mod.quartier(region, args.quartier)
        return region.clip(row.geometry, name=row["name_nl"])
    if args.region:
        return region
    return region.clip(area_mod.commune_boundary(), name=area_mod.DEFAULT_COMMUNE)


def _write_or_print(found: gpd.GeoDataFrame, out: str | None, lang: str) -> None:
    """Write places to a GeoJSON/GeoPackage/CSV file, or print them as a table."""
    if out:
        path = Path(out)
        driver = OUTPUT_DRIVERS.get(path.suffix.lower())
        if driver is None:
            msg = f"Unknown output type {path.suffix!r}; use one of {sorted(OUTPUT_DRIVERS)}."
            raise SystemExit(msg)
        table = found.assign(lon=found.geometry.x, lat=found.geometry.y)
        if driver == "CSV":
            table.drop(columns="geometry").to_csv(path, index=False)
        else:
            table.to_file(path, driver=driver)
        print(f"{len(found)} places -> {path}")
        return
    for row in found.itertuples():
        label = i18n.category_label(row.category, lang)
        print(f"{row.geometry.y:.6f},{row.geometry.x:.6f}  {label:<36}  {row.name or '-'}  {row.address}")
    print(f"({len(found)})")


def _parser() -> argparse.ArgumentParser:
    """Return the argument parser with its sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m buurtkaart", description="Buurtkaart on the command line.")
    parser.add_argument("--lang", choices=list(i18n.LANGUAGES), default=i18n.DEFAULT_LANGUAGE)
    sub = parser.add_subparsers(required=True, metavar="command")

    def with_area(p: argparse.ArgumentParser) -> None:
        which = p.add_mutually_exclusive_group()
        which.add_argument("--file", help="an OSM extract (.osm, .osm.bz2, .osm.pbf)")
        which.add_argument("--place", help="a place name, loaded from OpenStreetMap (needs internet)")
        which.add_argument("--bbox", help="west,south,east,north within the embedded Brussels data")
        which.add_argument("--quartier", type=int, help="a monitoring quartier code (see 'quartiers')")
        which.add_argument("--region", action="store_true", help="the whole embedded Brussels region")

    p = sub.add_parser("places", help="list or export places (default area: Schaerbeek)")
    with_area(p)
    p.add_argument("--category", action="append", choices=taxonomy.CATEGORY_KEYS)
    p.add_argument("--search", help="part of a name")
    p.add_argument("--out", help="write to .geojson, .gpkg or .csv instead of printing")
    p.set_defaults(run=cmd_places)

    p = sub.add_parser("summary", help="places per category and street length of an area")
    with_area(p)
    p.set_defaults(run=cmd_summary)

    p = sub.add_parser("quartiers", help="list the monitoring quartiers of Brussels")
    p.set_defaults(run=cmd_quartiers)

    p = sub.add_parser("import", help="import vindplaatsen/organisation layers (.geojson, .csv, .kml, .gpx, .gpkg)")
    p.add_argument("path")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--user", required=True, help="who imports (kept in the history)")
    p.add_argument("--layer", default=None, help="vindplaats, site, partner, gatekeeper or need (default: the file's column)")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("export", help="export the organisation's map (.geojson, .csv, .kml, .gpx, .gpkg)")
    p.add_argument("path")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--layer", action="append", help="only these layers (repeatable)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("taxonomy", help="print the tag -> category table (Markdown)")
    p.set_defaults(run=cmd_taxonomy)

    p = sub.add_parser("prepare-data", help="rebuild data/ from the source files")
    p.add_argument("--source", default=str(DATA_DIR.parent.parent / "shared" / "data"))
    p.add_argument("--target", default=str(DATA_DIR))
    p.set_defaults(run=cmd_prepare)
    return parser
