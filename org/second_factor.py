"""The second log-in factor (等保 2.0 双因素认证): a TOTP authenticator app (django-otp), with
one-time recovery codes, for reviewers and administrators when settings.SECOND_FACTOR_REQUIRED
is on. Clerks are left out: a township's shared office PC and phone make it a burden the
county's risk does not need."""

import base64
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import Page, membership_of, pages
from .audit import Event, Result, audit_record
from .middleware import MUST_CHANGE
from .models import Membership

RECOVERY_CODES = 10
ROLES = frozenset(
    {
        Membership.Role.REVIEWER,
        Membership.Role.CITY_REVIEWER,
        Membership.Role.ADMIN,
        Membership.Role.SECURITY,
        Membership.Role.AUDITOR,
    }
)


def required_for(user: User) -> bool:
    membership = membership_of(user)
    return (
        bool(settings.SECOND_FACTOR_REQUIRED)
        and membership is not None
        and (membership.role in ROLES)
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed by a first code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the authenticator with its first code; returns new recovery codes (shown once),
    or None when the code is wrong."""
    if not device.verify_token(token):
        audit_record(event=Event.SECOND_FACTOR, user=user, result=Result.FAILED, detail="绑定失败")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    audit_record(event=Event.SECOND_FACTOR, user=user, detail="绑定手机验证器")
    return codes


def token_check(*, user: User, token: str) -> object | None:
    """The device that accepts the code (an authenticator code or an unused recovery code)."""
    device = match_token(user, token.replace(" ", ""))
    audit_record(
        event=Event.SECOND_FACTOR,
        user=user,
        result=Result.OK if device else Result.FAILED,
        detail="验证通过" if device else "验证码错误",
    )
    return device


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """The security administrator removes a user's authenticator (a lost phone): the user sets
    up a new one at the next log-in."""
    if Page.PEOPLE not in pages(actor):
        raise PermissionDenied("只有安全管理员可以重置双因素认证。")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(event=Event.SECOND_FACTOR, obj=user, detail="重置双因素认证")


class SecondFactorMiddleware:
    """With SECOND_FACTOR_REQUIRED, a reviewer or administrator who has logged in with a
    password reaches nothing but the second-factor page until the code is checked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and required_for(user)
            # A temporary password is changed first (PasswordChangeRequiredMiddleware keeps the
            # user on that page); the second factor comes right after.
            and not request.session.get(MUST_CHANGE)
            and request.path
            not in (reverse("second_factor"), reverse("logout"), reverse("keepalive"))
        ):
            return redirect(f"{reverse('second_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
