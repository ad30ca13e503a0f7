"""`manage.py benchmark_scale`: a county's and a city's hot pages with the demo data, then again
with the whole country's map loaded (about 41,000 townships): time per page and query count,
before and after, measured in the same run (the machine is shared and noisy).

The national pages (the admin's overview of the country and of a province, a county the admin
picks, the public list, the people page) are measured the same way and must stay under 300 ms at
the 95th percentile once the country is loaded: they page and aggregate in the database."""

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

# (who, page, query): the county reviewer of 沈丘县 and the city reviewer of 周口市 (demo users),
# which must be as fast with the country as without; {shenqiu} is 沈丘县's id.
Page = tuple[str | None, str, str]
PAGES: list[Page] = [
    ("shenqiu", "county_home", "?year=2023"),
    ("shenqiu", "ranking", "?year=2023"),
    ("shenqiu", "review_queue", "?year=2023"),
    ("zhoukou", "county_home", "?year=2023"),
    ("zhoukou", "ranking", "?year=2023"),
]
# The national pages (None: not logged in), which must stay under NATIONAL_P95_MS.
NATIONAL_PAGES: list[Page] = [
    ("admin", "admin_home", "?year=2023"),
    ("admin", "admin_home", "?year=2023&province=河南省"),
    ("admin", "admin_home", "?year=2023&province=河南省&city=周口市"),
    ("admin", "admin_home", "?year=2023&q=县"),
    ("admin", "ranking", "?year=2023&county={shenqiu}"),
    ("admin", "review_queue", "?year=2023&province=河南省&city=周口市&county={shenqiu}"),
    (None, "public_index", ""),
    (None, "public_index", "?province=河南省"),
    ("security", "people", "?county={shenqiu}"),
]
NATIONAL_P95_MS = 300


class Command(BaseCommand):
    help = (
        "规模检查：载入全国区划前后，县、市审核员常用页面和全国性页面（管理员总览、公开列表等）"
        "的用时（中位数、p95）和查询数（同一次运行中对比）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="每个页面请求次数（至少 2）")

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
                "p95_before_ms": before[key]["p95_ms"],
                "p95_after_ms": after[key]["p95_ms"],
                "queries_before": before[key]["queries"],
                "queries_after": after[key]["queries"],
                "kb_before": before[key]["kb"],
                "kb_after": after[key]["kb"],
            }
            for key in before
        }
        county_pages = {key: pages[key] for key in self._keys(PAGES)}
        national = {key: pages[key] for key in self._keys(NATIONAL_PAGES)}
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
                        p["queries_before"] == p["queries_after"] for p in county_pages.values()
                    ),
                    "worst_ratio": max(p["ratio"] for p in county_pages.values()),
                    "national_same_queries": all(
                        p["queries_before"] == p["queries_after"] for p in national.values()
                    ),
                    "national_worst_p95_ms": max(p["p95_after_ms"] for p in national.values()),
                    "national_p95_under_300_ms": all(
                        p["p95_after_ms"] < NATIONAL_P95_MS for p in national.values()
                    ),
                },
                ensure_ascii=False,
            )
        )

    @staticmethod
    def _keys(pages: list[Page]) -> list[str]:
        return [_key(username, name, query) for username, name, query in pages]

    def _measure(self, requests: int) -> dict[str, dict]:
        shenqiu = County.objects.get(name="沈丘县").pk
        results = {}
        for username, name, query in PAGES + NATIONAL_PAGES:
            client = Client(HTTP_HOST="localhost")
            if username is not None:
                client.force_login(User.objects.get(username=username))
            url = reverse(name) + query.format(shenqiu=shenqiu)
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
            results[_key(username, name, query)] = {
                "median_ms": round(statistics.median(times), 2),
                # The 95th percentile: what the slowest of twenty requests waits.
                "p95_ms": round(statistics.quantiles(times, n=20, method="inclusive")[18], 2),
                "queries": len(captured),
                "kb": round(len(response.content) / 1024, 1),
            }
        return results


def _key(username: str | None, name: str, query: str) -> str:
    """who:page, with the query when it says more than the year (the drill-downs)."""
    suffix = query if query not in ("", "?year=2023") else ""
    return f"{username or 'public'}:{name}{suffix}"
