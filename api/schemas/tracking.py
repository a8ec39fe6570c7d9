"""What a customer's tracking link shows, as JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ParcelTracked(BaseModel):
    """One parcel of the drop: its shop's name and its status code."""

    shop: str | None
    status: str


class TrackingPublic(BaseModel):
    """A delivery as its customer follows it. ``status``: ``received`` (not yet in a
    published plan), ``planned``, ``picked_up``, ``on_the_way`` (their stop is next),
    ``delivered``, ``failed``, ``cancelled``. ``arrival`` once the plan is published,
    narrower as the courier gets closer; ``stops_before`` how many stops come first."""

    status: Literal["received", "planned", "picked_up", "on_the_way", "delivered", "failed", "cancelled"]
    shops: list[str]
    date: str
    slot: dict[str, str]
    parcels: list[ParcelTracked]
    arrival: dict[str, str] | None
    stops_before: int | None
    next: bool
    delivered_at: str | None
    #: who took the parcel, as the courier wrote it (the proof of delivery)
    recipient: str | None
    failed_reason: str | None
    next_step: Literal["return_to_shop", "return_to_hub", "shop_will_call"] | None


class SurveyBody(BaseModel):
    """The customer's answer after delivery: ``car``, ``foot``, ``bike``, ``transit`` or ``none``."""

    mode: str
