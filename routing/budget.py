"""How one solve shares its time limit between its phases.

A solve runs up to three searches one after the other: a first solution, route
elimination, and a last improvement. Each asks one :class:`TimeBudget`, started with
the solve, how long it may run, instead of doing its own deadline arithmetic. Like a
stopping criterion in PyVRP, the budget is a small object: it only reads a monotonic
clock (it is a stopwatch, never the time of day) and knows nothing of OR-Tools.

With a solution limit the limits stop each phase, so that the same input gives the
same plan on any machine: the shares then do not apply and the time limit is only a
safety net for the solve as a whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .params import SolveParams

Clock = Callable[[], float]

#: the shortest time limit given to a search (OR-Tools needs a positive one)
MIN_SEARCH_S = 0.05
#: below this much time left, the last improvement is skipped unless it must run
MIN_IMPROVEMENT_S = 0.5


@dataclass(frozen=True)
class Deadline:
    """A stopping criterion: true once ``clock()`` reaches ``at``."""

    at: float
    clock: Clock = field(default=time.monotonic, repr=False, compare=False)

    def __call__(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.at


@dataclass(frozen=True)
class SearchTime:
    """The time one search gets.

    ``seconds`` bounds the search. With ``soft_seconds``, the search stops at the
    first solution it finds after that long; the soft limit lets the first phase
    overrun its share to complete a first solution (a thousand orders take longer
    than a few seconds) and stop as soon as it has one.
    """

    seconds: float
    soft_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            msg = "seconds must be positive."
            raise ValueError(msg)

    def soft_deadline(self, clock: Clock = time.monotonic) -> Deadline | None:
        """The soft limit as a deadline counted from now, or None without one."""
        if self.soft_seconds is None:
            return None
        return Deadline(clock() + self.soft_seconds, clock)


@dataclass(frozen=True)
class TimeBudget:
    """The time limit of one solve and the share of it each phase gets.

    Create it with :meth:`start` when the solve starts. The first search may run for
    the whole limit but stops softly after ``first_share`` of it; route elimination
    gets ``elimination_share`` of the limit from when it starts; the last improvement
    gets whatever is left. With ``split`` false (a solution limit stops each phase),
    no share applies: every phase may use all the time left.
    """

    limit_s: float
    first_share: float
    elimination_share: float
    #: when the solve started, on ``clock``
    started: float
    split: bool = True
    clock: Clock = field(default=time.monotonic, repr=False, compare=False)
    #: share of the limit for serving left-out jobs, from when that phase starts
    insertion_share: float = 0.25

    def __post_init__(self) -> None:
        if self.limit_s <= 0:
            msg = "limit_s must be positive."
            raise ValueError(msg)
        if not 0 < self.first_share <= 1:
            msg = "first_share must be in (0, 1]."
            raise ValueError(msg)
        if not 0 <= self.elimination_share < 1 or self.first_share + self.elimination_share > 1:
            msg = "elimination_share must be in [0, 1) and leave room for the first phase."
            raise ValueError(msg)

    @classmethod
    def start(
        cls,
        limit_s: float,
        first_share: float,
        elimination_share: float,
        *,
        split: bool = True,
        clock: Clock = time.monotonic,
        insertion_share: float = 0.25,
    ) -> TimeBudget:
        """A budget whose time starts running now.

        Parameters
        ----------
        limit_s
            Seconds for the whole solve.
        first_share, elimination_share
            Shares of ``limit_s`` for the first search and for route elimination.
        split
            Whether the shares apply; false when solution limits stop the phases.
        clock
            Seconds on a monotonic clock; :func:`time.monotonic` but in tests.

        Returns
        -------
        TimeBudget
            The budget, started at ``clock()``.

        Raises
        ------
        ValueError
            When the limit is not positive or the shares do not fit in it.
        """
        return cls(limit_s, first_share, elimination_share, clock(), split, clock, insertion_share)

    @classmethod
    def for_params(cls, params: SolveParams, clock: Clock = time.monotonic) -> TimeBudget:
        """The budget ``params`` set, started now; no share applies with a solution limit."""
        return cls.start(
            params.time_limit_s,
            params.first_phase_share,
            params.elimination_share,
            split=params.solution_limit is None,
            clock=clock,
            insertion_share=params.insertion_share,
        )

    @property
    def deadline(self) -> float:
        """The clock value at which the whole solve should be over."""
        return self.started + self.limit_s

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return self.clock() - self.started

    def remaining(self) -> float:
        """Seconds left before the deadline, negative once it has passed."""
        return self.deadline - self.clock()

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.clock() >= self.deadline

    def first_solution(self) -> SearchTime:
        """The first search: the whole limit, but a soft stop after its share."""
        soft = self.limit_s * self.first_share if self.split else None
        return SearchTime(max(self.limit_s, MIN_SEARCH_S), soft)

    def elimination_deadline(self) -> float:
        """The clock value at which route elimination, starting now, must stop."""
        if not self.split:
            return self.deadline
        return min(self.deadline, self.clock() + self.limit_s * self.elimination_share)

    def insertion_deadline(self) -> float:
        """The clock value at which serving left-out jobs, starting now, must stop."""
        if not self.split:
            return self.deadline
        return min(self.deadline, self.clock() + self.limit_s * self.insertion_share)

    def improvement(self, *, required: bool = False) -> SearchTime | None:
        """The last search: the time left, or None when too little is left.

        Parameters
        ----------
        required
            The search must run (a plan from route elimination is checked and timed
            by OR-Tools only there): it then gets at least :data:`MIN_IMPROVEMENT_S`,
            even past the deadline.

        Returns
        -------
        SearchTime or None
            The time for the search, or None to skip it.
        """
        left = self.remaining()
        if required:
            return SearchTime(max(left, MIN_IMPROVEMENT_S))
        if left <= (MIN_IMPROVEMENT_S if self.split else 0):
            return None
        return SearchTime(max(left, MIN_SEARCH_S))
