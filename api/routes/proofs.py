"""Proof of delivery: the courier sends it from the door (multipart: the recipient's
name, a photo, a signature), the order's shop and the dispatcher read it; the city
never. The images are served with the same token as the rest of the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from couriers.proofs import MAX_IMAGE_BYTES, MAX_NAME, proof_of_order, record_proof
from logistics import clock

from ..deps import CourierUser, SessionDep, ShopOrDispatcher
from ..errors import not_found
from ..schemas import PathOrderIdent, RowId, error_responses
from ..schemas.proofs import ProofPublic, ProofStored
from .courier import _courier_id
from .orders import own_order

router = APIRouter(prefix="/api", tags=["proof of delivery"])


async def _read(upload: UploadFile | None) -> bytes | None:
    if upload is None:
        return None
    return await upload.read(MAX_IMAGE_BYTES + 1)


@router.post("/stops/{stop_id}/proof", status_code=201, responses={
    200: {"model": ProofStored, "description": "The same proof sent again: the stored one."},
    **error_responses(401, 403, 404, 409, 413, 415, 422, notes={
        404: "No such stop on a round of the caller in the plan in force.",
        409: "The stop has another proof already.",
        413: "A photo or signature over 5 MB.",
        415: "A photo or signature that is not a JPEG or PNG image.",
        422: "Not a hand-over, nothing to keep, or a time off the round's day."}),
})
async def post_proof(
    stop_id: RowId, db: SessionDep, user: CourierUser, response: Response,
    recipient_name: Annotated[str | None, Form(max_length=MAX_NAME)] = None,
    photo: Annotated[UploadFile | None, File(description="JPEG or PNG, at most 5 MB")] = None,
    signature: Annotated[UploadFile | None, File(description="JPEG or PNG, at most 5 MB")] = None,
    at: Annotated[dt.datetime | None, Form(description="when it was taken (a phone's queue)")] = None,
) -> ProofStored:
    """The proof of a hand-over, by the stop's courier: who took the parcel, a photo,
    a signature (each optional, not all absent)."""
    done = record_proof(db, stop_id, _courier_id(user), recipient_name, await _read(photo),
                        await _read(signature), at)
    if not done.created:
        response.status_code = 200
    row = done.row
    return ProofStored(stop_id=row.stop_id, recipient_name=row.recipient_name, at=clock.local_iso(row.at),
                       photo_sha256=row.photo_sha256, signature_sha256=row.signature_sha256)


@router.get("/orders/{order_id}/proof", responses=error_responses(401, 403, 404, 422, notes={
    404: "No such order of the caller's, or no proof of it."}))
def get_proof(order_id: PathOrderIdent, db: SessionDep, user: ShopOrDispatcher) -> ProofPublic:
    """The proof of the order's hand-over: the recipient's name, the time, and where
    the photo and signature are (the same token reads them)."""
    order = own_order(db, user, order_id)
    row = proof_of_order(db, order)
    if row is None:
        raise not_found("order_id", f"no proof of delivery of {order.id}")
    base = f"/api/orders/{order.id}/proof"
    return ProofPublic(recipient_name=row.recipient_name, at=clock.local_iso(row.at),
                       photo_url=f"{base}/photo" if row.photo is not None else None,
                       signature_url=f"{base}/signature" if row.signature is not None else None)


def _image(db: SessionDep, user: ShopOrDispatcher, order_id: str, which: str) -> Response:
    order = own_order(db, user, order_id)
    row = proof_of_order(db, order)
    data = getattr(row, which) if row is not None else None
    if row is None or data is None:
        raise not_found("order_id", f"no {which} in the proof of delivery of {order.id}")
    return Response(bytes(data), media_type=getattr(row, f"{which}_type"),
                    headers={"Cache-Control": "private, max-age=3600",
                             "ETag": f'"{getattr(row, f"{which}_sha256")}"'})


_IMAGE = {200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The image."},
          **error_responses(401, 403, 404, 422, notes={404: "No such order, proof or image."})}


@router.get("/orders/{order_id}/proof/photo", response_class=Response, responses=_IMAGE)
def proof_photo(order_id: PathOrderIdent, db: SessionDep, user: ShopOrDispatcher) -> Response:
    """The photo of the proof of delivery."""
    return _image(db, user, order_id, "photo")


@router.get("/orders/{order_id}/proof/signature", response_class=Response, responses=_IMAGE)
def proof_signature(order_id: PathOrderIdent, db: SessionDep, user: ShopOrDispatcher) -> Response:
    """The signature of the proof of delivery."""
    return _image(db, user, order_id, "signature")
