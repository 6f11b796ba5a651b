"""Names as people type them: one folding and one matcher, for every search in the app and the gazetteer.

A name is folded once: case folded, accents and other combining marks removed in every script
(Latin, Cyrillic, Greek, Hebrew, Arabic), letters that have no decomposition written plainly
(``ł`` → ``l``, Turkish dotless ``ı`` and dotted ``İ`` → ``i``, Persian ``ی``/``ک`` → Arabic ``ي``/``ك``),
and every run of punctuation or spaces made one space. Letters of any script are kept: "Мечеть",
"مسجد" and "Çay Evi" are found as typed, with or without their marks.

A query matches a name when its folded form is found in the folded name: first the names that start
with it, then the names with a word that starts with it, then the others (``match``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

# Letters with no Unicode decomposition that readers take for a plain letter.
_PLAIN_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d",
    "ی": "ي", "ى": "ي", "ک": "ك", "ـ": "",  # Persian yeh and kaf, alef maksura, the Arabic tatweel
})  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")
# Combining marks: Latin/Greek, Cyrillic, Hebrew, Arabic, and the extended blocks.
_COMBINING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
STARTS, WORD_STARTS, INSIDE = 0, 1, 2  # the ranks of a match, best first
NO_MATCH = -1


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Return a name without case, marks and punctuation: the key names are matched on.

    Parameters
    ----------
    text
        A name or a query, in any script.

    Returns
    -------
    str
        The folded name: lower case, no marks, words separated by one space ("" for punctuation only).

    Example
    -------
    >>> fold("Église  Sainte-Suzanne"), fold("İSTANBUL"), fold("مَسْجِد")
    ('eglise sainte suzanne', 'istanbul', 'مسجد')
    """
    plain = text.casefold().translate(_PLAIN_LETTERS)
    if not plain.isascii():
        plain = _COMBINING.sub("", unicodedata.normalize("NFKD", plain))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def match(names: Iterable[object], query: str) -> np.ndarray:
    """Return how well each name matches `query`: STARTS, WORD_STARTS, INSIDE, or NO_MATCH.

    Parameters
    ----------
    names
        The names to search (missing values never match).
    query
        What was typed; an empty query (after folding) matches nothing.

    Returns
    -------
    numpy.ndarray
        One rank per name (int); sort by it to put the best matches first.

    Example
    -------
    >>> match(["Rue Royale", "Parc Royal", "Gare du Nord"], "roya").tolist()
    [1, 1, -1]
    """
    needle = fold(query) if isinstance(query, str) else ""
    folded = [fold(name) if isinstance(name, str) else "" for name in names]
    if not needle:
        return np.full(len(folded), NO_MATCH, dtype=np.int64)
    word = " " + needle
    return np.fromiter(
        (
            (STARTS if key.startswith(needle) else WORD_STARTS if word in key else INSIDE) if needle in key else NO_MATCH
            for key in folded
        ),
        dtype=np.int64,
        count=len(folded),
    )


@lru_cache(maxsize=65536)
def duplicate_key(name: str) -> str:
    """Return the key stored with a vindplaats to find duplicates: case and marks ignored, punctuation kept.

    Kept as it was written to the store (rows already stored carry it), so it differs from `fold`
    only in keeping punctuation and the plain letters.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
