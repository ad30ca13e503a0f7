"""The export job through a real Celery worker and the Redis on 127.0.0.1:6379."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from exports.jobs import export_job_create
from exports.models import ExportJob
from reportportal.celery import app

REDIS = "redis://127.0.0.1:6379/15"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app.conf.update(
        broker_url=REDIS, task_always_eager=False, broker_connection_retry_on_startup=True
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(broker_url="memory://", task_always_eager=True)


def test_county_summary_runs_on_a_redis_worker(personas, redis_worker):
    job = export_job_create(
        kind="county",
        period=personas.period,
        county=personas.shenqiu,
        actor=personas.reviewer_shenqiu,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.2)
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
