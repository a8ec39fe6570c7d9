"""Who is told what when an order moves, queued in the outbox (:mod:`.outbox`) in the
same transaction as the move:

- the customer (e-mail when they gave one and ``SMTP_URL`` is set, SMS when they gave a
  phone and ``SMS_PROVIDER`` is set): the plan published (slot confirmed, the tracking
  link), their stop next ("votre livreur arrive"), delivered, failed. A basket (one drop
  for several shops) is told once, naming its shops. Nothing after the customer opted
  out, nothing once their data is erased;
- the shops' webhooks (:class:`~logistics.store.models.Webhook`): ``order.planned`` (the
  plan published), ``order.picked_up``, ``order.delivered``, ``order.failed``,
  ``order.cancelled``, each to the hooks of the order's shop and the dispatcher's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.messages.sms import international
from logistics.messages.wording import NEXT_STEP, Facts, compose
from logistics.settings import get_settings
from logistics.store.models import ContactOptOut, Message, Order, OrderStatus, Webhook
from logistics.store.orders import one_drop
from logistics.store.outbox import Outgoing, queue, skip

#: the webhook events, by the order status that sends them (``planned``: at publishing)
HOOK_EVENTS = ("order.planned", "order.picked_up", "order.delivered", "order.failed", "order.cancelled")
HOOK_EVENT_OF = {OrderStatus.PICKED_UP: "order.picked_up", OrderStatus.DELIVERED: "order.delivered",
                 OrderStatus.FAILED: "order.failed", OrderStatus.CANCELLED: "order.cancelled"}


def tracking_url(order: Order) -> str:
    """The customer's public page of ``order``."""
    return f"{get_settings().public_base_url.rstrip('/')}/t/{order.tracking_token}"


def contact_key(contact: str) -> str:
    """How an opted-out e-mail or phone is kept: a hash of its normal form, not the text."""
    text = contact.strip().lower()
    if "@" not in text:
        text = international(text) or text
    return hashlib.sha256(text.encode()).hexdigest()


def opted_out(session: Session, contact: str) -> bool:
    return session.get(ContactOptOut, contact_key(contact)) is not None


def opt_out(session: Session, order: Order) -> None:
    """The customer of ``order`` wants no more messages: their e-mail and phone are kept
    (hashed) as opted out, for every order, and what is still queued is dropped."""
    for contact in (order.customer_email, order.customer_phone):
        if contact and not opted_out(session, contact):
            session.add(ContactOptOut(contact_key=contact_key(contact), at=clock.now()))
    group = one_drop(session, order)
    for m in session.scalars(select(Message).where(
            Message.order_id.in_([o.id for o in group]), Message.channel.in_(("email", "sms")),
            Message.status == "pending")):
        skip(m, "the customer opted out")
    session.flush()


def shops_text(session: Session, orders: list[Order]) -> str:
    names = sorted({o.shop.name for o in orders if o.shop_id and o.shop is not None})
    return " et ".join(names) if names else "Livraison Douai"


def tell_customer(session: Session, order: Order, event: str, *, eta: str | None = None,
                  at: dt.datetime | None = None, reason: str | None = None,
                  next_step: str | None = None) -> None:
    """Queue the customer's message for ``event`` (see :data:`logistics.messages.wording.EVENTS`)."""
    s = get_settings()
    if order.erased_at is not None:
        return
    group = one_drop(session, order)
    lead = group[0]
    if event in ("delivered", "failed") and any(o.status not in (OrderStatus.DELIVERED, OrderStatus.FAILED,
                                                                 OrderStatus.CANCELLED) for o in group):
        return  # a basket is told once all its parcels are settled (the last move tells)
    facts = Facts(
        shops=shops_text(session, group), day=order.delivery_date,
        slot_from=order.deliver_from.strftime("%H:%M"), slot_to=order.deliver_to.strftime("%H:%M"),
        tracking_url=tracking_url(lead), stop_url=f"{tracking_url(lead)}/stop", eta=eta,
        at=clock.local(at).strftime("%H:%M") if at else None, reason=reason, next_step=next_step,
    )
    text = compose(event, facts)
    ref = lead.basket_id or lead.id
    email, phone = order.customer_email, order.customer_phone
    if email and s.smtp_url and not opted_out(session, email):
        queue(session, Outgoing(f"email:{ref}:{event}", "email", event, email, text.email,
                                subject=text.subject, order_id=lead.id))
    number = international(phone, s.sms_country_code) if phone else None
    if number and s.sms_provider and not opted_out(session, phone or ""):
        queue(session, Outgoing(f"sms:{ref}:{event}", "sms", event, number, text.sms, order_id=lead.id))


def tell_hooks(session: Session, order: Order, event: str, at: dt.datetime, **data: object) -> None:
    """Queue ``event`` for the webhooks that follow ``order`` (its shop's and the
    dispatcher's, those that asked for this event)."""
    hooks = session.scalars(select(Webhook).where(
        Webhook.deleted_at.is_(None), or_(Webhook.shop_id.is_(None), Webhook.shop_id == order.shop_id),
    ).order_by(Webhook.id))
    for hook in hooks:
        if event not in hook.events:
            continue
        event_id = uuid.uuid4().hex
        body = {"id": event_id, "type": event, "created_at": clock.local(at).isoformat(timespec="seconds"),
                "data": {"order_id": order.id, "shop_id": order.shop_id, "status": order.status,
                         "date": order.delivery_date.isoformat(), "tracking_url": tracking_url(order),
                         **data}}
        queue(session, Outgoing(f"webhook:{hook.id}:{order.id}:{event}", "webhook", event, hook.url,
                                json.dumps(body, ensure_ascii=False), order_id=order.id, hook_id=hook.id))


def order_moved(session: Session, order: Order, to: OrderStatus, reason: str | None,
                at: dt.datetime | None = None, *, was: OrderStatus | None = None) -> None:
    """What an order's new status tells (called by every status move; ``was``: the
    status it left)."""
    when = at or clock.now()
    event = HOOK_EVENT_OF.get(to)
    if event is None:
        return
    extra: dict[str, object] = {"reason": reason} if reason else {}
    tell_hooks(session, order, event, when, **extra)
    if to == OrderStatus.DELIVERED:
        tell_customer(session, order, "delivered", at=when)
    elif to == OrderStatus.FAILED:
        tell_customer(session, order, "failed", reason=reason,
                      next_step=NEXT_STEP[get_settings().return_to] if was == OrderStatus.PICKED_UP else None)


def plan_announced(session: Session, order_ids: list[str], day: dt.date) -> None:
    """The plan in force of ``day`` holds these orders: each customer is told their
    slot, each shop's hooks ``order.planned`` (once per order: the keys say so)."""
    s = get_settings()
    if not (s.smtp_url or s.sms_provider) and not session.scalar(
            select(exists().where(Webhook.deleted_at.is_(None)))):
        return  # nobody to tell: no e-mail, no SMS, no webhook on this platform
    now = clock.now()
    for order in session.scalars(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)):
        if order.status != OrderStatus.PLANNED or order.delivery_date != day:
            continue
        tell_hooks(session, order, "order.planned", now,
                   slot={"from": order.deliver_from.strftime("%H:%M"), "to": order.deliver_to.strftime("%H:%M")})
        tell_customer(session, order, "planned")

