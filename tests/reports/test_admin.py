import pytest
from django.urls import reverse

from reports.services import report_start

MODELS = [
    "reports_county",
    "reports_township",
    "reports_period",
    "reports_report",
    "reports_reportstatuschange",
    "reports_reviewcomment",
    "reports_reportsnapshot",
    "reports_exportjob",
    "reports_membership",
    "indicators_dataelement",
    "indicators_indicatorset",
    "indicators_reportscore",
    "auth_user",
]


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
        {"code": "Bad Code", "name": "x", "unit": "个", "area": "其他", "order": 1, "active": "on"},
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
        },
    )
    assert ok.status_code == 302
    assert DataElement.objects.filter(code="legal_aid_cases").exists()


def test_admin_locks_and_unlocks_a_period(client, personas):
    client.force_login(personas.admin)
    url = reverse("admin:reports_period_changelist")
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
