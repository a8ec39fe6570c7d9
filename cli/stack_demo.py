"""The main job against a running stack: a generated day goes in through the HTTP API,
the worker plans it, and a courier's round comes back.

It plays every role through HTTP only (the dispatcher adds shops and couriers, each
shop posts its orders, the dispatcher asks for the plan, waits for the worker and
publishes it, a courier reads their round), except for making the users' tokens,
which is an administrator's job on the store (as ``douai-delivery users create``).
It uses only the standard library's HTTP client, so that it runs where the API's
test client is not installed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from logistics.demo_day import generate_day
from logistics.inputs import DayInputs, write_day_inputs
from logistics.outputs.files import write_plan_outputs
from logistics.plan_document import PlanDocument
from logistics.store.db import make_engine, session_scope
from logistics.store.users import create_user
from logistics.timeofday import format_clock
from routing.network import StreetNetwork


class StackError(RuntimeError):
    """The stack answered something the demo cannot go on from; one line."""


class Api:
    """A tiny JSON client of the API with one bearer token per call."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")
        except (urllib.error.URLError, OSError) as e:
            raise StackError(f"cannot reach the API at {self.base}: {e}") from None

    def ok(self, method: str, path: str, token: str | None = None, body: Any = None,
           headers: dict[str, str] | None = None) -> Any:
        status, out = self.call(method, path, token, body, headers)
        if status >= 400:
            raise StackError(f"{method} {path} answered {status}: {out}")
        return out


def _hm(seconds: int) -> str:
    return format_clock(min(seconds, 24 * 3600))


def _post_day(api: Api, day: DayInputs, date: str, dispatcher: str, url: str | None) -> dict[str, str]:
    """Shops and couriers by the dispatcher, orders by each shop; the couriers' tokens."""
    engine = make_engine(url)
    shop_tokens: dict[str, str] = {}
    courier_tokens: dict[str, str] = {}
    for s in day.shops:
        api.ok("POST", "/api/shops", dispatcher, {
            "shop_id": s.shop_id, "name": s.name, "lon": s.lon, "lat": s.lat,
            "opens": _hm(s.opens), "closes": _hm(s.closes)})
        with session_scope(engine) as session:
            shop_tokens[s.shop_id] = create_user(session, "shop", shop_id=s.shop_id)[1]
    for c in day.couriers:
        api.ok("POST", "/api/couriers", dispatcher, {
            "courier_id": c.courier_id, "mode": c.mode, "capacity_kg": c.capacity_kg,
            "capacity_l": c.capacity_l, "shift_start": _hm(c.shift_start), "shift_end": _hm(c.shift_end),
            "start_lon": c.start_lon, "start_lat": c.start_lat, "end_lon": c.end_lon, "end_lat": c.end_lat})
        with session_scope(engine) as session:
            courier_tokens[c.courier_id] = create_user(session, "courier", courier_id=c.courier_id)[1]
    engine.dispose()
    for o in day.orders:
        token = shop_tokens[o.shop_id] if o.shop_id else dispatcher
        api.ok("POST", "/api/orders", token, {
            "order_id": o.order_id, "shop_id": o.shop_id, "basket_id": o.basket_id,
            "customer_lon": o.customer_lon, "customer_lat": o.customer_lat,
            "weight_kg": o.weight_kg, "volume_l": o.volume_l,
            "ready_at": _hm(o.ready_at) if o.ready_at else None,
            "deliver_from": _hm(o.deliver_from), "deliver_to": _hm(o.deliver_to), "date": date,
        }, headers={"Idempotency-Key": f"demo-{date}-{o.order_id}"})
    return courier_tokens


def run_stack_demo(
    api_url: str, net: StreetNetwork, out: Path, *, n_orders: int, n_shops: int, seed: int,
    time_limit_s: float, date: dt.date, database_url: str | None = None,
) -> dict[str, Any]:
    """Post a generated day, have it planned and published, read a courier's round back;
    write the plan's files under ``out``. Returns the facts it printed."""
    api = Api(api_url)
    with session_scope(make_engine(database_url)) as session:
        dispatcher = create_user(session, "dispatcher")[1]
    # Which service is up is for a dispatcher: /api/health tells anyone only up or down.
    health = api.call("GET", "/api/health/details", dispatcher)[1]
    print(f"stack: {api_url} - database {_ok(health, 'database')}, redis {_ok(health, 'redis')}, "
          f"worker {_ok(health, 'worker')}")
    day = generate_day(net.graph("cargo_bike").node_coordinates(), seed=seed, n_orders=n_orders, n_shops=n_shops)
    write_day_inputs(day, out / "inputs")
    t0 = time.monotonic()
    couriers = _post_day(api, day, date.isoformat(), dispatcher, database_url)
    posted = time.monotonic() - t0
    print(f"posted through the API: {len(day.shops)} shops, {len(day.couriers)} couriers, "
          f"{len(day.orders)} orders in {posted:.1f} s")
    plan = api.ok("POST", "/api/plans", dispatcher, {"date": date.isoformat(), "time_limit_s": time_limit_s})
    print(f"plan {plan['id']} of {date}: {plan['status']}")
    seen = plan["status"]
    deadline = time.monotonic() + time_limit_s * 4 + 120
    while True:
        got = api.ok("GET", f"/api/plans/{plan['id']}", dispatcher)
        if got["status"] != seen:
            seen = got["status"]
            print(f"plan {plan['id']}: {seen}")
        if seen in ("solved", "failed"):
            break
        if time.monotonic() > deadline:
            raise StackError(f"plan {plan['id']} still {seen}: is a worker running?")
        time.sleep(0.5)
    if seen == "failed":
        raise StackError(f"plan {plan['id']} failed: {got['error']}")
    api.ok("POST", f"/api/plans/{plan['id']}/publish", dispatcher)
    s = got["summary"]
    print(f"solved and published: {s['planned']} of {s['orders']} orders on {s['couriers_used']} rounds; "
          f"cargo bike {s['bike_km']:.1f} km, on foot {s['foot_km']:.1f} km; car trips avoided "
          f"{s['car_trips_avoided']} ({s['car_km_avoided']:.1f} km, {s['co2_avoided_kg']:.1f} kg CO2e)")
    audit = api.ok("GET", f"/api/plans/{plan['id']}/audit", dispatcher)
    document = PlanDocument.model_validate(audit["result"])
    files = write_plan_outputs(document, out, title=f"Rounds of {date} — via the API")
    first = got["rounds"][0]["courier_id"] if got["rounds"] else None
    facts: dict[str, Any] = {"plan_id": plan["id"], "summary": s, "files": files}
    if first is not None:
        status, mine = api.call("GET", f"/api/couriers/me/round?date={date.isoformat()}", couriers[first])
        if status != 200:
            raise StackError(f"courier {first} could not read their round: {status} {mine}")
        (out / "courier_round.json").write_text(json.dumps(mine, indent=2, ensure_ascii=False))
        stops = mine["stops"]
        print(f"courier {first} reads their round: {len(stops)} stops, {mine['distance_m'] / 1000:.1f} km")
        for st in stops[:6]:
            what = ", ".join(o["order_id"] for o in st.get("orders", [])) or "-"
            print(f"  {st['seq']:>2}. {st['kind']:<8} eta {st['eta']}  {what}")
        if len(stops) > 6:
            print(f"  ... {len(stops) - 6} more; full round in {out / 'courier_round.json'}")
        facts["courier_round"] = mine
    for name, path in files.items():
        print(f"{name}: {path}")
    return facts


def _ok(health: Any, part: str) -> str:
    try:
        return "ok" if health[part]["ok"] else f"DOWN ({health[part].get('detail')})"
    except (KeyError, TypeError):
        return "unknown"
