"""Numbers, dates, times, plurals and file names as the user's language writes them (Babel's CLDR data).

Every figure a page, a report or a file shows goes through here: ``number(1318, "nl")`` is "1.318", in French
"1 318" (a narrow no-break space), in English "1,318"; a stored time (UTC) is shown in Brussels time
(``settings.TIMEZONE``, summer time included); ``plural("map.places", 1, "nl")`` picks the singular text
("1 plek") by the language's own plural rules; ``download_name`` names a file after what it holds.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from buurtkaart import i18n, names, settings

# The UI language -> the Babel locale of Brussels (Belgian Dutch and French); English as written in Europe.
LOCALES: dict[str, str] = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
LEGACY_DEFAULT_ORGANISATION = "Mijn organisatie"  # the default name older versions gave the first organisation
SLUG_MAX = 40  # characters of one part of a file name
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def locale(lang: str) -> str:
    """Return the Babel locale of a UI language (Dutch for an unknown code)."""
    return LOCALES.get(lang, LOCALES[i18n.DEFAULT_LANGUAGE])


def number(value: float, lang: str, *, digits: int = 0) -> str:
    """Return a number with the language's digit grouping and decimal sign, rounded to `digits` decimals."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=locale(lang))


def metres(value: float, lang: str) -> str:
    """Return a distance in whole metres ("1.250 m")."""
    return f"{number(round(value), lang)}\u00a0m"


def percent(share: float, lang: str) -> str:
    """Return a share (0.25) as a whole percentage in the language's format ("25 %" in nl and fr, "25%" in en)."""
    return babel_numbers.format_percent(share, format=None, locale=locale(lang))


def local_time(moment: datetime) -> datetime:
    """Return a moment in Brussels time; a moment without a time zone is taken as UTC (as the store keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(settings.TIMEZONE))


def datetime_text(moment: datetime | None, lang: str) -> str:
    """Return a moment as the language writes a date and a time, in Brussels time ("7 dec 2026, 15:04:05"); "" for none."""
    if moment is None or moment != moment:  # None or NaT
        return ""
    return babel_dates.format_datetime(local_time(moment), "medium", locale=locale(lang))


def date_text(day: date | datetime | None, lang: str) -> str:
    """Return a day as the language writes it ("7 dec 2026", "7 déc. 2026", "7 Dec 2026"); "" for none."""
    if day is None or day != day:
        return ""
    if isinstance(day, datetime):
        day = local_time(day).date()
    return babel_dates.format_date(day, "medium", locale=locale(lang))


def plural_form(count: float, lang: str) -> str:
    """Return the CLDR plural category of `count` in `lang` ("one" or "other" for nl, fr and en)."""
    return Locale.parse(locale(lang)).plural_form(abs(count))


def plural(key: str, count: float, lang: str, **values: object) -> str:
    """Return the text `key.one` or `key.other` for `count`, with `{n}` the count in the language's number format."""
    form = "one" if plural_form(count, lang) == "one" else "other"
    return i18n.t(f"{key}.{form}", lang, n=number(count, lang), **values)


def organisation_label(name: str, lang: str) -> str:
    """Return an organisation's name as shown: the default name of older versions in the user's language."""
    return i18n.t("formats.my_organisation", lang) if name == LEGACY_DEFAULT_ORGANISATION else name


def slug(text: str, *, fallback: str = "x") -> str:
    """Return `text` as a safe part of a file name: lower case ASCII letters, digits and single hyphens."""
    plain = unicodedata.normalize("NFKD", names.fold(text)).encode("ascii", "ignore").decode("ascii")
    part = _NOT_SLUG.sub("-", plain).strip("-")[:SLUG_MAX].strip("-")
    return part or fallback


def download_name(what: str, *parts: str | None, on: date | datetime | None = None, suffix: str) -> str:
    """Return a download's file name after what it holds: ``buurtanalyse-schaerbeek-2026-12-07.html``.

    Parameters
    ----------
    what
        What the file is ("buurtanalyse", "vindplaatsen", "ronde"…).
    parts
        The organisation, the area… (empty ones are left out), each made slug-safe.
    on
        The day it is about or was made (a moment is taken in Brussels time); none: no date.
    suffix
        The extension, with or without its dot.
    """
    words = [slug(what), *(slug(p) for p in parts if p and p.strip())]
    if on is not None:
        day = local_time(on).date() if isinstance(on, datetime) else on
        words.append(day.isoformat())
    return "-".join(words) + "." + suffix.lstrip(".")
