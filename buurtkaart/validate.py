"""Field rules shared by every writer: places (vindplaatsen), citizens and ties, and imports.

Each rule takes the raw value, the field's name and the error class of the calling module (a
``BuurtkaartError`` subclass that knows where its field labels are), and returns the clean value or
raises that error naming the field. The rules refuse rather than repair, except where a caller asks
(``drop_control``), so that a bad value never reaches the store.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from buurtkaart.errors import BuurtkaartError

# Control characters (Unicode category Cc) and lone surrogates (Cs); multi-line text may hold tabs and new lines.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
SHOWN_MAX = 40  # a bad value is quoted in a message up to this many characters


def text(
    value: object,
    field: str,
    error: type[BuurtkaartError],
    *,
    limit: int,
    empty_key: str | None = None,
    multiline: bool = False,
    drop_control: bool = False,
    integers: bool = False,
) -> str:
    """Return text without surrounding spaces, or raise `error` naming `field`.

    Parameters
    ----------
    value
        The raw value; None and a missing table cell (NaN, pd.NA) are empty text.
    field
        The field's name, for the message.
    error
        The error class to raise.
    limit
        The most characters the text may have.
    empty_key
        The message key when empty text is refused; None accepts empty text.
    multiline
        Allow tabs and new lines.
    drop_control
        Remove control characters instead of refusing them.
    integers
        Accept an integer as its decimal text (an id or a code given as a number).

    Returns
    -------
    str
        The clean text.

    Example
    -------
    >>> text("  Theehuis  ", "name", BuurtkaartError, limit=200)
    'Theehuis'
    """
    if not isinstance(value, str):  # the common case (text) takes none of these branches
        if missing(value):
            value = ""
        elif integers and isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
            value = str(value)
        else:
            raise error("error.not_text", field=field, value=show_value(value))
    control = CONTROL_MULTILINE if multiline else CONTROL
    if drop_control:
        value = control.sub("", value)
    value = value.strip()
    if not drop_control and control.search(value):
        raise error("error.control_character", field=field)
    if empty_key is not None and not value:
        raise error(empty_key, field=field)
    if len(value) > limit:
        raise error("error.text_too_long", field=field, length=len(value), limit=limit)
    return value


def choice(value: object, field: str, keys: Iterable[str], error: type[BuurtkaartError], key: str) -> str:
    """Return `value` if it is one of `keys`; raise `error(key)` naming the field and the value if not."""
    if not isinstance(value, str) or value not in keys:
        raise error(key, field=field, value=show_value(value))
    return value


def distinct(value: object, field: str, error: type[BuurtkaartError]) -> list[Any]:
    """Return the distinct entries of a list field in their order (None is empty); refuse text and non-lists."""
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise error("error.not_a_list", field=field, value=show_value(value))
    out: list[Any] = []
    for entry in value:
        if entry not in out:
            out.append(entry)
    return out


def choices(value: object, field: str, keys: Iterable[str], error: type[BuurtkaartError], key: str) -> list[str]:
    """Return the distinct entries of a list field, each one of `keys`; raise `error(key)` naming an unknown one."""
    out: list[str] = []
    for entry in distinct(value, field, error):
        if not isinstance(entry, str) or entry not in keys:
            raise error(key, field=field, value=show_value(entry))
        out.append(entry)
    return out


def number(value: object) -> float | None:
    """Return a real number (not a bool) as a finite float, or None if it is not one."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def lon_lat(lon: object, lat: object) -> tuple[float, float] | None:
    """Return (lon, lat) as floats if both are numbers within ±180 and ±90 degrees, else None."""
    x, y = number(lon), number(lat)
    if x is None or y is None or not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


def missing(value: object) -> bool:
    """Return True for a missing value: None, NaN or pd.NA (a cell of a table left empty)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def same(old: Any, new: Any) -> bool:
    """Return True when a stored value equals a new one (lists and tuples alike)."""
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return list(old) == list(new)
    return type(old) is type(new) and old == new


def show_value(value: object, limit: int = SHOWN_MAX) -> str:
    """Return a short printable form of a bad value, for an error message."""
    shown = value if isinstance(value, str) else repr(value)
    shown = "".join(c if c.isprintable() else "\ufffd" for c in shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
