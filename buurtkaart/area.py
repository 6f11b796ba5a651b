"""An area on the map: its places, streets, green spaces and quartiers, and how to cut it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from buurtkaart import places as places_mod
from buurtkaart import settings
from buurtkaart.errors import AreaError
from buurtkaart.paths import DATA_DIR

CRS = places_mod.CRS
DEFAULT_COMMUNE = "Schaerbeek"
# Largest box (degrees) we cut from data or ask OpenStreetMap for: about 20 × 20 km here.
MAX_BBOX_DEGREES = 0.3


@dataclass(frozen=True)
class Area:
    """Everything the map shows for one area, each layer a GeoDataFrame in EPSG:4326."""

    name: str
    places: gpd.GeoDataFrame
    street_edges: gpd.GeoDataFrame
    street_nodes: gpd.GeoDataFrame
    boundary: shapely.Geometry
    green: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame(geometry=[], crs=CRS))
    quartiers: gpd.GeoDataFrame = field(default_factory=lambda: gpd.GeoDataFrame(geometry=[], crs=CRS))
    source: str = "embedded"

    @property
    def street_km(self) -> float:
        """Return the total length of the streets in kilometres."""
        return float(self.street_edges["length"].sum()) / 1000 if len(self.street_edges) else 0.0

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) of the area's boundary."""
        return tuple(float(v) for v in self.boundary.bounds)  # type: ignore[return-value]

    def clip(self, polygon: shapely.Geometry, *, name: str) -> Area:
        """Return the part of this area inside `polygon` (streets and green that touch it)."""
        buffered = buffer_metres(polygon, settings.STREET_MARGIN_M)  # keep the streets just around the edge
        return replace(
            self,
            name=name,
            places=places_mod.within(self.places, polygon),
            street_edges=_touching(self.street_edges, buffered),
            street_nodes=_touching(self.street_nodes, buffered),
            green=_touching(self.green, buffered),
            quartiers=_touching(self.quartiers, polygon, min_share=0.2),
            boundary=polygon,
        )


def load_embedded(data_dir: Path = DATA_DIR) -> Area:
    """Return the embedded Brussels region, read from the GeoParquet files of ``data/``.

    Parameters
    ----------
    data_dir
        The folder with the embedded data (default: ``data/`` of the repository).

    Returns
    -------
    Area
        The whole region: 16,819 places, the named streets, green spaces and the 145 quartiers, in EPSG:4326.

    Example
    -------
    >>> region = load_embedded()
    >>> schaerbeek = region.clip(commune_boundary(), name="Schaerbeek")
    """
    quartiers = gpd.read_parquet(data_dir / "quartiers.parquet")
    return Area(
        name="Brussel",
        places=places_mod.validate(gpd.read_parquet(data_dir / "places.parquet")),
        street_edges=gpd.read_parquet(data_dir / "street_edges.parquet"),
        street_nodes=gpd.read_parquet(data_dir / "street_nodes.parquet"),
        green=gpd.read_parquet(data_dir / "green.parquet"),
        quartiers=quartiers,
        boundary=quartiers.union_all(),
        source="embedded",
    )


@cache
def commune_boundary(data_dir: Path = DATA_DIR) -> shapely.Geometry:
    """Return the boundary of Schaerbeek, the default commune (union of its 14 sectors)."""
    sectors = gpd.read_parquet(data_dir / "schaerbeek_sectors.parquet")
    smoothing = settings.BOUNDARY_SMOOTHING_M
    return from_metric(to_metric(sectors.union_all()).buffer(smoothing).buffer(-smoothing))


def population_blocks(data_dir: Path = DATA_DIR) -> gpd.GeoDataFrame:
    """Return Schaerbeek's population blocks: block, sector, population and residents per 10-year age band."""
    return gpd.read_parquet(data_dir / "schaerbeek_blocks.parquet")


def quartier(area: Area, mdrc: int) -> gpd.GeoSeries:
    """Return one quartier (wijk) of the area by its monitoring code."""
    found = area.quartiers[area.quartiers["mdrc"] == mdrc]
    if found.empty:
        msg = f"No quartier with code {mdrc!r} in {area.name!r}."
        raise KeyError(msg)
    return found.iloc[0]


def quartier_names(quartiers: gpd.GeoDataFrame, *, lang: str) -> dict[int, str]:
    """Return {mdrc: name} of quartiers in `lang` (French names in French, else Dutch); {} for an area without them."""
    column = "name_fr" if lang == "fr" else "name_nl"
    if "mdrc" not in quartiers.columns or column not in quartiers.columns:
        return {}
    return dict(zip(quartiers["mdrc"], quartiers[column], strict=True))


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Return (west, south, east, north) from "w, s, e, n"; raise AreaError if it is not valid."""
    try:
        values = [float(v) for v in text.replace(";", ",").split(",")]
    except ValueError:
        raise AreaError("error.bbox_invalid", detail=f"'{text}' bevat geen getallen") from None
    if len(values) != 4:
        raise AreaError("error.bbox_invalid", detail=f"{len(values)} getallen in plaats van 4")
    return check_bbox(tuple(values))  # type: ignore[arg-type]


def check_bbox(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Return `bbox` if it is a valid (west, south, east, north) box; raise AreaError if not."""
    west, south, east, north = bbox
    if not all(np.isfinite(bbox)):
        raise AreaError("error.bbox_invalid", detail="niet-eindige waarde")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise AreaError("error.bbox_invalid", detail="lengte- of breedtegraad buiten bereik")
    if west >= east or south >= north:
        raise AreaError("error.bbox_invalid", detail="west moet kleiner zijn dan oost en zuid kleiner dan noord")
    if east - west > MAX_BBOX_DEGREES or north - south > MAX_BBOX_DEGREES:
        raise AreaError("error.bbox_invalid", detail=f"te groot (maximaal {MAX_BBOX_DEGREES}° per zijde)")
    return bbox


def clip_bbox(area: Area, bbox: tuple[float, float, float, float]) -> Area:
    """Return the part of `area` inside a box; raise AreaError if the box misses the area."""
    box = shapely.box(*check_bbox(bbox))
    inside = box.intersection(area.boundary)
    if inside.is_empty or inside.area < 1e-8:
        raise AreaError("error.bbox_outside")
    return area.clip(inside, name=f"{area.name} [{', '.join(f'{v:.4f}' for v in bbox)}]")


def to_metric(geometry: Any, *, metric_crs: str = settings.METRIC_CRS) -> Any:
    """Return a geometry (or an array of them) in EPSG:4326 in a metric CRS (default: settings.METRIC_CRS)."""
    return shapely.transform(geometry, _transformer(settings.CRS, metric_crs).transform, interleaved=False)


def from_metric(geometry: Any, *, metric_crs: str = settings.METRIC_CRS) -> Any:
    """Return a geometry (or an array of them) in a metric CRS back in EPSG:4326."""
    return shapely.transform(geometry, _transformer(metric_crs, settings.CRS).transform, interleaved=False)


def buffer_metres(geometry: shapely.Geometry, metres: float, *, metric_crs: str = settings.METRIC_CRS) -> shapely.Geometry:
    """Return `geometry` (EPSG:4326) widened by `metres`, the buffer drawn in a metric CRS."""
    return from_metric(to_metric(geometry, metric_crs=metric_crs).buffer(metres), metric_crs=metric_crs)


@cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    """Return a transformer between two CRSs, longitude (x) first, made once."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _touching(gdf: gpd.GeoDataFrame, polygon: shapely.Geometry, *, min_share: float = 0.0) -> gpd.GeoDataFrame:
    """Return the rows of `gdf` that intersect `polygon` (for polygons: by at least `min_share`)."""
    if gdf.empty:
        return gdf
    rows = gdf.iloc[np.sort(gdf.sindex.query(polygon, predicate="intersects"))]
    if min_share > 0 and len(rows):
        geoms = rows.geometry.values
        share = shapely.area(shapely.intersection(geoms, polygon)) / shapely.area(geoms)
        rows = rows[share >= min_share]
    return rows
