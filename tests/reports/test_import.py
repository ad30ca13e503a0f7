"""Importing a Word or text report into a draft: the clerk sees what was found, with evidence,
and only what they confirm goes into the draft."""

import json
import shutil
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from org.models import Period
from reading.extract import extract
from reports.models import Report
from reports.selectors.reports import report_figures
from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import report_submit
from reports.workflow import ReportStatus
from tests.reading.test_analysis import SAMPLES, sample
from tests.reading.test_documents import make_docx


def state(report):
    report = Report.objects.get(pk=report.pk)
    parts = tuple(getattr(report, key) for key in ("measures_and_results", "shortcomings"))
    return (report.version, report.status, parts, report_figures(report))


def upload(client, report, data: bytes, name: str):
    return client.post(
        reverse("report_import", args=[report.pk]),
        {"document": SimpleUploadedFile(name, data)},
    )


def confirmation(report, text: str, **choices) -> dict:
    """The POST of the confirmation page as the browser sends it by default, with overrides."""
    extraction = extract(text)
    data = {"version": report.version}
    typed = {key: getattr(report, key) for key in extraction.sections}
    for key, section_text in extraction.sections.items():
        data[f"part_{key}"] = section_text
        data[f"use_{key}"] = "keep" if typed[key] else "replace"
    stored = report_figures(report)
    for code, figure in extraction.metrics.items():
        data[f"fig_{code}"] = figure.value
        if stored.get(code) is None:
            data[f"take_{code}"] = "on"
    data.update(choices)
    return data


# --- step 1: upload -----------------------------------------------------------------------


def test_upload_shows_parts_figures_and_evidence_without_changing_the_draft(
    client, personas, draft
):
    client.force_login(personas.clerk_lianchi)
    before = state(draft)
    response = upload(client, draft, make_docx(sample("lianchi-2023.txt")), "莲池镇.docx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "核对导入内容" in page
    assert "识别出 4 个部分" in page
    assert "<mark>妥善处理各类矛盾纠纷400余件</mark>" in page
    assert "约数" in page
    assert state(draft) == before


def test_a_doubtful_figure_is_shown_to_check_and_not_taken_by_default(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    text = sample("lianchi-2023.txt") + "\n镇党委会、镇长办公室会议、理论学习中心组年度学法8次。"
    response = upload(client, draft, text.encode(), "莲池镇.txt")
    page = response.content.decode()
    row = page.split('id="import-fig-leadership_study_sessions"')[1].split("</tr>")[0]
    assert "请核对" in row
    assert 'name="take_leadership_study_sessions"' in row
    assert "checked" not in row
    sure_row = page.split('id="import-fig-villages_total"')[1].split("</tr>")[0]
    assert "请核对" not in sure_row and "checked" in sure_row


def test_missing_part_and_another_township_are_pointed_out(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_import", args=[draft.pk]), {"pasted": sample("huatai-2023.txt")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "文件中没有找到以下必填部分" in page
    assert "三、党政主要负责人履行推进法治建设第一责任人职责情况" in page
    assert "文件中的乡镇是“花台乡”，与本报告（莲池镇）不同" in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04", "a.xlsx", "只能上传 Word 文档（.docx 或 .doc）、WPS 文档（.wps）"),
        (b"%PD", "a.pdf", "这不是 PDF 文件"),
        (b"PK\x03\x04 broken", "a.docx", "文件已损坏或不是 Word 文档"),
    ],
)
def test_bad_file_is_refused_next_to_the_field_and_pasted_text_kept(
    client, personas, draft, data, name, message
):
    client.force_login(personas.clerk_lianchi)
    before = state(draft)
    response = client.post(
        reverse("report_import", args=[draft.pk]),
        {"document": SimpleUploadedFile(name, data), "pasted": "我粘贴的文字"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "我粘贴的文字" in page
    assert state(draft) == before


def test_nothing_given_is_refused(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    response = client.post(reverse("report_import", args=[draft.pk]), {"pasted": "  "})
    assert "请选择要上传的报告文件，或把报告全文粘贴到文本框中。" in response.content.decode()


def test_text_without_anything_recognisable_says_so(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    response = client.post(reverse("report_import", args=[draft.pk]), {"pasted": "你好"})
    assert "没有从文件中识别出报告的任何部分或数据" in response.content.decode()


# --- step 2: confirm ----------------------------------------------------------------------


def test_confirmed_parts_and_figures_go_into_the_draft(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    text = sample("lianchi-2023.txt")
    data = confirmation(draft, text, fig_disputes_mediated="412")  # the clerk corrects 400余
    response = client.post(reverse("report_import_apply", args=[draft.pk]), data)
    assert response.status_code == 302
    assert response.url == reverse("report_edit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.version == 2
    assert draft.shortcomings.startswith("全镇法治建设工作虽取得了一定成绩")
    assert draft.leadership_duty.startswith("莲池镇高度重视法治建设工作")
    figures = report_figures(draft)
    assert figures["disputes_mediated"] == 412
    assert figures["villages_total"] == 26
    assert draft.missing_parts == []


def test_typed_text_is_kept_unless_the_clerk_chooses_otherwise(client, personas, draft):
    draft = report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={"shortcomings": "我已经写好的不足。", "next_year_plan": "我写的安排。"},
        figures={"disputes_mediated": 300},
    )
    client.force_login(personas.clerk_lianchi)
    data = confirmation(draft, sample("lianchi-2023.txt"), use_next_year_plan="append")
    page = client.get(reverse("report_edit", args=[draft.pk]))
    assert page.status_code == 200
    response = client.post(reverse("report_import_apply", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.shortcomings == "我已经写好的不足。"  # default: keep
    assert draft.next_year_plan.startswith("我写的安排。\n下一步，我镇将继续")  # appended
    assert draft.measures_and_results.startswith("（一）强化学习培训")  # was empty: filled
    assert report_figures(draft)["disputes_mediated"] == 300  # typed figure not taken over


def test_taking_a_figure_without_a_value_is_refused_and_nothing_changes(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    before = state(draft)
    data = confirmation(draft, sample("lianchi-2023.txt"), fig_villages_total="")
    response = client.post(reverse("report_import_apply", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "已勾选“采用”，请填写数值，或取消勾选。" in response.content.decode()
    assert state(draft) == before


def test_stale_confirmation_is_refused_with_nothing_overwritten(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    data = confirmation(draft, sample("lianchi-2023.txt"))
    report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts={"shortcomings": "另一个窗口刚写的。"},
        figures={},
    )
    before = state(draft)
    response = client.post(reverse("report_import_apply", args=[draft.pk]), data)
    assert response.status_code == 409
    assert "报告刚刚被修改过" in response.content.decode()
    assert state(draft) == before


def test_apply_needs_post(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    assert client.get(reverse("report_import_apply", args=[draft.pk])).status_code == 405
    assert client.put(reverse("report_import", args=[draft.pk])).status_code == 405


@pytest.mark.parametrize("who", ["clerk_huatai", "reviewer_shenqiu"])
def test_others_cannot_import_into_a_draft(client, personas, draft, who):
    client.force_login(getattr(personas, who))
    before = state(draft)
    assert client.get(reverse("report_import", args=[draft.pk])).status_code == 404
    response = client.post(
        reverse("report_import_apply", args=[draft.pk]),
        confirmation(draft, sample("lianchi-2023.txt")),
    )
    assert response.status_code == 404
    assert state(draft) == before


def test_submitted_report_cannot_be_imported_into(client, personas, draft, full_parts):
    draft = report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=full_parts,
        figures={},
    )
    report_submit(report=draft, actor=personas.clerk_lianchi)
    client.force_login(personas.clerk_lianchi)
    before = state(draft)
    assert client.get(reverse("report_import", args=[draft.pk])).status_code == 302
    response = client.post(
        reverse("report_import_apply", args=[draft.pk]),
        confirmation(Report.objects.get(pk=draft.pk), sample("lianchi-2023.txt")),
    )
    assert response.status_code == 302
    assert state(draft) == before
    assert Report.objects.get(pk=draft.pk).status == ReportStatus.SUBMITTED


# --- completeness -------------------------------------------------------------------------


def test_placeholder_part_is_missing_for_scoring_submission_and_review(
    client, personas, draft, full_parts
):
    parts = dict(full_parts, leadership_duty="无。")
    draft = report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=parts,
        figures={},
    )
    assert draft.missing_parts == ["leadership_duty"]
    client.force_login(personas.clerk_lianchi)
    response = client.post(
        reverse("report_edit", args=[draft.pk]),
        {"version": draft.version, **parts, "submit": "1"},
    )
    assert "只写了“无。”，不能算作填写" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).status == ReportStatus.DRAFT


def test_reviewer_sees_which_parts_are_missing(client, personas, draft, full_parts):
    # The whole report pasted into one box: its four parts are found inside it.
    pasted = dict.fromkeys(full_parts, "")
    pasted["measures_and_results"] = sample("lianchi-2023.txt")
    draft = report_save_draft(
        report=draft,
        actor=personas.clerk_lianchi,
        base_version=draft.version,
        parts=pasted,
        figures={},
    )
    assert draft.missing_parts == []
    report_submit(report=draft, actor=personas.clerk_lianchi)
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[draft.pk])).content.decode()
    assert "✓ 四个必填部分齐全。" in page

    huatai = sample("huatai-2023.txt")
    other = report_start(
        township=personas.lianchi,
        period=Period.objects.get(year=2024),
        actor=personas.clerk_lianchi,
    )
    other = report_save_draft(
        report=other,
        actor=personas.clerk_lianchi,
        base_version=other.version,
        parts={"measures_and_results": huatai},
        figures={},
    )
    assert other.missing_parts == ["leadership_duty"]


# --- the command of DOMAIN.md -------------------------------------------------------------


def test_extract_report_prints_the_contract_json(db):
    out = StringIO()
    call_command("extract_report", str(SAMPLES / "huatai-2023.txt"), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["township"] == "花台乡"
    assert data["year"] == 2023
    assert data["missing_sections"] == ["leadership_duty"]
    assert set(data["sections"]) == {"measures_and_results", "shortcomings", "next_year_plan"}
    assert data["metrics"]["emergency_drills"] == {
        "value": 2,
        "approximate": False,
        "evidence": "开展突发事件应急处置演练2次",
    }


def test_extract_report_reads_docx_and_explains_in_chinese(db, tmp_path):
    path = tmp_path / "莲池镇.docx"
    path.write_bytes(make_docx(sample("lianchi-2023.txt")))
    out = StringIO()
    call_command("extract_report", str(path), stdout=out)
    assert "乡镇：莲池镇" in out.getvalue()
    assert "disputes_mediated = 400（约数）" in out.getvalue()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("extract_report", str(tmp_path / "none.txt"))


# --- long documents go to the task queue ------------------------------------------------------


def test_a_long_document_is_read_by_the_queue_not_the_request(
    client, personas, draft, settings, django_capture_on_commit_callbacks
):
    from reports.models import ImportJob

    settings.IMPORT_INLINE_MAX_BYTES = 1000  # the sample's Word file is larger
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, draft, make_docx(sample("lianchi-2023.txt")), "莲池镇.docx")
    job = ImportJob.objects.get(report=draft)
    assert response["Location"] == reverse("report_import_job", args=[draft.pk, job.pk])
    # Nothing was read in the request: the job waits for the worker with the file.
    assert (job.status, job.result) == (ImportJob.Status.QUEUED, None)
    assert len(bytes(job.source)) > 1000
    waiting = client.get(response["Location"])
    assert "正在识别" in waiting.content.decode()
    assert waiting["Cache-Control"] == "private, no-store"

    queued[0]()  # the worker
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and bytes(job.source) == b""
    page = client.get(response["Location"])
    assert page.status_code == 200
    form = page.context["form"]
    assert {f"part_{key}" for key in extract(sample("lianchi-2023.txt")).sections} <= set(
        form.fields
    )
    assert client.get(response["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert state(draft)[0] == draft.version  # nothing goes into the draft before confirmation


def test_long_pasted_text_and_a_refused_document_are_reported_on_the_job_page(
    client, personas, draft, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_CHARS = 100
    settings.REPORT_IMPORT_MAX_CHARS = 1000
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_import", args=[draft.pk]), {"pasted": "法" * 900})
    page = client.get(response["Location"]).content.decode()
    assert "没有从文件中识别出报告的任何部分或数据" in page

    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, draft, ("法" * 1500).encode(), "报告.txt")
    page = client.get(response["Location"]).content.decode()
    assert "文字过多" in page and "重新导入" in page


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice: scripts/setup.sh")
@pytest.mark.parametrize("name", ["莲池镇.doc", "莲池镇.wps", "莲池镇.pdf"])
def test_a_doc_wps_or_pdf_is_converted_by_the_queue_and_offered_like_the_docx(
    client, personas, draft, tmp_path, name, django_capture_on_commit_callbacks
):
    from reports.models import ImportJob
    from tests.reading.test_convert import soffice_convert

    source = tmp_path / "lianchi.docx"
    source.write_bytes(make_docx(sample("lianchi-2023.txt")))
    data = soffice_convert(source, "pdf" if name.endswith(".pdf") else "doc")
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, draft, data, name)
    job = ImportJob.objects.get(report=draft)
    assert response["Location"] == reverse("report_import_job", args=[draft.pk, job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    page = client.get(response["Location"]).content.decode()
    assert "识别出 4 个部分" in page
    assert "<mark>妥善处理各类矛盾纠纷400余件</mark>" in page
