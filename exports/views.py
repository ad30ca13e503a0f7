"""PDFs of one report (for those who may read it, and the public once it is published) and the
summary jobs: asking for one, following its progress, downloading it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from org.access import may_see_job
from org.audit import Event, audit_record
from org.models import County
from org.params import optional_id, period_from_post
from reportportal.files import stored_file_response
from reportportal.middleware import public_when_anonymous
from reportportal.types import AuthedRequest
from reports.selectors.reports import get_report_for_user, published_reports
from reports.validators import text_problem

from .documents import report_pdf_is_long, report_pdf_store, stored_report_pdf
from .jobs import (
    ExportRefused,
    export_job_create,
    report_pdf_job_create,
    report_pdf_prepare_later,
)
from .models import ExportJob


def _pdf_response(name: str, filename: str) -> HttpResponseBase:
    # Shown in the browser's own PDF viewer; the portal's pages are never rendered from it.
    return stored_file_response(
        name=name, filename=filename, content_type="application/pdf", attachment=False
    )


@login_required
@require_safe
def report_pdf_view(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The stored PDF of the report as it is now; rendered in the request when short, by the
    task queue (with a page that follows it) when long."""
    report, _can = get_report_for_user(request.user, pk)
    name = stored_report_pdf(report)
    if name is None:
        if report_pdf_is_long(report):
            job = report_pdf_job_create(report=report, actor=request.user)
            return redirect("export_detail", pk=job.pk)
        name = report_pdf_store(report)
    audit_record(event=Event.DOWNLOAD, obj=report, detail="报告 PDF")
    return _pdf_response(name, f"{report}.pdf")


@require_safe
@public_when_anonymous
def public_report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A published report's PDF, rendered once per version and then served from storage."""
    report = get_object_or_404(published_reports(), pk=pk)
    name = stored_report_pdf(report)
    if name is None:
        if report_pdf_is_long(report):
            report_pdf_prepare_later(report=report)
            response = render(request, "exports/pdf_pending.html", {"report": report}, status=503)
            response["Retry-After"] = "30"
            return response
        name = report_pdf_store(report)
    return _pdf_response(name, f"{report}.pdf")


@login_required
@require_POST
def export_create(request: AuthedRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in ExportJob.Kind.values or kind == ExportJob.Kind.REPORT:
        raise Http404
    period = period_from_post(request)
    county_id = optional_id(request.POST, "county", "县（市、区）")
    county = get_object_or_404(County, pk=county_id) if county_id is not None else None
    if kind in ExportJob.COUNTY_KINDS and county is None:
        raise Http404
    province = request.POST.get("province", "")
    if text_problem(province, max_chars=50):
        raise BadRequest("省份参数不正确，请从页面上的选项中选择。")
    if province and not County.objects.filter(province=province).exists():
        raise Http404
    try:
        job = export_job_create(
            kind=kind, period=period, county=county, actor=request.user, province=province
        )
    except ExportRefused as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('county_home')}?year={period.year}")
    return redirect("export_detail", pk=job.pk)


def _job_for(request: AuthedRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("period", "county"), pk=pk)
    if not may_see_job(request.user, requested_by_id=job.requested_by_id):
        raise Http404
    return job


@login_required
@require_safe
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    template = "partials/export_status.html" if request.htmx else "exports/export_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_safe
def export_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    audit_record(event=Event.DOWNLOAD, obj=job, detail=job.title)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if job.is_spreadsheet
        else "application/pdf"
    )
    return stored_file_response(
        name=job.file.name, filename=job.filename, content_type=content_type
    )
