"""佐证材料 in a real browser: the clerk of 莲池镇 attaches a PDF to 调解成功件数 (and is told why a
disguised file is refused), submits; the reviewer opens it beside the figure; the clerk of another
township gets 404 for its address."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import Evidence
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% 2023\xe5\xb9\xb4\xe8\xb0\x83\xe8\xa7\xa3\xe5\x8f\xb0\xe8\xb4\xa6\n%%EOF\n"
FIELD = "为“调解成功件数（件）”选择文件"


def test_a_pdf_on_a_figure_reaches_the_reviewer_and_nobody_else(live_server, page, shot, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    ledger = tmp_path / "2023年调解台账.pdf"
    ledger.write_bytes(PDF)
    disguised = tmp_path / "照片.pdf"
    disguised.write_bytes(b"MZ\x90\x00this is a program")

    log_in(page, base, "lianchi")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    page.get_by_role("link", name="佐证材料").click()
    section = page.locator("section").filter(has=page.get_by_label(FIELD))
    section.get_by_label(FIELD).set_input_files(str(disguised))
    section.get_by_role("button", name="上传").click()
    expect(page.get_by_label(FIELD)).to_have_class("form-control form-control-sm is-invalid")
    expect(page.locator("section").filter(has=page.get_by_label(FIELD))).to_contain_text(
        "不支持这种文件"
    )
    shot("85-evidence-refused", full_page=False)
    section = page.locator("section").filter(has=page.get_by_label(FIELD))
    section.get_by_label(FIELD).set_input_files(str(ledger))
    section.get_by_role("button", name="上传").click()
    expect(page.get_by_text("已上传佐证材料“2023年调解台账.pdf”。")).to_be_visible()
    expect(
        page.locator("section").filter(has=page.get_by_label(FIELD)).get_by_role("link")
    ).to_have_text("2023年调解台账.pdf")
    shot("86-evidence-uploaded", full_page=False)

    page.get_by_role("link", name="返回填写报告").click()
    page.get_by_label("调解成功件数（件）").fill("380")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    evidence = Evidence.objects.get()
    url = f"{base}/evidence/{evidence.pk}/"
    log_out(page, base)

    # The reviewer sees it beside the figure and opens it.
    log_in(page, base, "shenqiu")
    page.goto(f"{base}/reports/{evidence.report_id}/review/")
    beside = page.locator("tr.evidence-row").filter(has_text="2023年调解台账.pdf")
    expect(beside).to_be_visible()
    beside.scroll_into_view_if_needed()
    shot("87-evidence-on-review-page", full_page=False)
    with page.expect_download() as info:
        beside.get_by_role("link", name="2023年调解台账.pdf").click()
    assert info.value.suggested_filename == "2023年调解台账.pdf"
    saved = tmp_path / "opened.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes() == PDF
    log_out(page, base)

    # Another township's clerk: the address is unknown to them.
    log_in(page, base, "huatai")
    assert page.request.get(url).status == 404
