"""Fixtures of the page tests: Debian's Chromium driven by Playwright (no browser is
ever downloaded), pages at phone and desktop sizes, and screenshots kept under
``out/screenshots/`` (git-ignored) for people to look at."""

from __future__ import annotations

import shutil
import time
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


def wait_for_js(page, expression: str, timeout: float = 30_000) -> None:
    """Wait until ``expression`` (JavaScript, or a function of nothing) is true in the
    page, checking every 0.1 s for ``timeout`` ms. Playwright's ``wait_for_function``
    compiles it in the page with eval, which the pages' Content-Security-Policy
    forbids; ``evaluate`` goes through the browser's debugger, which it does not."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:g} s: {expression}")
        time.sleep(0.1)


def shot(page, name: str) -> Path:
    """Save a screenshot of the whole page as out/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


#: reports every Content-Security-Policy violation of a page as a console error
_REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));"""


def _counts(message) -> bool:
    """Whether a console message is an error of the page (a tile that cannot load on a
    machine without internet is not; a tile the page's policy refused is)."""
    if message.type != "error":
        return False
    if message.text.startswith("CSP violation") or "Content Security Policy" in message.text:
        return True
    return not any(x in message.text for x in (
        "tile.openstreetmap", "ERR_INTERNET_DISCONNECTED", "Failed to load resource"))


@pytest.fixture
def console_errors(request):
    """Collect the page's JavaScript errors and Content-Security-Policy violations: call
    ``watch(page)`` before the page opens, then assert the list is empty."""
    errors: list[str] = []

    def watch(page) -> list[str]:
        page.add_init_script(_REPORT_CSP)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if _counts(m) else None)
        return errors

    return watch


def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe-core's WCAG 2 A and AA violations on the page as it stands, one line each
    (rule, impact, how many nodes, the first node's selector). axe-core comes with the
    ``axe-playwright-python`` package: nothing is downloaded."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    # Evaluated through the driver: the pages' CSP (rightly) refuses inline scripts.
    page.evaluate(script.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async (exclude) => await axe.run({exclude: exclude.map((s) => [s])},
             {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""",
        list(exclude),
    )
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}): {v['help']}"
        for v in result["violations"]
    ]
