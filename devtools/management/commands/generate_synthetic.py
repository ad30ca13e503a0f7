import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devtools.demo import deadline_moment, generated_figures, generated_parts, load_fixtures
from indicators.models import DataElement
from org.models import County, Period, Township
from reading.completeness import missing_parts
from reports.models import Report, ReportValue
from reports.workflow import ReportStatus


class Command(BaseCommand):
    help = "生成任意数量的合成县、乡镇和报告，用于压力测试和性能基准（批量写入）。"

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, default=10, help="县的数量")
        parser.add_argument("--townships", type=int, default=40, help="每县乡镇数")
        parser.add_argument("--years", type=int, nargs="+", default=[2023], help="报告年度")
        parser.add_argument("--prefix", default="合成", help="名称前缀，用于区分多批数据")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, counties, townships, years, prefix, seed, **options):
        if counties < 1 or townships < 1:
            raise CommandError("县和乡镇数量必须大于 0。")
        if not DataElement.objects.exists():
            load_fixtures()
        started = time.perf_counter()
        rng = random.Random(seed)
        periods = []
        for year in years:
            period, _ = Period.objects.get_or_create(
                year=year, defaults={"deadline": datetime.date(year + 1, 2, 28)}
            )
            periods.append(period)
        elements = list(DataElement.objects.filter(active=True))
        codes = [e.code for e in elements]
        total = 0
        for c in range(1, counties + 1):
            with transaction.atomic():
                county, _ = County.objects.get_or_create(
                    province=f"{prefix}省",
                    name=f"{prefix}县{c:05d}",
                    defaults={"city": f"{prefix}市"},
                )
                existing = set(county.townships.values_list("name", flat=True))
                Township.objects.bulk_create(
                    Township(county=county, name=name, kind=Township.Kind.ZHEN, order=t * 10)
                    for t in range(1, townships + 1)
                    if (name := f"{prefix}镇{c:05d}-{t:03d}") not in existing
                )
                towns = list(county.townships.all())
                for period in periods:
                    have = set(
                        Report.objects.filter(period=period, township__in=towns).values_list(
                            "township_id", flat=True
                        )
                    )
                    new = []
                    figures_of = []
                    for town in towns:
                        if town.pk in have:
                            continue
                        figures = generated_figures(rng, codes)
                        parts = generated_parts(town, period.year, figures)
                        new.append(
                            Report(
                                township=town,
                                period=period,
                                status=ReportStatus.SUBMITTED,
                                submitted_at=deadline_moment(period, rng.randint(-5, 30)),
                                missing_parts=missing_parts(parts),
                                **parts,
                            )
                        )
                        figures_of.append(figures)
                    Report.objects.bulk_create(new)
                    ReportValue.objects.bulk_create(
                        (
                            ReportValue(report=report, element=element, value=figures[element.code])
                            for report, figures in zip(new, figures_of, strict=True)
                            for element in elements
                            if figures[element.code] is not None
                        ),
                        batch_size=5000,
                    )
                    total += len(new)
        seconds = time.perf_counter() - started
        self.stdout.write(f"已生成 {total} 份合成报告，用时 {seconds:.1f} 秒。")
