"""Every state × action × role: allowed moves happen and are recorded; refused ones change nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from org.models import County, Membership
from org.services import membership_assign
from reports.models import Report, ReportStatusChange
from reports.services.comments import comment_add
from reports.services.common import ReasonRequired, ReportError
from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import (
    report_approve,
    report_publish,
    report_reopen,
    report_return,
    report_submit,
    report_withdraw,
)
from reports.workflow import ReportStatus
from tests.factories import UserFactory

STATES = ["draft", "submitted", "returned", "approved", "published"]
ACTIONS = {
    "submit": lambda r, u: report_submit(report=r, actor=u),
    "withdraw": lambda r, u: report_withdraw(report=r, actor=u),
    "return": lambda r, u: report_return(report=r, actor=u, reason="请补充"),
    "approve": lambda r, u: report_approve(report=r, actor=u),
    "publish": lambda r, u: report_publish(report=r, actor=u),
    "reopen": lambda r, u: report_reopen(report=r, actor=u, reason="发现数据错误"),
}
ROLES = ["own_clerk", "other_clerk", "own_reviewer", "other_reviewer", "admin"]

# Written out from DOMAIN.md's workflow, independently of reports.models.WORKFLOW.
EXPECTED = {
    ("draft", "submit", "own_clerk"): "submitted",
    ("returned", "submit", "own_clerk"): "submitted",
    ("submitted", "withdraw", "own_clerk"): "draft",
    ("submitted", "return", "own_reviewer"): "returned",
    ("submitted", "return", "admin"): "returned",
    ("submitted", "approve", "own_reviewer"): "approved",
    ("submitted", "approve", "admin"): "approved",
    ("approved", "publish", "own_reviewer"): "published",
    ("approved", "publish", "admin"): "published",
    ("approved", "reopen", "admin"): "returned",
    ("published", "reopen", "admin"): "returned",
}


@pytest.fixture
def cast(personas):
    other_reviewer = UserFactory(username="wuxi")
    membership_assign(
        user=other_reviewer, role=Membership.Role.REVIEWER, county=County.objects.get(name="巫溪县")
    )
    return {
        "own_clerk": personas.clerk_lianchi,
        "other_clerk": personas.clerk_huatai,
        "own_reviewer": personas.reviewer_shenqiu,
        "other_reviewer": other_reviewer,
        "admin": personas.admin,
    }


def report_in(state, personas, parts):
    """A 莲池镇 report brought to the state through the real services."""
    clerk, reviewer, admin = personas.clerk_lianchi, personas.reviewer_shenqiu, personas.admin
    report = report_start(township=personas.lianchi, period=personas.period, actor=clerk)
    report = report_save_draft(report=report, actor=clerk, base_version=1, parts=parts, figures={})
    path = {
        "draft": [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "approved": ["submit", "approve"],
        "published": ["submit", "approve", "publish"],
    }[state]
    actors = {"submit": clerk, "return": reviewer, "approve": reviewer, "publish": admin}
    for action in path:
        report = ACTIONS[action](report, actors[action])
    report.refresh_from_db()
    assert report.status == state
    return report


def fingerprint(report):
    report.refresh_from_db()
    return (
        report.status,
        report.version,
        report.submitted_at,
        ReportStatusChange.objects.filter(report=report).count(),
        report.snapshots.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", STATES)
def test_state_action_role_matrix(personas, full_parts, cast, state, action, role):
    report = report_in(state, personas, full_parts)
    before = fingerprint(report)
    changes_before = ReportStatusChange.objects.filter(report=report).count()
    expected = EXPECTED.get((state, action, role))
    if expected is None:
        with pytest.raises((PermissionDenied, ReportError)):
            ACTIONS[action](report, cast[role])
        assert fingerprint(report) == before
    else:
        ACTIONS[action](report, cast[role])
        report.refresh_from_db()
        assert report.status == expected
        change = ReportStatusChange.objects.filter(report=report).latest("at", "id")
        assert (change.from_status, change.to_status, change.actor) == (state, expected, cast[role])
        assert ReportStatusChange.objects.filter(report=report).count() == changes_before + 1


def test_matrix_covers_the_domain_workflow():
    from reports.workflow import WORKFLOW

    allowed = {(state, action) for (state, action, _role) in EXPECTED}
    assert allowed == {(s, a) for a, move in WORKFLOW.items() for s in move.sources}


@pytest.mark.parametrize("action", ["return", "reopen"])
def test_return_and_reopen_need_a_reason(personas, full_parts, action):
    state = "submitted" if action == "return" else "approved"
    report = report_in(state, personas, full_parts)
    before = fingerprint(report)
    service = report_return if action == "return" else report_reopen
    actor = personas.reviewer_shenqiu if action == "return" else personas.admin
    with pytest.raises(ReasonRequired, match="理由"):
        service(report=report, actor=actor, reason="   ")
    assert fingerprint(report) == before


def test_return_records_the_reason(personas, full_parts):
    report = report_in("submitted", personas, full_parts)
    report_return(report=report, actor=personas.reviewer_shenqiu, reason="  请补充整改措施。 ")
    assert (
        ReportStatusChange.objects.filter(report=report).latest("at", "id").note
        == "请补充整改措施。"
    )


def test_withdraw_refused_once_a_reviewer_commented(personas, full_parts):
    report = report_in("submitted", personas, full_parts)
    comment_add(
        report=report, actor=personas.reviewer_shenqiu, target="shortcomings", body="请细化"
    )
    before = fingerprint(report)
    with pytest.raises(ReportError, match="不能再撤回"):
        report_withdraw(report=report, actor=personas.clerk_lianchi)
    assert fingerprint(report) == before


def test_withdraw_undoes_the_submission(personas, full_parts):
    report = report_in("submitted", personas, full_parts)
    report_withdraw(report=report, actor=personas.clerk_lianchi)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.submitted_at is None
    assert report.snapshots.count() == 0
    assert report.is_editable


def test_resubmission_keeps_the_first_submission_time(personas, full_parts):
    report = report_in("returned", personas, full_parts)
    first = report.submitted_at
    report_submit(report=report, actor=personas.clerk_lianchi)
    report.refresh_from_db()
    assert report.submitted_at == first
    assert list(report.snapshots.values_list("round", flat=True)) == [1, 2]


def test_approved_and_published_reports_are_read_only(personas, full_parts):
    for state in ("approved", "published"):
        Report.objects.all().delete()
        report = report_in(state, personas, full_parts)
        with pytest.raises(ReportError):
            report_save_draft(
                report=report,
                actor=personas.clerk_lianchi,
                base_version=report.version,
                parts={"other": "改"},
                figures={},
            )


def test_returned_report_is_editable_again(personas, full_parts):
    report = report_in("returned", personas, full_parts)
    saved = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=report.version,
        parts={"other": "补充"},
        figures={},
    )
    assert saved.other == "补充"


def test_locked_period_blocks_submission_but_not_review(personas, full_parts):
    draft = report_in("draft", personas, full_parts)
    personas.period.locked = True
    personas.period.save()
    with pytest.raises(ReportError, match="锁定"):
        report_submit(report=draft, actor=personas.clerk_lianchi)
    personas.period.locked = False
    personas.period.save()
    submitted = report_submit(report=draft, actor=personas.clerk_lianchi)
    personas.period.locked = True
    personas.period.save()
    assert report_approve(report=submitted, actor=personas.reviewer_shenqiu).status == "approved"


def test_the_latest_approval_read_from_the_moves_is_the_one_approval_of_queries(personas, sent):
    """The report page takes the approval from the moves it lists (no query of its own)."""
    from reports.selectors.reports import approval_of, latest_approval, report_status_changes

    report = sent
    assert latest_approval(list(report_status_changes(report))) is None is approval_of(report)
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    report.refresh_from_db()
    report_reopen(report=report, actor=personas.admin, reason="数据需要更正。")
    report.refresh_from_db()
    report_submit(report=report, actor=personas.clerk_lianchi)
    report.refresh_from_db()
    second = report_approve(report=report, actor=personas.reviewer_shenqiu)
    moves = list(report_status_changes(second))
    assert sum(m.to_status == ReportStatus.APPROVED for m in moves) == 2
    assert latest_approval(moves) == approval_of(second) == moves[-1]
