"""Webhooks (a shop's or the dispatcher's) and the log of what was sent to whom."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import Instant

HookEvent = Literal["order.planned", "order.picked_up", "order.delivered", "order.failed", "order.cancelled"]


class WebhookCreate(BaseModel):
    """A receiver for order events: an ``http(s)`` URL and the events it wants."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, examples=["https://boutique.example/douai-hook"])
    events: list[HookEvent] = Field(min_length=1, max_length=5)


class WebhookPublic(BaseModel):
    """A webhook: its id, URL, events, whose orders it follows (``shop_id`` null: every
    order, the dispatcher's) and when it was made."""

    id: int
    url: str
    events: list[str]
    shop_id: str | None
    created_at: Instant


class WebhookCreated(WebhookPublic):
    """The new webhook and its signing secret, shown this once: each delivery carries
    ``X-Douai-Signature: sha256=<hex HMAC-SHA256 of the raw body with it>``."""

    secret: str


class WebhooksPublic(BaseModel):
    count: int
    webhooks: list[WebhookPublic]


class MessagePublic(BaseModel):
    """One message of the outbox: ``channel`` (``email``, ``sms``, ``webhook``), the
    event, its order, where it goes (masked for a customer's contact), ``status``
    (``pending``, ``sending``, ``sent``, ``failed``, ``skipped``), tries, the last error
    and when it was queued, is next tried, was sent."""

    id: int
    channel: str
    event: str
    order_id: str | None
    target: str
    status: str
    attempts: int
    last_error: str | None
    created_at: Instant
    next_at: Instant | None
    sent_at: Instant | None


class MessagesPublic(BaseModel):
    count: int
    messages: list[MessagePublic]
