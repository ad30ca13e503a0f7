import json
import multiprocessing
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from devtools.benchmark_child import pdf_benchmark_child
from indicators.services import indicator_set_create_default
from org.models import County, Period
from reports.models import Report
from reports.services.scoring import scores_recompute

PREFIX = "基准PDF"


def _measure(kind: str, ids: dict, repeat: int):
    """(median wall seconds, median CPU seconds, peak RSS in MB) of one document, measured in
    its own spawned process so the figure is that document's, WeasyPrint's C memory included."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=pdf_benchmark_child, args=(kind, ids, repeat, child)
    )
    process.start()
    child.close()
    try:
        # EOFError if the child died: its traceback is on stderr
        seconds, cpu_seconds, rss_kb = parent.recv()
    finally:
        process.join()
    return round(seconds, 3), round(cpu_seconds, 3), round(rss_kb / 1024, 1)


class Command(BaseCommand):
    help = "性能基准：单份报告、40 个乡镇的县汇总、2000 个乡镇的全部县汇总 PDF 的用时和内存峰值（JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2091)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, year, repeat, **options):
        if connection.vendor != "postgresql":
            self.stderr.write("提示：基准应在 PostgreSQL 上运行（设置 DATABASE_URL）。")
        call_command(
            "generate_synthetic",
            counties=50,
            townships=40,
            years=[year],
            prefix=PREFIX,
            stdout=self.stderr,
        )
        period = Period.objects.get(year=year)
        indicator_set_create_default(period=period)
        scores_recompute(period=period)
        county = County.objects.filter(province=f"{PREFIX}省").order_by("name").first()
        report = Report.objects.filter(township__county=county, period=period).first()
        townships = Report.objects.filter(
            period=period, township__county__province=f"{PREFIX}省"
        ).count()

        assert report is not None and county is not None
        ids = {
            "period": period.pk,
            "report": report.pk,
            "county": county.pk,
            "province": f"{PREFIX}省",
        }
        report_s, report_cpu, report_mb = _measure("report", ids, repeat)
        county_s, county_cpu, county_mb = _measure("county", ids, repeat)
        province_s, province_cpu, province_mb = _measure("province", ids, repeat)
        figures = {
            "benchmark": "pdf",
            "database": connection.vendor,
            "cores": os.cpu_count(),
            "report_pdf_seconds": report_s,
            "report_pdf_cpu_seconds": report_cpu,
            "report_pdf_peak_rss_mb": report_mb,
            "report_target_seconds": 1,
            "county_summary_townships": county.townships.count(),
            "county_summary_seconds": county_s,
            "county_summary_cpu_seconds": county_cpu,
            "county_summary_peak_rss_mb": county_mb,
            "county_target_seconds": 3,
            "province_summary_townships": townships,
            "province_summary_seconds": province_s,
            "province_summary_cpu_seconds": province_cpu,
            "province_summary_peak_rss_mb": province_mb,
        }
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
