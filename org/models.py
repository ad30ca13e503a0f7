"""Places (counties and their townships), the reporting periods, and each user's role and place.

Who may see and do what is decided from these in org.access, nowhere else.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reportportal.db import QuickChoiceLabels


class CountyManager(models.Manager["County"]):
    def get_by_natural_key(self, province: str, name: str) -> "County":
        return self.get(province=province, name=name)


class County(models.Model):
    name = models.CharField("县（市、区）", max_length=50)
    city = models.CharField("市（州）", max_length=50)
    province = models.CharField("省（自治区、直辖市）", max_length=50)
    # 统计用区划代码 (6 digits), from the official register (manage.py load_divisions).
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)

    objects = CountyManager()

    class Meta:
        ordering = ["province", "city", "name"]
        verbose_name = "县（市、区）"
        verbose_name_plural = "县（市、区）"
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="county_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.province, self.name)


class CityManager(models.Manager["City"]):
    def get_by_natural_key(self, province: str, name: str) -> "City":
        return self.get(province=province, name=name)


class City(models.Model):
    """市（州、盟）: the level above counties, followed by the city's reviewers (市级审核员). Its
    counties are those that name it as their 市（州） in the same province."""

    province = models.CharField("省（自治区、直辖市）", max_length=50)
    name = models.CharField("市（州、盟）", max_length=50)
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)

    objects = CityManager()

    class Meta:
        ordering = ["province", "name"]
        verbose_name = "市（州、盟）"
        verbose_name_plural = "市（州、盟）"
        constraints = [models.UniqueConstraint(fields=["province", "name"], name="city_unique")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.province, self.name)

    def counties(self) -> "models.QuerySet[County]":
        return County.objects.filter(province=self.province, city=self.name)


class TownshipManager(models.Manager["Township"]):
    def get_by_natural_key(self, province: str, county: str, name: str) -> "Township":
        return self.get(county__province=province, county__name=county, name=name)


class Township(QuickChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        XIANG = "xiang", "乡"
        ZHEN = "zhen", "镇"
        JIEDAO = "jiedao", "街道"
        MINZU_XIANG = "minzu_xiang", "民族乡"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name="所属县"
    )
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField("排序", default=0)
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    villages_registered = models.PositiveIntegerField(
        "区划登记的村（居）委会数",
        null=True,
        blank=True,
        help_text="官方区划中本乡镇（街道）下的村民委员会和居民委员会个数，用于核对报告中的行政村（社区）总数。",
    )

    objects = TownshipManager()

    class Meta:
        ordering = ["county", "order", "name"]
        verbose_name = "乡镇（街道）"
        verbose_name_plural = "乡镇（街道）"
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="township_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, ...]:
        return (*self.county.natural_key(), self.name)

    natural_key.dependencies = ["org.county"]  # type: ignore[attr-defined]


class PeriodManager(models.Manager["Period"]):
    def get_by_natural_key(self, year: int) -> "Period":
        return self.get(year=year)


class Period(models.Model):
    """The reporting round for one year's work (报告年度), with the county's internal deadline."""

    year = models.PositiveSmallIntegerField("报告年度", unique=True)
    deadline = models.DateField("报送截止日期")
    locked = models.BooleanField(
        "已锁定", default=False, help_text="锁定后不能再修改或报送该年度的报告。"
    )
    evidence_public = models.BooleanField(
        "公开佐证材料",
        default=False,
        help_text="勾选后，已公开报告的佐证材料也可以在公开页面下载；不勾选则只有能查看报告的用户可以下载。",
    )

    objects = PeriodManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = "报告年度"
        verbose_name_plural = "报告年度"

    def __str__(self) -> str:
        return f"{self.year}年度"

    def natural_key(self) -> tuple[int]:
        return (self.year,)


class Membership(QuickChoiceLabels, models.Model):
    """A user's one role and the place it applies to; org.access decides every right from it."""

    class Role(models.TextChoices):
        CLERK = "clerk", "乡镇填报员"
        REVIEWER = "reviewer", "县级审核员"
        # Follows the counties of a city: dashboards, rankings, summaries; approves nothing.
        CITY_REVIEWER = "city_reviewer", "市级审核员"
        # 三员分立 (等保 2.0): the administrator's work split three ways, one role per account.
        ADMIN = "admin", "系统管理员"  # places, periods, indicator sets, users' places
        SECURITY = "security", "安全管理员"  # accounts and roles, lock-outs, passwords, sessions
        AUDITOR = "auditor", "审计管理员"  # reads the security audit log, nothing else

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="乡镇（街道）",
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="县（市、区）",
    )
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="市（州、盟）",
    )

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="clerk", township__isnull=False, county__isnull=True, city__isnull=True)
                    | Q(
                        role="reviewer",
                        county__isnull=False,
                        township__isnull=True,
                        city__isnull=True,
                    )
                    | Q(
                        role="city_reviewer",
                        city__isnull=False,
                        county__isnull=True,
                        township__isnull=True,
                    )
                    | Q(
                        role__in=["admin", "security", "auditor"],
                        county__isnull=True,
                        township__isnull=True,
                        city__isnull=True,
                    )
                ),
                name="membership_place_matches_role",
                violation_error_message=(
                    "乡镇填报员须选择所属乡镇，县级审核员须选择所属县，市级审核员须选择所属市，"
                    "且只选这一项；系统、安全、审计管理员都不选。"
                ),
            )
        ]

    def __str__(self) -> str:
        place: Any = self.township or self.county or "全部"
        return f"{self.user} · {self.get_role_display()} · {place}"


class AccountSecurity(models.Model):
    """What the portal keeps about a user's password beyond Django's own fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="security",
        verbose_name="用户",
    )
    # Set when an administrator creates the account or resets its password: the temporary
    # password works once, to choose one's own.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号安全"
        verbose_name_plural = "账号安全"

    def __str__(self) -> str:
        return f"{self.user}"


class AuditEvent(QuickChoiceLabels, models.Model):
    """One line of the security audit log (等保 2.0 安全审计): who did what to which object, from
    where, when, with what result. Append-only: the database refuses to change a row and to delete
    one younger than the retention floor (migration org 0005's trigger), whatever the account."""

    class Event(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出登录"
        LOCKED_OUT = "locked_out", "账号锁定"
        UNLOCKED = "unlocked", "解除锁定"
        SECOND_FACTOR = "second_factor", "双因素认证"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        PASSWORD_RESET = "password_reset", "重置密码"
        ACCOUNT_CREATED = "account_created", "创建账号"
        ACCOUNT_ACTIVE = "account_active", "启用或停用账号"
        ROLE_CHANGED = "role_changed", "角色或单位变更"
        SESSION_ENDED = "session_ended", "结束会话"
        WORKFLOW = "workflow", "报告流转"
        CONFIG_CHANGED = "config_changed", "配置变更"
        EXPORT = "export", "导出"
        DOWNLOAD = "download", "下载"
        UPLOAD = "upload", "上传"
        REFUSED = "refused", "拒绝访问"

    class Result(models.TextChoices):
        OK = "ok", "成功"
        FAILED = "failed", "失败"
        REFUSED = "refused", "拒绝"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # Plain values, not foreign keys: a row stays as written whatever happens to the account.
    user_id = models.BigIntegerField("用户编号", null=True, blank=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象编号", max_length=50, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "安全审计日志"
        verbose_name_plural = "安全审计日志"
        indexes = [models.Index(fields=["username", "at"], name="audit_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_event_display()}"


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords: a new one may not repeat them (等保 2.0)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户"
    )
    password = models.CharField("密码（哈希）", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a user, so that the security administrator can see and end them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_sessions",
        verbose_name="用户",
    )
    session_key = models.CharField("会话", max_length=40, unique=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    created_at = models.DateTimeField("登录时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
