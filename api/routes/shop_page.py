"""What the shop's page needs beyond the orders: its shop with the form's choices (slots,
parcel presets), "Colis prêt" / "Pas prêt, prêt à HH:MM", and a parcel's label with a QR
code of the order id (SVG, made here: the page fetches nothing from the internet)."""

import datetime as dt
import io
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Request

from logistics import clock, parcels
from logistics.clock import hhmm
from logistics.errors import DomainError, ErrorKind
from logistics.settings import get_settings
from logistics.store.models import OrderStatus, Role, Shop, User
from logistics.timeofday import parse_clock

from ..deps import SessionDep, ShopOrDispatcher, role
from ..errors import invalid, not_found
from ..schemas import OrderPublic, PathOrderIdent, error_responses, order_public
from ..schemas.shop_page import LabelPublic, ParcelPresetPublic, ReadyBody, ShopMe
from .orders import insert_late, own_order

router = APIRouter(prefix="/api", tags=["shop page"])
ShopUser = Annotated[User, Depends(role(Role.SHOP))]


@router.get("/shops/me", responses=error_responses(401, 403, 404, 422))
def my_shop(db: SessionDep, user: ShopUser) -> ShopMe:
    """The caller's shop, the delivery slots and the parcel presets its form offers."""
    shop = db.get(Shop, user.shop_id) if user.shop_id else None
    if shop is None:
        raise not_found("shop_id", "your token names no shop")
    return ShopMe(
        shop_id=shop.id, name=shop.name, address=shop.address, opens=hhmm(shop.opens) or "",
        closes=hhmm(shop.closes) or "",
        slots=[{"from": a, "to": b} for a, b in get_settings().slots],
        parcels=[ParcelPresetPublic(code=p.code, label=p.label, weight_kg=p.weight_kg,
                                    volume_l=p.volume_l) for p in parcels.PRESETS],
        default_parcel=shop.default_parcel,
    )


@router.post("/orders/{order_id}/ready", responses=error_responses(401, 403, 404, 409, 422, notes={
    409: "The order is picked up, delivered, failed or cancelled.",
    422: "A time after the order's slot ends.",
}))
def order_ready(order_id: PathOrderIdent, body: ReadyBody, request: Request, db: SessionDep,
                user: ShopOrDispatcher) -> OrderPublic:
    """"Colis prêt" (now) or "Pas prêt, prêt à HH:MM": when the parcels can be picked up.
    A published day takes the new time through the worker, like a late order."""
    order = own_order(db, user, order_id, lock=True)
    if order.status not in (OrderStatus.RECEIVED.value, OrderStatus.PLANNED.value):
        raise DomainError("order_id", f"order {order.id} is {order.status}: its ready time no longer matters",
                          kind=ErrorKind.CONFLICT, code="ready_closed",
                          params={"order_id": order.id, "status": order.status})
    if body.at is None:
        now = clock.now()
        ready = clock.seconds_into(order.delivery_date, now) if clock.local_day(now) == order.delivery_date else 0
        ready = max(0, min(ready, 24 * 3600 - 60))
    else:
        try:
            ready = parse_clock(body.at)
        except ValueError as e:
            raise invalid("at", str(e)) from None
    end = order.deliver_to.hour * 3600 + order.deliver_to.minute * 60
    if ready > end:
        at = f"{ready // 3600:02d}:{ready % 3600 // 60:02d}"
        raise DomainError("at", f"ready at {at}, after the slot ends ({hhmm(order.deliver_to)})",
                          code="ready_after_slot", params={"ready": at, "slot_end": hhmm(order.deliver_to)})
    order.ready_at = dt.time(ready // 3600, ready % 3600 // 60)
    db.flush()
    out = order_public(order)
    insert_late(request, db, [order.delivery_date])
    return out


@router.get("/orders/{order_id}/label", responses=error_responses(401, 403, 404, 422))
def order_label(order_id: PathOrderIdent, db: SessionDep, user: ShopOrDispatcher) -> LabelPublic:
    """A parcel's label: what the courier and the customer read, and a QR code of the
    order id (the courier's page or any reader finds the order by it)."""
    order = own_order(db, user, order_id)
    buffer = io.BytesIO()
    segno.make(order.id, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False,
                                          svgns=True, title=f"Commande {order.id}")
    return LabelPublic(
        order_id=order.id, shop_ref=order.shop_ref, shop_name=order.shop.name if order.shop else None,
        customer_name=order.customer_name, address=order.customer_address or order.address_label,
        date=order.delivery_date.isoformat(), slot=f"{hhmm(order.deliver_from)}–{hhmm(order.deliver_to)}",
        qr_svg=buffer.getvalue().decode(),
    )
