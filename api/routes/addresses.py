"""Addresses for the shop's and the dispatcher's forms: candidates for what is being
typed, from the geocoder the settings name (:mod:`logistics.geocoding`)."""

from typing import Annotated

from fastapi import APIRouter, Query

from logistics.geocoding.candidate import GeocoderUnavailable
from logistics.store.addresses import MAX_ADDRESS_CHARS, candidate_public, platform_geocoder

from ..deps import ShopOrDispatcher
from ..errors import ApiError
from ..schemas import error_responses
from ..schemas.addresses import AddressCandidates

router = APIRouter(prefix="/api/addresses", tags=["addresses"])


@router.get("", responses=error_responses(401, 403, 422, notes={
    422: "A text shorter than 3 characters or longer than 300, or a limit out of 1..10."}))
def address_candidates(
    _user: ShopOrDispatcher,
    q: Annotated[str, Query(min_length=3, max_length=MAX_ADDRESS_CHARS)],
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> AddressCandidates:
    """Up to ``limit`` places the text may be, best first (503 when no address source
    answers now)."""
    try:
        found = platform_geocoder().search(q, limit)
    except GeocoderUnavailable:
        raise ApiError(503, "unavailable", "q: the address service does not answer now; try again") from None
    return AddressCandidates.model_validate({"candidates": [candidate_public(c) for c in found]})
