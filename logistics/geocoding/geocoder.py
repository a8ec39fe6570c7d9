"""The geocoder the platform uses: the sources the ``GEOCODER`` setting names, tried in
turn, and the rule that says whether an answer is an address, several, or none.

A source that cannot answer (BAN without network) is passed over; a source whose best
answer is sure enough ends the search; otherwise the best answers of all sources are
kept, so that an unknown or ambiguous address comes back with its candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .ban import BanGeocoder
from .candidate import Candidate, Geocoder, GeocoderUnavailable
from .osm_index import OsmGeocoder

#: the score from which a first answer is taken as the address
SURE = 0.7
#: how much better than the second the first answer must be (unless both are one place)
MARGIN = 0.1
#: two answers nearer than this (metres) are the same place
SAME_PLACE_M = 30.0
SOURCES = ("osm", "ban")


@dataclass(frozen=True)
class Resolution:
    """What an address text came to: ``found`` (``best`` is it), ``ambiguous`` or
    ``unknown`` (``candidates`` to choose from, best first, at most 5)."""

    status: Literal["found", "ambiguous", "unknown"]
    best: Candidate | None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)


def _metres(a: Candidate, b: Candidate) -> float:
    dx = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, math.radians(b.lat - a.lat)) * 6_371_000.0


def decide(candidates: list[Candidate]) -> Resolution:
    """The rule: the first answer is the address when it is sure enough and clearly
    ahead of the second (or at the same place); any answer otherwise makes it ambiguous."""
    if not candidates:
        return Resolution("unknown", None, ())
    top = candidates[0]
    clear = len(candidates) == 1 or candidates[1].score <= top.score - MARGIN or \
        _metres(top, candidates[1]) <= SAME_PLACE_M
    if top.score >= SURE and clear:
        return Resolution("found", top, tuple(candidates[:5]))
    return Resolution("ambiguous", None, tuple(candidates[:5]))


class ChainGeocoder:
    """Sources tried in turn (see the module's docstring)."""

    def __init__(self, sources: list[Geocoder]) -> None:
        self.sources = sources

    def search(self, text: str, limit: int = 5) -> list[Candidate]:
        best: list[Candidate] = []
        down: list[str] = []
        for source in self.sources:
            try:
                found = source.search(text, limit)
            except GeocoderUnavailable as e:
                down.append(str(e))
                continue
            if found and decide(found).status == "found":
                return found
            if found and (not best or found[0].score > best[0].score):
                best = found
        if not best and down and len(down) == len(self.sources):
            raise GeocoderUnavailable("; ".join(down))
        return best

    def reverse(self, lon: float, lat: float) -> Candidate | None:
        for source in self.sources:
            try:
                found = source.reverse(lon, lat)
            except GeocoderUnavailable:
                continue
            if found is not None:
                return found
        return None

    def resolve(self, text: str) -> Resolution:
        """An address text resolved by the rule of :func:`decide`."""
        return decide(self.search(text, 5))


def parse_sources(text: str) -> tuple[str, ...]:
    """The ``GEOCODER`` setting as source names, refused when one is unknown."""
    names = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    unknown = [n for n in names if n not in SOURCES]
    if not names or unknown:
        raise ValueError(f"{text!r}: name sources among {', '.join(SOURCES)}, comma-separated")
    return names


def make_geocoder(sources: str, osm_file: str | Path | None, ban_url: str) -> ChainGeocoder:
    """The chain of the named sources; ``osm`` needs the extract (skipped without one)."""
    chain: list[Geocoder] = []
    for name in parse_sources(sources):
        if name == "ban":
            chain.append(BanGeocoder(base_url=ban_url))
        elif osm_file is not None and Path(osm_file).exists():
            chain.append(OsmGeocoder(osm_file))
    return ChainGeocoder(chain)
