"""The clerk of 莲池镇 files the 2023 report in a real browser, as the foundation issue describes."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import Report
from reports.selectors.reports import report_figures
from reports.workflow import ReportStatus
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


def test_clerk_edits_saves_breaks_a_rule_fixes_and_submits(demo_site, page, shot):
    page.goto(demo_site + "/")  # not logged in: the Chinese log-in page
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    shot("01-login")
    log_in(page, demo_site, "lianchi")
    expect(page.get_by_role("heading", name="沈丘县莲池镇 · 法治政府建设年度报告")).to_be_visible()
    shot("02-township-home")

    row = page.get_by_role("row").filter(has_text="2023年度")
    row.get_by_role("link", name="继续填写").click()
    expect(page.get_by_role("heading", name="莲池镇2023年度法治政府建设情况报告")).to_be_visible()

    other = page.get_by_label("五、其他需要报告的情况")
    other.fill("本年度无其他需要报告的情况。")
    page.get_by_label("调解成功件数（件）").fill("380")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#saved-note")).to_contain_text("草稿已保存")
    page.reload()
    expect(page.get_by_label("五、其他需要报告的情况")).to_have_value(
        "本年度无其他需要报告的情况。"
    )
    expect(page.get_by_label("调解成功件数（件）")).to_have_value("380")
    shot("03-saved-and-reloaded")

    # A figure the server refuses: nothing is saved, and the page still counts as unsaved work.
    page.get_by_label("调解成功件数（件）").fill("-5")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("不能为负数。", exact=True)).to_be_visible()
    expect(page.locator("[data-dirty-note]")).to_be_visible()
    shot("03b-refused-not-saved", full_page=False)

    # Resolved disputes above mediated ones: refused, with the message at the field.
    page.get_by_label("调解成功件数（件）").fill("450")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存并提交").click()
    message = "调解成功件数（450）不能多于排查调处矛盾纠纷件数（400）"
    field = page.locator("#id_fig_disputes_resolved")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    # The message stands under the figure itself, not only in the summary at the top.
    expect(field.locator("xpath=..").get_by_text(message)).to_be_visible()
    expect(page.locator("#error-summary").get_by_text(message)).to_be_visible()
    page.locator("#id_fig_disputes_resolved").scroll_into_view_if_needed()
    shot("04-rule-broken", full_page=False)
    report = Report.objects.get(township__name="莲池镇", period__year=2023)
    assert report.status == ReportStatus.DRAFT

    page.get_by_label("调解成功件数（件）").fill("380")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    expect(page.get_by_text("只能查看，不能修改")).to_be_visible()
    shot("05-submitted-read-only")

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.other == "本年度无其他需要报告的情况。"
    assert report_figures(report)["disputes_resolved"] == 380
    # No way back into the form.
    page.goto(f"{demo_site}/reports/{report.pk}/edit/")
    expect(page.get_by_text("只能查看，不能修改")).to_be_visible()
    assert page.locator("textarea").count() == 0


def open_huatai_2023(page, demo_site):
    """花台乡's clerk opens the 2023 draft; returns the link that opens it again."""
    log_in(page, demo_site, "huatai")
    continue_2023 = (
        page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写")
    )
    continue_2023.click()
    return continue_2023


def leave_and_return(page, continue_2023):
    """Leaving asks first (the browser's own dialog); the clerk leaves anyway by the menu, then
    comes back to the report the way they came."""
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="本乡镇报告").click()
    expect(
        page.get_by_role("heading", name=re.compile("花台乡 · 法治政府建设年度报告"))
    ).to_be_visible()
    continue_2023.click()


DUTY = "三、党政主要负责人履行推进法治建设第一责任人职责情况"


def test_typed_text_survives_leaving_the_page_without_saving(demo_site, page, shot):
    continue_2023 = open_huatai_2023(page, demo_site)
    duty = page.get_by_label(DUTY)
    duty.fill("党委书记主持中心组学法4次，乡长出庭应诉1次。")
    leave_and_return(page, continue_2023)
    banner = page.locator("#local-backup")
    expect(banner).to_be_visible()
    expect(duty).to_have_value("")
    shot("06-local-backup-offered", full_page=False)
    banner.get_by_role("button", name="恢复这些内容").click()
    expect(duty).to_have_value("党委书记主持中心组学法4次，乡长出庭应诉1次。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#saved-note")).to_contain_text("草稿已保存")
    expect(page.locator("#local-backup")).to_be_hidden()
    report = Report.objects.get(township__name="花台乡", period__year=2023)
    assert report.leadership_duty == "党委书记主持中心组学法4次，乡长出庭应诉1次。"


def test_typing_before_the_form_script_has_run_is_kept(demo_site, page):
    # On an old PC the form shows before its script has run; hold the script back to be sure.
    held = []

    def hold_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/static/js/report_form(\.[0-9a-f]+)?\.js$"), hold_first)
    continue_2023 = open_huatai_2023(page, demo_site)
    duty = page.get_by_label(DUTY)
    duty.fill("书记、乡长带头学法。")
    for _ in range(100):  # the held request reaches the handler while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "the form script was not held back"
    held[0].continue_()
    expect(page.locator("[data-dirty-note]")).to_be_visible()

    leave_and_return(page, continue_2023)
    expect(page.locator("#local-backup")).to_be_visible()
    page.get_by_role("button", name="恢复这些内容").click()
    expect(duty).to_have_value("书记、乡长带头学法。")
