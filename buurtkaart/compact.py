"""The light map encoding: geometries as base64 zig-zag varints of integer offsets, properties by index.

Used by the app's map (`maps`) and by the shared file (`share`); `static/share/bkmap.js` decodes it.

- A coordinate is an integer number of quanta (`QUANTUM` degrees, ~1 m; `COARSE_QUANTUM` ~2 m for a
  whole region) from the origin of the map. Within a layer every number is the difference with the
  number before it (x with x, y with y, across features), zig-zag encoded (0, -1, 1, -2 … → 0, 1, 2, 3 …)
  and written as a varint (7 bits a byte, the high bit says "more follows"), then base64: a typical
  street step takes 2 bytes instead of ~16 characters of GeoJSON.
- Points: ``x y`` pairs, sorted by x so that the steps stay small. Lines: ``n`` then ``n`` pairs per
  line. Polygons: ``rings`` then, per ring, ``n`` and ``n`` pairs.
- A property column is a plain list of texts, or ``{"t": table, "i": varints}`` (index into a small
  table; 0 is the empty text), or ``{"t": table, "s": varints}`` (only the filled rows: gap, index).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

QUANTUM = 1e-5  # degrees per unit: ~0.7 m east-west, ~1.1 m north-south in Brussels
COARSE_QUANTUM = 2e-5  # for a whole region, seen from further away
FINE_QUANTUM = 1e-6  # ~0.1 m: a place exactly under its search highlight at the closest zoom
POINTS, LINES, POLYGONS = "points", "lines", "polygons"


def varints(values: np.ndarray | Sequence[int]) -> str:
    """Return signed integers as base64 of zig-zag varints."""
    v = np.asarray(values, dtype=np.int64)
    if not len(v):
        return ""
    zz = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    sizes = np.ones(len(zz), dtype=np.int64)
    for k in range(1, 10):
        sizes += zz >= np.uint64(1 << (7 * k))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = np.zeros(int(sizes.sum()), dtype=np.uint8)
    for k in range(int(sizes.max())):
        pick = sizes > k
        byte = (zz[pick] >> np.uint64(7 * k)) & np.uint64(127)
        more = (sizes[pick] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[pick] + k] = (byte | more).astype(np.uint8)
    return base64.b64encode(out.tobytes()).decode("ascii")


def unvarints(text: str) -> np.ndarray:
    """Return the signed integers of `varints` (the decoder of the tests and benchmarks)."""
    raw = base64.b64decode(text)
    out, value, shift = [], 0, 0
    for byte in raw:
        value |= (byte & 127) << shift
        if byte & 128:
            shift += 7
            continue
        out.append((value >> 1) ^ -(value & 1))
        value, shift = 0, 0
    return np.asarray(out, dtype=np.int64)


def origin(bounds: tuple[float, float, float, float], quantum: float = QUANTUM) -> tuple[int, int]:
    """Return the origin of a map (its south-west corner) in quanta."""
    west, south, _, _ = bounds
    return int(np.floor(west / quantum)), int(np.floor(south / quantum))


def encode_points(geoms: np.ndarray, *, quantum: float, base: tuple[int, int]) -> tuple[str, np.ndarray]:
    """Return (varints of the points sorted by x, the order used) of Point geometries."""
    xy = np.round(shapely.get_coordinates(geoms) / quantum).astype(np.int64) - np.asarray(base, dtype=np.int64)
    order = np.argsort(xy[:, 0], kind="stable")
    xy = xy[order]
    steps = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return varints(steps.ravel()), order


def encode_lines(geoms: np.ndarray, *, quantum: float, base: tuple[int, int]) -> tuple[str, int]:
    """Return (varints, number of lines) of LineStrings and MultiLineStrings (each part a line)."""
    parts = _parts(geoms, 1)
    if not len(parts):
        return "", 0
    coords, index = shapely.get_coordinates(parts, return_index=True)
    xy = np.round(coords / quantum).astype(np.int64) - np.asarray(base, dtype=np.int64)
    counts = np.bincount(index, minlength=len(parts))
    return varints(_with_counts(xy, counts)), len(parts)


def encode_polygons(geoms: np.ndarray, *, quantum: float, base: tuple[int, int]) -> tuple[str, int]:
    """Return (varints, number of polygons) of Polygons and MultiPolygons (each part a polygon)."""
    polys = _parts(geoms, 3)
    if not len(polys):
        return "", 0
    rings, owner = shapely.get_rings(polys, return_index=True)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    xy = np.round(coords / quantum).astype(np.int64) - np.asarray(base, dtype=np.int64)
    ring_counts = np.bincount(index, minlength=len(rings))
    rings_per_poly = np.bincount(owner, minlength=len(polys))
    stream = _with_counts(xy, ring_counts)
    # insert each polygon's ring count before its first ring
    ring_starts = np.concatenate([[0], np.cumsum(ring_counts * 2 + 1)[:-1]])
    first_ring = np.concatenate([[0], np.cumsum(rings_per_poly)[:-1]])
    stream = np.insert(stream, ring_starts[first_ring], rings_per_poly)
    return varints(stream), len(polys)


def column(values: Sequence[object] | pd.Series) -> list[str] | dict:
    """Return a property column in its lightest form (plain list, table + indices, or sparse)."""
    texts = pd.Series(values, dtype=object).map(_text)
    filled = texts != ""
    table = ["", *sorted(set(texts[filled]))]
    if len(table) - 1 > 0.5 * len(texts):
        return texts.tolist()
    index = texts.map({v: i for i, v in enumerate(table)}).to_numpy(dtype=np.int64)
    if filled.mean() < 0.5:
        rows = np.flatnonzero(filled.to_numpy())
        gaps = np.diff(rows, prepend=-1)
        return {"t": table, "s": varints(np.column_stack([gaps, index[rows]]).ravel())}
    return {"t": table, "i": varints(index)}


def id_column(values: Sequence[object]) -> dict:
    """Return ids like "bxl:poi/2307" as ``{"t": prefixes, "k": varints}``: per id, its prefix's index and its number's step.

    An id that does not end in digits is kept whole as its own prefix (its number is then -1).
    """
    table: dict[str, int] = {}
    pairs = []
    last = 0
    for value in values:
        text = _text(value)
        head = text.rstrip("0123456789")
        digits = text[len(head):]
        if not digits or (len(digits) > 1 and digits.startswith("0")) or len(digits) > 15:
            head, number = text, -1
        else:
            number = int(digits)
        pairs.extend([table.setdefault(head, len(table)), number - last])
        last = number
    return {"t": list(table), "k": varints(pairs)}


def simplified(gdf: gpd.GeoDataFrame, tolerance: float, *, min_area: float = 0.0) -> np.ndarray:
    """Return the simplified, non-empty geometries of a basemap layer (polygons under `min_area` deg² left out)."""
    geoms = shapely.get_parts(shapely.simplify(gdf.geometry.values, tolerance))
    geoms = geoms[~shapely.is_empty(geoms)]
    if min_area:
        polygon = shapely.get_type_id(geoms) == 3
        geoms = geoms[~polygon | (shapely.area(geoms) >= min_area)]
    return geoms


def _parts(geoms: np.ndarray, type_id: int) -> np.ndarray:
    """Return the single parts of `geoms` of one geometry type (1 line, 3 polygon), empty ones left out."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    return parts[shapely.get_type_id(parts) == type_id]


def _with_counts(xy: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the stream ``n, dx, dy … `` per run of `counts` points, steps chained across runs."""
    steps = np.diff(xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) * 2
    return np.insert(steps.ravel(), starts, counts)


def _text(value: object) -> str:
    """Return a property value as text (lists joined, missing values empty)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    return str(value)
