"""The marketplace's order webhooks (WooCommerce): ``POST /api/connectors/woocommerce``.

No bearer token: each delivery is signed by WooCommerce, ``X-WC-Webhook-Signature`` being
the base64 of the HMAC-SHA256 of the raw body with the webhook's secret
(``WOOCOMMERCE_WEBHOOK_SECRET``). An unsigned or badly signed body is a 401 and nothing
is stored. The ping WooCommerce sends when a webhook is saved (``webhook_id=N``, form
encoded, unsigned) is answered 200 and stores nothing, or WooCommerce would disable the
webhook. The mapping is :mod:`logistics.connectors.woocommerce`'s.
"""

import base64
import hashlib
import hmac
import json
import logging
import re

from fastapi import APIRouter, Request
from pydantic import BaseModel

from logistics.connectors.woocommerce import read_order
from logistics.settings import get_settings
from logistics.store.marketplace import take

from ..deps import SessionDep
from ..errors import ApiError
from ..schemas import error_responses
from .orders import insert_late

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/connectors", tags=["connectors"])
_PING = re.compile(rb"^webhook_id=\d+$")
#: the topics taken (others are acknowledged and ignored)
TOPICS = frozenset({"order.created", "order.updated"})


class WebhookTaken(BaseModel):
    """What a delivery did: ``created``, ``updated``, ``unchanged``, ``cancelled``,
    ``ignored`` (a ping, another topic, an order not paid yet); the platform's orders."""

    status: str
    order_ids: list[str] = []


def signed(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is WooCommerce's for ``body`` with ``secret``."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


@router.post("/woocommerce", responses=error_responses(401, 404, 409, 422, notes={
    404: "The connector is not set up on this platform (no WOOCOMMERCE_WEBHOOK_SECRET).",
    401: "No signature, or not the one the secret gives: nothing stored.",
    409: "An update or cancel of an order already planned or picked up.",
    422: "The order lacks what the platform needs (slot, address, shop), named by its field.",
}))
async def woocommerce_webhook(request: Request, db: SessionDep) -> WebhookTaken:
    """Take a WooCommerce ``order.created`` / ``order.updated`` delivery."""
    body = await request.body()
    topic = request.headers.get("x-wc-webhook-topic")
    if topic is None and _PING.match(body.strip()):
        return WebhookTaken(status="ignored")
    secret = get_settings().woocommerce_webhook_secret
    if not secret:  # not set up on this platform: there is no such endpoint to call
        raise ApiError(404, "not_found", "no WooCommerce connector here: WOOCOMMERCE_WEBHOOK_SECRET is not set")
    if not signed(body, request.headers.get("x-wc-webhook-signature"), secret):
        raise ApiError(401, "unauthorized", "X-WC-Webhook-Signature: missing or not the HMAC of this body")
    if topic not in TOPICS:
        return WebhookTaken(status="ignored")
    try:
        payload = json.loads(body)
    except ValueError:
        raise ApiError(422, "invalid", [{"field": "body", "problem": "is not JSON"}]) from None
    outcome = take(db, read_order(payload))
    log.info("woocommerce %s order %s: %s", topic, payload.get("id"), outcome.status)
    if outcome.status in ("created", "updated"):
        insert_late(request, db, outcome.days)
    return WebhookTaken(status=outcome.status, order_ids=outcome.order_ids)
