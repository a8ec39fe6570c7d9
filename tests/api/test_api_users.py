"""Credentials over the API: tokens expire, are revoked and rotated by the dispatcher (or
the command line), never shown twice; pages trade a token for a short session."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from cli.main import main
from logistics.store.users import create_user


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def me(engine) -> tuple[dict[str, str], int]:
    """A dispatcher of this test's own: its headers and user id."""
    with Session(engine) as s:
        user, token = create_user(s, "dispatcher", label="régulation")
        s.commit()
        return bearer(token), user.id


@pytest.fixture
def dispatcher(me) -> dict[str, str]:
    return me[0]


def test_the_dispatcher_creates_lists_revokes_and_rotates_users(client, dispatcher):
    r = client.post("/api/users", headers=dispatcher, json={"role": "city", "label": "Mairie, service mobilité"})
    assert r.status_code == 201, r.text
    made = r.json()
    user_id, token = made["user"]["user_id"], made["token"]
    assert made["user"]["active"] is True
    assert client.get("/api/metrics/impact", headers=bearer(token)).status_code == 200
    listed = client.get("/api/users", headers=dispatcher).json()
    assert token not in str(listed)  # a token is shown once, never again
    assert any(u["user_id"] == user_id and u["label"] == "Mairie, service mobilité" for u in listed["users"])

    rotated = client.post(f"/api/users/{user_id}/rotate", headers=dispatcher, json={"expires_in_days": 30})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert client.get("/api/metrics/impact", headers=bearer(token)).status_code == 401
    assert client.get("/api/metrics/impact", headers=bearer(new)).status_code == 200
    new_id = rotated.json()["user"]["user_id"]
    assert client.post(f"/api/users/{user_id}/rotate", headers=dispatcher).status_code == 409  # revoked

    revoked = client.post(f"/api/users/{new_id}/revoke", headers=dispatcher)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert client.get("/api/metrics/impact", headers=bearer(new)).status_code == 401
    assert client.post(f"/api/users/{new_id}/revoke", headers=dispatcher).status_code == 200  # again: no change
    assert all(u["user_id"] != new_id for u in client.get("/api/users", headers=dispatcher).json()["users"])
    assert any(u["user_id"] == new_id for u in
               client.get("/api/users", params={"revoked": "true"}, headers=dispatcher).json()["users"])


def test_users_are_the_dispatchers_business_and_bad_requests_are_named(client, dispatcher, me, engine):
    with Session(engine) as s:
        _, city = create_user(s, "city")
        s.commit()
    assert client.get("/api/users", headers=bearer(city)).status_code == 403
    assert client.post("/api/users", headers=bearer(city), json={"role": "city"}).status_code == 403
    r = client.post("/api/users", headers=dispatcher, json={"role": "shop", "shop_id": "nowhere"})
    assert (r.status_code, r.json()["detail"][0]["field"]) == (422, "shop_id")
    r = client.post("/api/users", headers=dispatcher, json={"role": "city", "expires_in_days": 0})
    assert r.status_code == 422
    assert client.post("/api/users/2147483647/revoke", headers=dispatcher).status_code == 404
    assert client.post(f"/api/users/{me[1]}/revoke", headers=dispatcher).status_code == 409


def test_revoking_ones_own_token_is_a_documented_conflict(client, dispatcher, me):
    # Found by schemathesis: the 409 was answered but not in the operation's document.
    r = client.post(f"/api/users/{me[1]}/revoke", headers=dispatcher)
    assert (r.status_code, r.json()["error"]) == (409, "conflict")
    documented = client.get("/api/openapi.json").json()["paths"]["/api/users/{user_id}/revoke"]
    schema = documented["post"]["responses"]["409"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}


def test_a_token_expires(client, dispatcher, clock):
    r = client.post("/api/users", headers=dispatcher, json={"role": "city", "expires_in_days": 2})
    token = r.json()["token"]
    assert client.get("/api/metrics/impact", headers=bearer(token)).status_code == 200
    clock.set(clock.now() + dt.timedelta(days=2, minutes=1))
    assert client.get("/api/metrics/impact", headers=bearer(token)).status_code == 401


def test_a_page_session_is_short_and_ends_with_signing_out_or_revocation(client, dispatcher, clock):
    made = client.post("/api/users", headers=dispatcher, json={"role": "city"}).json()
    token, user_id = made["token"], made["user"]["user_id"]
    r = client.post("/api/sessions", headers=bearer(token))
    assert r.status_code == 201, r.text
    session = r.json()["token"]
    assert session != token
    assert r.json()["role"] == "city"
    assert client.get("/api/metrics/impact", headers=bearer(session)).status_code == 200
    # a session cannot make itself longer
    assert client.post("/api/sessions", headers=bearer(session)).status_code == 409
    # twelve hours, then refused (the user token still works)
    clock.set(clock.now() + dt.timedelta(hours=12, minutes=1))
    assert client.get("/api/metrics/impact", headers=bearer(session)).status_code == 401
    assert client.get("/api/metrics/impact", headers=bearer(token)).status_code == 200
    # signing out ends it at once
    again = client.post("/api/sessions", headers=bearer(token)).json()["token"]
    assert client.delete("/api/sessions/current", headers=bearer(again)).json() == {"ended": True}
    assert client.get("/api/metrics/impact", headers=bearer(again)).status_code == 401
    # revoking the user ends its sessions
    third = client.post("/api/sessions", headers=bearer(token)).json()["token"]
    client.post(f"/api/users/{user_id}/revoke", headers=dispatcher)
    assert client.get("/api/metrics/impact", headers=bearer(third)).status_code == 401


def test_the_command_line_lists_revokes_and_rotates(db_url, capsys, engine):
    with Session(engine) as s:
        user, _ = create_user(s, "city", label="cli-test")
        s.commit()
        user_id = user.id
    assert main(["users", "list", "--database-url", db_url]) == 0
    assert any(line.startswith(f"{user_id}\tcity\t-\tcli-test\texpires ") and line.endswith("active")
               for line in capsys.readouterr().out.splitlines())
    assert main(["users", "rotate", str(user_id), "--database-url", db_url]) == 0
    new_token = capsys.readouterr().out.strip()
    assert len(new_token) > 30
    assert main(["users", "revoke", str(user_id), "--database-url", db_url]) == 0
    assert capsys.readouterr().out.strip().endswith("revoked")
    assert main(["users", "revoke", "2147483647", "--database-url", db_url]) == 2
    assert "user_id: no user 2147483647" in capsys.readouterr().err
    assert main(["users", "create", "--role", "city", "--expires-in-days", "0", "--database-url", db_url]) == 2
