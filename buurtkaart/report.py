"""The buurtanalyse report as one standalone HTML file: text, tables, charts and a map, no external request.

Charts are matplotlib SVG inlined in the page, the map a PNG inlined as a data URL; every text from data is
HTML-escaped. Figures about citizens arrive already suppressed below 5 (see `analysis`).
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable, Sequence

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from buurtkaart import accessibility as access
from buurtkaart import area as area_mod
from buurtkaart import charts, disclosure, formats, i18n, settings, vocabulary
from buurtkaart.area import Area
from buurtkaart.buurtanalyse import AreaAnalysis, area_streets
from buurtkaart.i18n import t

GROUP_COLOURS = {"children": "#3498db", "adults": "#95a5a6", "elderly": "#e67e22"}
FUNCTION_COLOUR = "#8e44ad"
MAP_KEY = "meeting"
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #eee;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f6f6f6}td.n{text-align:right}.note{color:#666;font-size:.85em}.chart svg{max-width:100%;height:auto}
img.map{max-width:100%;border:1px solid #ddd}
"""


def area_report(result: AreaAnalysis, region: Area, *, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return the standalone HTML report of an area of `region`: what the analyse page downloads and the CLI writes.

    Parameters
    ----------
    result
        The analysis of the area (``buurtanalyse.analyse_area``).
    region
        The region it was analysed in: its streets around the area are drawn, its quartiers named.
    lang
        The report's language (keyword-only).

    Returns
    -------
    str
        One HTML page with its charts and map inline (works offline, no citizen code in it).

    Example
    -------
    >>> html = area_report(buurtanalyse.analyse_area("Schaerbeek", boundary, region=region, walk=walk), region)  # doctest: +SKIP
    """
    return report_html(
        result, lang=lang, edges=area_streets(region, result.boundary), quartier_names=quartier_names(region.quartiers, lang=lang)
    )


def report_html(
    result: AreaAnalysis,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    edges: pd.DataFrame | None = None,
    quartier_names: dict[str, str] | None = None,
) -> str:
    """Return the standalone HTML report of a buurtanalyse (``area_report`` fills `edges` and the names).

    Parameters
    ----------
    result
        The analysis (``buurtanalyse.analyse_area``).
    lang
        The report's language (keyword-only).
    edges
        The area's streets, for the map of walking distances (None: no map).
    quartier_names
        {mdrc as text: name}, so that the caseload's groups read as quartiers, not codes.

    Returns
    -------
    str
        One HTML page with its charts and map inline: works offline, every text escaped, no citizen code.

    Example
    -------
    >>> html = report_html(result, lang="fr")  # doctest: +SKIP
    """
    parts = [
        f"<h1>{_e(t('report.title', lang, name=result.name))}</h1>",
        f"<p class='note'>{_e(t('report.made', lang, at=formats.datetime_text(result.made_at, lang)))}</p>",
        f"<p class='note'>{_e(t('report.privacy', lang))}</p>",
        f"<h2>{_e(t('report.access', lang))}</h2>",
        _list(result.sentences) if result.has_population else f"<p>{_e(t('report.no_population', lang))}</p>",
    ]
    if result.has_population:
        parts.append(_chart(access_chart(result, lang=lang)))
    parts.append(_table(place_table(result, lang=lang)))
    if edges is not None and MAP_KEY in result.access.distance:
        parts += [f"<h3>{_e(t('report.map', lang, label=access.source_label(MAP_KEY, lang)))}</h3>", _map_image(result, edges, lang)]
    parts.append(f"<h2>{_e(t('report.caseload', lang))}</h2>")
    parts += [f"<p>{_e(line)}</p>" for line in caseload_notes(result, lang=lang)]
    if result.unit is None:  # a drawn area: no figure about citizens at all
        parts.append(f"<p class='note'>{_e(t('map.attribution', lang))} · {_e(t('map.streets.note', lang))}</p>")
        return _page(result, lang, parts)
    if not result.gaps.iloc[0]["suppressed"]:
        parts += [_chart(gaps_chart(result, lang=lang)), _table(gaps_table(result, lang=lang, quartier_names=quartier_names))]
    parts.append(f"<h2>{_e(t('report.unknown', lang))}</h2>")
    if len(result.unknown):
        parts.append(_table(unknown_table(result, lang=lang)))
    parts += [f"<p>{_e(line)}</p>" for line in unknown_notes(result, lang=lang)]
    parts.append(f"<h2>{_e(t('report.talents', lang))}</h2>")
    if len(result.talents):
        parts.append(_table(talents_table(result, lang=lang)))
    parts += [f"<p>{_e(line)}</p>" for line in talents_notes(result, lang=lang)]
    parts.append(f"<p class='note'>{_e(t('map.attribution', lang))} · {_e(t('map.streets.note', lang))}</p>")
    return _page(result, lang, parts)


def caseload_notes(result: AreaAnalysis, *, lang: str) -> list[str]:
    """Return what to say above the caseload figures: none for a drawn area, how many citizens, what is hidden."""
    if result.unit is None:
        return [t("sdc.drawn", lang)]
    lines = [t("report.citizens", lang, n=result.citizens)]
    if result.gaps.iloc[0]["suppressed"]:
        lines.append(t("sdc.unit_hidden", lang))
    return [*lines, t("sdc.note", lang)]


def _page(result: AreaAnalysis, lang: str, parts: list[str]) -> str:
    """Return the standalone HTML page around the report's parts."""
    body = "\n".join(parts)
    title = _e(t("report.title", lang, name=result.name))
    return (
        f"<!DOCTYPE html>\n<html lang='{_e(lang)}'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def access_chart(result: AreaAnalysis, *, lang: str) -> Figure:
    """Return a bar chart: per kind of place, the share of residents of each age group beyond their threshold."""
    fig = result.figures[~result.figures["no_place"]]
    keys = list(dict.fromkeys(fig["key"]))
    groups = list(dict.fromkeys(fig["group"]))
    figure = Figure(figsize=(8, 0.45 * len(keys) + 1.2))
    ax = figure.subplots()
    height = 0.8 / max(len(groups), 1)
    for g, group in enumerate(groups):
        rows = fig[fig["group"] == group].set_index("key").reindex(keys)
        shares = (rows["share_beyond"].fillna(0) * 100).tolist()
        positions = [k + g * height for k in range(len(keys))]
        label = f"{t(f'access.group.{group}', lang)} (> {int(rows['threshold_m'].iloc[0])} m)"
        ax.barh(positions, shares, height=height, color=GROUP_COLOURS.get(group, "#7f8c8d"), label=label)
    ax.set_yticks([k + height * (len(groups) - 1) / 2 for k in range(len(keys))], [access.source_label(k, lang) for k in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("report.chart.beyond", lang))
    ax.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def gaps_chart(result: AreaAnalysis, *, lang: str) -> Figure:
    """Return a bar chart: the share of citizens lacking each function, and with a bonding-only network."""
    row = result.gaps.iloc[0]
    labels = [vocabulary.label("function", f, lang) for f in vocabulary.FUNCTIONS] + [t("report.bonding_only", lang)]
    values = [100 * row[f"lacking_{f}"] for f in vocabulary.FUNCTIONS] + [100 * row["bonding_only"]]
    figure = Figure(figsize=(8, 2.6))
    ax = figure.subplots()
    ax.barh(labels, values, color=FUNCTION_COLOUR)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("report.chart.lacking", lang))
    for y, value in enumerate(values):
        ax.text(value + 1, y, f"{value:.0f}%", va="center", fontsize=8)
    figure.tight_layout()
    return figure


def place_table(result: AreaAnalysis, *, lang: str) -> pd.DataFrame:
    """Return the places of each kind in the area and how far its streets are from one, as a table to show."""
    rows = []
    for row in result.places.itertuples():
        rows.append({
            t("report.col.kind", lang): access.source_label(row.key, lang),
            t("report.col.in_area", lang): row.in_area if row.in_area else t("report.none_in_area", lang),
            t("report.col.median", lang): "—" if math.isnan(row.median_m) else f"{row.median_m:.0f} m",
            t("report.col.p90", lang): "—" if math.isnan(row.p90_m) else f"{row.p90_m:.0f} m",
        })
    return pd.DataFrame(rows)


def gaps_table(result: AreaAnalysis, *, lang: str, quartier_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the caseload gaps per group (all, then each quartier) with suppressed groups shown as such."""
    names = quartier_names or {}
    rows = []
    for row in result.gaps.itertuples():
        group = t("report.all", lang) if row.group == "all" else names.get(row.group, row.group)
        citizens = t("sdc.hidden", lang) if row.suppressed else row.citizens
        shown = {t("report.col.group", lang): group, t("report.col.citizens", lang): citizens}
        for f in vocabulary.FUNCTIONS:
            value = getattr(row, f"lacking_{f}")
            shown[t("report.col.lacking", lang, function=vocabulary.label("function", f, lang))] = "—" if pd.isna(value) else f"{100 * value:.0f}%"
        shown[t("report.col.mean_size", lang)] = "—" if pd.isna(row.mean_size) else f"{row.mean_size:.1f}"
        rows.append(shown)
    return pd.DataFrame(rows)


def unknown_notes(result: AreaAnalysis, *, lang: str) -> list[str]:
    """Return what to say under the unknown places: none at all, or how many are left out for privacy."""
    hidden = result.unknown.attrs.get("hidden", 0)
    if hidden:
        return [t("report.unknown.hidden", lang, n=hidden)]
    return [] if len(result.unknown) else [t("report.unknown.none", lang)]


def talents_notes(result: AreaAnalysis, *, lang: str) -> list[str]:
    """Return what to say under the talents and needs: none at all, or how many matches are left out."""
    hidden = result.talents.attrs.get("hidden", 0)
    if hidden:
        return [t("report.talents.hidden", lang, n=hidden)]
    return [] if len(result.talents) else [t("report.talents.none", lang)]


def unknown_table(result: AreaAnalysis, *, lang: str) -> pd.DataFrame:
    """Return the places citizens name that the organisation does not know, as a table to show."""
    return result.unknown[["label", "citizens"]].rename(
        columns={"label": t("report.col.place", lang), "citizens": t("report.col.citizens", lang)}
    )


def talents_table(result: AreaAnalysis, *, lang: str) -> pd.DataFrame:
    """Return the needs that citizens' talents answer nearby, as a table to show."""
    talents = result.talents.assign(talent=result.talents["talent"].map(lambda k: vocabulary.label("talent", k, lang)))
    return talents[["need", "talent", "citizens"]].rename(
        columns={"need": t("report.col.need", lang), "talent": t("report.col.talent", lang), "citizens": t("report.col.citizens", lang)}
    )


def quartier_names(quartiers: pd.DataFrame, *, lang: str) -> dict[str, str]:
    """Return {mdrc as text: name} of the quartiers in `lang`, and the names of the fixed groups of quartiers, as the
    caseload's rows name them."""
    names = {str(mdrc): name for mdrc, name in area_mod.quartier_names(quartiers, lang=lang).items()}
    return names | {disclosure.GROUP_PREFIX + group: t(f"sdc.group.{group}", lang) for group in disclosure.GROUPS}


def legend_order(streets: pd.DataFrame) -> list[tuple[str, str]]:
    """Return the (colour, label) distance classes of streets from near to far, the unreachable last: the legend's order."""
    nearest = streets.groupby(["colour", "label"], sort=False)["distance_m"].min()
    return list(nearest.sort_values(na_position="last", kind="stable").index)


def _map_image(result: AreaAnalysis, edges: pd.DataFrame, lang: str) -> str:
    """Return the area's streets coloured by walking distance to the map's kind of place, as an inline PNG."""
    streets = access.streets_by_distance(result.access, edges, MAP_KEY, lang=lang)
    figure = Figure(figsize=(8, 6))
    ax = figure.subplots()
    classes = streets.groupby(["colour", "label"], sort=False)
    for colour, label in legend_order(streets):
        classes.get_group((colour, label)).plot(ax=ax, color=colour, linewidth=1.2, label=label)
    gpd.GeoSeries([result.boundary], crs=settings.CRS).boundary.plot(ax=ax, color="#2c3e50", linewidth=1, linestyle="--")
    ax.set_axis_off()
    ax.set_aspect(1 / math.cos(math.radians(result.boundary.centroid.y)))
    ax.legend(loc="lower left", fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img class='map' alt='{_e(t('report.map', lang, label=access.source_label(MAP_KEY, lang)))}' src='data:image/png;base64,{data}'>"


def _chart(figure: Figure) -> str:
    """Return a chart as an inline SVG block."""
    return f"<div class='chart'>{charts.svg_element(figure)}</div>"


def _table(frame: pd.DataFrame) -> str:
    """Return a small table as escaped HTML."""
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    """Return one table cell, numbers right-aligned."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<td class='n'>{_e(value)}</td>"
    return f"<td>{_e(value)}</td>"


def _list(lines: Sequence[str] | Iterable[str]) -> str:
    """Return sentences as an escaped bullet list."""
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def _e(value: object) -> str:
    """Return any value as escaped HTML text."""
    return html.escape(str(value), quote=True)
