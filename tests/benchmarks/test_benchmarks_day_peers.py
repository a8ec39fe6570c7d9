"""VROOM and PyVRP on a generated day (``benchmarks/day_peers.py``): the same Problem,
read back as routes and judged by our evaluator, which catches a broken route."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from benchmarks.day_peers import evaluate, routes_of, run_peer
from cli.main import main
from logistics.demo_day import generate_day
from logistics.planning import PlanSettings, build_day_problem
from routing.network import StreetNetwork
from routing.problem import Problem, Window
from routing.solver import solve

pytest.importorskip("vroom")
pytest.importorskip("pyvrp")

SETTINGS = PlanSettings(time_limit_s=2.0, seed=0)


@pytest.fixture(scope="module")
def small_day(town: StreetNetwork) -> Problem:
    """20 orders from 5 shops, 3 cargo bikes and a walker, on the grid town (both modes)."""
    day = generate_day(
        town.graph("cargo_bike").node_coordinates(), seed=3, n_orders=20, n_shops=5, n_bikes=3, n_walkers=1
    )
    problem = build_day_problem(day, town, SETTINGS).problem
    assert {v.profile for v in problem.vehicles} == {"cargo_bike", "foot"}
    assert any(j.basket is not None for j in problem.jobs)
    return problem


@pytest.fixture(scope="module")
def peer_routes(small_day: Problem) -> dict:
    """Each peer's routes on the small day, 2 s each."""
    return {
        name: run_peer(name, small_day, 2.0, vehicle_cost=SETTINGS.vehicle_cost_s)[0]
        for name in ("vroom", "pyvrp")
    }


@pytest.mark.parametrize("peer", ["vroom", "pyvrp"])
def test_peer_routes_feasible(small_day: Problem, peer_routes: dict, peer: str) -> None:
    score = evaluate(small_day, peer_routes[peer], baskets_in_one_stop=False)
    assert score.feasible, score.errors
    assert score.served > 0
    assert 0 < score.couriers <= len(small_day.vehicles)
    assert score.km > 0
    assert score.hours > 0


def test_ours_judged_alike(small_day: Problem) -> None:
    score = evaluate(small_day, routes_of(solve(small_day, SETTINGS.solve_params())))
    assert score.feasible, score.errors
    assert score.split_baskets == 0
    assert score.served > 0


def _first_route(peer_routes: dict) -> tuple[str, list]:
    vid, steps = peer_routes["pyvrp"][0]
    return vid, list(steps)


def test_late_delivery_caught(small_day: Problem, peer_routes: dict) -> None:
    vid, steps = _first_route(peer_routes)
    job_id = next(j for kind, j in steps if kind == "delivery")
    shift_start = next(v.shift.start for v in small_day.vehicles if v.id == vid)
    jobs = tuple(
        dataclasses.replace(j, delivery_window=Window(0, shift_start)) if j.id == job_id else j
        for j in small_day.jobs
    )
    score = evaluate(small_day.replace(jobs=jobs), [(vid, steps)], baskets_in_one_stop=False)
    assert any("after its window ends" in e for e in score.errors), score.errors


def test_overload_caught(small_day: Problem, peer_routes: dict) -> None:
    vid, steps = _first_route(peer_routes)
    vehicles = tuple(
        dataclasses.replace(v, capacity_weight=1) if v.id == vid else v for v in small_day.vehicles
    )
    score = evaluate(small_day.replace(vehicles=vehicles), [(vid, steps)], baskets_in_one_stop=False)
    assert any("out of bounds" in e for e in score.errors), score.errors


def test_delivery_before_pickup_caught(small_day: Problem, peer_routes: dict) -> None:
    vid, steps = _first_route(peer_routes)
    job_id = next(j for kind, j in steps if kind == "pickup")
    rest = [s for s in steps if s[1] != job_id]
    swapped = [("delivery", job_id), ("pickup", job_id), *rest]
    score = evaluate(small_day, [(vid, swapped)], baskets_in_one_stop=False)
    assert any("before it was picked up" in e for e in score.errors), score.errors


def test_bench_day_csv_has_a_row_per_solver(town_osm: Path, tmp_path: Path) -> None:
    out = tmp_path / "days.csv"
    code = main([
        "bench-day", "--osm", str(town_osm), "--cache-dir", str(tmp_path / "cache"),
        "--orders-counts", "15", "--time-limit", "1", "--peers", "vroom,pyvrp", "--csv", str(out),
    ])
    assert code == 0
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["solver"] for r in rows] == ["ours", "vroom", "pyvrp"]
    assert all(r["orders"] == "15" and r["feasible"] == "True" for r in rows)
    assert "one shipment per basket order" in rows[1]["note"]
