"""Orders: a shop posts and reads its own, a dispatcher any; CSV import; cancel.

Ids are scoped (:mod:`logistics.ids`): a shop names its orders and baskets in its own
namespace, reads and cancels an order by its own reference or by the order's public
id, and gets the same 404 for another shop's order as for one that does not exist. The
dispatcher names orders by their public ids and forms baskets in its own namespace."""

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from logistics import clock, ids, limits
from logistics.delivery_area import check_delivery_area
from logistics.geocoding.candidate import Candidate, GeocoderUnavailable
from logistics.inputs import Order as OrderInput
from logistics.jobs.celery_app import APPLY_CHANGES, IMPORT_ORDERS
from logistics.settings import get_settings
from logistics.store.addresses import address_of_point, move_customer, place_address
from logistics.store.import_jobs import (
    count_rows,
    import_csv_bytes,
    queue_import,
    readable_import,
)
from logistics.store.models import ImportStatus, Order, OrderStatus, Role, User
from logistics.store.order_status import move_order
from logistics.store.orders import CustomerDetails, add_order, find_order
from logistics.store.plan_changes import note_late_orders
from logistics.store.service_area import check_in_area
from logistics.timeofday import parse_clock

from ..deps import Dispatcher, SessionDep, ShopOrDispatcher
from ..errors import ApiError, invalid, not_found
from ..schemas import (
    CancelBody,
    ImportJobPublic,
    ImportQueued,
    OrderCreate,
    OrderPublic,
    OrdersImported,
    OrdersPublic,
    PathOrderIdent,
    PlaceBody,
    RowId,
    error_responses,
    import_job_public,
    order_public,
)
from .plans import send

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/orders", tags=["orders"])

#: the largest CSV an import takes (about 40,000 orders)
MAX_IMPORT_BYTES = 5_000_000


def own_order(db: Session, user: User, order_id: str, *, lock: bool = False) -> Order:
    """The order, if the caller may see it: a shop's own by its reference or public id,
    any by its public id for the dispatcher; 404 otherwise, the same whether another's
    exists or not. With ``lock``, the row is locked until the request commits, so that
    a courier's pick-up and a cancel cannot both win."""
    shop_id = user.shop_id if user.role == Role.SHOP else None
    if user.role == Role.SHOP and shop_id is None:  # a shop user always has its shop
        raise not_found("order_id", f"no order {order_id!r}")
    order = find_order(db, order_id, shop_id=shop_id, lock=lock)
    if order is None:
        raise not_found("order_id", f"no order {order_id!r}")
    return order


@router.post(
    "", status_code=201,
    responses={
        200: {"model": OrderPublic, "description": "A retry with the same Idempotency-Key: the first order."},
        **error_responses(401, 403, 409, 422, notes={
            403: "A shop's token ordering for another shop.",
            409: "The order id exists already (in its shop's namespace), the "
                 "Idempotency-Key was sent with another order, the basket goes to another "
                 "place or in another slot, or the shop is retired.",
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
    retry with the same ``Idempotency-Key`` returns the first order (200). The ids
    sent are the poster's references; the answer carries the public ``order_id``."""
    if idempotency_key is not None and "\x00" in idempotency_key:
        raise invalid("Idempotency-Key", "contains a NUL character (\\x00), which cannot be stored")
    shop_id = body.shop_id
    if user.role == Role.SHOP:
        if shop_id not in (None, user.shop_id):
            raise ApiError(403, "forbidden", f"shop_id: a token of {user.shop_id!r} cannot order for {shop_id!r}")
        shop_id = user.shop_id
    placed = None
    if body.customer_lon is None or body.customer_lat is None:
        placed = _place(db, body.customer_address or "")
        lon, lat = placed.lon, placed.lat
        check_in_area(db, "customer_address", "customer_address", lon, lat)
        check_delivery_area("customer_address", lon, lat, placed.label)
    else:
        lon, lat = body.customer_lon, body.customer_lat
        check_in_area(db, "customer_lon", "customer_lat", lon, lat)
        check_delivery_area("customer_lon", lon, lat)
        if not body.customer_address:
            placed = address_of_point(lon, lat)  # the courier reads a street
    order = OrderInput(
        body.order_id, shop_id, body.basket_id, lon, lat,
        body.weight_kg, body.volume_l, parse_clock(body.ready_at) if body.ready_at else 0,
        parse_clock(body.deliver_from), parse_clock(body.deliver_to),
    )
    # A shop's basket is its own; the dispatcher's (across shops or not) the dispatcher's.
    basket_owner = user.shop_id if user.role == Role.SHOP else ids.DISPATCH
    row, created = add_order(
        db, order, basket_owner=basket_owner, delivery_date=body.date,
        idempotency_key=idempotency_key, user_id=user.id, customer_address=body.customer_address,
        customer=CustomerDetails(body.customer_name, body.customer_phone, body.customer_email,
                                 body.delivery_notes),
    )
    if created and placed is not None:
        row.address_label, row.address_score, row.address_source = placed.label, placed.score, placed.source
        row.customer_address = row.customer_address or placed.label
        db.flush()
    out = order_public(row)
    if created:
        insert_late(request, db, [row.delivery_date])
    else:
        response.status_code = 200
    return out


def _place(db: Session, text: str) -> Candidate:
    """The point of the customer's address (422 with candidates when it is unknown or
    ambiguous; 503 when no address source answers)."""
    try:
        return place_address(db, text)
    except GeocoderUnavailable:
        raise ApiError(503, "unavailable", "customer_address: the address service does not answer "
                       "now; try again, or send customer_lon and customer_lat") from None


def insert_late(request: Request, db: Session, days: list[dt.date]) -> None:
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
    response_model=OrdersImported,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    responses={
        202: {"model": ImportQueued,
              "description": "More than IMPORT_INLINE_ROWS rows: the file is queued for the "
                             "worker; its status is at the Location.",
              "headers": {"Location": {"description": "the job's status",
                                       "schema": {"type": "string"}}}},
        **error_responses(401, 403, 409, 413, 422, notes={
            409: "An order of the file clashes with one stored, or its shop is retired (the "
                 "order is named).",
            413: f"The body is over {MAX_IMPORT_BYTES} bytes, or holds more than "
                 "IMPORT_MAX_ROWS data rows.",
            422: "The body is empty, the date is out of range, or a row is wrong (its file "
                 "row and field are named).",
        }),
    },
)
async def import_csv(
    request: Request,
    db: SessionDep,
    user: ShopOrDispatcher,
    date: Annotated[dt.date | None, Query(description="delivery day of every row (default today)")] = None,
) -> Any:
    """Add every order of a CSV (the ``orders.csv`` of ``douai-delivery plan``), all or
    none: the first bad row is named (file row and field) and nothing of the file is kept.
    Ids are read as in a ``POST`` (a shop's file: only its own orders, ``shop_id`` empty
    or its own). A file of more than ``IMPORT_INLINE_ROWS`` rows is imported by the
    worker (202): its status and outcome are at ``status_url``."""
    if date is not None:
        limits.check_day("date", date)
    data = await _read_body(request)
    if not data.strip():
        raise invalid("body", "send the CSV as the request body")
    # Reading the file and storing its orders block: never on the event loop, which
    # serves every other request meanwhile.
    return await run_in_threadpool(_import, request, db, user, data, date)


async def _read_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes :data:`MAX_IMPORT_BYTES`."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_IMPORT_BYTES:
            raise ApiError(413, "too_large", f"body: at most {MAX_IMPORT_BYTES} bytes per import")
    return bytes(data)


def _import(
    request: Request, db: Session, user: User, data: bytes, date: dt.date | None
) -> OrdersImported | JSONResponse:
    """Import ``data`` now (a small file), or queue it for the worker (a big one)."""
    settings = get_settings()
    rows = count_rows(data)
    if rows > settings.import_max_rows:
        raise ApiError(413, "too_large", f"body: at most {settings.import_max_rows} data rows "
                       f"per import, this file has {rows}; split it")
    shop_id = user.shop_id if user.role == Role.SHOP else None
    if rows <= settings.import_inline_rows:
        stored = import_csv_bytes(db, data, delivery_date=date, shop_id=shop_id, user_id=user.id)
        insert_late(request, db, [r.delivery_date for r in stored])
        return OrdersImported(imported=len(stored), order_ids=[r.id for r in stored],
                              shop_refs=[r.shop_ref for r in stored])
    job = queue_import(db, data, rows, delivery_date=date or clock.today(), shop_id=shop_id,
                       user_id=user.id)
    db.commit()  # stored before the worker hears of it
    url = request.app.url_path_for("get_import", job_id=str(job.id))
    warning = None
    try:
        request.app.state.jobs.send_task(IMPORT_ORDERS, args=[job.id])
    except Exception as e:  # noqa: BLE001 - a broker outage must not lose the stored job
        log.warning("could not queue import job %s: %s", job.id, e)
        warning = (f"the job queue is unreachable ({type(e).__name__}); the import is kept "
                   "and will be sent again")
    body = ImportQueued(job_id=job.id, status=ImportStatus.QUEUED, status_url=url, warning=warning)
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": url})


@router.get(
    "/imports/{job_id}",
    responses=error_responses(401, 403, 404, 422, notes={
        404: "No import job of that id, or none the caller may see (another shop's).",
    }),
)
def get_import(job_id: RowId, db: SessionDep, user: ShopOrDispatcher) -> ImportJobPublic:
    """A CSV import the worker runs: its status; once done, the orders it stored, once
    failed, the row and field that stopped it (nothing of the file is stored). A shop
    reads only its own imports, the dispatcher any."""
    if user.role == Role.SHOP:
        job = readable_import(db, job_id, shop_id=user.shop_id) if user.shop_id else None
    else:
        job = readable_import(db, job_id, shop_id=None)
    if job is None:
        raise not_found("job_id", f"no import job {job_id}")
    return import_job_public(job)


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
    limits.check_read_day("date" if date is not None else "from", first)
    limits.check_read_day("date" if date is not None else "to", last)
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
def get_order(order_id: PathOrderIdent, db: SessionDep, user: ShopOrDispatcher) -> OrderPublic:
    """One order, by its public id (a shop: also by its own reference); a shop sees only
    its own."""
    return order_public(own_order(db, user, order_id))


@router.patch(
    "/{order_id}/location",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        409: "The order is delivered, failed or cancelled.",
        422: "Not a point, or outside the service or delivery area.",
    }),
)
def move_order_location(
    order_id: PathOrderIdent, body: PlaceBody, request: Request, db: SessionDep, user: Dispatcher,
) -> OrderPublic:
    """The dispatcher drags an order's pin: the customer is there. The order's address is
    corrected for later orders, and a published day is re-timed by the worker."""
    order = own_order(db, user, order_id, lock=True)
    check_in_area(db, "lon", "lat", body.lon, body.lat)
    check_delivery_area("lon", body.lon, body.lat)
    move_customer(db, order, body.lon, body.lat)
    out = order_public(order)
    insert_late(request, db, [order.delivery_date])
    return out


@router.post(
    "/{order_id}/cancel",
    responses=error_responses(401, 403, 404, 409, 422, notes={
        409: "The order's status no longer allows a cancel (picked up, delivered, failed).",
    }),
)
def cancel_order(order_id: PathOrderIdent, body: CancelBody, db: SessionDep, user: ShopOrDispatcher) -> OrderPublic:
    """Cancel an order not yet picked up, with a reason."""
    order = own_order(db, user, order_id, lock=True)
    move_order(db, order, OrderStatus.CANCELLED, reason=body.reason, user_id=user.id)
    return order_public(order)
