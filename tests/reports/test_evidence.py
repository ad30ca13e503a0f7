"""佐证材料: a clerk attaches files to figures and parts while the report can be edited; whoever may
read the report downloads them; the type is read from the content; limits hold."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from org.models import AuditEvent
from reports.models import Evidence
from reports.services.common import ReportError
from reports.services.evidence import evidence_add
from reports.services.transitions import report_approve, report_publish
from tests.helpers import submit_report
from tests.reading.test_documents import make_docx

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TARGET = "fig:disputes_resolved"
FIGURES = {"villages_total": 20, "disputes_mediated": 400, "disputes_resolved": 380}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active["A1"] = "调解台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("调解台账.pdf", PDF, "pdf"),
        ("现场照片.png", PNG, "png"),
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        ("会议记录.docx", make_docx("一、会议记录"), "docx"),
        ("台账.xlsx", xlsx_bytes(), "xlsx"),
        # The name does not decide: a PDF called .docx is a PDF, and is served as one.
        ("伪装.docx", PDF, "pdf"),
    ],
)
def test_the_kind_comes_from_the_content(personas, draft, name, data, kind):
    evidence = evidence_add(
        report=draft, actor=personas.clerk_lianchi, target=TARGET, upload=upload(name, data)
    )
    assert evidence.kind == kind and evidence.name == name
    assert default_storage.exists(evidence.file.name)
    assert name not in evidence.file.name  # the clerk's name never becomes a path


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 40, "不支持这种文件"),
        ("page.html", b"<html><script>alert(1)</script></html>", "不支持这种文件"),
        ("压缩包.docx", b"PK\x03\x04" + b"\x00" * 40, "不支持这种文件"),
        ("空.pdf", b"", "文件是空的"),
    ],
)
def test_other_files_are_refused_with_the_reason(personas, draft, name, data, said):
    with pytest.raises(ReportError, match=said):
        evidence_add(
            report=draft, actor=personas.clerk_lianchi, target=TARGET, upload=upload(name, data)
        )
    assert not Evidence.objects.exists()


def test_size_and_count_limits(personas, draft, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ReportError, match="不能超过"):
        evidence_add(
            report=draft,
            actor=personas.clerk_lianchi,
            target=TARGET,
            upload=upload("大.pdf", PDF + b"x" * 200),
        )
    settings.EVIDENCE_MAX_BYTES = 10_000
    settings.EVIDENCE_MAX_PER_TARGET = 2
    for n in range(2):
        evidence_add(
            report=draft,
            actor=personas.clerk_lianchi,
            target=TARGET,
            upload=upload(f"{n}.pdf", PDF),
        )
    with pytest.raises(ReportError, match="每一项最多 2 个"):
        evidence_add(
            report=draft, actor=personas.clerk_lianchi, target=TARGET, upload=upload("3.pdf", PDF)
        )
    assert Evidence.objects.count() == 2


def test_the_clerk_uploads_on_the_page_and_a_refusal_stands_at_the_field(client, personas, draft):
    client.force_login(personas.clerk_lianchi)
    url = reverse("report_evidence", args=[draft.pk])
    refused = client.post(url, {"target": TARGET, "file": upload("x.exe", b"MZ" + b"\0" * 30)})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="ev-error-fig:disputes_resolved"' in page and "不支持这种文件" in page
    done = client.post(url, {"target": TARGET, "file": upload("调解台账.pdf", PDF)})
    assert done.status_code == 302 and done["Location"].endswith(f"#ev-{TARGET}")
    assert Evidence.objects.get().name == "调解台账.pdf"
    assert AuditEvent.objects.filter(event="upload", detail__contains="调解台账.pdf").exists()
    assert client.get(url).status_code == 200
    assert client.get(url, follow=True).content.decode().count("调解台账.pdf") >= 1


def test_wrong_method_and_wrong_role_change_nothing(client, personas, draft):
    url = reverse("report_evidence", args=[draft.pk])
    client.force_login(personas.clerk_huatai)
    assert client.post(url, {"target": TARGET, "file": upload("a.pdf", PDF)}).status_code == 404
    client.force_login(personas.clerk_lianchi)
    assert client.put(url).status_code == 405
    assert not Evidence.objects.exists()


@pytest.fixture
def sent_with_evidence(personas, full_parts, draft):
    evidence = evidence_add(
        report=draft, actor=personas.clerk_lianchi, target=TARGET, upload=upload("台账.pdf", PDF)
    )
    report = submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=FIGURES,
    )
    assert report.pk == draft.pk
    return report, evidence


def test_readers_download_it_others_get_404(client, personas, sent_with_evidence):
    report, evidence = sent_with_evidence
    url = reverse("evidence_download", args=[evidence.pk])
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(url)
    assert response.status_code == 200 and response.getvalue() == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    review = client.get(reverse("report_review", args=[report.pk])).content.decode()
    assert url in review  # beside the figure on the review page
    client.force_login(personas.clerk_huatai)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


def test_read_only_once_sent_and_public_only_when_the_year_says_so(
    client, personas, sent_with_evidence
):
    report, evidence = sent_with_evidence
    with pytest.raises(ReportError, match="已报送"):
        evidence_add(
            report=report, actor=personas.clerk_lianchi, target=TARGET, upload=upload("b.pdf", PDF)
        )
    client.force_login(personas.clerk_lianchi)
    client.post(reverse("evidence_remove", args=[evidence.pk]))
    assert Evidence.objects.filter(pk=evidence.pk).exists()

    client.logout()
    public_url = reverse("public_evidence_download", args=[evidence.pk])
    report_approve(report=report, actor=personas.reviewer_shenqiu)
    report_publish(report=report, actor=personas.reviewer_shenqiu)
    assert client.get(public_url).status_code == 404
    report.period.evidence_public = True
    report.period.save(update_fields=["evidence_public"])
    assert client.get(public_url).getvalue() == PDF


def test_the_clerk_removes_a_file_from_a_draft(
    client, personas, draft, django_capture_on_commit_callbacks
):
    evidence = evidence_add(
        report=draft, actor=personas.clerk_lianchi, target=TARGET, upload=upload("a.pdf", PDF)
    )
    name = evidence.file.name
    client.force_login(personas.reviewer_shenqiu)
    assert client.post(reverse("evidence_remove", args=[evidence.pk])).status_code == 404
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evidence_remove", args=[evidence.pk]))
    assert not Evidence.objects.exists() and not default_storage.exists(name)


def test_the_report_pdf_lists_the_evidence(personas, sent_with_evidence):
    from exports.documents import report_pdf, report_pdf_name
    from tests.exports.test_pdf import pdf_text

    report, _evidence = sent_with_evidence
    before = report_pdf_name(report)
    text = pdf_text(report_pdf(report))
    assert "佐证材料清单" in text and "台账.pdf" in text and "调解成功件数" in text
    # A new file names a new PDF (the stored one would no longer list everything).
    Evidence.objects.create(
        report=report,
        target="shortcomings",
        file="evidence/x.pdf",
        name="x.pdf",
        kind="pdf",
        size=1,
        uploaded_by=personas.clerk_lianchi,
    )
    assert report_pdf_name(report) != before
