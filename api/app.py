"""The HTTP API under ``/api`` (FastAPI; OpenAPI at ``/docs``), one router per audience.

Errors are JSON ``{"error", "detail"}`` (see :mod:`api.errors`); every request runs in
one database transaction (see :mod:`api.deps`).
"""

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from logistics.store.db import make_engine

from .errors import install_error_handlers
from .routes import admin, orders


def create_app(database_url: str | None = None, engine: Engine | None = None) -> FastAPI:
    """The application, on the store at ``database_url`` (default ``$DATABASE_URL``)."""
    app = FastAPI(title="Douai delivery", docs_url="/docs", openapi_url="/api/openapi.json")
    app.state.engine = engine or make_engine(database_url)
    app.state.sessionmaker = sessionmaker(app.state.engine, expire_on_commit=False)
    install_error_handlers(app)
    for module in (admin, orders):
        app.include_router(module.router)
    return app
