from celery import shared_task


@shared_task(name="reports.export_run")
def export_run(job_id: int) -> None:
    from .exports import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="reports.similarities_run")
def similarities_run(report_id: int) -> None:
    from .similarity import report_similarities_run

    report_similarities_run(report_id=report_id)
