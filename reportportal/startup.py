"""What production needs before it answers a request.

Settings refuse to load without SECRET_KEY, ALLOWED_HOSTS and the broker; this module checks what
only exists on disk: the static files' manifest, without which every page would answer 500 (the
hashed names of CSS and scripts are looked up in it). The WSGI entry point calls it, so gunicorn
and runserver refuse to start, while collectstatic (which makes the manifest) still runs.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MANIFEST = "staticfiles.json"


def manifest_path() -> Path:
    return Path(settings.STATIC_ROOT) / MANIFEST


def uses_manifest() -> bool:
    return "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]


def startup_problems() -> list[str]:
    if settings.DEBUG:
        return []
    problems = []
    if uses_manifest() and not manifest_path().is_file():
        problems.append(
            f"没有静态文件清单 {manifest_path()}：请先运行 "
            "`manage.py collectstatic --noinput`（与服务相同的环境变量）。"
            f" The static files' manifest {manifest_path()} is missing: run collectstatic first."
        )
    return problems


def refuse_to_start_if_not_ready() -> None:
    problems = startup_problems()
    if problems:
        raise ImproperlyConfigured("本系统无法以生产模式启动。" + " ".join(problems))
