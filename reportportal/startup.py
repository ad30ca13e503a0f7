"""What production needs before it answers a request, and what it loads before its workers fork.

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


def warm_up() -> None:
    """Loads what every worker would otherwise build on its own at its first use. gunicorn loads
    the application in its master (preload_app) and forks the workers from it: jieba's dictionary
    (about 1 s of CPU and 50 MB) is then built once, shared by all, and a worker recycled after
    max_requests starts with it, instead of the first reviewer to open a review page after each
    start waiting for it."""
    if settings.DEBUG:
        return  # the demo's runserver: load it when a page first needs it
    from reading.tokens import tokenizer

    tokenizer()
