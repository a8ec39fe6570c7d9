"""Proof of delivery, as the API answers it."""

from __future__ import annotations

from pydantic import BaseModel

from .common import Instant


class ProofStored(BaseModel):
    """A proof kept: its stop, the recipient, when, and each image's SHA-256."""

    stop_id: int
    recipient_name: str | None
    at: Instant
    photo_sha256: str | None
    signature_sha256: str | None


class ProofPublic(BaseModel):
    """The proof of an order's hand-over; the images' URLs take the same token."""

    recipient_name: str | None
    at: Instant
    photo_url: str | None
    signature_url: str | None
