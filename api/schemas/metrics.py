"""Impact figures as the API answers them: per day, per ISO week and over the range;
aggregates only, never an order, a courier, an address or a point."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ImpactFigures(BaseModel):
    """What the deliveries spared and what was ridden (km and kg to 3 decimals)."""

    orders_delivered: int
    orders_failed: int
    car_trips_avoided: int
    car_km_avoided: float
    co2_avoided_kg: float
    bike_km: float
    foot_km: float
    #: net: the car km and CO2e the deliveries really spared, at the share of delivered
    #: orders that replaced a car trip (``substitution_share``), the couriers' own
    #: emissions (``courier_co2_kg``) taken off the CO2e
    car_km_avoided_net: float
    co2_avoided_net_kg: float
    courier_co2_kg: float
    substitution_share: float
    #: ``survey: N answers`` (the customers' answers in the period), or ``default: ``
    #: and the published source of the default share
    substitution_source: str
    survey_answers: int


class ImpactDay(ImpactFigures):
    """One day's figures, and whether a plan was in force (zeros without one)."""

    date: dt.date
    plan_in_force: bool


class ImpactPeriod(ImpactFigures):
    """The figures summed over some days of the range, and how many had a plan."""

    model_config = ConfigDict(validate_by_name=True)

    from_: dt.date = Field(validation_alias="from", serialization_alias="from")
    to: dt.date
    days_with_plan: int


class ImpactWeek(ImpactPeriod):
    """An ISO week's figures (``2031-W10``), cut to the range."""

    week: str


class ImpactPublic(BaseModel):
    """The figures of a range per day, per ISO week and in total, with the method
    and the factors they rest on."""

    model_config = ConfigDict(validate_by_name=True)

    from_: dt.date = Field(validation_alias="from", serialization_alias="from")
    to: dt.date
    days: list[ImpactDay]
    weeks: list[ImpactWeek]
    totals: ImpactPeriod
    method: str
    factors: dict[str, float | str]
