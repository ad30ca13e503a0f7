"""`manage.py benchmark_web` for real: gunicorn, the floor and wrk on this machine, against a
database of its own, and nothing left running afterwards."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk: scripts/setup.sh dev")


def _free_pair() -> int:
    """A port whose next port is free too (the floor's)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no two free ports in a row")


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def bench_database():
    name = os.getenv("TEST_DATABASE_NAME", "test_reportportal") + "_web"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_the_pages_are_measured_against_the_floor_and_everything_is_stopped(
    bench_database, tmp_path
):
    port = _free_pair()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    } | {
        "DATABASE_URL": bench_database,
        "DEBUG": "True",
        "DEVTOOLS": "True",
        "VAR_DIR": str(tmp_path),
        "CACHE_URL": "redis://127.0.0.1:6379/8",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/8",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "benchmark_web", "--counties", "2", "--seconds", "1"]
        + ["--port", str(port), "--connections", "4", "--workers", "2"]
        + ["--pages", "login", "report_edit", "report_review", "public_report"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])

    assert report["benchmark"] == "web"
    assert report["floor"]["requests_per_second"] > 0
    assert len(report["floor"]["runs"]) == 2
    assert set(report["pages"]) == {"login", "report_edit", "report_review", "public_report"}
    for key, page in report["pages"].items():
        # Every answer was the page itself (a redirect to the log-in page would count here).
        assert page["requests"] > 0, key
        assert page["not_200"] == 0, key
        assert page["socket_errors"] == 0, key
        assert page["bytes"] > 1000, key
        assert page["cpu_ms_per_request"] > 0, key
        assert page["ratio_to_floor"] == pytest.approx(
            page["requests_per_second"] / report["floor"]["requests_per_second"], abs=0.001
        )
    assert report["pages"]["login"]["queries"] == 0
    assert report["pages"]["login"]["target"] == "1/3"
    assert report["pages"]["report_review"]["role"] == "shenqiu"
    assert report["pages"]["report_review"]["queries"] > 0
    assert report["pages"]["public_report"]["role"] == "anonymous"
    assert "基准线" in done.stderr and "登录页" in done.stderr
    # Both servers are gone.
    assert not _answers(port)
    assert not _answers(port + 1)
