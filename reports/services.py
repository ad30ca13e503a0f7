"""Writes. Each service is one transaction; state changes lock the report row first."""

from collections.abc import Mapping
from functools import partial

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import DataElement
from indicators.services import report_score_compute
from reading.completeness import missing_parts
from reading.normalise import normalise_text
from reading.sections import SECTION_KEYS, SECTIONS

from .checks import submission_errors
from .models import (
    EDITABLE_STATUSES,
    WORKFLOW,
    Action,
    County,
    Membership,
    Period,
    Report,
    ReportSnapshot,
    ReportStatus,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
    Township,
)
from .notifications import notify_approved, notify_reminder, notify_returned, notify_submitted
from .permissions import can_edit_report, can_review, may_make, membership_of
from .selectors import report_figures
from .tasks import similarities_run


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


class ReasonRequired(ReportError):
    pass


def _begin_move(*, report: Report, actor, action: str, note: str = "") -> Report:
    """Locks the report and checks that this actor may make this move from its current state."""
    locked = _lock(report)
    move = WORKFLOW[action]
    label = Action(action).label
    if not may_make(actor, locked, action):
        raise PermissionDenied(f"您无权对该报告执行“{label}”。")
    if locked.status not in move.sources:
        raise ReportError(f"报告当前状态为“{locked.get_status_display()}”，不能{label}。")
    if move.needs_reason and not note.strip():
        raise ReasonRequired(f"请填写{label}的理由。")
    return locked


def _finish_move(
    *, report: Report, actor, action: str, note: str = "", fields: tuple[str, ...] = ()
) -> Report:
    """Records the move (who, when, from, to, note) and saves the new state."""
    move = WORKFLOW[action]
    ReportStatusChange.objects.create(
        report=report,
        from_status=report.status,
        to_status=move.target,
        actor=actor,
        note=note.strip(),
    )
    report.status = move.target
    report.version += 1
    report.updated_by = actor
    report._history_user = actor
    report.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    return report


def current_round(report: Report) -> int:
    return report.snapshots.count()


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
    if any(key in changed for key in SECTION_KEYS):
        locked.missing_parts = missing_parts({key: getattr(locked, key) for key in SECTION_KEYS})
        changed.append("missing_parts")
    _store_figures(report=locked, actor=actor, figures=figures)
    locked.version += 1
    locked.updated_by = actor
    locked._history_user = actor
    locked.save(update_fields=changed)
    report_score_compute(report=locked)
    return locked


@transaction.atomic
def report_import_apply(
    *,
    report: Report,
    actor,
    base_version: int,
    parts: Mapping[str, tuple[str, str]],
    figures: Mapping[str, int],
) -> Report:
    """Puts what the clerk accepted of an imported document into the draft: each part replaces
    the typed one or follows it ("replace" / "append"); only accepted figures change."""
    locked = _lock(report)
    merged = {}
    for key, (how, text) in parts.items():
        if key not in SECTION_KEYS or how not in ("replace", "append"):
            raise ReportError("导入的内容不完整，请重新导入。")
        typed = getattr(locked, key)
        text = normalise_text(text)
        merged[key] = f"{typed}\n{text}" if how == "append" and typed and text else text or typed
    return report_save_draft(
        report=locked, actor=actor, base_version=base_version, parts=merged, figures=figures
    )


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
    locked = _begin_move(report=report, actor=actor, action=Action.SUBMIT)
    if locked.period.locked:
        raise ReportError(f"{locked.period}已被管理员锁定，不能再报送。")
    figures = report_figures(locked)
    parts = {key: getattr(locked, key) for key in SECTION_KEYS}
    errors = submission_errors(period=locked.period, parts=parts, figures=figures)
    if errors:
        raise SubmissionRefused(errors)
    now = timezone.now()
    ReportSnapshot.objects.create(
        report=locked,
        round=current_round(locked) + 1,
        parts=parts,
        figures=figures,
        submitted_at=now,
    )
    fields = ()
    if locked.submitted_at is None:
        # The first submission decides 迟报 and 按时报送; a resubmission after a return does not.
        locked.submitted_at = now
        fields = ("submitted_at",)
    _finish_move(report=locked, actor=actor, action=Action.SUBMIT, fields=fields)
    report_score_compute(report=locked)
    transaction.on_commit(partial(notify_submitted, locked.pk))
    # Copied-passage check after the commit, robust: a failure there (or a broker that is down)
    # is logged and never undoes or refuses the submission.
    transaction.on_commit(partial(similarities_run.delay, locked.pk), robust=True)
    return locked


@transaction.atomic
def report_withdraw(*, report: Report, actor) -> Report:
    """Takes a submission back to draft, as if never sent, while no reviewer has acted on it."""
    locked = _begin_move(report=report, actor=actor, action=Action.WITHDRAW)
    if locked.period.locked:
        raise ReportError(f"{locked.period}已被管理员锁定，不能撤回。")
    round_ = current_round(locked)
    if locked.comments.filter(round=round_, parent__isnull=True).exists():
        raise ReportError("县级审核员已对本次报送提出意见，不能再撤回。")
    locked.snapshots.filter(round=round_).delete()
    fields = ()
    if round_ == 1:
        locked.submitted_at = None
        fields = ("submitted_at",)
    _finish_move(report=locked, actor=actor, action=Action.WITHDRAW, fields=fields)
    report_score_compute(report=locked)
    return locked


@transaction.atomic
def report_return(*, report: Report, actor, reason: str) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.RETURN, note=reason)
    _finish_move(report=locked, actor=actor, action=Action.RETURN, note=reason)
    transaction.on_commit(partial(notify_returned, locked.pk, reason.strip()))
    return locked


@transaction.atomic
def report_approve(*, report: Report, actor) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.APPROVE)
    locked.comments.filter(parent__isnull=True, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )
    _finish_move(report=locked, actor=actor, action=Action.APPROVE)
    transaction.on_commit(partial(notify_approved, locked.pk))
    return locked


@transaction.atomic
def report_publish(*, report: Report, actor) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.PUBLISH)
    return _finish_move(report=locked, actor=actor, action=Action.PUBLISH)


@transaction.atomic
def report_reopen(*, report: Report, actor, reason: str) -> Report:
    """An admin sends an approved or published report back to the township."""
    locked = _begin_move(report=report, actor=actor, action=Action.REOPEN, note=reason)
    _finish_move(report=locked, actor=actor, action=Action.REOPEN, note=reason)
    transaction.on_commit(partial(notify_returned, locked.pk, reason.strip()))
    return locked


def report_open_problems(report: Report) -> list[str]:
    """Why a submitted report is not clean enough to approve in bulk (empty when it is)."""
    problems = []
    open_comments = report.comments.filter(parent__isnull=True, resolved_at__isnull=True).count()
    if open_comments:
        problems.append(f"有 {open_comments} 条未解决的审核意见")
    parts = {key: getattr(report, key) for key in SECTION_KEYS}
    if submission_errors(period=report.period, parts=parts, figures=report_figures(report)):
        problems.append("数据校验未通过")
    return problems


def reports_approve_many(*, reports, actor) -> tuple[list[Report], list[tuple[Report, str]]]:
    """Approves each clean report in its own transaction; the rest are listed with the reason."""
    approved, refused = [], []
    for report in reports:
        problems = report_open_problems(report)
        if problems:
            refused.append((report, "；".join(problems)))
            continue
        try:
            approved.append(report_approve(report=report, actor=actor))
        except (ReportError, PermissionDenied) as exc:
            refused.append((report, str(exc)))
    return approved, refused


# --- comments -------------------------------------------------------------------------------

MAX_COMMENT = 2000


def comment_targets() -> dict[str, str]:
    """Every part key and figure ("fig:<code>") a comment may be attached to, with its label."""
    targets = {section.key: f"{section.number}、{section.heading}" for section in SECTIONS}
    targets.update(
        {f"fig:{e.code}": f"数据：{e.name}" for e in DataElement.objects.filter(active=True)}
    )
    return targets


def _clean_body(body: str) -> str:
    text = normalise_text(body or "")
    if not text:
        raise ReportError("意见内容不能为空。")
    if len(text) > MAX_COMMENT:
        raise ReportError(f"意见内容不能超过 {MAX_COMMENT} 字。")
    return text


@transaction.atomic
def comment_add(*, report: Report, actor, target: str, body: str) -> ReviewComment:
    locked = _lock(report)
    if not can_review(actor, locked):
        raise PermissionDenied("只有本县的审核员可以提出审核意见。")
    if locked.status != ReportStatus.SUBMITTED:
        raise ReportError("只能对待审核（已报送）的报告提出意见。")
    if target not in comment_targets():
        raise ReportError("请选择意见针对的部分或数据项。")
    return ReviewComment.objects.create(
        report=locked,
        target=target,
        author=actor,
        body=_clean_body(body),
        round=current_round(locked),
    )


@transaction.atomic
def comment_answer(*, comment: ReviewComment, actor, body: str) -> ReviewComment:
    locked = _lock(comment.report)
    if not can_edit_report(actor, locked):
        raise PermissionDenied("只有本乡镇的填报员可以答复审核意见。")
    if locked.status != ReportStatus.RETURNED:
        raise ReportError("报告退回修改期间才能答复审核意见。")
    if comment.parent_id is not None:
        raise ReportError("请答复审核员的意见本身。")
    return ReviewComment.objects.create(
        report=locked,
        target=comment.target,
        parent=comment,
        author=actor,
        body=_clean_body(body),
        round=current_round(locked),
    )


@transaction.atomic
def comment_resolve(*, comment: ReviewComment, actor) -> ReviewComment:
    locked = _lock(comment.report)
    if not can_review(actor, locked):
        raise PermissionDenied("只有本县的审核员可以把意见标为已解决。")
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = actor
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# Django groups mirror the roles so that the admin site's model permissions follow them; object
# access in the portal is decided from the Membership itself (permissions.py).
ROLE_PERMISSION_APPS: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: (),
    Membership.Role.REVIEWER: (),
    Membership.Role.ADMIN: ("reports", "indicators", "auth", "axes"),  # axes: unlock log-ins
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


def county_remind(*, county: County, period: Period, actor) -> int:
    """E-mails the clerks of every township of the county that has not sent its report."""
    membership = membership_of(actor)
    if membership is None or not (
        membership.role == Membership.Role.ADMIN
        or (membership.role == Membership.Role.REVIEWER and membership.county_id == county.pk)
    ):
        raise PermissionDenied("只有本县的审核员可以发送提醒。")
    sent = set(
        Report.objects.filter(
            township__county=county,
            period=period,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.PUBLISHED],
        ).values_list("township_id", flat=True)
    )
    waiting = [t for t in county.townships.values_list("pk", flat=True) if t not in sent]
    transaction.on_commit(partial(notify_reminder, waiting, period, county))
    return len(waiting)
