"""Webhooks for order events (a shop for its own orders, the dispatcher for all), their
delivery logs, and the log of the messages sent to customers (dispatcher)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from logistics import clock
from logistics.settings import get_settings
from logistics.store.models import Message, Order, Role, User, Webhook

from ..deps import Dispatcher, SessionDep, ShopOrDispatcher
from ..errors import invalid, not_found
from ..schemas import error_responses
from ..schemas.messages import (
    MessagePublic,
    MessagesPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhooksPublic,
)

router = APIRouter(prefix="/api", tags=["webhooks"])
HookId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def url_problem(url: str, allow_private: bool) -> str | None:
    """Why ``url`` cannot receive webhooks (None when it can): ``http(s)`` with a host;
    not a loopback, private or link-local address unless the setting allows it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http:// or https:// URL with a host"
    if parts.username or parts.password:
        return "no user or password in the URL (the signature authenticates)"
    host = parts.hostname
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    local = host == "localhost" or host.endswith(".localhost") or (
        ip is not None and (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                            or ip.is_unspecified or ip.is_multicast))
    if local and not allow_private:
        return f"{host} is a local or private address (WEBHOOK_ALLOW_PRIVATE_URLS is off)"
    return None


def _public(h: Webhook) -> WebhookPublic:
    return WebhookPublic(id=h.id, url=h.url, events=list(h.events), shop_id=h.shop_id,
                         created_at=clock.local_iso(h.created_at))


def _own_hook(db: SessionDep, user: User, hook_id: int) -> Webhook:
    h = db.get(Webhook, hook_id)
    if h is None or h.deleted_at is not None or (user.role == Role.SHOP and h.shop_id != user.shop_id):
        raise not_found("hook_id", f"no webhook {hook_id}")
    return h


@router.post("/webhooks", status_code=201, responses=error_responses(401, 403, 422, notes={
    422: "Not an http(s) URL, a local or private address, or an unknown event."}))
def create_webhook(body: WebhookCreate, db: SessionDep, user: ShopOrDispatcher) -> WebhookCreated:
    """A receiver for order events (a shop: its own orders; the dispatcher: every
    order). The answer holds the signing ``secret``, shown this once."""
    problem = url_problem(body.url, get_settings().webhook_allow_private_urls)
    if problem is not None:
        raise invalid("url", problem)
    hook = Webhook(url=body.url, events=sorted(set(body.events)), secret=secrets.token_hex(32),
                   shop_id=user.shop_id if user.role == Role.SHOP else None, created_by=user.id,
                   created_at=clock.now())
    db.add(hook)
    db.flush()
    return WebhookCreated(**_public(hook).model_dump(), secret=hook.secret)


@router.get("/webhooks", responses=error_responses(401, 403, 422))
def list_webhooks(db: SessionDep, user: ShopOrDispatcher) -> WebhooksPublic:
    """The caller's webhooks (the dispatcher: every one)."""
    query = select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.id)
    if user.role == Role.SHOP:
        query = query.where(Webhook.shop_id == user.shop_id)
    hooks = [_public(h) for h in db.scalars(query)]
    return WebhooksPublic(count=len(hooks), webhooks=hooks)


@router.delete("/webhooks/{hook_id}", responses=error_responses(401, 403, 404, 422))
def delete_webhook(hook_id: HookId, db: SessionDep, user: ShopOrDispatcher) -> WebhookPublic:
    """Remove a webhook: nothing more is sent to it (what is queued is dropped)."""
    h = _own_hook(db, user, hook_id)
    h.deleted_at = clock.now()
    for m in db.scalars(select(Message).where(Message.hook_id == h.id, Message.status == "pending")):
        m.status, m.last_error = "skipped", "the webhook was deleted"
    db.flush()
    return _public(h)


def _mask(m: Message) -> str:
    """A customer's contact half hidden in the log (a webhook's URL is shown whole)."""
    if m.channel == "webhook":
        return m.target
    if m.channel == "email" and "@" in m.target:
        name, domain = m.target.split("@", 1)
        return f"{name[:2]}…@{domain}"
    return f"…{m.target[-4:]}"


def _message(m: Message) -> MessagePublic:
    return MessagePublic(
        id=m.id, channel=m.channel, event=m.event, order_id=m.order_id, target=_mask(m), status=m.status,
        attempts=m.attempts, last_error=m.last_error, created_at=clock.local_iso(m.created_at),
        next_at=clock.local_iso(m.next_at) if m.status == "pending" and m.next_at else None,
        sent_at=clock.local_iso(m.sent_at) if m.sent_at else None)


@router.get("/webhooks/{hook_id}/deliveries", responses=error_responses(401, 403, 404, 422))
def hook_deliveries(hook_id: HookId, db: SessionDep, user: ShopOrDispatcher,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> MessagesPublic:
    """The webhook's deliveries, newest first: status, tries, the last error."""
    h = _own_hook(db, user, hook_id)
    rows = [_message(m) for m in db.scalars(
        select(Message).where(Message.hook_id == h.id).order_by(Message.id.desc()).limit(limit))]
    return MessagesPublic(count=len(rows), messages=rows)


@router.get("/messages", responses=error_responses(401, 403, 422))
def message_log(db: SessionDep, _: Dispatcher, date: dt.date | None = None,
                order_id: Annotated[str | None, Query(max_length=200)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> MessagesPublic:
    """The e-mails and SMS to customers (dispatcher), newest first: of a delivery day,
    or of one order; each with its status, tries and last error."""
    query = select(Message).where(Message.channel.in_(("email", "sms")))
    if order_id is not None:
        query = query.where(Message.order_id == order_id)
    if date is not None:
        query = query.join(Order, Order.id == Message.order_id).where(Order.delivery_date == date)
    rows = [_message(m) for m in db.scalars(query.order_by(Message.id.desc()).limit(limit))]
    return MessagesPublic(count=len(rows), messages=rows)
