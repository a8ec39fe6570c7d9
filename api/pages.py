"""The four web pages (courier, dispatcher, shop, city) and their static files.

Each page is plain HTML, CSS and JavaScript served from ``api/web`` (no build step, no
CDN: the pages work on a machine without internet), talking to the JSON API with the
token it was opened with (``#token=…``) or signed in with. Leaflet comes from the copy
vendored for the plan map.
"""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

import logistics

WEB = Path(__file__).parent / "web"
LEAFLET = Path(logistics.__file__).parent / "static" / "vendor" / "leaflet"

router = APIRouter(include_in_schema=False)

_INDEX = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Livraison Douai</title><link rel="stylesheet" href="/static/common.css"></head>
<body class="index"><main><h1>Livraison Douai</h1><ul class="big-links">
<li><a href="/courier">Coursier — ma tournée</a></li>
<li><a href="/dispatch">Régulation — tournées du jour</a></li>
<li><a href="/shop">Commerce — mes commandes</a></li>
<li><a href="/city">Ville — impact des livraisons</a></li>
<li><a href="/docs">API (OpenAPI)</a></li></ul></main></body></html>"""


def _page(name: str) -> FileResponse:
    # No caching of the HTML: a new version reaches the phones at the next opening.
    return FileResponse(WEB / f"{name}.html", headers={"Cache-Control": "no-cache"})


@router.get("/", response_class=HTMLResponse)
def index() -> str:
    return _INDEX


@router.get("/courier")
def courier_page() -> FileResponse:
    return _page("courier")


@router.get("/dispatch")
def dispatch_page() -> FileResponse:
    return _page("dispatch")


@router.get("/shop")
def shop_page() -> FileResponse:
    return _page("shop")


@router.get("/city")
def city_page() -> FileResponse:
    return _page("city")


@router.get("/courier-sw.js")
def courier_service_worker() -> FileResponse:
    """The courier page's service worker, served from the root so that it may keep
    ``/courier`` and its files on the phone (the page then opens in a dead zone)."""
    return FileResponse(
        WEB / "courier-sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


def install_pages(app: FastAPI) -> None:
    """The pages' routes and their static files (``/static``)."""
    app.include_router(router)
    app.mount("/static/vendor/leaflet", StaticFiles(directory=LEAFLET), name="leaflet")
    app.mount("/static", StaticFiles(directory=WEB), name="web")
