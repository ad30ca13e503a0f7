"""Review comments on a part or a figure, the clerk's answers, and marking them resolved."""

from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from indicators.selectors import active_data_elements
from org.access import Right
from reading.normalise import normalise_text
from reading.sections import SECTIONS

from .. import notifications
from ..models import Report, ReviewComment
from ..validators import text_problem
from ..workflow import ReportStatus
from .common import ReportError, current_round, lock_report, require_right

MAX_COMMENT = 2000


def comment_targets() -> dict[str, str]:
    """Every part key and figure ("fig:<code>") a comment may be attached to, with its label."""
    targets = {section.key: f"{section.number}、{section.heading}" for section in SECTIONS}
    targets.update({f"fig:{e.code}": f"数据：{e.name}" for e in active_data_elements()})
    return targets


def _clean_body(body: str) -> str:
    text = normalise_text(body or "")
    if not text:
        raise ReportError("意见内容不能为空。")
    if len(text) > MAX_COMMENT:
        raise ReportError(f"意见内容不能超过 {MAX_COMMENT} 字。")
    problem = text_problem(text, max_chars=MAX_COMMENT)
    if problem:
        raise ReportError(problem)
    return text


@transaction.atomic
def comment_add(*, report: Report, actor: User, target: str, body: str) -> ReviewComment:
    locked = lock_report(report)
    require_right(actor, locked, Right.REVIEW, "只有本县的审核员可以提出审核意见。")
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
def comment_answer(*, comment: ReviewComment, actor: User, body: str) -> ReviewComment:
    locked = lock_report(comment.report)
    require_right(actor, locked, Right.WRITE, "只有本乡镇的填报员可以答复审核意见。")
    if locked.status != ReportStatus.RETURNED:
        raise ReportError("报告退回修改期间才能答复审核意见。")
    if comment.parent_id is not None:
        raise ReportError("请答复审核员的意见本身。")
    answer = ReviewComment.objects.create(
        report=locked,
        target=comment.target,
        parent=comment,
        author=actor,
        body=_clean_body(body),
        round=current_round(locked),
    )
    transaction.on_commit(partial(notifications.notify_answered.delay, answer.pk), robust=True)
    return answer


@transaction.atomic
def comment_resolve(*, comment: ReviewComment, actor: User) -> ReviewComment:
    locked = lock_report(comment.report)
    require_right(actor, locked, Right.REVIEW, "只有本县的审核员可以把意见标为已解决。")
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = actor
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
