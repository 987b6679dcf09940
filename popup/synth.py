"""Synthetic communes and units for load tests (``flask popup synth``).

Two halves:

- **Generation** is pure: plain values in, plain values out, no Flask and no
  database. With the same town, seed, numbers and ``today`` it always gives the
  same streets, units and histories. Each synthetic commune is a real Belgian
  town centre (approximate coordinates) with a square-ish boundary of about
  4 km, one to three commercial cores around the centre and a street network
  drawn as random walks with gentle turns: main roads radiate from the centre
  towards the neighbouring towns, side streets branch off them, more of them
  near the centre. Units stand along both sides of the streets, 8 to 15 m
  apart, odd numbers on one side and even on the other, thinning out away from
  the centre.
- **Loading** writes them fast: SQLAlchemy Core ``executemany`` inserts in
  batches, the geometry sent as an EWKT string that the column's own
  ``ST_GeomFromEWKT`` reads: the same on SpatiaLite and PostGIS, as fast as
  ``ST_GeomFromText`` and 10 to 30 % faster than ``geo.point()`` WKB elements,
  which GeoAlchemy2 turns back into text through shapely (measured:
  ``bench/RESULTS.md``). The status history goes in bulk too,
  after reading the batch's new ids back. On SpatiaLite the R*Tree of
  ``units.location`` stays maintained by its triggers, so the API's index
  lookups see every unit.

Unit number ``n`` of a town always takes the ``n``-th place of that town's
street network, so running the command again with the same seed adds units on
new places, with external ids ``SYN-<town>-<n>`` that go on where the last run
stopped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from time import perf_counter
from typing import NamedTuple

from popup.domain.money import allocate

SRID = 4326
METRES_PER_DEGREE = 111_320.0
HALF_SIDE_M = 2_000.0  # the boundary is a square of at least 4 km around the centre
STREET_LIMIT_M = 1_900.0  # streets stay inside this square, units within ~10 m of them
STEP_M = 20.0  # length of one segment of a street's random walk
FIRST_SIDE_STREETS = 30
SIDE_STREETS_PER_GENERATION = 40
MAX_UNITS = 10_000_000
DEFAULT_UNITS_PER_COMMUNE = 2_000

# -- towns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Town:
    key: str
    name: str
    postcode: str
    lon: float
    lat: float
    language: str  # "fr" or "nl": language of the street names
    population_k: int  # thousands of inhabitants, for the share of the units
    other_name: str = ""  # exonym in the other language ("Grammont" for Geraardsbergen)
    languages: str = ""  # languages of the commune's pages when not just `language`

    @property
    def slug(self) -> str:
        return f"synth-{self.key}"

    @property
    def commune_name(self) -> str:
        return f"{self.name} (synthetic)"

    @property
    def external_prefix(self) -> str:
        return f"SYN-{self.key}-"


# Approximate centres (the main square or the historic centre), WGS84.
TOWNS: tuple[Town, ...] = (
    Town("lessines", "Lessines", "7860", 3.8357, 50.7117, "fr", 19, "Lessen"),
    Town("ath", "Ath", "7800", 3.7777, 50.6297, "fr", 30, "Aat"),
    Town("enghien", "Enghien", "7850", 4.0401, 50.6944, "fr", 14, "Edingen", "fr,nl"),
    Town("ronse", "Ronse", "9600", 3.6003, 50.7457, "nl", 27, "Renaix", "nl,fr"),
    Town("geraardsbergen", "Geraardsbergen", "9500", 3.8818, 50.7733, "nl", 34, "Grammont"),
    Town("tournai", "Tournai", "7500", 3.3879, 50.6065, "fr", 69, "Doornik"),
    Town("mons", "Mons", "7000", 3.9518, 50.4542, "fr", 96, "Bergen"),
    Town("la-louviere", "La Louvière", "7100", 4.1875, 50.4786, "fr", 81),
    Town("charleroi", "Charleroi", "6000", 4.4440, 50.4114, "fr", 203),
    Town("namur", "Namur", "5000", 4.8662, 50.4636, "fr", 113, "Namen"),
    Town("dinant", "Dinant", "5500", 4.9125, 50.2606, "fr", 14),
    Town("liege", "Liège", "4000", 5.5734, 50.6455, "fr", 197, "Luik"),
    Town("verviers", "Verviers", "4800", 5.8645, 50.5905, "fr", 55),
    Town("arlon", "Arlon", "6700", 5.8161, 49.6834, "fr", 31, "Aarlen"),
    Town("wavre", "Wavre", "1300", 4.6079, 50.7171, "fr", 35, "Waver"),
    Town("nivelles", "Nivelles", "1400", 4.3246, 50.5983, "fr", 29, "Nijvel"),
    Town("leuven", "Leuven", "3000", 4.7010, 50.8789, "nl", 103, "Louvain"),
    Town("mechelen", "Mechelen", "2800", 4.4794, 51.0281, "nl", 88, "Malines"),
    Town("aalst", "Aalst", "9300", 4.0400, 50.9380, "nl", 90, "Alost"),
    Town("gent", "Gent", "9000", 3.7250, 51.0543, "nl", 267, "Gand"),
    Town("brugge", "Brugge", "8000", 3.2247, 51.2088, "nl", 119, "Bruges"),
    Town("kortrijk", "Kortrijk", "8500", 3.2650, 50.8279, "nl", 79, "Courtrai"),
    Town("hasselt", "Hasselt", "3500", 5.3378, 50.9307, "nl", 80),
    Town("sint-niklaas", "Sint-Niklaas", "9100", 4.1434, 51.1657, "nl", 81, "Saint-Nicolas"),
    Town("turnhout", "Turnhout", "2300", 4.9484, 51.3227, "nl", 46),
)
BRUSSELS = Town("brussels", "Bruxelles", "1000", 4.3517, 50.8467, "fr", 1200, "Brussel")


class SynthError(ValueError):
    """Input the generator cannot work with; the message is for the user."""


def town_by_key(key: str) -> Town:
    for town in TOWNS:
        if town.key == key:
            return town
    raise SynthError(f"unknown town {key!r}")


def default_commune_count(n_units: int) -> int:
    """Communes used when none is asked for: about 2,000 units each, at most all towns."""
    return max(1, min(len(TOWNS), math.ceil(n_units / DEFAULT_UNITS_PER_COMMUNE)))


def plan(n_units: int, n_communes: int | None = None) -> list[tuple[Town, int]]:
    """How many units go to each town: the first ``n_communes`` towns, shared by size.

    Bigger towns get more units (by the square root of their population).
    Raises SynthError on input that cannot make anything.
    """
    if n_units < 1:
        raise SynthError(f"--units must be at least 1 (got {n_units}).")
    if n_units > MAX_UNITS:
        raise SynthError(f"--units must be at most {MAX_UNITS:,} (got {n_units:,}).")
    if n_communes is None:
        n_communes = default_commune_count(n_units)
    if not 1 <= n_communes <= len(TOWNS):
        raise SynthError(
            f"--communes must be between 1 and {len(TOWNS)}, the number of built-in towns (got {n_communes})."
        )
    if n_communes > n_units:
        raise SynthError(f"--communes ({n_communes}) cannot exceed --units ({n_units}): each commune gets a unit.")
    towns = TOWNS[:n_communes]
    weights = [round(100 * math.sqrt(t.population_k)) for t in towns]
    counts = allocate(n_units - n_communes, weights)
    return [(town, count + 1) for town, count in zip(towns, counts, strict=True)]


# -- local metric frame ----------------------------------------------------------


class Frame:
    """Metres east/north of a town centre <-> longitude/latitude (fine over a few km)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.lon0 = lon
        self.lat0 = lat
        self.m_per_deg_lon = METRES_PER_DEGREE * math.cos(math.radians(lat))

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (self.lon0 + x / self.m_per_deg_lon, self.lat0 + y / METRES_PER_DEGREE)


def _bearing(a: Town, b: Town) -> float:
    """Direction from a to b as an angle in radians (0 = east, counter-clockwise)."""
    dx = (b.lon - a.lon) * math.cos(math.radians(a.lat))
    dy = b.lat - a.lat
    return math.atan2(dy, dx)


def _distance_deg(a: Town, b: Town) -> float:
    return math.hypot((b.lon - a.lon) * math.cos(math.radians(a.lat)), b.lat - a.lat)


def _rng(*parts: object) -> random.Random:
    # Synthetic data, not security: a seeded, reproducible generator is the point.
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311


# -- shapes of the commune -------------------------------------------------------


def boundary_ring(town: Town, seed: int) -> list[tuple[float, float]]:
    """A square-ish ring (lon, lat) that contains the ±2 km square around the centre.

    Corners and edge midpoints are pushed outwards by up to 300 m, never inwards,
    so every unit (within ±1.91 km) lies inside.
    """
    rng = _rng(seed, town.key, "boundary")
    frame = Frame(town.lon, town.lat)
    ring = []
    for cx, cy in ((-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0)):
        out = HALF_SIDE_M + rng.uniform(0.0, 300.0)
        x = cx * out if cx else rng.uniform(-600.0, 600.0)
        y = cy * out if cy else rng.uniform(-600.0, 600.0)
        ring.append(frame.lonlat(x, y))
    ring.append(ring[0])
    return ring


@dataclass(frozen=True)
class CoreShape:
    slug: str
    name: str
    ring: list[tuple[float, float]]  # lon, lat; closed


_CORE_NAMES = {
    "fr": [("centre", "Centre-ville"), ("gare", "Quartier de la Gare"), ("faubourg", "Faubourg")],
    "nl": [("centrum", "Centrum"), ("stationsbuurt", "Stationsbuurt"), ("voorstad", "Voorstad")],
}


def _polygon(rng: random.Random, frame: Frame, cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    ring = []
    sides = 8
    for i in range(sides):
        angle = 2 * math.pi * i / sides + rng.uniform(-0.2, 0.2)
        r = radius * rng.uniform(0.8, 1.15)
        ring.append(frame.lonlat(cx + r * math.cos(angle), cy + r * math.sin(angle)))
    ring.append(ring[0])
    return ring


def core_shapes(town: Town, seed: int) -> list[CoreShape]:
    """One to three commercial cores: the centre, and smaller ones along main roads."""
    rng = _rng(seed, town.key, "cores")
    frame = Frame(town.lon, town.lat)
    names = _CORE_NAMES[town.language]
    cores = [CoreShape(names[0][0], names[0][1], _polygon(rng, frame, 0.0, 0.0, rng.uniform(280.0, 420.0)))]
    radials = StreetNetwork(town, seed).main_roads()
    extra = rng.randint(0, 2)
    # Main roads are at least 25° apart; every other one keeps the cores apart.
    for i, road in enumerate(radials[::2][:extra], start=1):
        x, y = road.point_at(rng.uniform(750.0, 1_100.0))
        slug, name = names[i]
        cores.append(CoreShape(slug, name, _polygon(rng, frame, x, y, rng.uniform(130.0, 220.0))))
    return cores


# -- streets -----------------------------------------------------------------------

_FR_TYPES = (("Rue", 14), ("Avenue", 3), ("Place", 1), ("Chaussée", 1), ("Boulevard", 1), ("Ruelle", 1))
# fmt: off
_FR_COMPLEMENTS = (
    'de la Station', 'du Marché', 'des Écoles', "de l'Église", 'Neuve', 'Haute', 'Basse', 'du Moulin',
    'de la Gare', 'des Combattants', 'du Commerce', 'de la Paix', 'Saint-Pierre', 'Saint-Martin', 'Notre-Dame',
    'des Tanneurs', 'des Brasseurs', 'du Château', 'de la Chapelle', 'des Fossés', 'du Pont', 'de la Halle',
    'des Carmes', 'des Récollets', "de l'Industrie", 'du Collège', 'de la Croix', 'des Prés', 'des Champs',
    'du Calvaire', 'de la Fontaine', 'des Tilleuls', 'des Peupliers', 'des Hêtres', 'des Aubépines',
    'du Paradis', 'de la Victoire', 'de la Libération', 'des Déportés', "de l'Hôpital", 'du Parc',
    'des Jardins', 'de la Sucrerie', 'de la Briqueterie', 'du Canal', 'de la Dendre', 'des Bateliers',
    'des Meuniers', 'des Fripiers', 'des Orfèvres', 'des Drapiers', 'aux Laines', 'aux Fleurs', 'Victor Hugo',
    'Jules Destrée', 'Émile Vandervelde', 'Reine Astrid', 'Général Leman', 'Adolphe Max', 'Paul Janson',
    'Charles Deliège', 'Roi Baudouin', 'Princesse Clémentine', 'du Onze Novembre', 'de la Loi',
    'de la Concorde', 'du Progrès', "de l'Abbaye", 'du Béguinage', 'de la Filature', 'des Croisiers',
    'des Sœurs Noires', 'du Rivage', 'de la Tannerie', 'des Remparts', 'du Vieux Marché', 'de la Bergerie',
    'des Alliés', "de l'Yser", 'du Bois', 'des Carrières', 'des Forges', 'de la Poste', "de l'Athénée",
    'du Théâtre', 'des Arbalétriers',
)
# fmt: on
# fmt: off
_NL_STEMS = (
    'Kerk', 'Statie', 'Molen', 'Nieuw', 'Markt', 'Brouwerij', 'Kapel', 'School', 'Hoog', 'Neder', 'Beek',
    'Linden', 'Eiken', 'Berken', 'Bloemen', 'Zand', 'Veld', 'Hof', 'Kasteel', 'Vlas', 'Brug', 'Vaart', 'Dijk',
    'Poort', 'Abdij', 'Begijnhof', 'Klooster', 'Wever', 'Smid', 'Bakker', 'Brouwer', 'Koning Albert',
    'Koningin Astrid', 'Leopold', 'Vrijheid', 'Vrede', 'Hospitaal', 'Gasthuis', 'Zuster', 'Pastoor', 'Kapelle',
    'Ooster', 'Wester', 'Noord', 'Zuid', 'Lange', 'Korte', 'Hooi', 'Koren', 'Vis', 'Vlees', 'Boter', 'Kaas',
    'Lakenmakers', 'Schipper', 'Jager', 'Ridder', 'Burg', 'Wal', 'Vest', 'Hoven', 'Akker', 'Weide', 'Heide',
    'Bos', 'Berg', 'Dal', 'Meers', 'Beemd', 'Kouter', 'Steen', 'Sint-Jans', 'Sint-Pieters', 'Sint-Martens',
    'Onze-Lieve-Vrouw', 'Pater Damiaan', 'Guido Gezelle', 'Hendrik Conscience',
)
# fmt: on
_NL_SUFFIXES = (("straat", 14), ("laan", 3), ("plein", 1), ("dreef", 1), ("steeg", 1), ("weg", 1))
_ROMAN = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")


def _weighted(items: Sequence[tuple[str, int]]) -> list[str]:
    return [name for name, weight in items for _ in range(weight)]


class StreetNamer:
    """Unique street names for one town, in its language."""

    def __init__(self, town: Town, rng: random.Random) -> None:
        self.town = town
        self.rng = rng
        self.used: set[str] = set()
        if town.language == "fr":
            kinds, words = _weighted(_FR_TYPES), list(_FR_COMPLEMENTS)
            self.combos = [f"{kind} {word}" for kind in dict.fromkeys(kinds) for word in words]
            self._draw = lambda: f"{rng.choice(kinds)} {rng.choice(words)}"
        else:
            suffixes, stems = _weighted(_NL_SUFFIXES), list(_NL_STEMS)
            # "Kerkstraat", "Koning Albertlaan", "Sint-Jansplein", as Flemish names are written.
            self.combos = [f"{stem}{suffix}" for suffix in dict.fromkeys(suffixes) for stem in stems]
            self._draw = lambda: f"{rng.choice(stems)}{rng.choice(suffixes)}"
        self._fallback = 0

    def road_to(self, other: Town) -> str:
        """The main road towards another town: "Chaussée de Grammont", "Steenweg op Aalst"."""
        if self.town.language == "fr":
            target = other.name if other.language == "fr" else (other.other_name or other.name)
            article = "d'" if target[0] in "AEIOUÉÈaeiouéè" else "de "
            name = f"Chaussée {article}{target}"
        else:
            target = other.name if other.language == "nl" else (other.other_name or other.name)
            name = f"Steenweg op {target}"
        return self._claim(name)

    def next(self) -> str:
        for _ in range(20):
            name = self._draw()
            if name not in self.used:
                return self._claim(name)
        # Most names taken: go through every combination, then again with a numeral.
        while True:
            rank, index = divmod(self._fallback, len(self.combos))
            self._fallback += 1
            name = self.combos[index] + _ROMAN[rank % len(_ROMAN)] + (" bis" * (rank // len(_ROMAN)))
            if name not in self.used:
                return self._claim(name)

    def _claim(self, name: str) -> str:
        self.used.add(name)
        return name


@dataclass
class Street:
    name: str
    xs: list[float]
    ys: list[float]
    headings: list[float]  # heading of each segment (radians)
    first_slot_m: float  # where the first unit may stand (away from the junction)

    @property
    def length_m(self) -> float:
        return STEP_M * len(self.headings)

    def point_at(self, s: float) -> tuple[float, float]:
        i = min(int(s / STEP_M), len(self.headings) - 1)
        t = s - i * STEP_M
        h = self.headings[i]
        return (self.xs[i] + t * math.cos(h), self.ys[i] + t * math.sin(h))


class Place(NamedTuple):
    """Where one unit stands: metres from the centre, its street and number."""

    x: float
    y: float
    street: str
    number: int


def _inside(x: float, y: float) -> bool:
    return -STREET_LIMIT_M <= x <= STREET_LIMIT_M and -STREET_LIMIT_M <= y <= STREET_LIMIT_M


def _walk(rng: random.Random, x: float, y: float, heading: float, length_m: float) -> tuple[list, list, list]:
    """A random walk with gentle turns (about 5° per 20 m), stopped at the edge."""
    xs, ys, headings = [x], [y], []
    for _ in range(max(1, int(length_m / STEP_M))):
        heading += rng.gauss(0.0, 0.08)
        nx, ny = x + STEP_M * math.cos(heading), y + STEP_M * math.sin(heading)
        if not _inside(nx, ny):
            break
        headings.append(heading)
        xs.append(nx)
        ys.append(ny)
        x, y = nx, ny
    return xs, ys, headings


class StreetNetwork:
    """The streets of one synthetic town, drawn on demand, always the same for a seed."""

    def __init__(self, town: Town, seed: int) -> None:
        self.town = town
        self.seed = seed
        self.rng = _rng(seed, town.key, "streets")
        self.namer = StreetNamer(town, self.rng)
        self.streets: list[Street] = []
        self._roads = self._main_roads()

    def _main_roads(self) -> list[Street]:
        """Five to eight roads from the centre towards the nearest towns (and Brussels)."""
        others = sorted(
            (t for t in (*TOWNS, BRUSSELS) if t.key != self.town.key), key=lambda t: _distance_deg(self.town, t)
        )
        wanted = self.rng.randint(5, 8)
        roads: list[Street] = []
        angles: list[float] = []
        for other in others:
            if len(roads) == wanted:
                break
            angle = _bearing(self.town, other) + self.rng.uniform(-0.15, 0.15)
            if any(abs(math.remainder(angle - a, 2 * math.pi)) < math.radians(25) for a in angles):
                continue
            angles.append(angle)
            xs, ys, headings = _walk(self.rng, 0.0, 0.0, angle, self.rng.uniform(1_300.0, 1_900.0))
            roads.append(Street(self.namer.road_to(other), xs, ys, headings, self.rng.uniform(10.0, 25.0)))
        return roads

    def main_roads(self) -> list[Street]:
        return list(self._roads)

    def _branch(self) -> Street:
        """A side street off an existing one, starting more often near the centre."""
        rng = self.rng
        for _ in range(30):
            parent = rng.choice(self.streets)
            i = int(len(parent.headings) * rng.random() ** 1.5)
            x, y = parent.xs[i], parent.ys[i]
            if rng.random() < math.exp(-math.hypot(x, y) / 900.0):
                break
        heading = parent.headings[min(i, len(parent.headings) - 1)] + rng.choice((-1, 1)) * rng.uniform(1.1, 2.0)
        length = 200.0 + 1_800.0 * rng.random() ** 1.6
        xs, ys, headings = _walk(rng, x, y, heading, length)
        return Street(self.namer.next(), xs, ys, headings, rng.uniform(15.0, 30.0))

    def _next_street(self) -> Street:
        while True:
            street = self._branch()
            if len(street.headings) >= 3:  # else it ran into the edge at once
                self.streets.append(street)
                return street

    def places(self) -> Iterator[Place]:
        """Every place a unit can take, in a fixed order, without end.

        The network grows by generations: the main roads and a few dozen side
        streets, then a few dozen more each time the places run out. Within a
        generation the places come in a random order weighted towards the
        centre, so a small town has its shops in the centre and along a few
        dozen streets rather than all on the first one.
        """
        rng = _rng(self.seed, self.town.key, "places")
        self.streets.extend(self._roads)
        generation = list(self._roads) + [self._next_street() for _ in range(FIRST_SIDE_STREETS)]
        while True:
            found = [place for street in generation for place in _places_along(street, rng)]
            # Exponential race: a place at r metres from the centre comes first with
            # a weight of exp(-r / 600).
            keys = [rng.expovariate(1.0) * math.exp(math.hypot(p.x, p.y) / 600.0) for p in found]
            for _, place in sorted(zip(keys, found, strict=True), key=lambda item: item[0]):
                yield place
            generation = [self._next_street() for _ in range(SIDE_STREETS_PER_GENERATION)]


def _places_along(street: Street, rng: random.Random) -> list[Place]:
    """Places on both sides, 8–15 m apart, a few metres off the axis.

    House numbers count every house: odd on the left, even on the right. A house
    is a commercial unit more often near the centre.
    """
    found: list[Place] = []
    length = street.length_m
    for side, number in ((1, 1), (-1, 2)):
        s = street.first_slot_m + rng.uniform(0.0, 6.0)
        while s < length:
            x, y = street.point_at(s)
            if rng.random() < 0.3 + 0.7 * math.exp(-math.hypot(x, y) / 700.0):
                h = street.headings[min(int(s / STEP_M), len(street.headings) - 1)]
                offset = side * rng.uniform(5.0, 9.0)
                px, py = x - offset * math.sin(h), y + offset * math.cos(h)
                if _inside(px, py):
                    found.append(Place(px, py, street.name, number))
            number += 2
            s += rng.uniform(8.0, 15.0)
    return found


# -- units ---------------------------------------------------------------------------


class SynthUnit(NamedTuple):
    """One generated unit: plain values only."""

    number: int  # n of SYN-<town>-<n>
    external_id: str
    address: str
    street: str
    lon: float
    lat: float
    floor_area_m2: float
    frontage_m: float
    ground_floor: bool
    status: str
    asking_rent_cents: int | None
    activity: str | None
    public_description: str
    has_water: bool
    has_kitchen: bool
    step_free_access: bool
    has_shop_window: bool
    history: tuple[tuple[str | None, str, date], ...]  # (from, to, on), oldest first; last "to" is status


# fmt: off
_ACTIVITIES = {
    "fr": (
        'boulangerie', 'boucherie', 'librairie', 'pharmacie', 'salon de coiffure', 'café', 'restaurant',
        'friterie', 'vêtements', 'chaussures', 'opticien', 'fleuriste', 'agence bancaire',
        'agence immobilière', 'épicerie', 'salon de thé', 'bijouterie', 'jouets', 'quincaillerie',
        'institut de beauté', 'seconde main', 'retouches', 'presse et tabac', 'fromagerie', 'chocolatier',
    ),
    "nl": (
        'bakkerij', 'slagerij', 'boekhandel', 'apotheek', 'kapsalon', 'café', 'restaurant', 'frituur',
        'kledingwinkel', 'schoenwinkel', 'opticien', 'bloemist', 'bankkantoor', 'immokantoor', 'kruidenier',
        'tearoom', 'juwelier', 'speelgoedwinkel', 'ijzerwaren', 'schoonheidssalon', 'tweedehandswinkel',
        'naaiatelier', 'dagbladhandel', 'kaaswinkel', 'chocolatier',
    ),
}
# fmt: on
_DESCRIPTIONS = {
    "fr": (
        "Cellule lumineuse avec vitrine sur rue.",
        "Rez-de-chaussée commercial, réserve à l'arrière.",
        "Ancien commerce, rafraîchissement à prévoir.",
        "Surface commerciale avec arrière-boutique et sanitaires.",
    ),
    "nl": (
        "Lichte winkelruimte met etalage aan de straat.",
        "Handelsgelijkvloers met berging achteraan.",
        "Voormalige winkel, op te frissen.",
        "Winkelruimte met achterwinkel en sanitair.",
    ),
}
# Statuses other than vacant, with their probabilities; "occupied" takes the rest.
_OTHER_STATUSES = (("under_works", 0.03), ("popup", 0.015), ("unavailable", 0.025))
_BEFORE = {
    "vacant": ("occupied", "occupied", "occupied", "popup", "under_works"),
    "occupied": ("vacant", "vacant", "under_works", "popup"),
    "popup": ("vacant", "vacant", "under_works"),
    "under_works": ("vacant", "occupied"),
    "unavailable": ("occupied", "vacant"),
}


def vacancy_target(town: Town, seed: int) -> float:
    """The town's share of vacant units, between 12 % and 20 %."""
    return _rng(seed, town.key, "vacancy").uniform(0.12, 0.20)


def _history(rng: random.Random, status: str, today: date) -> tuple[tuple[str | None, str, date], ...]:
    """One to three dated changes ending with ``status``, oldest first."""
    # Vacancies last months, some for years; other statuses began up to 12 years ago.
    vacant = status == "vacant"
    days = int(min(rng.expovariate(1 / 420.0), 6 * 365)) + 1 if vacant else rng.randint(30, 12 * 365)
    on = today - timedelta(days=days)
    steps = [(status, on)]
    draw = rng.random()
    for _ in range(0 if draw < 0.35 else 1 if draw < 0.8 else 2):  # 35 %, 45 %, 20 %
        earlier = rng.choice(_BEFORE[steps[-1][0]])
        on = on - timedelta(days=rng.randint(60, 6 * 365))
        steps.append((earlier, on))
    steps.reverse()
    previous: str | None = None
    history = []
    for to_status, when in steps:
        history.append((previous, to_status, when))
        previous = to_status
    return tuple(history)


def generate_units(town: Town, count: int, *, start: int = 0, seed: int = 0, today: date) -> Iterator[SynthUnit]:
    """Units ``start + 1`` to ``start + count`` of the town (pure and deterministic).

    Unit ``n`` always stands on the ``n``-th place of the town's street network
    for this seed, so a later run that starts where an earlier one stopped
    adds units on new places.
    """
    if count < 0 or start < 0:
        raise SynthError("count and start cannot be negative")
    frame = Frame(town.lon, town.lat)
    places = islice(StreetNetwork(town, seed).places(), start, start + count)
    rng = _rng(seed, town.key, "units", start)
    vacant_share = vacancy_target(town, seed)
    activities = _ACTIVITIES[town.language]
    descriptions = _DESCRIPTIONS[town.language]
    locality = f"{town.postcode} {town.name}"
    prefix = town.external_prefix
    random_ = rng.random
    for n, place in enumerate(places, start=start + 1):
        r = math.hypot(place.x, place.y)
        draw = random_()
        if draw < vacant_share:
            status = "vacant"
        else:
            status = "occupied"
            draw -= vacant_share
            for name, p in _OTHER_STATUSES:
                if draw < p:
                    status = name
                    break
                draw -= p
        area = round(min(max(rng.lognormvariate(4.45, 0.6), 12.0), 2_000.0))
        frontage = round(min(max(math.sqrt(area) * rng.uniform(0.45, 0.95), 2.5), 40.0), 1)
        euros_per_m2 = (6.0 + 14.0 * math.exp(-r / 800.0)) * rng.uniform(0.8, 1.25)
        rent = None
        if status != "occupied" or random_() < 0.25:
            rent = int(round(area * euros_per_m2, -1)) * 100
        if status in ("occupied", "popup") or (status != "under_works" and random_() < 0.4):
            activity = rng.choice(activities)
        else:
            activity = None
        description = rng.choice(descriptions) if status == "vacant" and random_() < 0.3 else ""
        lon, lat = frame.lonlat(place.x, place.y)
        yield SynthUnit(
            number=n,
            external_id=f"{prefix}{n}",
            address=f"{place.street} {place.number}, {locality}",
            street=place.street,
            lon=round(lon, 7),
            lat=round(lat, 7),
            floor_area_m2=float(area),
            frontage_m=frontage,
            ground_floor=random_() < 0.93,
            status=status,
            asking_rent_cents=rent,
            activity=activity,
            public_description=description,
            has_water=random_() < 0.6,
            has_kitchen=random_() < 0.15,
            step_free_access=random_() < 0.5,
            has_shop_window=random_() < 0.85,
            history=_history(rng, status, today),
        )


# -- loading -----------------------------------------------------------------------


PHASES = ("generate", "insert_units", "read_ids", "insert_history", "commit")


@dataclass
class LoadReport:
    units: int = 0
    history: int = 0
    communes_created: list[str] = field(default_factory=list)
    per_commune: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Seconds spent generating, inserting units, reading their ids, inserting history, committing.
    phases: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))

    @property
    def units_per_second(self) -> float:
        return self.units / self.seconds if self.seconds > 0 else 0.0


def _lap(report: LoadReport, phase: str, since: float) -> float:
    now = perf_counter()
    report.phases[phase] += now - since
    return now


def _noon_utc(on: date, cache: dict[date, datetime]) -> datetime:
    # Status changes are dated by day; noon UTC keeps the day in Brussels (as the demo does).
    at = cache.get(on)
    if at is None:
        at = cache[on] = datetime.combine(on, time(12), tzinfo=UTC)
    return at


def _ensure_commune(town: Town, seed: int):
    """The town's synthetic commune, created with its boundary and cores if missing."""
    from shapely.geometry import MultiPolygon, Polygon
    from sqlalchemy import select

    from popup import geo
    from popup.communes.models import CommercialCore, Commune
    from popup.extensions import db

    commune = db.session.execute(select(Commune).filter_by(slug=town.slug)).scalar_one_or_none()
    if commune is not None:
        return commune, False
    commune = Commune(
        name=town.commune_name,
        slug=town.slug,
        postal_code=town.postcode,
        centre=geo.point(town.lon, town.lat),
        boundary=geo.from_geometry(MultiPolygon([Polygon(boundary_ring(town, seed))])),
        languages=town.languages or town.language,
        is_demo=True,
    )
    for core in core_shapes(town, seed):
        commune.cores.append(
            CommercialCore(name=core.name, slug=core.slug, area=geo.from_geometry(Polygon(core.ring)), is_demo=True)
        )
    db.session.add(commune)
    db.session.flush()
    return commune, True


def next_number(commune_id: int, town: Town) -> int:
    """The highest n among the commune's ``SYN-<town>-<n>`` units (0 when none)."""
    from sqlalchemy import select

    from popup.extensions import db
    from popup.units.models import Unit

    prefix = town.external_prefix
    ids = db.session.scalars(
        select(Unit.external_id).where(Unit.commune_id == commune_id, Unit.external_id.like(f"{prefix}%"))
    )
    return max((int(rest) for e in ids if (rest := e[len(prefix) :]).isdigit()), default=0)


def load(
    allotment: Sequence[tuple[Town, int]],
    *,
    seed: int = 0,
    today: date | None = None,
    batch_size: int = 10_000,
    commit: bool = True,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Write the synthetic communes and units of ``allotment`` (see ``plan``).

    Meant for the ``flask popup synth`` command: with ``commit=True`` (the
    default) it commits after every batch, so a million units never sit in
    one transaction and an interrupted run keeps the batches it finished
    (run it again to add the rest). Tests pass ``commit=False``: everything is
    only flushed and the caller decides.
    """
    from sqlalchemy import func, insert, select

    from popup.extensions import db
    from popup.types import utcnow
    from popup.units.models import Unit, UnitStatusChange

    if batch_size < 1:
        raise SynthError("batch_size must be at least 1")
    started = perf_counter()
    today = today or utcnow().date()
    now = utcnow()
    report = LoadReport()
    units_table = Unit.__table__
    insert_units = insert(units_table)
    insert_history = insert(UnitStatusChange.__table__)
    dates: dict[date, datetime] = {}

    for town, count in allotment:
        commune, created = _ensure_commune(town, seed)
        commune_id = commune.id
        if created:
            report.communes_created.append(town.slug)
        start = next_number(commune_id, town)
        units = generate_units(town, count, start=start, seed=seed, today=today)
        while True:
            clock = perf_counter()
            batch = list(islice(units, batch_size))
            if not batch:
                break
            rows = [
                {
                    "commune_id": commune_id,
                    "external_id": u.external_id,
                    "address": u.address,
                    "street": u.street,
                    "activity": u.activity,
                    "location": f"SRID={SRID};POINT({u.lon!r} {u.lat!r})",
                    "floor_area_m2": u.floor_area_m2,
                    "frontage_m": u.frontage_m,
                    "ground_floor": u.ground_floor,
                    "status": u.status,
                    "status_changed_at": _noon_utc(u.history[-1][2], dates),
                    "asking_rent_cents": u.asking_rent_cents,
                    "owner_id": None,
                    "public_description": u.public_description,
                    "has_water": u.has_water,
                    "has_kitchen": u.has_kitchen,
                    "step_free_access": u.step_free_access,
                    "has_shop_window": u.has_shop_window,
                    "is_demo": True,
                    "created_at": now,
                }
                for u in batch
            ]
            clock = _lap(report, "generate", clock)
            # Ids come back by a range read rather than RETURNING: psycopg parses
            # the 20,000-parameter statements of a RETURNING batch 4x slower than
            # the whole executemany (measured, bench/RESULTS.md).
            highest_before = db.session.scalar(select(func.max(Unit.id))) or 0
            db.session.execute(insert_units, rows)
            clock = _lap(report, "insert_units", clock)
            new_ids = dict(
                db.session.execute(
                    select(Unit.external_id, Unit.id).where(Unit.id > highest_before, Unit.commune_id == commune_id)
                ).all()
            )
            history = [
                {
                    "unit_id": new_ids[u.external_id],
                    "from_status": from_status,
                    "to_status": to_status,
                    "changed_at": _noon_utc(on, dates),
                    "changed_by_id": None,
                    "reason": "",
                }
                for u in batch
                for from_status, to_status, on in u.history
            ]
            clock = _lap(report, "read_ids", clock)
            db.session.execute(insert_history, history)
            clock = _lap(report, "insert_history", clock)
            if commit:
                db.session.commit()
                _lap(report, "commit", clock)
            report.units += len(batch)
            report.history += len(history)
            report.per_commune[town.slug] = report.per_commune.get(town.slug, 0) + len(batch)
            if progress is not None:
                progress(len(batch))
    if not commit:
        db.session.flush()
    report.seconds = perf_counter() - started
    return report
