"""Addresses: candidates for a text (autocomplete), as the geocoder answers them."""

from typing import Literal

from pydantic import BaseModel


class AddressCandidate(BaseModel):
    """A place an address text may be: its label, how sure the source is (0 to 1), the
    point and the source (``osm``: the extract's addresses, ``ban``: France's national
    address base, ``manual``: a person's correction)."""

    label: str
    score: float
    lon: float
    lat: float
    source: Literal["osm", "ban", "manual"]


class AddressCandidates(BaseModel):
    """Candidates, best first."""

    candidates: list[AddressCandidate]
