"""Errors that carry a plain-language message in every UI language."""

from __future__ import annotations

from buurtkaart.i18n import t


class BuurtkaartError(Exception):
    """An error a user can act on: its text comes from the translation table.

    `field` names the form field it concerns, if any: its label, in the reader's language, fills the
    message's ``{field}``. A subclass names where its field labels are (`FIELD_LABELS`, a key prefix) and
    may translate other values (`shown_values`); the message is built on demand in any language, and
    ``str(error)`` is the English one.
    """

    FIELD_LABELS = ""  # e.g. "item." -> the label of field "name" is t("item.name")

    def __init__(self, key: str, *, field: str | None = None, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.values = values

    def __str__(self) -> str:
        """Return the message in English."""
        return self.message("en")

    def message(self, lang: str) -> str:
        """Return the message in the given UI language."""
        values = self.shown_values(lang)
        if self.field is not None:
            values["field"] = t(f"{self.FIELD_LABELS}{self.field}", lang) if self.FIELD_LABELS else self.field
        return t(self.key, lang, **values)

    def shown_values(self, lang: str) -> dict[str, object]:
        """Return the values the message is filled with, in `lang` (here: as given)."""
        return dict(self.values)


class OsmFileError(BuurtkaartError):
    """An OSM file that cannot be loaded (empty, wrong type, corrupt, no streets)."""


class OfflineError(BuurtkaartError):
    """OpenStreetMap cannot be reached (no network, or it does not answer)."""


class AreaError(BuurtkaartError):
    """An area that is not valid or has no data (a bad bounding box, a place outside Brussels)."""
