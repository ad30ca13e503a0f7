"""Summary PDFs as background jobs: created in a request, run by a Celery worker (or in-process)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import County, ExportJob, Membership, Period
from .pdf import county_summary_pdf, province_summary_pdf
from .permissions import membership_of

logger = logging.getLogger(__name__)


def may_export(user, *, kind: str, county: County | None) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN:
        return True
    return (
        kind == ExportJob.Kind.COUNTY
        and membership.role == Membership.Role.REVIEWER
        and county is not None
        and membership.county_id == county.pk
    )


@transaction.atomic
def export_job_create(
    *, kind: str, period: Period, county: County | None, actor, province: str = ""
) -> ExportJob:
    if kind == ExportJob.Kind.COUNTY and county is None:
        raise ValueError("a county summary needs a county")
    if not may_export(actor, kind=kind, county=county):
        raise PermissionDenied("您无权导出该汇总。")
    job = ExportJob.objects.create(
        kind=kind,
        period=period,
        county=county if kind == ExportJob.Kind.COUNTY else None,
        province=province if kind == ExportJob.Kind.PROVINCE else "",
        requested_by=actor,
    )
    from .tasks import export_run

    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Renders the PDF, reporting progress in the job row that the page polls."""
    job = ExportJob.objects.select_related("period", "county").get(pk=job_id)
    if job.finished:
        return job

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=percent)

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=5)
    try:
        if job.kind == ExportJob.Kind.COUNTY:
            data = county_summary_pdf(job.county, job.period, progress)
        else:
            data = province_summary_pdf(job.period, job.province, progress)
        name = f"{job.title}.pdf"
        job.file.save(name, ContentFile(data), save=False)
        job.status = ExportJob.Status.DONE
        job.progress = 100
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = f"生成失败：{exc}"
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "error", "finished_at"])
    return job
