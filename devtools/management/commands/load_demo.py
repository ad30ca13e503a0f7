from django.core.management.base import BaseCommand

from devtools.demo import create_demo_reports, create_demo_users, load_demo_spec, load_fixtures
from indicators.services import indicator_set_create_rubric
from org.models import County, Period
from reports.services.scoring import scores_recompute


class Command(BaseCommand):
    help = (
        "载入演示数据：三个县的乡镇、2022–2024 报告年度、数据项、样例报告和演示账号（可重复运行）。"
    )

    def handle(self, *args, **options):
        spec = load_demo_spec()
        load_fixtures(self.stdout)
        for period in Period.objects.all():
            rubric = indicator_set_create_rubric(period=period)
        self.stdout.write(
            f"已载入第二套指标体系「{rubric.name}」（扣分制和审核赋分，各年度均未启用；"
            "管理员在 指标体系 中停用默认体系、启用它即可）。"
        )
        logins = create_demo_users(spec["users"])
        counties = [
            County.objects.get_by_natural_key(*r["county"]) for r in spec["users"]["reviewers"]
        ]
        created = create_demo_reports(spec["reports"], counties)
        scored = scores_recompute()
        self.stdout.write(f"已生成演示报告 {created} 份，已计算 {scored} 份报告的得分。")
        self.stdout.write("")
        self.stdout.write("演示账号（密码均为 {}）：".format(spec["users"]["password"]))
        for username, role, place in logins:
            self.stdout.write(f"  {username:<10} {role}  {place}")
        self.stdout.write("  其他乡镇的填报员：shenqiu01…、minquan01…、wuxi01…（按乡镇顺序编号）")
        self.stdout.write("")
