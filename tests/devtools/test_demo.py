import io

import pytest
from django.core.management import call_command

from org.models import County, Membership, Township
from reports.models import Report
from reports.selectors.reports import report_figures
from reports.services.common import SubmissionRefused
from reports.services.transitions import report_submit
from reports.workflow import ReportStatus


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def sample(name, year):
    return Report.objects.get(township__name=name, period__year=year)


def test_sample_reports_are_drafts_with_text_in_the_right_parts(demo):
    lianchi = sample("莲池镇", 2023)
    assert lianchi.status == ReportStatus.DRAFT
    assert lianchi.leadership_duty.startswith("莲池镇高度重视法治建设工作")
    assert lianchi.measures_and_results.startswith("（一）强化学习培训")
    assert lianchi.shortcomings.startswith("全镇法治建设工作虽取得了一定成绩")
    assert "筑牢社会治理根基" in lianchi.next_year_plan
    assert "单位负责人履行" not in lianchi.leadership_duty  # headings left out
    assert report_figures(lianchi)["villages_total"] == 26

    huatai = sample("花台乡", 2023)
    assert huatai.leadership_duty == ""  # the real report has no such part
    assert "调解矛盾纠纷90余件" in huatai.measures_and_results

    laoyanji = sample("老颜集乡", 2022)
    assert "[bookmark" not in laoyanji.measures_and_results
    assert laoyanji.next_year_plan.startswith("针对上述法治政府建设过程中的问题和困难")


def test_huatai_sample_cannot_be_submitted_without_leadership_part(demo):
    huatai = sample("花台乡", 2023)
    clerk = Membership.objects.get(township=huatai.township).user
    with pytest.raises(SubmissionRefused) as refused:
        report_submit(report=huatai, actor=clerk)
    assert list(refused.value.errors) == ["leadership_duty"]


def test_demo_has_every_role_and_many_rows_per_county(demo):
    assert County.objects.count() == 3
    for county in County.objects.all():
        assert Membership.objects.filter(role="reviewer", county=county).exists()
        assert Report.objects.filter(township__county=county, period__year=2023).count() > 10
    assert Membership.objects.filter(role="clerk").count() == Township.objects.count()
    assert Membership.objects.filter(role="admin", user__username="admin").exists()
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {ReportStatus.DRAFT, ReportStatus.SUBMITTED}


def test_generated_submitted_reports_pass_submission_checks(demo):
    from indicators.selectors import validation_rules
    from reports.checks import submission_errors

    for report in Report.objects.filter(status=ReportStatus.SUBMITTED)[:50]:
        errors = submission_errors(
            parts=report.parts(),
            missing=report.missing_parts,
            figures=report_figures(report),
            rules=validation_rules(report.period),
        )
        assert errors == {}


def test_load_demo_twice_changes_nothing(demo):
    counts = (Report.objects.count(), Township.objects.count(), Membership.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Report.objects.count(), Township.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_generate_synthetic_creates_counties_townships_and_reports(geography):
    call_command(
        "generate_synthetic",
        counties=3,
        townships=5,
        years=[2023, 2024],
        stdout=io.StringIO(),
    )
    synthetic = Report.objects.filter(township__county__province="合成省")
    assert synthetic.count() == 3 * 5 * 2
    assert synthetic.filter(values__isnull=False).distinct().count() == 30
    call_command(
        "generate_synthetic",
        counties=3,
        townships=5,
        years=[2023, 2024],
        stdout=io.StringIO(),
    )
    assert synthetic.count() == 30
