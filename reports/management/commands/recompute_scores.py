import time

from django.core.management.base import BaseCommand, CommandError

from org.models import Period
from reports.services.scoring import scores_recompute


class Command(BaseCommand):
    help = "按各年度启用的指标体系重新计算报告得分。"

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, metavar="YEAR", help="只计算该报告年度")

    def handle(self, *args, period=None, **options):
        target = None
        if period is not None:
            target = Period.objects.filter(year=period).first()
            if target is None:
                raise CommandError(f"没有 {period} 报告年度。")
        started = time.perf_counter()
        count = scores_recompute(period=target)
        seconds = time.perf_counter() - started
        self.stdout.write(f"已重新计算 {count} 份报告的得分，用时 {seconds:.2f} 秒。")
