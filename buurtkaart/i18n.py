"""The one translation table of the user interface: Dutch first, French and English."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {"nl": "Nederlands", "fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "nl"

# key -> (nl, fr, en). Domain words keep their Dutch names where DOMAIN.md defines them.
TABLE: dict[str, tuple[str, str, str]] = {
    # categories of social places
    "category.meeting": ("Ontmoetingsplek en buurthuis", "Lieu de rencontre et maison de quartier", "Meeting place and community centre"),
    "category.cafe": ("Café, theehuis en eethuis", "Café, salon de thé et snack", "Café, tea house and eatery"),
    "category.worship": ("Gebedshuis", "Lieu de culte", "Place of worship"),
    "category.park": ("Park en groen", "Parc et espace vert", "Park and green space"),
    "category.playground": ("Speelplein", "Plaine de jeux", "Playground"),
    "category.sport": ("Sport", "Sport", "Sport"),
    "category.learning": ("Bibliotheek en leren", "Bibliothèque et apprentissage", "Library and learning"),
    "category.care": ("Zorg en welzijn", "Soins et services sociaux", "Care and social services"),
    "category.market": ("Markt en winkels", "Marché et commerces", "Market and shops"),
    "category.culture": ("Cultuur", "Culture", "Culture"),
    "category.public": ("Openbare diensten", "Services publics", "Public services"),
    "category.other": ("Andere", "Autre", "Other"),
    # app and navigation
    "app.title": ("Buurtkaart", "Buurtkaart", "Buurtkaart"),
    "app.tagline": (
        "Waar mensen elkaar ontmoeten in de buurt",
        "Où les gens se rencontrent dans le quartier",
        "Where people meet in the neighbourhood",
    ),
    "app.language": ("Taal", "Langue", "Language"),
    "page.map": ("Kaart", "Carte", "Map"),
    "page.data": ("Gebied laden", "Charger une zone", "Load an area"),
    # map page
    "map.area": ("Gebied", "Zone", "Area"),
    "map.scope.commune": ("Schaarbeek (gemeente)", "Schaerbeek (commune)", "Schaerbeek (municipality)"),
    "map.scope.region": ("Heel Brussel (gewest)", "Toute la Région bruxelloise", "All of Brussels (region)"),
    "map.scope.loaded": ("Geladen gebied", "Zone chargée", "Loaded area"),
    "map.quartier": ("Wijk", "Quartier", "Neighbourhood"),
    "map.quartier.all": ("— hele gebied —", "— toute la zone —", "— whole area —"),
    "map.search": ("Zoek een plek op naam", "Chercher un lieu par nom", "Search a place by name"),
    "map.search.none": ("Geen plek gevonden met “{query}”.", "Aucun lieu trouvé pour « {query} ».", "No place found for “{query}”."),
    "map.search.found": ("{n} plekken gevonden", "{n} lieux trouvés", "{n} places found"),
    "map.search.pick": ("Toon op de kaart", "Montrer sur la carte", "Show on the map"),
    "map.categories": ("Soorten plekken", "Types de lieux", "Kinds of places"),
    "map.tiles": ("OSM-achtergrondkaart (internet nodig)", "Fond de carte OSM (internet requis)", "OSM background map (needs internet)"),
    "map.tiles.help": (
        "Standaard tekent Buurtkaart de straten uit de eigen gegevens, zonder internet. De OSM-achtergrond vraagt kaarttegels aan openstreetmap.org.",
        "Par défaut, Buurtkaart dessine les rues à partir de ses propres données, sans internet. Le fond OSM demande des tuiles à openstreetmap.org.",
        "By default Buurtkaart draws the streets from its own data, with no internet. The OSM background requests map tiles from openstreetmap.org.",
    ),
    "map.streets": ("Straten", "Rues", "Streets"),
    "map.green": ("Groen", "Espaces verts", "Green spaces"),
    "map.quartiers": ("Wijken", "Quartiers", "Neighbourhoods"),
    "map.count": ("{n} plekken op de kaart", "{n} lieux sur la carte", "{n} places on the map"),
    "map.streets.note": (
        "Het stratennet bevat alleen straten met een naam: voetpaden en doorsteekjes ontbreken, dus echte wandelafstanden kunnen korter zijn.",
        "Le réseau ne contient que les rues nommées : sentiers et raccourcis manquent, les distances réelles à pied peuvent être plus courtes.",
        "The street network holds named streets only: footpaths and shortcuts are missing, so real walking distances may be shorter.",
    ),
    "map.attribution": ("© OpenStreetMap-bijdragers (ODbL)", "© contributeurs OpenStreetMap (ODbL)", "© OpenStreetMap contributors (ODbL)"),
    "map.legend": ("Legende", "Légende", "Legend"),
    "map.loading": ("Kaart wordt opgebouwd…", "Construction de la carte…", "Building the map…"),
    # place details (popup)
    "place.name": ("Naam", "Nom", "Name"),
    "place.unnamed": ("(zonder naam)", "(sans nom)", "(unnamed)"),
    "place.category": ("Soort", "Type", "Kind"),
    "place.tag": ("OSM-label", "Étiquette OSM", "OSM tag"),
    "place.religion": ("Religie", "Religion", "Religion"),
    "place.opening_hours": ("Openingsuren", "Heures d'ouverture", "Opening hours"),
    "place.wheelchair": ("Rolstoeltoegankelijk", "Accessible en fauteuil roulant", "Wheelchair access"),
    "place.address": ("Adres", "Adresse", "Address"),
    "wheelchair.yes": ("ja", "oui", "yes"),
    "wheelchair.no": ("nee", "non", "no"),
    "wheelchair.limited": ("beperkt", "limité", "limited"),
    # loading areas
    "load.current": ("Huidig gebied: {name} — {places} plekken, {km} km straten", "Zone actuelle : {name} — {places} lieux, {km} km de rues", "Current area: {name} — {places} places, {km} km of streets"),
    "load.embedded": ("Ingebouwd Brussel", "Bruxelles intégré", "Embedded Brussels"),
    "load.embedded.button": ("Terug naar de ingebouwde Brusselse gegevens", "Revenir aux données bruxelloises intégrées", "Back to the embedded Brussels data"),
    "load.file": ("OSM-bestand", "Fichier OSM", "OSM file"),
    "load.file.help": (
        "Een uittreksel van OpenStreetMap: .osm, .osm.bz2 of .osm.pbf (bv. van een collega of een downloadsite).",
        "Un extrait d'OpenStreetMap : .osm, .osm.bz2 ou .osm.pbf.",
        "An OpenStreetMap extract: .osm, .osm.bz2 or .osm.pbf.",
    ),
    "load.file.button": ("Bestand laden", "Charger le fichier", "Load the file"),
    "load.online": ("Van OpenStreetMap (internet)", "Depuis OpenStreetMap (internet)", "From OpenStreetMap (internet)"),
    "load.online.place": ("Plaatsnaam (bv. Molenbeek-Saint-Jean, Belgium)", "Nom de lieu (p. ex. Molenbeek-Saint-Jean, Belgium)", "Place name (e.g. Molenbeek-Saint-Jean, Belgium)"),
    "load.online.bbox": ("of een kader: west, zuid, oost, noord (graden)", "ou un cadre : ouest, sud, est, nord (degrés)", "or a box: west, south, east, north (degrees)"),
    "load.online.button": ("Ophalen", "Télécharger", "Fetch"),
    "load.bbox.embedded": ("Kader uit de ingebouwde Brusselse gegevens", "Cadre dans les données bruxelloises intégrées", "Box from the embedded Brussels data"),
    "load.bbox.button": ("Kader tonen", "Afficher le cadre", "Show the box"),
    "load.busy": ("Bezig met laden…", "Chargement…", "Loading…"),
    "load.ok": ("Geladen: {name} — {places} plekken, {km} km straten.", "Chargé : {name} — {places} lieux, {km} km de rues.", "Loaded: {name} — {places} places, {km} km of streets."),
    "load.kept": ("De vorige gegevens blijven behouden.", "Les données précédentes sont conservées.", "The previous data is kept."),
    # errors (plain language, with what to do next)
    "error.empty_file": (
        "Het bestand is leeg. Kies een OSM-uittreksel (.osm, .osm.bz2 of .osm.pbf).",
        "Le fichier est vide. Choisissez un extrait OSM (.osm, .osm.bz2 ou .osm.pbf).",
        "The file is empty. Choose an OSM extract (.osm, .osm.bz2 or .osm.pbf).",
    ),
    "error.file_type": (
        "Dit bestandstype kan Buurtkaart niet lezen ({name}). Kies een .osm-, .osm.bz2- of .osm.pbf-bestand.",
        "Buurtkaart ne peut pas lire ce type de fichier ({name}). Choisissez un fichier .osm, .osm.bz2 ou .osm.pbf.",
        "Buurtkaart cannot read this kind of file ({name}). Choose a .osm, .osm.bz2 or .osm.pbf file.",
    ),
    "error.not_osm": (
        "Dit is geen leesbaar OpenStreetMap-bestand ({detail}). Controleer of het een volledig OSM-uittreksel is.",
        "Ce n'est pas un fichier OpenStreetMap lisible ({detail}). Vérifiez qu'il s'agit d'un extrait OSM complet.",
        "This is not a readable OpenStreetMap file ({detail}). Check that it is a complete OSM extract.",
    ),
    "error.too_large": (
        "Het bestand is te groot ({size} MB; maximum {limit} MB). Neem een kleiner uittreksel, bv. één gemeente.",
        "Le fichier est trop grand ({size} Mo ; maximum {limit} Mo). Prenez un extrait plus petit, p. ex. une commune.",
        "The file is too large ({size} MB; at most {limit} MB). Take a smaller extract, e.g. one municipality.",
    ),
    "error.no_streets": (
        "Er staan geen straten in dit uittreksel, dus er kan geen wandelnet gemaakt worden. Neem een uittreksel met wegen (highway).",
        "Cet extrait ne contient aucune rue : impossible de créer un réseau piéton. Prenez un extrait avec des routes (highway).",
        "This extract has no streets, so no walking network can be built. Take an extract with roads (highway).",
    ),
    "error.offline": (
        "Geen internetverbinding met OpenStreetMap. Werk verder met de ingebouwde Brusselse gegevens of laad een OSM-bestand.",
        "Pas de connexion internet vers OpenStreetMap. Continuez avec les données bruxelloises intégrées ou chargez un fichier OSM.",
        "No internet connection to OpenStreetMap. Carry on with the embedded Brussels data or load an OSM file.",
    ),
    "error.bbox_invalid": (
        "Het kader is ongeldig: {detail}. Geef west, zuid, oost, noord in graden, bv. 4.36, 50.85, 4.40, 50.87.",
        "Le cadre n'est pas valide : {detail}. Donnez ouest, sud, est, nord en degrés, p. ex. 4.36, 50.85, 4.40, 50.87.",
        "The box is not valid: {detail}. Give west, south, east, north in degrees, e.g. 4.36, 50.85, 4.40, 50.87.",
    ),
    "error.bbox_outside": (
        "Dit kader ligt buiten Brussel, dus de ingebouwde gegevens hebben er niets. Haal het gebied op van OpenStreetMap (internet nodig) of laad een OSM-bestand.",
        "Ce cadre est hors de Bruxelles : les données intégrées n'y ont rien. Téléchargez la zone depuis OpenStreetMap (internet requis) ou chargez un fichier OSM.",
        "This box lies outside Brussels, so the embedded data has nothing there. Fetch the area from OpenStreetMap (needs internet) or load an OSM file.",
    ),
    "error.place_unknown": (
        "OpenStreetMap kent de plaats “{name}” niet. Controleer de spelling of geef een kader.",
        "OpenStreetMap ne connaît pas le lieu « {name} ». Vérifiez l'orthographe ou donnez un cadre.",
        "OpenStreetMap does not know the place “{name}”. Check the spelling or give a box.",
    ),
    "error.online_failed": (
        "OpenStreetMap gaf geen antwoord ({detail}). Probeer later opnieuw of laad een OSM-bestand.",
        "OpenStreetMap n'a pas répondu ({detail}). Réessayez plus tard ou chargez un fichier OSM.",
        "OpenStreetMap gave no answer ({detail}). Try again later or load an OSM file.",
    ),
}

_INDEX = {code: i for i, code in enumerate(LANGUAGES)}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return the text for `key` in `lang`, with `{placeholders}` filled from `values`."""
    row = TABLE.get(key)
    if row is None:
        return key
    text = row[_INDEX.get(lang, 0)]
    return text.format(**values) if values else text


def category_label(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a place category in `lang`."""
    return t(f"category.{key}", lang)
