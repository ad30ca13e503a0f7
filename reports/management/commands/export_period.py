import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from org.models import Period
from reports.backup import BackupError, period_export


class Command(BaseCommand):
    help = (
        "把一个报告年度的全部数据导出为 JSON 文件：年度本身、指标体系（指标和校验规则）、各乡镇的报告"
        "（五个部分、状态、版本、报送时间）、数据、状态变更记录、每次报送的版本、审核意见及答复、"
        "报告和数据的修改历史，以及已存储的得分。乡镇、用户和数据项按名称、用户名和代码引用，"
        "可用 import_period 导入到有相同乡镇、数据项和用户的数据库。"
        "不导出汇总 PDF 导出任务和报告相似度数据（指纹、分段、相似度）：它们是派生数据，可重新生成。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, metavar="YEAR", help="报告年度，例如 2023")
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="写入该文件（不指定则输出到标准输出）"
        )

    def handle(self, *args, year, output=None, **options):
        period = Period.objects.filter(year=year).first()
        if period is None:
            raise CommandError(f"没有 {year} 报告年度。")
        outermost = not connection.in_atomic_block
        try:
            with transaction.atomic():
                if outermost and connection.vendor == "postgresql":
                    # One snapshot for all the reads, so a clerk saving meanwhile cannot leave the
                    # file with a report from before and its figures from after the save.
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                data = period_export(period=period)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        # Written beside the target and renamed, so a failed run never leaves half a file.
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        self.stdout.write(f"已导出 {year} 报告年度的 {len(data['reports'])} 份报告到 {path}。")
