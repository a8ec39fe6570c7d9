"""What the deliveries spared, day by day, from the plans in force: aggregates only.

For each day of a range the figures come from that day's plan in force (published and
not withdrawn; a day without one has zeros) and from what happened since: the orders
delivered or failed, the avoided car trips of the plan (see :mod:`logistics.impact`)
that a delivered order made real, and the kilometres of the rounds actually ridden.
Four queries cover the whole range, whatever its length; nothing here names an order,
a courier or a place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from logistics.impact import CAR_KG_CO2E_PER_KM
from logistics.store.models import Order, OrderStatus, Plan
from logistics.store.plans import in_force

#: the longest range one call covers (a leap year)
MAX_DAYS = 366

#: the key of ``plan["impact"]["factors"]`` that holds kg CO2e per car km
CO2_FACTOR_KEY = "car_kg_co2e_per_km"

#: what :func:`daily_impact` counts, one sentence to follow :data:`logistics.impact.METHOD`
COUNTING = (
    "Ces chiffres comptent, pour chaque jour avec un plan en vigueur (publié et non retiré ; "
    "un jour sans plan montre des zéros), les commandes du jour dont le statut est maintenant "
    "livré ou en échec, les trajets en voiture évités du plan qui comprennent au moins une "
    "commande livrée (chacun à la distance en voiture entière que le plan a mesurée, son CO2e "
    "avec le facteur que le plan a retenu), et la distance réellement parcourue des tournées "
    "à vélo cargo et à pied : le chemin de chaque tournée compte jusqu'à son dernier arrêt "
    "avec un événement (arrivé, retiré, livré, en échec ou rapporté), arrêts sautés en route "
    "compris, et jusqu'à sa fin une fois tous ses arrêts faits ; une tournée sans aucun "
    "événement ne compte rien."
)


@dataclass(frozen=True)
class Figures:
    """The sums reported for a day, a week or a range (kilometres and kg unrounded)."""

    orders_delivered: int = 0
    orders_failed: int = 0
    car_trips_avoided: int = 0
    car_km_avoided: float = 0.0
    co2_avoided_kg: float = 0.0
    bike_km: float = 0.0
    foot_km: float = 0.0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, int | float]:
        """The figures by name, kilometres and kilograms rounded to 3 decimals."""
        return {
            f.name: round(v, 3) if isinstance(v, float) else v
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }


#: the figures' names, in the order of the CSV columns
FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True)
class DayImpact:
    day: dt.date
    plan_in_force: bool
    figures: Figures


@dataclass(frozen=True)
class PeriodImpact:
    """The sums over some days of a range: an ISO week (``label`` like ``2031-W10``,
    cut to the range) or the whole range (``label`` None)."""

    label: str | None
    first: dt.date
    last: dt.date
    days_with_plan: int
    figures: Figures


def _in_force(first: dt.date, last: dt.date) -> ColumnElement[bool]:
    return and_(in_force(), Plan.day.between(first, last))


# The trips of each plan in force whose orders include one now delivered, set-based:
# every (day, trip, order id) of the range is joined to the orders once, so that a year
# of plans costs one pass, not one lookup of the orders per trip. A day has at most one
# plan in force, so (day, trip number) names a trip. Anything but a list where the plan
# document should have one counts as empty: an odd document gives zeros, not an error.
#: each avoided trip of the plans in force with each of its orders now delivered
#: (``made``: day, trip number n, km, the plan's CO2 factor, order id, customer point)
TRIPS_MADE = """
    WITH trip AS (
        SELECT p.day, t.n, t.value,
               coalesce((t.value ->> 'car_km')::float, 0) AS km,
               coalesce((p.result -> 'impact' -> 'factors' ->> :factor_key)::float,
                        :default_factor) AS factor
        FROM plans AS p
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(p.result -> 'impact' -> 'trips') = 'array'
                 THEN p.result -> 'impact' -> 'trips' ELSE '[]'::jsonb END
        ) WITH ORDINALITY AS t(value, n)
        WHERE p.published_at IS NOT NULL AND p.withdrawn_at IS NULL
          AND p.day BETWEEN :first AND :last
    ),
    made AS (
        SELECT trip.day, trip.n, trip.km, trip.factor, o.id AS order_id,
               o.customer_location
        FROM trip
        CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(trip.value -> 'order_ids') = 'array'
                 THEN trip.value -> 'order_ids' ELSE '[]'::jsonb END
        ) AS trip_order(id)
        JOIN orders AS o ON o.id = trip_order.id
        WHERE o.status = 'delivered'
    )
"""

#: the parameters of :data:`TRIPS_MADE` besides the range
TRIP_FACTORS = {"factor_key": CO2_FACTOR_KEY, "default_factor": CAR_KG_CO2E_PER_KM}

_TRIPS_SQL = text(TRIPS_MADE + """
    SELECT day, count(*) AS trips, sum(km) AS car_km, sum(km * factor) AS co2_kg
    FROM (SELECT DISTINCT ON (day, n) day, n, km, factor FROM made ORDER BY day, n) AS one
    GROUP BY day
""")


#: the ridden stops of the rounds in force: those up to the round's last stop with an
#: event, and all of them once every work stop is finished (see logistics.ridden); a stop
#: is finished by a finishing event, or when its orders were all cancelled or failed
#: elsewhere (not a return: its parcels are failed by nature)
RIDDEN_STOPS = """
    WITH s AS (
        SELECT p.day, c.mode, st.round_id, st.seq, st.kind, st.leg_m, st.leg, st.id AS stop_id,
               EXISTS (SELECT 1 FROM stop_events e WHERE e.stop_id = st.id) AS has_event,
               (EXISTS (SELECT 1 FROM stop_events e WHERE e.stop_id = st.id
                        AND e.type IN ('picked_up', 'delivered', 'failed', 'returned'))
                OR (st.kind <> 'return' AND jsonb_array_length(st.order_ids) > 0
                    AND NOT EXISTS (
                        SELECT 1 FROM jsonb_array_elements_text(st.order_ids) AS x(id)
                        JOIN orders AS o ON o.id = x.id
                        WHERE o.status NOT IN ('cancelled', 'failed')))) AS finished
        FROM plans AS p
        JOIN rounds AS r ON r.plan_id = p.id
        JOIN couriers AS c ON c.id = r.courier_id
        JOIN stops AS st ON st.round_id = r.id
        WHERE p.published_at IS NOT NULL AND p.withdrawn_at IS NULL
          AND p.day BETWEEN :first AND :last
    ),
    r AS (
        SELECT round_id, max(seq) FILTER (WHERE has_event) AS last_seq,
               coalesce(bool_and(finished) FILTER (
                   WHERE kind IN ('pickup', 'delivery', 'return')), true) AS ended
        FROM s GROUP BY round_id
    ),
    ridden AS (
        SELECT s.* FROM s JOIN r USING (round_id)
        WHERE r.last_seq IS NOT NULL AND (s.seq <= r.last_seq OR r.ended)
    )
"""

RIDDEN_SQL = text(RIDDEN_STOPS + """
    SELECT day, mode, sum(coalesce(leg_m, 0)) FROM ridden GROUP BY day, mode
""")


def check_range(first: dt.date, last: dt.date) -> None:
    """Raise ValueError ("to: ...") unless ``first <= last`` within :data:`MAX_DAYS`."""
    if last < first:
        msg = f"to: {last.isoformat()} is before from ({first.isoformat()})"
        raise ValueError(msg)
    if (last - first).days + 1 > MAX_DAYS:
        msg = f"to: at most {MAX_DAYS} days from {first.isoformat()}, so {(first + dt.timedelta(MAX_DAYS - 1)).isoformat()} at the latest"
        raise ValueError(msg)


def daily_impact(session: Session, first: dt.date, last: dt.date) -> list[DayImpact]:
    """Every day from ``first`` to ``last`` (both included) with its figures.

    Raises
    ------
    ValueError
        When ``last`` is before ``first`` or the range is longer than :data:`MAX_DAYS`.
    """
    check_range(first, last)
    planned_days = set(session.scalars(select(Plan.day).where(_in_force(first, last))))

    orders = session.execute(
        select(
            Order.delivery_date,
            func.count().filter(Order.status == OrderStatus.DELIVERED.value),
            func.count().filter(Order.status == OrderStatus.FAILED.value),
        )
        .join(Plan, and_(Plan.day == Order.delivery_date, _in_force(first, last)))
        .where(
            Order.delivery_date.between(first, last),
            Order.status.in_([OrderStatus.DELIVERED.value, OrderStatus.FAILED.value]),
        )
        .group_by(Order.delivery_date)
    ).all()

    trips = session.execute(
        _TRIPS_SQL,
        {"first": first, "last": last, **TRIP_FACTORS},
    ).all()

    rounds = session.execute(RIDDEN_SQL, {"first": first, "last": last}).all()

    per_day: dict[dt.date, dict[str, float]] = {}
    for day, delivered, failed in orders:
        per_day.setdefault(day, {}).update(orders_delivered=delivered, orders_failed=failed)
    for day, count, car_km, co2_kg in trips:
        per_day.setdefault(day, {}).update(
            car_trips_avoided=count, car_km_avoided=float(car_km), co2_avoided_kg=float(co2_kg)
        )
    for day, mode, metres in rounds:
        key = {"cargo_bike": "bike_km", "foot": "foot_km"}.get(mode)
        if key is not None:
            per_day.setdefault(day, {})[key] = float(metres or 0) / 1000.0

    out = []
    for i in range((last - first).days + 1):
        day = first + dt.timedelta(i)
        out.append(DayImpact(day, day in planned_days, Figures(**per_day.get(day, {}))))  # type: ignore[arg-type]
    return out


def _period(label: str | None, days: Sequence[DayImpact]) -> PeriodImpact:
    total = Figures()
    for d in days:
        total = total + d.figures
    return PeriodImpact(
        label, days[0].day, days[-1].day, sum(d.plan_in_force for d in days), total
    )


def iso_week(day: dt.date) -> str:
    """The ISO week of a day, like ``2031-W10`` (the ISO year, not the calendar one)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def by_week(days: Iterable[DayImpact]) -> list[PeriodImpact]:
    """The days grouped by ISO week, in order; the first and last weeks cut to the days given."""
    weeks: dict[str, list[DayImpact]] = {}
    for d in days:
        weeks.setdefault(iso_week(d.day), []).append(d)
    return [_period(label, ds) for label, ds in weeks.items()]


def total(days: Sequence[DayImpact]) -> PeriodImpact:
    """The sums over all the days given (at least one)."""
    return _period(None, days)
