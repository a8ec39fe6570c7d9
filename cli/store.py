"""The PostGIS store: ``db upgrade`` and ``users create``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .options import store_error

Handler = Callable[[argparse.Namespace], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add ``db`` and ``users``; returns their handlers."""
    p = sub.add_parser("db", help="the PostGIS store")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    q = db.add_parser("upgrade", help="create the database if missing and apply every migration")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q.add_argument("--revision", default="head")

    p = sub.add_parser("users", help="API users and their tokens")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    q = users.add_parser("create", help="add a user and print its bearer token (shown once)")
    q.add_argument("--role", required=True, choices=["shop", "dispatcher", "courier", "city"])
    q.add_argument("--shop-id", help="the shop a shop user speaks for")
    q.add_argument("--courier-id", help="the courier a courier user is")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    return {"db": db_upgrade, "users": create_user}


def db_upgrade(args: argparse.Namespace) -> int:
    """``douai-delivery db upgrade``."""
    from sqlalchemy.exc import OperationalError

    from logistics.store.db import database_url
    from logistics.store.migrate import upgrade

    try:
        upgrade(database_url(args.database_url), args.revision)
    except OperationalError as e:
        raise store_error(e) from None
    print(f"database at revision {args.revision}")
    return 0


def create_user(args: argparse.Namespace) -> int:
    """``douai-delivery users create``: prints the new token (the only time it exists)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from logistics.store.db import make_engine, session_scope
    from logistics.store.users import create_user as create

    engine = make_engine(args.database_url)
    try:
        with session_scope(engine) as session:
            _, token = create(session, args.role, shop_id=args.shop_id, courier_id=args.courier_id)
    except OperationalError as e:
        raise store_error(e) from None
    except ProgrammingError as e:
        raise store_error(e, tables=True) from None
    finally:
        engine.dispose()
    print(token)
    return 0
