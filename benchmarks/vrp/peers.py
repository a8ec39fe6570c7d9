"""Peer solvers on the same instances and the same integer data: VROOM and PyVRP.

Both get exactly the matrices our solver gets (:func:`benchmarks.vrp.convert.scale_instance`:
travel times rounded up, windows inwards, distances rounded to the nearest integer at
the same scale) and the same fixed cost per vehicle, so the three are compared on one
problem and judged by the same checker. VROOM needs unsigned 32-bit matrices: at the
default scales (at most 10,000 per unit) every value stays far below 2**32.

Both return routes as lists of node numbers, depot left out. The packages are imported
only when a peer is run: they are benchmark dependencies, not the product's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from benchmarks.vrp.convert import ScaledInstance, scale_instance, vehicle_cost_bound
from benchmarks.vrp.instances import Instance

Routes = list[list[int]]


def solve_vroom(
    instance: Instance,
    time_limit_s: float | None = None,
    *,
    scaled: ScaledInstance | None = None,
    vehicle_cost: int | None = None,
    exploration_level: int = 5,
    threads: int = 1,
) -> Routes:
    """Solve with VROOM (pyvroom): exploration level 5 and one thread by default.

    VROOM stops on its own (a couple of seconds at level 5 on 100 customers);
    ``time_limit_s`` only caps it. Its cost is the scaled distance matrix plus the
    fixed cost per vehicle.
    """
    import vroom

    s = scaled if scaled is not None else scale_instance(instance)
    fixed = vehicle_cost if vehicle_cost is not None else vehicle_cost_bound(instance, s)
    inp = vroom.Input()
    inp.set_durations_matrix("euclid", s.durations)
    inp.set_distances_matrix("euclid", s.distances)
    inp.set_costs_matrix("euclid", s.distances)
    for k in range(instance.vehicles):
        inp.add_vehicle(
            vroom.Vehicle(
                k + 1,
                start=0,
                end=0,
                profile="euclid",
                capacity=[instance.capacity],
                time_window=vroom.TimeWindow(s.ready[0], s.due[0]),
                costs=vroom.VehicleCosts(fixed=fixed),
            )
        )
    for c in instance.customers:
        if c.is_delivery:
            continue
        if c.is_pickup:
            assert c.delivery is not None
            d = c.delivery
            inp.add_job(
                vroom.Shipment(
                    vroom.ShipmentStep(
                        c.id,
                        location=c.id,
                        default_service=s.service[c.id],
                        time_windows=[vroom.TimeWindow(s.ready[c.id], s.due[c.id])],
                    ),
                    vroom.ShipmentStep(
                        d,
                        location=d,
                        default_service=s.service[d],
                        time_windows=[vroom.TimeWindow(s.ready[d], s.due[d])],
                    ),
                    amount=[c.demand],
                )
            )
        else:
            inp.add_job(
                vroom.Job(
                    c.id,
                    location=c.id,
                    default_service=s.service[c.id],
                    delivery=[c.demand],
                    time_windows=[vroom.TimeWindow(s.ready[c.id], s.due[c.id])],
                )
            )
    timeout = timedelta(seconds=time_limit_s) if time_limit_s else None
    sol = inp.solve(exploration_level=exploration_level, nb_threads=threads, timeout=timeout)
    out = sol.to_dict()
    return [
        [int(step["location_index"]) for step in r["steps"] if step["type"] in _VROOM_TASKS]
        for r in out["routes"]
    ]


_VROOM_TASKS = {"job", "pickup", "delivery"}


def solve_pyvrp(
    instance: Instance,
    time_limit_s: float,
    *,
    scaled: ScaledInstance | None = None,
    vehicle_cost: int | None = None,
    seed: int = 0,
) -> Routes:
    """Solve with PyVRP (``pyvrp.solve`` stopped by ``MaxRuntime``).

    PyVRP 0.14 has shipments, so Li & Lim pairs are solved too. Its cost is the scaled
    distance plus the fixed cost per vehicle; durations play no part in the cost.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    s = scaled if scaled is not None else scale_instance(instance)
    fixed = vehicle_cost if vehicle_cost is not None else vehicle_cost_bound(instance, s)
    clients, shipments = [], []
    client_nodes: list[int] = []
    shipment_nodes: list[tuple[int, int]] = []
    for c in instance.customers:
        if c.is_delivery:
            continue
        if c.is_pickup:
            assert c.delivery is not None
            d = c.delivery
            shipments.append(
                pyvrp.Shipment(
                    c.id,
                    d,
                    pickup_tw_early=s.ready[c.id],
                    pickup_tw_late=s.due[c.id],
                    pickup_service_duration=s.service[c.id],
                    delivery_tw_early=s.ready[d],
                    delivery_tw_late=s.due[d],
                    delivery_service_duration=s.service[d],
                    amount=[c.demand],
                )
            )
            shipment_nodes.append((c.id, d))
        else:
            clients.append(
                pyvrp.Client(
                    c.id,
                    delivery=[c.demand],
                    service_duration=s.service[c.id],
                    tw_early=s.ready[c.id],
                    tw_late=s.due[c.id],
                )
            )
            client_nodes.append(c.id)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(n.x, n.y) for n in instance.nodes],
        clients=clients,
        depots=[pyvrp.Depot(0, tw_early=s.ready[0], tw_late=s.due[0])],
        vehicle_types=[
            pyvrp.VehicleType(
                instance.vehicles,
                capacity=[instance.capacity],
                fixed_cost=fixed,
                tw_early=s.ready[0],
                tw_late=s.due[0],
            )
        ],
        distance_matrices=[s.distances],  # type: ignore[list-item]
        duration_matrices=[s.durations],  # type: ignore[list-item]
        shipments=shipments,
    )
    result = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    kind = pyvrp.ActivityType
    routes: Routes = []
    for route in result.best.routes():
        nodes = []
        for act in route.schedule():
            if act.type == kind.CLIENT:
                nodes.append(client_nodes[act.idx])
            elif act.type == kind.PICKUP:
                nodes.append(shipment_nodes[act.idx][0])
            elif act.type == kind.DELIVERY:
                nodes.append(shipment_nodes[act.idx][1])
        routes.append(nodes)
    return routes


#: peer name → solver(instance, time_limit_s, scaled=..., vehicle_cost=...)
PEERS: dict[str, Callable[..., Routes]] = {"vroom": solve_vroom, "pyvrp": solve_pyvrp}


def solve_with_peer(
    name: str,
    instance: Instance,
    time_limit_s: float,
    *,
    scaled: ScaledInstance | None = None,
    vehicle_cost: int | None = None,
) -> Routes:
    """Run the peer called ``name`` (``vroom`` or ``pyvrp``).

    Raises
    ------
    ValueError
        For an unknown peer name.
    """
    try:
        solver = PEERS[name]
    except KeyError:
        msg = f"unknown peer {name!r}; known: {', '.join(PEERS)}."
        raise ValueError(msg) from None
    return solver(instance, time_limit_s, scaled=scaled, vehicle_cost=vehicle_cost)
