"""The workflow moves (reports.workflow): one service per move, each recorded with who, when, from,
to and why, the report row locked while it moves."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import partial

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from indicators.selectors import validation_rules
from org.audit import Event, audit_record, audit_record_many
from org.models import Period
from reportportal.db import execute_prepared

from .. import notifications
from ..checks import submission_errors
from ..models import Report, ReportSnapshot, ReportStatusChange, ReviewComment
from ..selectors.reports import figures_of, report_figures
from ..similarity import similarities_run
from ..validators import text_problem
from ..workflow import WORKFLOW, Action, ReportStatus
from .common import (
    ReasonRequired,
    ReportError,
    SubmissionRefused,
    current_round,
    lock_report,
    rights_on,
)
from .drafts import save_locked_draft
from .scoring import report_score_compute

MAX_REASON = 2000


def _check_move(*, report: Report, actor: User, action: str, note: str = "") -> None:
    """That this actor may make this move on this (locked) report from its current state."""
    move = WORKFLOW[action]
    if move.right not in rights_on(actor, report):
        raise PermissionDenied(f"您无权对该报告执行“{move.label}”。")
    if report.status not in move.sources:
        raise ReportError(f"报告当前状态为“{report.get_status_display()}”，不能{move.label}。")
    if move.needs_reason and not note.strip():
        raise ReasonRequired(f"请填写{move.label}的理由。")
    problem = text_problem(note, max_chars=MAX_REASON)
    if problem:
        raise ReportError(f"{move.label}的理由：{problem}")


def _begin_move(*, report: Report, actor: User, action: str, note: str = "") -> Report:
    """Locks the report and checks that this actor may make this move from its current state."""
    locked = lock_report(report)
    _check_move(report=locked, actor=actor, action=action, note=note)
    return locked


def _finish_move(
    *, report: Report, actor: User, action: str, note: str = "", fields: tuple[str, ...] = ()
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
    audit_record(
        event=Event.WORKFLOW,
        obj=report,
        user=actor,
        detail=f"{move.label}：{report.get_status_display()} → {ReportStatus(move.target).label}"
        + (f"（{note.strip()[:200]}）" if note.strip() else ""),
    )
    report.status = move.target
    report.version += 1
    report.updated_by = actor
    report._history_user = actor  # type: ignore[attr-defined]
    report.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    return report


def _submit_locked(*, locked: Report, actor: User) -> Report:
    _check_move(report=locked, actor=actor, action=Action.SUBMIT)
    if locked.period.locked:
        raise ReportError(f"{locked.period}已被管理员锁定，不能再报送。")
    figures = report_figures(locked)
    parts = locked.parts()
    errors = submission_errors(
        parts=parts,
        missing=locked.missing_parts,
        figures=figures,
        rules=validation_rules(locked.period),
    )
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
    fields: tuple[str, ...] = ()
    if locked.submitted_at is None:
        # The first submission decides 迟报 and 按时报送; a resubmission after a return does not.
        locked.submitted_at = now
        fields = ("submitted_at",)
    _finish_move(report=locked, actor=actor, action=Action.SUBMIT, fields=fields)
    report_score_compute(report=locked)
    transaction.on_commit(partial(notifications.notify_submitted.delay, locked.pk), robust=True)
    # Copied-passage check after the commit, robust: a failure there (or a broker that is down)
    # is logged and never undoes or refuses the submission.
    transaction.on_commit(partial(similarities_run.delay, locked.pk), robust=True)
    return locked


@transaction.atomic
def report_submit(*, report: Report, actor: User) -> Report:
    """Sends the report to the county once its required parts and figures pass the checks."""
    return _submit_locked(locked=lock_report(report), actor=actor)


def report_save_and_submit(
    *,
    report: Report,
    actor: User,
    base_version: int,
    parts: Mapping[str, str],
    figures: Mapping[str, int | None],
) -> Report:
    """Saves the draft and sends it under one lock, reading the parts and scoring once. A refused
    submission keeps the saved draft: the save commits, then SubmissionRefused is raised."""
    with transaction.atomic():
        locked = save_locked_draft(
            locked=lock_report(report),
            actor=actor,
            base_version=base_version,
            parts=parts,
            figures=figures,
        )
        try:
            with transaction.atomic():
                return _submit_locked(locked=locked, actor=actor)
        except SubmissionRefused as exc:
            # Refused before anything moved: the saved draft is scored as a draft.
            refused = exc
            report_score_compute(report=locked)
    raise refused


_ROUND_COMMENTS_SQL = f"""SELECT EXISTS (SELECT 1 FROM {ReviewComment._meta.db_table}
    WHERE report_id = %s AND round = %s AND parent_id IS NULL)"""


def _has_comments_of_round(report_id: int, round_: int) -> bool:
    """Whether a reviewer commented on this submission (answers are not comments)."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, _ROUND_COMMENTS_SQL, [report_id, round_])
        return bool(cursor.fetchone()[0])


@transaction.atomic
def report_withdraw(*, report: Report, actor: User) -> Report:
    """Takes a submission back to draft, as if never sent, while no reviewer has acted on it."""
    locked = _begin_move(report=report, actor=actor, action=Action.WITHDRAW)
    if locked.period.locked:
        raise ReportError(f"{locked.period}已被管理员锁定，不能撤回。")
    round_ = current_round(locked)
    if _has_comments_of_round(locked.pk, round_):
        raise ReportError("县级审核员已对本次报送提出意见，不能再撤回。")
    locked.snapshots.filter(round=round_).delete()
    fields: tuple[str, ...] = ()
    if round_ == 1:
        locked.submitted_at = None
        fields = ("submitted_at",)
    _finish_move(report=locked, actor=actor, action=Action.WITHDRAW, fields=fields)
    report_score_compute(report=locked)
    return locked


@transaction.atomic
def report_return(*, report: Report, actor: User, reason: str) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.RETURN, note=reason)
    _finish_move(report=locked, actor=actor, action=Action.RETURN, note=reason)
    transaction.on_commit(
        partial(notifications.notify_returned.delay, locked.pk, reason.strip()), robust=True
    )
    return locked


@transaction.atomic
def report_approve(*, report: Report, actor: User) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.APPROVE)
    locked.comments.filter(parent__isnull=True, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )
    _finish_move(report=locked, actor=actor, action=Action.APPROVE)
    transaction.on_commit(partial(notifications.notify_approved.delay, [locked.pk]), robust=True)
    return locked


@transaction.atomic
def report_publish(*, report: Report, actor: User) -> Report:
    locked = _begin_move(report=report, actor=actor, action=Action.PUBLISH)
    return _finish_move(report=locked, actor=actor, action=Action.PUBLISH)


@transaction.atomic
def report_reopen(*, report: Report, actor: User, reason: str) -> Report:
    """An admin sends an approved or published report back to the township."""
    locked = _begin_move(report=report, actor=actor, action=Action.REOPEN, note=reason)
    _finish_move(report=locked, actor=actor, action=Action.REOPEN, note=reason)
    transaction.on_commit(
        partial(notifications.notify_returned.delay, locked.pk, reason.strip()), robust=True
    )
    return locked


def report_move(*, report: Report, actor: User, action: str, note: str = "") -> Report:
    """The service of one workflow action by its name (the report page's buttons)."""
    if action == Action.SUBMIT:
        return report_submit(report=report, actor=actor)
    if action == Action.WITHDRAW:
        return report_withdraw(report=report, actor=actor)
    if action == Action.RETURN:
        return report_return(report=report, actor=actor, reason=note)
    if action == Action.APPROVE:
        return report_approve(report=report, actor=actor)
    if action == Action.PUBLISH:
        return report_publish(report=report, actor=actor)
    if action == Action.REOPEN:
        return report_reopen(report=report, actor=actor, reason=note)
    raise ReportError("未知的操作。")


# --- bulk approval --------------------------------------------------------------------------


def _problems(
    reports: Sequence[Report], open_comments: Mapping[int, int], periods: dict[int, Period]
) -> dict[int, list[str]]:
    """Why each report is not clean enough to approve in bulk (absent when it is), in a fixed
    number of queries: open comments counted together, figures read together, rules per year."""
    figures = figures_of([report.pk for report in reports])
    rules = {period_id: validation_rules(period) for period_id, period in periods.items()}
    problems: dict[int, list[str]] = defaultdict(list)
    for report in reports:
        if open_comments.get(report.pk):
            problems[report.pk].append(f"有 {open_comments[report.pk]} 条未解决的审核意见")
        if submission_errors(
            parts=report.parts(),
            missing=report.missing_parts,
            figures=figures.get(report.pk, {}),
            rules=rules[report.period_id],
        ):
            problems[report.pk].append("数据校验未通过")
    return problems


@transaction.atomic
def reports_approve_many(
    *, report_ids: Sequence[int], actor: User
) -> tuple[list[Report], list[tuple[Report, str]]]:
    """Approves each clean report among these; the rest are listed with the reason. One
    transaction and a fixed number of queries whatever the number of reports."""
    reports = list(
        Report.objects.select_for_update(of=("self",))
        .filter(pk__in=list(report_ids))
        .select_related("period", "township")
        .order_by("pk")
    )
    open_comments = dict(
        ReviewComment.objects.filter(
            report__in=reports, parent__isnull=True, resolved_at__isnull=True
        )
        .values("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    periods = {report.period_id: report.period for report in reports}
    problems = _problems(reports, open_comments, periods)
    approved: list[Report] = []
    refused: list[tuple[Report, str]] = []
    for report in reports:
        try:
            _check_move(report=report, actor=actor, action=Action.APPROVE)
        except (ReportError, PermissionDenied) as exc:
            refused.append((report, str(exc)))
            continue
        if problems.get(report.pk):
            refused.append((report, "；".join(problems[report.pk])))
            continue
        approved.append(report)
    if not approved:
        return approved, refused
    now = timezone.now()
    ReportStatusChange.objects.bulk_create(
        ReportStatusChange(
            report=report,
            from_status=report.status,
            to_status=ReportStatus.APPROVED,
            actor=actor,
            note="批量审核通过",
        )
        for report in approved
    )
    for report in approved:
        report.status = ReportStatus.APPROVED
        report.version += 1
        report.updated_by = actor
        report.updated_at = now
    bulk_update_with_history(
        approved,
        Report,
        ["status", "version", "updated_by", "updated_at"],
        default_user=actor,
    )
    audit_record_many(
        event=Event.WORKFLOW, objects=approved, detail="批量审核通过：已报送 → 已通过"
    )
    ids = [report.pk for report in approved]
    transaction.on_commit(partial(notifications.notify_approved.delay, ids), robust=True)
    return approved, refused
