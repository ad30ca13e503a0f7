"""Issue 7's web security in a real browser: every role's main pages under the Content Security
Policy with no violation and no console error, htmx still working (a comment, export progress
polling), report text with script in it shown as text, and the lock-out page."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from exports.models import ExportJob
from org.models import Period
from reports.models import Report
from reports.services.drafts import report_save_draft
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '甲<script>alert(1)</script>乙<img src=x onerror=alert(1)>丙"><b>丁'

# Violations are reported from the page by an init script, which the CSP does not govern.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at "
    + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def problems(page):
    found = []
    page.expose_function("cspViolation", lambda text: found.append("CSP: " + text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda msg: (
            found.append(f"console {msg.type}: {msg.text} ({page.url})")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda exc: found.append(f"page error: {exc} ({page.url})"))

    def dialog(d):
        if d.type == "confirm":  # 报送, 公开 … ask first; anything else would be injected script
            d.accept()
        else:
            found.append(f"dialog {d.type}: {d.message} ({page.url})")
            d.dismiss()

    page.on("dialog", dialog)
    return found


def visit(page, base, path, heading=None):
    response = page.goto(base + path)
    assert response.status < 400, (path, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    if heading:
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()


def test_every_role_works_under_the_csp(live_server, page, problems, shot):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    report = Report.objects.get(township__name="莲池镇", period__year=2023)
    clerk = User.objects.get(username="lianchi")
    report = report_save_draft(
        report=report,
        actor=clerk,
        base_version=report.version,
        parts={"other": HOSTILE},
        figures={},
    )

    # Anyone: the log-in page, the public list, and a lock-out after five wrong passwords.
    visit(page, base, "/login/", "用户登录")
    visit(page, base, "/public/")
    for _ in range(5):
        log_in(page, base, "laoyanji", "wrong")
    expect(page.locator("#locked-out")).to_contain_text("账号已被暂时锁定")
    shot("70-locked-out", full_page=False)
    log_in(page, base, "laoyanji")
    expect(page.locator("#locked-out")).to_be_visible()  # even the right password
    # Chromium logs each refused log-in (HTTP 429) as a failed resource; nothing else may appear.
    assert problems and all("status of 429" in problem for problem in problems), problems
    problems.clear()

    # The clerk: home, scores, the report page and the form with the hostile text, then submit.
    log_in(page, base, "lianchi")
    expect(page.get_by_role("heading", name="沈丘县莲池镇 · 法治政府建设年度报告")).to_be_visible()
    page.get_by_role("link", name="历年得分").click()
    expect(page.get_by_role("heading").first).to_be_visible()
    visit(page, base, f"/reports/{report.pk}/")
    expect(page.get_by_text(HOSTILE)).to_be_visible()
    visit(page, base, f"/reports/{report.pk}/edit/")
    expect(page.get_by_label("五、其他需要报告的情况")).to_have_value(HOSTILE)
    page.get_by_label("五、其他需要报告的情况").fill(HOSTILE + "\n已核实。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#saved-note")).to_contain_text("草稿已保存")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    visit(page, base, f"/reports/{report.pk}/score/")
    log_out(page, base)

    # The reviewer: queue, review page with an htmx comment, dashboard, ranking, export polling.
    log_in(page, base, "shenqiu")
    visit(page, base, "/review/")
    visit(page, base, f"/reports/{report.pk}/review/")
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    part = page.locator("#part-other")
    url = page.url
    part.get_by_label("对这一部分提出审核意见").fill("请说明" + HOSTILE)
    part.get_by_role("button", name="添加意见").click()
    expect(part.locator(".comment")).to_contain_text("请说明" + HOSTILE)  # swapped in by htmx
    assert page.url == url
    shot("71-review-under-csp")
    visit(page, base, "/county/")
    visit(page, base, "/ranking/?year=2023")
    expect(page.locator(".chart").first).to_be_visible()

    job = ExportJob.objects.create(
        kind="county",
        period=Period.objects.get(year=2023),
        county=report.township.county,
        requested_by=User.objects.get(username="shenqiu"),
        status=ExportJob.Status.RUNNING,
        progress=40,
    )
    visit(page, base, f"/exports/{job.pk}/")
    bar = page.locator(".progress-bar")
    expect(bar).to_have_text("40%")
    assert page.evaluate("document.querySelector('.progress-bar').style.width") == "40%"
    ExportJob.objects.filter(pk=job.pk).update(progress=70)
    expect(bar).to_have_text("70%")  # polled by htmx every second
    assert page.evaluate("document.querySelector('.progress-bar').style.width") == "70%"
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error="测试结束。")
    expect(page.get_by_text("测试结束。")).to_be_visible()

    page.goto(base + f"/reports/{report.pk}/review/")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("报告已审核通过。")).to_be_visible()
    page.get_by_role("button", name="公开报告").click()
    expect(page.get_by_text("报告已公开")).to_be_visible()
    log_out(page, base)

    # The system admin: overview, queue, ranking, and the Django admin with history.
    log_in(page, base, "admin")
    visit(page, base, "/overview/")
    visit(page, base, "/review/")
    visit(page, base, "/ranking/?year=2023")
    visit(page, base, "/admin/")
    visit(page, base, "/admin/reports/report/")
    visit(page, base, f"/admin/reports/report/{report.pk}/change/")
    visit(page, base, f"/admin/reports/report/{report.pk}/history/")
    visit(page, base, "/admin/indicators/indicatorset/")
    page.locator("#result_list").get_by_role("link").first.click()  # a set with its inlines
    expect(page.locator("#content h2").first).to_be_visible()
    log_out(page, base)

    # 三员分立: the security administrator sees the lock-out on the user page; the auditor reads
    # the failed log-ins in the audit log.
    log_in(page, base, "security")
    visit(page, base, "/people/")
    expect(page.get_by_role("row").filter(has_text="laoyanji").first).to_be_visible()
    log_out(page, base)
    log_in(page, base, "auditor")
    visit(page, base, "/audit/?username=laoyanji")
    expect(page.get_by_role("row").filter(has_text="登录失败").first).to_be_visible()
    log_out(page, base)

    # The public page of the published report.
    visit(page, base, f"/public/reports/{report.pk}/")
    expect(page.get_by_text(HOSTILE)).to_be_visible()
    shot("72-public-under-csp")

    assert problems == [], "\n".join(problems)
