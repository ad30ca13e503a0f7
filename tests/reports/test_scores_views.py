from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, IndicatorSet
from org.models import County, Membership, Township
from org.services import membership_assign
from reports.models import ReportScore
from reports.services.drafts import report_start
from tests.factories import TownshipFactory, UserFactory
from tests.helpers import stored_points, submit_report


def submitted(personas, township, clerk, parts, figures=None):
    return submit_report(
        township=township, period=personas.period, clerk=clerk, parts=parts, figures=figures
    )


@pytest.fixture
def lianchi_submitted(personas, full_parts):
    return submitted(
        personas,
        personas.lianchi,
        personas.clerk_lianchi,
        full_parts,
        {
            "villages_total": 26,
            "villages_with_legal_advisor": 26,
            "admin_lawsuits": 0,
            "head_appearances": 0,
        },
    )


# --- ranking ------------------------------------------------------------------------------


def test_reviewer_sees_county_ranking_with_points_and_not_applicable(
    client, personas, lianchi_submitted
):
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("ranking") + "?year=2023")
    assert response.status_code == 200
    ranking = response.context["ranking"]
    row = next(r for r in ranking.rows if r.township == personas.lianchi)
    assert row.rank == 1
    assert row.items["head_appearance_rate"]["status"] == "not_applicable"
    assert len(ranking.rows) == Township.objects.filter(county=personas.shenqiu).count()
    text = response.content.decode()
    assert "不适用" in text and "村（社区）法律顾问覆盖率" in text
    assert reverse("report_score", args=[lianchi_submitted.pk]) in text


def test_reviewer_cannot_switch_to_another_county(client, personas, lianchi_submitted):
    wuxi = County.objects.get(name="巫溪县")
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("ranking") + f"?year=2023&county={wuxi.pk}")
    assert response.context["county"] == personas.shenqiu


def test_admin_picks_any_county(client, personas):
    wuxi = County.objects.get(name="巫溪县")
    client.force_login(personas.admin)
    response = client.get(reverse("ranking") + f"?year=2023&county={wuxi.pk}")
    assert response.context["county"] == wuxi
    assert {r.township.county for r in response.context["ranking"].rows} == {wuxi}


def test_clerk_gets_no_ranking(client, personas):
    client.force_login(personas.clerk_lianchi)
    assert client.get(reverse("ranking")).status_code == 403


def test_ranking_sorts_by_an_indicator(client, personas, full_parts):
    dongcheng = Township.objects.get(name="东城街道")
    clerk = UserFactory(username="dongcheng")
    membership_assign(user=clerk, role=Membership.Role.CLERK, township=dongcheng)
    submitted(
        personas,
        personas.lianchi,
        personas.clerk_lianchi,
        full_parts,
        {"rule_of_law_meetings": 0, "certified_enforcement_officers": 9},
    )
    submitted(personas, dongcheng, clerk, full_parts, {"rule_of_law_meetings": 5})
    client.force_login(personas.reviewer_shenqiu)
    rows = (
        client.get(reverse("ranking") + "?year=2023&sort=rule_of_law_meetings")
        .context["ranking"]
        .rows
    )
    assert rows[0].township == dongcheng
    rows = (
        client.get(reverse("ranking") + "?year=2023&sort=certified_officers")
        .context["ranking"]
        .rows
    )
    assert rows[0].township == personas.lianchi


def test_ranking_query_count_is_fixed_for_a_county_of_40(client, personas, full_parts):
    client.force_login(personas.reviewer_shenqiu)
    url = reverse("ranking") + "?year=2023"
    submitted(personas, personas.lianchi, personas.clerk_lianchi, full_parts)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(40 - Township.objects.filter(county=personas.shenqiu).count()):
        town = TownshipFactory(county=personas.shenqiu, name=f"新增镇{i}")
        clerk = UserFactory(username=f"clerk{i}")
        membership_assign(user=clerk, role=Membership.Role.CLERK, township=town)
        submitted(personas, town, clerk, full_parts, {"villages_total": 10 + i})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["ranking"].rows) == 40
    assert len(many) == len(few)


# --- score breakdown and history ------------------------------------------------------------


def test_breakdown_page_explains_each_indicator(client, personas, lianchi_submitted):
    client.force_login(personas.clerk_lianchi)
    response = client.get(reverse("report_score", args=[lianchi_submitted.pk]))
    text = response.content.decode()
    assert "按比例计分，达到 100 得满分 15 分" in text
    assert "分母为 0，不适用，分值不计入满分" in text
    assert "百分制" in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [("clerk_lianchi", 200), ("clerk_huatai", 404), ("reviewer_shenqiu", 404), ("admin", 200)],
)
def test_breakdown_of_a_draft(client, personas, persona, status):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("report_score", args=[report.pk])).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("clerk_lianchi", 200), ("clerk_huatai", 404), ("reviewer_shenqiu", 200), ("admin", 200)],
)
def test_breakdown_of_a_submitted_report(client, personas, lianchi_submitted, persona, status):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("report_score", args=[lianchi_submitted.pk])).status_code == status


@pytest.mark.parametrize(
    ("persona", "township", "status"),
    [
        ("clerk_lianchi", "lianchi", 200),
        ("clerk_lianchi", "huatai", 404),
        ("reviewer_shenqiu", "lianchi", 200),
        ("reviewer_shenqiu", "huatai", 404),
        ("admin", "huatai", 200),
    ],
)
def test_township_history_permissions(client, personas, persona, township, status):
    client.force_login(getattr(personas, persona))
    target = getattr(personas, township)
    assert client.get(reverse("township_scores", args=[target.pk])).status_code == status


def test_township_history_lists_totals_by_year(client, personas, lianchi_submitted):
    client.force_login(personas.clerk_lianchi)
    response = client.get(reverse("township_scores", args=[personas.lianchi.pk]))
    history = {period.year: score for period, _report, score in response.context["history"]}
    assert history[2023] == lianchi_submitted.score
    assert history[2022] is None


# --- admin: editing the set re-scores the period --------------------------------------------


def test_admin_change_of_a_target_rescored_after_commit(
    client, personas, lianchi_submitted, django_capture_on_commit_callbacks
):
    indicator_set = IndicatorSet.objects.get(period=personas.period)
    before = ReportScore.objects.get(report=lianchi_submitted).total
    client.force_login(personas.admin)
    url = reverse("admin:indicators_indicatorset_change", args=[indicator_set.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "on" if value is True else ("" if value in (None, False) else value)
    data.pop("formula_help", None)
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management.initial.get(
                name, management[name].value()
            )
        for index, inline in enumerate(formset.formset.forms):
            for name, field in inline.fields.items():
                value = inline.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                data[f"{formset.formset.prefix}-{index}-{name}"] = (
                    "on" if value is True else ("" if value in (None, False) else value)
                )
    # Legal-advisor coverage, where 莲池镇 has full marks, now weighs 30 points instead of 15.
    coverage = next(
        i for i in range(20) if data.get(f"indicators-{i}-code") == "legal_advisor_coverage"
    )
    data[f"indicators-{coverage}-points"] = "30"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    coverage = Indicator.objects.get(indicator_set=indicator_set, code="legal_advisor_coverage")
    assert coverage.points == Decimal(30)
    after = ReportScore.objects.get(report=lianchi_submitted).total
    assert after > before


def test_admin_indicator_set_page_lists_formula_codes(client, personas):
    client.force_login(personas.admin)
    indicator_set = IndicatorSet.objects.get(period=personas.period)
    text = client.get(
        reverse("admin:indicators_indicatorset_change", args=[indicator_set.pk])
    ).content.decode()
    assert "villages_total" in text and "parts_present" in text and "submitted_on_time" in text


def test_reviewer_cannot_open_the_indicator_admin(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("admin:indicators_indicatorset_changelist"))
    assert response.status_code == 302


def test_moving_the_deadline_in_the_admin_rescored_on_time(
    client, personas, lianchi_submitted, django_capture_on_commit_callbacks
):
    assert stored_points(lianchi_submitted, "on_time") == "0.00"
    client.force_login(personas.admin)
    url = reverse("admin:org_period_change", args=[personas.period.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2023, "deadline": "2099-12-31"})
    assert response.status_code == 302
    assert stored_points(lianchi_submitted, "on_time") == "10.00"
