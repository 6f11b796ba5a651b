"""Demo data, invented from start to end: an organisation, its map and ~40 citizens with networks like the seed's.

Everything here is fictitious and marked so: the organisation is called DEMO_ORGANISATION and every citizen is
stored with demo=True. The places are real (OSM places, streets, quartiers and municipalities of Brussels, cities
abroad), each placed through the gazetteer as a worker would type it. The networks follow the seed's reference
figures: vulnerable networks of about 5 members, mostly bonding, little bridging, hardly linking; a few rich
networks of 30 (12 family, 13 friends, 5 professionals) with all four functions filled by different people; people
in poverty with 2 family members and 3 professionals. Generation is deterministic (random.Random(SEED)).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd

from buurtkaart import citizens as cz
from buurtkaart import gazetteer as gz
from buurtkaart import organisations
from buurtkaart import vindplaatsen as vp
from buurtkaart.accounts import Actor
from buurtkaart.area import Area
from buurtkaart.store import Store
from buurtkaart.vocabulary import FUNCTIONS, Location

DEMO_ORGANISATION = "Demo-organisatie (fictief)"
DEMO_USER = "demo (fictief)"
SEED = 2026
NAMED_CASES: tuple[str, ...] = ("newcomer_mother", "stamcafe", "commuter", "balcony")
PROFILES: tuple[str, ...] = ("vulnerable", "poverty", "rich", "middle")
INTAKE_LABEL = "intake"
REVIEW_LABEL = "opvolging"
_PENDING = "demo-item-"  # provisional id of a demo item before it is stored


@dataclass(frozen=True)
class ItemSpec:
    """An item of the demo organisation's map: where it is (`place`, typed at buurt level) and its fields."""

    layer: str
    name: str
    kind: str
    place: str
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    actor: str = ""
    formal: bool | None = None
    notes: str = ""


@dataclass(frozen=True)
class TieSpec:
    """A tie as a worker records it; `place` is typed at `level`. `intake_state`/`new` describe the intake version."""

    ref: str  # the tie's name within its citizen ("t1"), for links and versions
    role: str
    capital: str
    functions: tuple[str, ...]
    frequency: str
    strength: str
    level: str
    place: str
    state: str = "active"
    influence: str = "positive"
    reciprocity: str = "both"
    intake_state: str | None = None  # the state at intake when it differs (e.g. "slapend", now reactivated)
    new: bool = False  # added after the intake


@dataclass(frozen=True)
class CitizenSpec:
    """An invented citizen: profile, anchor (typed at `anchor_level`), ties, who knows whom, and version dates."""

    reference: str  # the demo's own file number ("DEMO-01"), stored only as an HMAC like any other
    profile: str  # one of PROFILES
    case: str  # one of NAMED_CASES, or ""
    age_band: str
    situations: tuple[str, ...]
    talents: tuple[str, ...]
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    anchor_level: str  # "stad" for a quartier, "buurt" for a place or vindplaats
    anchor: str
    ties: tuple[TieSpec, ...]
    links: tuple[tuple[str, str], ...] = ()
    intake: date | None = None
    review: date | None = None

    @property
    def vulnerable(self) -> bool:
        """Return True for the people in vulnerable situations (the seed's ~5 member networks)."""
        return self.profile in ("vulnerable", "poverty")

    def intake_ties(self) -> tuple[TieSpec, ...]:
        """Return the ties as they were at intake: without the new ones, with their intake state."""
        return tuple(replace(t, state=t.intake_state or t.state) for t in self.ties if not t.new)


@dataclass(frozen=True)
class DemoPlan:
    """The demo resolved on an area: every item, anchor and tie as a Location; nothing is stored yet."""

    items: tuple[tuple[ItemSpec, Location], ...]
    citizens: tuple[tuple[CitizenSpec, Location, dict[str, Location]], ...]


# --- the organisation's map ---


def item_specs() -> list[ItemSpec]:
    """Return the items of the demo organisation's map: vindplaatsen, its site, partners, a gatekeeper and needs."""
    return [
        ItemSpec("vindplaats", "Parc Josaphat - Josaphatpark", "park", "Parc Josaphat - Josaphatpark",
                 ("everyone",), ("nl", "fr")),
        ItemSpec("vindplaats", "Josaphat Wash", "laundromat", "Josaphat Wash", ("parents", "women"), ("fr", "ar")),
        ItemSpec("vindplaats", "Koffiebar metrostation Diamant", "metro_station", "Pharmacie du Diamant – Dynaphar",
                 ("everyone",), ("fr", "nl", "en")),
        ItemSpec("vindplaats", "Place Liedts - Liedtsplein", "square", "Place Liedts - Liedtsplein",
                 ("men", "elderly"), ("ar", "tr", "fr")),
        ItemSpec("vindplaats", "Bib Sophia", "learning", "Bib Sophia", ("children", "parents"), ("nl",)),
        ItemSpec("site", "Maison des citoyens - Huis van de burgers", "meeting",
                 "Maison des citoyens - Huis van de burgers", ("everyone",), ("nl", "fr")),
        ItemSpec("partner", "Taverne Spoorweg", "cafe", "Taverne Spoorweg", ("men",), ("nl", "fr"), actor="cafe",
                 formal=False),
        ItemSpec("partner", "Gemeenschapscentrum De Kriekelaar", "meeting", "Gemeenschapscentrum De Kriekelaar",
                 ("everyone",), ("nl",), actor="formal", formal=True),
        ItemSpec("partner", "Mosquée Bilal", "worship", "Mosquée Bilal", ("men", "young_people"), ("ar", "fr"),
                 actor="religious", formal=False),
        ItemSpec("gatekeeper", "Theehuis Koninginneplein (fictief)", "tea_house",
                 "Place de la Reine - Koninginneplein", ("men",), ("tr",), actor="business",
                 notes="Verzonnen voorbeeld: een theehuis waar alleen vaste klanten komen."),
        ItemSpec("need", "Moestuin Parc Reine-Verte zoekt helpers", "park", "Parc Reine-Verte - Koningin-Groenpark",
                 ("everyone",), ("nl", "fr"), actor="organisation", notes="Zaaien, wieden en de compost omzetten."),
        ItemSpec("need", "Huiswerkklas Kriekelaar zoekt vrijwilligers", "learning",
                 "Gemeenschapscentrum De Kriekelaar", ("children",), ("nl",), actor="organisation",
                 notes="Huiswerkbegeleiding op woensdagmiddag."),
        ItemSpec("need", "Buurtrestaurant Dailly zoekt hulp in de keuken", "meeting",
                 "Maison Dailly - Wijkcentrum Dailly", ("everyone",), ("fr", "nl"), actor="organisation",
                 notes="Samen koken voor de maaltijd van vrijdag."),
        ItemSpec("need", "Bewoners Helmet: wie houdt een oogje in het zeil?", "other",
                 "Place de Helmet - Helmetseplein", ("elderly",), ("fr", "nl"), actor="resident",
                 notes="Een groet, een praatje, even kijken of alles goed gaat."),
        ItemSpec("need", "Repair café Colignon zoekt herstellers", "meeting", "Place Colignon - Colignonplein",
                 ("everyone",), ("fr", "nl"), actor="organisation", notes="Fietsen en kleine toestellen herstellen."),
    ]  # fmt: skip


# --- where people and their ties are: real places of Schaerbeek, Brussels and abroad ---

# The quartiers citizens are anchored in, with places and streets of each (all real, all inside the quartier).
QUARTIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "Brabantwijk": {
        "street": ("Rue Brichaut - Brichautstraat", "Rue Allard - Allardstraat", "Place Stephenson - Stephensonplein"),
        "cafe": ("My Coffee", "Univers", "Cafe Palais"),
        "shop": ("Karadeniz", "Minani Centre", "Kheops"),
        "care": ("Gallait", "Metipharm"),
        "worship": ("Mosquée Bilal", "Église Saint-Nicolas - Sint-Nikolaaskerk", "Mosquée Al Ansar"),
        "park": ("Parc Reine-Verte - Koningin-Groenpark", "Place Liedts - Liedtsplein"),
    },
    "Colignon": {
        "street": ("Avenue Louis Bertrand - Louis Bertrandlaan", "Avenue Voltaire - Voltairelaan",
                   "Place Colignon - Colignonplein"),
        "cafe": ("Snack Darna", "Ya Cham", "Resto Royale Pavillon"),
        "shop": ("Marhaban", "Top Africa", "Al Hoceima"),
        "care": ("Maison médicale Neptune", "Centre Medical Colignon"),
        "worship": ("Xhamia e Besimit", "I Romani Dzamija Ebu Hurejra"),
        "park": ("Parc Lacroix - Lacroix park", "Square Maurane - Mauranesquare"),
    },
    "Dailly": {
        "street": ("Avenue Dailly - Daillylaan", "Grande Rue au Bois - Grote Bosstraat", "Avenue Rogier - Rogierlaan"),
        "cafe": ("Broadway", "Cafe Martini", "Brasserie Rogier"),
        "shop": ("Deliorman", "BEES coop", "Erko Market"),
        "care": ('Maison Médicale "Le Noyer"', "Pharmacie des Bienfaiteurs"),
        "worship": ("Église Sainte-Alice - Sint-Aleydiskerk", "Paroisse Sainte Marina - Parochie van de Heilige Marina"),
        "park": ("Parc Dailly - Daillypark", "Place de la Patrie - Vaderlandsplein"),
    },
    "Haachtse steenweg": {
        "street": ("Rue Geefs - Geefsstraat", "Place Lehon - Lehonplein", "Rue Cornet de Grez - Cornet de Grezstraat"),
        "cafe": ("Le Mystic", "Taverne Brusilia", "Brasserie de la Mule"),
        "shop": ("Arzum Market", "Boucherie Salih", "Deliorman Market"),
        "care": ("Centre de santé PSE", "Centre médical Deschanel"),
        "worship": ("Ak Camii", "Église Saint-Servais - Sint-Servaaskerk", "Masjid An-Nour"),
        "park": ("Parc Rasquinet - Rasquinetpark", "Jardin Van Dyck - Van Dycktuin"),
    },
    "Helmet": {
        "street": ("Chaussée de Helmet - Helmetsesteenweg", "Avenue Zénobe Gramme - Zénobe Grammelaan",
                   "Place de Helmet - Helmetseplein"),
        "cafe": ("Le Bariga", "Le Lambermont", "Tchello Cafe & Bar"),
        "shop": ("La Baguette D'Or", "Pam Market", "Cloetens delicatessen"),
        "care": ("Centre hospitalier Paul Brien - Verplegingscentrum Paul Brien",),
        "worship": ("Église de la Sainte-Famille - Heilige Familiekerk",),
        "park": ("Place de Helmet - Helmetseplein",),
    },
    "Josaphat": {
        "street": ("Avenue Chazal - Chazallaan", "Rue Frans Binjé - Frans Binjéstraat", "Avenue Ernest Cambier - Ernest Cambierlaan"),
        "cafe": ("Pizzeria Del Parco", "Côté Gourmand"),
        "shop": ("Au Petit Marché", "Le goût"),
        "care": ("Centre Kiné Chazal", "D-Pharma"),
        "worship": ("Église Sainte-Thérèse d'Avila - Sint-Teresia van Avilakerk",),
        "park": ("Parc Josaphat - Josaphatpark", "Square Prévost-Delaunay - Prévost-Delaunaysquare"),
    },
    "Plasky": {
        "street": ("Avenue Eugène Plasky - Eugène Plaskylaan", "Avenue Emile Max - Emile Maxlaan"),
        "cafe": ("Les Bons Enfants", "Bistro Mousse"),
        "shop": ("Deli Press", "La Presse Internationale"),
        "care": ("Magistra-Pharma", "Centre Dentaire Meiser"),
        "worship": ("Église Saint-Albert - Sint-Albertuskerk",),
        "park": ("Place de Jamblinne de Meux - de Jamblinne de Meuxplein", "Square des Griottiers - Morelleboomsquare"),
    },
    "Schaarbeek station": {
        "street": ("Avenue Emile Zola - Emile Zolalaan", "Avenue Georges Rodenbach - Georges Rodenbachlaan"),
        "cafe": ("Taverne Spoorweg", "Le Cheval de Fer", "Snack La Gare"),
        "shop": ("Vesti-boutique", "Au Petit Wou-Wou"),
        "care": ("Maison Médicale Jean Jaurès",),
        "worship": ("Mosquée Ahl Allah",),
        "park": ("Square François Riga - François Rigasquare",),
    },
    "Terdelt": {
        "street": ("Avenue Charles Gilisquet - Charles Gilisquetlaan", "Avenue des Glycines - Blauweregenlaan"),
        "cafe": ("Brasserie Cochaux", "New Terdelt"),
        "shop": ("The Place to Cheese", "Vertongen"),
        "care": ("Centre Médical Europe-Lambermont - Medisch Centrum Europa-Lambermont",),
        "worship": ("Église Sainte-Suzanne - Sint-Suzannakerk",),
        "park": ("Place Terdelt - Terdeltplein", "Parc Albert Ier - Albert I Park"),
    },
}  # fmt: skip
# Vindplaatsen of the organisation where acquaintances and light ties are met.
MEETING_POINTS: tuple[str, ...] = (
    "Josaphat Wash",
    "Koffiebar metrostation Diamant",
    "Place Liedts - Liedtsplein",
    "Parc Josaphat - Josaphatpark",
    "Bib Sophia",
)
SOCIAL_SERVICES: tuple[str, ...] = ("Maison des citoyens - Huis van de burgers", "Episol")
MUNICIPALITIES_ELSEWHERE: tuple[str, ...] = (
    "Sint-Jans-Molenbeek", "Anderlecht", "Sint-Joost-ten-Node", "Evere", "Brussel", "Elsene", "Jette", "Vorst",
    "Etterbeek", "Koekelberg", "Ganshoren", "Sint-Gillis",
)  # fmt: skip
WORK_PLACES: tuple[str, ...] = ("Brussel", "Elsene", "Etterbeek", "Sint-Joost-ten-Node", "Evere")
# Where family lives, per country of origin (typed as a worker would: Dutch or local names), and its languages.
ORIGINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "MA": (("Casablanca", "Tanger", "Nador", "Oujda", "Al Hoceima", "Berkane", "Marokko"), ("ar", "ber", "fr")),
    "TR": (("Istanbul", "Ankara", "Emirdağ", "Turkije"), ("tr", "fr")),
    "CD": (("Kinshasa", "Lubumbashi", "DR Congo"), ("fr", "ln")),
    "RO": (("Boekarest", "Cluj-Napoca", "Roemenië"), ("ro", "fr")),
    "PL": (("Warschau", "Krakau", "Polen"), ("pl", "nl")),
    "BE": (("Antwerpen", "Gent", "Luik", "Namen"), ("nl", "fr")),
    "SY": (("Damascus", "Aleppo", "Syrië"), ("ar",)),
    "GN": (("Conakry", "Guinee", "Dakar"), ("fr",)),
    "AL": (("Tirana", "Pristina", "Albanië", "Kosovo"), ("sq", "fr")),
    "BG": (("Sofia", "Plovdiv", "Bulgarije"), ("bg", "tr")),
}
ORIGIN_WEIGHTS: dict[str, float] = {
    "MA": 0.3, "TR": 0.14, "CD": 0.1, "RO": 0.08, "PL": 0.05, "BE": 0.13, "SY": 0.05, "GN": 0.05, "AL": 0.05, "BG": 0.05,
}  # fmt: skip
DIASPORA: tuple[str, ...] = ("Parijs", "Rotterdam", "Lille", "Düsseldorf", "Madrid", "Londen", "Amsterdam", "Keulen")
# Where the generated citizens live (the named cases come on top): 36 anchors.
ANCHORS: tuple[str, ...] = (
    *["Brabantwijk"] * 7, *["Haachtse steenweg"] * 6, *["Colignon"] * 6, *["Dailly"] * 5, *["Helmet"] * 4,
    *["Josaphat"] * 3, *["Schaarbeek station"] * 2, *["Terdelt"] * 2, "Plasky",
)  # fmt: skip
# Talents given to citizens of the quartiers near a need that asks for them (so the talent map shows a match).
TALENTS_BY_QUARTIER: dict[str, tuple[str, ...]] = {
    "Brabantwijk": ("gardening", "childcare", "repairs"),
    "Haachtse steenweg": ("gardening", "cooking"),
    "Colignon": ("repairs", "childcare"),
    "Dailly": ("cooking",),
    "Helmet": ("greeting",),
}
TALENTED = 4  # citizens per quartier and talent that a need nearby asks for
OTHER_TALENTS: tuple[str, ...] = ("music", "languages", "sewing", "listening", "computers", "sport")
INTERESTS: tuple[str, ...] = ("meeting", "cafe", "worship", "park", "sport", "learning", "culture", "market")
VULNERABLE_SIZES: tuple[int, ...] = (3, 4, 4, 5, 5, 5, 5, 6, 6, 7)
VULNERABLE_ROLES: dict[str, float] = {
    "family": 0.28, "friend": 0.18, "neighbour": 0.14, "acquaintance": 0.12, "professional": 0.08,
    "social_worker": 0.05, "shopkeeper": 0.08, "cafe_owner": 0.03, "fellow_member": 0.04,
}  # fmt: skip
AGE_BANDS_ADULT: tuple[str, ...] = ("20_29", "30_39", "40_49", "50_59", "60_69", "70_plus")


# --- generation ---


def citizen_specs(seed: int = SEED) -> list[CitizenSpec]:
    """Return the demo citizens: the seed's four named cases and generated vulnerable, poor, middle and rich ones."""
    rng = random.Random(seed)
    specs = named_cases()
    profiles = ["vulnerable"] * 22 + ["poverty"] * 6 + ["middle"] * 4 + ["rich"] * 4
    anchors = list(ANCHORS)
    rng.shuffle(anchors)
    talent_quota = {q: {t: 0 for t in ts} for q, ts in TALENTS_BY_QUARTIER.items()}
    for number, (profile, quartier) in enumerate(zip(profiles, anchors, strict=True), start=len(specs) + 1):
        origin = rng.choices(list(ORIGIN_WEIGHTS), weights=list(ORIGIN_WEIGHTS.values()))[0]
        if profile == "rich":
            ties = _rich_ties(rng, quartier, origin)
        elif profile == "poverty":
            ties = _poverty_ties(rng, quartier, origin)
        elif profile == "middle":
            ties = _middle_ties(rng, quartier, origin)
        else:
            ties = _vulnerable_ties(rng, quartier, origin, rng.choice(VULNERABLE_SIZES))
        spec = CitizenSpec(
            reference=f"DEMO-{number:02d}",
            profile=profile,
            case="",
            age_band=rng.choice(AGE_BANDS_ADULT),
            situations=_situations(rng, profile, origin),
            talents=_talents(rng, quartier, talent_quota),
            interests=tuple(sorted(rng.sample(INTERESTS, rng.randint(1, 3)))),
            languages=_languages(rng, origin),
            anchor_level="stad",
            anchor=quartier,
            ties=tuple(ties),
            links=_links(rng, ties),
        )
        specs.append(spec)
    return _with_versions(rng, specs)


def named_cases() -> list[CitizenSpec]:
    """Return the seed's examples: the newly arrived mother, the man at his stamcafé, the commuter, the balcony."""
    mother = CitizenSpec(
        reference="DEMO-CASE-1", profile="vulnerable", case="newcomer_mother", age_band="30_39",
        situations=("newcomer", "learning_dutch", "single_parent"), talents=("cooking", "sewing"),
        interests=("learning", "park"), languages=("ar", "ber", "fr"), anchor_level="stad", anchor="Brabantwijk",
        ties=(
            TieSpec("t1", "family", "bonding", ("affectief",), "daily", "strong", "translokaal", "Nador",
                    reciprocity="both"),
            TieSpec("t2", "family", "bonding", ("affectief", "informatief"), "daily", "strong", "translokaal",
                    "Parijs"),
            TieSpec("t3", "family", "bonding", ("affectief", "materieel"), "daily", "strong", "translokaal",
                    "Düsseldorf", reciprocity="receives"),
            TieSpec("t4", "family", "bonding", ("affectief",), "weekly", "strong", "translokaal", "Madrid"),
            TieSpec("t5", "acquaintance", "bonding", ("verbindend",), "weekly", "light", "buurt", "Josaphat Wash"),
            TieSpec("t6", "social_worker", "linking", ("informatief", "materieel"), "monthly", "strong", "buurt",
                    "Maison des citoyens - Huis van de burgers", reciprocity="receives"),
            TieSpec("t7", "friend", "bridging", ("verbindend", "informatief"), "weekly", "light", "buurt",
                    "Bib Sophia", new=True),
        ),
        links=(("t1", "t2"), ("t1", "t3"), ("t2", "t3"), ("t1", "t4")),
    )  # fmt: skip
    stamcafe = CitizenSpec(
        reference="DEMO-CASE-2", profile="vulnerable", case="stamcafe", age_band="50_59",
        situations=("lives_alone", "low_income", "job_seeker"), talents=("repairs", "listening"),
        interests=("cafe",), languages=("nl", "fr"), anchor_level="buurt", anchor="Taverne Spoorweg",
        ties=(
            TieSpec("t1", "cafe_owner", "bridging", ("materieel", "affectief"), "daily", "strong", "buurt",
                    "Taverne Spoorweg", reciprocity="receives"),
            TieSpec("t2", "acquaintance", "bonding", ("verbindend",), "daily", "light", "buurt", "Taverne Spoorweg"),
            TieSpec("t3", "acquaintance", "bonding", ("verbindend",), "weekly", "light", "buurt", "Taverne Spoorweg",
                    influence="negative"),
            TieSpec("t4", "partner", "bonding", ("materieel",), "rarely", "strong", "stad", "Anderlecht",
                    state="breuklijn", influence="negative"),
            TieSpec("t5", "family", "bonding", ("affectief",), "monthly", "strong", "stad", "Evere",
                    intake_state="slapend"),
            TieSpec("t6", "social_worker", "linking", ("informatief",), "monthly", "strong", "buurt",
                    "Maison des citoyens - Huis van de burgers", reciprocity="receives"),
        ),
        links=(("t1", "t2"), ("t1", "t3"), ("t2", "t3"), ("t4", "t5")),
    )  # fmt: skip
    commuter = CitizenSpec(
        reference="DEMO-CASE-3", profile="middle", case="commuter", age_band="40_49",
        situations=("lives_alone",), talents=("computers", "languages"), interests=("cafe", "culture"),
        languages=("nl", "fr", "en"), anchor_level="stad", anchor="Plasky",
        ties=(
            TieSpec("t1", "acquaintance", "bridging", ("verbindend",), "daily", "light", "buurt",
                    "Koffiebar metrostation Diamant"),
            TieSpec("t2", "colleague", "bonding", ("informatief", "verbindend"), "daily", "strong", "stad", "Brussel"),
            TieSpec("t3", "colleague", "bridging", ("informatief",), "daily", "light", "stad", "Brussel"),
            TieSpec("t4", "family", "bonding", ("affectief",), "weekly", "strong", "translokaal", "Gent"),
            TieSpec("t5", "family", "bonding", ("affectief", "materieel"), "monthly", "strong", "translokaal",
                    "Antwerpen"),
            TieSpec("t6", "friend", "bonding", ("affectief", "verbindend"), "monthly", "strong", "stad", "Elsene"),
            TieSpec("t7", "friend", "bridging", ("verbindend",), "yearly", "strong", "translokaal", "Londen",
                    state="slapend"),
            TieSpec("t8", "professional", "bridging", ("informatief",), "yearly", "strong", "buurt",
                    "Magistra-Pharma", reciprocity="receives"),
            TieSpec("t9", "shopkeeper", "bridging", ("verbindend",), "weekly", "light", "buurt", "Deli Press"),
        ),
        links=(("t2", "t3"), ("t4", "t5")),
    )  # fmt: skip
    balcony = CitizenSpec(
        reference="DEMO-CASE-4", profile="vulnerable", case="balcony", age_band="70_plus",
        situations=("wheelchair", "lives_alone", "elderly"), talents=("greeting", "listening"),
        interests=("culture",), languages=("fr", "nl"), anchor_level="stad", anchor="Helmet",
        ties=(
            TieSpec("t1", "neighbour", "bonding", ("verbindend",), "daily", "light", "buurt",
                    "Chaussée de Helmet - Helmetsesteenweg", reciprocity="gives"),
            TieSpec("t2", "neighbour", "bridging", ("verbindend", "materieel"), "weekly", "light", "buurt",
                    "Chaussée de Helmet - Helmetsesteenweg"),
            TieSpec("t3", "professional", "bridging", ("materieel", "affectief"), "daily", "strong", "buurt",
                    "Centre hospitalier Paul Brien - Verplegingscentrum Paul Brien", reciprocity="receives"),
            TieSpec("t4", "family", "bonding", ("affectief",), "weekly", "strong", "stad", "Jette"),
            TieSpec("t5", "friend", "bonding", ("affectief", "verbindend"), "monthly", "strong", "stad", "Evere",
                    intake_state="slapend"),
            TieSpec("t6", "shopkeeper", "bonding", ("verbindend",), "weekly", "light", "buurt", "La Baguette D'Or",
                    new=True),
        ),
        links=(("t1", "t2"),),
    )  # fmt: skip
    return [mother, stamcafe, commuter, balcony]


def _vulnerable_ties(rng: random.Random, quartier: str, origin: str, size: int) -> list[TieSpec]:
    """Return a small network: family first, then mostly bonding roles; few professionals."""
    roles = ["family", *rng.choices(list(VULNERABLE_ROLES), weights=list(VULNERABLE_ROLES.values()), k=size - 1)]
    return [_tie(rng, f"t{i}", role, quartier, origin, rich=False) for i, role in enumerate(roles, start=1)]


def _poverty_ties(rng: random.Random, quartier: str, origin: str) -> list[TieSpec]:
    """Return the seed's network of a person in poverty: 2 family members and 3 professionals."""
    family = [_tie(rng, f"t{i}", "family", quartier, origin, rich=False) for i in (1, 2)]
    pools = QUARTIERS[quartier]
    professionals = [
        TieSpec("t3", "social_worker", "linking", ("informatief", "materieel"), "monthly", "strong", "buurt",
                SOCIAL_SERVICES[0], reciprocity="receives"),
        TieSpec("t4", "professional", "bridging", ("materieel",), "weekly", "strong", "buurt", SOCIAL_SERVICES[1],
                reciprocity="receives"),
        TieSpec("t5", "professional", "bridging", ("informatief", "affectief"), "monthly", "strong", "buurt",
                rng.choice(pools["care"]), reciprocity="receives"),
    ]  # fmt: skip
    return family + professionals


def _middle_ties(rng: random.Random, quartier: str, origin: str) -> list[TieSpec]:
    """Return a network of 9 to 13 members, more varied than a vulnerable one."""
    roles = ["family", "family", "friend", "friend", "colleague", "neighbour", "professional"]
    roles += rng.choices(["family", "friend", "acquaintance", "neighbour", "fellow_member"], k=rng.randint(2, 6))
    return [_tie(rng, f"t{i}", role, quartier, origin, rich=True) for i, role in enumerate(roles, start=1)]


def _rich_ties(rng: random.Random, quartier: str, origin: str) -> list[TieSpec]:
    """Return the seed's rich network: 12 family (one a partner), 13 friends and 5 professionals, all functions."""
    roles = ["partner", *["family"] * 11, *["friend"] * 13, *["professional"] * 5]
    ties = [_tie(rng, f"t{i}", role, quartier, origin, rich=True) for i, role in enumerate(roles, start=1)]
    # frequent contacts: four in five family members and friends daily or weekly
    rhythm = ("daily", "weekly", "weekly", "weekly", "monthly")
    ties = [
        replace(t, frequency=rhythm[i % len(rhythm)]) if t.role != "professional" else t for i, t in enumerate(ties)
    ]
    # each function is filled by its own people: rotate a main function over the network
    for i, function in enumerate(("materieel", "affectief", "informatief", "verbindend")):
        for j in range(i, len(ties), 4):
            ties[j] = replace(ties[j], functions=tuple(f for f in FUNCTIONS if f in {function, *ties[j].functions[:1]}))
    return ties


def _tie(rng: random.Random, ref: str, role: str, quartier: str, origin: str, *, rich: bool) -> TieSpec:
    """Return one generated tie of `role`: capital, functions, contact, state and place follow the role."""
    pools = QUARTIERS[quartier]
    places, _ = ORIGINS[origin]
    chance = rng.random
    state, influence = "active", "positive"
    reciprocity = rng.choices(["both", "receives", "gives"], weights=[0.7, 0.2, 0.1] if rich else [0.5, 0.38, 0.12])[0]
    if role in ("family", "partner"):
        capital, strength = "bonding", "strong"
        functions = rng.choice(
            [("affectief",), ("materieel", "affectief"), ("affectief", "verbindend"), ("materieel",)]
        )
        frequency = rng.choice(["daily", "weekly", "weekly", "monthly"])
        level = rng.choices(
            ["buurt", "stad", "translokaal"], weights=[0.25, 0.35, 0.4] if origin != "BE" else [0.3, 0.5, 0.2]
        )[0]
        place = {"buurt": rng.choice(pools["street"]), "stad": rng.choice(MUNICIPALITIES_ELSEWHERE),
                 "translokaal": rng.choice(places if chance() < 0.75 else DIASPORA)}[level]  # fmt: skip
        if chance() < 0.12:
            state, influence = "breuklijn", rng.choice(["negative", "mixed"])
        elif chance() < 0.15:
            state = "slapend"
        elif chance() < 0.1:
            influence = "mixed"
    elif role == "friend":
        capital = "bridging" if chance() < (0.4 if rich else 0.15) else "bonding"
        strength = "strong" if chance() < 0.75 else "light"
        functions = rng.choice(
            [("verbindend",), ("affectief", "verbindend"), ("affectief",), ("informatief", "verbindend")]
        )
        frequency = rng.choice(["daily", "weekly", "weekly", "monthly"])
        level = rng.choices(["buurt", "stad", "translokaal"], weights=[0.55, 0.3, 0.15])[0]
        place = {"buurt": rng.choice(pools["cafe"] + pools["park"]), "stad": rng.choice(MUNICIPALITIES_ELSEWHERE),
                 "translokaal": rng.choice(DIASPORA)}[level]  # fmt: skip
        if chance() < 0.15:
            state = "slapend"
        elif chance() < 0.08:
            influence = "negative"
    elif role == "neighbour":
        capital = "bridging" if chance() < 0.2 else "bonding"
        strength = "light" if chance() < 0.6 else "strong"
        functions = rng.choice([("verbindend",), ("materieel",), ("materieel", "verbindend")])
        frequency, level, place = rng.choice(["daily", "weekly"]), "buurt", rng.choice(pools["street"])
    elif role == "acquaintance":
        capital = "bridging" if chance() < 0.4 else "bonding"
        strength, functions = "light", ("verbindend",)
        frequency, level = rng.choice(["daily", "weekly"]), "buurt"
        place = rng.choice(MEETING_POINTS + pools["cafe"])
        if chance() < 0.1:
            influence = "mixed"
    elif role in ("professional", "social_worker"):
        capital = "linking" if role == "social_worker" or chance() < 0.15 else "bridging"
        strength, reciprocity = "strong", "receives"
        functions = rng.choice(
            [("informatief",), ("informatief", "materieel"), ("materieel",), ("affectief", "informatief")]
        )
        frequency, level = rng.choice(["weekly", "monthly", "monthly", "yearly"]), "buurt"
        place = SOCIAL_SERVICES[0] if role == "social_worker" else rng.choice(pools["care"])
    elif role == "colleague":
        capital = "bridging" if chance() < 0.5 else "bonding"
        strength, functions = (
            rng.choice(["strong", "light"]),
            rng.choice([("informatief",), ("verbindend", "informatief")]),
        )
        frequency, level, place = rng.choice(["daily", "weekly"]), "stad", rng.choice(WORK_PLACES)
    elif role == "fellow_member":
        capital, strength, functions = "bonding", rng.choice(["strong", "light"]), ("verbindend",)
        frequency, level, place = "weekly", "buurt", rng.choice(pools["worship"])
    else:  # shopkeeper, cafe_owner
        capital = "bridging" if chance() < 0.4 else "bonding"
        strength, functions = "light", rng.choice([("verbindend",), ("informatief", "verbindend")])
        frequency, level = rng.choice(["daily", "weekly"]), "buurt"
        place = rng.choice(pools["shop"] if role == "shopkeeper" else pools["cafe"])
    return TieSpec(ref, role, capital, tuple(functions), frequency, strength, level, place, state=state,
                   influence=influence, reciprocity=reciprocity)  # fmt: skip


def _situations(rng: random.Random, profile: str, origin: str) -> tuple[str, ...]:
    """Return situation tags that fit the profile."""
    if profile == "rich":
        return ()
    pool = ["lives_alone", "single_parent", "caregiver", "elderly", "job_seeker"]
    tags = set(rng.sample(pool, rng.randint(0, 2)))
    if profile == "poverty":
        tags.add("low_income")
    if origin != "BE" and rng.random() < 0.5:
        tags.update({"newcomer", "learning_dutch"} if rng.random() < 0.5 else {"learning_dutch"})
    return tuple(sorted(tags))


def _talents(rng: random.Random, quartier: str, quota: dict[str, dict[str, int]]) -> tuple[str, ...]:
    """Return talents: those a need near the quartier asks for (its first TALENTED citizens), then maybe another."""
    talents: list[str] = []
    for talent, given in quota.get(quartier, {}).items():
        if given < TALENTED:
            quota[quartier][talent] += 1
            talents.append(talent)
    if rng.random() < 0.5:
        talents.append(rng.choice(OTHER_TALENTS))
    return tuple(dict.fromkeys(talents))


def _languages(rng: random.Random, origin: str) -> tuple[str, ...]:
    """Return the languages of a citizen of this origin, sometimes with Dutch or French learnt here."""
    _, spoken = ORIGINS[origin]
    extra = [lang for lang in ("fr", "nl") if lang not in spoken and rng.random() < 0.4]
    return tuple(dict.fromkeys([*spoken, *extra]))


def _links(rng: random.Random, ties: Sequence[TieSpec]) -> tuple[tuple[str, str], ...]:
    """Return who knows whom: family members know each other, and so do people met at the same place."""
    family = [t.ref for t in ties if t.role in ("family", "partner")][:5]
    pairs = {(a, b) for i, a in enumerate(family) for b in family[i + 1 :] if rng.random() < 0.6}
    by_place: dict[str, list[str]] = {}
    for t in ties:
        by_place.setdefault(t.place, []).append(t.ref)
    for refs in by_place.values():
        pairs.update((a, b) for i, a in enumerate(refs) for b in refs[i + 1 :] if (a, b) not in pairs)
    return tuple(sorted(pairs))


def _with_versions(rng: random.Random, specs: list[CitizenSpec]) -> list[CitizenSpec]:
    """Return the specs with an intake and a later version for the named cases and 7 others (reactivated, added)."""
    generated = [i for i, s in enumerate(specs) if not s.case and s.profile != "rich"]
    chosen = set(rng.sample(generated, 7)) | {
        i for i, s in enumerate(specs) if s.case in ("newcomer_mother", "stamcafe", "balcony")
    }
    out = []
    for i, spec in enumerate(specs):
        if i not in chosen:
            out.append(spec)
            continue
        intake = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 120))
        review = intake + timedelta(days=rng.randrange(90, 180))
        ties = list(spec.ties)
        if not spec.case:
            active = [j for j, t in enumerate(ties) if t.state == "active" and t.role in ("family", "friend")]
            if active:
                j = rng.choice(active)
                ties[j] = replace(ties[j], intake_state="slapend")
            ties.append(
                TieSpec(f"t{len(ties) + 1}", "volunteer", "bridging", ("verbindend", "informatief"), "weekly", "light",
                        "buurt", rng.choice(["Gemeenschapscentrum De Kriekelaar", "Parc Josaphat - Josaphatpark"]),
                        new=True)
            )  # fmt: skip
        out.append(replace(spec, ties=tuple(ties), intake=intake, review=review))
    return out


# --- placing it on an area ---


def plan_demo(area: Area, *, specs: Sequence[CitizenSpec] | None = None) -> DemoPlan:
    """Return the demo resolved on `area` through the gazetteer; raise GazetteerError if a place is not in the area."""
    specs = citizen_specs() if specs is None else specs
    items = [(spec, gz.resolve("buurt", spec.place, area=area)) for spec in item_specs()]
    frame = pending_items(items)
    citizens = []
    for spec in specs:
        anchor = gz.resolve(spec.anchor_level, spec.anchor, area=area, items=frame)
        ties = {t.ref: gz.resolve(t.level, t.place, area=area, items=frame) for t in spec.ties}
        citizens.append((spec, anchor, ties))
    return DemoPlan(items=tuple(items), citizens=tuple(citizens))


def pending_items(items: Sequence[tuple[ItemSpec, Location]]) -> gpd.GeoDataFrame:
    """Return the demo items as `vindplaatsen.list_items` would, with provisional ids (for the gazetteer)."""
    return gpd.GeoDataFrame(
        {
            "id": [f"{_PENDING}{i}" for i in range(len(items))],
            "layer": [spec.layer for spec, _ in items],
            "name": [spec.name for spec, _ in items],
            "lon": [loc.lon for _, loc in items],
            "lat": [loc.lat for _, loc in items],
        },
        geometry=gpd.points_from_xy([loc.lon for _, loc in items], [loc.lat for _, loc in items]),
        crs=vp.CRS,
    )


def load_demo(store: Store, *, area: Area) -> str:
    """Store the demo organisation, its map and its citizens (replacing its earlier demo citizens); return its id.

    Every place is resolved first, so an area without the demo's places raises GazetteerError before anything is
    written. Loading twice gives the same demo: items are reused by name, citizens replaced.
    """
    plan = plan_demo(area)
    org = organisations.ensure(store, DEMO_ORGANISATION)
    for citizen_id in cz.list_citizens(store, org, demo=True)["citizen_id"]:
        cz.erase_citizen(store, org, citizen_id)
    ids = _store_items(store, org, plan.items, area)
    quartiers = area.quartiers if len(area.quartiers) else None
    for spec, anchor, locations in plan.citizens:
        placed = {ref: _real(loc, ids) for ref, loc in locations.items()}
        _store_citizen(store, org, spec, _real(anchor, ids), placed, quartiers, area)
    return org


def demo_organisation(store: Store, *, area: Area) -> str:
    """Return the id of the demo organisation, loading the demo first when it has no demo citizens."""
    org = organisations.find(store, DEMO_ORGANISATION)
    if org is None or demo_citizen_count(store) == 0:
        org = load_demo(store, area=area)
    return org


def demo_actor(actor: Actor, demo_organisation_id: str) -> Actor:
    """Return the signed-in `actor` acting in the demo organisation: their own user id, at most a worker's role.

    The demo is reachable at any time by every signed-in user: the audit log names them; no export, erasure or
    user management in it; never another organisation's data.
    """
    role = "viewer" if actor.role == "viewer" else "worker"
    return Actor(user_id=actor.user_id, username=actor.username, organisation_id=demo_organisation_id, role=role)


def demo_citizen_count(store: Store) -> int:
    """Return how many demo citizens the demo organisation has in `store` (0 when the demo is not loaded)."""
    org = organisations.find(store, DEMO_ORGANISATION)
    return 0 if org is None else len(cz.list_citizens(store, org, demo=True))


def _store_items(
    store: Store, org: str, items: Sequence[tuple[ItemSpec, Location]], area: Area
) -> dict[str, tuple[str, float, float]]:
    """Add the demo items that the organisation's map lacks; return provisional id -> (stored id, lon, lat)."""
    existing = vp.list_items(store, org)
    by_name = {
        (row.layer, vp.fold_name(row.name)): (row.id, row.geometry.x, row.geometry.y) for row in existing.itertuples()
    }
    ids: dict[str, tuple[str, float, float]] = {}
    for i, (spec, loc) in enumerate(items):
        key = (spec.layer, vp.fold_name(spec.name))
        if key not in by_name:
            item = vp.add(
                store, org, user=DEMO_USER, layer=spec.layer, name=spec.name, kind=spec.kind, lon=loc.lon,
                lat=loc.lat, bounds=area.boundary, target_groups=spec.target_groups, languages=spec.languages,
                actor=spec.actor, formal=spec.formal, notes=spec.notes,
                osm_place_id=loc.place_ref if loc.place_kind == "place" and _same_name(spec.name, loc.label) else None,
            )  # fmt: skip
            by_name[key] = (item.id, item.lon, item.lat)
        ids[f"{_PENDING}{i}"] = by_name[key]
    return ids


def _same_name(a: str, b: str) -> bool:
    """Return True when two names are the same, ignoring case, accents and punctuation."""
    return gz.fold(a) == gz.fold(b)


def _real(location: Location, ids: dict[str, tuple[str, float, float]]) -> Location:
    """Return a Location at a stored demo item (its id and position) in place of the provisional one."""
    if location.place_ref not in ids:
        return location
    item_id, lon, lat = ids[location.place_ref]
    return replace(location, place_ref=item_id, lon=float(lon), lat=float(lat))


def _store_citizen(
    store: Store,
    org: str,
    spec: CitizenSpec,
    anchor: Location,
    places: dict[str, Location],
    quartiers: gpd.GeoDataFrame | None,
    area: Area,
) -> str:
    """Store one demo citizen with its ties and links; with an intake date, first as it was then, then as it is."""
    citizen = cz.create_citizen(
        store, org, reference=spec.reference, age_band=spec.age_band, situations=spec.situations,
        talents=spec.talents, interests=spec.interests, languages=spec.languages, anchor=anchor, demo=True,
        quartiers=quartiers, area=area,
    )  # fmt: skip
    cid = citizen.citizen_id
    first = spec.intake_ties() if spec.intake else spec.ties
    stored = cz.add_ties(store, org, cid, [_row(t, places[t.ref]) for t in first], area=area)
    tie_ids = {t.ref: s.tie_id for t, s in zip(first, stored, strict=True)}
    cz.set_links(store, org, cid, _pairs(spec.links, tie_ids))
    if spec.intake is None or spec.review is None:
        return cid
    cz.save_version(store, org, cid, on=spec.intake, label=INTAKE_LABEL)
    for tie in spec.ties:
        if not tie.new and tie.intake_state and tie.intake_state != tie.state:
            cz.update_tie(store, org, tie_ids[tie.ref], state=tie.state)
    added = [t for t in spec.ties if t.new]
    for t, s in zip(added, cz.add_ties(store, org, cid, [_row(t, places[t.ref]) for t in added], area=area), strict=True):
        tie_ids[t.ref] = s.tie_id
    cz.set_links(store, org, cid, _pairs(spec.links, tie_ids))
    cz.save_version(store, org, cid, on=spec.review, label=REVIEW_LABEL)
    return cid


def _row(tie: TieSpec, location: Location) -> dict[str, object]:
    """Return the `citizens.add_ties` row of a tie spec placed at `location`."""
    return {
        "role": tie.role, "capital": tie.capital, "functions": list(tie.functions), "frequency": tie.frequency,
        "strength": tie.strength, "state": tie.state, "influence": tie.influence, "reciprocity": tie.reciprocity,
        "location": location,
    }  # fmt: skip


def _pairs(links: Sequence[tuple[str, str]], tie_ids: dict[str, str]) -> list[tuple[str, str]]:
    """Return the links whose two ties are stored, as pairs of tie ids."""
    return [(tie_ids[a], tie_ids[b]) for a, b in links if a in tie_ids and b in tie_ids]


def spec_frame(specs: Sequence[CitizenSpec]) -> pd.DataFrame:
    """Return one row per tie of the specs (reference, profile, case and the tie's fields), for statistics."""
    rows = [
        {"reference": s.reference, "profile": s.profile, "case": s.case, "vulnerable": s.vulnerable,
         **{f: getattr(t, f) for f in TieSpec.__dataclass_fields__}}
        for s in specs
        for t in s.ties
    ]  # fmt: skip
    return pd.DataFrame(rows)
