"""Installation: `manage.py create_administrators --system NAME --security NAME --audit NAME`."""

from django.core.management.base import BaseCommand, CommandError

from org.models import Membership
from org.services import AccountError, InstallationDone, administrators_bootstrap


class Command(BaseCommand):
    help = "安装时创建系统管理员、安全管理员、审计管理员三个账号（三员分立），并给出临时密码"

    def add_arguments(self, parser):
        parser.add_argument("--system", required=True, help="系统管理员的用户名")
        parser.add_argument("--security", required=True, help="安全管理员的用户名")
        parser.add_argument("--audit", required=True, help="审计管理员的用户名")

    def handle(self, *args, **options):
        usernames: dict[str, str] = {
            Membership.Role.ADMIN: options["system"].strip(),
            Membership.Role.SECURITY: options["security"].strip(),
            Membership.Role.AUDITOR: options["audit"].strip(),
        }
        try:
            created = administrators_bootstrap(usernames=usernames)
        except (AccountError, InstallationDone) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("已创建以下账号，首次登录须修改临时密码：")
        for user, password in created:
            self.stdout.write(
                f"  {user.membership.get_role_display()}  {user.username}  {password}"
            )
