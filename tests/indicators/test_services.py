from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from indicators.models import Indicator, IndicatorSet, ReportScore, ValidationRule
from indicators.selectors import RankRow, assign_ranks
from indicators.services import scores_recompute
from reports.services import report_save_draft, report_start, report_submit
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


def test_default_set_is_domains_hundred_points(personas):
    indicator_set = IndicatorSet.objects.get(period=personas.period, active=True)
    indicators = list(indicator_set.indicators.all())
    assert [i.code for i in indicators] == [
        "legal_advisor_coverage",
        "mediation_success_rate",
        "leadership_study",
        "rule_of_law_meetings",
        "certified_officers",
        "legality_review",
        "head_appearance_rate",
        "publicity_per_village",
        "report_completeness",
        "on_time",
    ]
    assert sum(i.points for i in indicators) == Decimal(100)
    assert indicator_set.validation_rules.count() == 3
    for indicator in indicators:
        indicator.full_clean()


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("villages_with_advisor / villages_total", "villages_with_advisor"),
        ("villages_total *", "无法解析"),
    ],
)
def test_formula_with_unknown_code_or_bad_syntax_is_refused_with_known_codes(
    personas, formula, message
):
    indicator = Indicator(
        indicator_set=IndicatorSet.objects.get(period=personas.period),
        code="bad",
        name="坏公式",
        formula=formula,
        rule="linear",
        target=Decimal(1),
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    text = " ".join(error.value.message_dict["formula"])
    assert message in text
    if "未知" in text:
        assert "villages_total" in text and "parts_present" in text


def test_linear_rule_needs_positive_target_and_bands_need_valid_bands(personas):
    indicator_set = IndicatorSet.objects.get(period=personas.period)
    linear = Indicator(
        indicator_set=indicator_set,
        code="a",
        name="a",
        formula="villages_total",
        rule="linear",
        target=Decimal(0),
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        linear.full_clean()
    assert "target" in error.value.message_dict
    bands = Indicator(
        indicator_set=indicator_set,
        code="b",
        name="b",
        formula="villages_total",
        rule="bands",
        bands="0~10=8",
        points=Decimal(5),
    )
    with pytest.raises(ValidationError) as error:
        bands.full_clean()
    assert "分档得分不能高于指标分值" in error.value.message_dict["bands"][0]


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
    from reports.models import Township
    from reports.services import membership_assign
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
    from reports.services import SubmissionRefused

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
