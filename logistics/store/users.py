"""API users: a role, the shop or courier it speaks for, and a bearer token; and the
short sessions the pages get for those tokens.

A token is shown once, when the user is created or the token rotated; the store keeps
only its SHA-256, so a copy of the database gives no one a way in. A token expires
(``TOKEN_TTL_DAYS`` by default) and can be revoked; rotating gives a new token and
revokes the old one with its sessions. A page trades the user token for a session token
(``SESSION_HOURS``), so a browser on a shared counter never keeps the long-lived one.
Users are never deleted (their actions stay attributed); they are revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from logistics import clock
from logistics.errors import DomainError, ErrorKind
from logistics.settings import get_settings
from logistics.store.models import Courier, Role, Shop, User, UserSession


class UserError(DomainError):
    """A user that cannot be created as asked; ``str()`` is one line naming the field."""


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def create_user(
    session: Session, role: str, *, shop_id: str | None = None, courier_id: str | None = None,
    label: str | None = None, expires_in_days: int | None = None,
) -> tuple[User, str]:
    """Add a user and return it with its new token (the only time the token exists);
    it expires after ``expires_in_days`` (default ``TOKEN_TTL_DAYS``)."""
    days = get_settings().token_ttl_days if expires_in_days is None else expires_in_days
    if not 1 <= days <= 3650:
        raise UserError("expires_in_days", f"{days} is not between 1 and 3650 days")
    if label is not None and (len(label) > 200 or "\x00" in label):
        raise UserError("label", "at most 200 characters, no NUL")
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
    token, digest = _new_token()
    user = User(role=r.value, shop_id=shop_id, courier_id=courier_id, token_sha256=digest,
                label=label, expires_at=clock.now() + dt.timedelta(days=days))
    session.add(user)
    session.flush()
    return user, token


def is_valid(user: User, now: dt.datetime | None = None) -> bool:
    """Whether a user's token is accepted now: not revoked, not expired."""
    now = now or clock.now()
    return user.revoked_at is None and (user.expires_at is None or user.expires_at > now)


def user_for_token(session: Session, token: str) -> User | None:
    """The user a valid token belongs to — a user token or a page session's — or None
    (unknown, expired or revoked, the session's user included)."""
    if not token:
        return None
    digest, now = token_hash(token), clock.now()
    user = session.scalars(select(User).where(User.token_sha256 == digest)).first()
    if user is not None:
        return user if is_valid(user, now) else None
    found = session.scalars(select(UserSession).where(UserSession.token_sha256 == digest)).first()
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        return None
    return found.user if is_valid(found.user, now) else None


def _user(session: Session, user_id: int, *, lock: bool = True) -> User:
    query = select(User).where(User.id == user_id)
    user = session.scalars(query.with_for_update() if lock else query).first()
    if user is None:
        raise UserError("user_id", f"no user {user_id}", kind=ErrorKind.NOT_FOUND)
    return user


def list_users(session: Session, *, include_revoked: bool = False) -> list[User]:
    """Users by id; the revoked ones only when asked."""
    query = select(User).order_by(User.id)
    if not include_revoked:
        query = query.where(User.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_user(session: Session, user_id: int) -> User:
    """Refuse the user's token and its sessions from now on (again: no change)."""
    user = _user(session, user_id)
    now = clock.now()
    if user.revoked_at is None:
        user.revoked_at = now
    session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.revoked_at.is_(None)).values(revoked_at=now))
    session.flush()
    return user


def rotate_user(session: Session, user_id: int, *, expires_in_days: int | None = None) -> tuple[User, str]:
    """A new token for the same role, shop or courier and label; the old token and its
    sessions are revoked. Returns the new user and its token (shown once)."""
    old = _user(session, user_id)
    if old.revoked_at is not None:
        raise UserError("user_id", f"user {user_id} is revoked: create a new one", kind=ErrorKind.CONFLICT)
    revoke_user(session, user_id)
    return create_user(session, old.role, shop_id=old.shop_id, courier_id=old.courier_id,
                       label=old.label, expires_in_days=expires_in_days)


def open_session(session: Session, user: User) -> tuple[UserSession, str]:
    """A page session for ``user`` (``SESSION_HOURS`` long, never past the user token's
    own expiry); returns it with its token (shown once)."""
    now = clock.now()
    ends = now + dt.timedelta(hours=get_settings().session_hours)
    if user.expires_at is not None:
        ends = min(ends, user.expires_at)
    token, digest = _new_token()
    row = UserSession(user_id=user.id, token_sha256=digest, expires_at=ends)
    session.add(row)
    session.flush()
    return row, token


def close_session(session: Session, token: str) -> bool:
    """Revoke the page session of ``token``; False when it is not a live session."""
    found = session.scalars(select(UserSession).where(
        UserSession.token_sha256 == token_hash(token), UserSession.revoked_at.is_(None))).first()
    if found is None:
        return False
    found.revoked_at = clock.now()
    session.flush()
    return True


def is_session_token(session: Session, token: str) -> bool:
    """Whether ``token`` is a page session's (not a user token)."""
    return session.scalars(select(UserSession.id).where(
        UserSession.token_sha256 == token_hash(token))).first() is not None
