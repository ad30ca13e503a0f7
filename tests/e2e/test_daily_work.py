"""The daily work of clerks, reviewers and the admin, in a real browser: a comment on a figure
answered and resolved, a reminder notice for a late township, the queue filtered to resubmissions,
an account created by the admin whose first log-in asks for a new password, and axe-core's
accessibility check of the main pages at 1366×768 and on a phone."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from org.models import Period
from reports.models import Report
from reports.services.reminders import reminder_policy_update, reminders_send_due
from reports.workflow import SENT_STATUSES
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page. The script is
    evaluated through the browser's protocol, which the page's CSP does not govern."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target)}))"""
    )
    return result


def test_a_figure_comment_is_answered_and_resolved(demo, page, shot):
    base = demo
    accept_dialogs(page)
    report = Report.objects.get(township__name="莲池镇", period__year=2023)

    # The clerk submits the demo draft.
    log_in(page, base, "lianchi")
    page.goto(f"{base}/reports/{report.pk}/edit/")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    log_out(page, base)

    # The reviewer comments on a figure and returns the report.
    log_in(page, base, "shenqiu")
    page.goto(f"{base}/reports/{report.pk}/review/")
    page.get_by_label("对某项数据提出意见").select_option(label="数据：调解成功件数")
    page.get_by_label("意见内容").fill("调解成功件数与排查件数不一致，请核实。")
    page.get_by_role("button", name="添加意见").last.click()
    expect(page.locator("#thread-fig-disputes_resolved")).to_contain_text("请核实")
    page.get_by_label("退回理由（必填，填报员会看到）").fill("请核实调解成功件数。")
    page.get_by_role("button", name="退回修改").click()
    log_out(page, base)

    # The clerk sees the reason and the comment at the top, goes to the figure and answers.
    log_in(page, base, "lianchi")
    page.goto(f"{base}/reports/{report.pk}/edit/")
    expect(page.locator("#return-reason")).to_contain_text("请核实调解成功件数。")
    page.locator("#open-comments").get_by_role("link", name="数据：调解成功件数").click()
    thread = page.locator("#thread-fig-disputes_resolved")
    thread.get_by_label("答复这条意见").fill("已核实，原数据有误，已改正。")
    thread.get_by_role("button", name="保存答复").click()
    expect(thread).to_contain_text("已核实，原数据有误，已改正。")
    shot("30-clerk-answers-figure-comment", full_page=False)
    page.get_by_role("button", name="保存并重新报送").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    log_out(page, base)

    # The reviewer sees the answer beside the figure and resolves the comment.
    log_in(page, base, "shenqiu")
    page.goto(f"{base}/reports/{report.pk}/review/")
    thread = page.locator("#thread-fig-disputes_resolved")
    expect(thread).to_contain_text("已核实，原数据有误，已改正。")
    thread.get_by_role("button", name="标为已解决").click()
    expect(page.locator("#thread-fig-disputes_resolved").get_by_text("已解决")).to_be_visible()
    shot("31-reviewer-resolves-figure-comment", full_page=False)


def test_a_late_township_gets_a_reminder_notice(demo, page, shot):
    base = demo
    period = Period.objects.get(year=2024)
    Period.objects.exclude(pk=period.pk).update(locked=True)
    period.deadline = timezone.localdate() - datetime.timedelta(days=3)
    period.save()
    from org.models import County
    from tests.factories import UserFactory

    reviewer = UserFactory(username="reminder-reviewer")
    from org.services import membership_assign

    shenqiu = County.objects.get(name="沈丘县")
    membership_assign(user=reviewer, role="reviewer", county=shenqiu)
    reminder_policy_update(
        county=shenqiu, actor=reviewer, active=True, days_before="7,1", every_days_after=3
    )
    assert reminders_send_due() == 1  # the daily task, as Celery beat runs it

    # A clerk of 沈丘县 whose township has not sent 2024.
    late = (
        User.objects.filter(membership__township__county=shenqiu)
        .exclude(
            membership__township__reports__period=period,
            membership__township__reports__status__in=SENT_STATUSES,
        )
        .order_by("username")
        .first()
    )
    log_in(page, base, late.username)
    expect(page.locator("#notice-link")).to_contain_text("1")
    page.locator("#notice-link").click()
    expect(page.locator("#notices")).to_contain_text("请尽快报送2024年度法治政府建设情况报告")
    shot("32-reminder-notice", full_page=False)


def test_the_reviewer_filters_the_queue_to_2023_resubmissions(demo, page, shot):
    base = demo
    accept_dialogs(page)
    report = Report.objects.get(township__name="莲池镇", period__year=2023)
    log_in(page, base, "lianchi")
    page.goto(f"{base}/reports/{report.pk}/edit/")
    page.get_by_role("button", name="保存并提交").click()
    log_out(page, base)
    log_in(page, base, "shenqiu")
    page.goto(f"{base}/reports/{report.pk}/review/")
    page.get_by_label("退回理由（必填，填报员会看到）").fill("请补充。")
    page.get_by_role("button", name="退回修改").click()
    log_out(page, base)
    log_in(page, base, "lianchi")
    page.goto(f"{base}/reports/{report.pk}/edit/")
    page.get_by_role("button", name="保存并重新报送").click()
    log_out(page, base)

    log_in(page, base, "shenqiu")
    page.get_by_role("link", name="待审核").first.click()
    page.get_by_label("年度").select_option(label="2023年度")
    page.get_by_label("乡镇（街道）").select_option(label="莲池镇")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("莲池镇")
    expect(rows.first).to_contain_text("退回后重报")
    page.get_by_label("乡镇（街道）").select_option(label="全部")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table tbody tr").first).to_contain_text("退回后重报")  # first of all
    expect(page.locator("#bulk-approve")).to_be_in_viewport()
    shot("33-queue-resubmissions", full_page=False)


def test_the_admin_creates_a_clerk_who_must_change_the_password(demo, page, shot):
    base = demo
    log_in(page, base, "security")  # 三员分立: accounts are the security administrator's
    page.get_by_role("link", name="用户管理").click()
    # The place first (province → city → county), then the county's townships are offered.
    place = page.locator("#new-account-place")
    place.get_by_label("省（自治区、直辖市）").select_option(label="河南省")
    place.get_by_label("市（州、盟）").select_option(label="周口市")
    place.get_by_label("县（市、区）").select_option(label="沈丘县")
    form = page.locator("#new-account")
    form.get_by_label("用户名").fill("xinzhen")
    form.get_by_label("姓名或称呼").fill("新镇填报员")
    form.get_by_label("角色").select_option(label="乡镇填报员")
    form.get_by_label("所属乡镇（街道）").select_option(label="莲池镇")
    form.get_by_role("button", name="创建账号").click()
    password = page.locator("#password").inner_text()
    shot("34-temporary-password", full_page=False)
    log_out(page, base)

    log_in(page, base, "xinzhen", password)
    expect(page.locator("#must-change")).to_be_visible()
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("Fjdq-2025-pw8")
    page.locator("#id_new_password2").fill("Fjdq-2025-pw8")
    shot("35-must-change-password", full_page=False)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码已修改。")).to_be_visible()
    expect(page.get_by_role("heading", name="莲池镇", exact=False)).to_be_visible()


PAGES = {
    "lianchi": ["/township/", "/reports/{draft}/edit/", "/notices/"],
    "shenqiu": ["/county/", "/review/", "/ranking/"],
    "admin": ["/overview/"],
    "security": ["/people/"],
    None: ["/login/", "/public/"],
}


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_violation(demo, browser, viewport, tmp_path):
    base = demo
    draft = Report.objects.get(township__name="莲池镇", period__year=2023)
    found = {}
    for user, paths in PAGES.items():
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN"
        )
        page = context.new_page()
        if user:
            log_in(page, base, user)
        for path in paths:
            page.goto(base + path.format(draft=draft.pk))
            violations = axe_violations(page)
            if violations:
                found[f"{user} {path}"] = violations
        context.close()
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_menu_collapses_on_a_phone_and_the_review_actions_stay_near_the_top(
    demo, browser, shot
):
    base = demo
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "shenqiu")
    menu_link = page.locator("#main-menu").get_by_role("link", name="待审核", exact=True)
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="展开菜单").click()
    expect(menu_link).to_be_visible()
    page.screenshot(path=str(Path(settings.VAR_DIR) / "screenshots" / "36-phone-menu.png"))
    context.close()

    # 150 % zoom on a 1366×768 screen is a 910×512 viewport: the 办理 card is in the first screen.
    context = browser.new_context(viewport={"width": 910, "height": 512}, locale="zh-CN")
    page = context.new_page()
    report = Report.objects.filter(township__county__name="沈丘县", status="submitted").first()
    log_in(page, base, "shenqiu")
    page.goto(f"{base}/reports/{report.pk}/review/")
    expect(page.locator("#actions")).to_be_in_viewport()
    page.screenshot(path=str(Path(settings.VAR_DIR) / "screenshots" / "37-review-zoomed.png"))
    context.close()

    # The skip link is the first thing the keyboard reaches, and its focus shows.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "shenqiu")
    # The county's page, fully there (a Tab pressed during the navigation would be lost).
    expect(page).to_have_url(re.compile(r"/county/"))
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    context.close()
