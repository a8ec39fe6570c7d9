"""Engine and sessions for the store, from ``DATABASE_URL``.

The URL is a SQLAlchemy URL; a plain ``postgresql://`` one is read with the psycopg 3
driver. The default suits the local stack that ``scripts/setup --with-services`` runs:
PostgreSQL on 127.0.0.1, user ``postgres`` with the development password ``postgres``
(ignored where the server trusts local connections), database ``douai``.

Every connection gives up after ``DATABASE_CONNECT_TIMEOUT_S`` (a database that refuses
or does not answer is an error in seconds, never a hang). A statement timeout is the
caller's choice: the API sets one (``DATABASE_STATEMENT_TIMEOUT_S``), the worker none,
since a planning transaction may rightly take long.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from logistics.settings import get_settings


def database_url(url: str | None = None) -> str:
    """``url``, else ``$DATABASE_URL`` (the settings), psycopg 3 as the driver."""
    url = url or get_settings().database_url
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url[len(plain):]
    return url


def make_engine(url: str | None = None, *, statement_timeout_s: float | None = None) -> Engine:
    """An engine with pre-ping (a restarted database is not an error) and the connect
    timeout of the settings; with ``statement_timeout_s``, the server cancels any
    statement of its sessions that runs longer (None or 0: no limit)."""
    connect_args: dict[str, object] = {
        "connect_timeout": get_settings().database_connect_timeout_s
    }
    if statement_timeout_s:
        connect_args["options"] = f"-c statement_timeout={max(1, round(statement_timeout_s * 1000))}"
    return create_engine(database_url(url), pool_pre_ping=True, connect_args=connect_args)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits at the end, rolls back on any error, and closes."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
