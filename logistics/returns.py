"""Parcels that failed on the way and are still on the courier's bike.

A hand-over that fails leaves the parcel with the courier: it must go back, to its shop
(within the shop's hours) or to the hub (where the round ends), on a stop of kind
``return``. What is still to bring back is derived from a round's stops, their events
and the orders' statuses, never stored, so the worker that plans the return stops and
the phone that shows the round cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal, Protocol

#: where a parcel goes back
Target = Literal["shop", "hub"]


class StopLike(Protocol):
    """What is read of a stop: its id, kind and orders."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def order_ids(self) -> list[str]: ...


def to_return(
    stops: Sequence[StopLike],
    events: Mapping[int, Collection[str]],
    failed_orders: Collection[str],
    *,
    first: Target = "shop",
) -> dict[str, Target]:
    """The parcels of a round still to bring back, and where: each order that was picked
    up on this round (a ``picked_up`` event at its pick-up), whose hand-over failed (a
    ``failed`` event at its delivery stop) and that is failed (``failed_orders``: not
    cancelled meanwhile), and that no return stop took back (``returned``). A return to
    the shop that failed (shop closed) sends it to the hub; ``first`` is where a parcel
    goes first (the ``RETURN_TO`` setting).
    """
    picked = {
        o for s in stops if s.kind == "pickup" and "picked_up" in events.get(s.id, ())
        for o in s.order_ids
    }
    out: dict[str, Target] = {}
    for s in stops:
        done = events.get(s.id, ())
        if s.kind == "delivery" and "failed" in done:
            out.update({o: first for o in s.order_ids if o in picked and o in failed_orders})
        elif s.kind == "return" and "returned" in done:
            for o in s.order_ids:
                out.pop(o, None)
        elif s.kind == "return" and "failed" in done:
            out.update({o: "hub" for o in s.order_ids if o in out})
    return out
