"""Load an area from an OpenStreetMap extract (.osm, .osm.bz2, .osm.pbf) or from OpenStreetMap online."""

from __future__ import annotations

import bz2
import socket
import threading
import xml.sax
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError, iterparse

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pyrosm
import requests
import shapely
from google.protobuf.message import DecodeError
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from pyrosm.exceptions import InvalidOSMFileError

from buurtkaart import places as places_mod
from buurtkaart import safe_files, settings
from buurtkaart.area import CRS, Area, buffer_metres, check_bbox
from buurtkaart.errors import AreaError, BuurtkaartError, OfflineError, OsmFileError
from buurtkaart.paths import cache_dir
from buurtkaart.taxonomy import TAG_KEYS, classify_frame

# File kinds by suffix (longest first, so ".osm.bz2" is not taken for ".osm").
SUFFIXES: dict[str, str] = {".osm.pbf": "pbf", ".osm.bz2": "xml", ".osm": "xml"}
# The OSM features asked for: every key the taxonomy reads, any value.
FEATURE_TAGS: dict[str, bool] = {key: True for key in TAG_KEYS}
# The tags `places.from_osm` reads besides TAG_KEYS (asked of pyrosm as columns), and `access` for green.
_PLACE_KEYS = (
    "name",
    "religion",
    "opening_hours",
    "wheelchair",
    "building",
    "access",
    "addr:street",
    "addr:housenumber",
    "addr:postcode",
    "addr:city",
)
# Walking network, following the "walk" filter of osmnx (also pyrosm's "walking"), plus trunk roads.
_NOT_WALKABLE = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "construction",
        "cycleway",
        "motor",
        "motorway",
        "motorway_link",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
    }
)
_FOOT_ONLY_IF_ALLOWED = frozenset({"trunk", "trunk_link"})
_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
_CLOSED = frozenset({"no", "private"})
_SIDEWALK_KEYS = ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
# Way tags osmnx must keep on the edges so the walking filter can read them.
_WALK_TAGS = ("highway", "area", "access", "foot", "service", *_SIDEWALK_KEYS)
# Green polygons by the tag that made them "park", in the vocabulary of the embedded green layer.
_GREEN_KIND = {
    "leisure=park": "park",
    "leisure=garden": "garden",
    "landuse=grass": "grass",
    "landuse=meadow": "meadow",
    "landuse=forest": "forest_wood",
    "natural=wood": "forest_wood",
}
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "a gzip file",
    b"BZh": "a bzip2 file (a .osm.bz2?)",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_REQUESTS_TIMEOUT = 60
# osmnx keeps its settings in one global module: change them only while holding this lock.
_OSMNX_LOCK = threading.RLock()


def load_file(path: str | Path, *, name: str | None = None, max_mb: float = 200) -> Area:
    """Return the area of an OSM extract: its places, walking streets and green spaces.

    Parameters
    ----------
    path
        An ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file.
    name
        The area's name (default: the file's name).
    max_mb
        Larger files are refused before they are read.

    Returns
    -------
    Area
        The extract's places (by category), streets and green, its boundary the hull of its streets.

    Raises
    ------
    OsmFileError
        The file is empty, too large, of another type, corrupt, or has no streets (a translated message).

    Example
    -------
    >>> area = load_file("extract.osm.pbf")  # doctest: +SKIP
    """
    path = Path(path)
    kind, stem = _kind(path)
    size_mb = path.stat().st_size / 1e6 if path.is_file() else 0.0
    if size_mb == 0:
        raise OsmFileError("error.empty_file")
    if size_mb > max_mb:
        raise OsmFileError("error.too_large", size=_mb(size_mb), limit=_mb(max_mb))
    _check_content(path, kind)
    safe_files.check_osm_file(path)  # what it unpacks to, capped while reading
    try:
        features, graph = _read_pbf(path) if kind == "pbf" else _read_xml(path)
        layers = _walk_layers(graph)
        if layers is None:
            raise OsmFileError("error.no_streets")
        edges, nodes = layers
        return Area(
            name=name or stem,
            places=places_mod.from_osm(features, id_prefix="osm"),
            street_edges=edges,
            street_nodes=nodes,
            green=_green(features),
            boundary=_hull(nodes),
            source=f"file:{path.name}",
        )
    except BuurtkaartError:
        raise
    except Exception as exc:  # a library failing in a way not seen yet: still a plain-language error
        raise OsmFileError("error.not_osm", detail=type(exc).__name__) from exc


def fetch(
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    timeout: float = 3.0,
) -> Area:
    """Return an area downloaded from OpenStreetMap, by place name or by box.

    Parameters
    ----------
    place
        A place name OpenStreetMap knows, e.g. ``"Molenbeek-Saint-Jean, Belgium"``.
    bbox
        Or a (west, south, east, north) box in degrees (at most ``area.MAX_BBOX_DEGREES`` a side).
    timeout
        Seconds to wait for an answer before giving up.

    Returns
    -------
    Area
        The area's places, walking streets and green spaces.

    Raises
    ------
    OfflineError
        OpenStreetMap cannot be reached (no network): said within `timeout` seconds, never a hang.

    Example
    -------
    >>> area = fetch(place="Molenbeek-Saint-Jean, Belgium")  # doctest: +SKIP
    """
    if (place is None) == (bbox is None):
        msg = "Give exactly one of `place` or `bbox`."
        raise ValueError(msg)
    if bbox is not None:
        bbox = check_bbox(tuple(float(v) for v in bbox))  # type: ignore[arg-type]
    elif not place or not place.strip():
        raise AreaError("error.place_unknown", name=place or "")
    urls = [ox.settings.overpass_url] + ([ox.settings.nominatim_url] if place is not None else [])
    if not _reachable(urls, timeout=timeout):
        raise OfflineError("error.offline")
    settings = {
        "overpass_rate_limit": False,
        "requests_timeout": _REQUESTS_TIMEOUT,
        "cache_folder": str(cache_dir() / "osmnx"),
        "useful_tags_way": _useful_tags_way(),
    }
    with _osmnx_settings(**settings):
        try:
            if place is not None:
                polygon, name = _geocode(place.strip()), place.strip()
            else:
                polygon, name = shapely.box(*bbox), ", ".join(f"{v:.4f}" for v in bbox)  # type: ignore[misc]
            try:
                graph = ox.graph_from_polygon(polygon, network_type="walk", simplify=False, retain_all=True)
            except InsufficientResponseError:  # no ways at all
                raise AreaError("error.no_streets") from None
            except ValueError as exc:  # "Found no graph nodes within the requested polygon."
                if "no graph nodes" not in str(exc):
                    raise
                raise AreaError("error.no_streets") from None
            features = _features_or_empty(lambda: ox.features_from_polygon(polygon, tags=FEATURE_TAGS))
        except (requests.RequestException, ResponseStatusCodeError) as exc:
            raise OfflineError("error.online_failed", detail=_short(exc)) from exc
    layers = _walk_layers(graph)
    if layers is None:
        raise AreaError("error.no_streets")
    edges, nodes = layers
    return Area(
        name=name,
        places=places_mod.from_osm(features, id_prefix="osm"),
        street_edges=edges,
        street_nodes=nodes,
        green=_green(features),
        boundary=polygon,
        source=f"osm:{name}",
    )


def _kind(path: Path) -> tuple[str, str]:
    """Return ("xml" or "pbf", the name without its suffix); raise OsmFileError for another suffix."""
    lower = path.name.lower()
    for suffix, kind in SUFFIXES.items():
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return kind, path.name[: -len(suffix)]
    raise OsmFileError("error.file_type", name=path.name)


def _check_content(path: Path, kind: str) -> None:
    """Raise OsmFileError if the first bytes show that the file is not what its suffix says."""
    with path.open("rb") as file:
        head = file.read(512)
    compressed = path.name.lower().endswith(".bz2")
    if kind == "pbf":
        ok = b"OSMHeader" in head[:32]
        expected = "not an OSM PBF file"
    elif compressed:
        ok = head.startswith(b"BZh")
        expected = "not bzip2-compressed"
    else:
        ok = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        expected = "not XML"
    if not ok:
        raise OsmFileError("error.not_osm", detail=_describe(head) or expected)
    if kind == "xml":
        _check_root(path, compressed=compressed)


def _check_root(path: Path, *, compressed: bool) -> None:
    """Raise OsmFileError unless the XML file starts with an <osm> root element."""
    try:
        with bz2.open(path, "rb") if compressed else path.open("rb") as file:
            _, root = next(iterparse(file, events=("start",)))
    except StopIteration:
        raise OsmFileError("error.not_osm", detail="no XML element") from None
    except (ParseError, OSError, EOFError) as exc:
        raise OsmFileError("error.not_osm", detail=_xml_problem(exc)) from None
    if root.tag != "osm":
        detail = "an HTML page" if root.tag.lower() == "html" else f"root element <{root.tag}>, not <osm>"
        raise OsmFileError("error.not_osm", detail=detail)


def _read_xml(path: Path) -> tuple[gpd.GeoDataFrame, nx.MultiDiGraph]:
    """Return (features, unsimplified street graph) of an OSM XML file, via osmnx."""
    try:
        with _osmnx_settings(useful_tags_way=_useful_tags_way()):
            try:
                graph = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
            except InsufficientResponseError:  # valid <osm> without any element
                raise OsmFileError("error.no_streets") from None
            features = _features_or_empty(lambda: ox.features_from_xml(path, tags=FEATURE_TAGS))
    except ValueError as exc:
        if "missing nodes" not in str(exc):
            raise
        detail = "ways refer to nodes missing from the file (clipped extract)"
        raise OsmFileError("error.not_osm", detail=detail) from None
    except (ParseError, xml.sax.SAXException, UnicodeDecodeError, OSError, EOFError) as exc:
        raise OsmFileError("error.not_osm", detail=_xml_problem(exc)) from None
    return features, graph


def _read_pbf(path: Path) -> tuple[gpd.GeoDataFrame, nx.MultiDiGraph]:
    """Return (features, unsimplified walking graph) of an OSM PBF file, via pyrosm."""
    try:
        osm = pyrosm.OSM(str(path))
        network = osm.get_network("walking", nodes=True, extra_attributes=list(_WALK_TAGS))
        pois = osm.get_pois(custom_filter=FEATURE_TAGS, extra_attributes=[*TAG_KEYS, *_PLACE_KEYS])
    except InvalidOSMFileError:
        raise OsmFileError("error.not_osm", detail="not an OSM PBF file") from None
    except DecodeError:
        raise OsmFileError("error.not_osm", detail="damaged or cut-off PBF data") from None
    nodes, edges = network if network is not None else (None, None)
    if edges is None or edges.empty:
        raise OsmFileError("error.no_streets")
    graph = osm.to_graph(nodes, edges, graph_type="networkx", network_type="walking", retain_all=True, simplify=False)
    if pois is None or pois.empty:
        return gpd.GeoDataFrame(geometry=[], crs=CRS), graph
    pois = pois.set_index(["osm_type", "id"]).rename_axis(["element", "id"])  # like osmnx: ("node", 123)
    return pois, graph


def _walk_layers(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
    """Return (edges, nodes) of the walkable streets of a new graph, each street once; None if there are none."""
    graph.remove_edges_from([(u, v, k) for u, v, k, tags in graph.edges(keys=True, data=True) if not _walkable(tags)])
    graph.remove_nodes_from(list(nx.isolates(graph)))
    if graph.number_of_edges() == 0:
        return None
    graph = ox.simplify_graph(graph)
    nx.set_node_attributes(graph, ox.stats.count_streets_per_node(graph), name="street_count")
    component = _components(graph)
    node_gdf, edge_gdf = ox.graph_to_gdfs(graph)
    node_component = node_gdf.index.map(component).to_numpy(dtype=int)
    nodes = gpd.GeoDataFrame(
        {
            "node_id": node_gdf.index.to_numpy(),
            "x": node_gdf["x"].to_numpy(dtype=float),
            "y": node_gdf["y"].to_numpy(dtype=float),
            "street_count": node_gdf["street_count"].to_numpy(dtype=int),
            "component": node_component,
            "in_lcc": node_component == 0,
        },
        geometry=node_gdf.geometry.to_numpy(),
        crs=CRS,
    )
    edge_gdf = _once(edge_gdf.reset_index())
    edges = gpd.GeoDataFrame(
        {
            "u": edge_gdf["u"].to_numpy(),
            "v": edge_gdf["v"].to_numpy(),
            "key": edge_gdf["key"].to_numpy(dtype=int),
            "name": [_joined(v, " / ") for v in edge_gdf.get("name", pd.Series(None, index=edge_gdf.index))],
            "highway": [_joined(v, ";") for v in edge_gdf["highway"]],
            "length": edge_gdf["length"].to_numpy(dtype=float).round(2),
            "in_lcc": edge_gdf["u"].map(component).to_numpy() == 0,
        },
        geometry=edge_gdf.geometry.to_numpy(),
        crs=CRS,
    )
    return edges, nodes


def _once(edges: pd.DataFrame) -> pd.DataFrame:
    """Return one row per street of a both-ways edge frame (u, v, key, osmid, geometry), keys renumbered.

    Like `osmnx.convert.to_undirected` (same result on the test extracts), ten times faster: the two
    directions of a street share their end nodes, OSM ways and (normalized) geometry.
    """
    low = np.minimum(edges["u"].to_numpy(), edges["v"].to_numpy())
    high = np.maximum(edges["u"].to_numpy(), edges["v"].to_numpy())
    ways = [str(sorted(set(w))) if isinstance(w, list) else str(w) for w in edges["osmid"]]
    shape = shapely.to_wkb(shapely.normalize(edges.geometry.to_numpy()))
    same = pd.DataFrame({"low": low, "high": high, "ways": ways, "shape": shape})
    keep = ~same.duplicated().to_numpy()
    edges = edges[keep].copy()
    edges["key"] = same[keep].groupby(["low", "high"]).cumcount().to_numpy()
    return edges


def _walkable(tags: Mapping[str, object]) -> bool:
    """Return whether a way with these tags is a street one may walk on (osmnx "walk" semantics)."""
    highway = _values(tags.get("highway"))
    foot = _values(tags.get("foot"))
    if not highway or highway & _NOT_WALKABLE or "yes" in _values(tags.get("area")):
        return False
    if highway & _FOOT_ONLY_IF_ALLOWED and not foot & _FOOT_ALLOWED:
        return False
    if foot & _CLOSED or (not foot and _values(tags.get("access")) & _CLOSED):
        return False
    if "private" in _values(tags.get("service")):
        return False
    return not any("separate" in _values(tags.get(key)) for key in _SIDEWALK_KEYS)


def _values(value: object) -> set[str]:
    """Return the values of an OSM tag ("a;b", a list after simplification, or missing) as a set."""
    if isinstance(value, str):
        return {part.strip() for part in value.split(";") if part.strip()}
    if isinstance(value, list | tuple | set):
        return set().union(*(_values(v) for v in value))
    return set()


def _joined(value: object, sep: str) -> str:
    """Return a tag value as text, the distinct values of a merged edge joined by `sep`."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return sep.join(dict.fromkeys(str(v) for v in value if isinstance(v, str) and v))
    return ""


def _components(graph: nx.MultiDiGraph) -> dict[object, int]:
    """Return node -> number of its (weakly) connected component, 0 for the largest."""
    parts = sorted(nx.weakly_connected_components(graph), key=len, reverse=True)
    return {node: i for i, part in enumerate(parts) for node in part}


def _green(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the public green polygons among the features: category, name, area_m2, geometry."""
    empty = gpd.GeoDataFrame({"category": [], "name": [], "area_m2": []}, geometry=[], crs=CRS)
    if features.empty:
        return empty
    polygons = features[features.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        return empty
    cats = classify_frame(polygons[[key for key in TAG_KEYS if key in polygons.columns]])
    access = polygons["access"] if "access" in polygons.columns else pd.Series("", index=polygons.index)
    keep = (cats["category"] == "park") & (cats["osm_tag"] != "amenity=bench") & (access.fillna("") != "private")
    polygons, tags = polygons[keep.to_numpy()], cats.loc[keep.to_numpy(), "osm_tag"]
    if polygons.empty:
        return empty
    polygons = polygons.to_crs(CRS)
    metric = polygons.to_crs(polygons.estimate_utm_crs())
    return gpd.GeoDataFrame(
        {
            "category": tags.map(_GREEN_KIND).fillna("park").to_numpy(),
            "name": [v.strip() if isinstance(v, str) else "" for v in polygons.get("name", [None] * len(polygons))],
            "area_m2": metric.area.round(1).to_numpy(),
        },
        geometry=polygons.geometry.to_numpy(),
        crs=CRS,
    ).reset_index(drop=True)


def _hull(nodes: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return a polygon around the street nodes (their convex hull, widened if it is flat)."""
    hull = shapely.MultiPoint(list(zip(nodes["x"], nodes["y"], strict=True))).convex_hull
    if hull.geom_type == "Polygon":
        return hull
    utm = gpd.GeoSeries([hull], crs=CRS).estimate_utm_crs()  # an extract may lie anywhere in the world
    return buffer_metres(hull, settings.FLAT_HULL_M, metric_crs=utm.to_string())


def _features_or_empty(read: Callable[[], gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Return the features `read()` gives, or an empty frame when osmnx finds none."""
    try:
        return read()
    except InsufficientResponseError:
        return gpd.GeoDataFrame(geometry=[], crs=CRS)


def _geocode(place: str) -> shapely.Geometry:
    """Return the (Multi)Polygon of a place from Nominatim; raise AreaError if unknown or too large."""
    try:
        polygon = shapely.make_valid(ox.geocode_to_gdf(place).union_all())
    except (InsufficientResponseError, TypeError):  # no result, or only a point (a street, a building)
        raise AreaError("error.place_unknown", name=place) from None
    check_bbox(polygon.bounds)
    return polygon


def _reachable(urls: list[str], *, timeout: float) -> bool:
    """Return whether a TCP connection to every URL's host (or its proxy) opens within `timeout` seconds."""
    targets = {_address(url) for url in urls}
    results: dict[tuple[str, int], bool] = {}
    threads = [threading.Thread(target=_connect, args=(target, timeout, results), daemon=True) for target in targets]
    for thread in threads:  # DNS lookups have no timeout of their own, so each runs in a thread we stop waiting for
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return all(results.get(target, False) for target in targets)


def _address(url: str) -> tuple[str, int]:
    """Return (host, port) to connect to for `url`: its proxy's if requests would use one."""
    proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    parts = urlsplit(proxy if proxy and "://" in proxy else f"http://{proxy}" if proxy else url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def _connect(target: tuple[str, int], timeout: float, results: dict[tuple[str, int], bool]) -> None:
    """Store in `results` whether a TCP connection to `target` opens within `timeout` seconds."""
    try:
        with socket.create_connection(target, timeout=timeout):
            results[target] = True
    except OSError:  # includes socket.gaierror (no DNS) and TimeoutError
        results[target] = False


@contextmanager
def _osmnx_settings(**values: object) -> Iterator[None]:
    """Set osmnx settings for the duration of a block, then put the old values back."""
    with _OSMNX_LOCK:
        old = {key: getattr(ox.settings, key) for key in values}
        try:
            for key, value in values.items():
                setattr(ox.settings, key, value)
            yield
        finally:
            for key, value in old.items():
                setattr(ox.settings, key, value)


def _useful_tags_way() -> list[str]:
    """Return osmnx's way tags plus those the walking filter reads."""
    return list(dict.fromkeys([*ox.settings.useful_tags_way, *_WALK_TAGS]))


def _describe(head: bytes) -> str | None:
    """Return what the first bytes of a file look like ("a PNG image"), or None if unknown."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if b"OSMHeader" in head[:32]:
        return "an OSM PBF file (a .osm.pbf?)"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if text.startswith(b"<"):
        return "XML text (a .osm file?)"
    return None


def _xml_problem(exc: BaseException) -> str:
    """Return a short reason why an (optionally bz2-compressed) XML file could not be read."""
    if isinstance(exc, EOFError):
        return "the compressed file is cut off"
    if isinstance(exc, UnicodeDecodeError):
        return "binary data, not text"
    if isinstance(exc, ParseError | xml.sax.SAXException):
        return f"XML error: {_short(exc)}"
    return _short(exc)


def _mb(value: float) -> str:
    """Return a size in MB as short text: "342.0", "0.048"."""
    return f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def _short(exc: BaseException, limit: int = 120) -> str:
    """Return the first line of an exception's message, shortened."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
