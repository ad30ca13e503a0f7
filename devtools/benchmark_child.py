"""The child process of `manage.py benchmark_pdf`.

It lives apart from the command so that starting a spawned process imports nothing of Django
before django.setup() has run.
"""

import resource
import statistics
import time


def pdf_benchmark_child(kind: str, ids: dict, repeat: int, pipe) -> None:
    """In a fresh process: one untimed run (fonts, templates), then the timed ones: median wall
    and CPU seconds (CPU time is what a loaded, shared machine does not blur) and peak RSS."""
    import django

    django.setup()
    from exports.documents import county_summary_pdf, province_summary_pdf, report_pdf
    from org.models import County, Period
    from reports.models import Report

    period = Period.objects.get(pk=ids["period"])
    job = {
        "report": lambda: report_pdf(Report.objects.get(pk=ids["report"])),
        "county": lambda: county_summary_pdf(County.objects.get(pk=ids["county"]), period),
        "province": lambda: province_summary_pdf(period, ids["province"]),
    }[kind]
    job()
    times, cpu_times = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        job()
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    pipe.send(
        (
            statistics.median(times),
            statistics.median(cpu_times),
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        )
    )
