"""Summary PDFs as background jobs: created in a request, run by a Celery worker (or in-process
when there is no broker, as in the demo), with progress in the job row that the page polls."""

import logging

from celery import shared_task
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from org.access import may_export_summary
from org.audit import Event, audit_record
from org.models import County, Period
from reports.models import Report
from reports.selectors.reports import reports_for_user

from .documents import bulletin_pdf, county_summary_pdf, province_summary_pdf, report_pdf_store
from .models import ExportJob
from .spreadsheets import county_workbook, province_workbook

logger = logging.getLogger(__name__)


class ExportRefused(Exception):
    """A refusal shown to the user as it is (Chinese)."""


@transaction.atomic
def report_pdf_job_create(*, report: Report, actor: User) -> ExportJob:
    """A long report's PDF, made by the task queue for a user who may read the report."""
    if not reports_for_user(actor).filter(pk=report.pk).exists():
        raise PermissionDenied("您无权查看该报告。")
    job = ExportJob.objects.create(
        kind=ExportJob.Kind.REPORT, period=report.period, report=report, requested_by=actor
    )
    audit_record(event=Event.EXPORT, obj=report, user=actor, detail="报告 PDF（后台生成）")
    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def report_pdf_prepare_later(*, report: Report) -> None:
    """Stores the report's PDF in the background (a published long report asked for by the
    public): the next request is served from storage."""
    transaction.on_commit(lambda: report_pdf_prepare.delay(report.pk), robust=True)


@transaction.atomic
def export_job_create(
    *, kind: str, period: Period, county: County | None, actor: User, province: str = ""
) -> ExportJob:
    of_county = kind in ExportJob.COUNTY_KINDS
    if of_county and county is None:
        raise ValueError("a county document needs a county")
    if not may_export_summary(actor, county=county if of_county else None):
        raise PermissionDenied("您无权导出该汇总。")
    if kind == ExportJob.Kind.BULLETIN and timezone.localdate() <= period.deadline:
        raise ExportRefused("报送截止日期过后才能生成报送情况通报。")
    job = ExportJob.objects.create(
        kind=kind,
        period=period,
        county=county if of_county else None,
        province=province if kind in ExportJob.PROVINCE_KINDS else "",
        requested_by=actor,
    )
    audit_record(event=Event.EXPORT, obj=job, user=actor, detail=job.title)
    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Renders the PDF or the spreadsheet, reporting progress in the job row that the page polls."""
    job = ExportJob.objects.select_related("period", "county", "report__township").get(pk=job_id)
    if job.finished:
        return job

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=percent)

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=5)
    try:
        if job.kind == ExportJob.Kind.REPORT:
            assert job.report is not None
            job.file.name = report_pdf_store(job.report)
            job.status = ExportJob.Status.DONE
            job.progress = 100
            job.finished_at = timezone.now()
            job.save(update_fields=["file", "status", "progress", "finished_at"])
            return job
        if job.kind == ExportJob.Kind.BULLETIN:
            assert job.county is not None
            data = bulletin_pdf(job.county, job.period, progress)
        elif job.kind == ExportJob.Kind.COUNTY:
            assert job.county is not None
            data = county_summary_pdf(job.county, job.period, progress)
        elif job.kind == ExportJob.Kind.COUNTY_XLSX:
            assert job.county is not None
            data = county_workbook(job.county, job.period, progress)
        elif job.kind == ExportJob.Kind.PROVINCE_XLSX:
            data = province_workbook(job.period, job.province, progress)
        else:
            data = province_summary_pdf(job.period, job.province, progress)
        job.file.save(job.filename, ContentFile(data), save=False)
        job.status = ExportJob.Status.DONE
        job.progress = 100
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = f"生成失败：{exc}"
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "error", "finished_at"])
    return job


# The task keeps its old name so that jobs queued before an upgrade still run.
@shared_task(name="reports.export_run")
def export_run(job_id: int) -> None:
    export_job_run(job_id=job_id)


@shared_task(name="exports.report_pdf_prepare")
def report_pdf_prepare(report_id: int) -> None:
    report = (
        Report.objects.select_related("township__county", "period").filter(pk=report_id).first()
    )
    if report is not None:
        report_pdf_store(report)
