import time

from django.core.management.base import BaseCommand, CommandError

from org.models import Period
from reports.models import Report, ReportSimilarity
from reports.similarity import (
    SENT_STATUSES,
    report_similarities_store,
    reports_fingerprint,
)

BATCH = 1000


class Command(BaseCommand):
    help = (
        "为已报送的报告（重新）建立相似内容索引，并重新查找每份报告的相似报告"
        "（同年度其他乡镇、本乡镇上一年度）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, help="只处理该报告年度（默认全部年度）")
        parser.add_argument("--index-only", action="store_true", help="只建立索引，不查找相似报告")

    def handle(self, *args, period=None, index_only=False, **options):
        reports = Report.objects.filter(status__in=SENT_STATUSES)
        if period is not None:
            if not Period.objects.filter(year=period).exists():
                raise CommandError(f"没有{period}报告年度。")
            reports = reports.filter(period__year=period)
        ids = list(reports.order_by("pk").values_list("pk", flat=True))

        started = time.perf_counter()
        # Every fingerprint first, so that each search below sees all the others.
        for batch in _batches(ids):
            reports_fingerprint(reports=batch)
        indexed_seconds = time.perf_counter() - started
        self.stdout.write(f"已为 {len(ids)} 份报告建立索引，用时 {indexed_seconds:.1f} 秒。")
        if index_only:
            return

        started = time.perf_counter()
        for batch in _batches(ids):
            for report in batch:
                report_similarities_store(report=report)
        flagged = ReportSimilarity.objects.filter(report_id__in=ids, flagged=True).count()
        self.stdout.write(
            f"已查找相似报告，用时 {time.perf_counter() - started:.1f} 秒；"
            f"{flagged} 对疑似抄袭/雷同。"
        )


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield list(
            Report.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("period")
            .order_by("pk")
        )
