"""The inclusieweb: a radial picture of one citizen's network, by function (sectors) and level or capital (rings).

The citizen sits in the centre. Each tie gets one marker per function it gives (a tie with two functions
appears in two sectors, with the same short number), labelled by role ("Familielid 2"), never by name.
Drawn on a `matplotlib.figure.Figure` with the Agg canvas: no pyplot, no GUI, no global figure state.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from buurtkaart import charts
from buurtkaart.i18n import t
from buurtkaart.indicators import as_keys
from buurtkaart.vocabulary import CAPITALS, FUNCTIONS, LEVELS, TIE_COLUMNS, label

RINGS: dict[str, tuple[str, ...]] = {"level": LEVELS, "capital": CAPITALS}
# Colour by capital when the rings show the level, and by level when the rings show the capital.
CAPITAL_COLOURS: dict[str, str] = {"bonding": "#1b9e77", "bridging": "#d95f02", "linking": "#7570b3"}
LEVEL_COLOURS: dict[str, str] = {"buurt": "#2a9d8f", "stad": "#e76f51", "translokaal": "#264653"}
UNKNOWN_COLOUR = "#7f8c8d"
NEGATIVE_EDGE = "#d62728"
LOST_COLOUR = "#bdbdbd"
NEW_HALO = "#f4a300"
RING_FILLS = ("#eef5f4", "#f5f5f5", "#fbfbfb")  # inner to outer
SIZE_STRONG = 230.0  # marker area in points²
SIZE_LIGHT = 90.0
# Geometry of the web in data units: the centre disc, the width of a ring, the gap between markers.
CENTRE_R = 0.5
RING_W = 1.2
SPACING = 0.34
MAX_ROWS = 4  # rows of markers within one ring
MIN_SCALE = 0.3  # markers of a crowded cell shrink, down to this share of their width
KEY_X = 0.6  # where the "who is who" list and the legend start (figure fraction)
SECTOR_PAD = 0.16  # radians kept free on each side of a sector
LABEL_PAD = 0.3  # radians kept free on each side of the bottom line, where the ring labels are
KEY_LINES_PER_COLUMN = 28
MAX_KEY_LINES = 2 * KEY_LINES_PER_COLUMN
# The artists' gids, also the ids of the groups in the SVG.
MARKERS_GID = "inclusieweb-markers"
LOST_GID = "inclusieweb-lost"
NEW_GID = "inclusieweb-new"
MARKER_COLUMNS: tuple[str, ...] = (
    "number", "tie_id", "role_label", "function", "ring", "colour_key", "colour", "state",
    "hollow", "negative", "light", "status", "x", "y", "scale",
)  # fmt: skip


def markers(ties: pd.DataFrame, *, lang: str = "nl", ring: str = "level", previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per (tie, function) marker of the web (MARKER_COLUMNS), lost ties of `previous` last."""
    if ring not in RINGS:
        msg = f"ring must be one of {sorted(RINGS)!r}, not {ring!r}."
        raise ValueError(msg)
    current = _tie_rows(ties)
    current["status"] = "current" if previous is None else np.where(
        current["tie_id"].isin(_tie_rows(previous)["tie_id"]), "kept", "new"
    )
    rows = [current]
    if previous is not None:
        lost = _tie_rows(previous)
        lost = lost[~lost["tie_id"].isin(current["tie_id"])].copy()
        lost["status"] = "lost"
        rows.append(lost)
    frame = pd.concat(rows, ignore_index=True)
    frame["number"] = np.arange(1, len(frame) + 1)
    frame["role_label"] = _role_labels(frame["role"], lang)
    frame["functions"] = frame["functions"].map(as_keys)
    frame = frame.explode("functions").rename(columns={"functions": "function"})
    frame = frame[frame["function"].isin(FUNCTIONS)]
    rings = RINGS[ring]
    ring_key = "level" if ring == "level" else "capital"
    colour_by = "capital" if ring == "level" else "level"
    palette = CAPITAL_COLOURS if ring == "level" else LEVEL_COLOURS
    out = pd.DataFrame(
        {
            "number": frame["number"].to_numpy(dtype=int),
            "tie_id": frame["tie_id"].astype(str).to_numpy(),
            "role_label": frame["role_label"].to_numpy(),
            "function": frame["function"].astype(str).to_numpy(),
            "ring": frame[ring_key].astype(str).to_numpy(),
            "colour_key": frame[colour_by].astype(str).to_numpy(),
            "state": frame["state"].astype(str).to_numpy(),
            "status": frame["status"].to_numpy(),
        }
    )
    out["colour"] = out["colour_key"].map(palette).fillna(UNKNOWN_COLOUR)
    out.loc[out["status"] == "lost", "colour"] = LOST_COLOUR
    out["hollow"] = out["state"].isin(("slapend", "breuklijn"))
    out["negative"] = frame["influence"].astype(str).to_numpy() == "negative"
    out["light"] = frame["strength"].astype(str).to_numpy() == "light"
    # An unknown ring value goes to the outer ring rather than disappearing.
    ring_index = out["ring"].map({key: i for i, key in enumerate(rings)}).fillna(len(rings) - 1).astype(int)
    out["x"], out["y"], out["scale"] = _layout(out["function"].map(FUNCTIONS.index).to_numpy(), ring_index.to_numpy())
    return out[list(MARKER_COLUMNS)].reset_index(drop=True)


def figure(
    ties: pd.DataFrame,
    *,
    lang: str = "nl",
    ring: str = "level",
    previous: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Return the inclusieweb of a tie frame as a matplotlib Figure (an empty web with a message when there are none)."""
    marks = markers(ties, lang=lang, ring=ring, previous=previous)
    fig = Figure(figsize=(12, 7.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.02, KEY_X, 0.9))
    outer = CENTRE_R + len(RINGS[ring]) * RING_W
    ax.set_xlim(-outer - 0.9, outer + 0.9)
    ax.set_ylim(-outer - 0.7, outer + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    _draw_web(ax, ring, lang)
    current = marks[marks["status"] != "lost"]
    lost = marks[marks["status"] == "lost"]
    if len(lost):
        ax.scatter(
            lost["x"], lost["y"], s=_sizes(lost), facecolors="none", edgecolors=LOST_COLOUR,
            linewidths=1.2, linestyles="--", zorder=3, gid=LOST_GID,
        )  # fmt: skip
    new = current[current["status"] == "new"]
    if len(new):
        ax.scatter(
            new["x"], new["y"], s=_sizes(new) * 1.9, facecolors="none", edgecolors=NEW_HALO, linewidths=2.0, zorder=2,
            gid=NEW_GID,
        )  # fmt: skip
    if len(current):
        ax.scatter(
            current["x"], current["y"], s=_sizes(current),
            facecolors=np.where(current["hollow"], "none", current["colour"]).tolist(),
            edgecolors=np.where(current["negative"], NEGATIVE_EDGE, current["colour"]).tolist(),
            linewidths=np.where(current["negative"], 2.6, 1.6),
            linestyles=[_edge_style(s) for s in current["state"]],
            zorder=4, gid=MARKERS_GID,
        )  # fmt: skip
    for row in marks.itertuples(index=False):
        filled = not row.hollow and row.status != "lost"
        ax.text(
            row.x, row.y, str(row.number), ha="center", va="center", zorder=5,
            fontsize=(5.5 if row.light else 7.5) * max(row.scale, 0.75), color="white" if filled else "#333333",
        )  # fmt: skip
    if marks.empty:
        ax.text(
            0, CENTRE_R + RING_W * 0.5, t("web.empty", lang), ha="center", va="center", fontsize=11, zorder=6,
            wrap=True, bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": "#999999"},
        )  # fmt: skip
    _draw_key(fig, marks, lang)
    _draw_legend(fig, ring, lang, with_comparison=previous is not None)
    if title:
        fig.suptitle(title, fontsize=13, x=0.32, y=0.98)
    return fig


def svg(ties: pd.DataFrame, **kw: object) -> str:
    """Return the inclusieweb as a standalone SVG string (text as escaped text, no external references)."""
    return charts.svg_document(figure(ties, **kw))  # type: ignore[arg-type]


def png(ties: pd.DataFrame, *, dpi: int = 150, **kw: object) -> bytes:
    """Return the inclusieweb as PNG bytes."""
    fig = figure(ties, **kw)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _tie_rows(ties: pd.DataFrame) -> pd.DataFrame:
    """Return the tie columns the web needs, checked (a plain DataFrame, in frame order)."""
    needed = ("tie_id", "role", "capital", "functions", "strength", "state", "influence", "level")
    missing = [c for c in needed if c not in ties.columns]
    if missing:
        msg = f"The ties frame lacks the columns {missing!r} (see vocabulary.TIE_COLUMNS: {TIE_COLUMNS!r})."
        raise ValueError(msg)
    return pd.DataFrame({c: ties[c].to_numpy() for c in needed})


def _role_labels(roles: pd.Series, lang: str) -> pd.Series:
    """Return "Familielid 2"-style labels: the short role label and its rank among ties of that role."""
    rank = roles.groupby(roles.astype(str)).cumcount() + 1
    short = roles.astype(str).map(lambda role: label("role", role, lang).split(" (")[0])
    return short + " " + rank.astype(str)


def _layout(sector: np.ndarray, ring: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return x, y and size scale of markers spread over their (sector, ring) cells, in rows along the ring's arc."""
    n = len(sector)
    x, y, scale = np.zeros(n), np.zeros(n), np.ones(n)
    cells = pd.DataFrame({"sector": sector, "ring": ring, "i": np.arange(n)}).groupby(["sector", "ring"], sort=False)
    for (s, r), group in cells:
        index = group["i"].to_numpy()
        k = len(index)
        first = s * np.pi / 2 + (LABEL_PAD if s == 3 else SECTOR_PAD)
        span = (s + 1) * np.pi / 2 - (LABEL_PAD if s == 2 else SECTOR_PAD) - first
        r_in = CENTRE_R + r * RING_W
        for rows in range(1, MAX_ROWS + 1):
            radii = r_in + (np.arange(rows) + 0.5) * RING_W / rows
            if np.floor(radii * span / SPACING).clip(min=1).sum() >= k:
                break
        counts = _shares(k, radii)
        spacing = min(float(np.min(radii[counts > 0] * span / counts[counts > 0])), RING_W / len(radii))
        scale[index] = np.clip(spacing / SPACING, MIN_SCALE, 1.0)
        start = 0
        for radius, count in zip(radii, counts, strict=True):
            chunk = index[start : start + count]
            start += count
            angles = first + (np.arange(count) + 0.5) * span / max(count, 1)
            x[chunk] = radius * np.cos(angles)
            y[chunk] = radius * np.sin(angles)
    return x, y, scale


def _shares(k: int, weights: np.ndarray) -> np.ndarray:
    """Return k split into integer parts proportional to `weights` (largest remainders)."""
    exact = k * weights / weights.sum()
    parts = np.floor(exact).astype(int)
    parts[np.argsort(parts - exact)[: k - parts.sum()]] += 1
    return parts


def _sizes(marks: pd.DataFrame) -> np.ndarray:
    """Return marker areas: small for light ties."""
    return np.where(marks["light"], SIZE_LIGHT, SIZE_STRONG) * marks["scale"].to_numpy() ** 2


def _edge_style(state: str) -> str:
    """Return the marker edge style of a tie state: dashed when slapend, dotted for a breuklijn."""
    return {"slapend": "--", "breuklijn": ":"}.get(state, "-")


def _draw_web(ax: object, ring: str, lang: str) -> None:
    """Draw the rings, the four sectors with their function labels, the ring labels and the citizen in the centre."""
    rings = RINGS[ring]
    outer = CENTRE_R + len(rings) * RING_W
    for i in reversed(range(len(rings))):
        ax.add_patch(Circle((0, 0), CENTRE_R + (i + 1) * RING_W, facecolor=RING_FILLS[i], edgecolor="#c8c8c8", lw=1, zorder=0))
    for k in range(4):
        angle = k * np.pi / 2
        ax.plot(
            [CENTRE_R * np.cos(angle), outer * np.cos(angle)], [CENTRE_R * np.sin(angle), outer * np.sin(angle)],
            color="#9e9e9e", lw=1.2, zorder=1,
        )  # fmt: skip
        middle = angle + np.pi / 4
        cos, sin = np.cos(middle), np.sin(middle)
        ax.text(
            (outer + 0.1) * cos, (outer + 0.1) * sin, label("function", FUNCTIONS[k], lang),
            ha="left" if cos > 0 else "right", va="bottom" if sin > 0 else "top",
            fontsize=11, fontweight="bold", color="#333333",
        )  # fmt: skip
    for i, key in enumerate(rings):
        ax.text(
            0, -(CENTRE_R + (i + 0.5) * RING_W), label(ring, key, lang), ha="center", va="center", fontsize=7.5,
            color="#555555", zorder=1, bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        )  # fmt: skip
    ax.add_patch(Circle((0, 0), CENTRE_R, facecolor="#37474f", edgecolor="none", zorder=2))
    ax.text(0, 0, t("web.centre", lang), ha="center", va="center", color="white", fontsize=8, fontweight="bold", zorder=3)


def _draw_key(fig: Figure, marks: pd.DataFrame, lang: str) -> None:
    """Write the list "number  role label" of the ties beside the web (lost ones marked)."""
    ties = marks.drop_duplicates("number")
    lines = [
        f"{row.number:>2}  {row.role_label}" + (f" ({t('web.lost', lang)})" if row.status == "lost" else "")
        + (f" ({t('web.new', lang)})" if row.status == "new" else "")
        for row in ties.itertuples(index=False)
    ]  # fmt: skip
    if len(lines) > MAX_KEY_LINES:
        hidden = len(lines) - MAX_KEY_LINES + 1
        lines = [*lines[: MAX_KEY_LINES - 1], t("web.more", lang, n=hidden)]
    fig.text(KEY_X, 0.93, t("web.key", lang), fontsize=10, fontweight="bold", va="top")
    for column in range(0, len(lines), KEY_LINES_PER_COLUMN):
        text = "\n".join(lines[column : column + KEY_LINES_PER_COLUMN])
        x = KEY_X + (column // KEY_LINES_PER_COLUMN) * 0.19
        fig.text(x, 0.89, text, fontsize=7, va="top", family="monospace", linespacing=1.35)


def _draw_legend(fig: Figure, ring: str, lang: str, *, with_comparison: bool) -> None:
    """Draw the legend: colours, states, influence and strength (and new/lost when comparing)."""
    palette: Mapping[str, str] = CAPITAL_COLOURS if ring == "level" else LEVEL_COLOURS
    vocabulary = "capital" if ring == "level" else "level"

    def dot(text: str, **style: object) -> Line2D:
        """Return a legend handle: a round marker."""
        base = {"marker": "o", "linestyle": "none", "markersize": 10, "markeredgewidth": 1.6, "color": "#555555"}
        return Line2D([], [], label=text, **{**base, **style})

    handles = [dot(label(vocabulary, key, lang), color=colour, markerfacecolor=colour) for key, colour in palette.items()]
    handles += [
        dot(label("state", "active", lang)),
        dot(label("state", "slapend", lang), markerfacecolor="none"),
        dot(label("state", "breuklijn", lang), markerfacecolor="none", markeredgecolor="#999999"),
        dot(label("influence", "negative", lang), markeredgecolor=NEGATIVE_EDGE, markeredgewidth=2.6),
        dot(label("strength", "light", lang), markersize=6),
    ]
    if with_comparison:
        handles += [
            dot(t("web.new", lang), markerfacecolor="none", markeredgecolor=NEW_HALO, markersize=14, markeredgewidth=2.4),
            dot(t("web.lost", lang), markerfacecolor="none", markeredgecolor=LOST_COLOUR),
        ]
    fig.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(KEY_X - 0.01, 0.01), fontsize=7.5, frameon=False,
        title=t("web.legend", lang), title_fontsize=9, alignment="left",
    )  # fmt: skip
