"""Fixtures for the benchmark package: tiny hand-made instances and the shared files."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_data import shared_dir

from benchmarks.vrp.instances import Instance, parse_instance

REPO_ROOT = Path(__file__).resolve().parents[3]

#: Depot at the origin; 1 at (3,4) and 2 at (6,8) are 5 apart, 3 at (0,5), 4 at (-3,-4).
TINY_SOLOMON = """TINY

VEHICLE
NUMBER     CAPACITY
  3         25

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0          0          0          0          0        {depot_due}          0
    1          3          4         10          0         20          1
    2          6          8         10         10         30          1
    3          0          5         15          0         50          1
    4         -3         -4          5         40         60          1
"""

#: Same places; pairs 1 → 2 (10 units) and 3 → 4 (15 units), capacity 20.
TINY_LILIM = """3\t20\t1
0\t0\t0\t0\t0\t200\t0\t0\t0
1\t3\t4\t10\t0\t50\t1\t0\t2
2\t6\t8\t-10\t0\t100\t1\t1\t0
3\t0\t5\t15\t0\t50\t1\t0\t4
4\t-3\t-4\t-15\t0\t100\t1\t3\t0
"""




def benchmarks_dir() -> Path:
    """Where the Solomon and Li & Lim files are."""
    return shared_dir() / "benchmarks"


@pytest.fixture(scope="session")
def benchmarks() -> Path:
    """The shared benchmark folder; skips the test when it is absent."""
    path = benchmarks_dir()
    if not (path / "solomon").is_dir() or not (path / "lilim").is_dir():
        pytest.skip(
            f"benchmark instances not found at {path} "
            "(set DOUAI_SHARED_DIR to the folder holding benchmarks/)"
        )
    return path


@pytest.fixture
def make_tiny():
    """Build the tiny Solomon instance with a chosen depot due time."""

    def make(depot_due: int = 100) -> Instance:
        return parse_instance(TINY_SOLOMON.format(depot_due=depot_due))

    return make


@pytest.fixture
def tiny(make_tiny) -> Instance:
    """A 4-customer Solomon instance whose distances are whole numbers where it matters.

    ``[[1, 2], [3], [4]]`` is feasible, 3 vehicles for 3, distance 40.
    """
    return make_tiny()


@pytest.fixture
def tiny_texts() -> dict[str, str]:
    """The file contents of the tiny instances, to write them to disk."""
    return {"TINY.txt": TINY_SOLOMON.format(depot_due=100), "lltiny.txt": TINY_LILIM}


@pytest.fixture
def tiny_lilim() -> Instance:
    """A 2-pair Li & Lim instance on the same places as ``tiny``.

    ``[[1, 2], [3, 4]]`` and ``[[1, 2, 3, 4]]`` are feasible.
    """
    return parse_instance(TINY_LILIM, name="lltiny")


#: A solution of C101 at its BKS (10 vehicles, 828.94), found by VROOM.
C101_BKS_ROUTES = [
    [67, 65, 63, 62, 74, 72, 61, 64, 68, 66, 69],
    [13, 17, 18, 19, 15, 16, 14, 12],
    [20, 24, 25, 27, 29, 30, 28, 26, 23, 22, 21],
    [32, 33, 31, 35, 37, 38, 39, 36, 34],
    [57, 55, 54, 53, 56, 58, 60, 59],
    [98, 96, 95, 94, 92, 93, 97, 100, 99],
    [5, 3, 7, 8, 10, 11, 9, 6, 4, 2, 1, 75],
    [43, 42, 41, 40, 44, 46, 45, 48, 51, 50, 52, 49, 47],
    [81, 78, 76, 71, 70, 73, 77, 79, 80],
    [90, 87, 86, 83, 82, 84, 85, 88, 89, 91],
]

#: A solution of lr101 at its BKS (19 vehicles, 1650.80), found by PyVRP.
LR101_BKS_ROUTES = [
    [65, 71, 81, 50, 68, 103],
    [52, 6],
    [45, 82, 18, 84, 60, 89],
    [63, 64, 49, 48],
    [36, 47, 19, 8, 46, 17],
    [33, 29, 78, 34, 35, 77],
    [39, 23, 104, 67, 55, 25],
    [62, 11, 90, 20, 32, 70],
    [92, 42, 15, 87, 57, 97],
    [5, 83, 61, 85, 37, 93],
    [2, 21, 73, 41, 56, 4],
    [59, 99, 94, 96],
    [31, 88, 7, 10],
    [30, 51, 101, 9, 66, 1],
    [28, 12, 40, 53, 106, 26],
    [14, 44, 105, 38, 43, 13],
    [27, 69, 76, 79, 3, 54, 24, 80],
    [72, 75, 22, 74, 102, 58],
    [95, 98, 16, 86, 91, 100],
]


@pytest.fixture
def c101_routes() -> list[list[int]]:
    """:data:`C101_BKS_ROUTES`, a fresh copy."""
    return [list(r) for r in C101_BKS_ROUTES]


@pytest.fixture
def lr101_routes() -> list[list[int]]:
    """:data:`LR101_BKS_ROUTES`, a fresh copy."""
    return [list(r) for r in LR101_BKS_ROUTES]
