"""The PostGIS store: ``db upgrade``; users and their tokens: ``users create | list |
revoke | rotate``; personal data: ``privacy erase-expired | erase``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .options import UserError, store_error

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
    q.add_argument("--label", help="who holds it, in words")
    q.add_argument("--expires-in-days", type=int, help="days the token lives (default $TOKEN_TTL_DAYS, 365)")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q = users.add_parser("list", help="the users: id, role, shop or courier, label, expiry, state")
    q.add_argument("--revoked", action="store_true", help="the revoked ones too")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q = users.add_parser("revoke", help="refuse a user's token and sessions from now on")
    q.add_argument("user_id", type=int)
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q = users.add_parser("rotate", help="a new token for a user (printed once); the old one is revoked")
    q.add_argument("user_id", type=int)
    q.add_argument("--expires-in-days", type=int, help="days the new token lives (default $TOKEN_TTL_DAYS)")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")

    p = sub.add_parser("privacy", help="customers' personal data (RGPD): erase what is no longer needed")
    privacy = p.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    q = privacy.add_parser("erase-expired", help="erase what the retention period no longer covers "
                           "(beat does it every night)")
    q.add_argument("--days", type=int, help="days kept after the delivery day (default $PERSONAL_DATA_RETENTION_DAYS, 90)")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    q = privacy.add_parser("erase", help="a customer's request: erase an order (with its basket) or every order at an address")
    who = q.add_mutually_exclusive_group(required=True)
    who.add_argument("--order", help="the order's id")
    who.add_argument("--address", help="the delivery address, as written on the orders")
    q.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else local)")
    return {"db": db_upgrade, "users": users_command, "privacy": privacy_command}


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


def _in_store(database_url: str | None, work: Callable[[Any], Any]) -> Any:
    """Run ``work(session)`` in one committed transaction; the store's failures as one line."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from logistics.store.db import make_engine, session_scope

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return work(session)
    except OperationalError as e:
        raise store_error(e) from None
    except ProgrammingError as e:
        raise store_error(e, tables=True) from None
    finally:
        engine.dispose()


def users_command(args: argparse.Namespace) -> int:
    """``douai-delivery users create | list | revoke | rotate``."""
    from logistics.store import users

    action = args.users_command
    if action == "create":
        token = _in_store(args.database_url, lambda s: users.create_user(
            s, args.role, shop_id=args.shop_id, courier_id=args.courier_id, label=args.label,
            expires_in_days=args.expires_in_days)[1])
        print(token)
    elif action == "list":
        for line in _in_store(args.database_url, lambda s: [
                _user_line(u, users.is_valid(u)) for u in users.list_users(s, include_revoked=args.revoked)]):
            print(line)
    elif action == "revoke":
        print(_in_store(args.database_url, lambda s: _user_line(users.revoke_user(s, args.user_id), False)))
    else:
        token = _in_store(args.database_url, lambda s: users.rotate_user(
            s, args.user_id, expires_in_days=args.expires_in_days)[1])
        print(token)
    return 0


def _user_line(u: Any, active: bool) -> str:
    from logistics.clock import local_iso

    who = u.shop_id or u.courier_id or "-"
    until = local_iso(u.expires_at)[:16] if u.expires_at else "never"
    state = "active" if active else ("revoked" if u.revoked_at else "expired")
    return f"{u.id}\t{u.role}\t{who}\t{u.label or '-'}\texpires {until}\t{state}"


def privacy_command(args: argparse.Namespace) -> int:
    """``douai-delivery privacy erase-expired | erase``: prints what was erased."""
    from logistics.store import retention

    if args.privacy_command == "erase-expired":
        if args.days is not None and args.days < 1:
            raise UserError("--days must be at least 1")
        done = _in_store(args.database_url,
                         lambda s: retention.erase_expired(s, retention_days=args.days))
    else:
        done = _in_store(args.database_url, lambda s: retention.erase_customer(
            s, order_id=args.order, address=args.address))
    print(", ".join(f"{k} {v}" for k, v in done.as_dict().items()))
    return 0
