"""The customer's tracking page in Chromium at phone size, without a token or a
sign-in: plain HTML (one small script of its own keeps it up to date), French, readable (axe-core), no sideways
scroll; it shows the shop, the slot and the arrival window, never the courier's name,
another customer or their street; once delivered it says when."""

from __future__ import annotations

import datetime as dt

import courier_seed as seed
import pytest
from PIL import Image
from playwright.sync_api import expect
from web.conftest import axe_violations, browser_clock, shot

DAY = dt.date(2032, 9, 6)


@pytest.fixture(scope="module")
def day(platform):
    return seed.seed_day(platform.engine, "wtrk", DAY)


def test_the_customer_follows_the_parcel_without_signing_in(api_server, platform, day, phone, clock,
                                                            console_errors):
    clock.on(DAY, "11:00")
    page = phone
    errors = console_errors(page)
    c = platform.client
    order = c.get(f"/api/orders/{day.orders['o1']}", headers=day.auth("shop")).json()
    path = "/t/" + order["tracking_url"].rsplit("/t/", 1)[1]
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    browser_clock(page, clock)
    page.goto(f"{api_server}{path}")
    expect(page.locator("h1")).to_have_text("Livraison prévue")
    expect(page.locator(".shops")).to_have_text(f"Boulangerie {day.prefix}")
    expect(page.locator(".slot")).to_contain_text("entre 14:00 et 16:00")
    expect(page.locator(".arrival")).to_contain_text("Arrivée estimée entre")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert [u.removeprefix(api_server) for u in scripts] == ["/static/track.js"]  # one small script of its own
    text = page.locator("body").inner_text()
    for secret in (day.courier, day.other_courier, day.orders["o3"], day.orders["o4"], "place d'Armes"):
        assert secret not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    shot(page, "tracking-planned")

    for stop in ("bakery", "books", "home_1"):
        for kind in ("arrived", "picked_up" if stop != "home_1" else "delivered"):
            r = c.post(f"/api/stops/{day.stops[stop]}/events", json={"type": kind}, headers=day.auth("courier"))
            assert r.status_code == 201, r.text
    page.evaluate("window.kept = 1")
    page.clock.run_for(61_000)  # a minute later the page brings itself up to date, in place
    expect(page.locator("h1")).to_have_text("Colis livré")
    assert page.evaluate("window.kept") == 1  # not reloaded
    expect(page.locator(".done")).to_contain_text("à 11:00")
    assert axe_violations(page) == []
    shot(page, "tracking-delivered")

    page.goto(f"{api_server}/t/not-a-real-token-at-all-000000")
    expect(page.locator("h1")).to_have_text("Lien inconnu ou expiré")
    assert errors == []


def test_the_shop_sees_the_link_and_the_proof_of_a_delivered_order(api_server, platform, day, desktop, clock,
                                                                    console_errors, tmp_path):
    clock.on(DAY, "15:00")
    page = desktop
    errors = console_errors(page)
    c = platform.client
    image = tmp_path / "door.png"
    Image.new("RGB", (320, 200), (200, 60, 40)).save(image)
    r = c.post(f"/api/stops/{day.stops['home_1']}/proof", headers=day.auth("courier"),
               data={"recipient_name": "Mme Martin"}, files={"photo": ("door.png", image.read_bytes(), "image/png")})
    assert r.status_code in (200, 201), r.text
    browser_clock(page, clock)
    page.goto(f"{api_server}/shop#token={day.tokens['shop']}")
    card = page.locator(f"#orders-list li.order[data-order='{day.orders['o1']}']")
    expect(card.locator(".status")).to_have_text("livrée")
    link = card.locator(".tracking a")
    order = c.get(f"/api/orders/{day.orders['o1']}", headers=day.auth("shop")).json()
    expect(link).to_have_attribute("href", order["tracking_url"])
    card.get_by_role("button", name="Preuve de remise").click()
    proof = card.locator(".proof")
    expect(proof).to_contain_text("Mme Martin")
    expect(proof.locator("img.proof-photo")).to_have_count(1)
    assert proof.locator("img.proof-photo").evaluate("(img) => img.complete && img.naturalWidth") == 320
    assert axe_violations(page) == []
    shot(page, "shop-proof")
    assert errors == []
