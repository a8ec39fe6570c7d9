"""Changes to a published day of real size (300 orders, 12 couriers), through the API and
a real worker process: moves go through, a refused move names its own order's reason,
no change ever lowers the number of planned orders, an absent courier's work goes to
the others, a parcel that failed at the door gets its return stop; and a published plan
not under way is withdrawn and planned again."""

from __future__ import annotations

import pytest
from clock_fixtures import EVENING
from stack_helpers import wait_for

from logistics.demo_day import generate_day

DATE = "2031-05-13"
EVE = "2031-05-12"
P = "fd-"


@pytest.fixture(scope="module")
def day(town):
    return generate_day(town.graph("cargo_bike").node_coordinates(), seed=8, n_orders=300,
                        n_shops=30, n_bikes=8, n_walkers=4)


@pytest.fixture(scope="module")
def tokens(platform, day, worker):
    return platform.post_day(day, DATE, P)


@pytest.fixture(scope="module")
def published(platform, tokens, clock):
    clock.on(EVE, EVENING)
    c = platform.client
    plan_id = c.post("/api/plans", headers=platform.dispatcher, json={
        "date": DATE, "time_limit_s": 10, "couriers": list(tokens["couriers"])}).json()["id"]
    plan = platform.wait_plan(plan_id, timeout=180)
    assert plan["status"] == "solved", plan["error"]
    assert plan["summary"]["planned"] >= 250, plan["summary"]
    assert c.post(f"/api/plans/{plan_id}/publish", headers=platform.dispatcher).status_code == 200
    return plan


def _plan(platform, plan_id: int) -> dict:
    r = platform.client.get(f"/api/plans/{plan_id}", headers=platform.dispatcher)
    assert r.status_code == 200, r.text
    return r.json()


def _where(plan: dict) -> dict[str, str]:
    return {o: r["courier_id"] for r in plan["rounds"] for s in r["stops"] if s["kind"] == "delivery"
            for o in s["order_ids"]}


def _move(platform, plan_id: int, order_id: str, courier_id: str) -> dict:
    return _change(platform, plan_id, "moves", {"order_id": order_id, "courier_id": courier_id})


def _change(platform, plan_id: int, what: str, body: dict) -> dict:
    r = platform.client.post(f"/api/plans/{plan_id}/{what}", headers=platform.dispatcher, json=body)
    assert r.status_code == 202, r.text
    change_id = r.json()["change_id"]

    def outcome():
        plan = _plan(platform, plan_id)
        change = next(ch for ch in plan["changes"] if ch["change_id"] == change_id)
        return (change, plan) if change["status"] != "queued" else None

    change, plan = wait_for(outcome, 60)
    return {"change": change, "plan": plan}


def test_moves_between_couriers_of_a_full_day_go_through(platform, published, day, clock):
    clock.on(EVE, EVENING)
    plan_id = published["id"]
    modes = {P + c.courier_id: c.mode for c in day.couriers}
    plan = published
    planned = plan["summary"]["planned"]
    applied = 0
    for k in range(5):
        where = _where(plan)
        load = {c: sum(1 for v in where.values() if v == c) for c in modes}
        bikes = sorted((c for c in modes if modes[c] == "cargo_bike" and load[c]), key=lambda c: -load[c])
        source = bikes[k % 2]
        target = min((c for c in modes if modes[c] == "cargo_bike" and c != source), key=lambda c: load[c])
        order = sorted(o for o, c in where.items() if c == source)[k]
        result = _move(platform, plan_id, order, target)
        change, plan = result["change"], result["plan"]
        assert change["reason"] in ("moved", "order_not_placed"), change
        assert plan["summary"]["planned"] >= planned, change
        planned = plan["summary"]["planned"]
        if change["status"] == "applied":
            applied += 1
            assert _where(plan)[order] == target
            assert change["detail"].startswith(f"Commande {order} confiée à {target}")
        else:
            assert _where(plan)[order] == source
            assert change["facts"]["order_reason"], change
    assert applied >= 4, "moves onto the lightest bike of a full day go through"


def test_a_move_the_order_cannot_take_names_its_own_reason(platform, published, day, clock):
    clock.on(EVE, EVENING)
    plan_id = published["id"]
    plan = _plan(platform, plan_id)
    walkers = {P + c.courier_id: c.capacity_kg for c in day.couriers if c.mode == "foot"}
    weights = {P + o.order_id: o.weight_kg for o in day.orders}
    where = _where(plan)
    walker, cap = next(iter(walkers.items()))
    heavy = next(o for o, c in sorted(where.items())
                 if c not in walkers and any(o.endswith(":" + k) for k in weights if weights[k] > cap))
    before = plan["summary"]["planned"]
    result = _move(platform, plan_id, heavy, walker)
    change, after = result["change"], result["plan"]
    assert (change["status"], change["reason"]) == ("refused", "order_not_placed")
    assert change["facts"]["order_reason"] == "too_heavy"
    assert change["detail"].startswith(f"{walker} ne peut pas prendre la commande {heavy} : trop lourde")
    assert after["summary"]["planned"] == before
    assert _where(after) == where


def _rounds(plan: dict) -> dict[str, dict]:
    return {r["courier_id"]: r for r in plan["rounds"]}


def test_an_absent_courier_s_work_goes_to_the_others(platform, published, tokens, clock):
    clock.on(EVE, EVENING)
    plan_id = published["id"]
    plan = _plan(platform, plan_id)
    where = _where(plan)
    busiest = max(_rounds(plan), key=lambda c: sum(1 for v in where.values() if v == c))
    theirs = sorted(o for o, c in where.items() if c == busiest)
    result = _change(platform, plan_id, "absences", {"courier_id": busiest})
    change, after = result["change"], result["plan"]
    assert (change["status"], change["reason"]) == ("applied", "absence"), change
    facts = change["facts"]
    assert sorted([*facts["reassigned"], *facts["left_out"]]) == theirs
    assert len(facts["reassigned"]) >= len(theirs) // 2, facts["left_out"]
    for o, why in facts["left_out"].items():
        assert why["reason"], o
    now_on = _where(after)
    assert busiest not in set(now_on.values())
    assert all(now_on[o] == c for o, c in facts["reassigned"].items())
    assert all(now_on.get(o) == c for o, c in where.items() if c != busiest), "the others keep theirs"
    assert set(where) - set(now_on) == set(facts["left_out"])
    gone = _rounds(after)[busiest]
    assert gone["withdrawn_at"]
    assert [s["kind"] for s in gone["stops"]] == ["start"]
    assert change["detail"].startswith(f"{busiest} absent(e) à partir de 00:00 : ")
    phone = platform.client.get("/api/couriers/me/round", params={"date": DATE},
                                headers=tokens["couriers"][busiest])
    assert phone.status_code == 200, phone.text
    assert phone.json()["withdrawn_at"]
    assert phone.json()["next_stop_id"] is None
    # Twice is refused before the worker: they are off the plan already.
    again = platform.client.post(f"/api/plans/{plan_id}/absences", headers=platform.dispatcher,
                                 json={"courier_id": busiest})
    assert again.status_code == 409, again.text
    assert again.json()["detail"].startswith("courier_id: ")
    assert again.json()["code"] == "courier_off_plan"
    assert again.json()["message"] == f"{busiest} est retiré(e) de la journée (absence)."


def test_a_courier_absent_from_the_afternoon_keeps_the_morning(platform, published, clock):
    clock.on(EVE, EVENING)
    plan_id = published["id"]
    plan = _plan(platform, plan_id)
    rounds = {c: r for c, r in _rounds(plan).items() if not r["withdrawn_at"]}
    late = [c for c, r in rounds.items() if r["end"] > "14:00:00" and r["start"] < "12:00:00"]
    assert late, "a round runs past 14:00"
    courier = late[0]
    result = _change(platform, plan_id, "absences", {"courier_id": courier, "from": "14:00"})
    change, after = result["change"], result["plan"]
    assert (change["status"], change["reason"]) == ("applied", "absence"), change
    assert change["facts"]["from"] == 14 * 3600
    mine = _rounds(after).get(courier)
    if mine is not None:
        assert not mine["withdrawn_at"], "off only from 14:00"
        assert all(s["departure"] <= "14:00:00" for s in mine["stops"]), [
            (s["kind"], s["arrival"], s["departure"], s["order_ids"]) for s in mine["stops"]]
    # The others lose nothing (and may take orders left out before).
    assert set(_where(plan)) - set(_where(after)) <= set(change["facts"]["left_out"])


def test_bad_absences_are_refused_with_the_field(platform, published):
    c = platform.client
    plan_id = published["id"]
    bad = c.post(f"/api/plans/{plan_id}/absences", headers=platform.dispatcher,
                 json={"courier_id": P + "nobody"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["detail"][0]["field"] == "courier_id"
    bad = c.post(f"/api/plans/{plan_id}/absences", headers=platform.dispatcher,
                 json={"courier_id": next(iter(_rounds(published))), "from": "25:99"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["detail"][0]["field"] == "from"


def test_a_parcel_failed_at_the_door_goes_back_on_a_return_stop(platform, published, tokens, clock):
    """On the day, a courier rides their round until a hand-over of a parcel they carry
    fails: the worker adds a stop that brings it back to its shop, nothing else is lost."""
    c = platform.client
    plan_id = published["id"]
    before = _plan(platform, plan_id)
    rider = next(cid for cid, r in _rounds(before).items() if not r["withdrawn_at"]
                 and any(s["kind"] == "pickup" for s in r["stops"]))
    me = tokens["couriers"][rider]
    # Ten minutes before the first round starts: no round is late (the clock runs on
    # while the worker works), so none can lose an order.
    first = min(int(r["start"][:2]) * 60 + int(r["start"][3:5]) for r in _rounds(before).values()) - 10
    clock.on(DATE, f"{first // 60:02d}:{first % 60:02d}")
    phone = c.get("/api/couriers/me/round", params={"date": DATE}, headers=me).json()
    on_board: set[str] = set()
    failed = None
    for stop in phone["stops"]:
        if stop["kind"] in ("start", "end"):
            continue
        ours = on_board & {o["order_id"] for o in stop["orders"]}
        if stop["kind"] == "pickup":
            steps = [{"type": "arrived"}, {"type": "picked_up"}]
            on_board |= {o["order_id"] for o in stop["orders"]}
        elif ours:
            steps = [{"type": "arrived"}, {"type": "failed", "reason": "Client absent"}]
        else:
            steps = [{"type": "arrived"}, {"type": "delivered"}]
        for body in steps:
            r = c.post(f"/api/stops/{stop['stop_id']}/events", json=body, headers=me)
            assert r.status_code == 201, r.text
        if ours:
            failed = (stop, sorted(ours))
            break
    assert failed is not None, "the rider hands over a parcel they picked up"
    stop, parcels = failed

    def returned():
        now = c.get("/api/couriers/me/round", params={"date": DATE}, headers=me).json()
        backs = [s for s in now["stops"] if s["kind"] == "return"]
        return (now, backs) if backs else None

    now, backs = wait_for(returned, 60)
    assert sorted(o["order_id"] for s in backs for o in s["orders"]) == parcels
    seqs = {s["stop_id"]: s["seq"] for s in now["stops"]}
    assert all(seqs[b["stop_id"]] > seqs[stop["stop_id"]] for b in backs)
    assert all(b["status"] == "pending" and b["action"] == "bring_back" for b in backs)
    assert sorted(o["order_id"] for o in now["to_return"]) == parcels
    shops = {o["order_id"]: o["shop_id"] for o in stop["orders"]}
    for b in backs:  # to the shop, or to the hub where the round ends
        assert b["shop_id"] in ({shops[o["order_id"]] for o in b["orders"]} | {None})
    after = _plan(platform, plan_id)
    change = after["changes"][-1]
    assert (change["kind"], change["status"]) == ("late_orders", "applied"), change
    assert sorted(change["facts"]["returns"]) == parcels
    assert "colis en échec à rapporter" in change["detail"]
    lost = set(_where(before)) - set(_where(after))
    assert not lost, (lost, change["facts"]["left_out"])


SMALL = "2031-05-20"


def test_a_published_plan_not_under_way_is_withdrawn_and_planned_again(platform, town, worker, clock):
    clock.on("2031-05-19", EVENING)
    small = generate_day(town.graph("cargo_bike").node_coordinates(), seed=3, n_orders=20, n_shops=4)
    tokens = platform.post_day(small, SMALL, "wdr-")
    c = platform.client
    body = {"date": SMALL, "time_limit_s": 2, "couriers": list(tokens["couriers"])}
    first = platform.wait_plan(c.post("/api/plans", headers=platform.dispatcher, json=body).json()["id"])
    assert c.post(f"/api/plans/{first['id']}/publish", headers=platform.dispatcher).status_code == 200
    refused = c.post("/api/plans", headers=platform.dispatcher, json=body)
    assert refused.status_code == 409, refused.text
    out = c.post(f"/api/plans/{first['id']}/withdraw", headers=platform.dispatcher)
    assert out.status_code == 200, out.text
    assert out.json()["published"] is False
    assert out.json()["withdrawn_at"]
    assert c.post(f"/api/plans/{first['id']}/withdraw", headers=platform.dispatcher).status_code == 200
    courier = next(iter(tokens["couriers"].values()))
    assert c.get("/api/couriers/me/round", params={"date": SMALL}, headers=courier).status_code == 404
    second = platform.wait_plan(c.post("/api/plans", headers=platform.dispatcher, json=body).json()["id"])
    assert second["status"] == "solved"
    assert second["id"] != first["id"]
    assert c.post(f"/api/plans/{second['id']}/publish", headers=platform.dispatcher).status_code == 200
    # Once a courier reported a stop, the plan stays: it is changed, not withdrawn.
    mine = c.get("/api/couriers/me/round", params={"date": SMALL},
                 headers=tokens["couriers"][second["rounds"][0]["courier_id"]]).json()
    clock.on(SMALL, "09:00")
    stop = next(s for s in mine["stops"] if s["kind"] != "start")
    tapped = c.post(f"/api/stops/{stop['stop_id']}/events", json={"type": "arrived"},
                    headers=tokens["couriers"][second["rounds"][0]["courier_id"]])
    assert tapped.status_code == 201, tapped.text
    busy = c.post(f"/api/plans/{second['id']}/withdraw", headers=platform.dispatcher)
    assert busy.status_code == 409, busy.text
    assert busy.json()["detail"].startswith("plan: ")
    assert busy.json()["message"].startswith(f"Le plan {second['id']} est en cours (des livreurs")
