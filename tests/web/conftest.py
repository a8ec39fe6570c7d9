"""Fixtures of the page tests: Debian's Chromium driven by Playwright (no browser is
ever downloaded), pages at phone and desktop sizes, and screenshots kept under
``out/screenshots/`` (git-ignored) for people to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium (scripts/setup --with-browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (390 x 844, touch, French), in its own context."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A desktop-sized page (1366 x 900, French), in its own context."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


def browser_clock(page, clock) -> None:
    """Set the browser's clock to the tests' (``clock_fixtures``), before the page loads:
    the page's "today" and its tap times then agree with the server's clock. It runs on."""
    page.context.clock.install(time=clock.now())


def shot(page, name: str) -> Path:
    """Save a screenshot of the whole page as out/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def console_errors(request):
    """Collect the page's JavaScript errors: call ``watch(page)``, then assert the list is empty."""
    errors: list[str] = []

    def watch(page) -> list[str]:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "tile.openstreetmap" not in m.text
                and "ERR_INTERNET_DISCONNECTED" not in m.text and "Failed to load resource" not in m.text else None)
        return errors

    return watch
