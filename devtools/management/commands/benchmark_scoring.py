import json
import math
import os
import resource
import time
import tracemalloc

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from indicators.services import indicator_set_create_default
from org.models import Period
from reports.models import Report
from reports.services.scoring import scores_recompute


class Command(BaseCommand):
    help = "性能基准：按指标体系重新计算大量报告的得分，输出每秒报告数和内存峰值（JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=40_000, help="报告数（默认 40000）")
        parser.add_argument("--year", type=int, default=2090, help="基准数据使用的报告年度")

    def handle(self, *args, reports, year, **options):
        if connection.vendor != "postgresql":
            self.stderr.write("提示：基准应在 PostgreSQL 上运行（设置 DATABASE_URL）。")
        counties = math.ceil(reports / 40)
        generated_started = time.perf_counter()
        call_command(
            "generate_synthetic",
            counties=counties,
            townships=40,
            years=[year],
            prefix="基准",
            stdout=self.stderr,
        )
        generated_seconds = time.perf_counter() - generated_started
        period = Period.objects.get(year=year)
        indicator_set_create_default(period=period)
        count = Report.objects.filter(period=period).count()

        started = time.perf_counter()
        scored = scores_recompute(period=period)
        seconds = time.perf_counter() - started

        # A second pass under tracemalloc for the Python heap peak (it slows the pass, so the
        # timing above is taken without it).
        tracemalloc.start()
        scores_recompute(period=period)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        figures = {
            "benchmark": "recompute_scores",
            "database": connection.vendor,
            "cores": os.cpu_count(),
            "reports": scored,
            "reports_in_period": count,
            "seconds": round(seconds, 2),
            "reports_per_second": round(scored / seconds, 1) if seconds else None,
            "target_reports_per_second": 2000,
            "peak_python_heap_mb": round(peak / 2**20, 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "data_generation_seconds": round(generated_seconds, 1),
        }
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
