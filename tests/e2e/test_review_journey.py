"""The whole journey in a real browser: the clerk imports the Word report, confirms its figures and
submits; the reviewer comments on 存在的不足和原因 and returns it; the clerk answers, fixes and
resubmits; the reviewer sees the change, approves and publishes; the admin downloads the county
summary PDF; the public page shows the report. Screenshots of each step go to var/screenshots."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import Report
from reports.selectors.reports import report_figures
from reports.workflow import ReportStatus
from tests.e2e.helpers import log_in, log_out
from tests.exports.test_pdf import pdf_text
from tests.reading.test_analysis import sample
from tests.reading.test_documents import make_docx

pytestmark = pytest.mark.django_db(transaction=True)


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_import_submit_comment_return_fix_resubmit_approve_publish(
    live_server, page, shot, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    accept_dialogs(page)

    # 1. The clerk of 莲池镇 imports the Word file of the 2023 report, checks what was found,
    #    corrects one figure, confirms, and submits.
    docx_path = tmp_path / "莲池镇2023年法治政府建设情况报告.docx"
    docx_path.write_bytes(make_docx(sample("lianchi-2023.txt")))
    log_in(page, base, "lianchi")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    page.get_by_role("link", name="从 Word 文档导入").click()
    page.get_by_label("上传报告文件").set_input_files(str(docx_path))
    page.get_by_role("button", name="识别报告内容").click()
    expect(page.get_by_role("heading", name="核对导入内容：莲池镇2023年度报告")).to_be_visible()
    mediated = page.locator("#import-fig-disputes_mediated")
    expect(mediated.locator("mark")).to_have_text("妥善处理各类矛盾纠纷400余件")
    expect(mediated.get_by_text("约数")).to_be_visible()
    shot("19-import-confirm")
    # The demo draft already holds this text: the clerk chooses to replace it, part by part.
    for key in ("measures_and_results", "shortcomings", "leadership_duty", "next_year_plan"):
        page.locator(f"#import-part-{key}").get_by_label("用导入的内容替换").check()
    mediated.get_by_role("textbox").fill("412")
    mediated.get_by_role("checkbox").check()
    page.get_by_role("button", name="确认导入").click()
    expect(
        page.get_by_role("alert").filter(has_text="已导入所选内容，请核对后保存或提交。")
    ).to_be_visible()
    expect(page.get_by_label("排查调处矛盾纠纷件数（件）")).to_have_value("412")
    shot("19b-after-import", full_page=False)
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    imported = Report.objects.get(township__name="莲池镇", period__year=2023)
    assert report_figures(imported)["disputes_mediated"] == 412
    assert any("shenqiu@example.org" in m.to for m in mail.outbox)
    log_out(page, base)

    # 2. The reviewer sees it in the queue, comments on 存在的不足和原因, and returns it.
    log_in(page, base, "shenqiu")
    page.locator("#main-menu").get_by_role("link", name="待审核", exact=True).click()
    # The queue opens on the current year; this report is for 2023.
    page.get_by_label("年度").select_option(label="2023年度")
    page.get_by_role("button", name="筛选").click()
    row = page.get_by_role("row").filter(has_text="莲池镇").filter(has_text="2023年度")
    expect(row).to_be_visible()
    shot("20-queue", full_page=False)
    row.get_by_role("link", name="审核").click()
    # 冯营镇's 2023 report (planted by the demo) reuses 莲池镇's paragraphs: the check found it.
    copied = page.locator("#similarity li").filter(has_text="冯营镇2023年度报告")
    expect(copied.get_by_text("疑似抄袭/雷同")).to_be_visible()
    copied.get_by_role("link", name="对照查看").click()
    expect(
        page.get_by_role("heading", name="相似内容对照：莲池镇2023年度 与 冯营镇2023年度")
    ).to_be_visible()
    expect(page.locator("mark").first).to_be_visible()
    assert page.locator("mark").filter(has_text="强化学习培训").count() >= 1
    shot("20b-copied-passages", full_page=False)
    page.go_back()
    part = page.locator("#part-shortcomings")
    part.get_by_label("对这一部分提出审核意见").fill(
        "原因分析不具体，请写明培训次数不足的具体原因和整改措施。"
    )
    part.get_by_role("button", name="添加意见").click()
    expect(part.get_by_text("原因分析不具体")).to_be_visible()
    page.get_by_label("退回理由（必填，填报员会看到）").fill("请按审核意见修改“存在的不足和原因”。")
    shot("21-review-with-comment")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("报告已退回乡镇修改")).to_be_visible()
    assert any("lianchi@example.org" in m.to and "已退回" in m.subject for m in mail.outbox)
    log_out(page, base)

    # 3. The clerk sees the comment at that part, answers it, fixes the text and resubmits.
    log_in(page, base, "lianchi")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link").first.click()
    if page.get_by_role("link", name="修改报告").count():
        page.get_by_role("link", name="修改报告").click()
    part = page.locator("#part-shortcomings")
    expect(part.get_by_text("原因分析不具体")).to_be_visible()
    shot("22-clerk-sees-comment", full_page=False)
    part.get_by_label("答复这条意见").fill("已补充原因和整改措施。")
    part.get_by_role("button", name="保存答复").click()
    expect(part.get_by_text("已补充原因和整改措施。")).to_be_visible()
    box = page.get_by_label("二、存在的不足和原因")
    box.fill(box.input_value() + "\n整改措施：2024年起每季度邀请律师授课一次，全年不少于4次。")
    page.get_by_role("button", name="保存并重新报送").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    log_out(page, base)

    # 4. The reviewer sees what changed, approves and publishes.
    log_in(page, base, "shenqiu")
    page.locator("#main-menu").get_by_role("link", name="待审核", exact=True).click()
    # The queue opens on the current year; this report is for 2023.
    page.get_by_label("年度").select_option(label="2023年度")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("row").filter(has_text="莲池镇").filter(has_text="2023年度").get_by_role(
        "link", name="审核"
    ).click()
    changed = page.locator("#part-shortcomings .report-diff ins")
    expect(changed).to_contain_text("每季度邀请律师授课一次")
    expect(page.locator("#part-measures_and_results").get_by_text("与上次报送相同")).to_be_visible()
    shot("23-review-diff")
    page.locator("#part-shortcomings").get_by_role("button", name="标为已解决").click()
    expect(page.locator("#part-shortcomings").get_by_text("已解决")).to_be_visible()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("报告已审核通过。")).to_be_visible()
    page.get_by_role("button", name="公开报告").click()
    expect(page.get_by_text("报告已公开")).to_be_visible()
    timeline = page.locator(".timeline")
    for step in (
        "草稿 → 已报送",
        "已报送 → 已退回",
        "已退回 → 已报送",
        "已报送 → 已通过",
        "已通过 → 已公开",
    ):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text("请按审核意见修改")
    shot("24-timeline")
    page.get_by_role("link", name="本县报送情况").click()
    expect(page.locator(".stat-n").first).to_have_text("22")
    shot("25-dashboard")
    log_out(page, base)

    # 5. The admin downloads 沈丘县's 2023 summary, made by a background job.
    log_in(page, base, "admin")
    page.goto(base + "/overview/?year=2023")
    # The country by province; 河南省's page lists its counties.
    page.locator("#tallies").get_by_role("link", name="河南省").click()
    shenqiu = page.locator("#counties tbody tr").filter(has_text="沈丘县")
    shenqiu.get_by_role("button", name="汇总 PDF").click()
    download = page.get_by_role("link", name="下载 PDF")
    expect(download).to_be_visible(timeout=60_000)
    shot("27-admin-export", full_page=False)
    with page.expect_download() as info:
        download.click()
    summary = tmp_path / "summary.pdf"
    info.value.save_as(summary)
    text = pdf_text(summary.read_bytes())
    assert "沈丘县" in text and "莲池镇" in text and "得分排名" in text
    log_out(page, base)

    # 6. Anyone reads it on the public page.
    page.goto(base + "/public/")
    page.get_by_role("link", name="莲池镇2023年度法治政府建设情况报告").click()
    expect(page.get_by_text("每季度邀请律师授课一次")).to_be_visible()
    shot("26-public")
    report = Report.objects.get(township__name="莲池镇", period__year=2023)
    assert report.status == ReportStatus.PUBLISHED
    assert report.snapshots.count() == 2
