"""The time budget shares a solve's limit between its phases, on a clock it is given."""

from __future__ import annotations

import pytest

from routing.budget import MIN_IMPROVEMENT_S, MIN_SEARCH_S, Deadline, SearchTime, TimeBudget
from routing.params import SolveParams


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def budget(
    clock: FakeClock, limit: float = 10.0, split: bool = True, first: float = 0.15, elim: float = 0.5
) -> TimeBudget:
    return TimeBudget.start(limit, first, elim, split=split, clock=clock)


def test_started_remaining_elapsed_and_expired_follow_the_clock():
    clock = FakeClock()
    b = budget(clock)
    assert b.started == 1000.0
    assert b.deadline == 1010.0
    clock.advance(4)
    assert b.elapsed() == pytest.approx(4)
    assert b.remaining() == pytest.approx(6)
    assert not b.expired()
    clock.advance(6)
    assert b.expired()
    clock.advance(1)
    assert b.remaining() == pytest.approx(-1)


def test_first_search_gets_the_whole_limit_and_a_soft_stop_at_its_share():
    clock = FakeClock()
    first = budget(clock).first_solution()
    assert first.seconds == 10.0
    assert first.soft_seconds == pytest.approx(1.5)
    # The soft limit counts from when the search starts, not from the solve's start.
    clock.advance(3)
    stop = first.soft_deadline(clock)
    assert stop is not None
    assert stop.at == pytest.approx(1004.5)
    clock.advance(1.4)
    assert not stop()
    clock.advance(0.1)
    assert stop()


def test_without_shares_the_first_search_has_no_soft_stop():
    first = budget(FakeClock(), split=False).first_solution()
    assert first.soft_seconds is None
    assert first.soft_deadline() is None


def test_a_tiny_limit_still_gives_a_search_some_time():
    assert budget(FakeClock(), limit=0.01).first_solution().seconds == MIN_SEARCH_S


def test_elimination_gets_its_share_from_when_it_starts_but_not_past_the_deadline():
    clock = FakeClock()
    b = budget(clock)
    clock.advance(2)
    assert b.elimination_deadline() == pytest.approx(1007.0)
    clock.advance(6)
    assert b.elimination_deadline() == pytest.approx(1010.0)


def test_without_shares_elimination_may_use_all_the_time():
    clock = FakeClock()
    b = budget(clock, split=False)
    clock.advance(2)
    assert b.elimination_deadline() == pytest.approx(1010.0)


def test_improvement_gets_what_is_left_or_is_skipped():
    clock = FakeClock()
    b = budget(clock)
    clock.advance(7)
    improvement = b.improvement()
    assert improvement is not None
    assert improvement.seconds == pytest.approx(3)
    assert improvement.soft_seconds is None
    clock.advance(3 - MIN_IMPROVEMENT_S)
    assert b.improvement() is None


def test_a_required_improvement_runs_even_past_the_deadline():
    clock = FakeClock()
    b = budget(clock)
    clock.advance(12)
    improvement = b.improvement(required=True)
    assert improvement is not None
    assert improvement.seconds == MIN_IMPROVEMENT_S


def test_without_shares_improvement_runs_while_any_time_is_left():
    clock = FakeClock()
    b = budget(clock, split=False)
    clock.advance(9.98)
    improvement = b.improvement()
    assert improvement is not None
    assert improvement.seconds == MIN_SEARCH_S
    clock.advance(0.05)
    assert b.improvement() is None


def test_budget_from_params_follows_the_solution_limit():
    clock = FakeClock()
    params = SolveParams(time_limit_s=20, first_phase_share=0.2, elimination_share=0.3)
    timed = TimeBudget.for_params(params, clock)
    assert (timed.limit_s, timed.first_share, timed.elimination_share) == (20, 0.2, 0.3)
    assert timed.split
    assert not TimeBudget.for_params(params.replace(solution_limit=10), clock).split


@pytest.mark.parametrize(
    ("limit", "first", "elim"),
    [(0, 0.15, 0.5), (10, 0, 0.5), (10, 1.5, 0), (10, 0.15, 1), (10, 0.6, 0.5)],
)
def test_a_budget_that_does_not_add_up_is_refused(limit, first, elim):
    with pytest.raises(ValueError, match="must"):
        TimeBudget.start(limit, first, elim, clock=FakeClock())


def test_a_search_needs_a_positive_time():
    with pytest.raises(ValueError, match="positive"):
        SearchTime(0)


def test_deadline_is_a_stopping_criterion():
    clock = FakeClock()
    stop = Deadline(1001.0, clock)
    assert not stop()
    clock.advance(1)
    assert stop()
