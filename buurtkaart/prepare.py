"""Turn the source files of shared/data into the compact embedded data of data/ (run once)."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from buurtkaart import places as places_mod
from buurtkaart.paths import DATA_DIR

AGE_BANDS = {
    "Pop1030_de 0-9 ans": "age_0_9",
    "Pop1030_de 10-19 ans": "age_10_19",
    "Pop1030_de 20-29 ans": "age_20_29",
    "Pop1030_de 30-39 ans": "age_30_39",
    "Pop1030_de 40-49 ans": "age_40_49",
    "Pop1030_de 50-59 ans": "age_50_59",
    "Pop1030_de 60-69 ans": "age_60_69",
    "Pop1030_de 70 ans et plus": "age_70_plus",
}


def prepare_all(source: Path, target: Path = DATA_DIR) -> dict[str, int]:
    """Write every embedded layer from `source` into `target`; return the row count per file."""
    target.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message=".*user_version.*")
    layers = {
        "places": prepare_places(source),
        "green": prepare_green(source),
        "quartiers": prepare_quartiers(source),
        "street_nodes": gpd.read_file(source / "brussels_named_streets_graph.gpkg", layer="nodes"),
        "street_edges": prepare_edges(source),
        "schaerbeek_blocks": prepare_blocks(source),
        "schaerbeek_sectors": prepare_sectors(source),
    }
    for name, gdf in layers.items():
        gdf.to_parquet(target / f"{name}.parquet", compression="zstd", index=False)
    return {name: len(gdf) for name, gdf in layers.items()}


def prepare_places(source: Path) -> gpd.GeoDataFrame:
    """Return the region's OSM places plus one point per park, in the places schema."""
    pois = gpd.read_file(source / "brussels_region_pois_osm.geojson")
    pois.index = pd.RangeIndex(len(pois)).map(lambda i: f"poi/{i}")
    parks = gpd.read_file(source / "brussels_green_spaces_osm.gpkg", layer="parks")
    parks = parks.set_index(parks["tile_feature_id"].map(lambda i: f"park/{i}"))
    parks = parks[["name", "leisure", "opening_hours", "geometry"]]
    return pd.concat([places_mod.from_osm(pois, id_prefix="bxl"), places_mod.from_osm(parks, id_prefix="bxl")], ignore_index=True)


def prepare_green(source: Path) -> gpd.GeoDataFrame:
    """Return the public green-space polygons (private gardens dropped), lightly simplified."""
    green = gpd.read_file(source / "brussels_green_spaces_osm.gpkg", layer="green_spaces")
    green = green[(green["access"].fillna("") != "private") & green["in_region"]]
    green = green[["category", "name", "area_m2", "geometry"]].copy()
    green["name"] = green["name"].fillna("")
    green["geometry"] = shapely.set_precision(green.geometry.simplify(0.00001).values, 1e-6)
    return green[~green.geometry.is_empty].reset_index(drop=True)


def prepare_quartiers(source: Path) -> gpd.GeoDataFrame:
    """Return the 145 monitoring quartiers (wijken) with their code and names."""
    q = gpd.read_file(source / "brussels_monitoring_quartiers_urbadm_md.gpkg")
    q = q[["mdrc", "name_nl", "name_fr", "name_bil", "geometry"]].copy()
    q["mdrc"] = q["mdrc"].astype(int)
    return q.sort_values("name_nl").reset_index(drop=True)


def prepare_edges(source: Path) -> gpd.GeoDataFrame:
    """Return the named-street edges with the columns the app uses."""
    e = gpd.read_file(source / "brussels_named_streets_graph.gpkg", layer="edges")
    return e[["u", "v", "key", "name", "length", "in_lcc", "geometry"]]


def prepare_blocks(source: Path) -> gpd.GeoDataFrame:
    """Return Schaerbeek's populated blocks with population per age band."""
    b = gpd.read_file(source / "schaerbeek_blocks_population.geojson")
    out = b[["BlockParcel", "Quartier", "Pop1030_Population", *AGE_BANDS, "geometry"]]
    out = out.rename(columns={"BlockParcel": "block", "Quartier": "sector", "Pop1030_Population": "population", **AGE_BANDS})
    out = out.to_crs(places_mod.CRS)
    out["geometry"] = out.geometry.make_valid()
    return out


def prepare_sectors(source: Path) -> gpd.GeoDataFrame:
    """Return Schaerbeek's 14 municipal sectors (their union is the commune boundary)."""
    s = gpd.read_file(source / "schaerbeek_quartiers.geojson")
    s = s[["SectorName", "geometry"]].rename(columns={"SectorName": "name"}).to_crs(places_mod.CRS)
    s["geometry"] = s.geometry.make_valid()
    return s
