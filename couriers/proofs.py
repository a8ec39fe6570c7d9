"""Proof of delivery: what the courier records at the door (the recipient's name, a
photo, a signature), kept in PostgreSQL with each image's SHA-256, and who may read it
(the order's shop and the dispatcher; never the city).

Images are checked by their first bytes, not by the name or type the phone says: JPEG
or PNG only. The phone may send a proof twice (no signal, a retry): the same proof again
is the stored one; a different one for a stop that has one is refused (a proof is not
rewritten after the fact).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics.errors import DomainError, ErrorKind
from logistics.store.models import DeliveryProof, Order, Stop

from .stop_events import _own_stop, event_time

#: the largest photo or signature taken, in bytes (the phone resizes to 1600 px first)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: the longest recipient's name kept
MAX_NAME = 200
_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class ProofError(DomainError):
    """A proof the platform does not take (422, 413 or 415 by ``kind``)."""


def image_type(data: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` from the first bytes, else None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _checked(field: str, data: bytes | None) -> tuple[bytes, str, str] | None:
    if not data:
        return None
    if len(data) > MAX_IMAGE_BYTES:
        raise ProofError(field, f"{len(data)} bytes: at most {MAX_IMAGE_BYTES} (5 MB)",
                         kind=ErrorKind.TOO_LARGE, code="proof_too_large",
                         params={"field": field, "most_mb": 5})
    kind = image_type(data)
    if kind is None:
        raise ProofError(field, "not a JPEG or PNG image", kind=ErrorKind.UNSUPPORTED,
                         code="proof_not_image", params={"field": field})
    return data, kind, hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Proof:
    row: DeliveryProof
    created: bool


def record_proof(session: Session, stop_id: int, courier_id: str, recipient_name: str | None,
                 photo: bytes | None, signature: bytes | None, at: dt.datetime | None) -> Proof:
    """Keep the proof of a hand-over (a delivery stop of the courier's round in force)."""
    stop, rnd = _own_stop(session, stop_id, courier_id)
    if stop.kind != "delivery":
        raise ProofError("stop_id", f"stop {stop.id} is a {stop.kind}: a proof is for a hand-over",
                         code="proof_not_delivery", params={"stop_id": stop.id})
    name = (recipient_name or "").strip().replace("\x00", "")[:MAX_NAME] or None
    pic, sig = _checked("photo", photo), _checked("signature", signature)
    if name is None and pic is None and sig is None:
        raise ProofError("photo", "a proof needs a photo, a signature or the recipient's name",
                         code="proof_empty")
    when = event_time(rnd.plan.day, at)
    existing = session.scalars(select(DeliveryProof).where(DeliveryProof.stop_id == stop.id)).first()
    if existing is not None:
        same = (existing.recipient_name == name and existing.photo_sha256 == (pic[2] if pic else None)
                and existing.signature_sha256 == (sig[2] if sig else None))
        if same:
            return Proof(existing, False)
        raise ProofError("stop_id", f"stop {stop.id} has its proof already", kind=ErrorKind.CONFLICT,
                         code="proof_exists", params={"stop_id": stop.id})
    row = DeliveryProof(
        stop_id=stop.id, courier_id=courier_id, recipient_name=name, at=when,
        photo=pic[0] if pic else None, photo_type=pic[1] if pic else None, photo_sha256=pic[2] if pic else None,
        signature=sig[0] if sig else None, signature_type=sig[1] if sig else None,
        signature_sha256=sig[2] if sig else None,
    )
    session.add(row)
    session.flush()
    return Proof(row, True)


def proof_of_order(session: Session, order: Order) -> DeliveryProof | None:
    """The proof recorded at the stop that handed ``order`` over (the latest, should a
    re-plan have given it another stop)."""
    return session.scalars(
        select(DeliveryProof).join(Stop, Stop.id == DeliveryProof.stop_id)
        .where(Stop.order_ids.op("@>")(func.jsonb_build_array(order.id)))
        .order_by(DeliveryProof.id.desc())
    ).first()
