"""Last year beside this year on the form and the review page; 「请核实」 and marking it checked."""

import re

import pytest
from django.urls import reverse

from org.models import Period
from reports.models import FigureCheck
from reports.selectors.plausibility import figure_plausibility
from reports.services.drafts import report_save_draft
from tests.helpers import submit_report

LAST_YEAR = {"villages_total": 26, "publicity_events": 10, "disputes_mediated": 300}
THIS_YEAR = {"villages_total": 26, "publicity_events": 100, "disputes_mediated": 286}


@pytest.fixture
def last_year(personas, full_parts):
    return submit_report(
        township=personas.lianchi,
        period=Period.objects.get(year=2022),
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=LAST_YEAR,
    )


@pytest.fixture
def this_year(personas, full_parts, last_year):
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=THIS_YEAR,
    )


def check(client, report, code="publicity_events", note="已与台账核对，数据无误。"):
    return client.post(reverse("figure_check", args=[report.pk]), {"code": code, "note": note})


def test_review_page_shows_last_year_and_asks_to_check_ten_times(client, personas, this_year):
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[this_year.pk])).content.decode()
    assert "上年：10 场，变化 <strong>+90</strong>" in page
    assert "⚠ 请核实：是上年（10）的 10 倍" in page
    assert "上年：300 件，变化 <strong>−14</strong>" in page  # shown, not flagged
    assert page.count("标记已核实") == 1
    # Its button submits a form of its own, with this request's token in it.
    action = reverse("figure_check", args=[this_year.pk])
    form = f'<form id="figcheck-publicity_events" method="post" action="{action}" hidden>'
    assert page.count('<form id="figcheck-') == 1 and form in page
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"><input type="hidden" '
        r'name="code" value="publicity_events">',
        page,
    )
    assert token and "slot" not in token.group(1)


def test_reviewer_marks_the_figure_checked(client, personas, this_year):
    client.force_login(personas.reviewer_shenqiu)
    response = check(client, this_year)
    assert (
        response.url == reverse("report_review", args=[this_year.pk]) + "#figure-publicity_events"
    )
    stored = FigureCheck.objects.get()
    assert (stored.value, stored.previous, stored.checked_by) == (
        100,
        10,
        personas.reviewer_shenqiu,
    )
    page = client.get(reverse("report_review", args=[this_year.pk])).content.decode()
    assert "✓ 已核实（shenqiu" in page and "已与台账核对，数据无误。" in page
    assert "⚠ 请核实：是上年" not in page and "标记已核实" not in page


def test_clerk_sees_it_on_the_form_and_a_changed_value_needs_a_new_check(
    client, personas, full_parts, last_year
):
    from reports.services.drafts import report_start

    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=report.version,
        parts=full_parts,
        figures=THIS_YEAR,
    )
    client.force_login(personas.clerk_lianchi)
    page = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert "⚠ 请核实：是上年（10）的 10 倍" in page and 'id="figcheck-publicity_events"' in page
    # The form is drawn apart from the cached body: it still holds this request's token.
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"><input type="hidden" name="code"', page
    )
    assert token and "slot" not in token.group(1) and len(token.group(1)) == 64
    response = check(client, report, note="今年新增普法集市，数据无误。")
    assert response.url == reverse("report_edit", args=[report.pk]) + "#figure-publicity_events"
    assert figure_plausibility(report)["publicity_events"].checked
    report.refresh_from_db()
    report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=report.version,
        parts=full_parts,
        figures={**THIS_YEAR, "publicity_events": 120},
    )
    row = figure_plausibility(report)["publicity_events"]
    assert row.flag.flagged and not row.checked and row.needs_check
    page = client.get(reverse("report_edit", args=[report.pk])).content.decode()
    assert "曾核实为 100，数据已改动" in page


def test_a_note_is_required_and_an_unflagged_figure_cannot_be_checked(client, personas, this_year):
    client.force_login(personas.reviewer_shenqiu)
    check(client, this_year, note="  ")
    check(client, this_year, code="disputes_mediated")
    check(client, this_year, code="no_such_code")
    assert not FigureCheck.objects.exists()


@pytest.mark.parametrize("persona", ["clerk_huatai", "clerk_lianchi", "admin"])
def test_wrong_role_or_state_changes_nothing(client, personas, this_year, persona):
    client.force_login(getattr(personas, persona))
    status = check(client, this_year).status_code
    # 花台乡's clerk may not read it; 莲池镇's clerk may not edit a sent report.
    assert status == {"clerk_huatai": 404, "clerk_lianchi": 403, "admin": 302}[persona]
    assert FigureCheck.objects.exists() == (persona == "admin")


def test_wrong_method(client, personas, this_year):
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(reverse("figure_check", args=[this_year.pk])).status_code == 405
    assert not FigureCheck.objects.exists()


def test_checks_and_the_factor_go_through_a_period_export(client, personas, this_year):
    from reports.backup import period_export, period_import

    client.force_login(personas.reviewer_shenqiu)
    check(client, this_year)
    data = period_export(period=personas.period)
    assert data["indicator_sets"][0]["change_factor"] == "3.00"
    period_import(data=data, replace=True)
    restored = FigureCheck.objects.get()
    assert (restored.value, restored.note, restored.checked_by) == (
        100,
        "已与台账核对，数据无误。",
        personas.reviewer_shenqiu,
    )
    # A file written before checks and the factor existed still imports.
    for report in data["reports"]:
        report.pop("figure_checks")
    for each in data["indicator_sets"]:
        each.pop("change_factor")
    period = period_import(data=data, replace=True)
    assert not FigureCheck.objects.exists()
    assert period.indicator_sets.get().change_factor == 3


def test_villages_held_against_the_official_register(client, personas, this_year):
    personas.lianchi.villages_registered = THIS_YEAR["villages_total"] + 20
    personas.lianchi.save(update_fields=["villages_registered"])
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[this_year.pk])).content.decode()
    registered = THIS_YEAR["villages_total"] + 20
    assert f"⚠ 请核实：官方区划登记村（居）委会 {registered} 个" in page
