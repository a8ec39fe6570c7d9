"""The city's page (``/city``) in Debian's Chromium against a real ``douai-delivery
serve``: the headline figures are the API's totals in French, one bar per day and per
week, the method and its factors beside them, the CSV export is the API's CSV byte for
byte, the bikes' streets are the API's lines with a legend, the month's open data is the
API's file; the page asks for nothing but the city's figures and shows no id, name or
address."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import impact_seed as seed
import pytest
from clock_fixtures import EVENING, MORNING
from playwright.sync_api import expect
from stack_helpers import wait_for
from web.conftest import axe_violations, browser_clock, shot

#: this module's days (the database is shared by the session): Wed 9 to Tue 15 Feb 2033
FIRST, LAST = dt.date(2033, 2, 9), dt.date(2033, 2, 15)
#: the period the page is opened on: Mon 7 to Thu 16, ISO weeks 6 and 7
PERIOD = {"from": "2033-02-07", "to": "2033-02-16"}
HEADLINE = {"car_trips_avoided": "", "car_km_avoided": "km", "co2_avoided_kg": "kg",
            "bike_km": "km", "foot_km": "km", "orders_delivered": ""}


def fr(value: float, digits: int = 1) -> str:
    """A number as the page writes it (Intl fr-FR: at most ``digits`` decimals, half up
    on the shortest decimal form, narrow no-break space between thousands)."""
    q = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    whole, _, frac = f"{q:f}".partition(".")
    frac = frac.rstrip("0")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = "\u202f".join([whole, *groups])
    return f"{sign}{text},{frac}" if frac else f"{sign}{text}"


def test_fr_formats_like_the_browser():
    assert [fr(1234.5), fr(0.15), fr(2.25), fr(999.96), fr(12, 0), fr(6.0)] == [
        "1\u202f234,5", "0,2", "2,3", "1\u202f000", "12", "6"]


@pytest.fixture(scope="module")
def seeded(engine):
    return seed.seed_period(engine, "webcity", FIRST, LAST, seed=7)


@pytest.fixture(scope="module")
def city(platform) -> str:
    return platform.token("city")


@pytest.fixture(scope="module")
def impact(api_server, seeded, city) -> dict:
    """The API's figures for the period, JSON and CSV, as the city token reads them."""
    headers = {"Authorization": f"Bearer {city}"}
    body = httpx.get(f"{api_server}/api/metrics/impact", params=PERIOD, headers=headers).json()
    csv = httpx.get(f"{api_server}/api/metrics/impact", params={**PERIOD, "format": "csv"},
                    headers=headers)
    assert csv.status_code == 200, csv.text
    passages = httpx.get(f"{api_server}/api/metrics/passages", params=PERIOD, headers=headers)
    open_csv = httpx.get(f"{api_server}/api/metrics/open-data", params={"month": "2033-02"},
                         headers=headers)
    assert open_csv.status_code == 200, open_csv.text
    return {"json": body, "csv": csv.content, "passages": passages.json(), "open_csv": open_csv.content}


def _open(page, base: str, token: str, **period: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in period.items())
    page.goto(f"{base}/city{'?' + query if query else ''}#token={token}")
    expect(page.locator('[data-figure="orders_delivered"] .value')).not_to_have_text("—")


def test_the_seeded_days_give_what_the_rules_say(impact, seeded):
    """The seed covers every case (not published, withdrawn, other factor, not started),
    and the API counts it as the rules say: the page then shows real figures."""
    totals = impact["json"]["totals"]
    for key, value in seeded.totals().items():
        assert totals[key] == pytest.approx(value, abs=1e-3), key
    assert totals["orders_delivered"] > 5
    assert totals["orders_failed"] > 0
    assert totals["bike_km"] > 0
    assert totals["foot_km"] > 0


def test_city_dashboard(api_server, desktop, console_errors, seeded, city, impact):
    errors = console_errors(desktop)
    asked: list[str] = []
    desktop.on("request", lambda r: asked.append(r.url))
    _open(desktop, api_server, city, **PERIOD)
    body = impact["json"]
    totals = body["totals"]

    # the token leaves the address at once; the period stays in it
    assert "token" not in desktop.url
    assert "from=2033-02-07" in desktop.url
    assert axe_violations(desktop) == []  # WCAG 2.1 A/AA, by axe-core
    for key, unit in HEADLINE.items():
        digits = 0 if unit == "" else 1
        want = fr(totals[key], digits) + (f" {unit}" if unit else "")
        expect(desktop.locator(f'[data-figure="{key}"] .value')).to_have_text(want)
    labels = desktop.locator(".figures dt").all_inner_texts()
    assert labels == ["Trajets en voiture évités", "Km en voiture évités", "CO₂ évité",
                      "Km à vélo cargo", "Km à pied", "Livraisons"]
    expect(desktop.locator("#period-facts")).to_contain_text("7 février 2033 au 16 février 2033")
    # gross beside net; no survey answer yet: the default share, named with its source
    net = desktop.locator("#net")
    expect(net.locator('[data-net="car_km"] .gross')).to_have_text(f"{fr(totals['car_km_avoided'])} km")
    expect(net.locator('[data-net="car_km"] .value')).to_have_text(f"{fr(totals['car_km_avoided_net'])} km")
    expect(net.locator('[data-net="co2"] .value')).to_have_text(f"{fr(totals['co2_avoided_net_kg'])} kg")
    expect(net.locator('[data-net="courier"] .value')).to_have_text(f"{fr(totals['courier_co2_kg'])} kg")
    expect(desktop.locator("#net-share")).to_contain_text("62,8 %, valeur par défaut")
    expect(desktop.locator("#net-share")).to_contain_text("Source : SDES, Enquête mobilité des personnes 2019")

    # one bar per day and per ISO week; every chart has axes and a table as its text alternative
    assert len(body["days"]) == 10
    assert len(body["weeks"]) == 2
    expect(desktop.locator("#chart-days svg rect.bar")).to_have_count(10)
    expect(desktop.locator("#chart-weeks svg rect.bar")).to_have_count(2)
    for chart in ("#chart-days", "#chart-weeks"):
        svg = desktop.locator(f"{chart} svg")
        assert svg.get_attribute("role") == "img"
        assert svg.locator("line.axis").count() == 2
        assert svg.locator("text.tick").count() >= 2
        assert "Total : " in svg.locator("desc").text_content()
    expect(desktop.locator("#chart-days figcaption")).to_have_text("Livraisons par jour")
    day_heights = [float(h) for h in desktop.locator("#chart-days rect.bar").evaluate_all(
        "rs => rs.map(r => r.getAttribute('height'))")]
    delivered = [d["orders_delivered"] for d in body["days"]]
    top = max(delivered)
    assert [h == pytest.approx(day_heights[delivered.index(top)] * v / top, abs=0.11)
            for h, v in zip(day_heights, delivered, strict=True)] == [True] * 10
    rows = desktop.locator("#chart-days table tbody tr")
    expect(rows).to_have_count(10)
    assert rows.nth(2).locator("td").nth(1).text_content() == str(body["days"][2]["orders_delivered"])
    expect(desktop.locator("#chart-weeks table tbody tr")).to_have_count(2)
    expect(desktop.locator("#chart-weeks table tbody tr").first).to_contain_text("sem. 6")

    # another figure in the charts: the bike kilometres, one decimal
    desktop.select_option("#figure", "bike_km")
    expect(desktop.locator("#chart-weeks figcaption")).to_have_text("Km à vélo cargo par semaine")
    week_tip = desktop.locator("#chart-weeks rect.bar title").first.text_content()
    assert week_tip.endswith(f": {fr(body['weeks'][0]['bike_km'])} km")

    # the method and its factors, beside the charts
    method = desktop.locator("#method")
    expect(method).to_be_visible()
    expect(method.locator(".method-text")).to_have_text(body["method"])
    expect(method.locator('[data-factor="car_kg_co2e_per_km"] dd')).to_have_text("0,2176 kg CO₂e par km")
    expect(method.locator('[data-factor="car_factor_source"] dd')).to_have_text(body["factors"]["car_factor_source"])
    box_chart, box_method = desktop.locator(".charts").bounding_box(), method.bounding_box()
    assert box_method["x"] >= box_chart["x"] + box_chart["width"]
    assert box_method["y"] < box_chart["y"] + 200

    # the CSV of the API, saved under the API's name
    with desktop.expect_download() as info:
        desktop.get_by_role("button", name="Exporter en CSV").click()
    download = info.value
    assert download.suggested_filename == "impact_2033-02-07_2033-02-16.csv"
    assert Path(download.path()).read_bytes() == impact["csv"]
    expect(desktop.locator("#status")).to_have_text("Fichier impact_2033-02-07_2033-02-16.csv enregistré.")

    # the streets the bikes rode: the API's lines on the map, a legend, the same in words
    lines = desktop.locator("#streets-map path.passages")
    expect(lines).to_have_count(sum(len(f["geometry"]["coordinates"]) for f in impact["passages"]["features"]))
    assert lines.count() >= 1
    counts = [f["properties"]["passages"] for f in impact["passages"]["features"]]
    span = f"de {min(counts)} à {max(counts)}" if min(counts) < max(counts) else str(max(counts))
    expect(desktop.locator("#streets-text")).to_contain_text(f", {span} passages de vélo cargo")
    expect(desktop.locator("#streets-legend li").first).to_contain_text(f"{min(counts)} passages ou plus")

    # the month's open data, the API's file byte for byte
    desktop.fill("#month", "2033-02")
    with desktop.expect_download() as info:
        desktop.get_by_role("button", name="Télécharger (CSV)").click()
    download = info.value
    assert download.suggested_filename == "livraisons_2033-02_carreaux_500m.csv"
    assert Path(download.path()).read_bytes() == impact["open_csv"]

    # aggregates only: nothing seeded is named, and the page asked only for the figures
    desktop.select_option("#figure", "orders_delivered")
    html = desktop.content()
    for secret in seeded.secrets:
        assert secret not in html, secret
    assert "webcity" not in html
    api_calls = {u.split("?")[0].removeprefix(api_server) for u in asked if "/api/" in u}
    # the sign-in trade, then figures only
    assert api_calls == {"/api/sessions", "/api/metrics/impact", "/api/metrics/passages",
                         "/api/metrics/open-data"}
    # nothing else but the map's background tiles (which need the internet)
    assert all(u.startswith((api_server, "blob:", "https://tile.openstreetmap.org/")) for u in asked), asked
    shot(desktop, "city-dashboard")
    assert errors == []


@pytest.mark.parametrize("hour", [MORNING, EVENING])
def test_presets_and_a_period_typed_in(api_server, desktop, console_errors, city, impact, clock, hour):
    errors = console_errors(desktop)
    today = dt.date(2033, 3, 31)  # the presets count back from the browser's today
    clock.on(today, hour)
    browser_clock(desktop, clock)
    _open(desktop, api_server, city)
    # the default: the last 30 days, today included
    assert desktop.locator("#from").input_value() == (today - dt.timedelta(29)).isoformat()
    assert desktop.locator("#to").input_value() == today.isoformat()
    expect(desktop.locator("#chart-days rect.bar")).to_have_count(30)
    expect(desktop.get_by_role("button", name="30 jours")).to_have_attribute("aria-pressed", "true")
    shot(desktop, "city-dashboard-last-30-days")
    shot(desktop, "city-dashboard-last-30-days")

    desktop.get_by_role("button", name="7 jours").click()
    expect(desktop.locator("#chart-days rect.bar")).to_have_count(7)
    assert desktop.locator("#from").input_value() == (today - dt.timedelta(6)).isoformat()
    expect(desktop.get_by_role("button", name="7 jours")).to_have_attribute("aria-pressed", "true")

    desktop.get_by_role("button", name="Ce mois-ci").click()
    expect(desktop.locator("#chart-days rect.bar")).to_have_count(today.day)
    assert desktop.locator("#from").input_value() == today.replace(day=1).isoformat()

    # a period typed in, then one backwards (refused on the page, nothing asked)
    desktop.fill("#from", PERIOD["from"])
    desktop.fill("#to", PERIOD["to"])
    desktop.get_by_role("button", name="Afficher").click()
    expect(desktop.locator("#chart-days rect.bar")).to_have_count(10)
    totals = impact["json"]["totals"]
    expect(desktop.locator('[data-figure="car_km_avoided"] .value')).to_have_text(
        f"{fr(totals['car_km_avoided'])} km")
    assert "from=2033-02-07&to=2033-02-16" in desktop.url
    desktop.fill("#to", "2033-02-01")
    desktop.get_by_role("button", name="Afficher").click()
    expect(desktop.locator("#status")).to_have_text("La date de fin est avant la date de début.")
    expect(desktop.locator("#chart-days rect.bar")).to_have_count(10)
    assert errors == []


def test_sign_in_form_and_refused_tokens(api_server, desktop, console_errors, seeded, city, platform, clock):
    errors = console_errors(desktop)
    # The page asks for the last 30 days of the browser's today: the server's, as in use
    # (the API takes no day more than a year before its today).
    browser_clock(desktop, clock)
    desktop.goto(f"{api_server}/city")
    expect(desktop.get_by_label("Jeton d'accès")).to_be_visible()
    desktop.get_by_label("Jeton d'accès").fill("not-a-token")
    desktop.get_by_role("button", name="Se connecter").click()
    expect(desktop.get_by_role("alert")).to_contain_text("pas (ou plus) valable")
    # a courier's token is a real one, but not the city's
    courier = platform.token("courier", courier_id="webcity-bike-1")
    desktop.get_by_label("Jeton d'accès").fill(courier)
    desktop.get_by_role("button", name="Se connecter").click()
    expect(desktop.get_by_role("alert")).to_contain_text("ne donne pas accès aux chiffres de la ville")
    desktop.get_by_label("Jeton d'accès").fill(city)
    desktop.get_by_role("button", name="Se connecter").click()
    expect(desktop.locator('[data-figure="orders_delivered"] .value')).not_to_have_text("—")
    # the browser keeps a session token for this tab only, never the long-lived token
    kept = desktop.evaluate("[JSON.stringify(localStorage), JSON.stringify(sessionStorage)]")
    assert city not in kept[0]
    assert city not in kept[1]
    assert desktop.evaluate("localStorage.getItem('douai.token.city')") is None
    session = desktop.evaluate("sessionStorage.getItem('douai.token.city')")
    assert session
    assert session != city
    # kept for a reload of the tab, until signing out
    desktop.reload()
    expect(desktop.locator('[data-figure="orders_delivered"] .value')).not_to_have_text("—")
    desktop.get_by_role("button", name="Se déconnecter").click()
    expect(desktop.get_by_label("Jeton d'accès")).to_be_visible()
    # signing out ended the session on the server too
    wait_for(lambda: httpx.get(f"{api_server}/api/metrics/impact", timeout=10,
                               headers={"Authorization": f"Bearer {session}"}).status_code == 401, timeout=10)
    # the 401 and 403 are expected answers, shown on the page: nothing else went wrong
    assert [e for e in errors if "401" not in e and "403" not in e] == []
