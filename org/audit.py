"""The security audit log (等保 2.0 安全审计): one home for recording who did what.

Services call ``audit_record(event=…, obj=…)``; who and from where come from the request being
served (a context variable the middleware sets), so no service needs the request passed in.
Log-ins, failed log-ins, log-outs and lock-outs are recorded from Django's and django-axes'
signals (authentication glue, not business logic). Refused requests on objects (403 and 404 for
signed-in users) are recorded by the middleware.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import AuditEvent

Event = AuditEvent.Event
Result = AuditEvent.Result


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    ip: str


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def client_ip(request: HttpRequest) -> str:
    """The client's address as django-axes reads it (it knows the reverse proxies)."""
    from axes.helpers import get_client_ip_address

    return str(get_client_ip_address(request) or "")[:45]


def actor_of(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return Actor(
        user.pk if signed_in else None,  # type: ignore[union-attr]
        user.get_username() if signed_in else "",  # type: ignore[union-attr]
        client_ip(request),
    )


def _describe(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:200]


def audit_record(
    *,
    event: str,
    obj: models.Model | None = None,
    result: str = Result.OK,
    detail: str = "",
    user: Any = None,
    username: str = "",
    ip: str = "",
) -> None:
    """Appends one event (in the caller's transaction, if any)."""
    current = _current.get()
    if user is not None and getattr(user, "is_authenticated", False):
        user_id, name = user.pk, user.get_username()
    elif current is not None:
        user_id, name = current.user_id, current.username
    else:
        user_id, name = None, ""
    object_type, object_id, object_repr = _describe(obj)
    event_row = AuditEvent(
        user_id=user_id,
        username=(username or name)[:150],
        ip=ip or (current.ip if current else ""),
        event=event,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        result=result,
        detail=detail[:500],
    )
    _write([event_row])


def audit_record_many(*, event: str, objects: Iterable[models.Model], detail: str = "") -> None:
    """One event per object, in one insert (bulk approval)."""
    current = _current.get()
    rows = []
    for obj in objects:
        object_type, object_id, object_repr = _describe(obj)
        rows.append(
            AuditEvent(
                user_id=current.user_id if current else None,
                username=current.username if current else "",
                ip=current.ip if current else "",
                event=event,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                detail=detail[:500],
            )
        )
    _write(rows)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """What a hostile request carried (a NUL in a path) is recorded, visibly, not stored raw."""
    return _CONTROL.sub("\ufffd", text)


def _write(rows: list[AuditEvent]) -> None:
    # In the caller's transaction: a move and the line recording it commit or roll back
    # together. A refused attempt is recorded by the caller after its transaction (views record
    # the refusals they show; the middleware records 403 and 404 answers).
    for row in rows:
        row.username, row.object_repr, row.detail = (
            _clean(row.username),
            _clean(row.object_repr),
            _clean(row.detail),
        )
    AuditEvent.objects.bulk_create(rows)


class AuditMiddleware:
    """Knows who is acting for the services' records, and records refused requests on objects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(actor_of(request))
        try:
            response = self.get_response(request)
            if (
                response.status_code in (403, 404)
                and _current.get()
                and request.user.is_authenticated
            ):
                audit_record(
                    event=Event.REFUSED,
                    result=Result.REFUSED,
                    detail=f"{request.method} {request.path[:200]} → {response.status_code}",
                )
            return response
        finally:
            _current.reset(token)


def purge_expired(*, today: Any = None) -> int:
    """Deletes rows older than AUDIT_RETENTION_DAYS (never below the 180-day floor the database
    enforces)."""
    days = max(int(settings.AUDIT_RETENTION_DAYS), 180)
    cutoff = (today or timezone.now()) - timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- authentication signals (connected in OrgConfig.ready) -----------------------------------


def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(event=Event.LOGIN, user=user, ip=client_ip(request) if request else "")


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        event=Event.LOGIN_FAILED,
        result=Result.FAILED,
        username=str(credentials.get("username", ""))[:150],
        ip=client_ip(request) if request else "",
    )


def on_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(event=Event.LOGOUT, user=user, ip=client_ip(request) if request else "")


def on_locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any
) -> None:
    audit_record(
        event=Event.LOCKED_OUT,
        result=Result.REFUSED,
        username=str(username or "")[:150],
        ip=str(ip_address or "")[:45],
        detail="连续登录失败，账号被锁定",
    )


@shared_task(name="org.audit_purge")
def audit_purge_daily() -> None:
    purge_expired()
