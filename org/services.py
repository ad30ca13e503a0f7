"""Writes about users' roles and places."""

import secrets
from datetime import datetime, timedelta
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .access import Page, is_staff_role, pages
from .audit import Event, audit_record
from .models import AccountSecurity, City, County, Membership, Period, Township, UserSession

# Django groups mirror the roles so that the admin site's model permissions follow them; rights in
# the portal are decided from the Membership itself (org.access).
ROLE_PERMISSION_APPS: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: (),
    Membership.Role.REVIEWER: (),
    Membership.Role.CITY_REVIEWER: (),
    # The system administrator configures; accounts, roles and lock-outs are the security
    # administrator's, in the portal (三员分立), so no auth or axes here.
    Membership.Role.ADMIN: ("org", "reports", "indicators", "exports"),
    Membership.Role.SECURITY: (),
    Membership.Role.AUDITOR: (),
}
ROLE_PERMISSION_CODENAMES: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: ("add_report", "change_report", "view_report"),
    Membership.Role.REVIEWER: ("view_report", "view_reportstatuschange"),
    Membership.Role.CITY_REVIEWER: ("view_report",),
    Membership.Role.ADMIN: (),
    Membership.Role.SECURITY: (),
    Membership.Role.AUDITOR: (),
}


@transaction.atomic
def roles_ensure_groups() -> dict[str, Group]:
    """One group per role with its permissions; safe to call again after new models appear."""
    groups: dict[str, Group] = {}
    for role in Membership.Role:
        group, _ = Group.objects.get_or_create(name=role.label)
        permissions = Permission.objects.filter(
            Q(content_type__app_label__in=ROLE_PERMISSION_APPS[role])
            | Q(
                content_type__app_label="reports",
                codename__in=ROLE_PERMISSION_CODENAMES[role],
            )
        )
        group.permissions.set(permissions)
        groups[role] = group
    return groups


@transaction.atomic
def membership_assign(
    *,
    user: User,
    role: str,
    township: Township | None = None,
    county: County | None = None,
    city: City | None = None,
) -> Membership:
    """Gives the user exactly one role and place, and the matching group."""
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"role": role, "township": township, "county": county, "city": city}
    )
    membership_sync_groups(membership=membership)
    place = township or county or city or "全部"
    audit_record(
        event=Event.ROLE_CHANGED,
        obj=user,
        detail=f"{Membership.Role(role).label} · {place}",
    )
    return membership


def membership_sync_groups(*, membership: Membership) -> None:
    """The user's role group and is_staff, after the membership changed."""
    user = membership.user
    role_groups = Group.objects.filter(name__in=Membership.Role.labels)
    user.groups.remove(*role_groups)
    group = role_groups.filter(name=Membership.Role(membership.role).label).first()
    if group is None:
        group = roles_ensure_groups()[membership.role]
    user.groups.add(group)
    is_staff = is_staff_role(membership.role) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def period_set_locked(*, periods: QuerySet[Period], locked: bool) -> int:
    """Locks (no more changes or submissions) or unlocks these periods; returns how many."""
    return periods.update(locked=locked)


# --- accounts -----------------------------------------------------------------------------

TEMPORARY_PASSWORD_LENGTH = 12
# No 0/O, 1/l/I: read aloud over the phone to a clerk.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class AccountError(Exception):
    """A refusal shown to the administrator as it is (Chinese)."""


def temporary_password() -> str:
    """Random, with lower case, upper case and digits, as password rules ask."""
    while True:
        password = "".join(
            secrets.choice(_PASSWORD_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH)
        )
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def _require_people_admin(actor: User) -> None:
    if Page.PEOPLE not in pages(actor):
        raise PermissionDenied("只有管理员可以管理用户。")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    role: str,
    township: Township | None = None,
    county: County | None = None,
    city: City | None = None,
    email: str = "",
) -> tuple[User, str]:
    """A new account with its role and place; returns it and a temporary password that must be
    changed at the first log-in."""
    _require_people_admin(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"用户名“{username}”已被使用，请换一个。")
    password = temporary_password()
    user = User.objects.create_user(
        username=username, password=password, first_name=full_name, email=email
    )
    membership_assign(user=user, role=role, township=township, county=county, city=city)
    AccountSecurity.objects.create(user=user, must_change_password=True)
    audit_record(event=Event.ACCOUNT_CREATED, obj=user)
    return user, password


ADMINISTRATOR_ROLES = (Membership.Role.ADMIN, Membership.Role.SECURITY, Membership.Role.AUDITOR)


class InstallationDone(Exception):
    """The administrators exist already: from now on the security administrator makes accounts."""


@transaction.atomic
def administrators_bootstrap(*, usernames: dict[str, str]) -> list[tuple[User, str]]:
    """The installation's three administrators (三员分立: system, security, audit), one account
    each, with temporary passwords to change at the first log-in. Only once, on an installation
    without any of them: no superuser is needed to start the portal."""
    if Membership.objects.filter(role__in=ADMINISTRATOR_ROLES).exists():
        raise InstallationDone("系统已有管理员账号：新账号请由安全管理员在“用户管理”中创建。")
    if set(usernames) != set(ADMINISTRATOR_ROLES) or len(set(usernames.values())) != 3:
        raise AccountError("系统、安全、审计管理员须是三个不同的账号。")
    created = []
    for role, username in usernames.items():
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError(f"用户名“{username}”已被使用，请换一个。")
        password = temporary_password()
        user = User.objects.create_user(username=username, password=password)
        membership_assign(user=user, role=role)
        AccountSecurity.objects.create(user=user, must_change_password=True)
        audit_record(event=Event.ACCOUNT_CREATED, obj=user, detail="安装时创建")
        created.append((user, password))
    return created


@transaction.atomic
def user_password_reset(*, actor: User, user: User) -> str:
    """A temporary password the user must change at the next log-in; their sessions end."""
    _require_people_admin(actor)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": True})
    audit_record(event=Event.PASSWORD_RESET, obj=user)
    return password


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> None:
    _require_people_admin(actor)
    if user.pk == actor.pk and not active:
        raise AccountError("不能停用自己正在使用的账号。")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(event=Event.ACCOUNT_ACTIVE, obj=user, detail="启用" if active else "停用")


@transaction.atomic
def password_changed(*, user: User) -> None:
    """After the user chose a new password: no change is asked any more."""
    AccountSecurity.objects.update_or_create(
        user=user,
        defaults={"must_change_password": False, "password_changed_at": timezone.now()},
    )
    audit_record(event=Event.PASSWORD_CHANGED, obj=user, user=user)


def password_change_reason(user: User) -> str:
    """Why the user must choose a new password before anything else ("" when not)."""
    security = AccountSecurity.objects.filter(user=user).first()
    if security is not None and security.must_change_password:
        return "您正在使用管理员设置的临时密码，请先设置自己的新密码，然后才能继续使用系统。"
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    changed = (security.password_changed_at if security else None) or user.date_joined
    if max_age and changed < timezone.now() - timedelta(days=max_age):
        return f"您的密码已使用超过 {max_age} 天，按安全规定请设置新密码。"
    return ""


# --- sessions -------------------------------------------------------------------------------


def session_started(*, user: User, session_key: str, ip: str) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip": ip[:45]}
    )


def session_ended(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def user_sessions_end(*, actor: User, user: User) -> int:
    """Signs the user out everywhere (the security administrator's 结束会话)."""
    if Page.PEOPLE not in pages(actor):
        raise PermissionDenied("只有安全管理员可以结束用户的会话。")
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        # Through the session engine: a cached session must leave the cache too.
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    audit_record(event=Event.SESSION_ENDED, obj=user, detail=f"结束 {len(keys)} 个会话")
    return len(keys)


def user_unlock(*, actor: User, user: User) -> int:
    """Lifts django-axes' lock-out of the user name (after too many failed log-ins)."""
    from axes.utils import reset

    if Page.PEOPLE not in pages(actor):
        raise PermissionDenied("只有安全管理员可以解除锁定。")
    count = int(reset(username=user.get_username()) or 0)
    audit_record(event=Event.UNLOCKED, obj=user, detail=f"清除 {count} 条失败记录")
    return count


def accounts_disable_unused(*, today: datetime | None = None) -> int:
    """Disables accounts nobody has used for ACCOUNT_INACTIVE_DAYS (等保: no dormant accounts)."""
    days = settings.ACCOUNT_INACTIVE_DAYS
    if not days:
        return 0
    cutoff = (today or timezone.now()) - timedelta(days=days)
    unused = User.objects.filter(is_active=True, is_superuser=False).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    users = list(unused)
    for user in users:
        user.is_active = False
        audit_record(
            event=Event.ACCOUNT_ACTIVE,
            obj=user,
            username="系统",
            detail=f"超过 {days} 天未登录，自动停用",
        )
    User.objects.bulk_update(users, ["is_active"])
    return len(users)


@shared_task(name="org.accounts_disable_unused")
def accounts_disable_unused_daily() -> None:
    accounts_disable_unused()
