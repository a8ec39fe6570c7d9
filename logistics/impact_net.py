"""Net, not only gross: the car trips a delivery really replaced, and what the couriers
themselves emit.

Not every customer would have driven. The share of delivered orders that replaced a car
trip comes from the customers' own answers on the tracking page once a period has
``SURVEY_MIN_ANSWERS`` of them; before that, from a default share with its published
source, shown as such. The net car km and CO2e are the gross ones times that share; the
couriers' emissions (electric cargo bikes, per km ridden; walking counts none) are then
taken off the CO2e.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the default share, until enough customers answered: the car's share of local trips
#: on weekdays in France (SDES, Enquête mobilité des personnes 2019: 62,8 %)
DEFAULT_SHARE = 0.628
DEFAULT_SOURCE = ("SDES, Enquête mobilité des personnes 2019 : part de la voiture dans les "
                  "déplacements locaux en semaine (62,8 %)")
#: kg CO2e per km of an electrically assisted bike over its life (ADEME, Impact CO2:
#: "vélo à assistance électrique", about 11 g/km), used for the cargo bikes
BIKE_KG_CO2E_PER_KM = 0.0109
BIKE_FACTOR_SOURCE = "ADEME, Impact CO2 (impactco2.fr) : vélo à assistance électrique, 10,9 g CO2e/km"


@dataclass(frozen=True)
class Net:
    """A period's net figures (km and kg unrounded) and where the share comes from."""

    car_km_avoided_net: float
    co2_avoided_net_kg: float
    courier_co2_kg: float
    substitution_share: float
    substitution_source: str
    survey_answers: int

    def as_dict(self) -> dict[str, float | int | str]:
        return {"car_km_avoided_net": round(self.car_km_avoided_net, 3),
                "co2_avoided_net_kg": round(self.co2_avoided_net_kg, 3),
                "courier_co2_kg": round(self.courier_co2_kg, 3),
                "substitution_share": round(self.substitution_share, 3),
                "substitution_source": self.substitution_source,
                "survey_answers": self.survey_answers}


def substitution(answers: int, car_answers: int, min_answers: int) -> tuple[float, str]:
    """A period's share of deliveries that replaced a car trip, and where it comes from:
    its answers once it has ``min_answers`` of them, else the default."""
    if answers >= max(1, min_answers):
        return car_answers / answers, f"survey: {answers} answers"
    return DEFAULT_SHARE, f"default: {DEFAULT_SOURCE}"


def net_of(car_km: float, co2_kg: float, bike_km: float, answers: int, car_answers: int,
           min_answers: int) -> Net:
    """The net figures of a period from its gross ones and its survey answers."""
    share, source = substitution(answers, car_answers, min_answers)
    courier = bike_km * BIKE_KG_CO2E_PER_KM
    return Net(car_km * share, co2_kg * share - courier, courier, share, source, answers)
