"""Public VRP benchmarks: Solomon VRPTW and Li & Lim PDPTW instances, an independent
checker, conversion to our :class:`~routing.problem.Problem`, peer solvers and the runner
(:mod:`benchmarks.vrp.runner`, run by ``douai-delivery bench``).

Nothing here imports OR-Tools; :mod:`benchmarks.vrp.runner` reaches our solver only
through :func:`routing.solver.solve`, and the peers only when asked for.
"""

from benchmarks.vrp.checker import CheckResult as CheckResult
from benchmarks.vrp.checker import Violation as Violation
from benchmarks.vrp.checker import ViolationKind as ViolationKind
from benchmarks.vrp.checker import check_solution as check_solution
from benchmarks.vrp.convert import Conversion as Conversion
from benchmarks.vrp.convert import routes_from_solution as routes_from_solution
from benchmarks.vrp.convert import to_problem as to_problem
from benchmarks.vrp.instances import Bks as Bks
from benchmarks.vrp.instances import Instance as Instance
from benchmarks.vrp.instances import Node as Node
from benchmarks.vrp.instances import read_bks as read_bks
from benchmarks.vrp.instances import read_instance as read_instance
from benchmarks.vrp.solutions import read_solution as read_solution
from benchmarks.vrp.solutions import write_solution as write_solution
