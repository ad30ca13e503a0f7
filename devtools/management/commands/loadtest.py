import atexit
import contextlib
import datetime
import importlib.metadata
import json
import os
import re
import secrets
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from devtools import processes
from devtools.demo import HEAD_TITLES
from devtools.loadtest_data import PASSWORD, prepare
from reports.models import Report

SUGGESTED_URL = "postgres://postgres@127.0.0.1:5432/reportportal_load"
P95_TARGET_MS = 300
ERROR_SAMPLE = 25
ACTIONS = ("saves", "submits", "withdrawals", "reviewer_404_on_withdrawn_report (expected)")
LOGIN_TIMEOUT = 300  # seconds for every user to log in before the window opens regardless
LOCUST_VERSION = importlib.metadata.version("locust")  # without importing it (gevent)


class Gunicorn(processes.Gunicorn):
    """The app server under test, with the load run's own command line."""

    def __init__(
        self, *, host: str, port: int, workers: int, threads: int, keep_alive: int, env, log: Path
    ):
        super().__init__(
            # Production's configuration (deploy/gunicorn.conf.py: the application loaded in the
            # master, limits, logs), with this run's address, processes and timeouts on top.
            command=[
                processes.Gunicorn.binary(),
                "-c",
                str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py"),
                "reportportal.wsgi",
                "--bind",
                f"{host}:{port}",
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
                # A recycled worker takes its CPU time (and its database backend's) with it: the
                # run's CPU per request would come out short.
                "--max-requests",
                "0",
                "--access-logfile",
                str(log.with_name("access.log")),
                "--error-logfile",
                "-",
            ],
            port=port,
            env=env,
            cwd=settings.BASE_DIR,
            log=log,
        )

    def wait_ready(self, path: str = "/login/", timeout: float = 60) -> None:
        """Until the log-in page and one static file answer 200, or the server gives up."""
        super().wait_ready(path, timeout)
        body = self.fetch(path)[1].decode("utf-8", errors="replace")
        css = re.search(r'href="(/static/[^"]+\.css)"', body)
        if css is None or self.fetch(css.group(1))[0] != 200:
            raise CommandError("静态文件不可用（whitenoise / collectstatic）。")

    def cpu_sample(self, dbname: str) -> dict[str, float]:
        """Cumulative CPU of the server (master and workers), of its database backends and of
        the machine: on a shared machine the per-request cost is the figure that carries over."""
        if self.process is None or not Path("/proc/stat").exists():
            return {}
        busy, total = processes.machine_cpu()
        return {
            "gunicorn_cpu_seconds": self.cpu(),
            "postgres_cpu_seconds": sum(
                map(processes.cpu_seconds, processes.postgres_backends(dbname))
            ),
            "machine_busy_cpu_seconds": busy,
            "machine_cpu_seconds": total,
        }

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


def _static_is_current(static_root: Path) -> bool:
    """True when the collected files are newer than every source file: collecting again (hashing
    and compressing 1,300 files) takes a minute on a busy machine."""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    collected = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if Path(storage.path(path)).stat().st_mtime > collected:
                return False
    return True


# The worker's priority in production (deploy/systemd/reportportal-worker.service: Nice=10 and
# CPUWeight=10, the same share against the web server).
WORKER_NICE = 10
AUTOGROUP = Path("/proc/self/autogroup")


def _lower_priority() -> None:
    """Runs in the worker's process before Celery starts. It has a session of its own, and with
    the kernel's autogroups (Debian's default) the CPU is shared between sessions before nice
    values count: nice alone left the worker a whole session's share against gunicorn's
    (measured: 9 % of the machine during a run). Raising the session's autogroup nice as well
    ranks it as production's CPUWeight ranks the worker's cgroup."""
    os.nice(WORKER_NICE)
    # A kernel without autogroups has no such file: the plain nice value is what counts there.
    with contextlib.suppress(OSError):
        AUTOGROUP.write_text(str(WORKER_NICE))


def _start_worker(env) -> subprocess.Popen:
    """One Celery worker (one process) beside the server, so background jobs cost this machine's
    CPU during the run as they would in production, at production's lower priority."""
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
        preexec_fn=_lower_priority,
    )
    log.close()
    atexit.register(_stop_process, worker)
    return worker


def _stop_process(process: subprocess.Popen) -> None:
    """Stops one process this command started (each in its own session: its group is its own)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfile.py"


class Locust:
    """The simulated users: Locust (devtools/locustfile.py) in processes of its own, since it
    patches the standard library with gevent. One process, or a master with workers: those this
    command starts on this machine and those started by hand on load machines.

    The master prints a line when the measured window opens and when it closes; `on_window` is
    called then (to read the server's CPU counters at the same moments)."""

    def __init__(
        self,
        *,
        base_url,
        plan: Path,
        users: int,
        spawn_rate: float,
        folder: Path,
        run_time: int,
        expect_workers: int,
        local_workers: int,
        master_host: str,
        master_port: int,
        on_window,
        log,
    ):
        self.folder = folder
        self.binary = str(Path(sys.executable).with_name("locust"))
        self.log_path = folder / "locust.log"
        self.on_window = on_window
        self.log = log
        self.local_workers = local_workers
        self.master_port = master_port
        # Failures are figures here, not a reason for a non-zero exit (kept for Locust failing);
        # the run time is a safety net only: the scenario's conductor ends the run.
        options = (
            f"--headless --users {users} --spawn-rate {spawn_rate:g} --only-summary "
            f"--exit-code-on-error 0 --run-time {run_time}s"
        )
        if expect_workers:
            options += (
                f" --master --expect-workers {expect_workers} --expect-workers-max-wait 300"
                f" --master-bind-host {master_host} --master-bind-port {master_port}"
            )
        self.command = [
            *(self.binary, "-f", str(LOCUSTFILE), "--host", base_url, "--plan", str(plan)),
            *options.split(),
        ]
        self.processes: list[subprocess.Popen] = []
        self.opened: int | None = None

    def _start(self, command: list[str], log) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        self.processes.append(process)
        atexit.register(_stop_process, process)
        return process

    def run(self) -> dict:
        """Runs the users to the end; returns the conductor's results (see devtools/locustfile)."""
        if not Path(self.binary).exists():
            raise CommandError(f"找不到 locust：{self.binary}（请安装 requirements-dev.txt）。")
        (self.folder / "locust-results.json").unlink(missing_ok=True)
        master = self._start(self.command, subprocess.PIPE)
        for index in range(self.local_workers):
            log = (self.folder / f"locust-worker-{index + 1}.log").open("w", encoding="utf-8")
            self._start(
                [self.binary, "-f", str(LOCUSTFILE), "--worker", "--master-host", "127.0.0.1"]
                + ["--master-port", str(self.master_port)],
                log,
            )
            log.close()
        assert master.stdout is not None
        with self.log_path.open("w", encoding="utf-8") as log:
            for line in master.stdout:
                log.write(line)
                log.flush()
                if line.startswith("LOADTEST window-open"):
                    self.on_window("open")
                    self.opened = int(line.split()[2])
                    self.log(f"{self.opened} 个用户已登录，开始计时 …")
                elif line.startswith("LOADTEST window-close"):
                    self.on_window("close")
        code = master.wait()
        for process in self.processes:
            _stop_process(process)
        try:
            results = json.loads((self.folder / "locust-results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise CommandError(
                f"Locust 没有写出结果（退出码 {code}），见 {self.log_path}：\n{self.tail()}"
            ) from None
        if not results["window"]:
            raise CommandError(f"Locust 没有完成压测时段，见 {self.log_path}：\n{self.tail()}")
        return results

    def cpu_seconds(self) -> float:
        """CPU of the Locust processes on this machine: the load costs this machine too."""
        return sum(processes.cpu_seconds(process.pid) for process in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            _stop_process(process)

    def tail(self, lines: int = 30) -> str:
        return processes.log_tail(self.log_path, lines)


def _results(locust: dict, seconds: float) -> dict:
    """The run's figures from what the Locust master wrote (devtools/locustfile.py)."""
    login, window = locust["login"], locust["window"]
    total = window["overall"]["count"]
    return {
        "login_seconds": login["seconds"],
        "login": login["overall"] | {"pages": login["pages"]},
        "users_logged_in": login["logged_in"],
        "users_not_logged_in": login["failed"],
        "duration_seconds": round(window["closed"] - window["opened"], 1),
        "total_requests": total,
        "requests_per_second": round(total / seconds, 1),
        "pages": window["pages"],
        "overall": window["overall"],
        # A user who cannot log in sees it as much as one whose save fails.
        "errors": _errors(login["errors"] + window["errors"]),
        "actions": dict.fromkeys(ACTIONS, 0) | locust["counts"],
    }


def _errors(rows: list[dict]) -> dict:
    """Locust's failures: one row per request name and message, with its occurrences."""
    by_kind: Counter[str] = Counter()
    sample: list[str] = []
    for row in rows:
        # Locust keeps a failure as its exception's repr: CatchResponseError('HTTP 500') …
        wrapped = re.match(r"^\w+\((['\"])(.*)\1\)$", row["error"], re.S)
        message = wrapped.group(2) if wrapped else row["error"]
        by_kind[f"{row['name']}: {re.split(r'[:(«]', message, maxsplit=1)[0].strip()}"] += row[
            "occurrences"
        ]
        if len(sample) < ERROR_SAMPLE:
            times = f"（{row['occurrences']} 次）" if row["occurrences"] > 1 else ""
            sample.append(f"{row['name']}: {message}{times}"[:300])
    return {
        "count": sum(by_kind.values()),
        "by_kind": dict(by_kind.most_common()),
        "sample": sample,
    }


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
        parser.add_argument(
            "--cache",
            default="",
            help="各 gunicorn 进程共用的缓存（生产环境的 CACHE_URL；默认与 --broker 相同的 Redis 库）",
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
        parser.add_argument(
            "--spawn-rate",
            type=float,
            default=5,
            help="每秒新登录的用户数（默认 5：登录要算密码哈希，一起登录只会测到哈希）",
        )
        parser.add_argument(
            "--workers-local",
            type=int,
            default=0,
            help="在本机另起 N 个 Locust worker 进程（Locust 主控 + worker 方式；默认 0 = 单进程）",
        )
        parser.add_argument(
            "--expect-workers",
            type=int,
            default=None,
            help="Locust 主控等待的 worker 总数（含 --workers-local；其余在压测机上手动启动）",
        )
        parser.add_argument(
            "--master-port",
            type=int,
            default=None,
            help="Locust 主控端口（默认 --port 加 1）",
        )
        parser.add_argument(
            "--check-failures",
            action="store_true",
            help="自检：第一名填报员用错误密码登录，结果中应有 1 个错误（检验错误确实被统计）",
        )
        parser.add_argument(
            "--public-host",
            default="",
            help="压测机访问本机用的地址（分布式压测时填写，例如 192.168.1.10；"
            "gunicorn 和 Locust 主控随之监听所有网卡）",
        )

    def handle(self, *args, **options):
        if options["seconds"] <= 0 or options["clerks"] < 1 or options["reviewers"] < 0:
            raise CommandError("--seconds 须大于 0，--clerks 至少 1，--reviewers 不能为负。")
        db = settings.DATABASES["default"]
        if connection.vendor != "postgresql":
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

        if processes.ensure_database(db):
            err.write(f"已创建数据库 {db['NAME']}。")
        call_command("migrate", interactive=False, verbosity=0)
        err.write("准备压测数据 …")
        data = prepare(
            clerks=options["clerks"], reviewers=options["reviewers"], year=year, stdout=err
        )
        # A wrong password of an earlier run (--check-failures) must not lock an account out.
        for spec in data["clerks"] + data["reviewers"]:
            axes_reset(username=spec["username"])
        self.wrong_password = options["check_failures"]
        folder = Path(settings.VAR_DIR) / "loadtest"
        plan = self._plan(data, options, year, folder)
        connections.close_all()  # the server is about to use the database, not this process

        self.broker = options["broker"]
        self.cache = options["cache"] or self.broker
        self.public_host = options["public_host"]
        if not self.broker:
            raise CommandError("服务器以生产模式运行，必须有任务队列：--broker redis://…")
        env = self._server_env()
        static_root = Path(env["STATIC_ROOT"])
        if _static_is_current(static_root):
            err.write(f"静态文件已是最新（{static_root}）。")
        else:
            self._collect_static(env)

        public_host = self.public_host
        server = Gunicorn(
            # Load machines reach the server on the network; otherwise nothing but this machine.
            host="0.0.0.0" if public_host else "127.0.0.1",
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            keep_alive=5,
            env=env,
            log=folder / "gunicorn.log",
        )
        users = options["clerks"] + options["reviewers"]
        local_workers = options["workers_local"]
        expect_workers = options["expect_workers"] or local_workers
        samples: dict[str, dict[str, float]] = {}

        def on_window(moment: str) -> None:
            samples[moment] = server.cpu_sample(db["NAME"]) | {
                "locust_cpu_seconds": users_process.cpu_seconds()
            }

        users_process = Locust(
            base_url=f"http://{public_host or '127.0.0.1'}:{options['port']}",
            plan=plan,
            users=users,
            spawn_rate=options["spawn_rate"],
            folder=folder,
            run_time=LOGIN_TIMEOUT + int(options["seconds"]) + 120,
            expect_workers=expect_workers,
            local_workers=local_workers,
            master_host="*" if public_host else "127.0.0.1",
            master_port=options["master_port"] or options["port"] + 1,
            on_window=on_window,
            log=err.write,
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
                f"gunicorn 已启动：{public_host or '127.0.0.1'}:{options['port']}，"
                f"{options['workers']} 个进程 × {options['threads']} 个线程；日志 {server.log_path}"
            )
            if expect_workers:
                err.write(
                    f"Locust 主控：端口 {users_process.master_port}，等待 {expect_workers} 个 "
                    f"worker（本机 {local_workers} 个）；压测机上运行：\n  .venv/bin/locust -f "
                    f"devtools/locustfile.py --worker --master-host {public_host or '127.0.0.1'} "
                    f"--master-port {users_process.master_port}"
                )
            err.write(
                f"{users} 个用户（每秒 {options['spawn_rate']:g} 个）登录中 …；"
                f"Locust 日志 {users_process.log_path}"
            )
            locust = users_process.run()
            load_after = os.getloadavg()
        except KeyboardInterrupt:
            raise CommandError("已中断（Ctrl-C）：gunicorn 和 Locust 已停止，没有结果。") from None
        finally:
            users_process.stop()
            server.stop()
            if worker is not None:
                _stop_process(worker)
            signal.signal(signal.SIGTERM, previous_sigterm)

        result = _results(locust, options["seconds"])
        before, after = samples.get("open", {}), samples.get("close", {})
        result["window"] = {
            key: round(after[key] - before.get(key, 0.0), 2) for key in after if key in before
        }
        # The simulated users share the machine with the server: what they cost is part of it.
        result["client_cpu_seconds"] = result["window"].pop("locust_cpu_seconds", None)
        result["locust"] = {
            "version": LOCUST_VERSION,
            "workers": expect_workers,
            "local_workers": local_workers,
            "spawn_rate": options["spawn_rate"],
        }
        figures = self._figures(result, options, db, env, load_before, load_after)
        figures["server_log"] = server.problems() | {"file": str(server.log_path)}
        self._table(figures)
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
        if not result["pages"]:
            raise CommandError("没有完成任何请求（用户都未能登录？见上面的错误）。")

    def _collect_static(self, env: dict) -> None:
        self.stderr.write("收集静态文件（DEBUG=False 使用带哈希的文件名）…")
        processes.collectstatic(env, settings.BASE_DIR)

    def _plan(self, data: dict, options: dict, year: int, folder: Path) -> Path:
        """What the Locust master hands its users: one account each, and the run's settings.
        Reports that exist before the run are never withdrawn: a 404 on one is an error."""
        folder.mkdir(parents=True, exist_ok=True)
        plan = {
            "clerks": [
                {
                    "username": spec["username"],
                    "password": PASSWORD,
                    "township": spec["township"].name,
                    "head": HEAD_TITLES[spec["township"].kind],
                }
                for spec in data["clerks"]
            ],
            "reviewers": [
                {"username": spec["username"], "password": PASSWORD} for spec in data["reviewers"]
            ],
            "year": year,
            "think": options["think"],
            "keep_alive": options["keep_alive"],
            "seconds": options["seconds"],
            "login_timeout": LOGIN_TIMEOUT,
            "stable_report_ids": list(
                Report.objects.filter(period=data["period"]).values_list("pk", flat=True)
            ),
            "results": str(folder / "locust-results.json"),
        }
        if self.wrong_password:
            plan["clerks"][0]["password"] += "-wrong"
        path = folder / "locust-plan.json"
        path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        return path

    def _server_env(self) -> dict:
        env = dict(os.environ)
        env.pop("EMAIL_HOST", None)  # no real mail from a load run
        # Background jobs (the copied-passage check after a submission) go to a Celery worker on
        # this machine, as in production; without a broker they would run inside the request.
        env["CELERY_BROKER_URL"] = self.broker
        # The cache shared by the server's processes, as in production (sessions, page bodies):
        # without it each process would keep its own and miss what the others drew.
        env["CACHE_URL"] = self.cache
        env.update(
            {
                # Production mode, but plain HTTP on 127.0.0.1: no TLS in front of this server.
                "DEBUG": "False",
                # A fresh key per run: sessions live only as long as the run does.
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": ",".join(filter(None, ["127.0.0.1", self.public_host])),
                "USE_HTTPS": "False",
                "SESSION_COOKIE_SECURE": "False",
                "CSRF_COOKIE_SECURE": "False",
                "SECURE_SSL_REDIRECT": "False",
                "SECURE_HSTS_SECONDS": "0",
                # Kept apart from the repository's staticfiles/, which other runs may use.
                "STATIC_ROOT": str(Path(settings.VAR_DIR) / "loadtest" / "static"),
                # Persistent connections, as a production server would run, kept through the
                # whole run: a database backend that exits takes its CPU time with it, and the
                # run's CPU per request would come out short.
                "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "3600"),
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
            "background_jobs": f"celery worker (1 process, nice {WORKER_NICE}, autogroup nice {WORKER_NICE})"
            if self.broker
            else "in the request",
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
            f"p95 {login['p95_ms']:.0f} ms（不计入上表）；未能登录的用户 "
            f"{figures['users_not_logged_in']} 个"
        )
        locust = figures["locust"]
        err.write(
            f"Locust {locust['version']}："
            + (
                f"{locust['workers']} 个 worker（本机 {locust['local_workers']} 个）"
                if locust["workers"]
                else "单进程"
            )
            + f"，本机 Locust 进程 CPU {figures['client_cpu_seconds']} 秒"
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
