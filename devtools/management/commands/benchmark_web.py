"""`manage.py benchmark_web` (`benchmark --only web`): the hot pages against Django's floor.

gunicorn serves the portal in production mode on loopback and, beside it with the same workers, a
page of bare Django that runs one query (devtools/floor.py). wrk (C, so the client is not what
saturates) drives the floor and each hot page at 50 connections as the role that uses it, logged
in through the log-in form. Per page: requests/s, p50/p99, CPU per request (gunicorn and its
PostgreSQL backends), queries, bytes, and the ratio to the floor measured in the same run, before
and after the pages (its mean). Everything started is stopped however the run ends.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devtools.processes import (
    Gunicorn,
    collectstatic,
    cpu_seconds,
    ensure_database,
    machine_cpu,
    postgres_backends,
)
from reports.models import Report
from reports.workflow import ReportStatus

PASSWORD = "demo1234"  # the demo's log-ins (README); this database is for benchmarks only
LOGIN_TARGET = 1 / 3
PAGE_TARGET = 1 / 10
SYNTHETIC_PREFIX = "基准"

# wrk counts every status but 200 (a redirect to the log-in page is a failure here, not a page)
# and reports its figures as one JSON line.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "microseconds": %d, "bytes": %d, "not_200": %d, "socket_errors": %d,'
    .. ' "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, bad,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max))
end
"""


@dataclass
class Page:
    key: str
    label: str
    user: str  # "" for anonymous
    path: str
    target: float = PAGE_TARGET


class Command(BaseCommand):
    help = (
        "网页基准：生产模式的 gunicorn 在本机同时运行本系统和一个只查询一次的 Django 空白页（基准线），"
        "用 wrk 以 50 个连接逐一压测各常用页面，输出每秒请求数、p50/p99、每个请求的 CPU 毫秒、查询数、"
        "字节数和相对基准线的比例（JSON，stderr 另有表格）。请在 PostgreSQL 上运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10, help="每个页面压测秒数（默认 10）")
        parser.add_argument("--connections", type=int, default=50, help="并发连接数（默认 50）")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数（默认 4）")
        parser.add_argument("--port", type=int, default=8801, help="本系统端口；基准线用下一个端口")
        parser.add_argument("--pages", nargs="+", help="只压测这些页面（键名，见输出）")
        parser.add_argument(
            "--counties", type=int, default=200, help="首次运行时生成的合成县数（每县 40 个乡镇）"
        )

    def handle(self, *args, seconds, connections: int, workers, port, pages, counties, **options):
        if connection.vendor != "postgresql":
            raise CommandError("网页基准必须在 PostgreSQL 上运行：请设置 DATABASE_URL。")
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("找不到 wrk：请运行 scripts/setup.sh dev（Debian 软件包 wrk）。")
        if seconds <= 0 or connections < 1 or workers < 1:
            raise CommandError("--seconds 须大于 0，--connections 与 --workers 至少为 1。")
        if ensure_database(settings.DATABASES["default"]):
            self.stderr.write(f"已创建数据库 {settings.DATABASES['default']['NAME']}。")
        call_command("migrate", interactive=False, verbosity=0)
        self._prepare_data(counties)
        plan = [p for p in self._pages() if not pages or p.key in pages]
        queries = {p.key: self._queries(p) for p in plan}
        dbname = settings.DATABASES["default"]["NAME"]
        connections_close()

        var = Path(settings.VAR_DIR) / "webbench"
        env = self._server_env(var, workers)
        collectstatic(env, settings.BASE_DIR)
        conf = str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py")
        portal = Gunicorn(
            command=[Gunicorn.binary(), "-c", conf, "reportportal.wsgi"],
            port=port,
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            cwd=settings.BASE_DIR,
            log=var / "portal.log",
        )
        floor = Gunicorn(
            command=[Gunicorn.binary(), "-c", conf, "django.core.wsgi:get_wsgi_application()"],
            port=port + 1,
            env=env
            | {
                "GUNICORN_BIND": f"127.0.0.1:{port + 1}",
                "DJANGO_SETTINGS_MODULE": "devtools.floor",
            },
            cwd=settings.BASE_DIR,
            log=var / "floor.log",
        )
        previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        results: dict[str, dict] = {}
        try:
            for server in (portal, floor):
                server.start()
            floor.wait_ready("/")
            portal.wait_ready(reverse("login"))
            self.stderr.write(f"gunicorn：{workers} 个进程，本系统 :{port}，基准线 :{port + 1}")
            cookies = {
                user: self._log_in(portal, user) for user in {p.user for p in plan if p.user}
            }
            bench = Bench(wrk=wrk, seconds=seconds, connections=connections, dbname=dbname)
            floors = [bench.run(floor, "/", "", self.stderr)]
            for page in plan:
                results[page.key] = bench.run(
                    portal, page.path, cookies.get(page.user, ""), self.stderr
                )
            floors.append(bench.run(floor, "/", "", self.stderr))
        except KeyboardInterrupt:
            raise CommandError("已中断（Ctrl-C）：gunicorn 已停止，没有结果。") from None
        finally:
            portal.stop()
            floor.stop()
            signal.signal(signal.SIGTERM, previous_sigterm)

        floor_rps = sum(f["requests_per_second"] for f in floors) / len(floors)
        rows = {}
        for page in plan:
            figures = results[page.key]
            ratio = figures["requests_per_second"] / floor_rps if floor_rps else 0.0
            rows[page.key] = {
                "page": page.label,
                "path": page.path,
                "role": page.user or "anonymous",
                **figures,
                "queries": queries[page.key],
                "ratio_to_floor": round(ratio, 3),
                "target": f"1/{round(1 / page.target)}",
                "met": ratio >= page.target
                and figures["not_200"] == 0
                and figures["socket_errors"] == 0,
            }
        report = {
            "benchmark": "web",
            "cores": os.cpu_count(),
            "gunicorn_workers": workers,
            "connections": connections,
            "seconds_per_page": seconds,
            "floor": {
                "requests_per_second": round(floor_rps, 1),
                "runs": floors,
                "what": "Django startproject middleware, one query, same gunicorn",
            },
            "pages": rows,
            "met": bool(rows) and all(r["met"] for r in rows.values()),
        }
        self._table(report)
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    # --- data --------------------------------------------------------------------------------

    def _prepare_data(self, counties: int) -> None:
        """The demo, and beside it the reports of synthetic counties (40 townships each; 200 make
        8,000 reports) in the demo's year, half of them published, so that lists and national
        pages are not measured empty. Kept between runs (a second run adds nothing)."""
        if not User.objects.filter(username="shenqiu").exists():
            self.stderr.write("载入演示数据 …")
            call_command("load_demo", verbosity=0, stdout=self.stderr)
        synthetic = Report.objects.filter(township__county__name__startswith=SYNTHETIC_PREFIX)
        if not synthetic.exists():
            self.stderr.write(f"生成 {counties} 个县、{counties * 40} 份合成报告 …")
            call_command(
                "generate_synthetic",
                counties=counties,
                townships=40,
                years=[self._draft().period.year],
                prefix=SYNTHETIC_PREFIX,
                stdout=self.stderr,
            )
        if not synthetic.filter(status=ReportStatus.PUBLISHED).exists():
            # Bench data only: published as a block, without the workflow's history rows.
            half = synthetic.filter(
                township__county__name__lte=f"{SYNTHETIC_PREFIX}县{counties // 2:05d}"
            )
            half.update(status=ReportStatus.PUBLISHED)
            # What autovacuum does in production after a bulk load: plans from real row counts.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _draft(self) -> Report:
        draft = (
            Report.objects.select_related("period")
            .filter(township__name="莲池镇", status=ReportStatus.DRAFT, period__locked=False)
            .order_by("period__year")
            .first()
        )
        if draft is None:
            raise CommandError("演示数据中没有莲池镇的草稿（请重新载入演示数据）。")
        return draft

    def _pages(self) -> list[Page]:
        draft = self._draft()
        year = draft.period.year
        sent = (
            Report.objects.filter(
                township__county__name="沈丘县", period__year=year, status=ReportStatus.SUBMITTED
            )
            .order_by("submitted_at")
            .first()
        )
        published = Report.objects.filter(status=ReportStatus.PUBLISHED).order_by("-pk").first()
        if sent is None or published is None:
            raise CommandError("演示数据中缺少待审核或已公开的报告。")
        query = "?" + urlencode({"year": year})
        return [
            Page("login", "登录页", "", reverse("login"), LOGIN_TARGET),
            Page("clerk_home", "填报员首页", "lianchi", reverse("township_home")),
            Page("report_edit", "填写页", "lianchi", reverse("report_edit", args=[draft.pk])),
            Page("county_home", "审核员看板", "shenqiu", reverse("county_home") + query),
            Page("ranking", "得分排名", "shenqiu", reverse("ranking") + query),
            Page("review_queue", "待审核列表", "shenqiu", reverse("review_queue") + query),
            Page("report_review", "审核页", "shenqiu", reverse("report_review", args=[sent.pk])),
            Page("report_score", "得分明细", "shenqiu", reverse("report_score", args=[sent.pk])),
            Page("admin_home", "管理员总览", "admin", reverse("admin_home") + query),
            Page("public_index", "公开列表", "", reverse("public_index")),
            Page("public_report", "公开报告", "", reverse("public_report", args=[published.pk])),
        ]

    def _queries(self, page: Page) -> int:
        client = Client(HTTP_HOST="127.0.0.1")
        if page.user:
            client.force_login(User.objects.get(username=page.user))
        client.get(page.path)  # the session's first touch is not the page's cost
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        if response.status_code != 200:
            raise CommandError(
                f"{page.path}（{page.user or '匿名'}）返回 HTTP {response.status_code}"
            )
        return len(captured)

    # --- servers -------------------------------------------------------------------------------

    def _server_env(self, var: Path, workers: int) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("EMAIL_HOST", None)
        env.update(
            {
                "DEBUG": "False",
                "DEVTOOLS": "False",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                # Plain HTTP on loopback: nothing to encrypt between wrk and gunicorn.
                "USE_HTTPS": "False",
                "SESSION_COOKIE_SECURE": "False",
                "CSRF_COOKIE_SECURE": "False",
                "SECURE_SSL_REDIRECT": "False",
                "SECURE_HSTS_SECONDS": "0",
                # The reviewers' and admins' authenticator has no place in a scripted log-in.
                "SECOND_FACTOR_REQUIRED": "False",
                "CELERY_BROKER_URL": os.getenv("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/13",
                "CACHE_URL": os.getenv("CACHE_URL") or "redis://127.0.0.1:6379/13",
                "STATIC_ROOT": str(var / "static"),
                "DB_CONN_MAX_AGE": "60",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "LOG_LEVEL": "WARNING",
                "GUNICORN_WORKERS": str(workers),
                # A recycled worker takes its CPU time (and its database backend's) with it:
                # the CPU per request would come out short, even negative.
                "GUNICORN_MAX_REQUESTS": "0",
                "GUNICORN_ACCESS_LOG": str(var / "access.log"),
                "GUNICORN_ERROR_LOG": "-",
                # Log-ins of a run come from one address: far under the lock-out, but no limit.
                "AXES_ENABLED": "True",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _log_in(self, server: Gunicorn, username: str) -> str:
        """The cookies of a real log-in through the form, as a Cookie header."""
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("GET", reverse("login"))
            page = conn.getresponse()
            jar = SimpleCookie()
            for value in page.headers.get_all("Set-Cookie") or []:
                jar.load(value)
            body = page.read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            if token is None:
                raise CommandError("登录页没有 CSRF 令牌。")
            form = urlencode(
                {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
            )
            conn.request(
                "POST",
                reverse("login"),
                body=form,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": _cookie_header(jar),
                    "Referer": f"http://127.0.0.1:{server.port}{reverse('login')}",
                },
            )
            answer = conn.getresponse()
            answer.read()
            for value in answer.headers.get_all("Set-Cookie") or []:
                jar.load(value)
        finally:
            conn.close()
        if answer.status != 302 or "sessionid" not in jar:
            raise CommandError(f"{username} 未能登录（HTTP {answer.status}）：\n{server.tail()}")
        return _cookie_header(jar)

    # --- output --------------------------------------------------------------------------------

    def _table(self, report: dict) -> None:
        err = self.stderr
        floor = report["floor"]
        err.write("")
        err.write(
            f"{'页面':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>8}{'查询':>6}"
            f"{'KB':>8}{'比例':>9}{'目标':>7}"
        )
        err.write(
            f"{'基准线':<10}{floor['requests_per_second']:>9.0f}"
            + "".join(
                f"  [{r['requests_per_second']:.0f} req/s, CPU {r['cpu_ms_per_request']} ms]"
                for r in floor["runs"]
            )
        )
        for key, row in report["pages"].items():
            err.write(
                f"{key:<14}{row['requests_per_second']:>9.0f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['cpu_ms_per_request']:>8.2f}{row['queries']:>6}"
                f"{row['bytes'] / 1024:>8.1f}{'1/' + format(1 / row['ratio_to_floor'], '.1f') if row['ratio_to_floor'] else '—':>9}"
                f"{row['target']:>7}  {'达到' if row['met'] else '未达到'}  {row['page']}"
            )
        err.write(f"全部达到目标：{'是' if report['met'] else '否'}")


@dataclass
class Bench:
    wrk: str
    seconds: float
    connections: int
    dbname: str

    def run(self, server: Gunicorn, path: str, cookie: str, log) -> dict:
        headers = {"Cookie": cookie} if cookie else {}
        status, body = server.fetch(path, headers)
        if status != 200:
            raise CommandError(f"{path} 返回 HTTP {status}（未登录或数据缺失）：\n{server.tail()}")
        # Warm: every worker's templates, connections and caches; then let the backlog drain.
        self._wrk(server, path, cookie, 2)
        server.wait_idle()
        cpu_before = server.cpu() + _postgres_cpu(self.dbname)
        busy_before, total_before = machine_cpu()
        figures = self._wrk(server, path, cookie, self.seconds)
        # The requests wrk counted are done; those it left queued are not its figures, but their
        # CPU is inseparable: measured up to the end of the window only.
        cpu = server.cpu() + _postgres_cpu(self.dbname) - cpu_before
        busy_after, total_after = machine_cpu()
        server.wait_idle()
        requests = figures["requests"] or 1
        result = {
            "requests_per_second": round(figures["requests"] / figures["microseconds"] * 1e6, 1),
            "p50_ms": round(figures["p50_us"] / 1000, 1),
            "p99_ms": round(figures["p99_us"] / 1000, 1),
            "cpu_ms_per_request": round(cpu * 1000 / requests, 2),
            "bytes": len(body),
            "requests": figures["requests"],
            "not_200": figures["not_200"],
            "socket_errors": figures["socket_errors"],
            "machine_busy": round(
                (busy_after - busy_before) / max(total_after - total_before, 1e-9), 2
            ),
        }
        log.write(
            f"  {path:<40} {result['requests_per_second']:>8.0f} req/s  p99 {result['p99_ms']} ms"
        )
        return result

    def _wrk(self, server: Gunicorn, path: str, cookie: str, seconds: float) -> dict:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            argv = [
                self.wrk,
                "--threads",
                "2",
                "--connections",
                str(self.connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "--script",
                script.name,
                "--header",
                "Accept-Language: zh-CN,zh;q=0.9",
            ]
            if cookie:
                argv += ["--header", f"Cookie: {cookie}"]
            argv.append(f"http://127.0.0.1:{server.port}{path}")
            done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK ")), None)
        if done.returncode != 0 or line is None:
            raise CommandError(f"wrk 失败：{done.stderr[-1000:]}{done.stdout[-1000:]}")
        return json.loads(line[4:])


def _postgres_cpu(dbname: str) -> float:
    return sum(map(cpu_seconds, postgres_backends(dbname)))


def _cookie_header(jar: SimpleCookie) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def connections_close() -> None:
    connections.close_all()  # the servers use the database now, not this process


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
