"""A database made by the portal before the apps were split (reports held the organisation
models, indicators the scores) upgrades with `migrate` and keeps every row.

tests/org/data/pre_split_demo.sql.gz is the demo database of that version (`load_demo`, plus a
returned report with review comments and an answer, and an export job), dumped as data with
`pg_dump --data-only --inserts` (content types and permissions included, sessions and log-in
attempts left out); pre_split_exports.json.gz is what that version's
`export_period` wrote for 2022, 2023 and 2024. The test builds a scratch database at the old
migrations, loads the dump, migrates it with today's code and exports again: the same files.
"""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

DATA = Path(__file__).parent / "data"
OLD_NODES = [("indicators", "0002_initial"), ("reports", "0006_report_missing_parts")]
YEARS = (2022, 2023, 2024)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the dump is PostgreSQL's"
)


@pytest.fixture
def scratch():
    """An empty database of its own on the test server, dropped afterwards."""
    db = settings.DATABASES["default"]
    name = f"upgrade_{os.getpid()}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    try:
        yield name, url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_an_old_database_upgrades_and_exports_the_same(scratch, tmp_path):
    name, url = scratch
    manage(url, "migrate", "contenttypes", "--noinput")
    manage(url, "migrate", "auth", "--noinput")
    for app, node in OLD_NODES:
        manage(url, "migrate", app, node, "--noinput")
    db = settings.DATABASES["default"]
    with (
        psycopg2.connect(
            dbname=name, user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
        ) as old,
        old.cursor() as cursor,
    ):
        # The old database's own content types and permissions replace those made just now.
        cursor.execute("TRUNCATE django_content_type, auth_permission CASCADE")
        cursor.execute(gzip.decompress((DATA / "pre_split_demo.sql.gz").read_bytes()).decode())
        cursor.execute("SET search_path TO public")  # the dump empties it
        cursor.execute("SELECT count(*) FROM reports_county")
        assert cursor.fetchone() == (3,)  # the old layout, with its data

    manage(url, "migrate", "--noinput")

    expected = json.loads(gzip.decompress((DATA / "pre_split_exports.json.gz").read_bytes()))
    for year in YEARS:
        out = tmp_path / f"{year}.json"
        manage(url, "export_period", str(year), "--output", str(out))
        exported = json.loads(out.read_text(encoding="utf-8"))
        exported.pop("exported_at")
        # Added to the format since the dump was made, empty or default for its data.
        assert exported["period"].pop("evidence_public") is False
        for report in exported["reports"]:
            assert report.pop("figure_checks") == [] and report.pop("deductions") == []
            assert report.pop("evidence") == []
        for each in exported["indicator_sets"]:
            assert each.pop("change_factor") == "3.00"
            for indicator in each["indicators"]:
                assert indicator.pop("deduction_items") == []
                assert [indicator.pop(name) for name in ("step", "deduction", "cap")] == [None] * 3
        assert exported == expected[str(year)], year
    with (
        psycopg2.connect(
            dbname=name, user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
        ) as new,
        new.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT (SELECT count(*) FROM org_county), (SELECT count(*) FROM org_township),"
            " (SELECT count(*) FROM org_membership), (SELECT count(*) FROM exports_exportjob),"
            " (SELECT count(*) FROM reports_reportscore)"
        )
        assert cursor.fetchone() == (3, 74, 78, 1, 207)
        # Permissions given to the groups still point at the moved models.
        cursor.execute(
            "SELECT count(*) FROM auth_group_permissions gp"
            " JOIN auth_permission p ON p.id = gp.permission_id"
            " JOIN django_content_type c ON c.id = p.content_type_id WHERE c.app_label = 'org'"
        )
        assert cursor.fetchone()[0] > 0
