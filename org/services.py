"""Writes about users' roles and places."""

import secrets

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .access import Page, is_staff_role, pages
from .models import AccountSecurity, County, Membership, Period, Township

# Django groups mirror the roles so that the admin site's model permissions follow them; rights in
# the portal are decided from the Membership itself (org.access).
ROLE_PERMISSION_APPS: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: (),
    Membership.Role.REVIEWER: (),
    # axes: unlock log-ins
    Membership.Role.ADMIN: ("org", "reports", "indicators", "exports", "auth", "axes"),
}
ROLE_PERMISSION_CODENAMES: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: ("add_report", "change_report", "view_report"),
    Membership.Role.REVIEWER: ("view_report", "view_reportstatuschange"),
    Membership.Role.ADMIN: (),
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
) -> Membership:
    """Gives the user exactly one role and place, and the matching group."""
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"role": role, "township": township, "county": county}
    )
    membership_sync_groups(membership=membership)
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
    membership_assign(user=user, role=role, township=township, county=county)
    AccountSecurity.objects.create(user=user, must_change_password=True)
    return user, password


@transaction.atomic
def user_password_reset(*, actor: User, user: User) -> str:
    """A temporary password the user must change at the next log-in; their sessions end."""
    _require_people_admin(actor)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": True})
    return password


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> None:
    _require_people_admin(actor)
    if user.pk == actor.pk and not active:
        raise AccountError("不能停用自己正在使用的账号。")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])


@transaction.atomic
def password_changed(*, user: User) -> None:
    """After the user chose a new password: no change is asked any more."""
    AccountSecurity.objects.update_or_create(
        user=user,
        defaults={"must_change_password": False, "password_changed_at": timezone.now()},
    )


def must_change_password(user: User) -> bool:
    return AccountSecurity.objects.filter(user=user, must_change_password=True).exists()
