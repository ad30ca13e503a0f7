"""Log-in and web security glue: the Chinese log-in form, the lock-out page, Permissions-Policy,
the Content-Security-Policy header."""

from functools import cache
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.signals import setting_changed
from django.db.models import Max
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from org.audit import client_ip
from org.middleware import MUST_CHANGE
from org.services import password_change_reason, session_started

from .middleware import CONTROL_CHARACTERS


class LoginForm(AuthenticationForm):
    """Django's log-in form with messages that tell a clerk what to do, and warn of the lock-out."""

    def clean_username(self) -> str:
        # Checked before authenticate(): django-axes records every failed name (varchar 255),
        # and Django's own form sets max_length without enforcing it.
        username = self.cleaned_data.get("username") or ""
        longest = self.username_field.max_length or 150
        if len(username) > longest or CONTROL_CHARACTERS.search(username):
            raise forms.ValidationError("用户名不正确：请检查是否输入了多余的字符。")
        return username

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        warning = f"连续输错 {settings.AXES_FAILURE_LIMIT} 次后，该账号将被"
        minutes = settings.AXES_COOLOFF_TIME and settings.AXES_COOLOFF_TIME.total_seconds() // 60
        warning += f"锁定 {minutes:.0f} 分钟。" if minutes else "锁定，需由系统管理员解锁。"
        self.error_messages = {
            "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。" + warning,
            "inactive": "该账号已停用，请联系系统管理员。",
        }


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the log-in page again, saying why and until when.

    The form stays usable so a clerk who mistyped a colleague's user name can still log in.
    """
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    unlock_at = None
    if cool_off:
        # The lock lasts cool_off from the last counted failure of this user name at this address.
        last = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).aggregate(last=Max("attempt_time"))["last"]
        unlock_at = timezone.localtime((last or timezone.now()) + cool_off)
    context = {
        "form": LoginForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": True,
        "locked_username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "unlock_at": unlock_at,
    }
    return render(
        request,
        "registration/login.html",
        context,
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy: the portal needs no camera, microphone, location, payment or USB,
    so an injected or framed script cannot ask for them either."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# What a view may set to change its response's policy (django-csp's decorators).
PER_RESPONSE_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@cache
def _settings_policy(report_only: bool) -> str:
    return build_policy(report_only=report_only)


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policy.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, building the settings' policy once. A response no view changed
    (no django-csp decorator) and that used no nonce gets the same header every time, and
    building it cost as much as every other security header together; anything else takes
    django-csp's own path."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in PER_RESPONSE_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, report_only, exempt, setting in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _settings_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class PortalLoginView(LoginView):
    """Django's log-in with the Chinese form; remembers in the session whether the user must
    change a password set by an administrator (org.middleware asks nothing of the database)."""

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        reason = password_change_reason(user)
        if reason:
            self.request.session[MUST_CHANGE] = reason
        self.request.session.save()  # a key for the session list, before the first response
        session_started(
            user=user,
            session_key=self.request.session.session_key or "",
            ip=client_ip(self.request),
        )
        return response
