"""The command line: the same operations as the pages, for scripting (python -m buurtkaart …)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from buurtkaart import area as area_mod
from buurtkaart import i18n, osm, places, taxonomy
from buurtkaart.area import Area
from buurtkaart.errors import BuurtkaartError
from buurtkaart.paths import DATA_DIR

if TYPE_CHECKING:
    from buurtkaart.routes import Stop

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
    from buurtkaart import exchange, organisations, store

    db = store.open_store()
    org = organisations.ensure(db, args.org)
    bounds = area_mod.load_embedded().boundary
    report = exchange.import_file(db, org, args.path, user=args.user, layer=args.layer, bounds=bounds)
    print(i18n.t("import.done", args.lang, n=report.added, name=Path(args.path).name))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the organisation's map (GeoJSON, CSV, KML, GPX or GeoPackage by the file's suffix)."""
    from buurtkaart import exchange, store

    db = store.open_store()
    org = _existing_organisation(db, args.org)  # a read never creates an organisation
    count = exchange.export_items(db, org, args.path, layers=args.layer, user="cli")
    print(f"{count} -> {args.path}")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Rebuild data/ from the source files (shared/data)."""
    from buurtkaart.prepare import prepare_all

    for name, rows in prepare_all(Path(args.source), Path(args.target)).items():
        print(f"{name}: {rows} rows")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the invented demo organisation (citizens, ties, vindplaatsen) into the store."""
    from buurtkaart import citizens, demo, store

    db = store.open_store()
    org = demo.load_demo(db, area=area_mod.load_embedded())
    print(i18n.t("cli.demo.loaded", args.lang, name=demo.DEMO_ORGANISATION, n=len(citizens.list_citizens(db, org))))
    return 0


def cmd_citizen(args: argparse.Namespace) -> int:
    """List an organisation's citizens, print one citizen's report, or erase a citizen."""
    from buurtkaart import citizens, keyguard, store, vocabulary

    db = store.open_store()
    keyguard.check(db)  # a missing, weak or other pseudonym key is refused before anything is looked up
    org = _existing_organisation(db, args.org)  # --org is required: a code is only looked up in its own organisation
    if args.action == "list":
        people = citizens.list_citizens(db, org)
        for row in people.itertuples():
            age = vocabulary.label("age_band", row.age_band, args.lang) if row.age_band else "-"
            print(f"{row.code}  {age:<14}  {row.anchor_label}{'  (demo)' if row.demo else ''}")
        print(f"({len(people)})")
        return 0
    if not args.code:
        raise SystemExit(f"'citizen {args.action}' needs a CODE")
    person = citizens.find_by_code(db, org, args.code)
    if person is None:
        raise citizens.CitizenError("error.citizen_unknown_code", code=args.code)
    if args.action == "erase":
        from buurtkaart import erasure

        erased = erasure.erase_citizen(db, org, person.id, user="cli")
        print(i18n.t("cli.citizen.erased", args.lang, code=person.code, n=erased.rows))
        if erased.pending:
            print(i18n.t("erase.pending", args.lang))
        return 0
    print(citizen_report(db, org, person.id, lang=args.lang))
    return 0


def _existing_organisation(db: object, name: str) -> str:
    """Return the id of the organisation called `name`; raise BuurtkaartError when there is none (never create it)."""
    from buurtkaart import organisations

    wanted = " ".join(str(name).split())
    found = [org for org, org_name in organisations.listing(db) if org_name == wanted]
    if not found:
        raise BuurtkaartError("error.organisation_not_found", name=wanted)
    return found[0]


def citizen_report(db: object, org: str, citizen_id: str, *, lang: str) -> str:
    """Return one citizen's network as text: the ties by number, then the indicators in plain sentences."""
    from buurtkaart import citizens, indicators, vocabulary

    person = citizens.get_citizen(db, org, citizen_id)
    tie_frame = citizens.list_ties(db, org, citizen_id)
    lines = [f"{i18n.t('burger.citizen', lang)} {person.code} — {person.anchor_label}", ""]
    for num, row in enumerate(tie_frame.itertuples(), start=1):
        functions = ", ".join(vocabulary.label("function", f, lang) for f in row.functions)
        lines.append(
            f"{num:3d}. {vocabulary.label('role', row.role, lang)} · {vocabulary.label('level', row.level, lang)}: {row.place_label}"
            f" · {functions} · {vocabulary.label('capital', row.capital, lang)} · {vocabulary.label('state', row.state, lang)}"
        )
    ind = indicators.compute(tie_frame, citizens.list_links(db, org, citizen_id))
    lines += ["", *(f"- {sentence}" for sentence in indicators.sentences(ind, lang=lang))]
    return "\n".join(lines)


def cmd_analyse(args: argparse.Namespace) -> int:
    """Run the buurtanalyse for the commune, one quartier or all 145 quartiers; write HTML reports and a CSV summary."""
    import pandas as pd

    from buurtkaart import accessibility as access
    from buurtkaart import buurtanalyse, citizens, csv_cells, disclosure, graph, report, store
    from buurtkaart import vindplaatsen as vp

    region = area_mod.load_embedded()
    walk = graph.walk_graph(region)
    blocks = area_mod.population_blocks()
    items = people = all_ties = None
    if args.org:
        db = store.open_store()
        org = _existing_organisation(db, args.org)
        items, people, all_ties = vp.list_items(db, org), citizens.list_citizens(db, org), citizens.all_ties(db, org)
    settings = access.access_settings(_given({"children": args.children_m, "adults": args.adults_m, "elderly": args.elderly_m}))
    sources = buurtanalyse.region_sources(walk, region, items)
    if args.all_quartiers:
        areas = [(f"{row.mdrc} {row.name_nl}", row.geometry, str(row.mdrc)) for row in region.quartiers.sort_values("mdrc").itertuples()]
    elif args.quartier is not None:
        row = area_mod.quartier(region, args.quartier)
        areas = [(f"{args.quartier} {row['name_nl']}", row.geometry, str(args.quartier))]
    elif args.group is not None:
        if args.group not in disclosure.GROUPS:
            print(i18n.t("error.quartier_group_unknown", args.lang, value=args.group, groups=", ".join(disclosure.GROUPS)), file=sys.stderr)
            return 2
        name = i18n.t(f"sdc.group.{args.group}", args.lang)
        areas = [(name, buurtanalyse.group_boundary(region, args.group), buurtanalyse.area_unit("group", args.group))]
    else:
        areas = [(area_mod.DEFAULT_COMMUNE, area_mod.commune_boundary(), disclosure.COMMUNE)]
    caseload = buurtanalyse.caseload_table(region, people, all_ties)  # one protected table for every unit
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, boundary, unit in areas:
        result = buurtanalyse.analyse_area(
            name, boundary, region=region, walk=walk, blocks=blocks, items=items, citizens=people, all_ties=all_ties,
            settings=settings, lang=args.lang, sources=sources, unit=unit, caseload=caseload,
        )
        rows.append(buurtanalyse.summary_row(result))
        print(f"{name}: {result.sentences[0]}" if result.sentences else name)
        if out is not None:
            path = out / f"buurtanalyse_{_slug(name)}.html"
            path.write_text(report.area_report(result, region, lang=args.lang), encoding="utf-8")
    if out is not None:
        csv_cells.neutralise_frame(pd.DataFrame(rows)).to_csv(out / "buurtanalyse.csv", index=False)
        print(f"{len(rows)} -> {out}")
    return 0


def cmd_route(args: argparse.Namespace) -> int:
    """Plan a walking round past named places and write it as GPX (.gpx) or a printable route sheet (.html)."""
    from buurtkaart import graph, route_files, routes

    out = Path(args.out)
    if out.suffix.lower() not in (".gpx", ".html"):
        raise routes.RouteError("error.route_out", name=out.name)
    at = _route_time(args.at)
    region = area_mod.load_embedded()
    items, sites = _route_items(args.org)
    places = routes.stops_from_places(region.places)
    stops = [_route_stop(name, items, places) for name in args.stop]
    if args.start:
        start = _route_stop(args.start, items, places)
    elif len(sites) == 1:
        start = sites[0]
    else:  # no site to start from: the round starts at the first place named
        start, stops = stops[0], stops[1:]
    plan = routes.plan_round(
        graph.walk_graph(region), start, stops, returns=args.returns, walkers=args.walkers,
        max_minutes=args.max_minutes, speed_kmh=args.speed, at=at,
    )
    if out.suffix.lower() == ".gpx":
        out.write_text(route_files.gpx_text(plan, lang=args.lang), encoding="utf-8")
    else:
        out.write_text(route_files.sheet_html(plan, lang=args.lang, graph=graph.walk_graph(region)), encoding="utf-8")
    for r in plan.rounds:
        order = " -> ".join(v.stop.name for v in r.visits)
        total = route_files.round_total(r, args.lang)
        print(f"{route_files.walker_label(r.walker, args.lang)}: {start.name} -> {order} ({total})")
    for notice in plan.notices:
        print(f"! {notice.message(args.lang)}")
    print(f"-> {out}")
    return 0


def _route_time(text: str | None) -> datetime | None:
    """Return the start of a round from "YYYY-MM-DD HH:MM" (None: now)."""
    from buurtkaart.routes import RouteError

    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError as error:
        raise RouteError("error.route_at", value=text) from error


def _route_items(org_name: str | None) -> tuple[list[Stop], list[Stop]]:
    """Return the organisation's places as stops, and its sites (both empty without an organisation)."""
    from buurtkaart import routes, store
    from buurtkaart import vindplaatsen as vp

    if not org_name:
        return [], []
    db = store.open_store()
    items = vp.list_items(db, _existing_organisation(db, org_name))
    return routes.stops_from_items(items), routes.stops_from_items(items[items["layer"] == "site"])


def _route_stop(query: str, items: list[Stop], places: list[Stop]) -> Stop:
    """Return the stop a name or id stands for: the organisation's places first, then the OSM places of the area."""
    from buurtkaart.routes import RouteError, find_stop

    try:
        return find_stop(query, items)
    except RouteError as error:
        if error.key != "error.route_stop_unknown":
            raise
    return find_stop(query, places)


def cmd_share(args: argparse.Namespace) -> int:
    """Write a shared map (organisation map or buurtanalyse) as one standalone HTML file, or a PNG/PDF of it."""
    from buurtkaart import share

    if args.what == "round" and not (args.round and args.org):
        raise share.ShareError("error.share_round_needs_plan")
    suffix = Path(args.out).suffix.lower()
    if suffix not in share.OUT_SUFFIXES:
        raise share.ShareError("error.share_out", path=args.out, suffixes=", ".join(share.OUT_SUFFIXES))
    region = area_mod.load_embedded()
    area = share.area_of(args.area, region)
    items = people = all_ties = plan = None
    round_name = ""
    if args.org:
        from buurtkaart import citizens, store
        from buurtkaart import vindplaatsen as vp

        db = store.open_store()
        org = _existing_organisation(db, args.org)
        items = vp.list_items(db, org)
        if args.what == "analysis":
            people, all_ties = citizens.list_citizens(db, org), citizens.all_ties(db, org)
        if args.what == "round":
            plan, round_name = _round_plan(db, org, args.round, region)
    shared = share.make_share(
        args.what, area, region=region, items=items, citizens=people, all_ties=all_ties, lang=args.lang,
        organisation=args.org or "", notes=args.notes, plan=plan, round_name=round_name, unit=share.unit_of(args.area),
    )
    path = share.write(shared, args.out, present=args.present)
    if args.org:  # the organisation's data went into a file: in its audit log
        from buurtkaart import audit

        audit.record(db, org, "cli", "export.share", args.what)
    print(i18n.t("share.written", args.lang, what=shared.title, path=path))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Purge a deleted item of the organisation's map with its history, or the history older than --months."""
    from buurtkaart import erasure, store

    db = store.open_store()
    if args.item:
        done = erasure.purge_item(db, _existing_organisation(db, args.org), args.item)
    else:
        done = erasure.purge_history(db, months=args.months)
    print(f"{done.rows} rows purged")
    if done.pending:
        print(i18n.t("erase.pending", args.lang))
    return 0


def cmd_vocabulary(args: argparse.Namespace) -> int:
    """List the situations or talents an organisation may use, or add a word to them (a coordinator's act)."""
    from buurtkaart import store, vocabulary_entries

    db = store.open_store()
    org = _existing_organisation(db, args.org)
    if args.key:
        vocabulary_entries.add_entry(db, org, args.field, args.key, user=args.user or "cli")
    print("\n".join(vocabulary_entries.allowed(db, org, args.field)))
    return 0


# --- accounts and organisations (issue 10): the command line runs as the server admin ---


def cmd_user(args: argparse.Namespace) -> int:
    """Add, list, change the role of, disable or reset the password of an account (as the server admin)."""
    from buurtkaart import accounts, organisations, store

    db = store.open_store()
    if args.action == "add":
        if not args.name or not args.org or not args.role:
            raise SystemExit("'user add' needs NAME, --org ORG and --role ROLE")
        org = _existing_organisation(db, args.org)
        actor = accounts.create_user(
            db, None, username=args.name, password=_stdin_password(args), organisation_id=org, role=args.role, email=args.email
        )
        print(i18n.t("cli.user.added", args.lang, username=actor.username, role=actor.role, organisation=args.org))
        return 0
    if args.action == "list":
        org = _existing_organisation(db, args.org) if args.org else None
        names = dict(organisations.listing(db))
        users = accounts.list_users(db, None, organisation_id=org)
        for user in users:
            state = " (disabled)" if user.disabled else ""
            print(f"{user.username:<24} {user.role:<12} {names.get(user.organisation_id, '?'):<30} {user.email or '-'}{state}")
        print(f"({len(users)})")
        return 0
    if not args.name:
        raise SystemExit(f"'user {args.action}' needs NAME")
    if args.action == "role":
        if not args.value:
            raise SystemExit("'user role' needs NAME ROLE")
        changed = accounts.set_role(db, None, args.name, args.value)
    elif args.action == "disable":
        changed = accounts.disable(db, None, args.name)
    else:  # reset-password
        changed = accounts.reset_password(db, None, args.name, _stdin_password(args))
    print(i18n.t("cli.user.changed", args.lang, username=changed.username, role=changed.role, disabled=changed.disabled))
    return 0


def cmd_org(args: argparse.Namespace) -> int:
    """Add an organisation, or list them (as the server admin)."""
    from buurtkaart import organisations, store

    db = store.open_store()
    if args.action == "add":
        if not args.name:
            raise SystemExit("'org add' needs NAME")
        organisations.ensure(db, args.name)
        print(i18n.t("cli.org.added", args.lang, name=" ".join(args.name.split())))
        return 0
    listed = organisations.listing(db)
    for _org_id, name in listed:
        print(name)
    print(f"({len(listed)})")
    return 0


def _stdin_password(args: argparse.Namespace) -> str:
    """Return the password given on standard input (one line; never as an argument, so it stays out of `ps`)."""
    if not args.password_stdin:
        raise SystemExit("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


def _round_plan(db: object, org: str, ref: str, region: area_mod.Area) -> tuple[object, str]:
    """Return (the plan, the name) of the organisation's saved round named or numbered `ref`."""
    from buurtkaart import graph, saved_rounds, share

    saved = share.find_saved_round(saved_rounds.list_rounds(db, org), ref)
    return share.plan_saved_round(saved, graph.walk_graph(region)), saved.name


def _given(values: dict[str, float | None]) -> dict[str, float]:
    """Return the options that were given on the command line."""
    return {k: v for k, v in values.items() if v is not None}


def _slug(name: str) -> str:
    """Return a file-name-safe version of an area name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "area"


def _area(args: argparse.Namespace) -> Area:
    """Return the area the arguments ask for: a file, OpenStreetMap, a box or the embedded data."""
    if args.file:
        from buurtkaart import safe_files

        return safe_files.load_osm_file(args.file)  # checked, then loaded in a process with limits
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
            from buurtkaart import csv_cells

            csv_cells.neutralise_frame(table.drop(columns="geometry")).to_csv(path, index=False)
        else:
            table.to_file(path, driver=driver)
        print(f"{len(found)} places -> {path}")
        return
    for row in found.itertuples():
        label = i18n.category_label(row.category, lang)
        print(f"{row.geometry.y:.6f},{row.geometry.x:.6f}  {label:<36}  {row.name or '-'}  {row.address}")
    print(f"({len(found)})")


def cmd_audit(args: argparse.Namespace) -> int:
    """Print an organisation's audit log (a table, or CSV whose cells never run as formulas)."""
    from buurtkaart import accounts, audit, store

    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").date()
        except ValueError as exc:
            raise BuurtkaartError("error.audit_since", value=args.since) from exc
    db = store.open_store()
    org = _existing_organisation(db, args.org)  # a read never creates an organisation
    events = audit.events(db, org, since=since, limit=args.limit)
    events["user"] = accounts.shown_users(db, org, events["user"])  # rows keep the account id
    if args.format == "csv":
        sys.stdout.write(audit.csv_text(events))
        return 0
    for row in events.itertuples():
        print(f"{row.at:%Y-%m-%d %H:%M:%S}  {row.user:<20}  {row.action:<20}  {row.target or '-'}")
    print(f"({len(events)})")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Write one organisation to one backup file (a zip with a signed manifest)."""
    from buurtkaart import backup, store

    db = store.open_store()
    org = _existing_organisation(db, args.org)  # a read never creates an organisation
    manifest = backup.backup(db, org, args.out, user=args.user)
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    print(i18n.t("backup.written", args.lang, organisation=args.org, path=args.out, rows=rows, tables=len(manifest["tables"])))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore one organisation from a backup file into a store that does not hold it yet."""
    from buurtkaart import backup, store

    db = store.open_store()
    restored = backup.restore(db, args.path, user=args.user)
    print(i18n.t("backup.restored", args.lang, organisation=restored.organisation, rows=sum(restored.rows.values()),
                 tables=len(restored.rows)))  # fmt: skip
    return 0


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

    p = sub.add_parser("demo", help="load the invented demo organisation (~40 citizens, their ties, vindplaatsen)")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("citizen", help="list citizens, print one citizen's network report, or erase a citizen")
    p.add_argument("action", choices=["list", "report", "erase"])
    p.add_argument("code", nargs="?", help="the citizen's code (e.g. BK-7F3A-92C1)")
    p.add_argument("--org", required=True, help="the organisation's name (a citizen is only found in its own organisation)")
    p.set_defaults(run=cmd_citizen)

    p = sub.add_parser("analyse", help="buurtanalyse: walking access and caseload gaps; HTML reports and a CSV summary")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--quartier", type=int, help="a monitoring quartier code (default: Schaerbeek)")
    which.add_argument("--all-quartiers", action="store_true", help="all 145 quartiers in one go")
    which.add_argument("--group", help="a fixed group of Schaerbeek's quartiers: west, midden or oost")
    p.add_argument("--org", help="the organisation whose vindplaatsen and citizens to include")
    p.add_argument("--out", help="a folder for the HTML reports and buurtanalyse.csv")
    p.add_argument("--children-m", type=float, help="threshold for children in metres (default 400)")
    p.add_argument("--adults-m", type=float, help="threshold for adults in metres (default 800)")
    p.add_argument("--elderly-m", type=float, help="threshold for the elderly in metres (default 400)")
    p.set_defaults(run=cmd_analyse)

    p = sub.add_parser("route", help="plan a walking round past places; write GPX (.gpx) or a printable route sheet (.html)")
    p.add_argument("--stop", action="append", required=True, metavar="NAME_OR_ID", help="a place to pass (repeatable)")
    p.add_argument("--start", metavar="NAME_OR_ID", help="where to start (default: the organisation's site, else the first stop)")
    p.add_argument("--return", dest="returns", action="store_true", help="come back to the start")
    p.add_argument("--walkers", type=int, default=1, help="split the stops over N walkers (1-4)")
    p.add_argument("--max-minutes", type=float, help="the longest round of one walker, in minutes")
    p.add_argument("--speed", type=float, default=4.5, help="walking speed in km/h (default 4.5)")
    p.add_argument("--at", help='date and start time, "YYYY-MM-DD HH:MM" (default: now)')
    p.add_argument("--org", help="the organisation whose places (vindplaatsen, sites, partners) can be named")
    p.add_argument("--out", required=True, help="FILE.gpx or FILE.html")
    p.set_defaults(run=cmd_route)
    p = sub.add_parser("share", help="share the map: one standalone HTML file (offline), or a PNG/PDF snapshot of it")
    p.add_argument("--what", choices=["map", "analysis", "round"], default="map", help="the organisation map, a buurtanalyse or a saved round")
    p.add_argument("--round", help="with --what round: the saved round's name or id (needs --org)")
    p.add_argument("--area", default="commune", help="commune (Schaerbeek, default), region or quartier:N")
    p.add_argument("--org", help="the organisation whose vindplaatsen (and caseload figures) to include")
    p.add_argument("--notes", action="store_true", help="include the notes of the team's places (off by default)")
    p.add_argument("--present", action="store_true", help="open in presentation mode (large legend)")
    p.add_argument("--out", required=True, help="FILE.html, FILE.png or FILE.pdf")
    p.set_defaults(run=cmd_share)

    p = sub.add_parser("purge", help="purge a deleted map item with its history (--item), or history older than --months")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--item", help="the id of a deleted item (needs --org)")
    which.add_argument("--months", type=int, help="purge the history of every organisation older than this")
    p.add_argument("--org", help="the organisation's name (with --item)")
    p.set_defaults(run=cmd_purge)

    p = sub.add_parser("vocabulary", help="list the situations or talents citizens may have, or add a word (a coordinator's)")
    p.add_argument("field", choices=["situations", "talents"])
    p.add_argument("key", nargs="?", help="a new word: lower-case letters, digits and _, no two digits in a row, no @")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--user", help="who adds the word")
    p.set_defaults(run=cmd_vocabulary)

    p = sub.add_parser("user", help="accounts (as the server admin): add, list, role, disable, reset-password")
    p.add_argument("action", choices=["add", "list", "role", "disable", "reset-password"])
    p.add_argument("name", nargs="?", help="the username")
    p.add_argument("value", nargs="?", help="with 'role': viewer, worker or coordinator")
    p.add_argument("--org", help="the organisation's name (add; list: only its accounts)")
    p.add_argument("--role", choices=["viewer", "worker", "coordinator"], help="with 'add'")
    p.add_argument("--email", help="with 'add': the e-mail single sign-on returns for this person")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(run=cmd_user)

    p = sub.add_parser("org", help="organisations (as the server admin): add NAME, list")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("name", nargs="?", help="the organisation's name")
    p.set_defaults(run=cmd_org)

    p = sub.add_parser("audit", help="the organisation's audit log: who viewed, changed, erased or exported what, when")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--since", help="only events from this day on (YYYY-MM-DD, UTC)")
    p.add_argument("--limit", type=int, help="at most this many events (the newest)")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("backup", help="write one organisation to one backup file (.zip, with a signed manifest)")
    p.add_argument("--org", required=True, help="the organisation's name")
    p.add_argument("--out", required=True, help="the backup file to write (e.g. buurthuis-x.zip)")
    p.add_argument("--user", default="cli", help="who makes the backup (kept in the audit log)")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", help="restore one organisation from a backup file into a store that does not hold it")
    p.add_argument("path", help="the backup file")
    p.add_argument("--user", default="cli", help="who restores (kept in the audit log)")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("taxonomy", help="print the tag -> category table (Markdown)")
    p.set_defaults(run=cmd_taxonomy)

    p = sub.add_parser("prepare-data", help="rebuild data/ from the source files")
    p.add_argument("--source", default=str(DATA_DIR.parent.parent / "shared" / "data"))
    p.add_argument("--target", default=str(DATA_DIR))
    p.set_defaults(run=cmd_prepare)
    return parser
