"""The worker's side of the outbox (:mod:`logistics.store.outbox`): claim what is due,
send it by its channel, mark it sent, or for later with a longer wait each time.

A message is claimed in a transaction of its own before its server is called, so two
workers never send the same one; the result is written in another. A channel that is
not set up any more (the settings changed after the message was queued) skips it.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine

from logistics import clock
from logistics.messages.errors import SendError
from logistics.messages.mail import build_email, send_email
from logistics.messages.sms import send_sms
from logistics.messages.webhook_post import post_webhook
from logistics.settings import get_settings
from logistics.store.db import session_scope
from logistics.store.models import Message, Webhook
from logistics.store.outbox import claim, mark_failed, mark_sent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Claimed:
    """What sending a message needs, read in the claim's transaction."""

    id: int
    channel: str
    target: str
    subject: str | None
    body: str
    key: str
    secret: str | None  # the webhook's, None once it was deleted


def _send(message: _Claimed) -> str | None:
    """Send one message; a note for the log (the provider's reference), or SendError."""
    s = get_settings()
    if message.channel == "email":
        if not s.smtp_url:
            raise SendError("SMTP_URL is not set", permanent=True)
        send_email(s.smtp_url, build_email(s.notify_from, message.target, message.subject or "",
                                           message.body, f"<{uuid.uuid5(uuid.NAMESPACE_URL, message.key).hex}@douai-delivery>"))
        return None
    if message.channel == "sms":
        if not (s.sms_provider and s.sms_api_key):
            raise SendError("SMS_PROVIDER or SMS_API_KEY is not set", permanent=True)
        ref = send_sms(s.sms_api_url, s.sms_api_key, s.sms_sender, message.target, message.body)
        return f"reference {ref}" if ref else None
    if message.channel == "webhook":
        if message.secret is None:
            raise SendError("the webhook was deleted", permanent=True)
        event_id = str(json.loads(message.body).get("id", message.key))
        status = post_webhook(message.target, message.secret, message.body.encode(), event_id,
                              int(clock.now().timestamp()))
        return f"HTTP {status}"
    raise SendError(f"unknown channel {message.channel!r}", permanent=True)


def _claim(engine: Engine, batch: int) -> list[_Claimed]:
    with session_scope(engine) as s:
        out = []
        for m in claim(s, batch):
            hook = s.get(Webhook, m.hook_id) if m.hook_id is not None else None
            secret = hook.secret if hook is not None and hook.deleted_at is None else None
            out.append(_Claimed(m.id, m.channel, m.target, m.subject, m.body, m.key, secret))
        return out


def send_due(engine: Engine, batch: int = 20) -> dict[str, int]:
    """Send every message due now, a batch at a time; counts by outcome."""
    counts = {"sent": 0, "later": 0, "failed": 0}
    while claimed := _claim(engine, batch):
        for c in claimed:
            try:
                note = _send(c)
            except SendError as e:
                log.info("message %s (%s) not sent: %s", c.id, c.channel, e.problem)
                with session_scope(engine) as s:
                    message = s.get(Message, c.id)
                    if message is not None:
                        mark_failed(message, e.problem, permanent=e.permanent)
                        counts["failed" if message.status == "failed" else "later"] += 1
                continue
            with session_scope(engine) as s:
                message = s.get(Message, c.id)
                if message is not None:
                    mark_sent(message, note)
                    counts["sent"] += 1
    return counts
