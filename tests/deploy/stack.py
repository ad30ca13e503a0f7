"""The production stack on this machine, as deploy/ describes it: nginx (Debian's) with a
self-signed certificate in front of gunicorn instances run with deploy/gunicorn.conf.py, a Celery
worker on Redis, PostgreSQL. Only ports, paths and the certificate differ from a county's server;
the nginx site and proxy files are deploy/'s own, with those paths replaced."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    workdir: Path
    app_servers: int = 1
    database: str = field(
        default_factory=lambda: os.getenv("TEST_DATABASE_NAME", "test_reportportal") + "_stack"
    )
    redis_db: int = field(default_factory=lambda: int(os.getenv("STACK_REDIS_DB", "11")))
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.app_ports = [free_port() for _ in range(self.app_servers)]
        self.static_root = self.workdir / "staticfiles"
        self.var_dir = self.workdir / "var"
        self.media_root = self.var_dir / "media"
        self.logs = self.workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.base = f"https://127.0.0.1:{self.https_port}"

    # --- environment: the production env file's variables, for this machine --------------------
    def env(self, **extra: str) -> dict[str, str]:
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "CELERY_"))
            and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "USE_HTTPS"}
        }
        return {
            **inherited,
            "DEBUG": "False",
            "SECRET_KEY": self.secret,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "CACHE_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "STATIC_ROOT": str(self.static_root),
            "VAR_DIR": str(self.var_dir),
            "MEDIA_ROOT": str(self.media_root),
            "PRIVATE_FILES_ACCEL_PREFIX": "/_private",
            "SECURE_PROXY_SSL": "True",
            "AXES_PROXY_COUNT": "1",
            # Not port 443 here, so the browser's Origin carries the port.
            "CSRF_TRUSTED_ORIGINS": self.base,
            "DB_CONN_MAX_AGE": "60",
            "DEVTOOLS": "False",
            "GUNICORN_WORKERS": "2",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    def manage(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=600,
        )
        return result

    # --- set-up -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """A fresh database with the demo data, static files collected, a certificate."""
        admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        admin.close()
        redis.Redis(db=self.redis_db).flushdb()
        for args, extra in (
            (("migrate", "--noinput", "-v", "0"), {}),
            # The demo's places, people and reports; the devtools app is off on the servers.
            (("load_demo",), {"DEVTOOLS": "True"}),
            (("collectstatic", "--noinput", "-v", "0"), {}),
        ):
            result = self.manage(*args, **extra)
            assert result.returncode == 0, result.stdout + result.stderr
        tls = self.workdir / "tls"
        tls.mkdir(exist_ok=True)
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(tls / "portal.key"), "-out", str(tls / "portal.crt"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.write_nginx_conf()

    def write_nginx_conf(self) -> None:
        site = (DEPLOY / "nginx" / "reportportal.conf").read_text()
        upstreams = "".join(f"server 127.0.0.1:{port};\n    " for port in self.app_ports)
        replacements = {
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "server 127.0.0.1:8000;\n    ": upstreams,
            "/etc/reportportal/tls/": f"{self.workdir}/tls/",
            "/srv/reportportal/staticfiles/": f"{self.static_root}/",
            "/srv/reportportal/var/media/": f"{self.media_root}/",
            "/var/log/nginx/": f"{self.logs}/",
            "/etc/nginx/reportportal_proxy.conf": str(DEPLOY / "nginx" / "reportportal_proxy.conf"),
        }
        for old, new in replacements.items():
            assert old in site, old
            site = site.replace(old, new)
        site = re.sub(r"\n\s*listen \[::\]:\d+[^\n]*;", "", site)  # no IPv6 on the test host
        (self.workdir / "site.conf").write_text(site)
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        (self.workdir / "nginx.conf").write_text(
            f"""daemon off;
user root;
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.logs}/nginx-main.error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.workdir}/site.conf;
}}
"""
        )

    # --- processes ---------------------------------------------------------------------------------
    def spawn(self, name: str, args: list[str], **extra: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def start(self) -> None:
        for index, port in enumerate(self.app_ports):
            self.spawn(
                f"app{index}",
                [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "reportportal.wsgi"],
                GUNICORN_BIND=f"127.0.0.1:{port}",
                GUNICORN_ACCESS_LOG=str(self.logs / f"app{index}.access.log"),
                GUNICORN_PROC_NAME=f"reportportal-test-app{index}",
            )
        self.spawn(
            "worker",
            [
                str(VENV_BIN / "celery"), "-A", "reportportal", "worker", "--queues", "celery,long",
                "--concurrency", "1", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
            ],
        )  # fmt: skip
        self.spawn("nginx", ["nginx", "-c", str(self.workdir / "nginx.conf")])
        self.wait_until_up()

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        targets = [f"http://127.0.0.1:{port}/login/" for port in self.app_ports]
        while time.monotonic() < deadline:
            self.assert_running()
            if all(self.answers(url) for url in targets) and self.answers(self.base + "/login/"):
                return
            time.sleep(0.3)
        raise AssertionError("the stack did not come up:\n" + self.tails())

    @staticmethod
    def answers(url: str) -> bool:
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        headers = {"X-Forwarded-Proto": "https"}
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=2, context=context) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} stopped ({process.returncode}):\n" + self.tails())

    def tails(self) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            out.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(out)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def access_log(self, index: int) -> list[tuple[str, str, int]]:
        """(method, path, status) of each request app server `index` answered."""
        pattern = re.compile(r'"(\w+) (\S+)" (\d{3}) ')
        lines = (self.logs / f"app{index}.access.log").read_text().splitlines()
        return [(m[1], m[2], int(m[3])) for m in map(pattern.search, lines) if m]
