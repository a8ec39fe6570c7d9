"""Users (the dispatcher manages them) and page sessions."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import Ident, Name

Role = Literal["shop", "dispatcher", "courier", "city"]


class UserCreate(BaseModel):
    """A new user: its role, the shop or courier it speaks for, who holds it."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    shop_id: Ident | None = None
    courier_id: Ident | None = None
    label: Name | None = None
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class UserRotate(BaseModel):
    """How long the new token lives (default ``TOKEN_TTL_DAYS``)."""

    model_config = ConfigDict(extra="forbid")

    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class UserPublic(BaseModel):
    """A user as the dispatcher sees it: never its token."""

    user_id: int
    role: Role
    shop_id: str | None
    courier_id: str | None
    label: str | None
    created_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class UsersPublic(BaseModel):
    count: int
    users: list[UserPublic]


class UserToken(BaseModel):
    """A user with its token: shown this once, never again."""

    user: UserPublic
    token: str


class SessionPublic(BaseModel):
    """A page session: its token (for this page only), until when, and whose."""

    token: str
    expires_at: dt.datetime
    role: Role
    shop_id: str | None
    courier_id: str | None


class SessionEnded(BaseModel):
    """Whether a page session was ended (False: the token was not a live session)."""

    ended: bool
