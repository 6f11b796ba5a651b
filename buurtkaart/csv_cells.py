"""CSV cells a spreadsheet never runs as a formula (the OWASP rule), and back again on import.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so
Excel and LibreOffice show it as text. To give our own export back exactly, a cell that starts with an
apostrophe followed by one of those characters or by another apostrophe gets one too, and `restore` removes
exactly one leading apostrophe from such cells only ("'t Hoekske" stays as it is, both ways).
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: object) -> object:
    """Return a cell as it may be written to a CSV file: text that could start a formula gets a leading apostrophe."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) or _quoted(value):
        return QUOTE + value
    return value


def restore(value: object) -> object:
    """Return a cell read from a CSV file as it was before `neutralise` (other cells unchanged)."""
    if isinstance(value, str) and _quoted(value):
        return value[1:]
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table whose text cells (and column names) are neutralised; numbers stay numbers."""
    out = frame.rename(columns=lambda c: neutralise(c) if isinstance(c, str) else c)
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table read from a CSV file with its text cells (and column names) restored."""
    out = frame.rename(columns=lambda c: restore(c) if isinstance(c, str) else c)
    for column in out.columns:
        if column != "geometry" and (out[column].dtype == object or pd.api.types.is_string_dtype(out[column])):
            out[column] = out[column].map(restore)
    return out


def _quoted(value: str) -> bool:
    """Return True for text that starts with an apostrophe followed by a formula start or another apostrophe."""
    return len(value) > 1 and value[0] == QUOTE and (value[1] == QUOTE or value[1] in FORMULA_STARTS)
