"""The parcel presets a shop picks from ("petit colis", "sac", "carton"), and the one an
order counts as when nothing says its size (the marketplace's items without a weight)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParcelPreset:
    """A parcel size a shopkeeper recognises, by its French name."""

    code: str
    label: str
    weight_kg: float
    volume_l: float


PRESETS = (
    ParcelPreset("petit_colis", "Petit colis", 2.0, 10.0),
    ParcelPreset("sac", "Sac", 5.0, 25.0),
    ParcelPreset("carton", "Carton", 10.0, 50.0),
)
#: what an order counts as when nothing says its size (a shop may choose another)
DEFAULT = PRESETS[0]
CODES = tuple(p.code for p in PRESETS)


def preset(code: str) -> ParcelPreset:
    """The preset of ``code`` (KeyError for an unknown one: codes are checked at the API)."""
    for p in PRESETS:
        if p.code == code:
            return p
    raise KeyError(code)
