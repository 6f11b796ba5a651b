"""A planned round to take along: GPX for a phone (OsmAnd, Organic Maps) and a printable route sheet (HTML, A4).

GPX: the waypoints in walking order (the start first, then walker after walker), one track per walker
with its whole walking line. The sheet: one A4 page per walker with a map drawn as inline SVG (the
streets around and the numbered stops), the stops with times, what to bring and blank lines for
notes; it loads nothing from outside the file.
"""

from __future__ import annotations

import html
import math

import gpxpy
import gpxpy.gpx

from buurtkaart import formats, validate
from buurtkaart import graph as graph_mod
from buurtkaart.i18n import t
from buurtkaart.routes import Plan, WalkerRound

SVG_WIDTH, SVG_HEIGHT = 700, 430
NOTE_LINES = 6
_NOTE_LINE = '<div class="line"></div>'


def round_total(r: WalkerRound, lang: str) -> str:
    """Return one walker's places, kilometres and minutes in `lang` ("1 plek · 1,2 km · 25 min")."""
    return formats.plural("plural.round_total", len(r.visits), lang, km=formats.number(r.metres / 1000, lang, digits=1), minutes=round(r.minutes))


def walker_label(walker: int, lang: str) -> str:
    """Return a walker's label: "Stapper A"."""
    return t("ronde.walker", lang, letter=chr(ord("A") + walker))


def gpx_text(plan: Plan, *, lang: str, name: str = "") -> str:
    """Return the round as GPX 1.1: waypoints in walking order (start first), one track per walker."""
    doc = gpxpy.gpx.GPX()
    doc.creator = "Buurtkaart"
    doc.name = _plain(name or t("ronde.title", lang))
    start = plan.start
    doc.waypoints.append(gpxpy.gpx.GPXWaypoint(start.lat, start.lon, name=_plain(f"S {start.name}"), description=t("ronde.start", lang)))
    several = len(plan.rounds) > 1
    for r in plan.rounds:
        letter = chr(ord("A") + r.walker) if several else ""
        for number, visit in enumerate(r.visits, start=1):
            text = t("ronde.gpx.visit", lang, arrive=visit.arrive.strftime("%H:%M"), minutes=round(visit.stop.minutes))
            doc.waypoints.append(
                gpxpy.gpx.GPXWaypoint(visit.stop.lat, visit.stop.lon, name=_plain(f"{letter}{number} {visit.stop.name}"), description=text)
            )
    for r in plan.rounds:
        track = gpxpy.gpx.GPXTrack(name=_plain(walker_label(r.walker, lang)))
        segment = gpxpy.gpx.GPXTrackSegment()
        for lon, lat in _line(r):
            segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
        track.segments.append(segment)
        doc.tracks.append(track)
    return doc.to_xml(version="1.1")


def sheet_html(
    plan: Plan, *, lang: str, graph: graph_mod.WalkGraph | None = None, title: str = "", bring: str = ""
) -> str:
    """Return the printable route sheet: one A4 page per walker (map, stops with times, to bring, notes)."""
    pages = [_page(plan, r, lang=lang, graph=graph, title=title, bring=bring) for r in plan.rounds]
    return (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title or t('ronde.title', lang))}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(pages)}</body></html>"
    )


def _page(plan: Plan, r: WalkerRound, *, lang: str, graph: graph_mod.WalkGraph | None, title: str, bring: str) -> str:
    """Return one walker's A4 page."""
    e = html.escape
    columns = table_columns(lang)
    rows = ["<tr>" + "".join(f"<td>{e(row[c])}</td>" for c in columns) + "</tr>" for row in table_rows(plan, r, lang=lang)]
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    bring_lines = [line.strip() for line in bring.splitlines() if line.strip()]
    bring_html = "".join(f"<li>{e(line)}</li>" for line in bring_lines) or "".join("<li class='blank'></li>" for _ in range(3))
    summary = round_total(r, lang)
    return (
        f'<section class="sheet" style="--walker:{r.colour}">'
        f"<h1>{e(title or t('ronde.title', lang))} — {e(walker_label(r.walker, lang))}</h1>"
        f"<p class='meta'>{plan.at:%Y-%m-%d} · {e(summary)} · {plan.speed_kmh:g} km/h</p>"
        f"{_svg(plan, r, graph)}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<div class='cols'><div><h2>{e(t('ronde.sheet.bring', lang))}</h2><ul>{bring_html}</ul></div>"
        f"<div><h2>{e(t('ronde.sheet.notes', lang))}</h2>{_NOTE_LINE * NOTE_LINES}</div></div>"
        "</section>"
    )


def table_columns(lang: str) -> list[str]:
    """Return the column titles of a walker's table of stops."""
    return [t(k, lang) for k in ("ronde.col.nr", "ronde.col.stop", "ronde.col.arrive", "ronde.col.leave", "ronde.col.walk", "ronde.col.note")]


def table_rows(plan: Plan, r: WalkerRound, *, lang: str) -> list[dict[str, str]]:
    """Return a walker's stops as plain-text rows (start, each stop, the way back) keyed by `table_columns`."""
    nr, stop, arrive, leave, walk, note = table_columns(lang)

    def row(number: str, name: str, at_arrive: str, at_leave: str, walked: str, remark: str) -> dict[str, str]:
        return {nr: number, stop: name, arrive: at_arrive, leave: at_leave, walk: walked, note: remark}

    rows = [row("S", plan.start.name, "", f"{r.start:%H:%M}", "", "")]
    for number, v in enumerate(r.visits, start=1):
        remark = v.closed.message(lang) if v.closed else (t("ronde.wait", lang, minutes=round(v.wait_minutes)) if v.wait_minutes >= 1 else "")
        rows.append(row(str(number), v.stop.name, f"{v.arrive:%H:%M}", f"{v.leave:%H:%M}", f"{round(v.metres)} m · {round(v.minutes)} min", remark))
    if plan.returns:
        rows.append(row("S", t("ronde.back", lang), f"{r.end:%H:%M}", "", f"{round(r.back_metres)} m · {round(r.back_minutes)} min", ""))
    return rows


def _svg(plan: Plan, r: WalkerRound, graph: graph_mod.WalkGraph | None) -> str:
    """Return the walker's map as inline SVG: streets around in grey, the walking line, numbered stops."""
    line = _line(r)
    points = [(plan.start.lon, plan.start.lat), *((v.stop.lon, v.stop.lat) for v in r.visits)]
    lons = [p[0] for p in (*line, *points)]
    lats = [p[1] for p in (*line, *points)]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((south + north) / 2))
    pad = 0.0015
    west, east, south, north = west - pad / kx, east + pad / kx, south - pad, north + pad
    scale = min(SVG_WIDTH / ((east - west) * kx), SVG_HEIGHT / (north - south))

    dx = (SVG_WIDTH - (east - west) * kx * scale) / 2  # centre the drawing in the frame
    dy = (SVG_HEIGHT - (north - south) * scale) / 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return dx + (lon - west) * kx * scale, dy + (north - lat) * scale

    parts = []
    if graph is not None:
        coo = graph.matrix.tocoo()
        inside = (graph.lon >= west) & (graph.lon <= east) & (graph.lat >= south) & (graph.lat <= north)
        keep = (coo.row < coo.col) & (inside[coo.row] | inside[coo.col])
        for a, b in zip(coo.row[keep], coo.col[keep], strict=True):
            (x1, y1), (x2, y2) = xy(graph.lon[a], graph.lat[a]), xy(graph.lon[b], graph.lat[b])
            parts.append(f'<line class="street" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    walk = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in line))
    parts.append(f'<polyline class="walk" points="{walk}"/>')
    x, y = xy(*points[0])
    parts.append(f'<rect class="start" x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18"/><text x="{x:.1f}" y="{y + 4:.1f}">S</text>')
    for number, p in enumerate(points[1:], start=1):
        x, y = xy(*p)
        parts.append(f'<circle class="stop" cx="{x:.1f}" cy="{y:.1f}" r="10"/><text x="{x:.1f}" y="{y + 4:.1f}">{number}</text>')
    return f'<svg class="map" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'


def _line(r: WalkerRound) -> list[tuple[float, float]]:
    """Return a walker's whole walking line (lon, lat), legs joined."""
    line: list[tuple[float, float]] = []
    for leg in (*(v.path for v in r.visits), r.back_path):
        for p in leg:
            if not line or line[-1] != p:
                line.append(p)
    return line


def _plain(text: str) -> str:
    """Return text without control characters (XML 1.0 cannot hold them)."""
    return validate.CONTROL_MULTILINE.sub(" ", text)


_CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0; }
.sheet { page-break-after: always; break-after: page; max-width: 186mm; margin: 0 auto; }
.sheet:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 16pt; margin: 0 0 2mm; border-bottom: 3px solid var(--walker); }
h2 { font-size: 11pt; margin: 2mm 0; }
.meta { margin: 0 0 2mm; font-size: 10pt; }
svg.map { width: 100%; height: auto; max-height: 105mm; border: 1px solid #ccc; }
.street { stroke: #c8c8c8; stroke-width: 1.2; }
.walk { fill: none; stroke: var(--walker); stroke-width: 4; stroke-linejoin: round; opacity: .85; }
.stop { fill: #fff; stroke: var(--walker); stroke-width: 3; }
.start { fill: #222; }
svg text { font-size: 11px; font-weight: bold; text-anchor: middle; fill: #222; }
rect.start + text { fill: #fff; }
table { width: 100%; border-collapse: collapse; font-size: 9.5pt; margin-top: 2mm; }
th, td { border-bottom: 1px solid #ddd; padding: 1mm; text-align: left; vertical-align: top; }
.cols { display: flex; gap: 6mm; font-size: 10pt; }
.cols > div { flex: 1; }
li.blank, .line { border-bottom: 1px solid #999; height: 7mm; list-style: none; }
"""
