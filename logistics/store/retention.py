"""Personal data kept only as long as it is needed (RGPD).

What the platform holds about a customer: the delivery address (text), the point of the
home, free-text reasons (why a hand-over failed), the points where the courier's phone
was at the door, the street paths of the rounds (they reach each door), the proof of delivery (name, photo, signature), the e-mails and SMS
sent to them, and the same coordinates in each plan's audit copy of its inputs. About
a courier: the positions their phone sent. None of it is needed once the delivery day is
well over: the city's figures keep only aggregates.

After the retention period (``PERSONAL_DATA_RETENTION_DAYS`` after the delivery day),
:func:`erase_expired` erases the texts and generalises every customer point to the centre
of its cell of about 500 m (so that figures by area still add up), and deletes the
couriers' positions; :func:`erase_customer` does the same at once for one customer's
request (by order, with its basket, or by address). Both are idempotent and say what they
changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, Point
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from logistics import clock
from logistics.store.models import (
    CourierPosition,
    DeliveryProof,
    ImportJob,
    ImportStatus,
    Message,
    Order,
    OrderEvent,
    Plan,
    Round,
    Stop,
    StopEvent,
)

#: the side of the cells customer points are generalised to, in metres
CELL_M = 500.0
_M_PER_DEG_LAT = 111_320.0


def generalise(lon: float, lat: float, cell_m: float = CELL_M) -> tuple[float, float]:
    """The centre of the cell of about ``cell_m`` metres a point falls in (a grid of
    whole cells in latitude, and in longitude at that latitude band)."""
    dlat = cell_m / _M_PER_DEG_LAT
    row = math.floor(lat / dlat)
    centre_lat = (row + 0.5) * dlat
    dlon = cell_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(centre_lat)), 1e-6))
    col = math.floor(lon / dlon)
    return round((col + 0.5) * dlon, 6), round(centre_lat, 6)


@dataclasses.dataclass
class Erased:
    """What one erasure changed."""

    orders: int = 0
    stops: int = 0
    stop_events: int = 0
    positions: int = 0
    plans: int = 0
    import_files: int = 0
    messages: int = 0
    proofs: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _point(geom: Any) -> tuple[float, float]:
    p = to_shape(geom)
    return p.x, p.y


def _generalised(geom: Any) -> Any:
    return from_shape(Point(*generalise(*_point(geom))), 4326)


#: how close (degrees, about 0.2 m) a path's vertex is to a door to be that door: paths
#: are stored to 6 decimals
_DOOR_DEG = 2e-6


def without_doors(coords: list[tuple[float, float]], doors: Iterable[tuple[float, float]]
                  ) -> list[tuple[float, float]]:
    """A street path without the doors it reaches: each door's vertex goes, with the
    vertex on either side of it (where the path joins the door's street)."""
    drop: set[int] = set()
    for door in doors:
        for i, (x, y) in enumerate(coords):
            if abs(x - door[0]) <= _DOOR_DEG and abs(y - door[1]) <= _DOOR_DEG:
                drop |= {i - 1, i, i + 1}
    kept = [c for i, c in enumerate(coords) if i not in drop]
    return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]


def _line_without(geom: Any, doors: list[tuple[float, float]]) -> Any:
    if geom is None:
        return None
    coords = without_doors([(x, y) for x, y, *_ in to_shape(geom).coords], doors)
    return from_shape(LineString(coords), 4326) if len(coords) >= 2 else None


def _erase_paths(session: Session, stops: list[Stop]) -> None:
    """Take the erased stops' doors out of their rounds' street paths and stop legs (the
    legs keep their metres: the kilometres ridden still add up)."""
    doors: dict[int, list[tuple[float, float]]] = {}
    for st in stops:
        doors.setdefault(st.round_id, []).append(_point(st.location))
    for r in session.scalars(select(Round).where(Round.id.in_(list(doors)))):
        r.geometry = _line_without(r.geometry, doors[r.id])
        for st in r.stops:
            st.leg = _line_without(st.leg, doors[r.id])


def erase_orders(session: Session, order_ids: Iterable[str]) -> Erased:
    """Erase the personal data of these orders (texts gone, points generalised),
    wherever it lies: the order, its events' reasons, its hand-over stops and their
    events, the audit copies of the plans' inputs. Orders already erased are skipped."""
    done = Erased()
    orders = list(session.scalars(
        select(Order).where(Order.id.in_(list(order_ids)), Order.erased_at.is_(None))
        .order_by(Order.id).with_for_update()
    ))
    if not orders:
        return done
    ids = [o.id for o in orders]
    for o in orders:
        o.customer_address = None
        o.customer_name = o.customer_phone = o.customer_email = o.delivery_notes = None
        o.address_label = None
        o.customer_location = _generalised(o.customer_location)
        o.status_reason = "erased" if o.status_reason else None
        o.erased_at = func.now()
    done.orders = len(orders)
    for e in session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_(ids),
                                                      OrderEvent.reason.is_not(None))):
        e.reason = "erased"
    erased = set(ids)
    days = sorted({o.delivery_date for o in orders})
    stops = [s for s in session.scalars(
        select(Stop).join(Round, Round.id == Stop.round_id).join(Plan, Plan.id == Round.plan_id)
        .where(Plan.day.in_(days), Stop.kind == "delivery"))
        if s.order_ids and set(s.order_ids) <= erased]
    _erase_paths(session, stops)
    for s in stops:
        s.location = _generalised(s.location)
    done.stops = len(stops)
    if stops:
        for ev in session.scalars(select(StopEvent).where(StopEvent.stop_id.in_([s.id for s in stops]))):
            ev.location, ev.reason = None, ("erased" if ev.reason else None)
            done.stop_events += 1
        done.proofs = session.execute(delete(DeliveryProof).where(
            DeliveryProof.stop_id.in_([s.id for s in stops]))).rowcount or 0
    # The messages to the customers: their contact and text go; one not sent yet is dropped.
    for m in session.scalars(select(Message).where(Message.order_id.in_(ids), Message.channel.in_(("email", "sms")),
                                                   Message.target != "erased")):
        m.target, m.body, m.subject = "erased", "erased", None
        if m.status in ("pending", "sending"):
            m.status, m.last_error = "skipped", "the customer's data was erased"
        done.messages += 1
    for plan in session.scalars(select(Plan).where(Plan.day.in_(days), Plan.inputs.is_not(None))):
        # New dicts, never the loaded ones changed in place: a JSON column is saved only
        # when its value differs from the one loaded.
        rows = [dict(row) for row in (plan.inputs or {}).get("orders") or []]
        touched = False
        for row in rows:
            if row.get("order_id") in erased and "customer_lon" in row:
                row["customer_lon"], row["customer_lat"] = generalise(row["customer_lon"], row["customer_lat"])
                touched = True
        if touched:
            plan.inputs = {**plan.inputs, "orders": rows}
            done.plans += 1
    session.flush()
    return done


def erase_expired(session: Session, *, today: dt.date | None = None,
                  retention_days: int | None = None) -> Erased:
    """Erase what the retention period no longer covers: the orders of days more than
    ``retention_days`` (default ``PERSONAL_DATA_RETENTION_DAYS``) before ``today``, and
    the couriers' positions older than that."""
    from logistics.settings import get_settings

    today = today or clock.today()
    days = get_settings().personal_data_retention_days if retention_days is None else retention_days
    last = today - dt.timedelta(days=days)
    ids = list(session.scalars(select(Order.id).where(Order.delivery_date < last,
                                                       Order.erased_at.is_(None))))
    done = erase_orders(session, ids)
    gone = session.execute(delete(CourierPosition).where(
        CourierPosition.at < clock.day_start(last)))
    done.positions = gone.rowcount or 0
    # A posted CSV waits for the worker only minutes; one left longer (no worker ever
    # ran it) still holds its customers' addresses: it goes with the rest. Its age is
    # the database's, as its stamp is.
    age = func.make_interval(0, 0, 0, days)
    files = session.execute(
        update(ImportJob).where(ImportJob.csv.is_not(None), ImportJob.created_at < func.now() - age)
        .values(csv=None, status=ImportStatus.FAILED.value, finished_at=func.now(),
                result={"error": "internal", "field": "body", "row": None,
                        "problem": "no worker ran this import within the retention period; "
                                   "its file was erased"}))
    done.import_files = files.rowcount or 0
    session.flush()
    return done


def erase_customer(session: Session, *, order_id: str | None = None,
                   address: str | None = None) -> Erased:
    """A customer's request: erase the order (with the rest of its basket), or every
    order at an address (the same text, case and spaces aside), whatever their day."""
    if (order_id is None) == (address is None):
        msg = "give an order id or an address"
        raise ValueError(msg)
    if order_id is not None:
        order = session.get(Order, order_id)
        if order is None:
            return Erased()
        ids = [order.id]
        if order.basket_id is not None:
            ids = list(session.scalars(select(Order.id).where(
                Order.basket_id == order.basket_id, Order.delivery_date == order.delivery_date)))
    else:
        key = " ".join((address or "").split()).lower()
        spaced = func.lower(func.trim(func.regexp_replace(Order.customer_address, r"\s+", " ", "g")))
        ids = list(session.scalars(select(Order.id).where(spaced == key)))
    return erase_orders(session, ids)
