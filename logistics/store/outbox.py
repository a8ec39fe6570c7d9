"""The outbox: every message to send (a customer's e-mail or SMS, a shop's webhook) is
a row queued in the transaction of the change it tells about, and sent by the worker
once that transaction committed. A rolled-back change tells nobody.

Each message has a unique ``key`` (its order or basket, its event, and its channel or
hook): queued twice, kept once; so a retried request, a task run twice or a re-plan
never sends a message again. Sending claims a row (``sending``) in a transaction of its
own before talking to the server, then marks it ``sent``; a worker killed in between
leaves the row claimed, and it is tried again :data:`CLAIM_TIMEOUT` later (the server
never took a message from a connection that died before its end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from logistics import clock
from logistics.store.models import Message

#: a claimed message not marked sent after this long is tried again (its worker died)
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
#: e-mails and SMS are given up after this many tries; webhooks after :data:`HOOK_PATIENCE`
MAX_TRIES = 8
HOOK_PATIENCE = dt.timedelta(hours=24)
#: waits between tries: 30 s, 1, 2, 4... minutes, at most an hour
FIRST_WAIT_S, LONGEST_WAIT_S = 30, 3600
#: the session's flag that messages were queued (the API then wakes the sender)
QUEUED = "messages_queued"


@dataclass(frozen=True)
class Outgoing:
    """A message to queue (see :class:`~logistics.store.models.Message`)."""

    key: str
    channel: str
    event: str
    target: str
    body: str
    subject: str | None = None
    order_id: str | None = None
    hook_id: int | None = None


def queue(session: Session, message: Outgoing) -> bool:
    """Queue ``message`` unless one of its key is there; whether it was new."""
    now = clock.now()
    stmt = pg_insert(Message).values(
        key=message.key, channel=message.channel, event=message.event, target=message.target,
        body=message.body, subject=message.subject, order_id=message.order_id,
        hook_id=message.hook_id, status="pending", attempts=0, next_at=now, created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"])
    created = bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
    if created:
        session.info[QUEUED] = True
    return created


def wait_after(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return dt.timedelta(seconds=min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** max(0, attempts - 1)))


def claim(session: Session, limit: int = 20) -> list[Message]:
    """Claim up to ``limit`` messages due now (and those a dead worker left claimed),
    oldest first; the caller commits at once, then sends them."""
    now = clock.now()
    due = (
        select(Message.id)
        .where(or_(
            (Message.status == "pending") & (Message.next_at <= now),
            (Message.status == "sending") & (Message.claimed_at <= now - CLAIM_TIMEOUT),
        ))
        .order_by(Message.next_at, Message.id).limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(update(Message).where(Message.id.in_(ids)).values(
        status="sending", claimed_at=now, attempts=Message.attempts + 1))
    return list(session.scalars(
        select(Message).where(Message.id.in_(ids)).order_by(Message.id)
        .execution_options(populate_existing=True)))


def mark_sent(message: Message, note: str | None = None) -> None:
    message.status, message.sent_at, message.last_error = "sent", clock.now(), note


def mark_failed(message: Message, problem: str, *, permanent: bool) -> None:
    """A try that did not pass: tried again later, or given up (``failed``)."""
    now = clock.now()
    message.last_error = problem[:500]
    patience_over = (message.channel == "webhook" and now - message.created_at >= HOOK_PATIENCE) or (
        message.channel != "webhook" and message.attempts >= MAX_TRIES)
    if permanent or patience_over:
        message.status = "failed"
        return
    message.status = "pending"
    message.next_at = now + wait_after(message.attempts)


def skip(message: Message, why: str) -> None:
    """Not sent, on purpose (the customer said stop, the channel is not set up)."""
    message.status, message.last_error = "skipped", why
