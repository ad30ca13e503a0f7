"""Writes. Each service is one transaction; state changes lock the report row first."""

from collections.abc import Mapping

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import DataElement
from indicators.services import report_score_compute

from .checks import submission_errors
from .models import (
    EDITABLE_STATUSES,
    TRANSITIONS,
    County,
    Membership,
    Period,
    Report,
    ReportStatus,
    ReportStatusChange,
    ReportValue,
    Township,
)
from .permissions import can_edit_report
from .sections import SECTION_KEYS
from .selectors import report_figures
from .text import normalise_text


class ReportError(Exception):
    """A refusal whose message (Chinese) is shown to the user as it is."""


class VersionConflict(ReportError):
    def __init__(self, current: Report):
        super().__init__(
            "保存失败：在您编辑期间，{who}于{when}已保存了新的内容。您填写的内容仍保留在下方，"
            "请与已保存的内容核对合并后再保存。".format(
                who=current.updated_by.get_full_name() or current.updated_by.username
                if current.updated_by
                else "其他人",
                when=timezone.localtime(current.updated_at).strftime("%H:%M"),
            )
        )
        self.current = current


class SubmissionRefused(ReportError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("报告未能提交：请按提示修改标出的内容后再提交。")
        self.errors = errors


def _lock(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("period", "township")
        .get(pk=report.pk)
    )


def _require_clerk_can_write(*, report: Report, actor) -> None:
    if not can_edit_report(actor, report):
        raise PermissionDenied("只有本乡镇的填报员可以修改该报告。")
    if report.period.locked:
        raise ReportError(f"{report.period}已被管理员锁定，不能再修改或报送。")
    if report.status not in EDITABLE_STATUSES:
        raise ReportError(f"报告当前状态为“{report.get_status_display()}”，不能修改。")


def _change_status(*, report: Report, to_status: str, actor, note: str = "") -> None:
    """Moves a locked report along the transition map and records the move."""
    if to_status not in TRANSITIONS[report.status]:
        raise ReportError(
            f"报告当前状态为“{report.get_status_display()}”，不能变为“{ReportStatus(to_status).label}”。"
        )
    ReportStatusChange.objects.create(
        report=report, from_status=report.status, to_status=to_status, actor=actor, note=note
    )
    report.status = to_status


@transaction.atomic
def report_start(*, township: Township, period: Period, actor) -> Report:
    """This township's report for the period, created empty if it does not exist yet."""
    probe = Report(township=township, period=period)
    if not can_edit_report(actor, probe):
        raise PermissionDenied("只有本乡镇的填报员可以开始填报。")
    existing = Report.objects.filter(township=township, period=period).first()
    if existing:
        return existing
    if period.locked:
        raise ReportError(f"{period}已被管理员锁定，不能再开始填报。")
    try:
        # A savepoint, so that a double click creating the same report twice loses quietly.
        with transaction.atomic():
            report = Report(township=township, period=period, updated_by=actor)
            report._history_user = actor
            report.save()
    except IntegrityError:
        report = Report.objects.get(township=township, period=period)
    return report


@transaction.atomic
def report_save_draft(
    *,
    report: Report,
    actor,
    base_version: int,
    parts: Mapping[str, str],
    figures: Mapping[str, int | None],
) -> Report:
    """Stores the clerk's text and figures, unless someone saved a newer version meanwhile."""
    locked = _lock(report)
    _require_clerk_can_write(report=locked, actor=actor)
    if locked.version != base_version:
        raise VersionConflict(locked)

    changed = ["version", "updated_by", "updated_at"]
    for key in SECTION_KEYS:
        if key in parts:
            text = normalise_text(parts[key])
            if getattr(locked, key) != text:
                setattr(locked, key, text)
                changed.append(key)
    _store_figures(report=locked, actor=actor, figures=figures)
    locked.version += 1
    locked.updated_by = actor
    locked._history_user = actor
    locked.save(update_fields=changed)
    report_score_compute(report=locked)
    return locked


def _store_figures(*, report: Report, actor, figures: Mapping[str, int | None]) -> None:
    elements = {e.code: e for e in DataElement.objects.filter(code__in=list(figures))}
    unknown = set(figures) - set(elements)
    if unknown:
        raise ReportError("未知的数据项：" + "、".join(sorted(unknown)))
    stored = {
        value.element_id: value
        for value in ReportValue.objects.filter(report=report, element__in=elements.values())
    }
    for code, number in figures.items():
        if number is not None and number < 0:
            raise ReportError(f"“{elements[code].name}”不能为负数。")
        element = elements[code]
        row = stored.get(element.pk)
        if row is None:
            if number is None:
                continue
            row = ReportValue(report=report, element=element, value=number)
        elif row.value == number:
            continue
        row.value = number
        row._history_user = actor
        row.save()


@transaction.atomic
def report_submit(*, report: Report, actor) -> Report:
    """Sends the report to the county once its required parts and figures pass the checks."""
    locked = _lock(report)
    _require_clerk_can_write(report=locked, actor=actor)
    figures = report_figures(locked)
    parts = {key: getattr(locked, key) for key in SECTION_KEYS}
    errors = submission_errors(period=locked.period, parts=parts, figures=figures)
    if errors:
        raise SubmissionRefused(errors)
    _change_status(report=locked, to_status=ReportStatus.SUBMITTED, actor=actor)
    locked.submitted_at = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    locked._history_user = actor
    locked.save(update_fields=["status", "submitted_at", "version", "updated_by", "updated_at"])
    report_score_compute(report=locked)
    return locked


# Django groups mirror the roles so that the admin site's model permissions follow them; object
# access in the portal is decided from the Membership itself (permissions.py).
ROLE_PERMISSION_APPS: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: (),
    Membership.Role.REVIEWER: (),
    Membership.Role.ADMIN: ("reports", "indicators", "auth"),
}
ROLE_PERMISSION_CODENAMES: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: ("add_report", "change_report", "view_report"),
    Membership.Role.REVIEWER: ("view_report", "view_reportstatuschange"),
    Membership.Role.ADMIN: (),
}


@transaction.atomic
def roles_ensure_groups() -> dict[str, Group]:
    """One group per role with its permissions; safe to call again after new models appear."""
    groups = {}
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
    user,
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
    user = membership.user
    role_groups = Group.objects.filter(name__in=Membership.Role.labels)
    user.groups.remove(*role_groups)
    group = role_groups.filter(name=Membership.Role(membership.role).label).first()
    if group is None:
        group = roles_ensure_groups()[membership.role]
    user.groups.add(group)
    is_staff = membership.role == Membership.Role.ADMIN or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
