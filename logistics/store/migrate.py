"""Alembic migrations, run from Python (``douai-delivery db upgrade``), no ini file.

The first revision creates the PostGIS extension, then every table; the database itself
is created when it does not exist yet, so that a fresh PostgreSQL needs nothing by hand.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from logistics.store.db import database_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def create_database_if_missing(url: str | None = None) -> bool:
    """Create the URL's database from the server's ``postgres`` database; True if created."""
    target = make_url(database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if exists:
                return False
            name = target.database.replace('"', '""')
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            return True
    finally:
        admin.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the latest by default), creating it if needed."""
    create_database_if_missing(url)
    command.upgrade(alembic_config(url), revision)
