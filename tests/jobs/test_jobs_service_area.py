"""A worker records the bounds of the street network it loads as the service area, so
that the API can refuse points the worker could never plan."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from stack_helpers import wait_for

from logistics.store.models import ServiceArea


def test_the_worker_records_its_network_as_the_service_area(engine, worker, town):
    def recorded():
        with Session(engine) as s:
            return s.scalars(select(ServiceArea).where(ServiceArea.source == town.source)).first()

    row = wait_for(recorded, timeout=60)
    assert (row.west, row.south, row.east, row.north) == town.bounds
    assert town.source == "file grid-town.osm"
