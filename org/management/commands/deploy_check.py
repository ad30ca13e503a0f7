"""`manage.py deploy_check`: is this server ready? Run it with the service's environment
(`set -a; . /etc/reportportal/reportportal.env; set +a`) after every installation or change."""

import io
import smtplib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from org.models import AuditEvent
from reportportal.startup import manifest_path, startup_problems

OK, WARN, FAIL = "通过", "提醒", "失败"


class Command(BaseCommand):
    help = (
        "检查生产服务器的配置：设置、数据库、迁移、静态文件、任务队列、邮件、缓存、check --deploy"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-worker", action="store_true", help="不检查任务队列的 worker（先装网页服务时）"
        )

    def handle(self, *args, **options):
        checks: list[tuple[str, Callable[[], tuple[str, str]]]] = [
            ("生产模式", self.production),
            ("数据库", self.database),
            ("数据库迁移", self.migrations),
            ("审计日志只可追加", self.audit_log),
            ("静态文件清单", self.static_manifest),
            ("文件目录", self.media),
            ("缓存", self.cache),
            ("缓存的内存上限", self.cache_memory),
            ("邮件", self.mail),
            ("超级用户", self.superusers),
            ("Django check --deploy", self.django_deploy_check),
        ]
        if not options["no_worker"]:
            checks.insert(5, ("任务队列", self.worker))
        failed = 0
        for label, check in checks:
            try:
                result, detail = check()
            except Exception as exc:  # a check that breaks is a failed check, with its reason
                result, detail = FAIL, f"{type(exc).__name__}: {exc}"
            failed += result == FAIL
            self.stdout.write(f"[{result}] {label}：{detail}")
        if failed:
            raise CommandError(f"{failed} 项检查未通过，请按上面的说明修改后再运行。")
        self.stdout.write("全部检查通过。")

    def production(self) -> tuple[str, str]:
        if settings.DEBUG:
            return FAIL, "DEBUG 为 True（演示模式）；生产环境须设置 DEBUG=False"
        if len(settings.SECRET_KEY) < 50:
            return FAIL, "SECRET_KEY 少于 50 个字符"
        return OK, f"DEBUG=False，ALLOWED_HOSTS={','.join(settings.ALLOWED_HOSTS)}"

    def database(self) -> tuple[str, str]:
        connection.ensure_connection()
        vendor = connection.vendor
        if vendor != "postgresql":
            return FAIL, f"使用的是 {vendor}；生产环境须使用 PostgreSQL（DATABASE_URL）"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        return OK, f"PostgreSQL {version}，数据库 {connection.settings_dict['NAME']}"

    def migrations(self) -> tuple[str, str]:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = "、".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
            return FAIL, f"有 {len(plan)} 个迁移未执行（{names}…）：运行 manage.py migrate"
        return OK, "全部已执行"

    def audit_log(self) -> tuple[str, str]:
        if connection.vendor != "postgresql":
            return WARN, "只有 PostgreSQL 能禁止修改审计日志"
        refused = 0
        for statement in (
            f"UPDATE {AuditEvent._meta.db_table} SET detail = detail",
            f"DELETE FROM {AuditEvent._meta.db_table} WHERE at > now() - interval '1 day'",
        ):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement)
                    # Reached only if the database allowed it: undo, and say so.
                    raise _Allowed
            except DatabaseError:
                refused += 1
            except _Allowed:
                pass
        if refused != 2:
            return FAIL, "数据库允许修改或删除审计日志：运行 manage.py migrate 以安装保护触发器"
        return OK, "数据库拒绝修改和删除"

    def static_manifest(self) -> tuple[str, str]:
        problems = startup_problems()
        if problems:
            return FAIL, " ".join(problems)
        return OK, str(manifest_path())

    def worker(self) -> tuple[str, str]:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return FAIL, "未设置 CELERY_BROKER_URL：长任务会在请求内执行"
        from reportportal.celery import app

        replies = app.control.ping(timeout=3.0)
        if not replies:
            return FAIL, "任务队列中没有 worker 应答：启动 reportportal-worker 服务"
        active = app.control.inspect(timeout=3.0).active_queues() or {}
        queues = {q["name"] for worker_queues in active.values() for q in worker_queues}
        missing = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.LONG_JOBS_QUEUE} - queues
        if missing:
            return FAIL, f"没有 worker 处理队列 {'、'.join(sorted(missing))}"
        return OK, f"{len(replies)} 个 worker，队列 {'、'.join(sorted(queues))}"

    def media(self) -> tuple[str, str]:
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        probe = media / ".deploy_check"
        probe.write_text("ok")
        probe.unlink()
        if not settings.PRIVATE_FILES_ACCEL_PREFIX:
            return WARN, f"{media} 可写；未设置 PRIVATE_FILES_ACCEL_PREFIX，文件由应用自己发送"
        return OK, f"{media} 可写，文件经 nginx {settings.PRIVATE_FILES_ACCEL_PREFIX}/ 发送"

    def cache(self) -> tuple[str, str]:
        backend = settings.CACHES["default"]["BACKEND"]
        cache.set("deploy_check", "ok", 10)
        if cache.get("deploy_check") != "ok":
            return FAIL, "缓存写入后读不出"
        if "locmem" in backend:
            return WARN, "缓存在进程内：多台应用服务器时请设置 CACHE_URL（Redis）"
        return OK, backend.rsplit(".", 1)[-1]

    def cache_memory(self) -> tuple[str, str]:
        """Pages keep their bodies in the cache, so Redis must have a ceiling; and since the task
        queue may share it, only keys with an expiry (the cache's, never the queue's) may go."""
        if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
            return OK, "缓存不在 Redis 中，不适用"
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        config = client.config_get("maxmemory*")
        limit = int(config.get("maxmemory", 0))
        policy = config.get("maxmemory-policy", "")
        if not limit or not policy.startswith("volatile-"):
            return WARN, (
                f"Redis maxmemory={limit}，maxmemory-policy={policy}：请在 /etc/redis/redis.conf 中设置"
                "内存上限和 volatile-lru（只淘汰有过期时间的缓存，不淘汰任务队列），见 README 部署第 1 步"
            )
        return OK, f"maxmemory {limit // (1024 * 1024)} MB，{policy}"

    def mail(self) -> tuple[str, str]:
        if not settings.EMAIL_HOST:
            return WARN, "未设置 EMAIL_HOST：不发邮件，提醒只在系统内显示"
        try:
            with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=5) as smtp:
                smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            return FAIL, f"连不上邮件服务器 {settings.EMAIL_HOST}:{settings.EMAIL_PORT}（{exc}）"
        return OK, f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"

    def superusers(self) -> tuple[str, str]:
        names = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list(
                "username", flat=True
            )
        )
        if names:
            return WARN, (
                f"超级用户 {'、'.join(names)} 仍可登录：超级用户只用于安装，"
                "请改用 create_administrators 创建的三员账号，并停用超级用户"
            )
        return OK, "没有可登录的超级用户"

    def django_deploy_check(self) -> tuple[str, str]:
        out = io.StringIO()
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
        return OK, out.getvalue().strip().splitlines()[-1]


class _Allowed(Exception):
    pass
