"""审核赋分: the county's reviewer ticks a deduction item of a reviewer-scored indicator on a report
under review, with a note pointing at the evidence, or withdraws it; the report is re-scored in
the same transaction. Rows are never changed, only withdrawn, so every change is on record."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from indicators.models import DeductionItem, Indicator
from org.access import Right
from org.audit import Event, audit_record
from reading.normalise import normalise_text

from ..models import Report, ReviewerDeduction
from ..validators import text_problem
from ..workflow import ReportStatus
from .common import ReportError, lock_report, require_right
from .scoring import report_score_compute

MAX_NOTE = 500


def _item_of(report: Report, item_id: int) -> DeductionItem:
    item = (
        DeductionItem.objects.select_related("indicator")
        .filter(
            pk=item_id,
            indicator__rule=Indicator.Rule.REVIEWER,
            indicator__indicator_set__period_id=report.period_id,
            indicator__indicator_set__active=True,
        )
        .first()
    )
    if item is None:
        raise ReportError("该扣分项不在本年度启用的指标体系中。")
    return item


def _locked_for_review(report: Report, actor: User) -> Report:
    locked = lock_report(report)
    require_right(actor, locked, Right.REVIEW, "只有本县的审核员可以审核扣分。")
    if locked.status != ReportStatus.SUBMITTED:
        raise ReportError("只能对待审核（已报送）的报告扣分。")
    return locked


@transaction.atomic
def report_deduction_add(
    *, report: Report, item_id: int, actor: User, note: str
) -> ReviewerDeduction:
    """Ticks the item with the note; ticking it again with another note replaces the note (the
    earlier row is withdrawn, not changed)."""
    locked = _locked_for_review(report, actor)
    item = _item_of(locked, item_id)
    text = normalise_text(note or "")
    if not text:
        raise ReportError("请写明扣分理由和依据的佐证材料。")
    problem = text_problem(text, max_chars=MAX_NOTE)
    if problem:
        raise ReportError(problem)
    now = timezone.now()
    ReviewerDeduction.objects.filter(report=locked, item=item, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor
    )
    deduction = ReviewerDeduction.objects.create(
        report=locked, item=item, note=text, created_by=actor, created_at=now
    )
    report_score_compute(report=locked)
    # A score changed by hand: the security audit log keeps who and when (the note stays here).
    audit_record(event=Event.WORKFLOW, obj=locked, user=actor, detail=f"审核扣分：{item.name}")
    return deduction


@transaction.atomic
def report_deduction_withdraw(*, report: Report, item_id: int, actor: User) -> int:
    """Withdraws the item's deduction; returns how many rows were withdrawn (0 or 1)."""
    locked = _locked_for_review(report, actor)
    item = _item_of(locked, item_id)
    withdrawn = ReviewerDeduction.objects.filter(
        report=locked, item=item, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), withdrawn_by=actor)
    if not withdrawn:
        raise ReportError("该项没有扣分，无需撤销。")
    report_score_compute(report=locked)
    audit_record(event=Event.WORKFLOW, obj=locked, user=actor, detail=f"撤销审核扣分：{item.name}")
    return withdrawn
