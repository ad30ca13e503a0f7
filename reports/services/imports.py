"""Reading a long document in the task queue: the clerk uploads, the worker reads it, and what it
found waits in the job until the clerk confirms it (drafts.report_import_apply writes it)."""

import logging

from celery import shared_task
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from org.access import Right
from org.audit import Event, audit_record
from org.selectors import township_names
from reading.documents import Document, DocumentError, read_document
from reading.extract import extract
from reports.selectors.vocabulary import reading_vocabulary

from ..models import ImportJob, Report
from .common import require_right

logger = logging.getLogger(__name__)
NOTHING_FOUND = "没有从文件中识别出报告的任何部分或数据，请检查是否上传了正确的报告。"


@transaction.atomic
def import_job_create(*, report: Report, actor: User, name: str, source: bytes) -> ImportJob:
    """Queues reading a document (`name` empty: pasted text, UTF-8) for the report's clerk."""
    require_right(actor, report, Right.WRITE, "只有本乡镇的填报员可以导入报告。")
    job = ImportJob.objects.create(report=report, requested_by=actor, name=name, source=source)
    audit_record(event=Event.UPLOAD, obj=report, user=actor, detail=f"导入：{name or '粘贴的文字'}")
    transaction.on_commit(lambda: import_run.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Reads the document and keeps what was found; a refusal is kept as the job's message."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).first()
    if job is None:
        return None
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    source = bytes(job.source)
    try:
        document = read_document(source, job.name) if job.name else Document(source.decode("utf-8"))
        extraction = extract(
            document.text,
            known_townships=township_names(),
            hints=document.heading_lines,
            vocabulary=reading_vocabulary(),
        )
        if not extraction.sections and not extraction.metrics:
            raise DocumentError(NOTHING_FOUND)
        job.result, job.status = extraction.to_json(), ImportJob.Status.DONE
    except DocumentError as exc:
        job.error, job.status = str(exc), ImportJob.Status.FAILED
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.error, job.status = (
            "读取文件时出错，请稍后重试或联系系统管理员。",
            ImportJob.Status.FAILED,
        )
    job.source = b""  # the clerk's file is not kept once read
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "error", "source", "finished_at"])
    return job


@shared_task(name="reports.import_run")
def import_run(job_id: int) -> None:
    import_job_run(job_id=job_id)
