"""Users and their tokens (dispatcher): list, create, revoke, rotate; and the pages'
sessions: a page trades the user token it was opened with for a short session token,
so that the long-lived token never stays in a browser."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from logistics.clock import local_iso
from logistics.store.models import User
from logistics.store.users import (
    close_session,
    create_user,
    is_session_token,
    is_valid,
    list_users,
    open_session,
    revoke_user,
    rotate_user,
)

from ..deps import Dispatcher, SessionDep, current_user
from ..errors import ApiError
from ..schemas import RowId, error_responses
from ..schemas.users import (
    SessionEnded,
    SessionPublic,
    UserCreate,
    UserPublic,
    UserRotate,
    UsersPublic,
    UserToken,
)

router = APIRouter(prefix="/api")


def user_public(u: User) -> UserPublic:
    """A user row as the API shows it."""
    return UserPublic.model_validate({
        "user_id": u.id, "role": u.role, "shop_id": u.shop_id, "courier_id": u.courier_id,
        "label": u.label, "created_at": local_iso(u.created_at) if u.created_at else None,
        "expires_at": local_iso(u.expires_at) if u.expires_at else None,
        "revoked_at": local_iso(u.revoked_at) if u.revoked_at else None, "active": is_valid(u),
    })


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@router.get("/users", tags=["users"], responses=error_responses(401, 403, 422))
def users(db: SessionDep, _: Dispatcher,
          revoked: Annotated[bool, Query(description="list the revoked ones too")] = False) -> UsersPublic:
    """The users and their tokens' state, never the tokens (dispatcher)."""
    rows = [user_public(u) for u in list_users(db, include_revoked=revoked)]
    return UsersPublic(count=len(rows), users=rows)


@router.post("/users", status_code=201, tags=["users"], responses=error_responses(401, 403, 422))
def new_user(body: UserCreate, db: SessionDep, _: Dispatcher) -> UserToken:
    """Add a user; its token is in this answer only (dispatcher)."""
    user, token = create_user(db, body.role, shop_id=body.shop_id, courier_id=body.courier_id,
                              label=body.label, expires_in_days=body.expires_in_days)
    return UserToken(user=user_public(user), token=token)


@router.post("/users/{user_id}/revoke", tags=["users"], responses=error_responses(
    401, 403, 404, 409, 422, notes={409: "The caller's own token (another dispatcher or the "
                                     "command line revokes it)."}))
def revoke(user_id: RowId, db: SessionDep, caller: Dispatcher) -> UserPublic:
    """Refuse a user's token and sessions from now on (again: no change) (dispatcher)."""
    if user_id == caller.id:
        raise ApiError(409, "conflict", "user_id: you cannot revoke your own token here; "
                       "another dispatcher or the command line can")
    return user_public(revoke_user(db, user_id))


@router.post("/users/{user_id}/rotate", tags=["users"], responses=error_responses(401, 403, 404, 409, 422))
def rotate(user_id: RowId, db: SessionDep, _: Dispatcher, body: UserRotate | None = None) -> UserToken:
    """A new token for the same user; the old one and its sessions are refused from now
    on. The new token is in this answer only (dispatcher)."""
    user, token = rotate_user(db, user_id, expires_in_days=body.expires_in_days if body else None)
    return UserToken(user=user_public(user), token=token)


@router.post("/sessions", status_code=201, tags=["sessions"], responses=error_responses(401, 409, 422))
def start_session(db: SessionDep, user: Annotated[User, Depends(current_user)],
                  authorization: Annotated[str | None, Header()] = None) -> SessionPublic:
    """Trade a user token for a page session token (``SESSION_HOURS``); a session
    token cannot start another session (any role)."""
    if is_session_token(db, _bearer(authorization)):
        raise ApiError(409, "conflict", "token: a session token cannot open another session")
    row, token = open_session(db, user)
    return SessionPublic.model_validate({
        "token": token, "expires_at": local_iso(row.expires_at), "role": user.role,
        "shop_id": user.shop_id, "courier_id": user.courier_id,
    })


@router.delete("/sessions/current", tags=["sessions"], responses=error_responses(401, 422))
def end_session(db: SessionDep, _: Annotated[User, Depends(current_user)],
                authorization: Annotated[str | None, Header()] = None) -> SessionEnded:
    """Sign out: the page's session token is refused from now on (with a user token:
    nothing to end) (any role)."""
    return SessionEnded(ended=close_session(db, _bearer(authorization)))
