"""What may be typed about a citizen besides fixed choices: nothing free. A version's label comes from a short
list or is a date (an ISO date "2025-01-15"), so that no name, phone number or diagnosis ends up in it.
"""

from __future__ import annotations

import re
from datetime import date

VERSION_LABELS: tuple[str, ...] = ("intake", "opvolging", "evaluatie", "afsluiting")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def version_label(label: str) -> str:
    """Return a version label if it is empty, one of VERSION_LABELS (any case) or an ISO date; raise CitizenError if not."""
    from buurtkaart.citizens import CitizenError  # citizens imports this module

    text = label.strip().casefold()
    if text == "" or text in VERSION_LABELS:
        return text
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise CitizenError("error.version_label_not_allowed", field="version_label", labels=", ".join(VERSION_LABELS))
