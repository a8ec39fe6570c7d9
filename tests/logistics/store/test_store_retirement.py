"""Retired couriers and shops: kept as rows, out of new plans' fleets; retiring twice
keeps the first time."""

from __future__ import annotations

from factories import courier_row, shop_row
from sqlalchemy import update
from sqlalchemy.orm import Session

from logistics.store.models import Courier
from logistics.store.retirement import active_fleet, retire, retired_couriers

HUB = (3.08, 50.37)


def test_the_fleet_is_everyone_until_someone_retires(engine, clock):
    with Session(engine) as s:
        s.execute(update(Courier).values(retired_at=None))  # rolled back at the end
        s.add_all([courier_row("rt-a", HUB), courier_row("rt-b", HUB)])
        s.flush()
        assert active_fleet(s) is None  # nobody retired: a plan takes every courier
        b = s.get(Courier, "rt-b")
        first = retire(b)
        clock.on("2030-06-04", "09:00")
        assert retire(b) == first  # a retry keeps the first time
        fleet = active_fleet(s)
        assert "rt-a" in fleet
        assert "rt-b" not in fleet
        assert retired_couriers(s, ["rt-a", "rt-b", "rt-b"]) == ["rt-b"]
        assert retired_couriers(s, []) == []
        s.rollback()


def test_a_shop_is_retired_with_the_platforms_clock(engine, clock):
    at = clock.on("2031-02-03", "11:15")
    with Session(engine) as s:
        shop = shop_row("rt-shop", HUB)
        s.add(shop)
        assert abs((retire(shop) - at).total_seconds()) < 5  # the clock runs on from ``at``
        s.rollback()
