"""The dispatcher's page in headless Chromium against the real stack (``douai-delivery
serve``, a real worker, PostGIS): the day's orders, planning with its progress, the
rounds and the unassigned orders as the API gives them, a move, publishing, and the
couriers followed live without reloading the page."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from web.conftest import axe_violations, shot, wait_for_js

from logistics import ids
from logistics.demo_day import generate_day

DATE = "2032-09-17"
PREFIX = "wd-"
N_ORDERS = 25


@pytest.fixture(scope="module")
def day(town):
    return generate_day(town.graph("cargo_bike").node_coordinates(), seed=11, n_orders=N_ORDERS,
                        n_shops=4, n_bikes=2, n_walkers=1)


@pytest.fixture(scope="module")
def tokens(platform, day, worker):
    return platform.post_day(day, DATE, PREFIX)


def _newest_plan(platform) -> dict:
    plans = platform.client.get("/api/plans", params={"date": DATE}, headers=platform.dispatcher).json()
    assert plans, "no plan of the day"
    return platform.client.get(f"/api/plans/{plans[0]['id']}", headers=platform.dispatcher).json()


def _fr(x: float) -> str:
    """A number as the page writes it (fr-FR, at most one decimal)."""
    return f"{x:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _courier_cell(page, order_id: str):
    return page.locator(f"#orders tbody tr[data-order='{order_id}'] td").nth(7)


def test_the_dispatcher_plans_moves_publishes_and_follows_the_day(
        api_server, platform, day, tokens, desktop, console_errors, clock):
    page = desktop
    clock.on(DATE, "09:00")  # the morning of the day: the rounds are still to ride
    errors = console_errors(page)
    mine = sorted(tokens["couriers"])
    page.goto(f"{api_server}/dispatch?date={DATE}#token={platform.token('dispatcher')}")

    # The day's orders: in the table and on the map, sortable.
    expect(page.locator("#orders tbody tr")).to_have_count(N_ORDERS)
    expect(page.locator("#map .leaflet-overlay-pane path.leaflet-interactive")).to_have_count(N_ORDERS)
    assert "#token" not in page.url
    assert page.locator("#day").input_value() == DATE
    # The page's script is native ES modules, served as JavaScript, with no build step.
    expect(page.locator("script[type='module'][src='/static/dispatch/main.js']")).to_have_count(1)
    expect(page.locator("script[src='/static/dispatch.js']")).to_have_count(0)
    module = httpx.get(f"{api_server}/static/dispatch/main.js", timeout=10)
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]
    page.click("#orders th[data-sort='weight_kg'] button")
    weights = [float(t.removesuffix(" kg").replace("\u202f", "").replace(",", "."))
               for t in page.locator("#orders tbody tr td:nth-child(6)").all_inner_texts()]
    assert weights == sorted(weights)
    expect(page.locator("#orders th[data-sort='weight_kg']")).to_have_attribute("aria-sort", "ascending")
    # Shops by name, customers by address; the search keeps the rows that hold every word.
    shop = next(sh for sh in day.shops if any(o.shop_id == sh.shop_id for o in day.orders))
    theirs = [o for o in day.orders if o.shop_id == shop.shop_id]
    first = page.locator(f"#orders tbody tr[data-order='{ids.order_id(PREFIX + shop.shop_id, PREFIX + theirs[0].order_id)}'] td")
    expect(first.nth(2)).to_have_text(shop.name)
    expect(first.nth(3)).to_have_text(f"{theirs[0].order_id} rue de la Grille, Douai")
    page.fill("#orders-search", shop.name.upper())
    expect(page.locator("#orders tbody tr")).to_have_count(len(theirs))
    expect(page.locator("#orders-count")).to_have_text(f"({len(theirs)} sur {N_ORDERS})")
    page.fill("#orders-search", "aucune-commande-ainsi")
    expect(page.locator("#orders tbody tr")).to_have_count(1)
    expect(page.locator("#orders tbody")).to_contain_text("Aucune commande ne correspond")
    page.fill("#orders-search", "")
    expect(page.locator("#orders tbody tr")).to_have_count(N_ORDERS)
    # No e-mail or SMS set up on this platform: nothing was sent to customers.
    expect(page.locator("#messages-summary")).to_have_text("Aucun message ce jour.")

    # Plan with only this module's couriers and a 2 s limit; follow the progress.
    page.click("#no-couriers")
    for c in mine:
        page.check(f"#courier-boxes input[value='{c}']")
    expect(page.locator("#couriers-count")).to_contain_text(f"{len(mine)} sur")
    page.fill("#time-limit", "2")
    page.click("#plan-button")
    expect(page.locator("#progress")).to_contain_text(re.compile(r"file d'attente|Calcul en cours|calculé"))
    expect(page.locator("#progress")).to_contain_text(re.compile(r"Calcul en cours : \d s sur 2 s"), timeout=30_000)
    shot(page, "dispatch-progress")
    wait_for_js(page, "document.querySelector('#progress').dataset.status === 'solved'", timeout=60_000)
    seen = page.locator("#progress").get_attribute("data-seen").split()
    assert seen == ["queued", "running", "solved"], seen

    plan = _newest_plan(platform)
    assert plan["status"] == "solved", plan["error"]
    assert plan["settings"]["couriers"] == mine
    assert plan["settings"]["time_limit_s"] == 2
    rounds = {r["courier_id"]: r for r in plan["rounds"]}
    assert rounds
    assert set(rounds) <= set(mine)
    rows = page.locator("#rounds tbody tr")
    expect(rows).to_have_count(len(rounds))
    for i in range(len(rounds)):
        row = rows.nth(i)
        r = rounds[row.get_attribute("data-courier")]
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == r["courier_id"]
        assert cells[3] == f"{_fr(r['distance_m'] / 1000)} km"
        assert cells[4] == f"{r['start'][:5]}–{r['end'][:5]}"
        assert cells[5] == str(r["orders"])
        assert cells[6] == f"{_fr(r['max_load_kg'])} kg / {_fr(r['max_load_l'])} L"
    expect(page.locator("#map .leaflet-marker-pane .stop-pin")).to_have_count(
        sum(1 for r in plan["rounds"] for s in r["stops"] if s["kind"] in ("pickup", "delivery")))
    unassigned = page.locator("#unassigned tbody tr")
    expect(unassigned).to_have_count(len(plan["unassigned"]))
    for u in plan["unassigned"]:
        row = page.locator(f"#unassigned tbody tr[data-order='{u['order_id']}']")
        expect(row).to_contain_text(u["reason"])
        expect(row).to_contain_text(u["detail"])
        expect(_courier_cell(page, u["order_id"])).to_have_text("non affectée")
    expect(page.locator("#plan-badge")).to_contain_text("Non publié")
    shot(page, "dispatch-plan")
    # A round's stops, from its row.
    first = plan["rounds"][0]
    page.click(f"#rounds tbody tr[data-courier='{first['courier_id']}']")
    expect(page.locator("#round-detail tbody tr")).to_have_count(len(first["stops"]))
    expect(page.locator("#round-detail tbody tr").nth(1)).to_contain_text(first["stops"][1]["arrival"][:5])

    # Move an order to another of this module's couriers: the lightest one that the
    # target's shift and capacity could take (the worker may still refuse it, with why).
    orders = {ids.order_id(o.shop_id and PREFIX + o.shop_id, PREFIX + o.order_id): o for o in day.orders}
    fleet = {PREFIX + k.courier_id: k for k in day.couriers}

    def fits(order_id: str, courier_id: str) -> bool:
        o, k = orders[order_id], fleet[courier_id]
        return (k.shift_start <= o.deliver_from and o.deliver_to <= k.shift_end
                and o.weight_kg <= k.capacity_kg and o.volume_l <= k.capacity_l)

    candidates = sorted(
        ((not fits(o, k), orders[o].weight_kg, o, k)
         for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery"
         for o in s["order_ids"] for k in mine if k != r["courier_id"]),
    )
    _, _, order_id, target = candidates[0]
    page.click(f"#orders tbody tr[data-order='{order_id}'] .pick-order")
    expect(page.locator("#move-order")).to_have_value(order_id)
    page.select_option("#move-courier", target)
    page.click("#move-button")
    change = page.locator("#changes li[data-status]").first
    expect(change).to_have_attribute("data-status", re.compile("applied|refused"), timeout=60_000)
    after = _newest_plan(platform)
    (api_change,) = [c for c in after["changes"] if c["order_id"] == order_id]
    assert change.get_attribute("data-status") == api_change["status"]
    expect(change).to_contain_text(api_change["detail"])
    if api_change["status"] == "applied":
        assert after["revision"] == plan["revision"] + 1
        expect(page.locator("#move-msg")).to_contain_text("appliqué")
        expect(_courier_cell(page, order_id)).to_have_text(re.compile(re.escape(target)))
        moved = next(r for r in after["rounds"] if r["courier_id"] == target)
        expect(page.locator(f"#rounds tbody tr[data-courier='{target}'] td").nth(5)).to_have_text(
            str(moved["orders"]))
    else:
        expect(page.locator("#move-msg")).to_contain_text("refusé")
    plan = after

    # Publish: the plan is in force for the couriers.
    expect(page.locator("#publish-button")).to_be_enabled()
    page.click("#publish-button")
    expect(page.locator("#plan-badge")).to_contain_text("Publié")
    expect(page.locator("#publish-button")).to_be_disabled()
    # axe-core finds no WCAG 2.1 A/AA violation, a round selected (the others' pins faded);
    # the map's pins and lines are not in the Tab order (the tables give keyboard access).
    assert axe_violations(page) == []
    focusable = "#map a[href], #map button, #map input, #map [tabindex]:not([tabindex='-1'])"
    assert page.locator(focusable).count() <= 4, page.locator(focusable).count()
    # Touch targets: every courier's check box label and the form's buttons are 44 px high.
    targets = ("#courier-boxes label.box, #publish-button, #move-button, #unselect, button.pick-order:not(.link), "
               "#absence-form button")
    for target in page.locator(targets).all():
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44, (target.inner_text(), box)
    assert _newest_plan(platform)["published"] is True
    courier_id = plan["rounds"][0]["courier_id"]
    courier = tokens["couriers"][courier_id]
    c = platform.client
    theirs = c.get("/api/couriers/me/round", params={"date": DATE}, headers=courier)
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["plan_id"] == plan["id"]
    expect(page.locator("#live-state")).to_contain_text("mis à jour")

    # Live: a position and two stop events appear without a reload, nothing redrawn.
    clock.on(DATE, "10:50")
    page.evaluate("document.querySelector('#map .leaflet-overlay-pane path').dataset.kept = '1'")
    pickup = next(s for s in theirs.json()["stops"] if s["kind"] == "pickup")
    r = c.post("/api/couriers/me/positions", headers=courier,
               json={"lon": pickup["lon"], "lat": pickup["lat"], "at": f"{DATE}T10:42:00"})
    assert r.status_code == 201, r.text
    for kind, at in (("arrived", "10:43"), ("picked_up", "10:45")):
        r = c.post(f"/api/stops/{pickup['stop_id']}/events", headers=courier,
                   json={"type": kind, "at": f"{DATE}T{at}:00"})
        assert r.status_code == 201, r.text
    expect(page.locator("#map .courier-pin")).to_contain_text(f"{courier_id} 10:42", timeout=12_000)
    feed = page.locator("#feed li")
    expect(feed.first).to_contain_text(f"10:45 {courier_id} — récupéré", timeout=12_000)
    expect(feed.nth(1)).to_contain_text(f"10:43 {courier_id} — arrivé")
    expect(page.locator(".stop-pin.st-done")).to_have_count(1)
    row = page.locator(f"#rounds tbody tr[data-courier='{courier_id}']")
    if row.get_attribute("aria-selected") != "true":
        row.click()
    expect(page.locator(f"#round-detail tr[data-stop='{pickup['stop_id']}']")).to_contain_text("fait")
    assert page.evaluate("document.querySelector('#map [data-kept]') !== null")
    shot(page, "dispatch-live")

    # Opened again, the page shows the day's newest plan, in force, with its events.
    page.reload()
    expect(page.locator("#plan-badge")).to_contain_text(f"Plan n° {plan['id']} — Publié")
    expect(page.locator("#feed li").first).to_contain_text(f"10:45 {courier_id} — récupéré")
    expect(page.locator("#map .courier-pin")).to_contain_text(f"{courier_id} 10:42")
    assert errors == []



def test_the_dispatcher_drags_a_customer_to_the_right_door(
        api_server, platform, day, tokens, desktop, console_errors):
    """An order's pin dragged on the map, then saved: the order is there, and the same
    address typed again for a later order lands there too. Cancelling changes nothing."""
    page = desktop
    errors = console_errors(page)
    c = platform.client
    listed = c.get("/api/orders", params={"date": DATE}, headers=platform.dispatcher).json()["orders"]
    open_orders = [o for o in listed if o["status"] in ("received", "planned") and o["shop_id"]]
    moved, kept = open_orders[0], open_orders[1]
    page.goto(f"{api_server}/dispatch?date={DATE}#token={platform.token('dispatcher')}")
    expect(page.locator("#orders tbody tr")).to_have_count(N_ORDERS)
    expect(page.locator("#place-panel")).to_be_hidden()

    # Cancelled: nothing is saved.
    page.click(f"#orders tbody tr[data-order='{kept['order_id']}'] .place-order")
    expect(page.locator("#place-panel")).to_be_visible()
    expect(page.locator("#place-order")).to_contain_text(kept["order_id"])
    expect(page.locator("#place-save")).to_be_disabled()
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 40)  # a click on the map puts the pin there
    expect(page.locator("#place-save")).to_be_enabled()
    page.click("#place-cancel")
    expect(page.locator("#place-panel")).to_be_hidden()
    expect(page.locator("#map .place-pin")).to_have_count(0)

    # Dragged 90 px east and saved.
    page.click(f"#orders tbody tr[data-order='{moved['order_id']}'] .place-order")
    pin = page.locator("#map .place-pin")
    expect(pin).to_have_count(1)
    expect(page.locator("#place-msg")).to_contain_text("Faites glisser")
    assert axe_violations(page) == []
    at = pin.bounding_box()
    x, y = at["x"] + at["width"] / 2, at["y"] + at["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(x + 10 * step, y)
    page.mouse.up()
    expect(page.locator("#place-msg")).to_contain_text(re.compile(r"à \d+ m de l'ancien"))
    shot(page, "dispatch-place")
    page.click("#place-save")
    expect(page.locator("#place-done")).to_contain_text(f"Emplacement de {moved['order_id']} enregistré")
    expect(page.locator("#place-panel")).to_be_hidden()
    after = c.get(f"/api/orders/{moved['order_id']}", headers=platform.dispatcher).json()
    assert after["customer_lon"] > moved["customer_lon"] + 1e-4, (moved, after)
    assert abs(after["customer_lat"] - moved["customer_lat"]) < 1e-4
    untouched = c.get(f"/api/orders/{kept['order_id']}", headers=platform.dispatcher).json()
    assert (untouched["customer_lon"], untouched["customer_lat"]) == (kept["customer_lon"], kept["customer_lat"])

    # The address now points there for a later order given without a point.
    r = c.post("/api/orders", headers=tokens["shops"][moved["shop_id"]], json={
        "order_id": PREFIX + "again", "customer_address": moved["customer_address"], "weight_kg": 1,
        "volume_l": 1, "deliver_from": "15:00", "deliver_to": "17:00", "date": "2032-09-20"})
    assert r.status_code == 201, r.text
    assert (r.json()["customer_lon"], r.json()["customer_lat"]) == pytest.approx(
        (after["customer_lon"], after["customer_lat"]), abs=1e-7)
    assert errors == []


def test_a_refused_token_asks_to_sign_in(api_server, platform, tokens, desktop, console_errors):
    page = desktop
    errors = console_errors(page)
    page.goto(f"{api_server}/dispatch?date={DATE}#token=not-a-token")
    expect(page.locator(".signin .error")).to_contain_text("Jeton refusé")
    courier = platform.token("courier", courier_id=sorted(tokens["couriers"])[0])
    page.fill("#token-input", courier)
    page.click(".signin button[type=submit]")
    expect(page.locator(".signin .error")).to_contain_text("pas celui d'un régulateur")
    page.fill("#token-input", platform.token("dispatcher"))
    page.click(".signin button[type=submit]")
    expect(page.locator("#orders tbody tr")).to_have_count(N_ORDERS)
    assert errors == []


def test_names_from_the_api_are_shown_as_text_not_markup(
        api_server, platform, day, desktop, console_errors):
    """Markup never reaches the page: ids take no markup characters (the API refuses
    them, naming the field), and every other value the page writes (addresses, reasons,
    names) goes through its templates, which escape by default."""
    page = desktop
    errors = console_errors(page)
    date = "2032-09-18"
    c = platform.client
    s, o = day.shops[0], day.orders[0]
    r = c.post("/api/shops", headers=platform.dispatcher, json={
        "shop_id": f"{PREFIX}<b>gras</b>", "name": "Chez <b>Gras</b>", "lon": s.lon, "lat": s.lat,
        "opens": "07:00", "closes": "20:00"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "shop_id"
    r = c.post("/api/orders", headers=platform.dispatcher, json={
        "order_id": f"{PREFIX}<i>O1</i>&amp;", "shop_id": PREFIX + s.shop_id,
        "customer_lon": o.customer_lon, "customer_lat": o.customer_lat, "weight_kg": 2,
        "volume_l": 5, "deliver_from": "10:00", "deliver_to": "12:00", "date": date})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "order_id"

    page.goto(f"{api_server}/dispatch?date={date}#token={platform.token('dispatcher')}")
    expect(page.locator("#orders tbody tr")).to_have_count(1)  # "Aucune commande ce jour."
    # The page's own templates, on a value that holds markup.
    written = page.evaluate("""async () => {
        const { html, render } = await import("/static/lib/html.js");
        const el = document.createElement("div");
        document.body.append(el);
        render(el, html`<td>${"Chez <b>Gras</b> & <i>fils</i>"}</td>`);
        return [el.textContent, el.querySelectorAll("b, i").length];
    }""")
    assert written == ["Chez <b>Gras</b> & <i>fils</i>", 0]
    assert errors == []
