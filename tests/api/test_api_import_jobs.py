"""Big CSV imports: a file over ``IMPORT_INLINE_ROWS`` rows is a job a real worker
process runs (202, then polled), all or none, its file deleted once finished; over
``IMPORT_MAX_ROWS`` it is refused (413). An import in its request never holds up the
event loop (the health check answers over real HTTP while an import waits), and request
bodies are bounded (``MAX_BODY_BYTES``) but for the import's own, larger bound."""

from __future__ import annotations

import datetime as dt
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import courier_seed as seed
import httpx
import pytest
from factories import shop_row
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from stack_helpers import free_port, serving, wait_for

from logistics.jobs.celery_app import IMPORT_ORDERS
from logistics.jobs.import_jobs import recover_imports, run_import
from logistics.store.import_jobs import queue_import
from logistics.store.models import ImportJob, Order, PlanChange, Shop
from logistics.store.users import create_user

DAY = "2031-09-16"
HEADER = ("order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,"
          "deliver_from,deliver_to\n")
#: a customer inside the tests' town
HOME = (3.0800, 50.3700)


def csv_of(prefix: str, n: int, *, bad: dict[int, str] | None = None) -> str:
    """A shop's ``orders.csv`` of ``n`` rows ``prefix-0`` ...; ``bad`` replaces the
    weight of some rows (by index)."""
    lines = [f"{prefix}-{i},,,{HOME[0]},{HOME[1]},{(bad or {}).get(i, '1.5')},2,,14:00,16:00\n"
             for i in range(n)]
    return HEADER + "".join(lines)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def tokens(engine) -> dict[str, dict[str, str]]:
    """Two shops of this module (``ij-a``, ``ij-b``), their tokens and a dispatcher's."""
    with Session(engine) as s:
        for shop_id in ("ij-a", "ij-b"):
            s.add(shop_row(shop_id, (3.0790, 50.3712)))
        s.flush()
        made = {"a": create_user(s, "shop", shop_id="ij-a")[1],
                "b": create_user(s, "shop", shop_id="ij-b")[1],
                "dispatcher": create_user(s, "dispatcher")[1]}
        s.commit()
    return {k: _auth(v) for k, v in made.items()}


@pytest.fixture
def small(env) -> None:
    """Small bounds: 5 rows in the request, 50 at most."""
    env(IMPORT_INLINE_ROWS="5", IMPORT_MAX_ROWS="50")


def _post(client, headers, csv: str, date: str | None = DAY):
    params = {"date": date} if date else {}
    return client.post("/api/orders/import", content=csv, params=params,
                       headers={**headers, "Content-Type": "text/csv"})


def _finished(client, url: str, headers) -> dict:
    def done():
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        return r.json() if r.json()["status"] in ("done", "failed") else None

    return wait_for(done, timeout=60)


def _job(engine, job_id: int) -> ImportJob:
    with Session(engine) as s:
        job = s.get(ImportJob, job_id)
        assert job is not None
        s.expunge(job)
        return job


def test_up_to_the_inline_rows_the_import_answers_in_its_request(client, tokens, small, engine):
    r = _post(client, tokens["a"], csv_of("ij-in", 5))
    assert r.status_code == 201, r.text
    assert r.json()["imported"] == 5
    assert r.json()["shop_refs"] == [f"ij-in-{i}" for i in range(5)]
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportJob)
                        .where(ImportJob.shop_id == "ij-a", ImportJob.rows == 5)) == 0


def test_a_file_over_the_inline_rows_is_a_job_the_worker_imports(client, tokens, small, worker, engine):
    r = _post(client, tokens["a"], csv_of("ij-big", 6))
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["status"] == "queued"
    assert r.headers["Location"] == queued["status_url"] == f"/api/orders/imports/{queued['job_id']}"
    job = _finished(client, queued["status_url"], tokens["a"])
    assert job["status"] == "done", job
    assert (job["imported"], job["rows"], job["date"], job["error"]) == (6, 6, DAY, None)
    assert job["shop_refs"] == [f"ij-big-{i}" for i in range(6)]
    assert job["order_ids"] == [f"ij-a:ij-big-{i}" for i in range(6)]
    assert job["started_at"]
    assert job["finished_at"]
    with Session(engine) as s:
        stored = s.scalars(select(Order).where(Order.id.in_(job["order_ids"]))).all()
        assert {(o.shop_id, o.delivery_date.isoformat(), o.created_by is not None) for o in stored} == {
            ("ij-a", DAY, True)}
        assert len(stored) == 6
    # The file, which holds the customers' points, is gone; the outcome stays.
    row = _job(engine, queued["job_id"])
    assert (row.csv, row.status, row.result["imported"]) == (None, "done", 6)


def test_a_bad_row_fails_the_job_naming_row_and_field_and_stores_nothing(client, tokens, small, worker, engine):
    r = _post(client, tokens["a"], csv_of("ij-bad", 8, bad={5: "heavy"}))
    assert r.status_code == 202, r.text
    job = _finished(client, r.json()["status_url"], tokens["a"])
    assert job["status"] == "failed", job
    assert (job["error"]["row"], job["error"]["field"], job["error"]["error"]) == (7, "weight_kg", "invalid")
    assert job["error"]["problem"].startswith("orders.csv row 7, field weight_kg:")
    assert "Traceback" not in job["error"]["problem"]
    # the shop's page shows the French sentence of its code
    assert (job["error"]["code"], job["error"]["message"]) == ("not_a_number", "« heavy » n'est pas un nombre.")
    assert job["imported"] is None
    assert job["order_ids"] is None
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.shop_ref.like("ij-bad-%"))) == 0
    assert _job(engine, r.json()["job_id"]).csv is None


def test_a_clash_with_a_stored_order_fails_the_job_with_its_row(client, tokens, small, worker, engine):
    assert _post(client, tokens["b"], csv_of("ij-dup", 1)).status_code == 201
    csv = csv_of("ij-new", 6) + f"ij-dup-0,,,{HOME[0]},{HOME[1]},1,2,,14:00,16:00\n"
    r = _post(client, tokens["b"], csv)
    assert r.status_code == 202, r.text
    job = _finished(client, r.json()["status_url"], tokens["b"])
    assert job["status"] == "failed", job
    assert (job["error"]["error"], job["error"]["field"], job["error"]["row"]) == ("conflict", "order_id", 8)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.shop_ref.like("ij-new-%"))) == 0


def test_over_the_max_rows_is_413_naming_the_body(client, tokens, small, engine):
    with Session(engine) as s:
        before = s.scalar(select(func.count()).select_from(ImportJob))
    r = _post(client, tokens["a"], csv_of("ij-max", 51))
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "too_large"
    assert r.json()["detail"].startswith("body: at most 50 data rows")
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportJob)) == before


def test_only_the_shop_that_posted_and_the_dispatcher_read_a_job(client, tokens, small, worker, clock):
    r = _post(client, tokens["a"], csv_of("ij-own", 6), date=None)
    assert r.status_code == 202, r.text
    url = r.json()["status_url"]
    assert client.get(url, headers=tokens["b"]).status_code == 404
    assert client.get(url, headers=tokens["b"]).json()["error"] == "not_found"
    assert client.get(url, headers=tokens["dispatcher"]).status_code == 200
    mine = client.get(url, headers=tokens["a"])
    assert mine.status_code == 200
    assert mine.json()["date"] == clock.now().date().isoformat()  # the day it was posted
    assert client.get("/api/orders/imports/999999999", headers=tokens["dispatcher"]).status_code == 404
    assert _finished(client, url, tokens["a"])["status"] == "done"


def test_a_job_for_a_day_in_force_notes_its_late_orders(client, small, worker, engine):
    day = seed.seed_day(engine, "ij-late", dt.date(2031, 9, 17))
    r = _post(client, day.auth("shop"), csv_of("ij-late-x", 6), date=day.day.isoformat())
    assert r.status_code == 202, r.text
    assert _finished(client, r.json()["status_url"], day.auth("shop"))["status"] == "done"
    with Session(engine) as s:
        kinds = s.scalars(select(PlanChange.kind).where(PlanChange.plan_id == day.plan_id)).all()
    assert "late_orders" in kinds


def test_a_job_runs_once_and_lost_ones_are_sent_again(engine, tokens, worker, celery_jobs):
    """A job whose row another transaction holds is left to it; a job queued for
    longer than the recovery waits is sent again; a finished job stays as it is."""
    with Session(engine) as s:
        user_id = create_user(s, "dispatcher")[0].id
        job = queue_import(s, csv_of("ij-lost", 2).encode(), 2, delivery_date=dt.date(2031, 9, 18),
                           shop_id=None, user_id=user_id)
        job_id = job.id
        s.commit()
    with Session(engine) as holder:  # a live worker on it: its row is locked
        holder.scalars(select(ImportJob).where(ImportJob.id == job_id).with_for_update()).one()
        assert run_import(engine, job_id, lambda _: None) == "busy"
        assert job_id not in recover_imports(engine, lambda _: None, requeue_after_s=0)
    sent: list[int] = []
    assert recover_imports(engine, sent.append, requeue_after_s=3600) == []
    with Session(engine) as s:  # its message was lost three minutes ago
        s.execute(text("UPDATE import_jobs SET created_at = now() - interval '3 minutes' WHERE id = :id"),
                  {"id": job_id})
        s.commit()
    assert job_id in recover_imports(engine, sent.append)
    assert job_id in sent
    celery_jobs.send_task(IMPORT_ORDERS, args=[job_id])
    wait_for(lambda: _job(engine, job_id).status in ("done", "failed"), timeout=60)
    done = _job(engine, job_id)
    assert (done.status, done.result["imported"], done.csv) == ("done", 2, None)
    # A second delivery of the same task changes nothing.
    assert run_import(engine, job_id, lambda _: None) == "done"
    assert _job(engine, job_id).finished_at == done.finished_at
    assert job_id not in recover_imports(engine, lambda _: None, requeue_after_s=0)
    assert run_import(engine, 999_999_999, lambda _: None) == "missing"


def test_a_job_whose_worker_died_three_times_is_failed_and_its_file_dropped(engine):
    """A file that kills the worker would otherwise be sent again every minute, for
    ever: at its fourth taking, after three workers died on it, it is failed."""
    with Session(engine) as s:
        user_id = create_user(s, "dispatcher")[0].id
        job = queue_import(s, csv_of("ij-doom", 2).encode(), 2, delivery_date=dt.date(2031, 9, 19),
                           shop_id=None, user_id=user_id)
        job_id = job.id
        s.commit()
    for attempt in (1, 2, 3):  # a worker takes it, then dies before it finishes
        with Session(engine) as s:
            s.execute(text("UPDATE import_jobs SET status = 'running', attempts = :n WHERE id = :id"),
                      {"n": attempt, "id": job_id})
            s.commit()
    assert run_import(engine, job_id, lambda _: None) == "failed"
    failed = _job(engine, job_id)
    assert (failed.status, failed.csv, failed.attempts) == ("failed", None, 3)
    assert "stopped 3 times" in failed.result["problem"]
    with Session(engine) as s:
        assert s.scalar(text("SELECT count(*) FROM orders WHERE shop_ref LIKE 'ij-doom%'")) == 0


# --- over real HTTP ---------------------------------------------------------------------

SERVED_BODY_BYTES = 20_000


@pytest.fixture(scope="module")
def served(worker_env, engine, tmp_path_factory) -> tuple[str, dict[str, str]]:
    """``douai-delivery serve`` with 2,000 rows imported in the request and bodies of
    20 kB at most; yields its URL and a token of shop ``ij-slow``."""
    with Session(engine) as s:
        s.add(shop_row("ij-slow", (3.0790, 50.3712)))
        s.flush()
        token = create_user(s, "shop", shop_id="ij-slow")[1]
        s.commit()
    port = free_port()
    env = {**worker_env, "IMPORT_INLINE_ROWS": "2000", "IMPORT_MAX_ROWS": "4000",
           "MAX_BODY_BYTES": str(SERVED_BODY_BYTES)}
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    log = tmp_path_factory.mktemp("import-serve") / "serve.log"
    with serving(cmd, log=log, port=port, env=env) as base:
        yield base, _auth(token)


def test_the_api_answers_while_an_import_runs_in_its_request(served, engine):
    """An import waiting on the database (a lock this test holds) leaves the event
    loop free: the health check answers before the import does."""
    base, shop = served
    csv = csv_of("ij-slow", 600)
    assert len(csv) > SERVED_BODY_BYTES  # the import's own bound, not the JSON one
    finished: list[str] = []
    with Session(engine) as holder, ThreadPoolExecutor(1) as pool:
        # Every order of the import needs the shop's row (its foreign key): held here.
        holder.scalars(select(Shop).where(Shop.id == "ij-slow").with_for_update()).one()

        def post() -> httpx.Response:
            r = httpx.post(f"{base}/api/orders/import", content=csv, params={"date": DAY},
                           headers={**shop, "Content-Type": "text/csv"}, timeout=120)
            finished.append("import")
            return r

        pending = pool.submit(post)

        def waiting_on_the_lock() -> bool:
            assert not pending.done(), pending.result().text
            with engine.connect() as conn:
                return bool(conn.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO orders%'")))

        wait_for(waiting_on_the_lock, timeout=60, every=0.05)
        try:
            health = httpx.get(f"{base}/api/health", timeout=30)
        except httpx.ReadTimeout:
            pytest.fail("the health check waited for the import: the event loop is blocked")
        finished.append("health")
        assert health.status_code in (200, 503)
        assert not pending.done()
        holder.rollback()  # the import goes on
        r = pending.result(timeout=120)
    assert r.status_code == 201, r.text
    assert r.json()["imported"] == 600
    assert finished == ["health", "import"]


def test_a_json_body_over_the_bound_is_413_by_length_and_chunked(served):
    base, shop = served
    order = {"order_id": "ij-json", "customer_lon": HOME[0], "customer_lat": HOME[1], "weight_kg": 1,
             "volume_l": 2, "deliver_from": "14:00", "deliver_to": "16:00", "date": DAY}
    big = {**order, "padding": "x" * SERVED_BODY_BYTES}
    for headers in (shop, {}):  # refused before the token is even looked at
        r = httpx.post(f"{base}/api/orders", json=big, headers=headers, timeout=30)
        assert r.status_code == 413, r.text
        assert r.json() == {"error": "too_large", "detail": f"body: at most {SERVED_BODY_BYTES} bytes"}
    data = json.dumps(big).encode()

    def chunks():
        for i in range(0, len(data), 1000):
            yield data[i:i + 1000]

    r = httpx.post(f"{base}/api/orders", content=chunks(), timeout=30,
                   headers={**shop, "Content-Type": "application/json"})
    assert r.request.headers["Transfer-Encoding"] == "chunked"
    assert r.status_code == 413, r.text
    assert r.json() == {"error": "too_large", "detail": f"body: at most {SERVED_BODY_BYTES} bytes"}
    # Under the bound, the same order goes in.
    assert httpx.post(f"{base}/api/orders", json=order, headers=shop, timeout=30).status_code == 201
    # The CSV import takes more, chunked too.
    csv = csv_of("ij-chunk", 500).encode()
    assert len(csv) > SERVED_BODY_BYTES
    r = httpx.post(f"{base}/api/orders/import", params={"date": DAY}, timeout=120,
                   content=(csv[i:i + 4096] for i in range(0, len(csv), 4096)),
                   headers={**shop, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.text
    assert r.json()["imported"] == 500
