"""What is still to bring back on a round (:func:`logistics.returns.to_return`), from its
stops, events and the orders' statuses."""

from __future__ import annotations

from dataclasses import dataclass

from logistics.returns import to_return


@dataclass(frozen=True)
class S:
    id: int
    kind: str
    order_ids: list[str]


STOPS = [S(1, "start", []), S(2, "pickup", ["a", "b", "c"]), S(3, "delivery", ["a", "b"]),
         S(4, "delivery", ["c"]), S(5, "pickup", ["d"]), S(6, "delivery", ["d"]), S(7, "end", [])]


def test_a_parcel_picked_up_and_failed_at_its_door_goes_back_to_its_shop():
    events = {2: {"arrived", "picked_up"}, 3: {"arrived", "failed"}}
    assert to_return(STOPS, events, {"a", "b"}) == {"a": "shop", "b": "shop"}
    assert to_return(STOPS, events, {"a", "b"}, first="hub") == {"a": "hub", "b": "hub"}


def test_a_parcel_cancelled_or_never_picked_up_is_not_on_board():
    # "b" was cancelled before the pick-up (not failed); "d" failed at its door
    # without its pick-up: nothing of theirs is on the bike.
    events = {2: {"arrived", "picked_up"}, 3: {"arrived", "failed"}, 6: {"arrived", "failed"}}
    assert to_return(STOPS, events, {"a", "d"}) == {"a": "shop"}
    assert to_return(STOPS, {2: {"arrived", "failed"}, 3: {"failed"}}, {"a", "b"}) == {}


def test_a_return_done_clears_it_and_a_return_refused_sends_it_to_the_hub():
    events = {2: {"picked_up"}, 3: {"failed"}}
    done = [*STOPS[:-1], S(8, "return", ["a", "b"]), STOPS[-1]]
    assert to_return(done, {**events, 8: {"arrived", "returned"}}, {"a", "b"}) == {}
    assert to_return(done, {**events, 8: {"arrived"}}, {"a", "b"}) == {"a": "shop", "b": "shop"}
    assert to_return(done, {**events, 8: {"arrived", "failed"}}, {"a", "b"}) == {"a": "hub", "b": "hub"}
    hub = [*done[:-1], S(9, "return", ["a", "b"]), STOPS[-1]]
    assert to_return(hub, {**events, 8: {"failed"}, 9: {"arrived", "returned"}}, {"a", "b"}) == {}
