"""Plan one day: shops, orders and couriers on a street network, into rounds.

This is the glue between the day's inputs (:mod:`logistics.inputs`), the street
network (:mod:`routing.network`) and the pure solver (:mod:`routing.solver`): it snaps
every place to each mode's streets, builds the travel matrices, turns orders into jobs
in integer units, solves, and writes the result as the typed plan document
(:class:`~logistics.plan_document.PlanDocument`) that ``plan.json`` holds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from routing.network import StreetNetwork
from routing.params import SolveParams
from routing.problem import HORIZON, Job, Problem, TravelMatrix, Vehicle, Window
from routing.solution import Reason, Solution, StartRoute, Unassigned
from routing.solver import solve

from . import limits
from .impact import avoided_car_trips, courier_km, customer_trips, trip_points
from .inputs import Courier, DayInputs, Order
from .plan_document import (
    NetworkInfo,
    PlanDocument,
    PlanImpact,
    PlanRound,
    PlanStop,
    PlanSummary,
    SolverFacts,
    UnassignedOrder,
    UnavailableCourier,
)
from .ridden import split_legs
from .timeofday import format_clock
from .wording import courier_text, reason_text

Point = tuple[float, float]

#: the modes couriers use; the car graph only serves the avoided-trip count
COURIER_MODES = ("cargo_bike", "foot")


@dataclass(frozen=True)
class PlanSettings:
    """Service times and solver settings of a day's plan (seconds unless named)."""

    #: once per stop: park or lock the bike, find the door or the counter
    stop_time_s: int = 60
    #: per parcel, at the shop
    pickup_service_s: int = 60
    #: per parcel, at the customer
    delivery_service_s: int = 90
    time_limit_s: float = 30.0
    solution_limit: int | None = None
    seed: int = 0
    #: cost of one more courier, in seconds of work it must save to be worth it
    vehicle_cost_s: int = 3 * 3600
    #: weight of one second of total round time in the objective
    time_weight: int = 1

    def __post_init__(self) -> None:
        for name in ("stop_time_s", "pickup_service_s", "delivery_service_s", "vehicle_cost_s",
                     "time_weight", "seed"):
            if not isinstance(getattr(self, name), int) or isinstance(getattr(self, name), bool):
                msg = f"{name} must be a whole number."
                raise ValueError(msg)
        for name in ("stop_time_s", "pickup_service_s", "delivery_service_s", "vehicle_cost_s"):
            if getattr(self, name) < 0:
                msg = f"{name} must not be negative."
                raise ValueError(msg)
        limit = self.time_limit_s
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit < float("inf"):
            msg = "time_limit_s must be a positive number of seconds."
            raise ValueError(msg)
        if self.solution_limit is not None and (
            not isinstance(self.solution_limit, int) or self.solution_limit <= 0
        ):
            msg = "solution_limit must be a positive whole number."
            raise ValueError(msg)
        if self.time_weight <= 0:
            msg = "time_weight must be positive."
            raise ValueError(msg)

    def solve_params(self) -> SolveParams:
        """The solver's settings for these plan settings."""
        return SolveParams(
            time_limit_s=self.time_limit_s,
            solution_limit=self.solution_limit,
            seed=self.seed,
            objective="duration",
            vehicle_cost=self.vehicle_cost_s * self.time_weight,
            cost_weight=self.time_weight,
        )


class _Places:
    """Distinct points of the day, each with an index into the matrices."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self._index: dict[Point, int] = {}

    def add(self, lon: float, lat: float) -> int:
        key = (float(lon), float(lat))
        if key not in self._index:
            self._index[key] = len(self.points)
            self.points.append(key)
        return self._index[key]


def _mode_matrix(
    net: StreetNetwork, mode: str, points: Sequence[Point]
) -> tuple[TravelMatrix, list[str | None], list[int | None]]:
    """Integer travel matrix of one mode; points off that mode's network are unreachable,
    and so is a point that is not finite (a row stored before the checks): its order
    is left out as off the network rather than failing the day."""
    graph = net.graph(mode)
    usable = [i for i, (x, y) in enumerate(points) if math.isfinite(x) and math.isfinite(y)]
    snaps = graph.snap([points[i] for i in usable]) if usable else []
    snapped = dict(zip(usable, snaps, strict=True))
    ok = [i for i in usable if snapped[i].ok]
    n = len(points)
    durations = np.full((n, n), TravelMatrix.UNREACHABLE, dtype=np.int64)
    distances = np.full((n, n), TravelMatrix.UNREACHABLE, dtype=np.int64)
    np.fill_diagonal(durations, 0)
    np.fill_diagonal(distances, 0)
    if ok:
        d, m = graph.matrix([points[i] for i in ok])
        finite = np.isfinite(d)
        dur = np.where(finite, np.ceil(np.where(finite, d, 0)), TravelMatrix.UNREACHABLE)
        dist = np.where(finite, np.round(np.where(finite, m, 0)), TravelMatrix.UNREACHABLE)
        idx = np.ix_(ok, ok)
        durations[idx] = np.minimum(dur, TravelMatrix.UNREACHABLE).astype(np.int64)
        distances[idx] = np.minimum(dist, TravelMatrix.UNREACHABLE).astype(np.int64)
    reasons: list[str | None] = []
    for i, (x, y) in enumerate(points):
        snap = snapped.get(i)
        if snap is None:
            reasons.append(f"({x}, {y}) is not a finite point")
        else:
            reasons.append(None if snap.ok else (snap.reason or f"off the {mode} network"))
    gaps = [int(snapped[i].distance_m) if i in snapped and math.isfinite(snapped[i].distance_m)
            else None for i in range(n)]
    return TravelMatrix(durations, distances), reasons, gaps


def _grams(kg: float) -> int:
    return int(math.ceil(kg * 1000 - 1e-9))


@dataclass(frozen=True)
class DayProblem:
    """A day turned into the solver's :class:`~routing.problem.Problem`, with what the
    plan document needs beside it: the orders and couriers left out before solving,
    the points behind the matrix indices, the hub's index and the matrices' time."""

    problem: Problem
    early: tuple[Unassigned, ...]
    unavailable: tuple[UnavailableCourier, ...]
    points: tuple[Point, ...]
    hub: int | None
    matrix_seconds: float


def plan_day(
    day: DayInputs,
    net: StreetNetwork,
    settings: PlanSettings | None = None,
    *,
    keep: Mapping[str, str] | None = None,
    on_board: Mapping[str, str] | None = None,
    start: Sequence[StartRoute] | None = None,
) -> PlanDocument:
    """Plan the day's rounds and measure what they avoid.

    Parameters
    ----------
    day
        Shops, orders and couriers, already checked.
    net
        The street network the places lie on.
    settings
        Service times and solver settings.
    keep
        Orders kept to one courier (order id -> courier id): a plan in force keeps its
        orders with the couriers who were told, and a dispatcher's move sends one to
        another courier.
    on_board
        Orders already picked up (order id -> courier id): loaded at that courier's
        start, delivered by them; their shop is not visited again.
    start
        The rounds in force (courier id and visits by order id): the plan is changed
        from them rather than made again, and every order they carry that still fits
        stays planned (:func:`routing.solver.solve`).

    Returns
    -------
    PlanDocument
        The plan: ``network``, ``rounds`` (with stops and street geometry),
        ``unassigned`` (with reasons), ``couriers_unavailable``, ``summary``, ``impact``
        and ``solver`` (settings and search facts, for audit).
    """
    settings = settings or PlanSettings()
    started = time.monotonic()
    built = build_day_problem(day, net, settings, keep=keep, on_board=on_board)
    solution = solve(built.problem, settings.solve_params(), start=start)
    return plan_from_solution(day, net, built, solution, settings, started=started)


def build_day_problem(
    day: DayInputs,
    net: StreetNetwork,
    settings: PlanSettings | None = None,
    *,
    keep: Mapping[str, str] | None = None,
    on_board: Mapping[str, str] | None = None,
) -> DayProblem:
    """The day as the solver's problem (matrices per mode, jobs, vehicles), before any
    search; :func:`plan_day` solves it, and the benchmarks hand the same one to peers.
    The parameters are :func:`plan_day`'s."""
    settings = settings or PlanSettings()
    started = time.monotonic()
    shops = day.shop_by_id()
    places = _Places()
    courier_at: dict[str, tuple[int, int]] = {}
    for c in day.couriers:
        courier_at[c.courier_id] = (
            places.add(c.start_lon, c.start_lat),
            places.add(c.end_lon, c.end_lat),
        )
    # The hub, where parcels without a shop wait: where most couriers start.
    starts = [courier_at[c.courier_id][0] for c in day.couriers]
    hub_at = max(sorted(set(starts)), key=starts.count) if starts else None
    shop_at = {s.shop_id: places.add(s.lon, s.lat) for s in day.shops}
    customer_at = {o.order_id: places.add(o.customer_lon, o.customer_lat) for o in day.orders}

    modes_used = sorted({c.mode for c in day.couriers})
    matrices: dict[str, TravelMatrix] = {}
    off: dict[str, list[str | None]] = {}
    gap: dict[str, list[int | None]] = {}  # metres from a point off a mode's streets to them
    for mode in modes_used:
        matrices[mode], off[mode], gap[mode] = _mode_matrix(net, mode, places.points)
    matrix_s = time.monotonic() - started

    # Couriers whose start or end is off their mode's streets cannot ride at all, nor
    # can one whose capacity is no size (a row stored before the checks).
    vehicles: list[Vehicle] = []
    unavailable: list[UnavailableCourier] = []
    for c in day.couriers:
        start, end = courier_at[c.courier_id]
        off_streets = off[c.mode][start] or off[c.mode][end]
        size = _capacity_problem(c)
        if size:
            unavailable.append(UnavailableCourier(
                courier_id=c.courier_id, reason=size, code="capacity_invalid",
                detail=courier_text("capacity_invalid", {"field": size.split()[0]})))
            continue
        if off_streets:
            gaps = [m for m in (gap[c.mode][start], gap[c.mode][end]) if m is not None]
            unavailable.append(UnavailableCourier(
                courier_id=c.courier_id, reason=f"start or end {off_streets}", code="off_streets",
                detail=courier_text("off_streets", {"metres": max(gaps)} if gaps else {})))
            continue
        vehicles.append(
            Vehicle(
                c.courier_id,
                c.mode,
                _grams(c.capacity_kg),
                _grams(c.capacity_l),
                Window(c.shift_start, c.shift_end),
                start,
                end,
            )
        )

    keep = dict(keep or {})
    on_board = dict(on_board or {})
    riding = {v.id for v in vehicles}
    jobs: list[Job] = []
    early: list[Unassigned] = []
    for o in day.orders:
        if o.order_id in day.unplaced:
            early.append(Unassigned(o.order_id, Reason.ADDRESS_UNKNOWN,
                                    f"customer_address: {day.unplaced[o.order_id]}"))
            continue
        absurd = _size_problem(o)
        if absurd is not None:
            early.append(absurd)
            continue
        courier = on_board.get(o.order_id) or keep.get(o.order_id)
        if courier is not None and courier not in riding:
            early.append(Unassigned(
                o.order_id, Reason.NO_COURIER_LEFT, f"kept to courier {courier}, who cannot ride"
            ))
            continue
        pinned = (courier,) if courier is not None else None
        if o.order_id in on_board:
            jobs.append(Job(
                id=o.order_id, delivery=customer_at[o.order_id], pickup=None,
                basket=o.basket_id, weight=_grams(o.weight_kg), volume=_grams(o.volume_l),
                delivery_window=Window(o.deliver_from, o.deliver_to),
                delivery_service=settings.delivery_service_s, vehicles=pinned,
            ))
            continue
        pre = _prescreen(o, shop_at, customer_at, off, gap, shops, modes_used)
        if pre is not None:
            early.append(pre)
            continue
        if o.shop_id is None:
            # Picked up at the hub like at a shop, so a courier can come back for
            # parcels that are ready later in the day.
            pickup, window = hub_at, Window(o.ready_at, HORIZON)
        else:
            shop = shops[o.shop_id]
            pickup = shop_at[o.shop_id]
            window = Window(max(shop.opens, o.ready_at), shop.closes)
        jobs.append(
            Job(
                id=o.order_id,
                delivery=customer_at[o.order_id],
                pickup=pickup,
                basket=o.basket_id,
                weight=_grams(o.weight_kg),
                volume=_grams(o.volume_l),
                pickup_window=window,
                delivery_window=Window(o.deliver_from, o.deliver_to),
                pickup_service=settings.pickup_service_s,
                delivery_service=settings.delivery_service_s,
                vehicles=pinned,
            )
        )
    problem = Problem(tuple(jobs), tuple(vehicles), matrices, stop_time=settings.stop_time_s)
    return DayProblem(problem, tuple(early), tuple(unavailable), tuple(places.points), hub_at, matrix_s)


def plan_from_solution(
    day: DayInputs,
    net: StreetNetwork,
    built: DayProblem,
    solution: Solution,
    settings: PlanSettings,
    *,
    started: float | None = None,
) -> PlanDocument:
    """The plan document of ``solution`` to ``built``; ``started`` (``time.monotonic()``)
    dates the planning's start for ``solver.total_seconds``."""
    timings = {"matrix_seconds": round(built.matrix_seconds, 3)}
    plan = _document(
        day, net, list(built.points), built.problem, solution, list(built.early),
        list(built.unavailable), settings, built.hub, timings,
    )
    if started is None:
        return plan
    total = round(time.monotonic() - started, 3)
    return plan.model_copy(update={"solver": plan.solver.model_copy(update={"total_seconds": total})})


def _size_problem(o: Order) -> Unassigned | None:
    """An order whose weight or volume is no size the platform takes (not finite, or
    above :data:`~logistics.limits.MAX_WEIGHT_KG` / ``MAX_VOLUME_L``): left out as
    ``too_heavy`` / ``too_bulky`` with its figures. The API and the files refuse such
    an order, but a row stored before those checks (or written straight to the store)
    must not fail the whole day by overflowing the solver's integer grams."""
    problem = limits.number_problem(o.weight_kg, limits.MAX_WEIGHT_KG, "kg")
    if problem is not None:
        return Unassigned(o.order_id, Reason.TOO_HEAVY, f"weight_kg {problem}")
    problem = limits.number_problem(o.volume_l, limits.MAX_VOLUME_L, "L")
    if problem is not None:
        return Unassigned(o.order_id, Reason.TOO_BULKY, f"volume_l {problem}")
    return None


def _capacity_problem(c: Courier) -> str | None:
    """Why a courier's capacity is no size the platform takes (not finite, negative,
    above :data:`~logistics.limits.MAX_CAPACITY_KG` / ``MAX_CAPACITY_L``); such a
    courier is left out of the day as unavailable, with this reason."""
    for name, value, maximum, unit in (
        ("capacity_kg", c.capacity_kg, limits.MAX_CAPACITY_KG, "kg"),
        ("capacity_l", c.capacity_l, limits.MAX_CAPACITY_L, "L"),
    ):
        problem = limits.number_problem(value, maximum, unit)
        if problem is not None:
            return f"{name} {problem}"
    return None


def _off_facts(where: str, gaps: Sequence[int | None]) -> dict[str, int]:
    """The figures of a place off every mode's streets: which place, and how far the
    nearest street is (when the point is a point at all)."""
    known = [g for g in gaps if g is not None]
    return {where: 1, "distance_m": min(known)} if known else {where: 1}


def _prescreen(
    o: Order,
    shop_at: dict[str, int],
    customer_at: dict[str, int],
    off: dict[str, list[str | None]],
    gap: dict[str, list[int | None]],
    shops: dict,
    modes: Sequence[str],
) -> Unassigned | None:
    """Reasons known before solving: off every courier network, or the shop never open."""
    cust = customer_at[o.order_id]
    if all(off[m][cust] for m in modes):
        return Unassigned(o.order_id, Reason.OFF_NETWORK, f"customer address {off[modes[0]][cust]}",
                          _off_facts("at_customer", [gap[m][cust] for m in modes]))
    if o.shop_id is not None:
        s = shop_at[o.shop_id]
        if all(off[m][s] for m in modes):
            return Unassigned(o.order_id, Reason.OFF_NETWORK, f"shop {off[modes[0]][s]}",
                              _off_facts("at_shop", [gap[m][s] for m in modes]))
        shop = shops[o.shop_id]
        if max(shop.opens, o.ready_at) > shop.closes:
            return Unassigned(
                o.order_id,
                Reason.SHOP_CLOSED,
                f"ready at {format_clock(o.ready_at)}, after the shop closes "
                f"({format_clock(shop.closes)})",
                {"ready_at": o.ready_at, "shop_closes": shop.closes},
            )
        if shop.opens > o.deliver_to:
            return Unassigned(
                o.order_id,
                Reason.SLOT_IMPOSSIBLE,
                f"the shop opens at {format_clock(shop.opens)}, after the slot ends "
                f"({format_clock(o.deliver_to)})",
                {"shop_opens": shop.opens, "window_end": o.deliver_to},
            )
    if o.ready_at > o.deliver_to:
        return Unassigned(
            o.order_id,
            Reason.SLOT_IMPOSSIBLE,
            f"ready at {format_clock(o.ready_at)}, after the slot ends ({format_clock(o.deliver_to)})",
            {"ready_at": o.ready_at, "window_end": o.deliver_to},
        )
    return None


def _detail(u: Unassigned) -> str:
    """The reason in French, with its figures (times of day, kilograms, litres)."""
    if u.reason in (Reason.TOO_HEAVY, Reason.TOO_BULKY) and not u.facts:
        # A size that is no number the platform takes (a row stored before the checks).
        what = "poids" if u.reason == Reason.TOO_HEAVY else "volume"
        return f"{reason_text(str(u.reason))} ({what} non valide ou au-delà de ce que la plateforme accepte)"
    return reason_text(str(u.reason), u.facts)


def _document(
    day: DayInputs,
    net: StreetNetwork,
    points: list[Point],
    problem: Problem,
    solution: Solution,
    early: list[Unassigned],
    unavailable: list[UnavailableCourier],
    settings: PlanSettings,
    hub: int | None,
    timings: Mapping[str, float],
) -> PlanDocument:
    couriers: dict[str, Courier] = {c.courier_id: c for c in day.couriers}
    orders = {o.order_id: o for o in day.orders}
    vehicles = {v.id: v for v in problem.vehicles}
    rounds = []
    for route in solution.routes:
        c = couriers[route.vehicle_id]
        vehicle = vehicles[route.vehicle_id]
        start_pt, end_pt = points[vehicle.start], points[vehicle.end]
        stops = [PlanStop(
            kind="start", lon=start_pt[0], lat=start_pt[1], arrival=route.start_time,
            departure=route.start_time, load_kg=route.start_load_weight / 1000,
            load_l=route.start_load_volume / 1000,
        )]
        for v in route.visits:
            pt = points[v.location]
            stops.append(PlanStop(
                kind=v.kind, order_ids=list(v.job_ids),
                shop_id=orders[v.job_ids[0]].shop_id if v.kind == "pickup" else None,
                lon=pt[0], lat=pt[1], arrival=v.arrival, departure=v.departure,
                load_kg=v.load_weight / 1000, load_l=v.load_volume / 1000,
            ))
        stops.append(PlanStop(
            kind="end", lon=end_pt[0], lat=end_pt[1], arrival=route.end_time,
            departure=route.end_time, load_kg=0.0, load_l=0.0,
        ))
        path = [start_pt, *(points[v.location] for v in route.visits), end_pt]
        geometry = net.graph(c.mode).route_geometry(path)
        legs = split_legs([(round(x, 6), round(y, 6)) for x, y in geometry],
                          [(s.lon, s.lat) for s in stops], route.distance)
        stops = [s.model_copy(update={"leg_m": leg.metres if leg else None})
                 for s, leg in zip(stops, legs, strict=True)]
        rounds.append(PlanRound(
            courier_id=c.courier_id, mode=c.mode, distance_m=route.distance,
            duration_s=route.duration, travel_s=route.travel_time, start=route.start_time,
            end=route.end_time, orders=len(route.job_ids), stops=stops,
            geometry=[(round(x, 6), round(y, 6)) for x, y in geometry],
        ))

    order_rank = {o.order_id: i for i, o in enumerate(day.orders)}
    unassigned = sorted(
        (UnassignedOrder(order_id=u.job_id, reason=str(u.reason), detail=_detail(u),
                         facts=dict(u.facts))
         for u in [*early, *solution.unassigned]),
        key=lambda u: order_rank[u.order_id],
    )
    planned = [o for r in solution.routes for o in r.job_ids]
    impact = _impact(day, net, planned, points[hub] if hub is not None else (0.0, 0.0))
    km = courier_km((r.mode, r.distance_m) for r in rounds)
    summary = PlanSummary(
        orders=len(day.orders), planned=len(planned), unassigned=len(unassigned),
        couriers=len(day.couriers), couriers_used=len(rounds),
        bike_km=km["bike_km"], foot_km=km["foot_km"],
        car_trips_avoided=impact.car_trips_avoided, car_km_avoided=impact.car_km_avoided,
        co2_avoided_kg=impact.co2_avoided_kg,
    )
    return PlanDocument(
        network=NetworkInfo(source=net.source, bounds=net.bounds),
        summary=summary,
        rounds=rounds,
        unassigned=unassigned,
        couriers_unavailable=unavailable,
        impact=impact,
        solver=SolverFacts(settings=asdict(settings), stats=solution.stats, cost=solution.cost,
                           **timings),
    )


def _impact(day: DayInputs, net: StreetNetwork, planned: list[str], hub: Point) -> PlanImpact:
    """The car trips the planned orders spare, measured on the car network."""
    trips = customer_trips(day, planned, hub)
    trip_pts = trip_points(trips)
    if trip_pts:
        car = net.graph("car")
        snaps = car.snap(trip_pts)
        ok = [i for i, s in enumerate(snaps) if s.ok]
        car_m = np.full((len(trip_pts), len(trip_pts)), np.inf)
        if ok:
            _, dist = car.matrix([trip_pts[i] for i in ok])
            car_m[np.ix_(ok, ok)] = dist
        impact = avoided_car_trips(trips, trip_pts, car_m)
    else:
        impact = avoided_car_trips([], [], np.zeros((0, 0)))
    return PlanImpact.model_validate(impact.as_dict(with_trips=True))
