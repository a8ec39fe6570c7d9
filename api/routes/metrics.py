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
    substitution,
)
from logistics.open_data import (
    COLUMNS,
    Header,
    dumps,
    method_text,
    passages_geojson,
    publish,
    to_csv,
    to_geojson,
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
from logistics.store.open_data import month_cells, passages
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


#: a range's first and last days, as the query gives them
FromDay = Annotated[
    str | None, Query(alias="from", description="first day, YYYY-MM-DD (default: 29 days before to)")]
ToDay = Annotated[str | None, Query(description="last day, YYYY-MM-DD (default: today)")]
#: the refusals of a route that reads a range of days
RANGE_ERRORS = error_responses(401, 403, 422, notes={
    401: "no valid token",
    403: "neither a city nor a dispatcher token",
    422: "a bad date or one out of range, from after to, or more than 366 days",
})

#: the net figures' columns in the CSV, after the gross ones
NET_NAMES = ("car_km_avoided_net", "co2_avoided_net_kg", "courier_co2_kg", "substitution_share",
             "survey_answers", "substitution_source")

#: how the net figures are made, after the gross ones' method
NET_METHOD = (
    "Chiffres nets : les km et le CO2e évités multipliés par la part des commandes livrées qui "
    "ont remplacé un trajet en voiture, celle des réponses des clients sur la page de suivi "
    "quand la période en compte SURVEY_MIN_ANSWERS, sinon la part par défaut et sa source ; "
    "les émissions des vélos cargo (km x le facteur du vélo ; la marche aucune) sont déduites "
    "du CO2e."
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
                "description": "one row per day: date, then the gross figures and the net ones "
                               "(km, kg and shares to 3 decimals)",
            }}},
            "description": "JSON, or CSV with format=csv",
        },
        **RANGE_ERRORS,
    },
)
def impact(
    db: SessionDep,
    _: CityOrDispatcher,
    from_: FromDay = None,
    to: ToDay = None,
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
        out.writerow(["date", *FIGURE_NAMES, *NET_NAMES])
        for d in days:
            figures = {**d.figures.as_dict(), **_net(d.figures, d.day, d.day, answers)}
            out.writerow(
                [d.day.isoformat()]
                + [f"{figures[k]:.3f}" if isinstance(figures[k], float) else figures[k]
                   for k in (*FIGURE_NAMES, *NET_NAMES)]
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


#: YYYY-MM, ASCII digits
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
#: what the open data is called in its files
OPEN_DATA_TITLE = "Livraisons à vélo cargo et à pied : agrégats mensuels par carreau de 500 m"
PASSAGES_TITLE = "Passages des vélos cargo par tronçon de rue"
#: the street lines come from OpenStreetMap: the map is a database derived from it
PASSAGES_LICENCE = ("Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/ ; "
                    "tracé des rues © les contributeurs d'OpenStreetMap")


def _month(value: str | None) -> tuple[str, dt.date, dt.date]:
    """The month asked (default: the last whole month) as its label, first and last days."""
    if value is None:
        first = (clock.today().replace(day=1) - dt.timedelta(1)).replace(day=1)
    else:
        m = _MONTH.fullmatch(value)
        if m is None:
            raise invalid("month", f"{value!r} is not a month YYYY-MM")
        first = dt.date(int(m[1]), int(m[2]), 1)
    last = (first + dt.timedelta(32)).replace(day=1) - dt.timedelta(1)
    limits.check_read_day("month", first)
    return f"{first:%Y-%m}", first, last


def _download(body: str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/open-data",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string", "description": (
                    "lines starting with # (title, producer, licence, method, what was left out), "
                    "then one row per cell: " + ", ".join(COLUMNS))}},
                "application/geo+json": {"schema": {"type": "object", "description": (
                    "a FeatureCollection (WGS84): one feature per cell or group of cells, "
                    "with licence and method as members")}},
            },
            "description": "the month's aggregates per 500 m cell, cells under the threshold "
                           "grouped by 1 km cell or left out",
        },
        **error_responses(401, 403, 422, notes={
            401: "no valid token",
            403: "neither a city nor a dispatcher token",
            422: "a bad month, one out of the days kept, or a bad format",
        }),
    },
)
def open_data(
    db: SessionDep,
    _: CityOrDispatcher,
    month: Annotated[str | None, Query(description="YYYY-MM (default: the last whole month)")] = None,
    fmt: Annotated[str, Query(alias="format", description="csv (default) or geojson")] = "csv",
) -> Response:
    """A month of deliveries per 500 m cell, for publishing: deliveries, share on foot,
    avoided car km (gross and net), cargo-bike km; no cell under OPEN_DATA_MIN_COUNT."""
    if fmt not in ("csv", "geojson"):
        raise invalid("format", f"{fmt!r} is not csv or geojson")
    label, first, last = _month(month)
    settings = get_settings()
    srid, cells = month_cells(db, first, last)
    published = publish(srid, cells, settings.open_data_min_count)
    answers = answers_by_day(db, first, last)
    share, source = substitution(sum(a for a, _ in answers.values()),
                                 sum(c for _, c in answers.values()), settings.survey_min_answers)
    header = Header(f"{OPEN_DATA_TITLE}, {label}", settings.open_data_producer,
                    settings.open_data_licence,
                    method_text(srid, settings.open_data_min_count, share, source))
    name = f"livraisons_{label}_carreaux_500m"
    if fmt == "csv":
        return _download(to_csv(label, published, share, header), "text/csv; charset=utf-8", f"{name}.csv")
    return _download(dumps(to_geojson(label, published, share, header)), "application/geo+json",
                     f"{name}.geojson")


@router.get(
    "/passages",
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {"schema": {"type": "object", "description": (
                "a FeatureCollection (WGS84) of MultiLineStrings, each with its number of "
                "cargo-bike passages; segments under the threshold left out")}}},
            "description": "the streets the cargo bikes rode in the range, by passages",
        },
        **RANGE_ERRORS,
    },
)
def bike_passages(
    db: SessionDep,
    _: CityOrDispatcher,
    from_: FromDay = None,
    to: ToDay = None,
) -> Response:
    """Street segments by cargo-bike passages over the rounds ridden, to plan cycle lanes
    and loading bays; a segment ridden fewer than OPEN_DATA_MIN_COUNT times is left out."""
    first, last = _date_range(from_, to)
    settings = get_settings()
    k = settings.open_data_min_count
    method = (
        "Chaque tronçon de rue compte une fois par trajet de vélo cargo qui l'a parcouru (dans un "
        "sens ou l'autre), sur les tournées des plans en vigueur, jusqu'au dernier arrêt pointé "
        "de chaque tournée et le retour quand la tournée est finie. Les tronçons parcourus moins "
        f"de {k} fois ne sont pas publiés, ni les bouts de rue qui mènent à une porte."
    )
    header = Header(f"{PASSAGES_TITLE}, {first.isoformat()} au {last.isoformat()}",
                    settings.open_data_producer, PASSAGES_LICENCE, method)
    doc = passages_geojson(passages(db, first, last, k), header, first.isoformat(), last.isoformat(), k)
    return _download(dumps(doc), "application/geo+json",
                     f"passages_velo_cargo_{first.isoformat()}_{last.isoformat()}.geojson")
