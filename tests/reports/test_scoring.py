"""Scoring reports: on save and submit, after an indicator set changes, ranks."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from indicators.models import Indicator, IndicatorSet, ValidationRule
from reports.models import ReportScore
from reports.selectors.scores import RankRow, assign_ranks
from reports.services.drafts import report_save_draft, report_start
from reports.services.scoring import scores_recompute
from reports.services.transitions import report_submit
from tests.factories import PeriodFactory
from tests.helpers import stored_points, submit_report


def submit(personas, township, clerk, parts, figures, period=None):
    return submit_report(
        township=township,
        period=period or personas.period,
        clerk=clerk,
        parts=parts,
        figures=figures,
    )


def test_submit_scores_the_report_with_not_applicable_lawsuits(personas, full_parts):
    report = submit(
        personas,
        personas.lianchi,
        personas.clerk_lianchi,
        full_parts,
        {
            "villages_total": 26,
            "villages_with_legal_advisor": 26,
            "disputes_mediated": 400,
            "disputes_resolved": 380,
            "admin_lawsuits": 0,
            "leadership_study_sessions": 2,
        },
    )
    score = ReportScore.objects.get(report=report)
    items = {item["code"]: item for item in score.breakdown}
    assert items["head_appearance_rate"]["status"] == "not_applicable"
    assert items["legal_advisor_coverage"]["points"] == "15.00"
    assert items["mediation_success_rate"]["points"] == "10.00"  # 400 → 380 is exactly 95 %
    assert items["leadership_study"]["points"] == "5.00"
    assert items["report_completeness"]["value"] == "4.00"
    assert items["on_time"]["value"] == "0.00"  # 2023's deadline has passed: 迟报
    assert score.maximum == Decimal("90.00")
    assert score.total == (score.earned / score.maximum * 100).quantize(Decimal("0.01"))


def test_on_time_when_submitted_before_the_deadline(personas, full_parts):
    future = PeriodFactory(year=2099)
    from indicators.services import indicator_set_create_default

    indicator_set_create_default(period=future)
    report = submit(
        personas, personas.lianchi, personas.clerk_lianchi, full_parts, {}, period=future
    )
    items = {item["code"]: item for item in report.score.breakdown}
    assert items["on_time"]["points"] == "10.00"


def test_draft_saves_keep_a_provisional_score_current(personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=1,
        parts={},
        figures={"rule_of_law_meetings": 1},
    )
    assert stored_points(report, "rule_of_law_meetings") == "0.00"
    report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=2,
        parts={},
        figures={"rule_of_law_meetings": 3},
    )
    assert stored_points(report, "rule_of_law_meetings") == "5.00"


def test_recompute_after_a_target_change_changes_scores_and_ranking(personas, full_parts):
    a = submit(
        personas,
        personas.lianchi,
        personas.clerk_lianchi,
        full_parts,
        {"leadership_study_sessions": 4, "rule_of_law_meetings": 1},
    )
    from org.models import Township
    from org.services import membership_assign
    from tests.factories import UserFactory

    other = Township.objects.get(name="东城街道")
    clerk = UserFactory(username="dongcheng")
    membership_assign(user=clerk, role="clerk", township=other)
    b = submit(
        personas,
        other,
        clerk,
        full_parts,
        {"leadership_study_sessions": 2, "rule_of_law_meetings": 2},
    )
    a.score.refresh_from_db()
    b.score.refresh_from_db()
    assert a.score.total == b.score.total  # study 10 + meetings 0 against 5 + 5
    indicator_set = IndicatorSet.objects.get(period=personas.period)
    # Make meetings matter more than study: study target 8 (a: 5 pts, b: 2.5), meetings 15 points.
    Indicator.objects.filter(indicator_set=indicator_set, code="leadership_study").update(
        target=Decimal(8)
    )
    Indicator.objects.filter(indicator_set=indicator_set, code="rule_of_law_meetings").update(
        points=Decimal(15)
    )
    out = StringIO()
    call_command("recompute_scores", "--period", "2023", stdout=out)
    assert "已重新计算" in out.getvalue()
    a.score.refresh_from_db()
    b.score.refresh_from_db()
    assert b.score.total > a.score.total


def test_recompute_without_active_set_removes_scores(personas, full_parts):
    report = submit(personas, personas.lianchi, personas.clerk_lianchi, full_parts, {})
    assert ReportScore.objects.filter(report=report).exists()
    IndicatorSet.objects.filter(period=personas.period).update(active=False)
    scores_recompute(period=personas.period)
    assert not ReportScore.objects.filter(report=report).exists()


def test_validation_rules_come_from_the_periods_set(personas, full_parts):
    from reports.services.common import SubmissionRefused

    figures = {"disputes_mediated": 10, "disputes_resolved": 12}
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=1,
        parts=full_parts,
        figures=figures,
    )
    with pytest.raises(SubmissionRefused):
        report_submit(report=report, actor=personas.clerk_lianchi)
    ValidationRule.objects.filter(
        indicator_set__period=personas.period, left_expression="disputes_resolved"
    ).update(active=False)
    assert report_submit(report=report, actor=personas.clerk_lianchi).status == "submitted"


def test_ranks_are_shared_by_equal_totals():
    def row(total):
        return RankRow(township=None, report=None, score=type("S", (), {"total": Decimal(total)})())

    rows = [row("80"), row("95"), row("80"), row("70"), row("95")]
    assign_ranks(rows)
    assert [r.rank for r in rows] == [3, 1, 3, 5, 1]
