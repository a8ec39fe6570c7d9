"""The HTTP API under ``/api`` (FastAPI; OpenAPI at ``/docs``), one router per audience.

Errors are JSON ``{"error", "detail"}`` (see :mod:`api.errors`); every request runs in
one database transaction (see :mod:`api.deps`).
"""

from celery import Celery
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from logistics.jobs.celery_app import make_celery
from logistics.store.db import make_engine

from .docs import install_docs
from .errors import install_error_handlers
from .pages import install_pages
from .routes import admin, courier, health, metrics, orders, plans


def create_app(
    database_url: str | None = None, engine: Engine | None = None, jobs: Celery | None = None
) -> FastAPI:
    """The application, on the store at ``database_url`` (default ``$DATABASE_URL``),
    sending planning jobs through ``jobs`` (default: Celery on ``$REDIS_URL``)."""
    app = FastAPI(
        title="Douai delivery", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json"
    )
    app.state.engine = engine or make_engine(database_url)
    app.state.sessionmaker = sessionmaker(app.state.engine, expire_on_commit=False)
    app.state.jobs = jobs or make_celery()
    install_error_handlers(app)
    for module in (admin, orders, plans, courier, metrics, health):
        app.include_router(module.router)
    install_pages(app)
    install_docs(app)
    return app
