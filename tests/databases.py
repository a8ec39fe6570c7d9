"""New databases for tests: migrated with the project's Alembic revisions (PostGIS
included) on the real server at ``$DATABASE_URL`` (default the local one on 127.0.0.1),
dropped at the end. One per test session (``db_url``); a test module whose work reaches
the whole store (erasing every old order, a fuzzer) takes one of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from logistics.store.db import database_url
from logistics.store.migrate import upgrade


@contextmanager
def new_database(revision: str = "head") -> Iterator[str]:
    """The URL of a new database migrated to ``revision`` (the latest by default),
    dropped on leaving."""
    base = make_url(database_url(os.environ.get("DATABASE_URL")))
    url = base.set(database=f"douai_test_{uuid.uuid4().hex[:12]}")
    text_url = url.render_as_string(hide_password=False)
    upgrade(text_url, revision)
    try:
        yield text_url
    finally:
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
