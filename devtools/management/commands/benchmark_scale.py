"""`manage.py benchmark_scale`: a county's and a city's hot pages with the demo data, then again
with the whole country's map loaded (about 41,000 townships): time per page and query count,
before and after, measured in the same run (the machine is shared and noisy)."""

import json
import sqlite3
import statistics
import time

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.divisions import divisions_load, register_database
from org.models import County, Township

# (who, page): the county reviewer of 沈丘县 and the city reviewer of 周口市 (demo users).
PAGES = [
    ("shenqiu", "county_home", "?year=2023"),
    ("shenqiu", "ranking", "?year=2023"),
    ("shenqiu", "review_queue", "?year=2023"),
    ("zhoukou", "county_home", "?year=2023"),
    ("zhoukou", "ranking", "?year=2023"),
]


class Command(BaseCommand):
    help = "规模检查：载入全国区划前后，县、市审核员常用页面的用时和查询数（同一次运行中对比）"

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="每个页面请求次数")

    def handle(self, *args, requests: int, **options):
        if not User.objects.filter(username="zhoukou").exists():
            call_command("load_demo", verbosity=0, stdout=self.stderr)
        before = self._measure(requests)
        started = time.perf_counter()
        with sqlite3.connect(f"file:{register_database()}?mode=ro", uri=True) as db:
            provinces = [name for (name,) in db.execute("SELECT name FROM province")]
        for province in provinces:
            divisions_load(province=province)
        loading = time.perf_counter() - started
        after = self._measure(requests)
        pages = {
            key: {
                "before_ms": before[key]["median_ms"],
                "after_ms": after[key]["median_ms"],
                "ratio": round(after[key]["median_ms"] / before[key]["median_ms"], 2),
                "queries_before": before[key]["queries"],
                "queries_after": after[key]["queries"],
            }
            for key in before
        }
        self.stdout.write(
            json.dumps(
                {
                    "benchmark": "scale",
                    "counties": County.objects.count(),
                    "townships": Township.objects.count(),
                    "load_divisions_seconds": round(loading, 1),
                    "requests_per_page": requests,
                    "pages": pages,
                    "same_queries": all(
                        p["queries_before"] == p["queries_after"] for p in pages.values()
                    ),
                    "worst_ratio": max(p["ratio"] for p in pages.values()),
                },
                ensure_ascii=False,
            )
        )

    def _measure(self, requests: int) -> dict[str, dict]:
        results = {}
        for username, name, query in PAGES:
            client = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(username=username))
            url = reverse(name) + query
            for _ in range(3):  # warm: templates compiled, connection open
                client.get(url)
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            results[f"{username}:{name}"] = {
                "median_ms": round(statistics.median(times), 2),
                "queries": len(captured),
            }
        return results
