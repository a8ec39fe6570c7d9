"""API users: a role, the shop or courier it speaks for, and a bearer token.

The token is shown once, when the user is created; the store keeps only its SHA-256, so
a copy of the database gives no one a way in.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics.errors import DomainError
from logistics.store.models import Courier, Role, Shop, User


class UserError(DomainError):
    """A user that cannot be created as asked; ``str()`` is one line naming the field."""


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session, role: str, *, shop_id: str | None = None, courier_id: str | None = None
) -> tuple[User, str]:
    """Add a user and return it with its new token (the only time the token exists)."""
    try:
        r = Role(role)
    except ValueError:
        known = ", ".join(x.value for x in Role)
        raise UserError("role", f"{role!r} is not one of {known}") from None
    if r == Role.SHOP:
        if not shop_id:
            raise UserError("shop_id", "a shop user needs the shop it speaks for")
        if session.get(Shop, shop_id) is None:
            raise UserError("shop_id", f"no shop {shop_id!r}")
    elif shop_id:
        raise UserError("shop_id", f"only a shop user has one, not a {r.value}")
    if r == Role.COURIER:
        if not courier_id:
            raise UserError("courier_id", "a courier user needs the courier it is")
        if session.get(Courier, courier_id) is None:
            raise UserError("courier_id", f"no courier {courier_id!r}")
    elif courier_id:
        raise UserError("courier_id", f"only a courier user has one, not a {r.value}")
    token = secrets.token_urlsafe(32)
    user = User(role=r.value, shop_id=shop_id, courier_id=courier_id, token_sha256=token_hash(token))
    session.add(user)
    session.flush()
    return user, token


def user_for_token(session: Session, token: str) -> User | None:
    """The user a bearer token belongs to, or None."""
    return session.scalars(select(User).where(User.token_sha256 == token_hash(token))).first()
