"""``douai-delivery bench-api`` end to end with tiny numbers, through the console script:
the CSV has its rows and columns, no request failed, every accepted order was stored
once, and the database and server it started are gone. Timings are not asserted."""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.api_load import COLUMNS
from logistics.store.db import database_url

SCRIPT = Path(sys.executable).parent / "douai-delivery"
ENDPOINTS = ["POST /api/orders", "GET /api/couriers/me/round", "POST /api/couriers/me/positions",
             "POST /api/stops/{id}/events"]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], cwd=cwd, capture_output=True, text=True,
        env=dict(os.environ), timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory):
    """One run: 5 couriers, 4 order posters, 2 s phases, against 2 server workers (one
    count only: each count starts its own database and server, about 15 s)."""
    out = tmp_path_factory.mktemp("bench-api")
    result = run(
        "bench-api", "--couriers", "5", "--order-clients", "4", "--duration", "2",
        "--server-workers", "2", "--think-time", "0.2", "--think-jitter", "0.1",
        "--csv", out / "api_load.csv", cwd=out,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with (out / "api_load.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return result, rows


def test_the_csv_has_a_row_per_phase_endpoint_and_worker_count(bench):
    _, rows = bench
    assert rows
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["server_workers"], r["endpoint"]) for r in rows] == [
        ("2", ep) for ep in ENDPOINTS
    ]
    assert [r["phase"] for r in rows[:4]] == ["orders", "couriers", "couriers", "couriers"]
    for r in rows:
        assert int(r["cores"]) >= 1
        assert r["clients"] == ("4" if r["phase"] == "orders" else "5")


def test_no_request_failed_and_every_endpoint_was_used(bench):
    _, rows = bench
    for r in rows:
        assert r["errors"] == "0", r
        assert int(r["requests"]) > 0, r
        assert int(r["accepted"]) == int(r["requests"]), r
        assert float(r["per_s"]) > 0
        assert float(r["p50_ms"]) <= float(r["p95_ms"]) <= float(r["p99_ms"])


def test_every_accepted_order_is_stored_once(bench):
    result, rows = bench
    for r in rows:
        if r["phase"] == "orders":
            assert r["stored"] == r["accepted"]
    assert result.stdout.count("(match)") == 1
    assert "MISMATCH" not in result.stdout


def test_the_database_and_the_server_are_gone(bench):
    result, _ = bench
    names = re.findall(r"database (douai_bench_[0-9a-f]+)", result.stdout)
    ports = [int(p) for p in re.findall(r"server http://127\.0\.0\.1:(\d+) ready", result.stdout)]
    assert len(names) == len(ports) == 1
    base = make_url(database_url(os.environ.get("DATABASE_URL")))
    admin = create_engine(base.set(database="postgres"))
    try:
        with admin.connect() as conn:
            left = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname = ANY(:n)"), {"n": names}
            ).scalars().all()
    finally:
        admin.dispose()
    assert left == []
    for port in ports:
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("127.0.0.1", port))


def test_a_bad_option_is_one_line_and_exit_2(tmp_path: Path):
    result = run("bench-api", "--couriers", "0", "--csv", tmp_path / "x.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "douai-delivery bench-api: error: couriers must be between 1 and 1000"
    ]
    assert not (tmp_path / "x.csv").exists()
