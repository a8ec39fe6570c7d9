"""The API's documentation (``/docs``, Swagger UI) in Debian's Chromium against a real
``douai-delivery serve``, with every request off 127.0.0.1 refused: it renders the API's
operations from the vendored copy alone, and its HTML names no CDN."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import expect

VENDOR = "/static/vendor/swagger-ui/"


def _offline(page) -> list[str]:
    """Abort every request of ``page`` that is not to 127.0.0.1; returns the list of the
    refused URLs (as a machine without internet would fail them)."""
    refused: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", handle)
    return refused


def test_docs_renders_offline(api_server, desktop, console_errors):
    errors = console_errors(desktop)
    refused = _offline(desktop)
    asked: list[str] = []
    desktop.on("request", lambda r: asked.append(r.url))
    failed: list[str] = []
    desktop.on("requestfailed", lambda r: failed.append(r.url))

    desktop.goto(f"{api_server}/docs")
    orders = desktop.locator('.opblock-summary-path[data-path="/api/orders"]')
    expect(orders.first).to_be_visible(timeout=20_000)
    expect(desktop.locator(".opblock-post .opblock-summary-path", has_text="/api/orders")
           .first).to_be_visible()
    expect(desktop.locator(".info .title")).to_contain_text("Douai delivery")
    expect(desktop).to_have_title("Douai delivery - Swagger UI")
    desktop.wait_for_load_state("networkidle")

    assert refused == []
    assert failed == []
    assert errors == []
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in asked if u.startswith("http")), asked
    assert f"{api_server}{VENDOR}swagger-ui-bundle.js" in asked
    assert f"{api_server}/api/openapi.json" in asked


def test_index_links_to_the_docs(api_server, desktop):
    _offline(desktop)
    desktop.goto(api_server)
    desktop.get_by_role("link", name="API (OpenAPI)").click()
    desktop.wait_for_url(f"{api_server}/docs")
    expect(desktop.locator(".opblock").first).to_be_visible(timeout=20_000)


def test_docs_html_names_only_local_static_files(api_server):
    page = httpx.get(f"{api_server}/docs")
    assert page.status_code == 200
    html = page.text
    assert "cdn" not in html.lower()
    assert re.findall(r"https?://", html) == []
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sorted(links) == [f"{VENDOR}favicon-32x32.png", f"{VENDOR}swagger-ui-bundle.js",
                             f"{VENDOR}swagger-ui.css"]
    assert "url: '/api/openapi.json'" in html
    types = {"swagger-ui-bundle.js": "javascript", "swagger-ui.css": "text/css",
             "favicon-32x32.png": "image/png"}
    for link in links:
        asset = httpx.get(f"{api_server}{link}")
        assert asset.status_code == 200, link
        assert types[link.rsplit("/", 1)[1]] in asset.headers["content-type"], link

    redirect = httpx.get(f"{api_server}/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert re.findall(r"https?://|src=", redirect.text) == []
    assert httpx.get(f"{api_server}/redoc").status_code == 404
    schema = httpx.get(f"{api_server}/api/openapi.json").json()
    assert "/api/orders" in schema["paths"]
    assert not any(p.startswith("/docs") for p in schema["paths"])
