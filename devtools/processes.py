"""Processes the benchmarks start and measure: a gunicorn in its own session, stopped however the
run ends, and the CPU it and its database backends used (Linux /proc)."""

import atexit
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_backends(dbname: str) -> list[int]:
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


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


class Gunicorn:
    """A gunicorn in its own session, so that Ctrl-C reaches only the command, which then stops
    it (also from atexit); SIGTERM stops its master and workers, SIGKILL the rest."""

    def __init__(self, *, command: list[str], port: int, env: Mapping[str, str], cwd: Path, log):
        self.command = command
        self.port = port
        self.env = dict(env)
        self.cwd = cwd
        self.log_path = Path(log)
        self.process: subprocess.Popen | None = None

    @classmethod
    def binary(cls) -> str:
        path = Path(sys.executable).with_name("gunicorn")
        if not path.exists():
            raise CommandError(f"找不到 gunicorn：{path}（请安装 requirements.txt）。")
        return str(path)

    def start(self) -> None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise CommandError(f"端口 {self.port} 已被占用，请用 --port 换一个。")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w", encoding="utf-8") as log:
            atexit.register(self.stop)
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CommandError(
                    f"gunicorn 启动失败（退出码 {self.process.returncode}）：\n{self.tail()}"
                )
            try:
                status = self.fetch(path)[0]
            except OSError:
                time.sleep(0.2)
                continue
            if status != 200:
                raise CommandError(f"{path} 返回 HTTP {status}：\n{self.tail()}")
            return
        raise CommandError(f"gunicorn 在 {timeout:.0f} 秒内没有响应：\n{self.tail()}")

    def fetch(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
            process.wait(timeout=5)

    def wait_idle(self, timeout: float = 300) -> None:
        """Until the workers have finished what a load run left queued: a client gone does not
        take back the requests the server already accepted, and their CPU must not be counted
        to the next run."""
        deadline = time.monotonic() + timeout
        before = self.cpu()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.cpu()
            if now - before < 0.02:
                return
            before = now
        raise CommandError(f"gunicorn 在 {timeout:.0f} 秒内没有处理完积压的请求。")

    def cpu(self) -> float:
        """CPU seconds of the master and its workers so far."""
        if self.process is None:
            return 0.0
        master = self.process.pid
        return sum(map(cpu_seconds, [master, *children(master)]))

    def tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def collectstatic(env: Mapping[str, str], cwd: Path) -> None:
    """The servers' static files (hashed names with DEBUG=False), in the environment's STATIC_ROOT."""
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise CommandError("collectstatic 失败：\n" + done.stderr[-2000:])
