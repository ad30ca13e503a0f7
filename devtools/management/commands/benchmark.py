import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# name → (command and arguments, arguments for --quick)
BENCHMARKS = {
    "scoring": (["benchmark_scoring"], ["--reports", "10000"]),
    "pdf": (["benchmark_pdf"], ["--repeat", "1"]),
    "extraction": (["benchmark_extraction"], ["--reports", "100"]),
    "similarity": (["benchmark_similarity"], ["--sizes", "10000"]),
    "load": (["loadtest", "--seconds", "60"], ["--seconds", "20"]),
    # Loads the whole country's map into the bench database (once; later runs change nothing).
    "scale": (["benchmark_scale"], ["--requests", "10"]),
    # gunicorn and wrk on loopback: the hot pages against bare Django, in the same run.
    "web": (["benchmark_web"], ["--seconds", "3"]),
}


class Command(BaseCommand):
    help = (
        "全部性能基准：评分吞吐、PDF 用时、文本识别和相似度检索、压测下的页面延迟，"
        "输出一个 JSON 对象（含 CPU 核数）。请在 PostgreSQL 上运行（设置 DATABASE_URL）；"
        "压测使用同一服务器上的 reportportal_load 库（或 LOAD_DATABASE_URL）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="只运行这些基准")
        parser.add_argument("--quick", action="store_true", help="缩小规模，快速试跑")

    def handle(self, *args, only=None, quick=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("基准必须在 PostgreSQL 上运行：请设置 DATABASE_URL。")
        # A fresh bench database is usable at once, as the load run's own database already is.
        call_command("migrate", interactive=False, verbosity=0)
        results = {
            "benchmark": "all",
            "cores": os.cpu_count(),
            "database": connection.vendor,
            "quick": quick,
        }
        started = time.perf_counter()
        for name, (command, quick_args) in BENCHMARKS.items():
            if only and name not in only:
                continue
            self.stderr.write(f"==> {name}")
            argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), *command]
            if quick:
                argv += quick_args
            # Each benchmark in its own process: its memory peak and start-up are its own.
            env = os.environ.copy()
            if name == "load":
                # The load run resets its own year's reports and users: a database of its own.
                env["DATABASE_URL"] = os.getenv("LOAD_DATABASE_URL") or _sibling_database(
                    env["DATABASE_URL"], "reportportal_load"
                )
            done = subprocess.run(argv, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                self.stderr.write(done.stderr[-2000:])
                results[name] = {"error": f"exit {done.returncode}"}
                continue
            results[name] = _last_json(done.stdout)
        results["total_seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))


def _last_json(output: str) -> dict:
    """The last JSON object a benchmark printed, on one line or indented over several."""
    starts = [i for i, line in enumerate(output.splitlines()) if line.startswith("{")]
    lines = output.splitlines()
    for start in reversed(starts):
        try:
            return json.loads("\n".join(lines[start:]))
        except json.JSONDecodeError:
            try:
                return json.loads(lines[start])
            except json.JSONDecodeError:
                continue
    return {"error": "no JSON printed"}


def _sibling_database(url: str, name: str) -> str:
    """The same server's database `name`: postgres://u@h:5432/bench → postgres://u@h:5432/name."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))
