"""Proof of delivery on a real PostGIS: the stop's courier sends the recipient's name,
a photo and a signature (multipart); JPEG or PNG only (415), 5 MB at most (413); the
same proof again is the stored one, another is refused; the order's shop and the
dispatcher read it and its images, another shop and the city never."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import courier_seed as seed
import pytest
from fastapi.testclient import TestClient

from api.app import create_app

_DAYS = itertools.count()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


@pytest.fixture(scope="module")
def client(engine, celery_jobs):
    return TestClient(create_app(engine=engine, jobs=celery_jobs))


@pytest.fixture
def day(engine, clock):
    n = next(_DAYS)
    seeded = seed.seed_day(engine, f"prf{n}", dt.date(2032, 7, 5) + dt.timedelta(days=n))
    clock.on(seeded.day, "14:10")
    return seeded


def proof(client, day, stop: str = "home_1", who: str = "courier", **files):
    data = {k: v for k, v in files.items() if isinstance(v, str)}
    uploads = {k: (f"{k}.bin", v, "application/octet-stream") for k, v in files.items() if isinstance(v, bytes)}
    return client.post(f"/api/stops/{day.stops[stop]}/proof", data=data, files=uploads or None,
                       headers=day.auth(who))


def test_a_proof_kept_once_and_read_by_the_shop_and_the_dispatcher(client, day):
    r = proof(client, day, recipient_name="Mme Martin", photo=JPEG, signature=PNG, at=f"{day.day}T14:05:00")
    assert r.status_code == 201, r.text
    stored = r.json()
    assert stored["photo_sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert stored["at"].startswith(f"{day.day}T14:05")
    again = proof(client, day, recipient_name="Mme Martin", photo=JPEG, signature=PNG, at=f"{day.day}T14:05:00")
    assert again.status_code == 200  # the phone's retry: the stored proof
    other = proof(client, day, recipient_name="M. Martin", photo=JPEG)
    assert other.status_code == 409, other.text
    assert other.json()["code"] == "proof_exists"

    for who in ("shop", "dispatcher"):
        got = client.get(f"/api/orders/{day.orders['o1']}/proof", headers=day.auth(who))
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["recipient_name"] == "Mme Martin"
        assert body["photo_url"] == f"/api/orders/{day.orders['o1']}/proof/photo"
        photo = client.get(body["photo_url"], headers=day.auth(who))
        assert photo.status_code == 200
        assert (photo.content, photo.headers["content-type"]) == (JPEG, "image/jpeg")
        sig = client.get(body["signature_url"], headers=day.auth(who))
        assert (sig.content, sig.headers["content-type"]) == (PNG, "image/png")
    # o2 shares the drop (a basket): the same proof.
    assert client.get(f"/api/orders/{day.orders['o2']}/proof", headers=day.auth("shop")).status_code == 200
    assert client.get(f"/api/orders/{day.orders['o1']}/proof", headers=day.auth("city")).status_code == 403
    assert client.get(f"/api/orders/{day.orders['o1']}/proof/photo", headers=day.auth("city")).status_code == 403
    assert client.get(f"/api/orders/{day.orders['o1']}/proof", headers=day.auth("courier")).status_code == 403


def test_another_shop_sees_no_proof_and_a_missing_one_is_404(client, day, engine):
    assert proof(client, day, "home_2", photo=JPEG).status_code == 201
    # o3 is the bookshop's: the bakery's token finds nothing there
    assert client.get(f"/api/orders/{day.orders['o3']}/proof", headers=day.auth("shop")).status_code == 404
    assert client.get(f"/api/orders/{day.orders['o3']}/proof", headers=day.auth("dispatcher")).status_code == 200
    missing = client.get(f"/api/orders/{day.orders['o4']}/proof", headers=day.auth("dispatcher"))
    assert missing.status_code == 404
    assert client.get(f"/api/orders/{day.orders['o3']}/proof/signature",
                      headers=day.auth("dispatcher")).status_code == 404  # no signature taken


@pytest.mark.parametrize(("files", "status", "code"), [
    ({"photo": b"GIF89a" + b"\x00" * 50}, 415, "proof_not_image"),
    ({"photo": JPEG, "signature": b"<svg/>"}, 415, "proof_not_image"),
    ({"photo": b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)}, 413, "proof_too_large"),
    ({}, 422, "proof_empty"),
    ({"recipient_name": "   "}, 422, "proof_empty"),
])
def test_what_is_not_a_proof_is_refused_and_keeps_nothing(client, day, files, status, code):
    r = proof(client, day, **files)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert client.get(f"/api/orders/{day.orders['o1']}/proof", headers=day.auth("dispatcher")).status_code == 404


def test_only_the_stop_s_courier_and_only_at_a_hand_over(client, day):
    assert proof(client, day, who="other", photo=JPEG).status_code == 404
    assert proof(client, day, who="dispatcher", photo=JPEG).status_code == 403
    r = proof(client, day, "bakery", photo=JPEG)
    assert (r.status_code, r.json()["code"]) == (422, "proof_not_delivery")
    r = proof(client, day, photo=JPEG, at=f"{day.day - dt.timedelta(days=2)}T10:00:00")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "at"
    too_big = client.post(f"/api/stops/{day.stops['home_1']}/proof", headers={
        **day.auth("courier"), "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": str(12 * 1024 * 1024)}, content=b"--x--")
    assert too_big.status_code == 413
