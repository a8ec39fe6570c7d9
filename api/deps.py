"""Dependencies shared by the routers: a database session per request, the caller and
their role."""

import logging
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import text
from sqlalchemy.orm import Session

from logistics.jobs.celery_app import SEND_MESSAGES
from logistics.store.models import Role, User
from logistics.store.outbox import QUEUED
from logistics.store.users import user_for_token

from .errors import ApiError

log = logging.getLogger(__name__)


def get_session(request: Request) -> Iterator[Session]:
    """A session committed when the endpoint returns, rolled back when it raises.

    Used with ``scope="function"``: the commit happens before the response is sent, so
    a client that got 201 finds its data in the store at once (with the default scope
    the clean-up runs after sending, and a fast client could read before the commit)."""
    s: Session = request.app.state.sessionmaker()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
    if s.info.get(QUEUED):
        wake_sender(request)


def wake_sender(request: Request) -> None:
    """Messages were queued by this request (and committed): the worker sends them now
    rather than at beat's next look. A broker away only delays them until then."""
    try:
        request.app.state.jobs.send_task(SEND_MESSAGES)
    except Exception as e:  # noqa: BLE001 - the messages are stored; beat sends them later
        log.warning("could not wake the message sender: %s", e)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def one_snapshot(db: Session) -> None:
    """Make the rest of the request read from one snapshot of the store (repeatable
    read): a view put together from several queries (a plan: its rounds, its stops'
    events, its changes) then never mixes what was before and after a worker's commit.
    What the request did so far (signing in) is committed first."""
    db.commit()
    db.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))


def current_user(db: SessionDep, authorization: Annotated[str | None, Header()] = None) -> User:
    """The user of the bearer token, else 401."""
    scheme, _, token = (authorization or "").partition(" ")
    user = user_for_token(db, token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        raise ApiError(401, "unauthorized", "a valid bearer token is needed")
    return user


def role(*roles: Role) -> Callable[..., User]:
    """A dependency that lets only these roles through (403 for the others)."""
    allowed = {r.value for r in roles}

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise ApiError(403, "forbidden", f"a {user.role} token cannot do this")
        return user

    return check


Dispatcher = Annotated[User, Depends(role(Role.DISPATCHER))]
ShopOrDispatcher = Annotated[User, Depends(role(Role.SHOP, Role.DISPATCHER))]
CourierUser = Annotated[User, Depends(role(Role.COURIER))]
CityOrDispatcher = Annotated[User, Depends(role(Role.CITY, Role.DISPATCHER))]
