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
from logistics.store.impact_metrics import (
    COUNTING,
    FIGURE_NAMES,
    MAX_DAYS,
    PeriodImpact,
    by_week,
    daily_impact,
    total,
)

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


def _period(p: PeriodImpact) -> dict[str, object]:
    return {"from": p.first, "to": p.last, "days_with_plan": p.days_with_plan,
            **p.figures.as_dict()}


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
                {"date": d.day, "plan_in_force": d.plan_in_force, **d.figures.as_dict()})
            for d in days
        ],
        weeks=[ImpactWeek.model_validate({"week": w.label, **_period(w)}) for w in by_week(days)],
        totals=ImpactPeriod.model_validate(_period(total(days))),
        method=f"{METHOD} {COUNTING}",
        factors=dict(FACTORS),
    )
