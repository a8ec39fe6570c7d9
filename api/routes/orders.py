"""Orders: a shop posts and reads its own, a dispatcher any; CSV import; cancel."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics import limits
from logistics.inputs import Order as OrderInput
from logistics.jobs.celery_app import APPLY_CHANGES
from logistics.store.models import Order, OrderStatus, Role, User
from logistics.store.order_status import move_order
from logistics.store.orders import add_order, import_orders
from logistics.store.plan_changes import note_late_orders
from logistics.store.service_area import check_in_area
from logistics.timeofday import parse_clock

from ..deps import SessionDep, ShopOrDispatcher
from ..errors import ApiError, invalid, not_found
from ..schemas import (
    CancelBody,
    OrderCreate,
    OrderPublic,
    OrdersImported,
    OrdersPublic,
    PathIdent,
    error_responses,
    order_public,
)
from .plans import send

router = APIRouter(prefix="/api/orders", tags=["orders"])

#: the largest CSV an import takes (about 40,000 orders)
MAX_IMPORT_BYTES = 5_000_000


def own_order(db: Session, user: User, order_id: str, *, lock: bool = False) -> Order:
    """The order, if the caller may see it; 404 otherwise (existing or not). With
    ``lock``, the row is locked until the request commits, so that a courier's pick-up
    and a cancel cannot both win."""
    order = db.get(Order, order_id, with_for_update=lock)
    if order is None or (user.role == Role.SHOP and order.shop_id != user.shop_id):
        raise not_found("order_id", f"no order {order_id!r}")
    return order


@router.post(
    "", status_code=201,
    responses={
        200: {"model": OrderPublic, "description": "A retry with the same Idempotency-Key: the first order."},
        **error_responses(401, 403, 409, 422, notes={
            403: "A shop's token ordering for another shop.",
            409: "The order id exists already, the Idempotency-Key was sent with another "
                 "order, or the shop is retired.",
            422: "A bad body, or a customer outside the service area.",
        }),
    },
)
def create_order(
    body: OrderCreate,
    request: Request,
    response: Response,
    db: SessionDep,
    user: ShopOrDispatcher,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OrderPublic:
    """Add an order (a shop for itself, a dispatcher for any shop or the hub); a
    retry with the same ``Idempotency-Key`` returns the first order (200)."""
    if idempotency_key is not None and "\x00" in idempotency_key:
        raise invalid("Idempotency-Key", "contains a NUL character (\\x00), which cannot be stored")
    shop_id = body.shop_id
    if user.role == Role.SHOP:
        if shop_id not in (None, user.shop_id):
            raise ApiError(403, "forbidden", f"shop_id: a token of {user.shop_id!r} cannot order for {shop_id!r}")
        shop_id = user.shop_id
    check_in_area(db, "customer_lon", "customer_lat", body.customer_lon, body.customer_lat)
    order = OrderInput(
        body.order_id, shop_id, body.basket_id, body.customer_lon, body.customer_lat,
        body.weight_kg, body.volume_l, parse_clock(body.ready_at) if body.ready_at else 0,
        parse_clock(body.deliver_from), parse_clock(body.deliver_to),
    )
    row, created = add_order(
        db, order, delivery_date=body.date, idempotency_key=idempotency_key, user_id=user.id,
        customer_address=body.customer_address,
    )
    out = order_public(row)
    if created:
        _insert_late(request, db, [row.delivery_date])
    else:
        response.status_code = 200
    return out


def _insert_late(request: Request, db: Session, days: list[dt.date]) -> None:
    """Orders for a day whose plan is published are inserted into its rounds by the
    worker: queue that change (once) and send it, after this request's commit."""
    plan_ids = {p for d in set(days) if (p := note_late_orders(db, d)) is not None}
    if not plan_ids:
        return
    db.commit()
    for plan_id in sorted(plan_ids):
        send(request, APPLY_CHANGES, plan_id)


@router.post(
    "/import",
    status_code=201,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    responses=error_responses(401, 403, 409, 413, 422, notes={
        409: "An order of the file clashes with one stored, or its shop is retired (the "
             "order is named).",
        422: "The body is empty, the date is out of range, or a row is wrong (its file "
             "row and field are named).",
    }),
)
async def import_csv(
    request: Request,
    db: SessionDep,
    user: ShopOrDispatcher,
    date: Annotated[dt.date | None, Query(description="delivery day of every row (default today)")] = None,
) -> OrdersImported:
    """Add every order of a CSV (the ``orders.csv`` of ``douai-delivery plan``), all or
    none: the first bad row is named (file row and field) and nothing of the file is kept."""
    if date is not None:
        limits.check_day("date", date)
    data = await request.body()
    if not data.strip():
        raise invalid("body", "send the CSV as the request body")
    if len(data) > MAX_IMPORT_BYTES:
        raise ApiError(413, "too_large", f"body: at most {MAX_IMPORT_BYTES} bytes per import")
    shop_id = user.shop_id if user.role == Role.SHOP else None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        path.write_bytes(data)
        rows = import_orders(db, path, delivery_date=date, shop_id=shop_id, user_id=user.id)
    _insert_late(request, db, [r.delivery_date for r in rows])
    return OrdersImported(imported=len(rows), order_ids=[r.id for r in rows])


#: the longest span one listing covers (a quarter)
MAX_LIST_DAYS = 92


@router.get("", responses=error_responses(401, 403, 422))
def list_orders(
    db: SessionDep,
    user: ShopOrDispatcher,
    date: Annotated[dt.date | None, Query(description="one delivery day")] = None,
    from_: Annotated[dt.date | None, Query(alias="from", description="first delivery day")] = None,
    to: Annotated[dt.date | None, Query(description="last delivery day")] = None,
    status: Annotated[OrderStatus | None, Query(description="only orders in this status")] = None,
) -> OrdersPublic:
    """The orders of a day (``date``) or of a span (``from``, ``to``; at most 92 days),
    oldest day first; a shop gets only its own."""
    first, last = (date, date) if date is not None else (from_, to)
    if first is None or last is None:
        raise invalid("date", "give date, or from and to")
    limits.check_day("date" if date is not None else "from", first)
    limits.check_day("date" if date is not None else "to", last)
    if last < first:
        raise invalid("to", "is before from")
    if (last - first).days >= MAX_LIST_DAYS:
        raise invalid("to", f"at most {MAX_LIST_DAYS} days at once")
    query = select(Order).where(Order.delivery_date >= first, Order.delivery_date <= last)
    if status is not None:
        query = query.where(Order.status == status.value)
    if user.role == Role.SHOP:
        query = query.where(Order.shop_id == user.shop_id)
    rows = db.scalars(query.order_by(Order.delivery_date, Order.id)).all()
    return OrdersPublic(from_=first, to=last, count=len(rows), orders=[order_public(o) for o in rows])


@router.get("/{order_id}", responses=error_responses(401, 403, 404, 422))
def get_order(order_id: PathIdent, db: SessionDep, user: ShopOrDispatcher) -> OrderPublic:
    """One order: a shop sees only its own."""
    return order_public(own_order(db, user, order_id))


@router.post(
    "/{order_id}/cancel",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        409: "The order's status no longer allows a cancel (picked up, delivered, failed).",
    }),
)
def cancel_order(order_id: PathIdent, body: CancelBody, db: SessionDep, user: ShopOrDispatcher) -> OrderPublic:
    """Cancel an order not yet picked up, with a reason."""
    order = own_order(db, user, order_id, lock=True)
    move_order(db, order, OrderStatus.CANCELLED, reason=body.reason, user_id=user.id)
    return order_public(order)
