import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.backup import BackupError, period_import
from reports.models import Report


class Command(BaseCommand):
    help = (
        "从 export_period 导出的 JSON 文件导入一个报告年度，整个导入在一个事务中完成，出错则不做任何改动。"
        "该年度已存在时拒绝导入，除非加 --replace：先删除该年度的报告（连同数据、记录、意见、得分和"
        "历史）及指标体系，再按文件重建。文件中的乡镇、数据项和用户须已存在于本数据库，"
        "导入不会创建用户，缺少时列出其用户名。时间（创建、修改、报送、意见等）按文件原样保存。"
        "相似度数据不在文件中，导入后请重新计算。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="export_period 写出的 JSON 文件")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="该年度已存在时，删除其报告和指标体系后按文件重建",
        )

    def handle(self, *args, file, replace=False, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"文件 {file} 不是有效的 JSON（{exc}），未导入任何数据。") from exc
        try:
            period = period_import(data=data, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        count = Report.objects.filter(period=period).count()
        self.stdout.write(f"已导入 {period.year} 报告年度的 {count} 份报告。")
