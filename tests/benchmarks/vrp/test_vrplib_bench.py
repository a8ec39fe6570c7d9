"""The runner on tiny instances: CSV rows, solution files and the summary."""

from __future__ import annotations

import csv
import importlib.util
import itertools
from pathlib import Path

import pytest

from benchmarks.vrp.checker import check_solution
from benchmarks.vrp.instances import Bks
from benchmarks.vrp.runner import (
    CSV_COLUMNS,
    BenchRow,
    format_summary,
    gap_pct,
    read_rows,
    run_benchmark,
    summarize,
)
from benchmarks.vrp.solutions import format_solution, parse_solution, read_solution

#: the optima of the tiny instances, checked by brute force below
TINY_OPT = (2, 39.48683298)
LLTINY_OPT = (1, 31.19503691)
BKS = f"instance,vehicles,distance\nTINY,{TINY_OPT[0]},{TINY_OPT[1]}\nlltiny,{LLTINY_OPT[0]},{LLTINY_OPT[1]}\n"


def brute_force_optimum(instance) -> tuple[int, float]:
    """Fewest vehicles, then least distance, over every split of every order."""
    nodes = [c.id for c in instance.customers]
    best = None
    for perm in itertools.permutations(nodes):
        for cuts in itertools.product((False, True), repeat=len(nodes) - 1):
            routes = [[perm[0]]]
            for node, cut in zip(perm[1:], cuts, strict=True):
                if cut:
                    routes.append([node])
                else:
                    routes[-1].append(node)
            result = check_solution(instance, routes)
            if result.feasible and (best is None or (result.vehicles, result.distance) < best):
                best = (result.vehicles, result.distance)
    assert best is not None
    return best


@pytest.fixture
def tiny_dir(tmp_path, tiny_texts):
    """A folder with both tiny instances, a BKS table and files to skip."""
    folder = tmp_path / "instances"
    folder.mkdir()
    for name, text in tiny_texts.items():
        (folder / name).write_text(text)
    (folder / "bks.csv").write_text(BKS)
    (folder / "README.md").write_text("# not an instance\n")
    (folder / "SOURCE.txt").write_text("http://example.org\n")
    return folder


def test_tiny_optima(tiny, tiny_lilim):
    """The BKS given to the runner for the tiny instances are their optima."""
    assert brute_force_optimum(tiny) == (TINY_OPT[0], pytest.approx(TINY_OPT[1]))
    assert brute_force_optimum(tiny_lilim) == (LLTINY_OPT[0], pytest.approx(LLTINY_OPT[1]))


def test_solution_file_round_trip(tmp_path):
    """``Route k : ...`` lines, empty routes dropped, cost line ignored on reading."""
    text = format_solution([[1, 2], [], [3]], 40.0)
    assert text == "Route 1 : 1 2\nRoute 2 : 3\nCost 40.00\n"
    assert parse_solution(text) == [[1, 2], [3]]
    assert parse_solution("Route #1: 5 6\nfoo\n") == [[5, 6]]
    path = tmp_path / "x" / "a.sol"
    from benchmarks.vrp.solutions import write_solution

    write_solution(path, [[4]])
    assert read_solution(path) == [[4]]


def test_gap_only_when_vehicles_match():
    """Gap against the BKS distance, only at the BKS vehicle count and when feasible."""
    bks = Bks(10, 800.0)
    assert gap_pct(808.0, bks, 10, True) == pytest.approx(1.0)
    assert gap_pct(700.0, bks, 11, True) is None
    assert gap_pct(808.0, bks, 10, False) is None
    assert gap_pct(808.0, None, 10, True) is None


def _row(instance, solver, vehicles, distance, bks_vehicles, feasible=True, gap=None):
    return BenchRow(instance, solver, vehicles, distance, gap, bks_vehicles, feasible, 1.0)


def test_summary_per_class_and_solver():
    """Counts, BKS-vehicle hits, mean gap where vehicles match, mean vehicles."""
    rows = [
        _row("C101", "ours", 10, 830.0, 10, gap=1.0),
        _row("C102", "ours", 11, 900.0, 10),
        _row("C201", "ours", 3, 600.0, 3, gap=3.0),
        _row("R101", "ours", None, None, 19, feasible=False),
        _row("C101", "vroom", 10, 829.0, 10, gap=0.5),
    ]
    s = {(x.solver, x.instance_class): x for x in summarize(rows)}
    c1 = s["ours", "C1"]
    assert (c1.instances, c1.feasible, c1.bks_vehicle_hits) == (2, 2, 1)
    assert c1.mean_gap_pct == pytest.approx(1.0)
    assert c1.mean_vehicles == pytest.approx(10.5)
    r1 = s["ours", "R1"]
    assert (r1.feasible, r1.mean_gap_pct, r1.mean_vehicles) == (0, None, None)
    everything = s["ours", "all"]
    assert everything.instances == 4
    assert everything.mean_gap_pct == pytest.approx(2.0)
    assert s["vroom", "C1"].bks_vehicle_hits == 1
    text = format_summary(rows)
    assert "C2" in text
    assert "vroom" in text


def _check_outputs(rows, out, solvers):
    names = {"TINY", "lltiny"}
    assert {(r.instance, r.solver) for r in rows} == {(n, s) for n in names for s in solvers}
    with (out / "rows.csv").open() as fh:
        table = list(csv.reader(fh))
    assert tuple(table[0]) == CSV_COLUMNS
    assert len(table) == 1 + len(rows)
    for r in rows:
        suffix = ".sol" if r.solver == "ours" else f".{r.solver}.sol"
        assert (out / "sol" / f"{r.instance}{suffix}").is_file()
        assert r.feasible, r
        assert r.bks_vehicles is not None
    back = read_rows(out / "rows.csv")
    assert [(r.instance, r.solver, r.vehicles, r.feasible) for r in back] == [
        (r.instance, r.solver, r.vehicles, r.feasible) for r in rows
    ]


@pytest.mark.skipif(importlib.util.find_spec("vroom") is None, reason="pyvroom not installed")
@pytest.mark.skipif(importlib.util.find_spec("pyvrp") is None, reason="pyvrp not installed")
def test_peers_on_tiny_instances(tiny_dir, tmp_path, tiny, tiny_lilim):
    """VROOM and PyVRP solve both tiny instances; files and rows are written."""
    out = tmp_path / "out"
    rows = run_benchmark(
        tiny_dir,
        None,
        0.5,
        peers=("vroom", "pyvrp"),
        solutions_dir=out / "sol",
        csv_path=out / "rows.csv",
        include_ours=False,
    )
    _check_outputs(rows, out, ("vroom", "pyvrp"))
    tiny_rows = [r for r in rows if r.instance == "TINY"]
    assert all(r.vehicles == 2 for r in tiny_rows)
    assert all(r.gap_pct == pytest.approx(0.0, abs=1e-6) for r in rows)
    sol = read_solution(out / "sol" / "lltiny.pyvrp.sol")
    assert check_solution(tiny_lilim, sol).feasible


@pytest.mark.skipif(importlib.util.find_spec("vroom") is None, reason="pyvroom not installed")
def test_parallel_run_and_name_filter(tiny_dir, tmp_path):
    """Two worker processes; the filter keeps instances by pattern, ignoring case."""
    out = tmp_path / "out"
    rows = run_benchmark(
        tiny_dir,
        tiny_dir / "bks.csv",
        1.0,
        peers=("vroom",),
        solutions_dir=out / "sol",
        csv_path=out / "rows.csv",
        jobs=2,
        instances=["ll*"],
        include_ours=False,
    )
    assert [(r.instance, r.solver) for r in rows] == [("lltiny", "vroom")]
    assert rows[0].feasible


def test_unknown_peer_is_refused(tiny_dir):
    """A typo in the peer list fails before any solve."""
    with pytest.raises(ValueError, match="unknown peer"):
        run_benchmark(tiny_dir, None, 1.0, peers=("vrom",), include_ours=False)


@pytest.mark.skipif(importlib.util.find_spec("routing.solver") is None, reason="no solver yet")
def test_our_solver_on_tiny_instances(tiny_dir, tmp_path):
    """Our solver through the runner finds the optima of the tiny instances."""
    out = tmp_path / "out"
    rows = run_benchmark(tiny_dir, None, 1.0, solutions_dir=out / "sol", csv_path=out / "rows.csv")
    _check_outputs(rows, out, ("ours",))
    assert all(r.gap_pct == pytest.approx(0.0, abs=1e-6) for r in rows)


def test_a_file_that_cannot_be_read_is_a_row_and_the_exit_code_says_so(tiny_dir, tmp_path):
    """``douai-delivery bench`` on a folder holding a damaged file and a Li & Lim file as
    published (CRLF, speed 0): every instance gets a row, the damaged one with its error,
    the run goes on, and the exit code is 1."""
    import subprocess
    import sys

    quirky = (tiny_dir / "lltiny.txt").read_text().replace("3\t20\t1", "3\t20\t0")
    (tiny_dir / "llzero.txt").write_bytes(quirky.replace("\n", "\r\n").encode())
    (tiny_dir / "broken.txt").write_text("3\t20\t1\n0\t0\t0\t0\t0\t200\t0\t0\t0\n1\t3\t4\t10\n")
    with (tiny_dir / "bks.csv").open("a") as fh:
        fh.write("llzero,1,20.0\n")
    out = tmp_path / "out"
    script = Path(sys.executable).parent / "douai-delivery"
    result = subprocess.run(
        [str(script), "bench", str(tiny_dir), "--bks", str(tiny_dir / "bks.csv"), "--time-limit", "1",
         "--solutions", str(out / "sol"), "--csv", str(out / "rows.csv")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 1, result.stderr
    rows = {r.instance: r for r in read_rows(out / "rows.csv")}
    assert set(rows) == {"TINY", "lltiny", "llzero", "broken"}
    assert all(rows[n].feasible for n in ("TINY", "lltiny", "llzero"))
    assert not rows["broken"].feasible
    assert "neither a Solomon nor a Li & Lim" in rows["broken"].error
    assert "FAILED broken ours" in result.stderr
    assert "1 of 4 run(s) failed" in result.stderr
    assert "Traceback" not in result.stderr
