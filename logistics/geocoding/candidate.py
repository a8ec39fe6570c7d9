"""What every geocoding source answers: candidates with a label, a score and a point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

#: where an answer came from
Source = Literal["osm", "ban", "manual"]


@dataclass(frozen=True)
class Candidate:
    """One place an address may be: its label as the source words it, how sure the
    source is (0 to 1), the point (WGS 84) and the source."""

    label: str
    score: float
    lon: float
    lat: float
    source: Source


class GeocoderUnavailable(RuntimeError):  # noqa: N818 (named like NetworkUnavailable)
    """A source that cannot answer now (no network, its server down or refusing too
    many requests): the next source is tried, and nothing is cached."""


class Geocoder(Protocol):
    """A source of addresses: candidates for a text, best first, and the address nearest
    a point."""

    def search(self, text: str, limit: int = 5) -> list[Candidate]: ...

    def reverse(self, lon: float, lat: float) -> Candidate | None: ...
