"""The HTTP API under ``/api`` (FastAPI; OpenAPI at ``/docs``), one router per audience.

Errors are JSON ``{"error", "detail"}`` (see :mod:`api.errors`); every request runs in
one database transaction (see :mod:`api.deps`), each statement cut after
``DATABASE_STATEMENT_TIMEOUT_S``. Every response carries the security headers
(:mod:`api.security`); token guesses and anonymous health checks are rate limited
(:mod:`api.ratelimit`); request bodies are bounded (:mod:`api.body_limit`).
"""

from typing import Any

from celery import Celery
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from logistics.delivery_area import delivery_area
from logistics.jobs.celery_app import make_celery
from logistics.settings import get_settings
from logistics.store.db import make_engine

from .body_limit import BodyLimit
from .docs import install_docs
from .errors import install_error_handlers
from .pages import install_pages
from .ratelimit import RateLimits
from .routes import (
    addresses,
    admin,
    connectors,
    courier,
    health,
    metrics,
    orders,
    plans,
    proofs,
    shop_page,
    tracking,
    users,
    webhooks,
)
from .schemas import ErrorBody
from .security import SecurityHeaders

#: the largest body of a proof of delivery (a photo and a signature of 5 MB each, the form around)
PROOF_BODY_BYTES = 11 * 1024 * 1024
_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                                "schema": {"type": "integer"}}}
#: the refusals any operation may meet, documented on each (see :func:`_common_refusals`)
BAD_JSON = {"description": "The body is not JSON.", "content": _ERROR_BODY}
TOO_LARGE = {"description": "The body is larger than the API takes (MAX_BODY_BYTES; a CSV "
                            "import has its own bound).", "content": _ERROR_BODY}
UNAVAILABLE = {"description": "The database does not answer in time; try again in a moment.",
               "headers": _RETRY_AFTER, "content": _ERROR_BODY}
TOO_MANY = {"description": "Too many failed authentications from this address.",
            "headers": _RETRY_AFTER, "content": _ERROR_BODY}


def create_app(
    database_url: str | None = None, engine: Engine | None = None, jobs: Celery | None = None
) -> FastAPI:
    """The application, on the store at ``database_url`` (default ``$DATABASE_URL``),
    sending planning jobs through ``jobs`` (default: Celery on ``$REDIS_URL``)."""
    settings = get_settings()
    delivery_area()  # a DELIVERY_AREA that is no polygon stops the start, in one line
    app = FastAPI(
        title="Douai delivery", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json"
    )
    app.state.engine = engine or make_engine(
        database_url, statement_timeout_s=settings.database_statement_timeout_s
    )
    app.state.sessionmaker = sessionmaker(app.state.engine, expire_on_commit=False)
    app.state.jobs = jobs or make_celery()
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       paths={f"{orders.router.prefix}/import": orders.MAX_IMPORT_BYTES,
                              r"/api/stops/[0-9]+/proof": PROOF_BODY_BYTES})
    trusted = settings.trusted_proxy_networks
    app.add_middleware(
        RateLimits, auth_failures_per_minute=settings.auth_failures_per_minute,
        health_checks_per_minute=settings.health_checks_per_minute, trusted=trusted,
    )
    app.add_middleware(SecurityHeaders, trusted=trusted)  # the outermost: on every answer
    for module in (admin, shop_page, orders, addresses, connectors, plans, courier, proofs, tracking,
                   webhooks, metrics, health, users):
        app.include_router(module.router)
    install_pages(app)
    install_docs(app)
    _document_common_refusals(app)
    return app


def _document_common_refusals(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list the refusals no route states itself."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        schema = generate()
        if first:
            _common_refusals(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _common_refusals(schema: dict[str, Any]) -> None:
    """Add to every operation under ``/api/``: 400 and 413 where it takes a body (not
    JSON, too large), 503 (the database does not answer) and, where it takes a token,
    429 (too many failed authentications); a route's own 503 (health) gets the error
    body beside its own when the route also looks up a token."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            takes_token = "401" in responses
            if "requestBody" in op:
                responses.setdefault("400", BAD_JSON)
                responses.setdefault("413", TOO_LARGE)
            if takes_token:
                responses.setdefault("429", TOO_MANY)
            own = responses.setdefault("503", UNAVAILABLE)
            if own is not UNAVAILABLE and takes_token:
                content = own.setdefault("content", {}).setdefault("application/json", {})
                content["schema"] = {"anyOf": [content.get("schema", {}),
                                               _ERROR_BODY["application/json"]["schema"]]}
                own["description"] += "; or the database does not answer in time"
