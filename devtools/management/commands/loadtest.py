import atexit
import datetime
import functools
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import Resolver404, resolve

from devtools.loadtest import run_load
from devtools.loadtest_data import PASSWORD, prepare

SUGGESTED_URL = "postgres://postgres@127.0.0.1:5432/reportportal_load"
P95_TARGET_MS = 300


def ensure_database(db: Mapping[str, Any]) -> bool:
    """Creates the database named in DATABASE_URL if it is missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    params = {
        "dbname": "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    try:
        conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    except psycopg2.Error as exc:
        raise CommandError(f"连不上 PostgreSQL（{exc}）。") from exc
    conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        conn.close()


@functools.lru_cache(maxsize=8192)
def page_name(path: str) -> str:
    """The URL name of a path (what the table groups by), not the path with its ids."""
    path = path.split("?", 1)[0]
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    try:
        return resolve(path).url_name or path
    except Resolver404:
        return "unresolved"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_backends(dbname: str) -> list[int]:
    """PostgreSQL server processes serving this database ("postgres: … USER DBNAME HOST")."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {dbname} " in title:
            pids.append(int(entry.name))
    return pids


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


class Gunicorn:
    """The app server under test, in its own session so that Ctrl-C reaches only this command,
    which then stops it (also from atexit and on SIGTERM)."""

    def __init__(self, *, port: int, workers: int, threads: int, keep_alive: int, env, log: Path):
        self.port = port
        self.log_path = log
        self.env = env
        binary = Path(sys.executable).with_name("gunicorn")
        self.command = [
            str(binary),
            "reportportal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--keep-alive",
            str(keep_alive),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not Path(self.command[0]).exists():
            raise CommandError(f"找不到 gunicorn：{self.command[0]}（请安装 requirements.txt）。")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise CommandError(f"端口 {self.port} 已被占用，请用 --port 换一个。")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w", encoding="utf-8")
        atexit.register(self.stop)
        self.process = subprocess.Popen(
            self.command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()  # the child has its own copy

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the log-in page and one static file answer 200, or the server gives up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CommandError(
                    f"gunicorn 启动失败（退出码 {self.process.returncode}）：\n{self.tail()}"
                )
            try:
                status, body = self.fetch("/login/")
            except OSError:
                time.sleep(0.2)
                continue
            if status != 200:
                raise CommandError(f"登录页返回 HTTP {status}：\n{self.tail()}")
            css = re.search(r'href="(/static/[^"]+\.css)"', body)
            if css is None or self.fetch(css.group(1))[0] != 200:
                raise CommandError("静态文件不可用（whitenoise / collectstatic）。")
            return
        raise CommandError(f"gunicorn 在 {timeout:.0f} 秒内没有响应：\n{self.tail()}")

    def fetch(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
            process.wait(timeout=5)

    def cpu_sample(self, dbname: str) -> dict[str, float]:
        """Cumulative CPU of the server (master and workers), of its database backends and of
        the machine: on a shared machine the per-request cost is the figure that carries over."""
        if self.process is None or not Path("/proc/stat").exists():
            return {}
        master = self.process.pid
        busy, total = _machine_cpu()
        return {
            "gunicorn_cpu_seconds": sum(map(_cpu_seconds, [master, *_children(master)])),
            "postgres_cpu_seconds": sum(map(_cpu_seconds, _postgres_backends(dbname))),
            "machine_busy_cpu_seconds": busy,
            "machine_cpu_seconds": total,
        }

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def problems(self) -> dict:
        """Tracebacks and worker timeouts the server logged during the run."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return {"tracebacks": None, "worker_timeouts": None, "sample": []}
        flagged = [
            line
            for line in lines
            if "Traceback" in line or "WORKER TIMEOUT" in line or "[ERROR]" in line
        ]
        return {
            "tracebacks": sum("Traceback" in line for line in lines),
            "worker_timeouts": sum("WORKER TIMEOUT" in line for line in lines),
            "sample": flagged[:5],
        }


def _start_worker(env) -> subprocess.Popen:
    """One Celery worker (one process) beside the server, so background jobs cost this machine's
    CPU during the run as they would in production."""
    log = (Path(settings.VAR_DIR) / "loadtest" / "celery.log").open("w", encoding="utf-8")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "reportportal",
            "worker",
            "--queues",
            "celery,long",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    atexit.register(_stop_worker, worker)
    return worker


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=5)


class Command(BaseCommand):
    help = (
        "负载测试：在 gunicorn + PostgreSQL 上模拟填报员保存、提交草稿和审核员查看看板、排名，"
        "限时运行后输出每秒请求数、各页面 p50/p95/p99 和错误数（JSON，stderr 另有表格）。"
        f"数据库取自 DATABASE_URL，例如 {SUGGESTED_URL}（不存在时自动创建）。"
    )
    # The database may not exist yet when the command starts: nothing may touch it before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=60, help="压测时长（秒，默认 60）")
        parser.add_argument("--clerks", type=int, default=50, help="填报员人数（默认 50）")
        parser.add_argument("--reviewers", type=int, default=10, help="审核员人数（默认 10）")
        # 5 sync workers (2 × cores + 1) measured best here: the kernel hands each new connection
        # to an idle worker, while a gthread worker queues connections behind its own busy
        # threads (3 × 4 gthread: similar throughput, p95 almost twice as long when saturated).
        parser.add_argument("--workers", type=int, default=5, help="gunicorn 工作进程数（默认 5）")
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="每个工作进程的线程数（默认 1 = sync；大于 1 时 gunicorn 使用 gthread）",
        )
        parser.add_argument("--port", type=int, default=8765, help="gunicorn 端口（默认 8765）")
        parser.add_argument(
            "--think",
            type=float,
            default=5.0,
            help="两次请求之间的随机停顿上限（秒，默认 5：阅读和输入的时间；0.2 为极限压力）",
        )
        parser.add_argument(
            "--broker",
            default="redis://127.0.0.1:6379/13",
            help="后台任务队列（默认本机 Redis 第 13 号库，并启动一个 Celery worker；生产模式必须有）",
        )
        parser.add_argument("--year", type=int, default=None, help="压测使用的报告年度（默认今年）")
        parser.add_argument(
            "--keep-alive",
            action="store_true",
            help="每个用户保持一个长连接（默认每个请求新建连接，与 nginx 反向代理到 gunicorn 时相同）",
        )
        parser.add_argument(
            "--any-database",
            action="store_true",
            help="允许数据库名不含 load（压测会建用户、重置该年度的压测报告）",
        )

    def handle(self, *args, **options):
        if options["seconds"] <= 0 or options["clerks"] < 1 or options["reviewers"] < 0:
            raise CommandError("--seconds 须大于 0，--clerks 至少 1，--reviewers 不能为负。")
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError(
                "负载测试只在 PostgreSQL 上进行（SQLite 不支持多进程并发写入，数字没有意义）。"
                f"请设置 DATABASE_URL，例如：\n  DATABASE_URL={SUGGESTED_URL} "
                ".venv/bin/python manage.py loadtest"
            )
        if "load" not in db["NAME"] and not options["any_database"]:
            raise CommandError(
                f"数据库 {db['NAME']} 的名字不含 load。压测会创建用户并重置压测年度的报告，"
                f"请使用单独的数据库（例如 {SUGGESTED_URL}），或加 --any-database。"
            )
        year = options["year"] or datetime.date.today().year
        err = self.stderr

        if ensure_database(db):
            err.write(f"已创建数据库 {db['NAME']}。")
        call_command("migrate", interactive=False, verbosity=0)
        err.write("准备压测数据 …")
        data = prepare(
            clerks=options["clerks"], reviewers=options["reviewers"], year=year, stdout=err
        )
        connections.close_all()  # the server is about to use the database, not this process

        self.broker = options["broker"]
        if not self.broker:
            raise CommandError("服务器以生产模式运行，必须有任务队列：--broker redis://…")
        env = self._server_env()
        err.write("收集静态文件（DEBUG=False 使用带哈希的文件名）…")
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if collected.returncode != 0:
            raise CommandError("collectstatic 失败：\n" + collected.stderr[-2000:])

        server = Gunicorn(
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            keep_alive=5,
            env=env,
            log=Path(settings.VAR_DIR) / "loadtest" / "gunicorn.log",
        )
        previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        load_before = os.getloadavg()
        worker = None
        try:
            if self.broker:
                worker = _start_worker(env)
            server.start()
            server.wait_ready()
            err.write(
                f"gunicorn 已启动：127.0.0.1:{options['port']}，{options['workers']} 个进程 × "
                f"{options['threads']} 个线程；日志 {server.log_path}"
            )
            result = run_load(
                base_url=f"http://127.0.0.1:{options['port']}",
                clerks=data["clerks"],
                reviewers=data["reviewers"],
                password=PASSWORD,
                year=year,
                seconds=options["seconds"],
                think=options["think"],
                page_name=page_name,
                keep_alive=5 if options["keep_alive"] else 0,
                login_concurrency=max(2, options["workers"]),
                log=err.write,
                sample=functools.partial(server.cpu_sample, db["NAME"]),
            )
            load_after = os.getloadavg()
        except KeyboardInterrupt:
            raise CommandError("已中断（Ctrl-C）：gunicorn 已停止，没有结果。") from None
        finally:
            server.stop()
            if worker is not None:
                _stop_worker(worker)
            signal.signal(signal.SIGTERM, previous_sigterm)

        figures = self._figures(result, options, db, env, load_before, load_after)
        figures["server_log"] = server.problems() | {"file": str(server.log_path)}
        self._table(figures)
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
        if not result["pages"]:
            raise CommandError("没有完成任何请求（用户都未能登录？见上面的错误）。")

    def _server_env(self) -> dict:
        env = dict(os.environ)
        env.pop("EMAIL_HOST", None)  # no real mail from a load run
        # Background jobs (the copied-passage check after a submission) go to a Celery worker on
        # this machine, as in production; without a broker they would run inside the request.
        env["CELERY_BROKER_URL"] = self.broker
        env.update(
            {
                # Production mode, but plain HTTP on 127.0.0.1: no TLS in front of this server.
                "DEBUG": "False",
                # A fresh key per run: sessions live only as long as the run does.
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "USE_HTTPS": "False",
                "SESSION_COOKIE_SECURE": "False",
                "CSRF_COOKIE_SECURE": "False",
                "SECURE_SSL_REDIRECT": "False",
                "SECURE_HSTS_SECONDS": "0",
                # Kept apart from the repository's staticfiles/, which other runs may use.
                "STATIC_ROOT": str(Path(settings.VAR_DIR) / "loadtest" / "static"),
                # Persistent connections, as a production server would run.
                "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
                # Submission e-mails are built and written to the server log, not sent.
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _figures(self, result, options, db, env, load_before, load_after) -> dict:
        pages = result["pages"]
        over = sorted(page for page, f in pages.items() if f["p95_ms"] > P95_TARGET_MS)
        window = result["window"]
        requests = result["total_requests"] or 1
        if window.get("machine_cpu_seconds"):
            # CPU per request (server + database) and how busy the whole machine was: with other
            # work on it, latencies say more about the neighbours than about the portal.
            window["server_cpu_ms_per_request"] = round(
                1000 * (window["gunicorn_cpu_seconds"] + window["postgres_cpu_seconds"]) / requests,
                1,
            )
            window["machine_busy_share"] = round(
                window["machine_busy_cpu_seconds"] / window["machine_cpu_seconds"], 2
            )
            window["portal_share_of_machine"] = round(
                (window["gunicorn_cpu_seconds"] + window["postgres_cpu_seconds"])
                / window["machine_cpu_seconds"],
                2,
            )
        errors_met = result["errors"]["count"] == 0
        overall_met = result["overall"]["p95_ms"] <= P95_TARGET_MS
        return {
            "benchmark": "loadtest",
            "database": f"postgresql/{db['NAME']}",
            "cores": os.cpu_count(),
            "gunicorn": {
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread" if options["threads"] > 1 else "sync",
                "client_keep_alive": options["keep_alive"],
                "db_conn_max_age": int(env["DB_CONN_MAX_AGE"]),
            },
            "background_jobs": "celery worker (1 process)" if self.broker else "in the request",
            "users": {"clerks": options["clerks"], "reviewers": options["reviewers"]},
            "think_seconds": [0, options["think"]],
            "seconds": options["seconds"],
            **result,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "targets": {
                "errors": 0,
                "p95_ms": P95_TARGET_MS,
                "errors_met": errors_met,
                "overall_p95_met": overall_met,
                "pages_over_p95": over,
                "met": errors_met and overall_met and not over,
            },
        }

    def _table(self, figures: dict) -> None:
        err = self.stderr
        rows = [(page, f) for page, f in figures["pages"].items()]
        rows.append(("（合计 overall）", figures["overall"]))
        err.write("")
        err.write(f"{'页面 page':<34}{'次数':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  (ms)")
        for page, f in rows:
            err.write(
                f"{page:<34}{f['count']:>8}{f['p50_ms']:>9.0f}{f['p95_ms']:>9.0f}"
                f"{f['p99_ms']:>9.0f}{f['max_ms']:>9.0f}"
            )
        login = figures["login"]
        err.write(
            f"登录阶段：{figures['login_seconds']} 秒，{login['count']} 个请求，"
            f"p95 {login['p95_ms']:.0f} ms（不计入上表）"
        )
        targets = figures["targets"]
        err.write(
            f"{figures['total_requests']} 个请求 / {figures['seconds']:g} 秒 = "
            f"{figures['requests_per_second']} 请求/秒；错误 {figures['errors']['count']}；"
            f"动作 {figures['actions']}"
        )
        window = figures["window"]
        if "server_cpu_ms_per_request" in window:
            err.write(
                f"服务器 CPU：每个请求 {window['server_cpu_ms_per_request']} ms"
                f"（gunicorn {window['gunicorn_cpu_seconds']} 秒 + PostgreSQL "
                f"{window['postgres_cpu_seconds']} 秒）；整机繁忙 "
                f"{window['machine_busy_share']:.0%}，其中本系统 "
                f"{window['portal_share_of_machine']:.0%}"
            )
        for message in figures["errors"]["sample"][:10]:
            err.write(f"  错误：{message}")
        err.write(
            "目标（0 错误，各页面 p95 ≤ {} ms）：{}{}".format(
                P95_TARGET_MS,
                "达到" if targets["met"] else "未达到",
                f"；p95 超标：{', '.join(targets['pages_over_p95'])}"
                if targets["pages_over_p95"]
                else "",
            )
        )
        err.write("")


def _exit_on_sigterm(signum, frame):
    # Unwinds through the finally blocks, which stop the users and the server.
    raise SystemExit(128 + signum)
