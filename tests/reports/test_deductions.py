"""审核赋分: the county's rubric as the active set, a reviewer deducting on the review page, the
breakdown and the ranking showing it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import DeductionItem, IndicatorSet
from indicators.services import indicator_set_create_rubric
from org.models import AuditEvent
from reports.models import ReportScore, ReviewerDeduction
from tests.helpers import stored_points, submit_report

FIGURES = {
    "leadership_study_sessions": 3,  # 3 short of 6: −0.9 of 1.2
    "rule_of_law_meetings": 2,
    "gov_legal_advisors": 0,  # none: −1
    "legality_reviews": 4,
}


@pytest.fixture
def rubric(personas):
    IndicatorSet.objects.filter(period=personas.period).update(active=False)
    rubric = indicator_set_create_rubric(period=personas.period)
    rubric.active = True
    rubric.save()
    return rubric


@pytest.fixture
def submitted(personas, full_parts, rubric):
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=FIGURES,
    )


def item(name):
    return DeductionItem.objects.get(
        name=name,
        indicator__indicator_set__active=True,
        indicator__indicator_set__period__year=2023,
    )


CASES = "未明确分管领导"


def deduct(client, report, name=CASES, note="见佐证材料：2023 年镇党委会议纪要。", action="add"):
    return client.post(
        reverse("report_deduction", args=[report.pk]),
        {"item": item(name).pk, "note": note, "action": action},
    )


def test_the_rubric_scores_by_deductions(submitted):
    assert stored_points(submitted, "leadership_study_sessions") == "0.30"
    assert stored_points(submitted, "legal_advisor") == "0.00"
    assert stored_points(submitted, "rule_of_law_meetings") == "1.50"  # 2 of 3: −0.5
    assert stored_points(submitted, "on_time") == "0.00"  # 2023's deadline has passed
    assert stored_points(submitted, "org_leadership") == "1.00"


def test_reviewer_deducts_half_a_point_with_a_note(client, personas, submitted):
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[submitted.pk])).content.decode()
    assert "审核赋分" in page and CASES in page and "扣 0.5 分" in page
    before = ReportScore.objects.get(report=submitted).earned
    response = deduct(client, submitted)
    assert (
        response.url
        == reverse("report_review", args=[submitted.pk]) + f"#deduction-{item(CASES).pk}"
    )
    score = ReportScore.objects.get(report=submitted)
    assert score.earned == before - Decimal("0.5")
    law = next(i for i in score.breakdown if i["code"] == "org_leadership")
    assert law["points"] == "0.50"
    assert law["deductions"] == [
        {"name": CASES, "points": "0.50", "note": "见佐证材料：2023 年镇党委会议纪要。"}
    ]
    breakdown = client.get(reverse("report_score", args=[submitted.pk])).content.decode()
    assert "−0.5 分：未明确分管领导（见佐证材料：2023 年镇党委会议纪要。）" in breakdown
    assert "−0.9 分：比目标 6 少 3，每少 1 扣 0.3 分" in breakdown
    ranking = client.get(reverse("ranking") + "?year=2023").content.decode()
    assert f"{score.total.normalize():f}" in ranking or str(score.total) in ranking


def test_a_changed_note_and_a_withdrawal_are_recorded(client, personas, submitted):
    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted)
    deduct(client, submitted, note="改为：见执法案卷评查结果通报第 2 页。")
    assert stored_points(submitted, "org_leadership") == "0.50"  # deducted once, not twice
    deduct(client, submitted, action="withdraw")
    assert stored_points(submitted, "org_leadership") == "1.00"
    rows = list(ReviewerDeduction.objects.order_by("pk"))
    assert len(rows) == 2 and all(r.withdrawn_at and r.withdrawn_by for r in rows)
    page = client.get(reverse("report_review", args=[submitted.pk])).content.decode()
    assert "扣分记录（2）" in page and "撤销" in page
    # And in the security audit log, with who did it (the note stays on the portal).
    audited = list(
        AuditEvent.objects.filter(event="workflow", detail__contains="审核扣分").values_list(
            "username", "detail"
        )
    )
    assert len(audited) == 3 and audited[0][0] == personas.reviewer_shenqiu.username
    assert not any("第 2 页" in detail for _, detail in audited)


def test_the_cap_holds(client, personas, submitted):
    # 开江县: absences at the county's training, 0.3 per person-time, at most 0.9 in all.
    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted, name="无故迟到、早退、缺席2人次", note="县司法局培训签到表。")
    deduct(client, submitted, name="无故迟到、早退、缺席3人次及以上", note="县司法局培训签到表。")
    assert stored_points(submitted, "training_attendance") == "0.00"  # 1.5 asked, at most 0.9


def test_a_note_is_required(client, personas, submitted):
    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted, note=" ")
    assert not ReviewerDeduction.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("clerk_lianchi", 403), ("clerk_huatai", 404)])
def test_wrong_role_changes_nothing(client, personas, submitted, persona, status):
    client.force_login(getattr(personas, persona))
    assert deduct(client, submitted).status_code == status
    assert not ReviewerDeduction.objects.exists()
    assert stored_points(submitted, "org_leadership") == "1.00"


def test_wrong_method_and_a_draft(client, personas, full_parts, rubric):
    from reports.services.drafts import report_start

    draft = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    client.force_login(personas.admin)
    assert client.get(reverse("report_deduction", args=[draft.pk])).status_code == 405
    deduct(client, draft)  # only while under review
    assert not ReviewerDeduction.objects.exists()


def test_the_default_set_offers_no_reviewer_scoring(client, personas, full_parts):
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
    )
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[report.pk])).content.decode()
    assert 'id="reviewer-scoring"' not in page


def test_the_rubric_and_the_deductions_go_through_a_period_export(client, personas, submitted):
    from reports.backup import period_export, period_import

    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted)
    deduct(client, submitted, name="未成立法治政府建设领导小组", note="缺少述职材料。")
    deduct(client, submitted, name="未成立法治政府建设领导小组", action="withdraw")
    data = period_export(period=personas.period)
    total = ReportScore.objects.get(report=submitted).total
    period_import(data=data, replace=True)
    rubric = IndicatorSet.objects.get(period=personas.period, active=True)
    law = rubric.indicators.get(code="org_leadership")
    assert [(i.name, i.points) for i in law.deduction_items.all()][1] == (CASES, Decimal("0.5"))
    assert rubric.indicators.get(code="leadership_study_sessions").cap == Decimal("1.2")
    restored = list(ReviewerDeduction.objects.order_by("created_at", "pk"))
    assert [(d.item.name, d.withdrawn_at is None) for d in restored] == [
        (CASES, True),
        ("未成立法治政府建设领导小组", False),
    ]
    assert restored[0].item.indicator.indicator_set == rubric
    # Scored again from what was restored, the total is the same.
    from reports.services.scoring import scores_recompute

    scores_recompute(period=personas.period)
    report = restored[0].report
    assert ReportScore.objects.get(report=report).total == total


def test_the_spreadsheet_lists_every_deduction(client, personas, submitted):
    import io

    from openpyxl import load_workbook

    from exports.spreadsheets import county_workbook

    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted)
    sheet = load_workbook(io.BytesIO(county_workbook(personas.shenqiu, personas.period)))[
        "乡镇数据"
    ]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    lianchi = next(dict(zip(header, r, strict=True)) for r in rows[2:] if "莲池镇" in r)
    text = lianchi["扣分明细"]
    assert "行政首长每年专题学法不少于6次 −0.9：比目标 6 少 3，每少 1 扣 0.3 分" in text
    assert (
        "成立法治政府建设领导小组并明确分管领导 −0.5：未明确分管领导（见佐证材料：2023 年镇党委会议纪要。）"
        in text
    )
    assert lianchi["成立法治政府建设领导小组并明确分管领导（满分 1 分）"] == 0.5
    assert Decimal(str(lianchi["总分"])) == ReportScore.objects.get(report=submitted).total


def test_the_report_pdf_shows_the_deduction_but_not_the_reviewers_note(client, personas, submitted):
    from exports.documents import report_pdf
    from tests.exports.test_pdf import pdf_text

    client.force_login(personas.reviewer_shenqiu)
    deduct(client, submitted)
    submitted.refresh_from_db()
    text = pdf_text(report_pdf(submitted))
    assert "−0.5：未明确分管领导" in text
    assert "−0.9：比目标6少3" in text
    assert "镇党委会议纪要" not in text
