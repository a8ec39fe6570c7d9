"""The benchmark runner: solve every instance of a folder, check, write solutions and a CSV.

Each instance is solved by our solver and by the peers asked for, on the same integer
data (:mod:`benchmarks.vrp.convert`), with the fleet of the instance and a fixed cost
per vehicle that outweighs any distance, so that the objective is hierarchical:
vehicles first, then distance. Every solution is judged by the independent checker,
which also recomputes its distance in double precision. One CSV row is written, and
flushed, per instance and solver as soon as it is done.
"""

from __future__ import annotations

import csv
import fnmatch
import math
import statistics
import sys
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from benchmarks.vrp.checker import check_solution
from benchmarks.vrp.convert import scale_instance, vehicle_cost_bound
from benchmarks.vrp.instances import (
    Bks,
    find_instance_files,
    instance_class,
    lookup_bks,
    read_bks,
    read_instance,
)
from benchmarks.vrp.solutions import write_solution

#: The name of our solver in the CSV and the summary.
OURS = "ours"
CSV_COLUMNS = (
    "instance",
    "solver",
    "vehicles",
    "distance",
    "gap_pct",
    "bks_vehicles",
    "feasible",
    "seconds",
    "error",
)


@dataclass(frozen=True)
class BenchRow:
    """One solve of one instance by one solver, as checked.

    ``gap_pct`` is ``100 * (distance - bks) / bks`` when the solution is feasible and
    uses the BKS's vehicle count, else None. ``vehicles`` and ``distance`` are None
    when the solver failed (``error`` then says why); ``violations`` is the number of
    rules the checker found broken.
    """

    instance: str
    solver: str
    vehicles: int | None
    distance: float | None
    gap_pct: float | None
    bks_vehicles: int | None
    feasible: bool
    seconds: float
    bks_distance: float | None = None
    violations: int = 0
    error: str | None = None

    @property
    def instance_class(self) -> str:
        """``C1``, ``RC2``, ``lr1``..."""
        return instance_class(self.instance)

    def csv_row(self) -> list[str]:
        """The row's cells in :data:`CSV_COLUMNS` order."""
        return [
            self.instance,
            self.solver,
            "" if self.vehicles is None else str(self.vehicles),
            "" if self.distance is None else f"{self.distance:.4f}",
            "" if self.gap_pct is None else f"{self.gap_pct:.4f}",
            "" if self.bks_vehicles is None else str(self.bks_vehicles),
            "true" if self.feasible else "false",
            f"{self.seconds:.2f}",
            self.error or "",
        ]


def gap_pct(distance: float, bks: Bks | None, vehicles: int, feasible: bool) -> float | None:
    """Distance above the BKS in percent, only for a feasible solution with its vehicles."""
    if bks is None or not feasible or vehicles != bks.vehicles or bks.distance <= 0:
        return None
    return 100.0 * (distance - bks.distance) / bks.distance


def _solve_ours(
    instance, time_limit_s: float, scale: int | None, options: Mapping[str, object] | None = None
) -> list[list[int]]:
    from benchmarks.vrp.convert import routes_from_solution, to_problem
    from routing.checks import check_solution as check_plan
    from routing.params import SolveParams
    from routing.solver import solve

    conv = to_problem(instance, scale=scale)
    params = SolveParams(
        time_limit_s=time_limit_s,
        objective="distance",
        vehicle_cost=vehicle_cost_bound(instance, conv.scaled),
    )
    if options:
        params = params.replace(**options)
    solution = solve(conv.problem, params)
    # The product's own plan checker first, on the integer problem it solved; the
    # instance checker then judges the routes in exact arithmetic.
    broken = check_plan(conv.problem, solution)
    if broken:
        msg = f"the plan checker refused our plan: {'; '.join(broken[:3])}"
        raise AssertionError(msg)
    return routes_from_solution(solution, conv)


def run_one(
    path: str | Path,
    solver: str,
    time_limit_s: float,
    bks: Bks | None = None,
    solutions_dir: str | Path | None = None,
    scale: int | None = None,
    options: Mapping[str, object] | None = None,
) -> BenchRow:
    """Solve one instance file with one solver, check it and write its solution file.

    Never raises for a file that cannot be read or a solver failure: the row then says
    infeasible, with ``error``.
    """
    start = time.perf_counter()
    name = Path(path).stem
    try:
        instance = read_instance(path)
        name = instance.name
        if solver == OURS:
            routes = _solve_ours(instance, time_limit_s, scale, options)
        else:
            from benchmarks.vrp.peers import solve_with_peer

            s = scale_instance(instance, scale)
            routes = solve_with_peer(
                solver,
                instance,
                time_limit_s,
                scaled=s,
                vehicle_cost=vehicle_cost_bound(instance, s),
            )
    except Exception as exc:  # a benchmark run goes on past one failure
        seconds = time.perf_counter() - start
        detail = f"{type(exc).__name__}: {exc}"
        print(f"[bench] {name} {solver} failed: {detail}", file=sys.stderr)
        if not isinstance(exc, (ValueError, OSError)):  # a bug, not a bad file: its trace
            traceback.print_exc(file=sys.stderr)
        return BenchRow(
            instance=name,
            solver=solver,
            vehicles=None,
            distance=None,
            gap_pct=None,
            bks_vehicles=bks.vehicles if bks else None,
            feasible=False,
            seconds=seconds,
            bks_distance=bks.distance if bks else None,
            error=detail,
        )
    seconds = time.perf_counter() - start
    result = check_solution(instance, routes)
    if not result.feasible:
        shown = "; ".join(str(v) for v in result.violations[:5])
        print(f"[bench] {instance.name} {solver} infeasible: {shown}", file=sys.stderr)
    if solutions_dir is not None:
        suffix = ".sol" if solver == OURS else f".{solver}.sol"
        write_solution(Path(solutions_dir) / f"{instance.name}{suffix}", routes, result.distance)
    return BenchRow(
        instance=instance.name,
        solver=solver,
        vehicles=result.vehicles,
        distance=result.distance,
        gap_pct=gap_pct(result.distance, bks, result.vehicles, result.feasible),
        bks_vehicles=bks.vehicles if bks else None,
        feasible=result.feasible,
        seconds=seconds,
        bks_distance=bks.distance if bks else None,
        violations=len(result.violations),
    )


def _select(paths: list[Path], instances: Iterable[str] | None) -> list[Path]:
    if instances is None:
        return paths
    patterns = [p.lower() for p in instances]
    return [p for p in paths if any(fnmatch.fnmatchcase(p.stem.lower(), q) for q in patterns)]


def _load_bks(paths: list[Path], bks_csv: str | Path | None) -> dict[str, Bks]:
    """BKS tables found beside the instances, overridden by the one given."""
    table: dict[str, Bks] = {}
    for folder in sorted({p.parent for p in paths}):
        found = folder / "bks.csv"
        if found.is_file():
            table.update(read_bks(found))
    if bks_csv is not None:
        table.update(read_bks(bks_csv))
    return table


def run_benchmark(
    instance_dir: str | Path,
    bks_csv: str | Path | None,
    time_limit_s: float,
    peers: Sequence[str] = (),
    solutions_dir: str | Path | None = None,
    csv_path: str | Path | None = None,
    jobs: int = 1,
    instances: Iterable[str] | None = None,
    *,
    include_ours: bool = True,
    scale: int | None = None,
    options: Mapping[str, object] | None = None,
) -> list[BenchRow]:
    """Solve, check and record every Solomon or Li & Lim instance under a folder.

    Parameters
    ----------
    instance_dir
        Folder searched recursively for instance files (README, BKS, SOURCE skipped).
    bks_csv
        BKS table (``instance, vehicles, distance``); ``bks.csv`` files beside the
        instances are read too, the table given wins.
    time_limit_s
        Time limit per solve, for our solver and PyVRP (it only caps VROOM).
    peers
        Peer solvers to run as well: ``vroom``, ``pyvrp``.
    solutions_dir
        Where to write ``<instance>.sol`` and ``<instance>.<peer>.sol``; None: nowhere.
    csv_path
        CSV written row by row, flushed after each; None: no file.
    jobs
        Solves run at once, each in its own process (1: all in this process).
    instances
        Instance names or shell patterns (``C1*``) to keep, without regard to case.
    include_ours
        Run our solver (False: only the peers, e.g. to measure them alone).
    scale
        Factor on times and distances; by default chosen per instance.
    options
        ``SolveParams`` fields for our solver (e.g. ``first_solution``), to compare
        settings on the same instances.

    Returns
    -------
    list[BenchRow]
        One row per instance and solver, in instance then solver order.
    """
    paths = _select(find_instance_files(instance_dir, unreadable=True), instances)
    table = _load_bks(paths, bks_csv)
    solvers = ([OURS] if include_ours else []) + [p for p in peers if p]
    from benchmarks.vrp.peers import PEERS

    for p in solvers:
        if p != OURS and p not in PEERS:
            msg = f"unknown peer {p!r}; known: {', '.join(PEERS)}."
            raise ValueError(msg)
    tasks = [
        (path, solver, time_limit_s, lookup_bks(table, path.stem), solutions_dir, scale, options)
        for path in paths
        for solver in solvers
    ]
    rows: dict[int, BenchRow] = {}
    writer = _CsvSink(csv_path)
    try:
        if jobs <= 1:
            for k, task in enumerate(tasks):
                rows[k] = run_one(*task)
                writer.write(rows[k])
        else:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(run_one, *task): k for k, task in enumerate(tasks)}
                for future in as_completed(futures):
                    k = futures[future]
                    rows[k] = future.result()
                    writer.write(rows[k])
    finally:
        writer.close()
    return [rows[k] for k in sorted(rows)]


class _CsvSink:
    """A CSV file written and flushed row by row (or nothing when no path is given)."""

    def __init__(self, path: str | Path | None) -> None:
        self._fh = None
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("w", newline="")
            self._csv = csv.writer(self._fh)
            self._csv.writerow(CSV_COLUMNS)
            self._fh.flush()

    def write(self, row: BenchRow) -> None:
        flag = "ok" if row.feasible else "INFEASIBLE"
        dist = "-" if row.distance is None else f"{row.distance:.2f}"
        gap = "" if row.gap_pct is None else f" gap {row.gap_pct:+.2f}%"
        print(
            f"[bench] {row.instance:8} {row.solver:6} {row.vehicles} veh {dist}{gap}"
            f" (bks {row.bks_vehicles}) {flag} {row.seconds:.1f}s",
            file=sys.stderr,
            flush=True,
        )
        if self._fh is not None:
            self._csv.writerow(row.csv_row())
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def read_rows(csv_path: str | Path) -> list[BenchRow]:
    """Rows back from a CSV written by :func:`run_benchmark`."""

    def num(cell: str, kind: type) -> float | int | None:
        return kind(cell) if cell.strip() else None

    out = []
    with Path(csv_path).open(newline="") as fh:
        for r in csv.DictReader(fh):
            out.append(
                BenchRow(
                    instance=r["instance"],
                    solver=r["solver"],
                    vehicles=num(r["vehicles"], int),  # type: ignore[arg-type]
                    distance=num(r["distance"], float),
                    gap_pct=num(r["gap_pct"], float),
                    bks_vehicles=num(r["bks_vehicles"], int),  # type: ignore[arg-type]
                    feasible=r["feasible"].strip().lower() == "true",
                    seconds=float(r["seconds"]),
                    error=(r.get("error") or "").strip() or None,
                )
            )
    return out


@dataclass(frozen=True)
class ClassSummary:
    """Aggregates of one solver over one class of instances (or ``all``)."""

    instance_class: str
    solver: str
    instances: int
    feasible: int
    bks_vehicle_hits: int
    mean_gap_pct: float | None
    mean_vehicles: float | None
    mean_seconds: float


def summarize(rows: Sequence[BenchRow]) -> list[ClassSummary]:
    """Per class and solver, then per solver over all classes.

    ``bks_vehicle_hits`` counts feasible solutions with the BKS's vehicle count;
    ``mean_gap_pct`` averages the gaps of those; ``mean_vehicles`` is over feasible
    solutions.
    """
    solvers = list(dict.fromkeys(r.solver for r in rows))
    classes = sorted({r.instance_class for r in rows}, key=_class_order)
    out = []
    for solver in solvers:
        for cls in [*classes, "all"]:
            group = [r for r in rows if r.solver == solver and cls in ("all", r.instance_class)]
            if not group:
                continue
            feasible = [r for r in group if r.feasible and r.vehicles is not None]
            gaps = [r.gap_pct for r in group if r.gap_pct is not None]
            out.append(
                ClassSummary(
                    instance_class=cls,
                    solver=solver,
                    instances=len(group),
                    feasible=len(feasible),
                    bks_vehicle_hits=sum(
                        1
                        for r in feasible
                        if r.bks_vehicles is not None and r.vehicles == r.bks_vehicles
                    ),
                    mean_gap_pct=statistics.fmean(gaps) if gaps else None,
                    mean_vehicles=(
                        statistics.fmean(r.vehicles for r in feasible if r.vehicles is not None)
                        if feasible
                        else None
                    ),
                    mean_seconds=statistics.fmean(r.seconds for r in group),
                )
            )
    return out


def _class_order(cls: str) -> tuple[int, str]:
    # Solomon classes first (C, R, RC), then Li & Lim (lc, lr, lrc)
    return (0 if cls[:1].isupper() else 1, cls.lower())


def format_summary(rows: Sequence[BenchRow]) -> str:
    """The summary table as text, one line per class and solver."""
    head = (
        f"{'class':6} {'solver':6} {'inst':>4} {'feas':>4} {'bksveh':>6} "
        f"{'gap%':>7} {'veh':>6} {'sec':>6}"
    )
    lines = [head, "-" * len(head)]
    for s in summarize(rows):
        gap = "-" if s.mean_gap_pct is None else f"{s.mean_gap_pct:+.2f}"
        veh = "-" if s.mean_vehicles is None else f"{s.mean_vehicles:.2f}"
        lines.append(
            f"{s.instance_class:6} {s.solver:6} {s.instances:>4} {s.feasible:>4} "
            f"{s.bks_vehicle_hits:>6} {gap:>7} {veh:>6} {s.mean_seconds:>6.1f}"
        )
    return "\n".join(lines)


def report_failures(rows: Sequence[BenchRow], file=None) -> int:
    """Name every run that gave no feasible solution (a file that could not be read, a
    solver that failed, a solution the checker refused), one line each on stderr, and
    return the exit code of the run: 0 when every run was feasible, else 1."""
    failed = [r for r in rows if not r.feasible]
    out = file or sys.stderr
    for r in failed:
        why = r.error or f"{r.violations} rule(s) broken, see the checker's lines above"
        print(f"[bench] FAILED {r.instance} {r.solver}: {why}", file=out)
    if failed:
        print(f"[bench] {len(failed)} of {len(rows)} run(s) failed", file=out)
    return 1 if failed else 0


def print_summary(rows: Sequence[BenchRow], file=None) -> None:
    """Print :func:`format_summary` (to stdout by default)."""
    print(format_summary(rows), file=file or sys.stdout)


def format_rows(rows: Sequence[BenchRow]) -> str:
    """The rows themselves as a text table, for a quick look."""
    head = (
        f"{'instance':9} {'solver':6} {'veh':>3} {'bks':>3} {'distance':>10} "
        f"{'bks dist':>10} {'gap%':>7} {'ok':>3} {'sec':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.instance:9} {r.solver:6} {_cell(r.vehicles):>3} {_cell(r.bks_vehicles):>3} "
            f"{_cell(r.distance, '.2f'):>10} {_cell(r.bks_distance, '.2f'):>10} "
            f"{_cell(r.gap_pct, '+.2f'):>7} {'yes' if r.feasible else 'NO':>3} {r.seconds:>6.1f}"
        )
    return "\n".join(lines)


def _cell(value: float | int | None, spec: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)
