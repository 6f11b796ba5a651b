"""Tests of the inclusieweb chart: one marker per (tie, function), colours, states, rings, comparison, SVG and PNG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from buurtkaart import inclusieweb as web
from buurtkaart.i18n import t
from buurtkaart.vocabulary import FUNCTIONS, LEVELS
from tests.test_indicators import tie_frame

SVG_NS = "{http://www.w3.org/2000/svg}"


def collection(fig: Figure, gid: str) -> PathCollection | None:
    """Return the scatter collection of the web with this gid (None when it was not drawn)."""
    found = [c for c in fig.axes[0].collections if c.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


def sample(**extra: Any) -> Any:
    """Return a small network: ties with one, two and four functions, all capitals, levels and states."""
    return tie_frame(
        {"role": "family", "functions": ("materieel", "affectief"), "capital": "bonding", "level": "translokaal"},
        {"role": "friend", "functions": ("verbindend",), "capital": "bridging", "state": "slapend"},
        {"role": "social_worker", "functions": FUNCTIONS, "capital": "linking", "level": "stad"},
        {"role": "neighbour", "functions": ("verbindend",), "influence": "negative", "strength": "light"},
        {"role": "family", "functions": ("affectief",), "state": "breuklijn", "capital": "bridging", **extra},
    )


def test_one_marker_per_tie_and_function() -> None:
    ties = sample()
    expected = sum(len(f) for f in ties["functions"])
    fig = web.figure(ties, lang="nl")
    markers = collection(fig, web.MARKERS_GID)
    assert markers is not None
    assert len(markers.get_offsets()) == expected == 2 + 1 + 4 + 1 + 1
    frame = web.markers(ties)
    assert len(frame) == expected
    np.testing.assert_allclose(markers.get_offsets(), frame[["x", "y"]].to_numpy())


def test_a_tie_with_two_functions_is_in_two_sectors_with_the_same_number() -> None:
    frame = web.markers(sample())
    family = frame[frame["tie_id"] == "t1"]
    assert set(family["number"]) == {1}
    assert set(family["function"]) == {"materieel", "affectief"}
    angle = np.degrees(np.arctan2(frame["y"], frame["x"])) % 360
    sector = (angle // 90).astype(int)
    assert (sector == frame["function"].map(FUNCTIONS.index)).all()
    texts = [x.get_text() for x in web.figure(sample()).axes[0].texts]
    assert texts.count("1") == 2  # the number is written on both markers


def test_colours_follow_the_capital_and_differ_between_capitals() -> None:
    fig = web.figure(sample())
    frame = web.markers(sample())
    edges = collection(fig, web.MARKERS_GID).get_edgecolors()
    faces = collection(fig, web.MARKERS_GID).get_facecolors()
    capital = frame["tie_id"].map(dict(zip(sample()["tie_id"], sample()["capital"], strict=True)))
    for i, cap in enumerate(capital):
        if not frame["negative"].iloc[i]:
            assert tuple(edges[i]) == to_rgba(web.CAPITAL_COLOURS[cap])
        if not frame["hollow"].iloc[i]:
            assert tuple(faces[i]) == to_rgba(web.CAPITAL_COLOURS[cap])
    assert len(set(web.CAPITAL_COLOURS.values())) == 3


def test_dormant_is_hollow_and_dashed_negative_has_a_red_edge_light_is_small() -> None:
    ties = sample()
    frame = web.markers(ties)
    fig = web.figure(ties)
    markers = collection(fig, web.MARKERS_GID)
    faces, edges, sizes, styles = markers.get_facecolors(), markers.get_edgecolors(), markers.get_sizes(), markers.get_linestyles()
    for i, row in enumerate(frame.itertuples()):
        hollow = row.state in ("slapend", "breuklijn")
        assert (faces[i][3] == 0) == hollow, row
        assert (styles[i][1] is not None) == hollow, row  # a dash pattern for dormant and broken ties
        assert (tuple(edges[i]) == to_rgba(web.NEGATIVE_EDGE)) == row.negative, row
    light = frame["light"].to_numpy()
    assert light.sum() == 1
    assert sizes[light].max() < sizes[~light].min()


def test_rings_by_level_or_by_capital() -> None:
    ties = tie_frame(*[{"level": level, "capital": cap} for level, cap in zip(LEVELS, ("linking", "bonding", "bridging"), strict=True)])
    by_level = web.markers(ties, ring="level")
    radius = np.hypot(by_level["x"], by_level["y"]).to_numpy()
    assert list(by_level["ring"]) == list(LEVELS)
    assert radius[0] < radius[1] < radius[2]  # buurt inside, translokaal outside
    by_capital = web.markers(ties, ring="capital")
    radius = np.hypot(by_capital["x"], by_capital["y"]).to_numpy()
    assert radius[1] < radius[2] < radius[0]  # bonding, bridging, linking
    assert list(by_capital["colour"]) == [web.LEVEL_COLOURS[level] for level in LEVELS]
    with pytest.raises(ValueError, match="ring"):
        web.markers(ties, ring="colour")


def test_crowded_cells_keep_markers_apart() -> None:
    ties = tie_frame(*[{} for _ in range(40)])  # 40 verbindend buurt ties in one cell
    frame = web.markers(ties)
    xy = frame[["x", "y"]].to_numpy()
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    gaps[np.diag_indices(len(xy))] = np.inf
    assert gaps.min() >= web.SPACING * frame["scale"].min() * 0.99
    assert frame["scale"].min() < 1  # they shrank to fit


def test_comparison_marks_new_and_lost_ties() -> None:
    previous = sample()
    current = sample().iloc[[0, 2]].copy()  # t1 and t3 stay
    current = pd.concat([current, tie_frame({"functions": ("affectief", "verbindend")}).assign(tie_id="t9")])
    frame = web.markers(current, previous=previous)
    assert set(frame.loc[frame["status"] == "new", "tie_id"]) == {"t9"}
    assert set(frame.loc[frame["status"] == "lost", "tie_id"]) == {"t2", "t4", "t5"}
    assert set(frame.loc[frame["status"] == "kept", "tie_id"]) == {"t1", "t3"}
    fig = web.figure(current, previous=previous)
    assert len(collection(fig, web.NEW_GID).get_offsets()) == 2
    assert len(collection(fig, web.LOST_GID).get_offsets()) == 3  # t2, t4, t5: one function each
    assert len(collection(fig, web.MARKERS_GID).get_offsets()) == 2 + 4 + 2
    lost = collection(fig, web.LOST_GID)
    assert all(tuple(c) == to_rgba(web.LOST_COLOUR) for c in lost.get_edgecolors())
    without = web.figure(current)
    assert collection(without, web.NEW_GID) is None and collection(without, web.LOST_GID) is None


def test_labels_are_roles_not_names_or_places() -> None:
    ties = sample(place_label="Rue Secrète 12")
    frame = web.markers(ties, lang="nl")
    assert list(frame.drop_duplicates("number")["role_label"]) == [
        "Familielid 1", "Vriend(in) 1", "Maatschappelijk werker 1", "Buur 1", "Familielid 2",
    ]  # fmt: skip
    text = web.svg(ties, lang="nl")
    assert "Familielid 2" in text
    assert "Rue Secrète" not in text


def test_svg_is_standalone_and_escapes_markup() -> None:
    text = web.svg(sample(), lang="fr", title='<script>alert("x")</script>')
    assert text.lstrip().startswith("<?xml")
    without_namespaces = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", text)  # namespace names are not fetched
    assert not re.search(r"https?:", without_namespaces)
    assert "<!DOCTYPE" not in text
    root = ET.fromstring(text.encode())
    assert root.tag == f"{SVG_NS}svg"
    assert not [e for e in root.iter() if e.tag.lower().endswith("script")]
    assert "<script>" not in text
    assert any(e.text == '<script>alert("x")</script>' for e in root.iter(f"{SVG_NS}text"))
    hrefs = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("href")]
    assert all(h.startswith("#") for h in hrefs)
    assert any(e.text == t("web.key", "fr") for e in root.iter(f"{SVG_NS}text"))


def test_png_is_a_png() -> None:
    data = web.png(sample(), lang="en", dpi=40)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000


def test_an_empty_network_draws_an_empty_web_with_a_message() -> None:
    empty = tie_frame()
    fig = web.figure(empty, lang="en")
    assert collection(fig, web.MARKERS_GID) is None
    assert t("web.empty", "en") in [x.get_text() for x in fig.axes[0].texts]
    assert t("web.empty", "nl") in web.svg(empty, lang="nl")
    assert web.png(empty, dpi=30)[:4] == b"\x89PNG"
    assert web.markers(empty).empty
