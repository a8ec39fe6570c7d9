"""Public VRP benchmarks: Solomon VRPTW and Li & Lim PDPTW instances, an independent
checker, conversion to our :class:`~routing.problem.Problem`, peer solvers and the runner.

Nothing here imports OR-Tools; :mod:`routing.vrplib.bench` reaches our solver only
through :func:`routing.solver.solve`, and the peers only when asked for.
"""

from routing.vrplib.checker import CheckResult as CheckResult
from routing.vrplib.checker import Violation as Violation
from routing.vrplib.checker import ViolationKind as ViolationKind
from routing.vrplib.checker import check_solution as check_solution
from routing.vrplib.convert import Conversion as Conversion
from routing.vrplib.convert import routes_from_solution as routes_from_solution
from routing.vrplib.convert import to_problem as to_problem
from routing.vrplib.instances import Bks as Bks
from routing.vrplib.instances import Instance as Instance
from routing.vrplib.instances import Node as Node
from routing.vrplib.instances import read_bks as read_bks
from routing.vrplib.instances import read_instance as read_instance
from routing.vrplib.solutions import read_solution as read_solution
from routing.vrplib.solutions import write_solution as write_solution

_BENCH = ("BenchRow", "format_summary", "print_summary", "read_rows", "run_benchmark")


def __getattr__(name: str) -> object:
    # The runner is imported on first use, so that ``python -m routing.vrplib.bench``
    # does not find its module already imported by the package.
    if name in _BENCH:
        from routing.vrplib import bench

        return getattr(bench, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
