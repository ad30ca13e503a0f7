"""`manage.py load_divisions --province 河南省` (or `--code 4116`, a city; `--code 411624`, a county)."""

from django.core.management.base import BaseCommand, CommandError

from org.divisions import DivisionsError, divisions_load


class Command(BaseCommand):
    help = "从官方区划（统计用区划代码）导入县（市、区）和乡镇（街道）及其代码；可重复运行，不删除已有单位"

    def add_arguments(self, parser):
        parser.add_argument("--province", default="", help="省份全称，例如 河南省")
        parser.add_argument("--code", default="", help="区划代码：省 2 位、市 4 位或县 6 位")

    def handle(self, *args, **options):
        try:
            loaded = divisions_load(
                province=options["province"].strip(), code=options["code"].strip()
            )
        except DivisionsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"县（市、区）：新建 {loaded.counties_created}，更新 {loaded.counties_updated}；"
            f"乡镇（街道）：新建 {loaded.townships_created}，更新 {loaded.townships_updated}；"
            f"跳过非乡镇单位（农场、开发区等）{loaded.skipped} 个。"
        )
