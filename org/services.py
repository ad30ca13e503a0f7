"""Writes about users' roles and places."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q, QuerySet

from .access import is_staff_role
from .models import County, Membership, Period, Township

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
