"""Impact figures for the city and the dispatchers: aggregates per day, ISO week and
range, as JSON or CSV; never an order, a courier, an address or a point."""

import csv
import datetime as dt
import io
import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from logistics import clock, limits
from logistics.impact import FACTORS, METHOD
from logistics.impact_net import (
    BIKE_FACTOR_SOURCE,
    BIKE_KG_CO2E_PER_KM,
    DEFAULT_SHARE,
    DEFAULT_SOURCE,
    net_of,
)
from logistics.settings import get_settings
from logistics.store.impact_metrics import (
    COUNTING,
    FIGURE_NAMES,
    MAX_DAYS,
    Figures,
    PeriodImpact,
    by_week,
    daily_impact,
    total,
)
from logistics.store.survey import answers_by_day

from ..deps import CityOrDispatcher, SessionDep
from ..errors import invalid
from ..schemas import ImpactDay, ImpactPeriod, ImpactPublic, ImpactWeek, error_responses

router = APIRouter(prefix="/api/metrics", tags=["metrics"])

#: the range asked for when none is given: the last 30 days, today included
DEFAULT_DAYS = 30

#: ASCII digits only (``\d`` takes any Unicode digit)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise invalid(field, f"{value!r} is not a date YYYY-MM-DD") from None
    return limits.check_read_day(field, day)


def _date_range(from_: str | None, to: str | None) -> tuple[dt.date, dt.date]:
    first, last = _date(from_, "from"), _date(to, "to")
    if last is None:
        last = clock.today()
        if first is not None and first > last:
            raise invalid("from", f"{first.isoformat()} is after to (today, {last.isoformat()})")
    if first is None:
        first = last - dt.timedelta(DEFAULT_DAYS - 1)
    if last < first:
        raise invalid("to", f"{last.isoformat()} is before from ({first.isoformat()})")
    if (last - first).days + 1 > MAX_DAYS:
        raise invalid("to", f"the range covers {(last - first).days + 1} days, at most {MAX_DAYS}")
    return first, last


#: how the net figures are made, after the gross ones' method
NET_METHOD = (
    "Net figures: the car km and CO2e avoided times the share of delivered orders that "
    "replaced a car trip, from the customers' answers on the tracking page when the period "
    "has SURVEY_MIN_ANSWERS of them, else the default share and its source; the couriers' "
    "own emissions (cargo-bike km times the bike factor; walking none) are taken off the CO2e."
)


def _net(figures: Figures, first: dt.date, last: dt.date,
         answers: dict[dt.date, tuple[int, int]]) -> dict[str, object]:
    """The net figures of the days ``first``..``last`` (their survey answers summed)."""
    n = sum(a for d, (a, _) in answers.items() if first <= d <= last)
    car = sum(c for d, (_, c) in answers.items() if first <= d <= last)
    return net_of(figures.car_km_avoided, figures.co2_avoided_kg, figures.bike_km, n, car,
                  get_settings().survey_min_answers).as_dict()


def _period(p: PeriodImpact, answers: dict[dt.date, tuple[int, int]]) -> dict[str, object]:
    return {"from": p.first, "to": p.last, "days_with_plan": p.days_with_plan,
            **p.figures.as_dict(), **_net(p.figures, p.first, p.last, answers)}


@router.get(
    "/impact",
    response_model=ImpactPublic,
    responses={
        200: {
            "content": {"text/csv": {"schema": {
                "type": "string",
                "description": "one row per day: date, then the figures (km and kg to 3 decimals)",
            }}},
            "description": "JSON, or CSV with format=csv",
        },
        **error_responses(401, 403, 422, notes={
            401: "no valid token",
            403: "neither a city nor a dispatcher token",
            422: "a bad date or one out of range, from after to, or more than 366 days",
        }),
    },
)
def impact(
    db: SessionDep,
    _: CityOrDispatcher,
    from_: Annotated[
        str | None,
        Query(alias="from", description="first day, YYYY-MM-DD (default: 29 days before to)"),
    ] = None,
    to: Annotated[str | None, Query(description="last day, YYYY-MM-DD (default: today)")] = None,
    fmt: Annotated[
        str, Query(alias="format", description="json (default) or csv, one row per day")
    ] = "json",
) -> ImpactPublic | Response:
    """Avoided car trips, CO2e and kilometres ridden per day, ISO week and in total."""
    if fmt not in ("json", "csv"):
        raise invalid("format", f"{fmt!r} is not json or csv")
    first, last = _date_range(from_, to)
    days = daily_impact(db, first, last)
    answers = answers_by_day(db, first, last)
    if fmt == "csv":
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(["date", *FIGURE_NAMES])
        for d in days:
            figures = d.figures.as_dict()
            out.writerow(
                [d.day.isoformat()]
                + [f"{v:.3f}" if isinstance(v, float) else v for v in figures.values()]
            )
        name = f"impact_{first.isoformat()}_{last.isoformat()}.csv"
        return Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return ImpactPublic(
        from_=first,
        to=last,
        days=[
            ImpactDay.model_validate(
                {"date": d.day, "plan_in_force": d.plan_in_force, **d.figures.as_dict(),
                 **_net(d.figures, d.day, d.day, answers)})
            for d in days
        ],
        weeks=[ImpactWeek.model_validate({"week": w.label, **_period(w, answers)}) for w in by_week(days)],
        totals=ImpactPeriod.model_validate(_period(total(days), answers)),
        method=f"{METHOD} {COUNTING} {NET_METHOD}",
        factors={**FACTORS, "bike_kg_co2e_per_km": BIKE_KG_CO2E_PER_KM, "bike_factor_source": BIKE_FACTOR_SOURCE,
                 "default_substitution_share": DEFAULT_SHARE, "default_substitution_source": DEFAULT_SOURCE,
                 "survey_min_answers": get_settings().survey_min_answers},
    )
