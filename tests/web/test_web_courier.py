"""The courier's page in a real Chromium at phone size, against a real API server, worker
and PostGIS: a round planned and published through the API, ridden by tapping the big
buttons, partly through a dead zone (the taps wait in the phone and reach the server
later with their own times), then opened again with no network at all."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from clock_fixtures import EVENING, MORNING
from geoalchemy2.shape import to_shape
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from stack_helpers import wait_for
from web.conftest import axe_violations, browser_clock, shot, wait_for_js

from logistics.demo_day import generate_day
from logistics.store.models import CourierPosition, StopEvent

DATE = "2032-03-16"
PREFIX = "wc-"
HERE = {"longitude": 3.0801, "latitude": 50.3705}  # where the phone says it is
WORK = ("pickup", "delivery")

#: every visible text against its background: (element, ratio) below 7:1, or too small
CONTRAST = """() => {
  const rgb = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const back = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect(), st = getComputedStyle(el);
    if (!box.width || !box.height || st.visibility === "hidden") continue;
    const a = lum(rgb(st.color)), b = lum(back(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const what = `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 25)}"`;
    if (ratio < 7) bad.push(`${what} ${ratio.toFixed(2)}:1`);
    if (parseFloat(st.fontSize) < 12) bad.push(`${what} ${st.fontSize}`);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def ride(platform, town, worker):
    """A small day posted, planned by the worker and published; the busiest courier's
    id and their round's work stops (pickups and hand-overs) in order."""
    day = generate_day(town.graph("cargo_bike").node_coordinates(), seed=5, n_orders=8, n_shops=2)
    tokens = platform.post_day(day, DATE, PREFIX)
    c = platform.client
    r = c.post("/api/plans", headers=platform.dispatcher,
               json={"date": DATE, "time_limit_s": 2, "couriers": list(tokens["couriers"])})
    assert r.status_code == 202, r.text
    plan = platform.wait_plan(r.json()["id"])
    assert plan["status"] == "solved", plan["error"]
    assert c.post(f"/api/plans/{plan['id']}/publish", headers=platform.dispatcher).status_code == 200
    busiest = max(plan["rounds"], key=lambda rnd: len(rnd["stops"]))
    courier_id = busiest["courier_id"]
    stops = [s for s in my_round(platform, tokens["couriers"][courier_id])["stops"] if s["kind"] in WORK]
    deliveries = [s for s in stops if s["kind"] == "delivery"]
    assert len(stops) >= 6, "the seed should give one round of six stops or more"
    assert len(deliveries) >= 3, "the seed should give one round of three hand-overs or more"
    return {"courier_id": courier_id, "headers": tokens["couriers"][courier_id], "stops": stops}


def my_round(platform, headers) -> dict:
    r = platform.client.get("/api/couriers/me/round", headers=headers, params={"date": DATE})
    assert r.status_code == 200, r.text
    return r.json()


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def full_shot(page, name: str) -> None:
    """A screenshot of the whole page as a screen that tall would show it: the action bar
    sticks to the screen's bottom, so a plain full-page shot draws it mid-list."""
    size = page.viewport_size
    for _ in range(3):  # the map's height follows the screen's: measure again
        tall = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": tall})
    shot(page, name)
    page.set_viewport_size(size)


def next_stop(page) -> int:
    return int(page.get_attribute("#next", "data-stop") or 0)


def button(page, name: str):
    return page.locator("#actions").get_by_role("button", name=name, exact=True)


def tap(page, name: str) -> None:
    """Tap a step button once it takes taps (new buttons ignore them for a moment); a
    hand-over ("Remis") is then confirmed without proof (nothing given)."""
    wait_for_js(page, "![...document.querySelectorAll('#actions button')].some((b) => b.disabled)")
    button(page, name).click()
    if name == "Remis":
        page.locator("#proof-name").fill("")
        button(page, "Valider la remise").click()


def photo_file(tmp_path, width: int = 2400, height: int = 1200) -> str:
    """A camera-sized PNG to take as a photo."""
    path = tmp_path / f"photo-{width}x{height}.png"
    Image.new("RGB", (width, height), (40, 120, 200)).save(path)
    return str(path)


def proof_of(platform, stop: dict) -> bool:
    """Whether the server has the proof of ``stop``'s hand-over."""
    r = platform.client.get(f"/api/orders/{stop['orders'][0]['order_id']}/proof", headers=platform.dispatcher)
    return r.status_code == 200


def stored_proof(platform, order_id: str) -> tuple[dict, Image.Image | None]:
    """The proof of ``order_id`` as the dispatcher reads it, and its photo."""
    c = platform.client
    proof = c.get(f"/api/orders/{order_id}/proof", headers=platform.dispatcher)
    assert proof.status_code == 200, proof.text
    body = proof.json()
    photo = None
    if body["photo_url"]:
        got = c.get(body["photo_url"], headers=platform.dispatcher)
        assert got.headers["content-type"] == "image/jpeg"
        photo = Image.open(io.BytesIO(got.content))
    return body, photo


def settled(page) -> None:
    """Wait until every tap is sent and the server's round is back on screen."""
    wait_for_js(page, """() => !document.body.dataset.sending &&
        document.querySelector('#queue').textContent.startsWith('Tout est envoyé')""", timeout=20000)


def ride_stop(page, stop: dict) -> None:
    """Arrived, then picked up or handed over, with the network up."""
    assert next_stop(page) == stop["stop_id"]
    tap(page, "Arrivé")
    tap(page, "Récupéré" if stop["kind"] == "pickup" else "Remis")
    settled(page)
    assert next_stop(page) != stop["stop_id"]


def no_side_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def readable(page) -> None:
    assert page.evaluate(CONTRAST) == []


def events_of(platform, headers, stop_id: int) -> dict[str, dict]:
    stop = next(s for s in my_round(platform, headers)["stops"] if s["stop_id"] == stop_id)
    return {e["type"]: e for e in stop["events"]}


def order_statuses(platform, headers, stop_id: int) -> set[str]:
    stop = next(s for s in my_round(platform, headers)["stops"] if s["stop_id"] == stop_id)
    return {o["status"] for o in stop["orders"]}


#: the modules a module imports: static and re-exporting imports, and dynamic ``import("…")``
IMPORTS = re.compile(r"""(?:^|\n)\s*(?:import|export)\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']"""
                     r"""|\bimport\(\s*["']([^"']+)["']\s*\)""")


def test_the_service_worker_keeps_every_module_the_page_imports(api_server):
    """The page opens offline only from what courier-sw.js cached: every module reached
    from courier/main.js must be in its list, and every listed file must be served."""
    sw = httpx.get(f"{api_server}/courier-sw.js", timeout=10).text
    listed = set(re.findall(r'"(/[^"]*)"', re.search(r"const FILES = \[(.*?)\];", sw, re.S).group(1)))
    page = httpx.get(f"{api_server}/courier", timeout=10).text
    scripts = re.findall(r'<script([^>]*)\bsrc="([^"]+)"', page)
    assert any('type="module"' in attrs and src == "/static/courier/main.js" for attrs, src in scripts)
    assert not any(src == "/static/courier.js" for _, src in scripts)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    todo, seen = [src for _, src in scripts], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        r = httpx.get(f"{api_server}{path}", timeout=10)
        assert r.status_code == 200, path
        assert "javascript" in r.headers["content-type"], path
        if path.startswith("/static/courier/") or path.startswith("/static/lib/"):
            for found in IMPORTS.findall(r.text):
                todo.append(urlparse(urljoin(f"{api_server}{path}", found[0] or found[1])).path)
    assert {"/static/lib/html.js", "/static/courier/sync.js"} <= seen  # the imports were followed
    assert seen | set(stylesheets) | {"/courier"} <= listed
    for path in listed:
        assert httpx.get(f"{api_server}{path}", timeout=10).status_code == 200, path


def test_sign_in_form_refuses_a_wrong_token_then_shows_the_round(phone, api_server, platform, ride, console_errors):
    errors = console_errors(phone)
    phone.goto(f"{api_server}/courier?date={DATE}")
    # The page's script is native ES modules (courier/), served as JavaScript, no build step.
    expect(phone.locator("script[type='module'][src='/static/courier/main.js']")).to_have_count(1)
    expect(phone.locator("script[src='/static/courier.js']")).to_have_count(0)
    phone.fill("#token-input", "not-a-token")
    phone.get_by_role("button", name="Se connecter").click()
    alert = phone.locator(".signin [role=alert]")
    alert.wait_for()
    assert "Jeton refusé" in alert.inner_text()
    readable(phone)
    shot(phone, "courier-signin-refused")

    token = platform.token("courier", courier_id=ride["courier_id"])
    phone.fill("#token-input", token)
    phone.get_by_role("button", name="Se connecter").click()
    phone.locator("#next .place").wait_for()
    assert next_stop(phone) == my_round(platform, ride["headers"])["next_stop_id"]

    phone.get_by_role("button", name="Se déconnecter").click()
    phone.locator("#token-input").wait_for()
    assert phone.evaluate("localStorage.getItem('douai.token.courier')") is None
    assert errors == []


@pytest.mark.parametrize("hour", [MORNING, EVENING])
def test_the_page_opens_todays_round_at_any_hour(phone, api_server, ride, clock, hour):
    """No date in the address: the phone's today, in the morning and the evening alike."""
    clock.on(DATE, hour)
    browser_clock(phone, clock)
    phone.goto(f"{api_server}/courier#token={bearer(ride['headers'])}")
    phone.locator("#next .place").wait_for()
    assert phone.locator("#day").inner_text().endswith("2032")
    assert "16 mars" in phone.locator("#day").inner_text()
    assert phone.locator("#otherday").is_hidden()
    assert button(phone, "Arrivé").is_visible()


def test_a_round_of_another_day_shows_no_step_buttons(phone, api_server, ride, clock):
    """Opened the evening before (``/courier?date=...``): said in French, nothing to tap,
    so no step can be recorded on the wrong day."""
    day_before = dt.date.fromisoformat(DATE) - dt.timedelta(days=1)
    clock.on(day_before, EVENING)
    browser_clock(phone, clock)
    phone.goto(f"{api_server}/courier?date={DATE}#token={bearer(ride['headers'])}")
    phone.locator("#next .place").wait_for()
    notice = phone.locator("#otherday")
    notice.wait_for()
    assert "pas celle d'aujourd'hui" in notice.inner_text()
    assert phone.locator("#actions").is_hidden()
    readable(phone)


def test_a_round_ridden_through_a_dead_zone(phone, api_server, platform, ride, console_errors, clock, tmp_path):
    page, context, headers, stops = phone, phone.context, ride["headers"], ride["stops"]
    errors = console_errors(page)
    clock.on(DATE, "10:00")  # the round's day, for the server and the phone alike
    browser_clock(page, clock)
    now = clock.now
    slack = dt.timedelta(milliseconds=500)  # the phone's clock was set from the server's
    scripts = set()  # the page's own scripts and modules, as the browser asked for them
    page.on("request", lambda r: scripts.add(urlparse(r.url).path)
            if urlparse(r.url).path.startswith("/static/") and r.url.endswith(".js") else None)
    context.grant_permissions(["geolocation"], origin=api_server)
    context.set_geolocation(HERE)

    # 1. The round: the next stop first, with its address, window, orders and ETA.
    page.goto(f"{api_server}/courier?date={DATE}#token={bearer(headers)}")
    page.locator("#next .place").wait_for()
    assert "token" not in page.url
    first = stops[0]
    card = page.locator("#next").inner_text()
    assert next_stop(page) == first["stop_id"]
    assert axe_violations(page) == []  # WCAG 2.1 A/AA, by axe-core
    assert "Prochain arrêt" in card
    assert f"Arrivée prévue {first['eta']}" in card
    assert first["window"]["from"] in card
    assert all(o["order_id"] in card for o in first["orders"])
    if first["address"]:
        assert first["address"] in card
    # The map: the street line and one numbered marker a stop (the depot once).
    assert page.locator("#map .leaflet-overlay-pane path").count() == 1
    pins = page.locator("#map .pin")
    assert pins.count() == len(stops) + 1
    assert page.locator("#map .pin.next").inner_text() == "1"
    # The step button: big, at the bottom of the screen (the thumb's reach).
    box = button(page, "Arrivé").bounding_box()
    assert box["height"] >= 48
    assert box["y"] > 844 * 0.75
    assert box["y"] + box["height"] <= 844
    readable(page)
    no_side_scroll(page, 390)
    wait_for_js(page, "navigator.serviceWorker.controller !== null", timeout=10000)
    full_shot(page, "courier-round")

    # The phone's position reaches the dispatcher's live map.
    def located():
        r = platform.client.get("/api/couriers/positions", headers=platform.dispatcher)
        return [p for p in r.json()["positions"] if p["courier_id"] == ride["courier_id"]]

    (pos,) = wait_for(located, timeout=15)
    assert (pos["lon"], pos["lat"]) == pytest.approx((HERE["longitude"], HERE["latitude"]))

    # 2. The first stop with the network; the next ones in a dead zone.
    page.set_viewport_size({"width": 360, "height": 740})
    button(page, "Arrivé").dblclick()  # a double tap is one step, not "Arrivé" then "Récupéré"
    settled(page)
    assert next_stop(page) == first["stop_id"]
    assert set(events_of(platform, headers, first["stop_id"])) == {"arrived"}
    tap(page, "Récupéré" if first["kind"] == "pickup" else "Remis")
    settled(page)
    assert order_statuses(platform, headers, first["stop_id"]) == {"picked_up"}

    second, third = stops[1], stops[2]
    context.set_offline(True)
    tapped_from = now() - dt.timedelta(milliseconds=5)
    tap(page, "Arrivé")
    tap(page, "Récupéré" if second["kind"] == "pickup" else "Remis")
    tap(page, "Arrivé")
    tapped_to = now()
    page.get_by_text("3 actions en attente d'envoi").wait_for()
    assert page.locator("#net").inner_text().startswith("Hors ligne — tournée enregistrée à ")
    assert next_stop(page) == third["stop_id"]  # the round moved on without the server
    assert "Arrivé à" in page.locator("#next").inner_text()
    assert button(page, "Échec").is_visible()
    readable(page)
    no_side_scroll(page, 360)
    full_shot(page, "courier-offline")
    # Positions the phone queued in the dead zone (one every 30 s: put there for speed).
    kept = [now() - dt.timedelta(seconds=s) for s in (90, 60)]
    page.evaluate("""(ats) => localStorage.setItem('douai.courier.positions',
        JSON.stringify(ats.map((at, i) => ({lon: 3.081, lat: 50.371 + i / 1000, at}))))""",
                  [t.isoformat() for t in kept])

    time.sleep(1.5)  # so that a send time could not pass for a tap time
    back_online = now()
    context.set_offline(False)
    settled(page)
    assert page.locator("#net").inner_text().startswith("En ligne")
    sent = events_of(platform, headers, second["stop_id"])
    finish = "picked_up" if second["kind"] == "pickup" else "delivered"
    assert set(sent) == {"arrived", finish}
    sent["arrived3"] = events_of(platform, headers, third["stop_id"])["arrived"]
    for e in sent.values():
        assert tapped_from - slack <= dt.datetime.fromisoformat(e["at"]) <= tapped_to + slack
    assert tapped_to + slack < back_online
    assert order_statuses(platform, headers, second["stop_id"]) <= {finish, "cancelled", "failed"}
    assert finish in order_statuses(platform, headers, second["stop_id"])
    with Session(platform.engine) as s:  # the taps carry where the phone was
        for e in s.scalars(select(StopEvent).where(StopEvent.stop_id == second["stop_id"])):
            assert to_shape(e.location).coords[0] == pytest.approx((HERE["longitude"], HERE["latitude"]))

    def batch_stored():
        with Session(platform.engine) as s:
            return len(s.scalars(select(CourierPosition.at).where(
                CourierPosition.courier_id == ride["courier_id"], CourierPosition.at.in_(kept))).all()) == 2

    wait_for(batch_stored, timeout=15)
    assert page.evaluate("localStorage.getItem('douai.courier.positions')") == "[]"

    # The rest: one failure with a reason, one tap the server refuses, the others done.
    tap(page, "Remis" if third["kind"] == "delivery" else "Récupéré")
    settled(page)
    rest = stops[3:]
    failed = next(s for s in rest if s["kind"] == "delivery")
    refused = next(s for s in rest if s["kind"] == "delivery" and s is not failed)
    proven = next(s for s in rest if s["kind"] == "delivery" and s not in (failed, refused))
    planned = {s["stop_id"]: s for s in rest}
    returned = []
    for _ in range(3 * len(rest) + 6):
        if page.locator("#next.finished").count():
            break
        if page.locator("#next.returning").count():
            # A failed parcel on board: no step to tap until the worker's return stop
            # reaches the phone (it looks again by itself).
            assert "Colis à rapporter" in page.locator("#next").inner_text()
            assert page.locator("#actions").is_hidden()
            # (60 s: the worker's re-plan shares two cores with the other test process)
            page.locator("#next.return").wait_for(timeout=60000)
        stop = planned.pop(next_stop(page), None)
        if stop is None:
            # A return stop the worker added: back to the shop, the parcel handed back.
            assert page.locator("#next.return").count() == 1
            card = page.locator("#next").inner_text()
            assert "Retour du colis au" in card
            assert "À rapporter" in card
            returned.append(next_stop(page))
            tap(page, "Arrivé")
            tap(page, "Rapporté")
            settled(page)
            continue
        if stop is failed:
            # "L'adresse est ailleurs", confirmed: the customer is where the phone is.
            page.once("dialog", lambda d: d.accept())
            page.click("#elsewhere")
            expect(page.locator("#elsewhere-msg")).to_have_text("Adresse corrigée : merci.")
            for o in stop["orders"]:
                moved = platform.client.get(f"/api/orders/{o['order_id']}", headers=platform.dispatcher).json()
                assert (moved["customer_lon"], moved["customer_lat"]) == pytest.approx(
                    (HERE["longitude"], HERE["latitude"]))
            tap(page, "Arrivé")
            tap(page, "Échec")
            page.get_by_text("Pourquoi l'échec ?").wait_for()
            assert button(page, "Client absent").bounding_box()["height"] >= 48
            no_side_scroll(page, 360)
            readable(page)
            full_shot(page, "courier-reasons")
            tap(page, "Client absent")
            # A photo first (PROOF_PHOTO_ON_FAILURE): "Valider l'échec" waits for it.
            expect(button(page, "Valider l'échec")).to_be_disabled()
            page.set_input_files("#proof-photo", photo_file(tmp_path))
            expect(page.locator("#proof-photo-state")).to_contain_text("Photo prête")
            button(page, "Valider l'échec").click()
            settled(page)
            assert events_of(platform, headers, stop["stop_id"])["failed"]["reason"] == "Client absent"
            assert order_statuses(platform, headers, stop["stop_id"]) == {"failed"}
            wait_for(lambda s=stop: proof_of(platform, s), timeout=15)
            body, photo = stored_proof(platform, stop["orders"][0]["order_id"])
            assert photo is not None, body
            assert photo.size == (1600, 800)  # shrunk on the phone, its shape kept
            assert body["signature_url"] is None
        elif stop is proven:
            # A hand-over in a dead zone with its proof: the name, a photo, a signature;
            # all queued with the tap's time, sent when the network is back.
            context.set_offline(True)
            tap(page, "Arrivé")
            wait_for_js(page, "![...document.querySelectorAll('#actions button')].some((b) => b.disabled)")
            button(page, "Remis").click()
            page.locator("#proof-name").fill("Mme Lefebvre")
            page.set_input_files("#proof-photo", photo_file(tmp_path, 800, 600))
            expect(page.locator("#proof-photo-state")).to_contain_text("Photo prête")
            page.locator("#proof-signature").scroll_into_view_if_needed()
            pad = page.locator("#proof-signature").bounding_box()
            page.mouse.move(pad["x"] + 20, pad["y"] + 30)
            page.mouse.down()
            for i in range(1, 12):
                page.mouse.move(pad["x"] + 20 + 15 * i, pad["y"] + 30 + (20 if i % 2 else 0))
            page.mouse.up()
            expect(page.locator("#proof-signature")).to_have_attribute("data-signed", "yes")
            assert axe_violations(page) == []
            full_shot(page, "courier-proof")
            signed_at = now()
            button(page, "Valider la remise").click()
            page.get_by_text("3 actions en attente d'envoi").wait_for()
            context.set_offline(False)
            settled(page)
            wait_for(lambda s=stop: proof_of(platform, s), timeout=15)
            body, photo = stored_proof(platform, stop["orders"][0]["order_id"])
            assert body["recipient_name"] == "Mme Lefebvre"
            assert body["signature_url"] is not None
            assert photo.size == (800, 600)  # already small: kept as it is
            assert abs(dt.datetime.fromisoformat(body["at"]) - signed_at) < dt.timedelta(seconds=5)
        elif stop is refused:
            # Offline, the courier hands over; meanwhile the server learns it failed.
            context.set_offline(True)
            tap(page, "Arrivé")
            tap(page, "Remis")
            page.get_by_text("2 actions en attente d'envoi").wait_for()
            for body in ({"type": "arrived"}, {"type": "failed", "reason": "Colis refusé"}):
                r = platform.client.post(f"/api/stops/{stop['stop_id']}/events", headers=headers, json=body)
                assert r.status_code == 201, r.text
            context.set_offline(False)
            settled(page)  # "arrived" is a retry (200, sent); "delivered" is refused (409), dropped
            alert = page.locator("#refusals")
            assert alert.locator("li").count() == 1  # the retried "Arrivé" counted as sent
            assert "n'a pas été acceptée" in alert.inner_text()
            assert "Remis" in alert.inner_text()
            assert page.evaluate("JSON.parse(localStorage.getItem('douai.courier.queue'))") == []
            page.get_by_role("button", name="J'ai compris").click()
            assert alert.is_hidden()
            state = page.locator(f".stop[data-stop='{stop['stop_id']}'] .state").text_content()
            assert state.startswith("Échec à ")
            assert state.endswith(" : Colis refusé")
        else:
            ride_stop(page, stop)

    page.get_by_text("Tournée terminée").wait_for()
    assert page.locator("#actions").is_hidden()
    final = my_round(platform, headers)
    assert all(s["status"] in ("done", "failed", "cancelled") for s in final["stops"] if s["kind"] in WORK)
    # The two parcels that failed at the door came back, and nothing is left on board.
    assert returned, "a return stop for the failed parcels"
    backs = [s for s in final["stops"] if s["kind"] == "return"]
    assert {s["stop_id"] for s in backs} == set(returned)
    assert {s["status"] for s in backs} == {"done"}
    assert sorted(o["order_id"] for s in backs for o in s["orders"]) == sorted(
        o["order_id"] for s in (failed, refused) for o in s["orders"])
    assert final["to_return"] == []
    assert final["stops"][-1]["stop_id"] == final["next_stop_id"]  # only the depot is left
    for s in final["stops"]:
        if s["kind"] == "delivery" and s["status"] == "done":
            assert {o["status"] for o in s["orders"]} == {"delivered"}
    readable(page)
    no_side_scroll(page, 360)
    full_shot(page, "courier-done")

    # 3. Opened again in a dead zone: the service worker has the page, localStorage the round.
    context.set_offline(True)
    page.reload()
    page.get_by_text("Tournée terminée").wait_for()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#net").inner_text().startswith("Hors ligne — tournée enregistrée à ")
    assert page.locator("#rest .stop").count() >= len(stops)
    assert page.evaluate("typeof L") == "object"  # Leaflet came from the cache too
    # Every script the page loaded is in the service worker's cache (the browser's own
    # HTTP cache could otherwise hide a module missing from courier-sw.js's list).
    cached = set(page.evaluate("""async () => {
      const paths = [];
      for (const name of await caches.keys()) {
        for (const r of await (await caches.open(name)).keys()) paths.push(new URL(r.url).pathname);
      }
      return paths;
    }"""))
    assert {"/static/courier/main.js", "/static/lib/html.js"} <= scripts
    assert scripts - cached == set()
    full_shot(page, "courier-reopened-offline")
    context.set_offline(False)
    assert errors == []

