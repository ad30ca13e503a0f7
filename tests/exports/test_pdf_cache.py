"""A report's PDF is rendered once per version and then served from storage; a long report's PDF
comes from the task queue, never from a request."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from exports.documents import report_pdf_name
from exports.models import ExportJob
from reports.services.scoring import scores_recompute
from reports.services.transitions import report_approve, report_publish

MARKER = b"%PDF-1.4 served from storage\n"


@pytest.fixture
def published(personas, sent):
    report_approve(report=sent, actor=personas.reviewer_shenqiu)
    return report_publish(report=sent, actor=personas.reviewer_shenqiu)


def test_the_public_pdf_is_rendered_once_per_version(client, published):
    url = reverse("public_report_pdf", args=[published.pk])
    first = client.get(url)
    assert first.status_code == 200 and first.getvalue().startswith(b"%PDF")
    assert first["Cache-Control"] == "public, max-age=300"
    name = report_pdf_name(published)
    assert default_storage.exists(name)
    # The next reader gets the stored file, whatever is in it: nothing is rendered again.
    default_storage.delete(name)
    default_storage.save(name, ContentFile(MARKER))
    assert client.get(url).getvalue() == MARKER

    # Re-scored: what the PDF shows may differ, so it is made again (and the old one removed).
    scores_recompute(period=published.period)
    again = client.get(url).getvalue()
    assert again.startswith(b"%PDF") and again != MARKER
    assert not default_storage.exists(name)


def test_a_signed_in_reader_gets_the_same_stored_pdf_privately(client, personas, published):
    client.get(reverse("public_report_pdf", args=[published.pk]))
    name = report_pdf_name(published)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(MARKER))
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("report_pdf", args=[published.pk]))
    assert response.getvalue() == MARKER
    assert response["Cache-Control"] == "private, no-store"


def test_behind_nginx_the_portal_checks_and_nginx_sends_the_file(
    client, personas, published, settings
):
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_private"
    client.force_login(personas.reviewer_shenqiu)
    response = client.get(reverse("report_pdf", args=[published.pk]))
    name = report_pdf_name(published)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_private/" + quote(name)
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" + quote(f"{published}.pdf") in response["Content-Disposition"]


def test_a_long_reports_pdf_goes_to_the_task_queue(
    client, personas, published, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF_INLINE_MAX_CHARS = 10
    client.force_login(personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(reverse("report_pdf", args=[published.pk]))
    job = ExportJob.objects.get(report=published)
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    assert not default_storage.exists(report_pdf_name(published))  # nothing rendered yet
    assert len(queued) == 1
    queued[0]()  # the worker
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    download = client.get(reverse("export_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("export_download", args=[job.pk]))["Cache-Control"] == (
        "private, no-store"
    )


def test_a_long_published_pdf_asks_the_public_to_come_back(
    client, published, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF_INLINE_MAX_CHARS = 10
    url = reverse("public_report_pdf", args=[published.pk])
    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    assert pending.status_code == 503
    assert "PDF 正在生成" in pending.content.decode()
    assert pending["Retry-After"] == "30"
    ready = client.get(url)  # the task ran after the request
    assert ready.status_code == 200 and ready.getvalue().startswith(b"%PDF")
