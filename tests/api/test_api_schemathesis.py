"""Schemathesis against the running stack, once per role (shop, courier, dispatcher):
every operation of ``/api/openapi.json`` is called with its boundary values and fuzzed
inputs (and with the ids the API itself answered), and no answer may be a 5xx, a status
the operation does not document, or a content type or body its schema does not
describe.

The stack is the module's own: a database (the fuzzer writes into every table: shops,
couriers, users, plans), ``douai-delivery serve`` and a ``douai-delivery worker`` on a
queue of their own (``/api/health`` says ``degraded``, a 503, without a worker). The
budget is bounded (a fixed seed, a few cases per operation, a time cap per run); a
larger run by hand (``st run ... --max-time 120 -w 2``) starts the same stack with
:func:`seed` and :func:`stack_env`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from clock_fixtures import DEFAULT
from courier_seed import seed_day
from databases import new_database
from sqlalchemy import text
from sqlalchemy.orm import Session
from stack_fixtures import Worker
from stack_helpers import free_port, serving

from logistics.jobs.celery_app import make_celery
from logistics.store.db import make_engine
from logistics.store.users import create_user

REPO = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).parent / "st"
#: every check of what the API answers; the others judge from outside what the API
#: should accept (``positive_data_acceptance``...) or need several users
#: (``ignored_auth``...), which the role tests do with chosen cases
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
#: a dispatcher may rotate its own token (the answer holds the new one): every request
#: of the run after that would be a 401. So this operation runs on its own, first (the
#: users to spare are still active), with a dispatcher whose id the run never sees (it
#: learns ids from the answers: ``GET /api/users`` would show it)
ROTATE = "/api/users/{user_id}/rotate"
#: the seeded users' ids start here, away from the small and boundary ids the fuzzer
#: tries; the users made before (ids 1 to 3) are there for it to revoke and rotate
SEEDED_USER_IDS = 1_234_567
#: per run: test cases per operation, and seconds for the whole run (``st`` fuzzes
#: again until they are spent); the run of :data:`ROTATE` alone takes fewer
MAX_EXAMPLES, MAX_TIME_S, ROTATE_TIME_S = 15, 16, 6


def seed(url: str) -> dict[str, str]:
    """A day of the default clock with shops, couriers, orders and a published plan
    (:func:`courier_seed.seed_day`) and users to spare; the tokens by role."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            for label in ("spare 1", "spare 2", "spare 3"):
                create_user(s, "city", label=label)
            s.execute(text(f"ALTER SEQUENCE users_id_seq RESTART WITH {SEEDED_USER_IDS}"))
            s.commit()
        return seed_day(engine, "st", DEFAULT.date()).tokens
    finally:
        engine.dispose()


def new_token(url: str, role: str) -> str:
    """The token of a new user of ``role`` (no shop or courier)."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            _, token = create_user(s, role)
            s.commit()
        return token
    finally:
        engine.dispose()


def stack_env(url: str, redis_url: str, osm: Path) -> dict[str, str]:
    """The environment of the stack's processes: the test clock (``DOUAI_CLOCK``,
    inherited), this database, a queue of its own, and no rate limits (the fuzzer
    fails to authenticate and checks health far more than 20 or 60 times a minute; a
    429 would stand in for the answers under test)."""
    return {
        **os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "OSM_SOURCE": str(osm),
        "DOUAI_QUEUE": f"douai-st-{uuid.uuid4().hex[:8]}",
        "AUTH_FAILURES_PER_MINUTE": "0", "HEALTH_CHECKS_PER_MINUTE": "0",
    }


def st_command(base: str, token: str, report: Path, *, max_examples: int | None = MAX_EXAMPLES,
               max_time: int = MAX_TIME_S, workers: int = 1, seed_value: int | None = 1,
               only_rotate: bool = False) -> list[str]:
    """``st run`` against ``base`` as the bearer of ``token``, its JUnit report to
    ``report``: every operation but :data:`ROTATE`, or that one alone."""
    select = "--include-path" if only_rotate else "--exclude-path"
    command = [
        str(ST), "run", f"{base}/api/openapi.json", "-H", f"Authorization: Bearer {token}",
        select, ROTATE, "--checks", ",".join(CHECKS), "--phases", "examples,coverage,fuzzing",
        "--suppress-health-check", "all", "--continue-on-failure", "-w", str(workers),
        "--max-time", str(max_time), "--request-timeout", "30", "--generation-database", "none",
        "--report", "junit", "--report-junit-path", str(report), "--no-color",
    ]
    if max_examples is not None:
        command += ["--max-examples", str(max_examples)]
    if seed_value is not None:
        command += ["--seed", str(seed_value)]
    return command


@pytest.fixture(scope="module")
def fuzz_db() -> Iterator[str]:
    """A database of this module's own."""
    with new_database() as url:
        yield url


@pytest.fixture(scope="module")
def tokens(fuzz_db: str) -> dict[str, str]:
    return seed(fuzz_db)


@pytest.fixture(scope="module")
def fuzz_api(fuzz_db: str, tokens, redis_url: str, town_osm: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A worker and ``douai-delivery serve`` on that database; yields the API's URL."""
    env = stack_env(fuzz_db, redis_url, town_osm)
    jobs = make_celery(redis_url, env["DOUAI_QUEUE"])
    worker = Worker(env, jobs, tmp_path_factory.mktemp("st-worker"))
    worker.start()
    try:
        port = free_port()
        log = tmp_path_factory.mktemp("st-api") / "serve.log"
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
        with serving(command, log=log, port=port, env=env, cwd=REPO) as base:
            yield base
    finally:
        worker.stop()
        jobs.close()


def failures(report: Path) -> list[str]:
    """The operations the JUnit report marks as failed or in error, with the message."""
    found = []
    for case in ET.parse(report).getroot().iter("testcase"):
        for bad in (*case.findall("failure"), *case.findall("error")):
            found.append(f"{case.get('name')}: {(bad.get('message') or bad.text or '').strip()[:300]}")
    return found


def run_st(command: list[str], report: Path, role: str) -> str:
    """Run ``st``; fail with its account of each failure (the operation, the check, the
    answer and a curl to reproduce it) if it found any. Returns its output."""
    run = subprocess.run(command, capture_output=True, text=True, timeout=MAX_TIME_S + 120,
                         cwd=report.parent)
    output = run.stdout + run.stderr
    assert report.exists(), f"st wrote no report (exit {run.returncode}):\n{output[-4000:]}"
    failed = failures(report)
    start = re.search(r"^=+ (FAILURES|ERRORS) =+$", output, re.MULTILINE)
    account = output[start.start():] if start else output[-4000:]
    message = (f"schemathesis as the {role} (exit {run.returncode}), {len(failed)} "
               "operation(s):\n" + "\n".join(failed) + "\n\n" + account)
    assert not failed, message
    assert run.returncode == 0, message
    return output


def operations_tested(output: str) -> tuple[int, int]:
    """(operations tested, operations selected) from the summary."""
    found = re.search(r"Selected: (\d+)/\d+\s+Tested: (\d+)", output)
    assert found, output[-2000:]
    return int(found.group(2)), int(found.group(1))


# The dispatcher's run comes last: it retires shops and couriers and revokes the users
# it reads from the answers, the other roles' included.
@pytest.mark.parametrize("role", ["shop", "courier", "dispatcher"])
def test_schemathesis_finds_no_failure(role: str, fuzz_api: str, fuzz_db: str, tokens,
                                       tmp_path: Path) -> None:
    if role == "dispatcher":
        report = tmp_path / "rotate.xml"
        output = run_st(st_command(fuzz_api, new_token(fuzz_db, "dispatcher"), report,
                                   max_time=ROTATE_TIME_S, only_rotate=True), report, role)
        assert operations_tested(output) == (1, 1), output[-2000:]
    report = tmp_path / "junit.xml"
    output = run_st(st_command(fuzz_api, tokens[role], report), report, role)
    done, selected = operations_tested(output)
    assert done == selected > 30, output[-2000:]
