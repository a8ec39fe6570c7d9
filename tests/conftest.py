"""Shared fixtures. A fresh PostgreSQL database per test session, migrated with the project's Alembic
revisions (PostGIS included), on the real server at ``$DATABASE_URL`` (default the local
one on 127.0.0.1); dropped at the end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

# Nothing leaves the machine at test time: BAN's URL points at a closed local port
# (refused at once) unless a test serves its own stand-in; every process started by the
# tests inherits it.
os.environ["GEOCODER_BAN_URL"] = "http://127.0.0.1:9/geocodage"

# The tests' clock, set before any process starts (see clock_fixtures).
from clock_fixtures import _clock_at_default, _clock_at_default_for_the_module, clock, env  # noqa: F401  (registered)
from databases import new_database
from sqlalchemy import Engine

# The platform's fixtures (town, worker, API server, users), for every test folder.
from stack_fixtures import (  # noqa: E402,F401  (imported to register them)
    api_server,
    client,
    platform,
    town,
    town_osm,
    worker,
    worker_env,
)

from logistics.store.db import make_engine


@pytest.fixture(scope="session")
def db_url() -> Iterator[str]:
    """The URL of a new, migrated database; the server must be up (no skip: CI has it)."""
    with new_database() as url:
        yield url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis the jobs go through (``$REDIS_URL``, else the local one)."""
    from logistics.jobs.celery_app import redis_url as configured

    return configured(os.environ.get("REDIS_URL"))


@pytest.fixture(scope="session")
def queue() -> str:
    """A queue of this test session's own, so that no other worker takes its tasks."""
    return f"douai-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def quiet_jobs(redis_url: str):
    """A Celery app on a queue no worker reads: the API's tasks (such as waking the
    message sender) wait there, and the test runs the worker's code itself."""
    from logistics.jobs.celery_app import make_celery

    name = f"douai-unread-{uuid.uuid4().hex[:8]}"
    app = make_celery(redis_url, name)
    yield app
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(name)
    app.close()


@pytest.fixture(scope="session")
def celery_jobs(redis_url: str, queue: str):
    """The Celery app the API sends jobs with, on the real Redis and this session's queue."""
    from logistics.jobs.celery_app import make_celery

    app = make_celery(redis_url, queue)
    yield app
    app.close()
