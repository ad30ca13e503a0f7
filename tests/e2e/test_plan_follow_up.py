"""In a real browser: the reviewer of 沈丘县 opens 莲池镇's report and sees last year's plan beside
this year's measures, an item nothing reports on marked 「未见落实情况」."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from org.models import Period, Township
from reports.models import Report
from reports.workflow import ReportStatus
from tests.e2e.helpers import log_in
from tests.reports.test_plan_follow_up import MEASURES, PLAN

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_planned_item_not_reported_on_is_shown_as_not_carried_out(live_server, page, shot):
    call_command("load_demo", stdout=io.StringIO())
    lianchi = Township.objects.get(name="莲池镇")
    period = Period.objects.get(year=2023)
    previous, _ = Report.objects.update_or_create(
        township=lianchi,
        period=Period.objects.get(year=2022),
        defaults={"next_year_plan": PLAN, "status": ReportStatus.APPROVED},
    )
    report = Report.objects.get(township=lianchi, period=period)
    Report.objects.filter(pk=report.pk).update(
        measures_and_results=MEASURES, status=ReportStatus.SUBMITTED
    )

    log_in(page, live_server.url, "shenqiu")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    card = page.locator("#plan-follow-up")
    expect(card.get_by_role("heading", name="上年度安排落实情况")).to_be_visible()
    expect(card).to_contain_text("1 项未见落实情况")
    missing = card.locator("tr.follow-up-item").filter(has_text="建设智慧调解平台")
    expect(missing.get_by_text("未见落实情况")).to_be_visible()
    done = card.locator("tr.follow-up-item").filter(has_text="规范行政执法行为")
    expect(done).to_contain_text("全面落实行政执法公示制度")
    expect(done.get_by_text("未见落实情况")).to_have_count(0)
    shot("30-plan-follow-up")
    assert previous.pk != report.pk
