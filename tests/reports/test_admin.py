import pytest
from django.urls import reverse

from reports.services.drafts import report_start

MODELS = [
    "org_county",
    "org_township",
    "org_period",
    "reports_report",
    "reports_reportstatuschange",
    "reports_reviewcomment",
    "reports_reportsnapshot",
    "exports_exportjob",
    "org_membership",
    "indicators_dataelement",
    "indicators_dataelementsynonym",
    "indicators_indicatorset",
    "reports_reportscore",
]


NO_SYNONYMS = {"synonyms-TOTAL_FORMS": "0", "synonyms-INITIAL_FORMS": "0"}


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_every_model(client, personas, model):
    report_start(township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi)
    client.force_login(personas.admin)
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200
    search = client.get(reverse(f"admin:{model}_changelist") + "?q=莲池")
    assert search.status_code == 200


def test_admin_report_page_and_history(client, personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    client.force_login(personas.admin)
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 200
    assert client.get(reverse("admin:reports_report_history", args=[report.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["clerk_lianchi", "reviewer_shenqiu"])
def test_admin_site_refused_to_clerks_and_reviewers(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("admin:reports_report_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_admin_can_add_a_data_element_and_refuses_a_bad_code(client, personas):
    from indicators.models import DataElement

    client.force_login(personas.admin)
    url = reverse("admin:indicators_dataelement_add")
    bad = client.post(
        url,
        {
            "code": "Bad Code",
            "name": "x",
            "unit": "个",
            "area": "其他",
            "order": 1,
            "active": "on",
            **NO_SYNONYMS,
        },
    )
    assert bad.status_code == 200
    assert "代码只能由小写英文字母" in bad.content.decode()
    ok = client.post(
        url,
        {
            "code": "legal_aid_cases",
            "name": "法律援助案件数",
            "unit": "件",
            "area": "普法与公共法律服务",
            "order": 125,
            "active": "on",
            **NO_SYNONYMS,
        },
    )
    assert ok.status_code == 302
    assert DataElement.objects.filter(code="legal_aid_cases").exists()


def test_admin_locks_and_unlocks_a_period(client, personas):
    client.force_login(personas.admin)
    url = reverse("admin:org_period_changelist")
    data = {"action": "lock", "_selected_action": [personas.period.pk]}
    assert client.post(url, data).status_code == 302
    personas.period.refresh_from_db()
    assert personas.period.locked
    client.post(url, {**data, "action": "unlock"})
    personas.period.refresh_from_db()
    assert not personas.period.locked


def test_admin_report_page_links_to_reopen_in_the_portal(client, personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    client.force_login(personas.admin)
    text = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert reverse("report_detail", args=[report.pk]) in text
    assert "重新打开" in text


def test_admin_cannot_change_a_published_reports_content_behind_the_workflow(
    client, personas, full_parts
):
    from reports.models import Report, ReportStatusChange, ReportValue
    from reports.services.transitions import report_approve, report_publish
    from tests.helpers import submit_report

    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures={"villages_total": 20},
    )
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    report = report_publish(report=report, actor=personas.reviewer_shenqiu)
    value = ReportValue.objects.get(report=report, element__code="villages_total")
    before = (
        Report.objects.filter(pk=report.pk).values().get(),
        value.value,
        ReportStatusChange.objects.filter(report=report).count(),
        report.history.count(),
    )
    client.force_login(personas.admin)
    change = reverse("admin:reports_report_change", args=[report.pk])
    page = client.get(change)
    assert page.status_code == 200  # shown to read, with no form to send
    assert 'name="measures_and_results"' not in page.content.decode()
    edit = {
        "township": report.township_id,
        "period": report.period_id,
        "measures_and_results": "管理员改写的内容",
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "1",
        "values-0-id": value.pk,
        "values-0-report": report.pk,
        "values-0-value": "999",
    }
    assert client.post(change, edit).status_code == 403
    assert client.post(reverse("admin:reports_report_add"), edit).status_code == 403
    delete = reverse("admin:reports_report_delete", args=[report.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    value.refresh_from_db()
    after = (
        Report.objects.filter(pk=report.pk).values().get(),
        value.value,
        ReportStatusChange.objects.filter(report=report).count(),
        report.history.count(),
    )
    assert after == before


@pytest.mark.parametrize(
    "model", ["reviewcomment", "reportstatuschange", "reportsnapshot", "reportscore"]
)
def test_admin_cannot_add_or_change_workflow_records(client, personas, model):
    client.force_login(personas.admin)
    assert client.post(reverse(f"admin:reports_{model}_add"), {}).status_code == 403


def test_the_system_administrator_does_not_manage_accounts_in_the_admin(client, personas):
    """三员分立: accounts and roles are the security administrator's (用户管理 in the portal)."""
    from org.models import Membership

    client.force_login(personas.admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    # …and the overview does not offer a link that would end there.
    overview = client.get(reverse("admin_home") + "?year=2023").content.decode()
    assert reverse("admin:auth_user_changelist") not in overview
    membership = Membership.objects.get(user=personas.clerk_lianchi)
    page = client.get(reverse("admin:org_membership_change", args=[membership.pk]))
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()  # the place only
    assert 'name="township"' in page.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "admin:org_township_changelist",
        "admin:org_membership_changelist",
        "admin:reports_report_changelist",
        "admin:reports_reviewcomment_changelist",
        "admin:reports_reportscore_changelist",
    ],
)
def test_admin_lists_filter_by_province_not_by_every_county(client, personas, name):
    from org.models import County

    County.objects.bulk_create(
        County(province="四川省", city="成都市", name=f"筛选县{i}") for i in range(30)
    )
    client.force_login(personas.admin)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "筛选县" not in response.content.decode()
