"""The offline geocoder: an index of the addresses in an OSM extract.

Addresses are read from the same extract as the street network, in any country:
``addr:housenumber`` with ``addr:street`` (or ``addr:place``), ``addr:postcode`` and
``addr:city`` on nodes and on building ways (their centre), and the numbers an
``addr:interpolation`` line stands for between its two numbered ends. A search parses
the text (:mod:`.normalise`), finds the street (exactly, or with a typo), then the
number (exactly; else the street's nearest number, with a lower score).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import osmium
from scipy.spatial import cKDTree

from .candidate import Candidate
from .normalise import Query, fold, number_keys, parse, street_key

#: how sure a match is: the number found on the street; the street only
EXACT, STREET_ONLY = 1.0, 0.6
#: how close a misspelt street name must be to a known one (difflib's ratio)
TYPO_CUTOFF = 0.8
#: how sure a street is when the text only begins its name (autocomplete while typing)
PREFIX_LIKENESS = 0.65
#: how far (metres) the nearest address may be for a reverse answer
REVERSE_RADIUS_M = 150.0
#: how far (metres) the nearest named street may be when no address is near
STREET_RADIUS_M = 100.0
_EARTH_M = 6_371_000.0
_DIGITS = re.compile(r"\d+")
#: street types after which the number comes first (French, English)
NUMBER_FIRST = frozenset({
    "rue", "avenue", "boulevard", "place", "chemin", "impasse", "allee", "quai", "route",
    "cours", "square", "passage", "faubourg", "residence", "promenade", "sentier", "voie",
    "ruelle", "parvis", "esplanade", "rond", "lotissement", "hameau", "street", "road", "lane",
})


@dataclass(frozen=True)
class Address:
    """One numbered address of the extract (``number`` may be empty: a named place)."""

    number: str
    street: str
    postcode: str
    city: str
    lon: float
    lat: float

    def label(self) -> str:
        """The address as a person writes it there: the number before a French (or
        English) street type ("12 Rue de Bellain"), after any other street name
        ("Poststraße 15", "Rømersgade 22"); then postcode and place."""
        where = " ".join(p for p in (self.postcode, self.city) if p)
        first = fold(self.street).split(" ")[0] if self.street else ""
        parts = (self.number, self.street) if first in NUMBER_FIRST else (self.street, self.number)
        head = " ".join(p for p in parts if p)
        return f"{head}, {where}" if where else head


class _Reader(osmium.SimpleHandler):  # type: ignore[misc]
    """Collects address nodes, building ways and interpolation lines in one pass."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Address] = []
        self.numbered: dict[int, Address] = {}  # node id -> its address (interpolation ends)
        self.lines: list[tuple[dict[str, str], list[tuple[int, float, float]]]] = []
        self.streets: list[tuple[str, float, float]] = []  # a named street's points

    @staticmethod
    def _address(tags: dict[str, str], lon: float, lat: float) -> Address | None:
        number = tags.get("addr:housenumber", "").strip()
        street = (tags.get("addr:street") or tags.get("addr:place") or "").strip()
        if not number or not street or not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        return Address(number, street, tags.get("addr:postcode", "").strip(),
                       tags.get("addr:city", "").strip(), lon, lat)

    def node(self, n: osmium.osm.Node) -> None:
        if "addr:housenumber" not in n.tags or not n.location.valid():
            return
        found = self._address(dict(n.tags), n.location.lon, n.location.lat)
        if found is not None:
            self.found.append(found)
            self.numbered[n.id] = found

    def way(self, w: osmium.osm.Way) -> None:
        tags = dict(w.tags)
        points = [(nd.ref, nd.location.lon, nd.location.lat) for nd in w.nodes if nd.location.valid()]
        if not points:
            return
        if "highway" in tags and tags.get("name"):
            self.streets += [(tags["name"], x, y) for _, x, y in points]
        if "addr:interpolation" in tags:
            self.lines.append((tags, points))
        elif "addr:housenumber" in tags:
            lon = float(np.mean([p[1] for p in points]))
            lat = float(np.mean([p[2] for p in points]))
            found = self._address(tags, lon, lat)
            if found is not None:
                self.found.append(found)


def _interpolated(tags: dict[str, str], points: list[tuple[int, float, float]],
                  numbered: dict[int, Address]) -> Iterable[Address]:
    """The numbers between the numbered ends of an interpolation line, placed along it."""
    ends = [numbered.get(points[0][0]), numbered.get(points[-1][0])]
    if ends[0] is None or ends[1] is None:
        return
    a, b = (int(m.group()) if (m := _DIGITS.match(e.number)) else None for e in ends)
    if a is None or b is None or a == b or abs(a - b) > 2000:
        return
    kind = tags.get("addr:interpolation", "all")
    step = 2 if kind in ("odd", "even") else 1 if kind == "all" else 0
    if step == 0:
        return
    xs = np.array([p[1] for p in points])
    ys = np.array([p[2] for p in points])
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    if cum[-1] == 0:
        return
    lo, hi = sorted((a, b))
    for n in range(lo + step, hi, step):
        at = (n - a) / (b - a) * cum[-1]
        lon = float(np.interp(at, cum, xs))
        lat = float(np.interp(at, cum, ys))
        yield Address(str(n), ends[0].street, ends[0].postcode, ends[0].city, lon, lat)


class AddressIndex:
    """The addresses of an extract, by street, with a nearest-address lookup."""

    def __init__(self, addresses: Iterable[Address],
                 streets: Iterable[tuple[str, float, float]] = ()) -> None:
        self.addresses = list(dict.fromkeys(addresses))
        self._street_points = [s for s in streets if math.isfinite(s[1]) and math.isfinite(s[2])]
        self._streets: dict[str, list[Address]] = {}
        for a in self.addresses:
            self._streets.setdefault(street_key(a.street), []).append(a)
        self._keys = sorted(self._streets)
        lats = [a.lat for a in self.addresses] + [p[2] for p in self._street_points]
        self._scale = math.cos(math.radians(float(np.mean(lats)))) if lats else 1.0
        self._tree: cKDTree | None = cKDTree(self._xy([(a.lon, a.lat) for a in self.addresses])) \
            if self.addresses else None
        self._street_tree: cKDTree | None = cKDTree(self._xy([(p[1], p[2]) for p in self._street_points])) \
            if self._street_points else None

    @classmethod
    def from_osm(cls, path: str | Path) -> AddressIndex:
        """Read the addresses of an ``.osm`` or ``.osm.pbf`` extract."""
        reader = _Reader()
        reader.apply_file(str(path), locations=True)
        found = list(reader.found)
        for tags, points in reader.lines:
            found.extend(_interpolated(tags, points, reader.numbered))
        return cls(found, reader.streets)

    def __len__(self) -> int:
        return len(self.addresses)

    def _xy(self, points: list[tuple[float, float]]) -> np.ndarray:
        arr = np.radians(np.asarray(points, dtype=float))
        return np.column_stack([arr[:, 0] * self._scale, arr[:, 1]]) * _EARTH_M

    def _streets_like(self, key: str) -> list[tuple[str, float]]:
        """Street keys matching ``key``: the same one, else close ones (a typo), with
        how close they are (1 for the same)."""
        if key in self._streets:
            return [(key, 1.0)]
        close = difflib.get_close_matches(key, self._keys, n=5, cutoff=TYPO_CUTOFF)
        if close:
            return [(k, difflib.SequenceMatcher(None, key, k).ratio()) for k in close]
        # A name being typed ("rue de bel"): streets it begins, never sure enough to be
        # taken without a choice (below the geocoder's SURE).
        if len(key) >= 4:
            return [(k, PREFIX_LIKENESS) for k in self._keys if k.startswith(key)][:5]
        return []

    def search(self, text: str, limit: int = 5) -> list[Candidate]:
        """Candidates for a written address, best first."""
        q = parse(text)
        key = street_key(q.street)
        if not key:
            return []
        streets = self._streets_like(key)
        words = q.street.split()
        for cut in range(1, min(3, len(words) - 1) + 1):
            if streets:
                break
            # Without a comma the place may trail the street: "12 rue X Douai".
            streets = self._streets_like(street_key(" ".join(words[:-cut])))
            if streets:
                q = Query(q.number, " ".join(words[:-cut]), q.postcode,
                          " ".join([*words[-cut:], q.place]).strip())
        found: list[tuple[float, Address]] = []
        for street, likeness in streets:
            homes = self._streets[street]
            if q.postcode or q.place:
                here = [a for a in homes if (q.postcode and a.postcode == q.postcode)
                        or (q.place and fold(a.city) and fold(a.city) in q.place)]
                # Where the extract says nothing of postcode and place, the street stands.
                told = [a for a in homes if a.postcode or a.city]
                if told and not here:
                    continue
                homes = here or homes
            if q.number is not None:
                wanted = number_keys(q.number)
                same = [a for a in homes if number_keys(a.number) & wanted]
                if same:
                    found += [(EXACT * likeness, a) for a in same]
                    continue
            found += [(STREET_ONLY * likeness, a) for a in _nearest_numbers(homes, q.number)]
        found.sort(key=lambda sa: -sa[0])  # stable: the nearest numbers first
        seen: set[str] = set()
        out: list[Candidate] = []
        for score, a in found:
            if a.label() in seen:
                continue
            seen.add(a.label())
            out.append(Candidate(a.label(), round(score, 3), a.lon, a.lat, "osm"))
            if len(out) == limit:
                break
        return out

    def reverse(self, lon: float, lat: float) -> Candidate | None:
        """The nearest address within :data:`REVERSE_RADIUS_M`; else the nearest named
        street within :data:`STREET_RADIUS_M` ("près de …", a low score: the courier
        still reads where to go); else None."""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        here = self._xy([(lon, lat)])[0]
        if self._tree is not None:
            dist, i = self._tree.query(here)
            if math.isfinite(dist) and dist <= REVERSE_RADIUS_M:
                a = self.addresses[int(i)]
                return Candidate(a.label(), round(max(0.0, 1 - dist / REVERSE_RADIUS_M), 3),
                                 a.lon, a.lat, "osm")
        if self._street_tree is not None:
            dist, i = self._street_tree.query(here)
            if math.isfinite(dist) and dist <= STREET_RADIUS_M:
                name = self._street_points[int(i)][0]
                return Candidate(f"près de {name}", 0.2, lon, lat, "osm")
        return None


def _nearest_numbers(homes: list[Address], number: str | None) -> list[Address]:
    """A street's addresses nearest ``number`` (the middle of the street without one):
    two at most, so that the caller sees the street, not every house of it."""
    def value(a: Address) -> int:
        m = _DIGITS.match(a.number)
        return int(m.group()) if m else 0

    ranked = sorted(homes, key=value)
    if number is None or not _DIGITS.match(number):
        return ranked[len(ranked) // 2: len(ranked) // 2 + 1]
    wanted = int(_DIGITS.match(number).group())  # type: ignore[union-attr]
    return sorted(ranked, key=lambda a: (abs(value(a) - wanted), value(a)))[:2]


@lru_cache(maxsize=4)
def _index_of(path: str, mtime: float) -> AddressIndex:
    return AddressIndex.from_osm(path)


def index_of(path: str | Path) -> AddressIndex:
    """The address index of an extract, built once per file (and again if it changes)."""
    p = Path(path)
    return _index_of(str(p.resolve()), p.stat().st_mtime)


class OsmGeocoder:
    """The :class:`~logistics.geocoding.candidate.Geocoder` of one extract's addresses."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def search(self, text: str, limit: int = 5) -> list[Candidate]:
        return index_of(self.path).search(text, limit)

    def reverse(self, lon: float, lat: float) -> Candidate | None:
        return index_of(self.path).reverse(lon, lat)
