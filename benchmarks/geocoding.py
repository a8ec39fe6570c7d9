"""The offline geocoder measured on an extract: its build time and memory, lookups per
second, and the share of the extract's own addresses placed within 50 m when written the
ways people write them (as labelled; lower case with abbreviations; number last or
first; a typo in the street; without postcode and place).

With ``source="ban"`` the same written forms are asked of BAN (``GEOCODER_BAN_URL``) and
the share is BAN's; that needs the internet and a French extract (BAN knows France only).
"""

from __future__ import annotations

import csv
import math
import random
import resource
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from logistics.geocoding.candidate import Geocoder
from logistics.geocoding.osm_index import Address, AddressIndex

#: how far from the address a placement still counts as right
WITHIN_M = 50.0
#: the ways an address is written, by name
FORMS = ("label", "abbreviated", "number_other_side", "typo", "street_and_number")
_SHORT = {"rue": "r.", "avenue": "av.", "boulevard": "bd", "place": "pl.", "saint": "st",
          "strasse": "str.", "straße": "str."}


@dataclass(frozen=True)
class GeocodingRow:
    """One written form's result."""

    form: str
    asked: int
    within_50m: int
    unknown: int
    share: float


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dx = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, math.radians(lat2 - lat1)) * 6_371_000.0


def written(a: Address, form: str, rng: random.Random) -> str:
    """The address ``a`` as a person may write it, in the named form."""
    where = " ".join(p for p in (a.postcode, a.city) if p)
    if form == "label":
        return a.label()
    if form == "abbreviated":
        words = [_SHORT.get(w.lower(), w) for w in a.street.split()]
        if words and words[-1].lower().endswith("straße"):
            words[-1] = words[-1][: -len("straße")] + "str."
        return f"{a.number} {' '.join(words)} {where}".lower().strip()
    if form == "number_other_side":
        first = a.label().split(",")[0]
        other = f"{a.street} {a.number}" if first.startswith(a.number) else f"{a.number} {a.street}"
        return f"{other}, {where}" if where else other
    if form == "typo":
        s = a.street
        letters = [i for i, c in enumerate(s) if c.isalpha()]
        if len(letters) > 6:
            i = letters[rng.randrange(2, len(letters) - 1)]
            s = s[:i] + s[i + 1:]  # one letter dropped
        return f"{a.number} {s}, {where}" if where else f"{a.number} {s}"
    return f"{a.street} {a.number}"


def measure(geocoder: Geocoder, addresses: list[Address], seed: int = 0,
            points: dict[str, list[tuple[float, float]]] | None = None) -> list[GeocodingRow]:
    """Each form's share of ``addresses`` placed within :data:`WITHIN_M` of the address
    (of any of its points, ``points`` by label: a campus has one address, many buildings)."""
    rows = []
    for form in FORMS:
        rng = random.Random(seed)
        ok = unknown = 0
        for a in addresses:
            found = geocoder.search(written(a, form, rng), 1)
            where = (points or {}).get(a.label(), [(a.lon, a.lat)])
            if not found:
                unknown += 1
            elif min(_metres(found[0].lon, found[0].lat, x, y) for x, y in where) <= WITHIN_M:
                ok += 1
        n = len(addresses)
        rows.append(GeocodingRow(form, n, ok, unknown, round(ok / n, 4) if n else 0.0))
    return rows


def run_geocoding_benchmark(
    extract: Path, out_csv: Path, sample: int = 500, seed: int = 0, source: str = "osm",
) -> dict[str, float]:
    """Build the index of ``extract`` (time, memory), time ``sample`` lookups of
    ``source`` (``osm``: the index; ``ban``: BAN), and write the share placed within 50 m
    per written form to ``out_csv``."""
    t0 = time.perf_counter()
    index = AddressIndex.from_osm(extract)
    build_s = time.perf_counter() - t0
    tracemalloc.start()  # a second build, traced (slower), for its memory
    AddressIndex.from_osm(extract)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    points: dict[str, list[tuple[float, float]]] = {}
    for a in index.addresses:
        points.setdefault(a.label(), []).append((a.lon, a.lat))
    unique = list({a.label(): a for a in index.addresses}.values())
    rng = random.Random(seed)
    chosen = rng.sample(unique, min(sample, len(unique)))
    geocoder: Geocoder = index
    if source == "ban":
        from logistics.geocoding.ban import BanGeocoder
        from logistics.settings import get_settings

        geocoder = BanGeocoder(base_url=get_settings().geocoder_ban_url)
    texts = [a.label() for a in chosen] or ["1 rue Inconnue"]
    t0 = time.perf_counter()
    for text in texts:
        geocoder.search(text, 5)
    lookups_s = len(texts) / (time.perf_counter() - t0)
    rows = measure(geocoder, chosen, seed, points)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["extract", "source", "addresses", "build_s", "build_peak_mib", "lookups_per_s",
                    "form", "asked", "within_50m", "unknown", "share"])
        for r in rows:
            w.writerow([extract.name, source, len(index), f"{build_s:.3f}", f"{peak / 2**20:.1f}",
                        f"{lookups_s:.0f}", r.form, r.asked, r.within_50m, r.unknown, r.share])
    return {"addresses": len(index), "build_s": build_s, "build_peak_mib": peak / 2**20,
            "lookups_per_s": lookups_s, "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **{f"share_{r.form}": r.share for r in rows}}
