"""Charts as SVG: one way to turn a matplotlib figure into a standalone document or an inline element."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # no GUI backend, also when imported outside Streamlit
from matplotlib.figure import Figure

# Text stays text (escaped by matplotlib), ids are stable, and no metadata or DTD points elsewhere.
_SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "buurtkaart"}
_SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def svg_document(figure: Figure) -> str:
    """Return a figure as a standalone SVG document (XML header, no DTD: nothing to fetch)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(_SVG_SETTINGS):
        figure.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", buffer.getvalue().decode("utf-8"), count=1)


def svg_element(figure: Figure) -> str:
    """Return a figure as an <svg> element that scales to its container (for an HTML page or st.image)."""
    document = svg_document(figure)
    root = document[document.find("<svg"):]
    end = root.find(">")
    return re.sub(r'\s(width|height)="[^"]*"', "", root[:end]) + root[end:]
