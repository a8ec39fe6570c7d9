"""The customer's tracking link on a real PostGIS: only the shop and the dispatcher get
it; the page and its JSON follow the round (the window narrows, "votre livreur arrive"
when their stop is next, then delivered or failed with what happens next); it never
names the courier or another customer; a made-up or expired link is a 404."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient

from api.app import create_app

_DAYS = itertools.count()


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


@pytest.fixture
def day(engine, clock, env):
    env(PUBLIC_BASE_URL="https://livraison.example")
    n = next(_DAYS)
    seeded = seed.seed_day(engine, f"trk{n}", dt.date(2032, 4, 5) + dt.timedelta(days=n))
    clock.on(seeded.day, "11:00")
    return seeded


def link(client, day, key: str = "o1") -> str:
    r = client.get(f"/api/orders/{day.orders[key]}", headers=day.auth("shop" if key != "o3" else "dispatcher"))
    assert r.status_code == 200, r.text
    return r.json()["tracking_url"]


def token_of(url: str) -> str:
    return url.rsplit("/t/", 1)[1]


def step(client, day, stop: str, *kinds: str, reason: str | None = None) -> None:
    for kind in kinds:
        body = {"type": kind, **({"reason": reason} if kind == "failed" else {})}
        r = client.post(f"/api/stops/{day.stops[stop]}/events", json=body, headers=day.auth("courier"))
        assert r.status_code in (200, 201), r.text


def test_the_link_is_the_shop_s_and_the_dispatcher_s_random_and_long(client, day):
    url = link(client, day)
    assert url.startswith("https://livraison.example/t/")
    token = token_of(url)
    assert len(token) >= 22
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert day.prefix not in token
    assert "o1" not in token
    assert link(client, day, "o3") != url  # each order its own
    for who in ("courier", "city"):
        assert client.get(f"/api/orders/{day.orders['o1']}", headers=day.auth(who)).status_code == 403


def test_the_page_follows_the_round_without_naming_the_courier(client, day, clock):
    token = token_of(link(client, day))
    page = client.get(f"/t/{token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Livraison prévue" in text
    assert f"Boulangerie {day.prefix}" in text
    assert re.search(r"Arrivée estimée entre <strong>\d\d:\d\d</strong> et <strong>\d\d:\d\d</strong>", text)
    assert "2 arrêts avant vous" in text  # the two pick-ups, then theirs (the basket's drop)
    for secret in (day.courier, day.other_courier, "HOME", "place d'Armes", day.orders["o3"]):
        assert secret not in text
    assert '<script src="/static/track.js" defer></script>' in text  # its own, to stay up to date
    wide = client.get(f"/api/tracking/{token}").json()
    assert wide["status"] == "planned"
    assert wide["stops_before"] == 2
    assert wide["slot"] == {"from": "14:00", "to": "16:00"}
    assert [p["status"] for p in wide["parcels"]] == ["planned", "planned"]  # o1 and o2: one drop

    clock.on(day.day, "12:10")
    step(client, day, "bakery", "arrived", "picked_up")
    nearer = client.get(f"/api/tracking/{token}").json()
    assert nearer["status"] == "picked_up"
    assert nearer["stops_before"] == 1
    width = lambda v: (dt.datetime.strptime(v["arrival"]["to"], "%H:%M")  # noqa: E731
                       - dt.datetime.strptime(v["arrival"]["from"], "%H:%M"))
    assert width(nearer) < width(wide)

    step(client, day, "books", "arrived", "picked_up")
    close = client.get(f"/api/tracking/{token}").json()
    assert close["status"] == "on_the_way"
    assert close["next"] is True
    assert close["stops_before"] == 0
    assert "Votre livreur arrive" in client.get(f"/t/{token}").text
    other = client.get(f"/api/tracking/{token_of(link(client, day, 'o3'))}").json()
    assert other["status"] == "picked_up"
    assert other["stops_before"] == 1

    clock.on(day.day, "14:07")
    step(client, day, "home_1", "arrived", "delivered")
    r = client.post(f"/api/stops/{day.stops['home_1']}/proof", data={"recipient_name": "M. Voisin"},
                    headers=day.auth("courier"))
    assert r.status_code == 201, r.text
    done = client.get(f"/api/tracking/{token}").json()
    assert (done["status"], done["delivered_at"], done["arrival"]) == ("delivered", "14:07", None)
    assert done["recipient"] == "M. Voisin"  # who took it, from the proof
    page = client.get(f"/t/{token}").text
    assert "Colis livré" in page
    assert "à 14:07, remis à M. Voisin" in page
    assert "track.js" not in page  # over: the page no longer updates itself


def test_a_failed_hand_over_says_why_and_what_comes_next(client, day, clock):
    clock.on(day.day, "12:10")
    step(client, day, "bakery", "arrived", "picked_up")
    step(client, day, "books", "arrived", "picked_up")
    step(client, day, "home_1", "arrived")
    step(client, day, "home_1", "failed", reason="Client absent")
    token = token_of(link(client, day))
    seen = client.get(f"/api/tracking/{token}").json()
    assert (seen["status"], seen["failed_reason"], seen["next_step"]) == ("failed", "Client absent", "return_to_shop")
    page = client.get(f"/t/{token}").text
    assert "Livraison impossible" in page
    assert "Client absent" in page
    assert "retourne au commerce" in page


def test_made_up_and_expired_links_are_unknown(client, day, clock):
    token = token_of(link(client, day))
    for made_up in ("x" * 32, token[:-1] + ("A" if token[-1] != "A" else "B")):
        assert client.get(f"/t/{made_up}").status_code == 404
        assert client.get(f"/api/tracking/{made_up}").status_code == 404
    clock.on(day.day + dt.timedelta(days=7), "23:00")  # TRACKING_DAYS (7) after the day: still there
    assert client.get(f"/t/{token}").status_code == 200
    clock.on(day.day + dt.timedelta(days=8), "00:30")
    gone = client.get(f"/t/{token}")
    assert gone.status_code == 404
    assert "Lien inconnu ou expiré" in gone.text
    body = client.get(f"/api/tracking/{token}").json()
    assert body["error"] == "not_found"
