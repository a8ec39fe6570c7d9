"""The OpenAPI document at ``/api/openapi.json``: every operation under ``/api/`` says
what it answers (a JSON schema for its success, the error bodies for its refusals), no
schema is left empty, and the documented shapes are the ones the API sends (a plan's
stop times ``HH:MM:SS``, the end of the day ``24:00:00``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import courier_seed as seed
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics.store.models import Stop

METHODS = {"get", "post", "put", "patch", "delete"}
#: what a schema may hold and still say nothing about the value
_SILENT = {"title", "description", "default", "examples", "example", "deprecated"}



@pytest.fixture(scope="module")
def spec(client) -> dict[str, Any]:
    """The OpenAPI document as the API serves it."""
    r = client.get("/api/openapi.json")
    assert r.status_code == 200, r.text
    return r.json()


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        if path.startswith("/api/"):
            for method, op in item.items():
                if method in METHODS:
                    yield method.upper(), path, op


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _json_schema(response: dict[str, Any]) -> dict[str, Any]:
    return response["content"]["application/json"]["schema"]


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def _empty_schemas(node: Any, where: str) -> Iterator[str]:
    """Where a schema (under ``schema``, ``properties``, ``items``, ``anyOf``...) is
    empty: ``{}``, or nothing but a title or a description."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}/{key}"
            children: list[tuple[str, Any]] = []
            if key in ("schema", "items", "additionalProperties", "not") and isinstance(value, dict):
                children = [(here, value)]
            elif key == "properties" and isinstance(value, dict):
                children = [(f"{here}/{name}", s) for name, s in value.items()]
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
                children = [(f"{here}/{i}", s) for i, s in enumerate(value)]
            for at, child in children:
                if not set(child) - _SILENT:
                    yield at
            yield from _empty_schemas(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _empty_schemas(value, f"{where}/{i}")


#: the files an operation may answer instead of JSON: the open data
FILES = {"text/csv", "application/geo+json"}


def test_every_operation_declares_a_json_or_image_success_response(spec):
    ops = list(_operations(spec))
    assert len(ops) >= 20
    for method, path, op in ops:
        success = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert success, f"{method} {path}: no success response"
        for code, response in success.items():
            kinds = set(response.get("content", {}))
            if kinds and all(k.startswith("image/") or k in FILES for k in kinds):
                continue  # an image itself (a proof of delivery's photo) or a file to publish
                # (the open data), its types declared
            assert "application/json" in kinds, f"{method} {path} {code}"
            schema = _json_schema(response)
            assert "$ref" in schema or "properties" in schema or "items" in schema, (
                f"{method} {path} {code}: {schema}")
            body = _resolve(spec, schema)
            if "items" in body:
                body = _resolve(spec, body["items"])
            assert body.get("properties"), f"{method} {path} {code}: no properties"
        assert op.get("description") or op.get("summary"), f"{method} {path}"


def test_no_schema_is_empty(spec):
    empty = list(_empty_schemas(spec["components"], "#/components"))
    empty += list(_empty_schemas(spec["paths"], "#/paths"))
    assert empty == []


def test_refusals_use_the_error_bodies(spec):
    for method, path, op in _operations(spec):
        refusals = {code: r for code, r in op["responses"].items() if code.startswith("4")}
        for code, response in refusals.items():
            expected = "InvalidBody" if code == "422" else "ErrorBody"
            assert _ref_name(_json_schema(response)) == expected, f"{method} {path} {code}"
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in refusals, f"{method} {path}: its 422 is not documented"
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 body, which we never send
    assert set(schemas["ErrorBody"]["required"]) == {"error", "detail"}
    assert schemas["ErrorBody"]["properties"]["detail"]["type"] == "string"
    invalid = schemas["InvalidBody"]
    assert invalid["properties"]["error"]["const"] == "invalid"
    problem = _resolve(spec, invalid["properties"]["detail"]["items"])
    assert set(problem["required"]) == {"field", "problem"}


def test_every_operation_documents_the_refusals_any_request_may_meet(spec):
    """400 (a body that is not JSON) where it takes a body, 503 (the database does not
    answer) everywhere, 429 (too many failed authentications) where it takes a token:
    a client, or a fuzzer, meets no status the document does not list."""
    for method, path, op in _operations(spec):
        responses = op["responses"]
        if "requestBody" in op:
            assert _ref_name(_json_schema(responses["400"])) == "ErrorBody", f"{method} {path}"
        assert "503" in responses, f"{method} {path}"
        if "401" in responses:
            assert _ref_name(_json_schema(responses["429"])) == "ErrorBody", f"{method} {path}"
            assert "Retry-After" in responses["429"]["headers"], f"{method} {path}"
        elif path != "/api/health":
            assert _ref_name(_json_schema(responses["503"])) == "ErrorBody", f"{method} {path}"
    assert "429" in spec["paths"]["/api/health"]["get"]["responses"]


def test_the_documented_shapes(spec):
    schemas = spec["components"]["schemas"]
    paths = spec["paths"]
    plan = _resolve(spec, _json_schema(paths["/api/plans/{plan_id}"]["get"]["responses"]["200"]))
    rnd = _resolve(spec, plan["properties"]["rounds"]["items"])
    stop = _resolve(spec, rnd["properties"]["stops"]["items"])
    assert set(stop["properties"]) == {
        "stop_id", "seq", "kind", "order_ids", "shop_id", "lon", "lat", "arrival", "departure",
        "load_kg", "load_l", "leg_m", "status", "events", "expected_arrival", "late"}
    for key in ("arrival", "departure"):
        clock = stop["properties"][key]
        assert clock["type"] == "string"
        for text, ok in (("09:30:00", True), ("24:00:00", True), ("25:10:00", True),
                         ("09:30", False), ("9:30:00", False), ("09:61:00", False)):
            assert bool(re.search(clock["pattern"], text)) is ok, (key, text)
    assert rnd["properties"]["start"]["pattern"] == stop["properties"]["arrival"]["pattern"]
    # The times a request sends: HH:MM in ASCII digits, wherever a body takes one.
    for model, keys in (("OrderCreate", ("deliver_from", "deliver_to", "ready_at")),
                        ("ShopCreate", ("opens", "closes")), ("ShopUpdate", ("opens", "closes")),
                        ("CourierCreate", ("shift_start", "shift_end"))):
        for key in keys:
            prop = schemas[model]["properties"][key]
            (clock,) = [p for p in prop.get("anyOf", [prop]) if p.get("type") == "string"]
            for text, ok in (("09:30", True), ("9:30", True), ("24:00", True), ("09:30:15", True),
                             ("１０:００", False), ("9h30", False), ("09:60", False), ("", False)):
                assert bool(re.search(clock["pattern"], text)) is ok, (model, key, text)
    # A plan's parts are the plan document's: the summary and the orders left out.
    assert _ref_name(plan["properties"]["unassigned"]["items"]) == "UnassignedOrder"
    assert {_ref_name(s) for s in plan["properties"]["summary"]["anyOf"]} == {"PlanSummary", None}
    audit = _resolve(spec, _json_schema(paths["/api/plans/{plan_id}/audit"]["get"]["responses"]["200"]))
    assert "PlanDocument" in {_ref_name(s) for s in audit["properties"]["result"]["anyOf"]}
    listed = _json_schema(paths["/api/plans"]["get"]["responses"]["200"])
    assert listed["type"] == "array"
    assert "rounds" not in _resolve(spec, listed["items"])["properties"]

    phone = _resolve(spec, _json_schema(paths["/api/couriers/me/round"]["get"]["responses"]["200"]))
    assert set(phone["properties"]) == {
        "plan_id", "plan_revision", "date", "round_id", "courier_id", "mode", "distance_m",
        "duration_s", "geometry", "next_stop_id", "stops", "withdrawn_at", "to_return", "proof"}
    phone_stop = _resolve(spec, phone["properties"]["stops"]["items"])
    assert set(phone_stop["properties"]) == {
        "stop_id", "seq", "kind", "shop_id", "action", "status", "lon", "lat", "address", "window",
        "eta", "departure", "load_kg", "load_l", "orders", "events"}

    events = paths["/api/stops/{stop_id}/events"]["post"]["responses"]
    assert {_ref_name(_json_schema(events[c])) for c in ("200", "201")} == {"EventRecorded"}
    health = paths["/api/health"]["get"]["responses"]
    assert {_ref_name(_json_schema(health[c])) for c in ("200", "503")} == {"HealthStatus"}
    details = paths["/api/health/details"]["get"]["responses"]
    assert _ref_name(_json_schema(details["200"])) == "HealthPublic"
    assert {_ref_name(s) for s in _json_schema(details["503"])["anyOf"]} == {"HealthPublic", "ErrorBody"}
    impact = paths["/api/metrics/impact"]["get"]["responses"]["200"]["content"]
    assert _ref_name(impact["application/json"]["schema"]) == "ImpactPublic"
    assert impact["text/csv"]["schema"]["type"] == "string"
    assert "from" in schemas["ImpactPublic"]["properties"]
    assert set(schemas["CouriersPublic"]["properties"]) == {"count", "couriers"}
    assert {"count", "orders", "from", "to"} <= set(schemas["OrdersPublic"]["properties"])


def _matches(spec: dict[str, Any], schema: dict[str, Any], body: dict[str, Any]) -> None:
    """The body has every required key of the schema and no key it does not document."""
    schema = _resolve(spec, schema)
    assert set(schema.get("required", ())) <= set(body) <= set(schema["properties"]), (
        schema["title"], set(body) ^ set(schema["properties"]))


def test_a_plan_as_sent_matches_its_schema_and_ends_the_day_at_24_00_00(client, spec, engine):
    day = seed.seed_day(engine, "oas", dt.date(2033, 6, 15))
    with Session(engine) as s:
        end = s.scalars(select(Stop).where(Stop.id == day.stops["end"])).one()
        end.arrival = end.departure = dt.time(23, 59, 59)  # how 24:00 is stored
        s.commit()
    r = client.get(f"/api/plans/{day.plan_id}", headers=day.auth("dispatcher"))
    assert r.status_code == 200, r.text
    plan = r.json()
    responses = spec["paths"]["/api/plans/{plan_id}"]["get"]["responses"]
    plan_schema = _resolve(spec, _json_schema(responses["200"]))
    _matches(spec, plan_schema, plan)
    round_schema = plan_schema["properties"]["rounds"]["items"]
    stop_schema = _resolve(spec, round_schema)["properties"]["stops"]["items"]
    pattern = _resolve(spec, stop_schema)["properties"]["arrival"]["pattern"]
    for rnd in plan["rounds"]:
        _matches(spec, round_schema, rnd)
        for stop in rnd["stops"]:
            _matches(spec, stop_schema, stop)
            assert re.search(pattern, stop["arrival"]), stop
            assert re.search(pattern, stop["departure"]), stop
    (mine,) = [rnd for rnd in plan["rounds"] if rnd["round_id"] == day.round_id]
    assert (mine["stops"][-1]["arrival"], mine["stops"][-1]["departure"]) == ("24:00:00", "24:00:00")
    assert mine["end"] == "24:00:00"
    assert mine["stops"][0]["arrival"] == "11:50:00"
    # Without geometry, the rounds leave the path out rather than saying null.
    r = client.get(f"/api/plans/{day.plan_id}?geometry=false", headers=day.auth("dispatcher"))
    assert all("geometry" not in rnd for rnd in r.json()["rounds"])
    assert mine["geometry"]["type"] == "LineString"
    # A refusal is the documented error body.
    r = client.get("/api/plans/2000000000", headers=day.auth("dispatcher"))
    assert r.status_code == 404
    _matches(spec, _json_schema(responses["404"]), r.json())
