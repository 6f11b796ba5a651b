"""Errors that carry a plain-language message in every UI language."""

from __future__ import annotations

from buurtkaart.i18n import t


class BuurtkaartError(Exception):
    """An error a user can act on: its text comes from the translation table."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def message(self, lang: str) -> str:
        """Return the message in the given UI language."""
        return t(self.key, lang, **self.values)


class OsmFileError(BuurtkaartError):
    """An OSM file that cannot be loaded (empty, wrong type, corrupt, no streets)."""


class OfflineError(BuurtkaartError):
    """OpenStreetMap cannot be reached (no network, or it does not answer)."""


class AreaError(BuurtkaartError):
    """An area that is not valid or has no data (a bad bounding box, a place outside Brussels)."""
