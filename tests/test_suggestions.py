"""Tests of walking-distance suggestions on the real embedded Schaerbeek area."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from buurtkaart import area as area_mod
from buurtkaart import graph as graph_mod
from buurtkaart import suggestions as sg
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area
from buurtkaart.graph import WalkGraph
from buurtkaart.i18n import t
from buurtkaart.vocabulary import CITIZEN_COLUMNS, CRS, FUNCTIONS
from tests.test_indicators import tie_frame

ANCHOR = (4.3775, 50.8620)  # near the Josaphat quarter, Schaerbeek
M_PER_DEG_LON = 111_320 * math.cos(math.radians(ANCHOR[1]))
GEOD = pyproj.Geod(ellps="WGS84")
NOW = pd.Timestamp("2024-05-01", tz="UTC")


@pytest.fixture(scope="module")
def schaerbeek() -> Area:
    """Return the embedded area clipped to Schaerbeek."""
    return area_mod.load_embedded().clip(area_mod.commune_boundary(), name="Schaerbeek")


@pytest.fixture(scope="module")
def walk(schaerbeek: Area) -> WalkGraph:
    """Return the walking graph of Schaerbeek."""
    return graph_mod.walk_graph(schaerbeek)


@pytest.fixture(scope="module")
def streets(schaerbeek: Area) -> nx.Graph:
    """Return an independent networkx graph of the same street edges (the shortest of parallel edges)."""
    edges = schaerbeek.street_edges
    known = schaerbeek.street_nodes["node_id"]
    edges = edges[edges["u"].isin(known) & edges["v"].isin(known)]  # an edge to a node outside the area is no street
    lo = np.minimum(edges["u"], edges["v"])
    hi = np.maximum(edges["u"], edges["v"])
    frame = pd.DataFrame({"lo": lo, "hi": hi, "length": np.maximum(edges["length"].astype(float), 1e-3)})
    frame = frame[frame["lo"] != frame["hi"]].groupby(["lo", "hi"])["length"].min().reset_index()
    graph = nx.Graph()
    graph.add_weighted_edges_from(frame.itertuples(index=False, name=None), weight="length")
    return graph


def citizen(**fields: Any) -> dict[str, Any]:
    """Return a citizen mapping anchored near the Josaphat quarter."""
    return {"situations": (), "interests": (), "languages": (), "geometry": shapely.Point(*ANCHOR), **fields}


def covered_twice(*missing: str) -> gpd.GeoDataFrame:
    """Return ties that give every function except `missing` by two different people."""
    return tie_frame(*[{"functions": (f,)} for f in FUNCTIONS if f not in missing for _ in range(2)])


def item(id_: str, *, east_m: float, north_m: float = 0.0, **fields: Any) -> dict[str, Any]:
    """Return a stored-item row `east_m`/`north_m` metres from the anchor."""
    row = {
        "id": id_, "layer": "vindplaats", "name": f"Plek {id_}", "kind": "tea_house", "target_groups": (), "languages": (),
        "hours": "", "wheelchair": "unknown", "formal": None, "notes": "", "actor": "", "osm_place_id": None,
        "version": 1, "created_at": NOW, "updated_at": NOW, "updated_by": "ann", "deleted_at": None,
        "lon": ANCHOR[0] + east_m / M_PER_DEG_LON, "lat": ANCHOR[1] + north_m / 111_320,
    }  # fmt: skip
    return {**row, **fields}


def test_walk_m_is_the_street_network_distance(schaerbeek: Area, walk: WalkGraph, streets: nx.Graph) -> None:
    max_m = 800.0
    result = sg.suggest(citizen(interests=("park", "learning")), tie_frame(), area=schaerbeek, graph=walk, max_m=max_m, limit=40)
    assert len(result) == 40
    source = result.attrs["anchor_node_id"]
    expected = nx.single_source_dijkstra_path_length(streets, source, cutoff=max_m + 1, weight="length")
    for row in result.itertuples():
        assert row.walk_m == pytest.approx(expected[row.node_id], abs=1e-6)
        assert row.walk_m <= max_m
        straight = GEOD.inv(ANCHOR[0], ANCHOR[1], row.geometry.x, row.geometry.y)[2]
        assert row.walk_m >= straight - result.attrs["anchor_snap_m"] - row.snap_m - 2.0
        assert row.walk_min == math.ceil(row.walk_m / sg.WALK_M_PER_MIN)
    assert result["ref"].is_unique
    assert result.crs == CRS


def test_a_citizen_lacking_verbindend_gets_verbindend_places(schaerbeek: Area, walk: WalkGraph) -> None:
    result = sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk, limit=15)
    assert len(result) == 15
    assert set(result["function"]) == {"verbindend"}
    assert set(result["category"]) <= set(sg.FUNCTION_CATEGORIES["verbindend"])
    assert len(set(result["category"])) >= 4  # the nearest place of each kind first, not 15 cafés
    assert all(r == t("suggest.reason.function", "nl", function="Verbindend") for r in result["reason"])


def test_interests_are_respected(schaerbeek: Area, walk: WalkGraph) -> None:
    result = sg.suggest(citizen(interests=("playground",)), covered_twice(), area=schaerbeek, graph=walk, max_m=1500)
    assert len(result) > 0
    assert set(result["category"]) == {"playground"}
    assert set(result["basis"]) == {"interest"}
    assert list(result["walk_m"]) == sorted(result["walk_m"])
    # An interest that is also a missing function's kind of place says so.
    both = sg.suggest(citizen(interests=("park",)), covered_twice("verbindend"), area=schaerbeek, graph=walk, limit=40)
    parks = both[both["category"] == "park"]
    assert len(parks) > 0
    assert all(t("suggest.reason.interest", "nl", category="Park en groen") in r for r in parks["reason"])


def test_a_language_match_ranks_a_vindplaats_first(schaerbeek: Area, walk: WalkGraph) -> None:
    items = vp.items_frame([
        item("near", east_m=60, languages=("nl", "fr")),
        item("far", east_m=250, north_m=100, languages=("ar", "fr"), name="Theehuis Assalam"),
    ])  # fmt: skip
    person = citizen(languages=("ar",))
    result = sg.suggest(person, covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)
    assert list(result["ref"][:2]) == ["far", "near"]
    assert result["walk_m"].iloc[0] > result["walk_m"].iloc[1]  # first despite being farther
    assert list(result["source"][:2]) == ["vindplaats", "vindplaats"]
    assert set(result["source"][2:]) == {"place"}
    assert "Activiteiten in het Arabisch." in result["reason"].iloc[0]
    assert "Activités en arabe." in sg.suggest(person, covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items, lang="fr")["reason"].iloc[0]
    without = sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)
    assert list(without["ref"][:2]) == ["near", "far"]


def test_items_fit_by_target_group_and_only_usable_layers_count(schaerbeek: Area, walk: WalkGraph) -> None:
    items = vp.items_frame([
        item("parents", east_m=80, kind="other", target_groups=("parents",)),
        item("gate", east_m=90, layer="gatekeeper"),
        item("gone", east_m=100, deleted_at=NOW),
        item("unfit", east_m=110, kind="other"),
    ])  # fmt: skip
    result = sg.suggest(citizen(situations=("single_parent",)), covered_twice(), area=schaerbeek, graph=walk, items=items)
    vindplaatsen = result[result["source"] == "vindplaats"]
    assert list(vindplaatsen["ref"]) == ["parents"]
    assert vindplaatsen["reason"].iloc[0].startswith(t("suggest.reason.target_group", "nl", group=t("target.parents", "nl")))
    places = result[result["source"] == "place"]
    assert set(places["category"]) <= set(sg.SITUATION_CATEGORIES["single_parent"])
    assert "playground" in set(places["category"])


def test_an_item_that_is_an_osm_place_is_listed_once(schaerbeek: Area, walk: WalkGraph) -> None:
    first = sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk)
    place = first.iloc[0]
    items = vp.items_frame([item("mine", east_m=0, kind=place["category"], osm_place_id=place["ref"],
                                 lon=place.geometry.x, lat=place.geometry.y)])  # fmt: skip
    result = sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)
    assert result["ref"].iloc[0] == "mine"
    assert place["ref"] not in set(result["ref"])


def test_wheelchair_users_get_no_inaccessible_places(schaerbeek: Area, walk: WalkGraph) -> None:
    ties = covered_twice("verbindend", "materieel")
    everything = sg.suggest(citizen(), ties, area=schaerbeek, graph=walk, max_m=2000, limit=2000)
    assert (everything["wheelchair"] == "no").any()
    accessible = sg.suggest(citizen(situations=("wheelchair",)), ties, area=schaerbeek, graph=walk, max_m=2000, limit=2000)
    assert not (accessible["wheelchair"] == "no").any()
    assert len(accessible) == (everything["wheelchair"] != "no").sum()
    unknown = accessible[accessible["wheelchair"] == "unknown"]
    assert len(unknown) and all(t("suggest.reason.wheelchair_unknown", "nl") in r for r in unknown["reason"])
    known = accessible[accessible["wheelchair"] == "yes"]
    assert len(known) and not any("rolstoel" in r for r in known["reason"])


def test_a_citizen_row_of_a_citizen_frame_works(schaerbeek: Area, walk: WalkGraph) -> None:
    values = {c: "" for c in CITIZEN_COLUMNS} | {"situations": (), "talents": (), "interests": ("learning",), "languages": ()}
    frame = gpd.GeoDataFrame(pd.DataFrame([values]), geometry=[shapely.Point(*ANCHOR)], crs=CRS)
    result = sg.suggest(frame.iloc[0], covered_twice(), area=schaerbeek, graph=walk, limit=5)
    assert len(result) == 5
    assert set(result["category"]) == {"learning"}


def test_empty_results_say_why(schaerbeek: Area, walk: WalkGraph) -> None:
    far = sg.suggest(citizen(geometry=shapely.Point(4.45, 50.80)), tie_frame(), area=schaerbeek, graph=walk)
    assert far.empty and far.attrs["reason_key"] == "suggest.none.far"
    assert "m van de straten van dit gebied" in far.attrs["reason"]
    assert list(far.columns) == [*sg.SUGGESTION_COLUMNS, "geometry"]
    no_anchor = sg.suggest(citizen(geometry=None), tie_frame(), area=schaerbeek, graph=walk, lang="en")
    assert no_anchor.attrs["reason"] == t("suggest.none.no_anchor", "en")
    nothing = sg.suggest(citizen(), covered_twice(), area=schaerbeek, graph=walk)
    assert nothing.empty and nothing.attrs["reason_key"] == "suggest.none.nothing_missing"
    bare = dataclasses.replace(schaerbeek, places=schaerbeek.places.iloc[:0])
    none_within = sg.suggest(citizen(), tie_frame(), area=bare, graph=walk, max_m=500)
    assert none_within.empty and none_within.attrs["reason"] == t("suggest.none.none_within", "nl", metres=500)


def test_a_fragile_function_is_strengthened_when_none_is_missing(schaerbeek: Area, walk: WalkGraph) -> None:
    ties = tie_frame({"functions": ("affectief",)}, *[{"functions": (f,)} for f in FUNCTIONS if f != "affectief" for _ in range(2)])
    result = sg.suggest(citizen(), ties, area=schaerbeek, graph=walk)
    assert set(result["basis"]) == {"fragile"}
    assert set(result["category"]) <= set(sg.FUNCTION_CATEGORIES["affectief"])


def test_an_anchor_on_a_street_fragment_walks_on_the_main_network(schaerbeek: Area, walk: WalkGraph, streets: nx.Graph) -> None:
    components = sorted(nx.connected_components(streets), key=len)
    assert len(components) > 1 and len(components[0]) < 10  # the clipped area has small fragments of streets
    fragment, main = components[0], components[-1]
    node = schaerbeek.street_nodes.set_index("node_id").loc[next(iter(fragment))]
    nearest, _ = graph_mod.snap(walk, node["x"], node["y"])
    assert walk.node_ids[nearest[0]] in fragment  # the plain nearest node would strand the walk there
    person = citizen(geometry=shapely.Point(node["x"], node["y"]), interests=("cafe",))
    result = sg.suggest(person, covered_twice(), area=schaerbeek, graph=walk, max_m=3000)
    assert result.attrs["anchor_node_id"] in main
    assert len(result) == 12
    assert set(result["node_id"]) <= main


# --- issue 14: suggestions that fit the person (seed-like cases) ---


def at(east_m: float, north_m: float = 0.0) -> tuple[float, float]:
    """Return (lon, lat) `east_m`/`north_m` metres from the anchor."""
    return ANCHOR[0] + east_m / M_PER_DEG_LON, ANCHOR[1] + north_m / 111_320


def test_william_is_not_sent_back_to_the_stamcafe_of_his_harmful_tie(schaerbeek: Area, walk: WalkGraph) -> None:
    """Like William: a negative tie at his stamcafé; neither the café (the team's partner) nor its OSM twin is suggested."""
    lon, lat = at(120)
    items = vp.items_frame([
        item("stamcafe", east_m=120, layer="partner", kind="cafe", name="Taverne Spoorweg", target_groups=("men",)),
        item("twin", east_m=125, kind="cafe", name="Taverne Spoorweg (OSM)"),
        item("other", east_m=300, kind="cafe", name="Café De Ster"),
    ])  # fmt: skip
    harmful = {"functions": ("verbindend",), "influence": "negative", "place_kind": "vindplaats", "place_ref": "stamcafe",
               "place_label": "Taverne Spoorweg"}  # fmt: skip
    ties = covered_twice("verbindend", "materieel")
    ties = pd.concat([ties, tie_frame(harmful).set_geometry(gpd.points_from_xy([lon], [lat], crs=CRS))], ignore_index=True)
    william = citizen(situations=("man",), interests=("cafe",))  # as in the seed: he likes his café
    result = sg.suggest(william, ties, area=schaerbeek, graph=walk, items=items, max_m=1200, limit=200)
    assert "other" in set(result["ref"])  # a café is still welcome, just not that one
    assert not {"stamcafe", "twin"} & set(result["ref"])
    metric = result.to_crs(31370).geometry.distance(gpd.GeoSeries([shapely.Point(lon, lat)], crs=CRS).to_crs(31370).iloc[0])
    assert not (metric < sg.HARMFUL_PLACE_M).any()
    # a mixed influence counts as harmful too; a positive one does not
    mixed = ties.assign(influence=np.where(ties["place_ref"] == "stamcafe", "mixed", ties["influence"]))
    assert "stamcafe" not in set(sg.suggest(william, mixed, area=schaerbeek, graph=walk, items=items, max_m=1200, limit=200)["ref"])
    fine = ties.assign(influence="positive")
    assert "stamcafe" in set(sg.suggest(william, fine, area=schaerbeek, graph=walk, items=items, max_m=1200, limit=200)["ref"])


def test_sara_gets_no_men_only_place(schaerbeek: Area, walk: WalkGraph) -> None:
    """Like Sara, a mother: a tea house for men only is not suggested; one for everyone or for women is."""
    items = vp.items_frame([
        item("men_only", east_m=60, kind="tea_house", target_groups=("men", "elderly")),
        item("women", east_m=80, kind="tea_house", target_groups=("women",)),
        item("all", east_m=100, kind="tea_house", target_groups=("everyone",)),
        item("open", east_m=120, kind="tea_house"),
    ])  # fmt: skip
    sara = citizen(situations=("newcomer", "single_parent", "woman"))
    refs = set(sg.suggest(sara, covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)["ref"])
    assert {"women", "all", "open"} <= refs and "men_only" not in refs
    # a profile that does not say: places for one group only are left out (never guess someone in)
    unknown = set(sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)["ref"])
    assert not {"men_only", "women"} & unknown and {"all", "open"} <= unknown
    man = set(sg.suggest(citizen(situations=("man",)), covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)["ref"])
    assert "men_only" in man and "women" not in man


def test_ryan_in_a_wheelchair_gets_wheelchair_yes_first_and_no_never(schaerbeek: Area, walk: WalkGraph) -> None:
    """Like Ryan: a vindplaats marked wheelchair "ja" rises to the top, even farther away; "nee" is out."""
    items = vp.items_frame([
        item("near_unknown", east_m=50),
        item("near_no", east_m=60, wheelchair="no"),
        item("far_yes", east_m=400, wheelchair="yes"),
        item("mid_limited", east_m=200, wheelchair="limited"),
    ])  # fmt: skip
    ryan = citizen(situations=("wheelchair", "lives_alone", "elderly"))
    result = sg.suggest(ryan, covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items, limit=50)
    assert result["ref"].iloc[0] == "far_yes"
    assert "near_no" not in set(result["ref"])
    ranks = result["wheelchair"].map(sg.WHEELCHAIR_RANK).tolist()
    assert ranks == sorted(ranks)  # every "ja" before "beperkt" before "onbekend"
    # without the need, the nearest comes first
    assert sg.suggest(citizen(), covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items)["ref"].iloc[0] == "near_unknown"


def test_only_named_meeting_places_are_suggested_not_banks_or_shops(schaerbeek: Area, walk: WalkGraph) -> None:
    result = sg.suggest(citizen(), covered_twice("materieel", "informatief"), area=schaerbeek, graph=walk, max_m=2000, limit=2000)
    places = schaerbeek.places.set_index("place_id")
    tags = places.loc[result.loc[result["source"] == "place", "ref"], "osm_tag"].astype(str)
    assert len(tags)
    assert not tags.isin(sg.NOT_MEETING_TAGS).any()
    assert not (tags.str.startswith("shop=") & (tags != "shop=laundry")).any()
    assert (places.loc[result.loc[result["source"] == "place", "ref"], "name"].fillna("").str.strip() != "").all()
    # the area does have banks and shops of those kinds nearby: they were left out, not absent
    near = schaerbeek.places[schaerbeek.places["osm_tag"].isin(["amenity=bank", "shop=convenience"])]
    assert len(near)


def test_company_is_counted_from_every_tie_that_gives_it() -> None:
    """The drinking friends give company even when their influence is negative: "nobody gives company" is not said."""
    from buurtkaart import indicators as ind_mod

    ind = ind_mod.compute(tie_frame({"functions": ("verbindend",), "influence": "negative"}, {"functions": ("affectief",)}))
    assert ind.function_ties["verbindend"] == 1
    assert "verbindend" not in ind_mod.missing_functions(ind)
    assert ind.function_ties["affectief"] == 1


def test_a_place_is_suggested_once_even_when_mapped_twice(schaerbeek: Area, walk: WalkGraph) -> None:
    """One park mapped as outline and as point (same name, 100 m apart) is one suggestion; a namesake far off is another."""
    items = vp.items_frame([
        item("park_outline", east_m=60, kind="tea_house", name="Theehuis De Linde"),
        item("park_point", east_m=160, kind="tea_house", name="theehuis de linde"),
        item("namesake", east_m=700, kind="tea_house", name="Theehuis De Linde"),
        item("other", east_m=90, kind="tea_house", name="Theehuis Anatolia"),
    ])  # fmt: skip
    sara = citizen(situations=("newcomer",))
    refs = list(sg.suggest(sara, covered_twice("verbindend"), area=schaerbeek, graph=walk, items=items, max_m=1500, limit=200)["ref"])
    assert "other" in refs and "namesake" in refs
    assert ("park_outline" in refs) != ("park_point" in refs)  # the nearer one, once
    assert "park_outline" in refs
