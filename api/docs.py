"""The API's documentation (Swagger UI at ``/docs``) from the copy vendored under
``api/web/vendor/swagger-ui`` (served by ``/static``), not from a CDN: it works on a
machine without internet. ReDoc is not served (FastAPI's ``/redoc`` needs a CDN).

Both pages run an inline script: each answer carries a nonce for its scripts and a
Content-Security-Policy that allows those alone (:func:`api.security.docs_policy`)."""

import secrets

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from .security import docs_policy

SWAGGER_UI = "/static/vendor/swagger-ui"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
#: no online validator: Swagger UI would send the schema to validator.swagger.io
PARAMETERS = {"validatorUrl": None}

router = APIRouter(include_in_schema=False)


def _with_nonce(page: HTMLResponse) -> HTMLResponse:
    """``page`` with a fresh nonce on its scripts, and the policy that names it."""
    nonce = secrets.token_urlsafe(16)
    html = bytes(page.body).decode().replace("<script", f'<script nonce="{nonce}"')
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(nonce)})


@router.get(DOCS_URL, response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the app's OpenAPI schema, as FastAPI's own ``/docs`` but local."""
    app: FastAPI = request.app
    root = request.scope.get("root_path", "").rstrip("/")
    return _with_nonce(get_swagger_ui_html(
        openapi_url=root + app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
        oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters={**PARAMETERS, **(app.swagger_ui_parameters or {})},
    ))


@router.get(OAUTH2_REDIRECT_URL, response_class=HTMLResponse)
def swagger_ui_oauth2_redirect() -> HTMLResponse:
    """The page an OAuth2 sign-in in Swagger UI returns to (inline script, no CDN)."""
    return _with_nonce(get_swagger_ui_oauth2_redirect_html())


def install_docs(app: FastAPI) -> None:
    """``/docs`` and its OAuth2 redirect on ``app``, which must be created with
    ``docs_url=None`` and ``redoc_url=None`` (FastAPI's defaults load from a CDN)."""
    if app.docs_url or app.redoc_url:
        msg = "create the app with docs_url=None and redoc_url=None"
        raise ValueError(msg)
    app.include_router(router)
