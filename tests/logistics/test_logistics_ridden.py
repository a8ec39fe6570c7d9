"""A round's path cut at its stops (pure): legs follow the path, even through a loop that
passes a stop's point twice; a stop off the path gets a straight leg; the legs add up to
the round's distance to the metre; the stops ridden are those up to the last event, and
all of them once every work stop is finished."""

from __future__ import annotations

import pytest

from logistics.ridden import line_m, ridden_seqs, split_legs

DEPOT, SHOP, HOME = (3.08, 50.37), (3.09, 50.37), (3.09, 50.38)


def test_legs_follow_the_path_and_add_up_to_the_distance():
    path = [DEPOT, (3.085, 50.369), SHOP, (3.091, 50.375), HOME, (3.091, 50.375), SHOP, DEPOT]
    legs = split_legs(path, [DEPOT, SHOP, HOME, SHOP, DEPOT], 1001)
    assert legs[0] is None
    assert [leg.coords for leg in legs[1:]] == [tuple(path[0:3]), tuple(path[2:5]),
                                                 tuple(path[4:7]), tuple(path[6:8])]
    assert sum(leg.metres for leg in legs[1:]) == 1001
    lengths = [line_m(leg.coords) for leg in legs[1:]]
    assert [leg.metres for leg in legs[1:]] == pytest.approx(
        [1001 * m / sum(lengths) for m in lengths], abs=1)


def test_a_stop_off_the_path_gets_a_straight_leg_and_two_stops_at_one_point_none():
    legs = split_legs([DEPOT, SHOP], [DEPOT, SHOP, SHOP, HOME], 3000)
    assert [leg.coords for leg in legs[1:]] == [(DEPOT, SHOP), (SHOP, SHOP), (SHOP, HOME)]
    assert legs[2].metres == 0
    assert sum(leg.metres for leg in legs[1:]) == 3000


def test_without_a_path_or_length_the_distance_is_shared_evenly():
    assert [leg and leg.metres for leg in split_legs([], [DEPOT, DEPOT, DEPOT, DEPOT], 1000)] == [
        None, 333, 334, 333]
    assert split_legs([], [DEPOT], 500) == [None]
    assert split_legs([], [], 0) == []


def test_ridden_up_to_the_last_event_and_to_the_end_once_all_is_done():
    stops = [(0, "start", False, False), (1, "pickup", True, True), (2, "delivery", False, False),
             (3, "delivery", True, True), (4, "return", False, False), (5, "end", False, False)]
    assert ridden_seqs(stops) == {0, 1, 2, 3}  # stop 2 skipped on the way: ridden past
    done = [(s, k, e, f or k in ("delivery", "return")) for s, k, e, f in stops]
    assert ridden_seqs(done) == {0, 1, 2, 3, 4, 5}
    assert ridden_seqs([(s, k, False, False) for s, k, _, _ in stops]) == set()
