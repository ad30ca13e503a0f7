"""Accounts: the security administrator's user page (create, reset a password, deactivate, end
sessions, unlock), every user's own password change, and the audit administrator's log."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from reportportal.types import AuthedRequest

from .access import Page, require
from .audit import audit_record
from .forms import NewAccountForm
from .middleware import MUST_CHANGE
from .models import AuditEvent, UserSession
from .params import optional_id, place_from_query
from .second_factor import (
    confirmed_device,
    device_confirm,
    pending_device,
    second_factor_reset,
    secret_of,
    token_check,
)
from .selectors import chosen_place
from .services import (
    AccountError,
    password_changed,
    user_create,
    user_password_reset,
    user_sessions_end,
    user_set_active,
    user_unlock,
)


@login_required
@require_http_methods(["GET", "POST"])
def people(request: AuthedRequest) -> HttpResponse:
    """Every account with its role and place; a new account in one step."""
    require(request.user, Page.PEOPLE)
    place = chosen_place(
        optional_id(request.GET, "county", "县（市、区）"), **place_from_query(request.GET)
    )
    form = NewAccountForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                township=data["township"],
                county=data["county"],
                city=data["city"],
                email=data["email"],
            )
        except AccountError as exc:
            form.add_error("username", str(exc))
        else:
            return _show_password(request, user, password, created=True)
    search = request.GET.get("q", "").strip()[:50]
    users = User.objects.select_related(
        "membership__township__county", "membership__county"
    ).order_by("-is_active", "username")
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(membership__township__name__contains=search)
            | Q(membership__county__name__contains=search)
        )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    shown = [person.pk for person in page.object_list]
    sessions = dict(
        UserSession.objects.filter(user_id__in=shown)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    locked = set(
        AccessAttempt.objects.filter(
            username__in=[person.username for person in page.object_list],
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        ).values_list("username", flat=True)
    )
    here = {"province": place.province, "city": place.city}
    if place.county is not None:
        here["county"] = str(place.county.pk)
    return render(
        request,
        "org/people.html",
        {
            "form": form,
            "page": page,
            "search": search,
            "sessions": sessions,
            "locked": locked,
            "place": place,
            "place_query": urlencode({key: value for key, value in here.items() if value}),
        },
    )


def _show_password(
    request: AuthedRequest, user: User, password: str, *, created: bool
) -> HttpResponse:
    # Shown once, on this page only: the password is stored nowhere readable.
    response = render(
        request,
        "org/temporary_password.html",
        {"person": user, "password": password, "created": created},
    )
    return response


@login_required
@require_POST
def people_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    password = user_password_reset(actor=request.user, user=user)
    return _show_password(request, user, password, created=False)


@login_required
@require_POST
def people_active(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(actor=request.user, user=user, active=active)
    except AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{'启用' if active else '停用'}账号 {user.username}。")
    return redirect("people")


@login_required
@require_POST
def people_sessions_end(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    count = user_sessions_end(actor=request.user, user=user)
    messages.success(request, f"已结束 {user.username} 的 {count} 个登录会话。")
    return redirect("people")


@login_required
@require_POST
def people_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    user_unlock(actor=request.user, user=user)
    messages.success(request, f"已解除 {user.username} 的登录锁定。")
    return redirect("people")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        password_changed(user=user)
        request.session.pop(MUST_CHANGE, None)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "org/password_change.html",
        {"form": form, "forced": request.session.get(MUST_CHANGE, "")},
    )


@login_required
@require_safe
def keepalive(request: AuthedRequest) -> HttpResponse:
    """The idle-timeout warning's 「继续使用」 (and typing in a long form) keeps the session."""
    return HttpResponse(status=204)


# --- the security audit log (审计管理员) ------------------------------------------------------

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_MAX = 100_000


def _audit_events(request: AuthedRequest) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """The log filtered by the query: user name, event, result, day range."""
    filters = {
        key: request.GET.get(key, "").strip()[:50]
        for key in ("username", "event", "result", "since", "until")
    }
    events = AuditEvent.objects.all()
    if filters["username"]:
        events = events.filter(username__icontains=filters["username"])
    if filters["event"]:
        if filters["event"] not in AuditEvent.Event.values:
            raise BadRequest("事件类型不正确，请从列表中选择。")
        events = events.filter(event=filters["event"])
    if filters["result"]:
        if filters["result"] not in AuditEvent.Result.values:
            raise BadRequest("结果不正确，请从列表中选择。")
        events = events.filter(result=filters["result"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[key]:
            try:
                day = date.fromisoformat(filters[key])
            except ValueError:
                raise BadRequest("日期格式不正确，请用 2024-01-31 这样的格式。") from None
            events = events.filter(**{lookup: day})
    return events, filters


@login_required
@require_safe
def audit_log(request: AuthedRequest) -> HttpResponse:
    require(request.user, Page.AUDIT)
    events, filters = _audit_events(request)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "events": AuditEvent.Event.choices,
            "results": AuditEvent.Result.choices,
            "query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


def _cell(value: object) -> str:
    """A value as a spreadsheet cell that cannot run as a formula (= + - @ start one)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_safe
def audit_export(request: AuthedRequest) -> StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with BOM, so that Excel reads the Chinese)."""
    require(request.user, Page.AUDIT)
    events, _filters = _audit_events(request)
    audit_record(event=AuditEvent.Event.EXPORT, detail="导出安全审计日志")

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["时间", "用户", "来源地址", "事件", "对象类型", "对象编号", "对象", "结果", "说明"]
        )
        yield "\ufeff" + buffer.getvalue()
        for event in events[:AUDIT_EXPORT_MAX].iterator(chunk_size=2000):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    _cell(timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")),
                    _cell(event.username),
                    _cell(event.ip),
                    _cell(event.get_event_display()),
                    _cell(event.object_type),
                    _cell(event.object_id),
                    _cell(event.object_repr),
                    _cell(event.get_result_display()),
                    _cell(event.detail),
                ]
            )
            yield buffer.getvalue()

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''audit-log.csv"
    return response


# --- the second factor --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: AuthedRequest) -> HttpResponse:
    """Sets up an authenticator app (QR code, first code, recovery codes) or checks a code."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    token = request.POST.get("token", "").strip()[:20]
    error = ""
    device = confirmed_device(user)
    if device is None:
        pending = pending_device(user)
        if request.method == "POST":
            codes = device_confirm(user=user, device=pending, token=token)
            if codes is not None:
                otp_login(request, pending)
                return render(
                    request, "org/recovery_codes.html", {"codes": codes, "next": next_url}
                )
            error = "验证码不正确，请用手机验证器上现在显示的 6 位数字再试。"
        qr = segno.make(pending.config_url, error="m").svg_inline(scale=4, dark="#000")
        return render(
            request,
            "org/second_factor_setup.html",
            {"qr": mark_safe(qr), "secret": secret_of(pending), "error": error, "next": next_url},  # noqa: S308 - segno's own markup
        )
    if request.method == "POST":
        matched = token_check(user=user, token=token)
        if matched is not None:
            otp_login(request, matched)
            return redirect(next_url)
        error = "验证码不正确或已使用过，请重新输入。"
    return render(request, "org/second_factor.html", {"error": error, "next": next_url})


@login_required
@require_POST
def people_second_factor_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request.user, Page.PEOPLE)
    user = get_object_or_404(User, pk=pk)
    second_factor_reset(actor=request.user, user=user)
    messages.success(request, f"已重置 {user.username} 的双因素认证，本人下次登录时重新绑定。")
    return redirect("people")
