"""The load test for real: `manage.py loadtest` on its own PostgreSQL database, gunicorn, a Celery
worker and Locust as a master with one worker process; one clerk logs in with a wrong password on
purpose (--check-failures), which must be counted as the run's only error."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import get_resolver

from devtools.management.commands.loadtest import _errors

ROOT = Path(__file__).resolve().parents[2]


def load_database_url() -> str:
    """The same server as the tests' database, a database of the load run's own ("load" in its
    name: the command refuses others)."""
    name = os.getenv("TEST_DATABASE_NAME", "test_reportportal") + "_load"
    db = settings.DATABASES["default"]
    url = os.getenv("DATABASE_URL", f"postgres://postgres@{db['HOST'] or '127.0.0.1'}:5432/x")
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@pytest.fixture(scope="module")
def run() -> dict:
    if connection.vendor != "postgresql":
        pytest.skip("the load test runs on PostgreSQL only")
    port = int(os.getenv("LOADTEST_PORT", "8779"))  # and the Locust master on the next one
    redis_db = os.getenv("LOADTEST_REDIS_DB", "14")
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "loadtest",
            *("--seconds", "8", "--clerks", "3", "--reviewers", "1", "--think", "0.2"),
            *("--port", str(port), "--broker", f"redis://127.0.0.1:6379/{redis_db}"),
            *("--workers-local", "1", "--check-failures"),
        ],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=load_database_url()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout[-2000:]
    return json.loads(lines[0]) | {"table": done.stderr}


def test_the_users_save_submit_and_review_through_locust(run):
    assert run["benchmark"] == "loadtest"
    assert run["locust"]["workers"] == 1 and run["locust"]["local_workers"] == 1
    assert run["users"] == {"clerks": 3, "reviewers": 1}
    assert run["users_logged_in"] == 3 and run["users_not_logged_in"] == 1
    pages = run["pages"]
    for page in ("POST report_edit:save", "GET report_edit", "GET county_home", "GET ranking"):
        assert pages.get(page, {}).get("count", 0) >= 1, (page, sorted(pages))
    assert {"POST report_edit:submit", "POST report_act:submit"} & set(pages)
    assert run["actions"]["saves"] >= 1
    assert run["total_requests"] == sum(page["count"] for page in pages.values())
    assert run["requests_per_second"] > 0
    for figures in [*pages.values(), run["overall"]]:
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    # Log-ins are kept out of the measured window.
    assert "POST login" in run["login"]["pages"] and "POST login" not in pages
    assert run["window"]["gunicorn_cpu_seconds"] > 0
    assert run["window"]["server_cpu_ms_per_request"] > 0
    assert "targets" in run and "errors_met" in run["targets"]
    assert "页面 page" in run["table"] and "1 个 worker（本机 1 个）" in run["table"]


def test_the_deliberately_wrong_password_is_the_only_error(run):
    assert run["errors"]["count"] == 1, run["errors"]
    assert run["errors"]["by_kind"] == {"POST login: form refused": 1}
    assert (
        "用户名或密码" in run["errors"]["sample"][0] or "form refused" in run["errors"]["sample"][0]
    )
    assert run["targets"]["errors_met"] is False


def test_page_names_are_the_portals_url_names(run):
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    for page in [*run["pages"], *run["login"]["pages"]]:
        method, _, name = page.partition(" ")
        assert method in ("GET", "POST")
        assert name.split(":")[0] in names, page


def test_failures_are_grouped_by_page_and_kind():
    rows = [
        {"name": "POST login", "error": "CatchResponseError('form refused (HTTP 200): 密码')"}
        | {"occurrences": 1},
        {"name": "GET report_edit", "error": "CatchResponseError('HTTP 500')", "occurrences": 2},
    ]
    assert _errors(rows) == {
        "count": 3,
        "by_kind": {"GET report_edit: HTTP 500": 2, "POST login: form refused": 1},
        "sample": [
            "POST login: form refused (HTTP 200): 密码",
            "GET report_edit: HTTP 500（2 次）",
        ],
    }


def test_the_background_worker_runs_below_the_web_server_as_in_production():
    """deploy/systemd/reportportal-worker.service sets Nice and the matching CPUWeight (nice 10
    is a tenth of nice 0's share; the web server keeps the default weight, 100); the load run's
    worker takes the same nice, for its process and for its session's autogroup."""
    from devtools.management.commands.loadtest import WORKER_NICE, _start_worker, _stop_process

    unit = (ROOT / "deploy" / "systemd" / "reportportal-worker.service").read_text()
    assert f"\nNice={WORKER_NICE}\n" in unit
    assert "\nCPUWeight=10\n" in unit
    web_unit = (ROOT / "deploy" / "systemd" / "reportportal-web.service").read_text()
    assert "CPUWeight" not in web_unit and "Nice" not in web_unit
    redis_db = os.getenv("LOADTEST_REDIS_DB", "14")
    env = dict(os.environ, CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{redis_db}")
    worker = _start_worker(env)
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(own + WORKER_NICE, 19)
        autogroup = Path(f"/proc/{worker.pid}/autogroup")
        if autogroup.exists():  # kernels with autogroups (this machine's, Debian's)
            worker_group = autogroup.read_text().split()
            assert worker_group[-2:] == ["nice", str(WORKER_NICE)]
            # A process still in the kernel's default autogroup (CI's container, where nothing
            # before pytest started a session) reads an empty file: the worker's own session
            # has a group of its own all the same.
            own_group = Path("/proc/self/autogroup").read_text().split()[:1]
            assert worker_group[:1] != own_group
    finally:
        _stop_process(worker)
    assert worker.poll() is not None
