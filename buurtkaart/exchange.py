"""Import and export of vindplaatsen and organisation layers: GeoJSON (uMap), CSV, KML, GPX and GeoPackage."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from sqlalchemy.orm import Session

from buurtkaart import accounts, audit, csv_cells, organisations, settings
from buurtkaart import vindplaatsen as vp
from buurtkaart.accounts import Actor
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.store import Store

# File suffix -> format. KML is written with LIBKML when GDAL has it (it keeps our fields).
FORMATS: dict[str, str] = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".csv": "CSV",
    ".kml": "KML",
    ".gpx": "GPX",
    ".gpkg": "GPKG",
}
MAX_MB = 20
MAX_ROWS = 50_000
SHOWN_PROBLEMS = 5
GPKG_LAYER = "buurtkaart"
# CSV columns that hold the position, tried in this order (case does not matter).
CSV_XY: tuple[tuple[str, str], ...] = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"), ("x", "y"))
CSV_GEOMETRY_NAMES = "wkt,geometry,geom,the_geom"
# Where an imported field may come from (first non-empty column wins; names compared in lower case).
SOURCES: dict[str, tuple[str, ...]] = {
    "name": ("name", "naam", "nom", "title"),
    "kind": ("kind",),
    "layer": ("layer",),
    "notes": ("notes", "description", "desc", "cmt"),
    "target_groups": ("target_groups",),
    "languages": ("languages",),
    "hours": ("hours", "opening_hours"),
    "wheelchair": ("wheelchair",),
    "formal": ("formal",),
    "actor": ("actor",),
    "osm_place_id": ("osm_place_id",),
}
_TRUE = frozenset({"true", "yes", "ja", "oui", "1", "formal", "formeel", "formel"})
_FALSE = frozenset({"false", "no", "nee", "non", "0", "informal", "informeel", "informel"})
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
# The columns of an export, in order (besides the position).
EXPORT_COLUMNS: tuple[str, ...] = (
    "id", "layer", "name", "description", "kind", "target_groups", "languages", "hours", "wheelchair", "formal", "actor",
    "osm_place_id",
)  # fmt: skip


class ExchangeError(BuurtkaartError):
    """A file that cannot be imported or exported as a whole (type, size, unreadable, wrong CRS)."""


class ImportRowsError(ExchangeError):
    """Rows of a file that cannot be imported: nothing of the file was imported."""

    def __init__(self, problems: Iterable[tuple[int, vp.VindplaatsError]], *, name: str) -> None:
        self.problems: tuple[tuple[int, vp.VindplaatsError], ...] = tuple(sorted(problems, key=lambda p: p[0]))
        super().__init__("error.import_rows", name=name, count=len(self.problems), details="")

    def message(self, lang: str) -> str:
        """Return the message in `lang`: how many rows are wrong, and the first few problems."""
        shown = [t("import.row", lang, row=row, problem=error.message(lang)) for row, error in self.problems[:SHOWN_PROBLEMS]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(t("import.more", lang, n=more))
        return t(self.key, lang, name=self.values["name"], count=len(self.problems), details=" ".join(shown))


@dataclass(frozen=True)
class ImportReport:
    """What an import added: how many items, their ids, and what was converted on the way."""

    source: str
    added: int
    item_ids: tuple[str, ...]
    reprojected_from: str | None
    shapes_to_points: int


# --- import ---


def import_file(
    store: Store,
    organisation_id: Actor | str,
    path: str | os.PathLike[str],
    *,
    user: str | None = None,
    layer: str | None,
    bounds: vp.Bounds,
    max_mb: float = MAX_MB,
    max_rows: int = MAX_ROWS,
    default_kind: str = vp.OTHER,
    source_name: str | None = None,
) -> ImportReport:
    """Import every feature of a file as items of `layer` (None: each row's `layer` column), all or nothing.

    Lines and polygons are placed at a point inside them (counted in the report). Every row is checked
    like `vindplaatsen.add` (also for duplicates within the file and with the map); one bad row and
    nothing is written: ImportRowsError lists the rows and their problems. Messages call the file
    `source_name` (default: its name).
    """
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    user = vp.clean_user(user)
    path = Path(path)
    name = source_name or path.name
    fmt = _format(path, "error.import_file_type", name=name)
    _check_size(path, max_mb, name=name)
    frame, problems, reprojected_from = read_features(path, fmt, name=name)
    if len(frame) == 0:
        raise ExchangeError("error.import_no_features", name=name)
    if len(frame) > max_rows:
        raise ExchangeError("error.import_too_many_rows", name=name, count=len(frame), limit=max_rows)
    shapes = int((frame.geometry.notna() & ~frame.geometry.is_empty & (frame.geom_type != "Point")).sum())
    rows, row_problems = _clean_rows(frame, problems, layer=layer, default_kind=default_kind, bounds=bounds)
    _refuse_duplicates_in_file(rows, row_problems)
    with store.write(lock=organisation_id) as session:
        organisations.require(session, organisation_id, vp.VindplaatsError)
        _refuse_duplicates_in_store(session, organisation_id, rows, row_problems)
        if row_problems:
            raise ImportRowsError(row_problems.items(), name=name)
        new = vp.insert_items(session, organisation_id, rows.values(), user=user, action="import")
    return ImportReport(
        source=name,
        added=len(new),
        item_ids=tuple(row["id"] for row in new),
        reprojected_from=reprojected_from,
        shapes_to_points=shapes,
    )


def import_upload(
    store: Store,
    organisation_id: Actor | str,
    data: bytes,
    *,
    filename: str,
    user: str | None = None,
    layer: str | None,
    bounds: vp.Bounds,
    max_mb: float = MAX_MB,
    **options: Any,
) -> ImportReport:
    """Import an uploaded file (its bytes and the name it had) like `import_file`; the size is checked before anything is written.

    `options` are the other options of `import_file` (`max_rows`, `default_kind`).
    """
    user = accounts.user_of(organisation_id, user)
    organisation_id = accounts.scope(organisation_id, accounts.MAP_WRITE)
    name = Path(filename).name
    suffix = Path(name).suffix.lower()
    _format(Path(name), "error.import_file_type", name=name)
    if len(data) > max_mb * 1024 * 1024:
        raise ExchangeError("error.import_too_large", name=name, size=f"{len(data) / 1024 / 1024:.1f}", limit=f"{max_mb:g}")
    with tempfile.TemporaryDirectory(prefix="buurtkaart-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return import_file(
            store, organisation_id, path, user=user, layer=layer, bounds=bounds, max_mb=max_mb, source_name=name, **options
        )


def read_features(
    path: Path, fmt: str, *, name: str | None = None
) -> tuple[gpd.GeoDataFrame, dict[int, vp.VindplaatsError], str | None]:
    """Return a file's features in EPSG:4326 (lower-case columns), row problems found on the way, and the CRS it came from."""
    name = name or path.name
    try:
        frames = _read_layers(path, fmt, name=name)
    except ExchangeError:
        raise
    except Exception as exc:  # any failure of GDAL on an untrusted file means: this file cannot be read
        raise ExchangeError("error.import_unreadable", name=name, detail=_first_line(exc)) from exc
    problems: dict[int, vp.VindplaatsError] = {}
    if fmt == "CSV" and frames and _no_geometry(frames[0]):
        frames = [_csv_points(frames[0], problems, name=name)]
    reprojected_from = None
    parts = []
    for frame in frames:
        if _no_geometry(frame):
            continue  # a table without positions (e.g. in a GeoPackage)
        frame, source = _to_wgs84(frame, name=name)
        reprojected_from = reprojected_from or source
        parts.append(frame)
    if not parts:
        return gpd.GeoDataFrame(geometry=[], crs=vp.CRS), problems, None
    features = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    features = gpd.GeoDataFrame(features, geometry="geometry", crs=vp.CRS)
    _refuse_non_degrees(features, name=name)
    return features, problems, reprojected_from


def _read_layers(path: Path, fmt: str, *, name: str) -> list[gpd.GeoDataFrame]:
    """Return the layers of a file to import, as read by pyogrio (GPX: only its waypoints)."""
    if fmt == "GPX":
        layers = [str(layer) for layer, _ in pyogrio.list_layers(path)]
        frame = pyogrio.read_dataframe(path, layer="waypoints") if "waypoints" in layers else None
        if frame is None or len(frame) == 0:
            raise ExchangeError("error.import_no_waypoints", name=name)
        return [_lower_columns(frame)]
    if fmt == "CSV":
        frame = pyogrio.read_dataframe(path, GEOM_POSSIBLE_NAMES=CSV_GEOMETRY_NAMES, KEEP_GEOM_COLUMNS="NO")
        return [_lower_columns(csv_cells.restore_frame(frame))]  # our export's neutralised formulas, back as typed
    return [_lower_columns(pyogrio.read_dataframe(path, layer=str(layer))) for layer, _ in pyogrio.list_layers(path)]


def _lower_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with lower-case column names; GPX extension fields ("ogr_kind") lose their prefix."""
    renamed: dict[str, str] = {}
    for column in frame.columns:
        if column == "geometry":
            continue
        name = str(column).lower().removeprefix("ogr_")
        if name not in renamed.values():
            renamed[column] = name
    return frame[[*renamed, *(["geometry"] if "geometry" in frame.columns else [])]].rename(columns=renamed)


def _no_geometry(frame: pd.DataFrame) -> bool:
    """Return True when a frame has no geometry column or only empty geometries."""
    return not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame.columns or frame.geometry.isna().all()


def _csv_points(frame: pd.DataFrame, problems: dict[int, vp.VindplaatsError], *, name: str) -> gpd.GeoDataFrame:
    """Return a CSV table with points from its lon/lat (or longitude/latitude, x/y) columns; bad numbers become row problems."""
    columns = set(frame.columns)
    pair = next(((x, y) for x, y in CSV_XY if x in columns and y in columns), None)
    if pair is None:
        raise ExchangeError("error.import_csv_no_position", name=name)
    points = []
    for number, (raw_x, raw_y) in enumerate(zip(frame[pair[0]], frame[pair[1]], strict=True), start=1):
        x, y = _csv_number(raw_x), _csv_number(raw_y)
        if x is None or y is None:
            field, raw = ("lon", raw_x) if x is None else ("lat", raw_y)
            problems[number] = vp.VindplaatsError("error.coordinate_not_number", field=field, value=vp.show_value(_plain(raw)))
            points.append(None)
        else:
            points.append(shapely.Point(x, y))
    table = frame.drop(columns=[c for c in (*pair, "geometry") if c in frame.columns])
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(points, index=table.index), crs=None)


def _csv_number(value: object) -> float | None:
    """Return a CSV cell as a finite number (a decimal comma is accepted), or None."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.replace(",", ".") if _DECIMAL_COMMA.match(value) else value
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _to_wgs84(frame: gpd.GeoDataFrame, *, name: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return the frame in EPSG:4326 and the CRS it was reprojected from (None: it was in degrees or declared none)."""
    crs = frame.crs
    if crs is None or crs.equals(settings.CRS) or crs.equals("OGC:CRS84") or crs.to_epsg() == 4326:
        return frame.set_crs(vp.CRS, allow_override=True), None
    if not crs.is_geographic and not crs.is_projected:
        raise ExchangeError("error.import_unreadable", name=name, detail=f"unknown CRS {crs.name}")
    try:
        frame = frame.to_crs(vp.CRS)
    except Exception as exc:  # pyproj cannot transform this CRS
        raise ExchangeError("error.import_unreadable", name=name, detail=_first_line(exc)) from exc
    code = crs.to_epsg()
    return frame, f"EPSG:{code}" if code else crs.name


def _refuse_non_degrees(frame: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise ExchangeError when no position is in longitude/latitude degrees (a projected file without its CRS).

    When only some rows are out of range, each of them is named with its row number by `_clean_rows`.
    """
    valid = frame.geometry.notna() & ~frame.geometry.is_empty
    if not valid.any():
        return
    bounds = frame.geometry[valid].bounds
    outside = (bounds["minx"] < -180) | (bounds["maxx"] > 180) | (bounds["miny"] < -90) | (bounds["maxy"] > 90)
    if outside.all():
        first = outside.idxmax()
        raise ExchangeError(
            "error.import_wrong_crs",
            name=name,
            row=int(first) + 1,
            x=f"{bounds.loc[first, 'minx']:.2f}",
            y=f"{bounds.loc[first, 'miny']:.2f}",
        )


def _clean_rows(
    frame: gpd.GeoDataFrame,
    problems: dict[int, vp.VindplaatsError],
    *,
    layer: str | None,
    default_kind: str,
    bounds: vp.Bounds,
) -> tuple[dict[int, tuple[dict[str, Any], float, float]], dict[int, vp.VindplaatsError]]:
    """Return the clean rows by row number (values, lon, lat) and the problems of the others."""
    area = vp.bounds_geometry(bounds)
    shapely.prepare(area)
    columns = {field: [c for c in names if c in frame.columns] for field, names in SOURCES.items()}
    points = _points(frame.geometry.to_numpy())
    inside = shapely.covers(area, points)  # all at once; clean_position explains the others
    records = frame.drop(columns="geometry").to_dict("records")
    rows: dict[int, tuple[dict[str, Any], float, float]] = {}
    for number, (record, point, ok) in enumerate(zip(records, points, inside, strict=True), start=1):
        if number in problems:
            continue
        try:
            values = vp.clean_fields(_row_values(record, columns, layer=layer, default_kind=default_kind))
            if point is None:
                raise vp.VindplaatsError("error.no_location", field="lon")
            lon, lat = (point.x, point.y) if ok else vp.clean_position(point.x, point.y, area)
        except vp.VindplaatsError as error:
            problems[number] = error
            continue
        rows[number] = (values, lon, lat)
    return rows, problems


def _points(geometries: np.ndarray) -> np.ndarray:
    """Return each geometry as a point (lines and polygons: a point inside them); None where there is none."""
    missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    points = np.where(shapely.get_type_id(geometries) == 0, geometries, shapely.point_on_surface(geometries))
    return np.where(missing, None, points)


def _row_values(
    record: Mapping[str, Any], columns: Mapping[str, list[str]], *, layer: str | None, default_kind: str
) -> dict[str, Any]:
    """Return the `clean_fields` input of one file row."""
    raw = {field: _first_value(record, found) for field, found in columns.items()}
    text = {field: _as_text(raw[field]) for field in ("name", "notes", "hours", "actor", "osm_place_id", "layer", "kind")}
    return {
        **text,
        "layer": layer if layer is not None else text["layer"],
        "kind": text["kind"] or default_kind,
        "target_groups": _as_list(raw["target_groups"]),
        "languages": _as_list(raw["languages"]),
        "wheelchair": _as_text(raw["wheelchair"]) or "unknown",
        "formal": _as_formal(raw["formal"]),
    }


def _refuse_duplicates_in_file(
    rows: dict[int, tuple[dict[str, Any], float, float]], problems: dict[int, vp.VindplaatsError]
) -> None:
    """Move rows that repeat an earlier row of the file (same layer, same name within 25 m) to the problems."""
    seen: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
    for number, (values, lon, lat) in list(rows.items()):
        key = (values["layer"], vp.fold_name(values["name"]))
        earlier = next(
            (n for n, x, y in seen.get(key, []) if vp.distance_m(lon, lat, x, y) < vp.DUPLICATE_METRES), None
        )
        if earlier is not None:
            problems[number] = vp.VindplaatsError("error.duplicate_in_file", field="name", name=values["name"], row=earlier)
            del rows[number]
            continue
        seen.setdefault(key, []).append((number, lon, lat))


def _refuse_duplicates_in_store(
    session: Session, organisation_id: str, rows: dict[int, tuple[dict[str, Any], float, float]], problems: dict[int, vp.VindplaatsError]
) -> None:
    """Move rows that repeat a live item of the map (same layer, same name within 25 m) to the problems."""
    existing = vp.live_by_name_key(session, organisation_id, (vp.fold_name(values["name"]) for values, _, _ in rows.values()))
    for number, (values, lon, lat) in list(rows.items()):
        for item in existing.get((values["layer"], vp.fold_name(values["name"])), []):
            metres = vp.distance_m(lon, lat, item.lon, item.lat)
            if metres < vp.DUPLICATE_METRES:
                problems[number] = vp.DuplicateError(
                    "error.duplicate", existing_id=item.id, name=item.name, distance=round(metres), limit=round(vp.DUPLICATE_METRES)
                )
                del rows[number]
                break


# --- export ---


def export_items(
    store: Store,
    organisation_id: Actor | str,
    path: str | os.PathLike[str],
    *,
    layers: Iterable[str] | None = None,
    user: str | None = None,
) -> int:
    """Write the organisation's live items to a file (format from its suffix) and return how many were written.

    The export is recorded in the audit log (``export.<format>``, by `user`) once the file is written.
    """
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.EXPORT)
    path = Path(path)
    fmt = _format(path, "error.export_file_type", name=path.name)
    table = export_frame(vp.list_items(store, organisation_id, layers=layers))
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".buurtkaart-", suffix=path.suffix, dir=folder)
    os.close(handle)
    os.unlink(temporary)  # GDAL creates the file itself
    try:
        _write(table, Path(temporary), fmt)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    audit.record(store, organisation_id, user, f"export.{fmt.lower()}")
    return len(table)


def export_bytes(
    store: Store, organisation_id: Actor | str, *, suffix: str, layers: Iterable[str] | None = None, user: str | None = None
) -> bytes:
    """Return the organisation's live items as the bytes of a file of the format of `suffix` (e.g. ".geojson"), for a download."""
    user = accounts.user_of(organisation_id, user, audit.DEFAULT_USER)
    organisation_id = accounts.scope(organisation_id, accounts.EXPORT)
    with tempfile.TemporaryDirectory(prefix="buurtkaart-export-") as folder:
        path = Path(folder) / f"buurtkaart{suffix.lower()}"
        export_items(store, organisation_id, path, layers=layers, user=user)
        return path.read_bytes()


def export_frame(items: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return items as the text columns of an export (EXPORT_COLUMNS; notes as uMap's `description`)."""
    table = pd.DataFrame(
        {
            "id": items["id"].astype(object),
            "layer": items["layer"].astype(object),
            "name": items["name"].astype(object),
            "description": items["notes"].astype(object),
            "kind": items["kind"].astype(object),
            "target_groups": [";".join(v) for v in items["target_groups"]],
            "languages": [";".join(v) for v in items["languages"]],
            "hours": items["hours"].astype(object),
            "wheelchair": items["wheelchair"].astype(object),
            "formal": ["" if v is None else ("true" if v else "false") for v in items["formal"]],
            "actor": items["actor"].astype(object),
            "osm_place_id": [v or "" for v in items["osm_place_id"]],
        },
        index=items.index,
        columns=list(EXPORT_COLUMNS),
    )
    return gpd.GeoDataFrame(table, geometry=items.geometry.values, crs=vp.CRS)


def _write(table: gpd.GeoDataFrame, path: Path, fmt: str) -> None:
    """Write an export table with pyogrio in one of FORMATS."""
    options: dict[str, Any] = {"geometry_type": "Point", "encoding": "UTF-8"}
    if fmt == "CSV":
        plain = pd.DataFrame({"lon": table.geometry.x, "lat": table.geometry.y, **{c: table[c] for c in EXPORT_COLUMNS}})
        pyogrio.write_dataframe(csv_cells.neutralise_frame(plain), path, driver="CSV", encoding="UTF-8")
    elif fmt == "GPX":
        gpx = table.rename(columns={"description": "desc"})
        pyogrio.write_dataframe(gpx, path, driver="GPX", layer="waypoints", dataset_options={"GPX_USE_EXTENSIONS": "YES"}, **options)
    elif fmt == "KML":
        driver = "LIBKML" if "LIBKML" in pyogrio.list_drivers(write=True) else "KML"
        pyogrio.write_dataframe(table, path, driver=driver, layer=GPKG_LAYER, **options)
    elif fmt == "GPKG":
        pyogrio.write_dataframe(table, path, driver="GPKG", layer=GPKG_LAYER, **options)
    else:
        pyogrio.write_dataframe(table, path, driver="GeoJSON", layer=GPKG_LAYER, **options)


# --- small helpers ---


def _format(path: Path, error_key: str, *, name: str) -> str:
    """Return the format of a file from its suffix; raise ExchangeError for any other suffix."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExchangeError(error_key, name=name, formats=", ".join(sorted(FORMATS)))
    return fmt


def _check_size(path: Path, max_mb: float, *, name: str) -> None:
    """Raise ExchangeError if the file is missing, empty or larger than `max_mb` (before reading it)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExchangeError("error.import_unreadable", name=name, detail=exc.strerror or str(exc)) from exc
    if size == 0:
        raise ExchangeError("error.import_empty", name=name)
    if size > max_mb * 1024 * 1024:
        raise ExchangeError("error.import_too_large", name=name, size=f"{size / 1024 / 1024:.1f}", limit=f"{max_mb:g}")


def _empty(value: object) -> bool:
    """Return True for a missing cell (None, NaN, NaT, empty text)."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _first_value(record: Mapping[str, Any], columns: Iterable[str]) -> object:
    """Return the first non-empty cell of a row among `columns`, or None."""
    for column in columns:
        if not _empty(record[column]):
            return record[column]
    return None


def _plain(value: object) -> object:
    """Return a numpy scalar as the Python value."""
    return value.item() if isinstance(value, np.generic) else value


def _as_text(value: object) -> object:
    """Return a cell as text ("" when missing); numbers become their text, anything else is left for the checks."""
    value = _plain(value)
    if _empty(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_list(value: object) -> object:
    """Return a list cell ("a;b", "a, b", a JSON array, or a list) as a list of text."""
    value = _plain(value)
    if _empty(value):
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v).strip() for v in value if not _empty(v)]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                return [str(v).strip() for v in parsed if not _empty(v)]
        return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
    return value


def _as_formal(value: object) -> object:
    """Return a formal/informal cell as True, False or None; anything else is left for the checks."""
    value = _plain(value)
    if _empty(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


def _first_line(exc: BaseException) -> str:
    """Return the first line of an error message."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
