"""The customer's one question after delivery, and the city's net figures it moves: one
answer per delivered order (JSON or the page's form); below SURVEY_MIN_ANSWERS in a
period the default share applies and is named with its source; the couriers' own
emissions come off the net CO2e."""

from __future__ import annotations

import datetime as dt

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from logistics.impact_net import BIKE_KG_CO2E_PER_KM, DEFAULT_SHARE

DAY = dt.date(2032, 10, 4)


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


@pytest.fixture(scope="module")
def day(engine):
    return seed.seed_day(engine, "srv", DAY)


def token(client, day, key: str) -> str:
    r = client.get(f"/api/orders/{day.orders[key]}", headers=day.auth("dispatcher"))
    return r.json()["tracking_url"].rsplit("/t/", 1)[1]


def deliver(client, day, stops: dict, stop: str, who: str) -> None:
    for kind in ("arrived", "picked_up" if stop in ("bakery", "books") else "delivered"):
        r = client.post(f"/api/stops/{stops[stop]}/events", json={"type": kind}, headers=day.auth(who))
        assert r.status_code in (200, 201), r.text


def totals(client, day) -> dict:
    r = client.get("/api/metrics/impact", params={"from": DAY.isoformat(), "to": DAY.isoformat()},
                   headers=day.auth("city"))
    assert r.status_code == 200, r.text
    return r.json()["totals"]


def test_answers_once_after_delivery_and_the_share_they_give(client, day, clock, env):
    env(SURVEY_MIN_ANSWERS="2")
    clock.on(DAY, "15:30")
    t4 = token(client, day, "o4")
    early = client.post(f"/t/{t4}/survey", json={"mode": "car"})
    assert (early.status_code, early.json()["code"]) == (409, "survey_not_delivered")
    assert early.json()["message"] == "La question vient après la livraison."
    for stop in ("bakery", "home"):
        deliver(client, day, day.other_stops, stop, "other")  # o4
    for stop in ("bakery", "books", "home_2"):
        deliver(client, day, day.stops, stop, "courier")  # o3 (o1 and o2 stay on board)

    before = totals(client, day)
    assert before["survey_answers"] == 0
    assert before["substitution_share"] == DEFAULT_SHARE
    assert before["substitution_source"].startswith("default: SDES, Enquête mobilité des personnes 2019")
    assert before["car_km_avoided_net"] == pytest.approx(before["car_km_avoided"] * DEFAULT_SHARE, abs=2e-3)
    assert before["courier_co2_kg"] == pytest.approx(before["bike_km"] * BIKE_KG_CO2E_PER_KM, abs=2e-3)
    assert before["co2_avoided_net_kg"] == pytest.approx(
        before["co2_avoided_kg"] * DEFAULT_SHARE - before["courier_co2_kg"], abs=2e-3)

    bad = client.post(f"/t/{t4}/survey", json={"mode": "hélicoptère"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "mode"
    r = client.post(f"/t/{t4}/survey", json={"mode": "car"})
    assert (r.status_code, r.json()) == (201, {"mode": "car"})
    again = client.post(f"/t/{t4}/survey", json={"mode": "foot"})
    assert (again.status_code, again.json()["code"]) == (409, "survey_answered")
    one = totals(client, day)
    assert (one["survey_answers"], one["substitution_share"]) == (1, DEFAULT_SHARE)  # below the threshold

    # The page's form: the question shows after delivery, the answer goes back to the page.
    t3 = token(client, day, "o3")
    page = client.get(f"/t/{t3}").text
    assert "comment seriez-vous venu(e)" in page
    assert page.count('type="radio" name="mode"') == 5
    sent = client.post(f"/t/{t3}/survey", data={"mode": "foot"}, follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (303, f"/t/{t3}")
    assert "Merci pour votre réponse." in client.get(f"/t/{t3}").text

    two = totals(client, day)
    assert (two["survey_answers"], two["substitution_share"]) == (2, 0.5)  # one car, one on foot
    assert two["substitution_source"] == "survey: 2 answers"
    assert two["car_km_avoided_net"] == pytest.approx(two["car_km_avoided"] * 0.5, abs=2e-3)
    day_row = client.get("/api/metrics/impact", params={"from": DAY.isoformat(), "to": DAY.isoformat()},
                         headers=day.auth("city")).json()["days"][0]
    assert day_row["survey_answers"] == 2
    unknown = client.post("/t/" + "z" * 32 + "/survey", json={"mode": "car"})
    assert unknown.status_code == 404
