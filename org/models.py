"""Places (counties and their townships), the reporting periods, and each user's role and place.

Who may see and do what is decided from these in org.access, nowhere else.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class CountyManager(models.Manager["County"]):
    def get_by_natural_key(self, province: str, name: str) -> "County":
        return self.get(province=province, name=name)


class County(models.Model):
    name = models.CharField("县（市、区）", max_length=50)
    city = models.CharField("市（州）", max_length=50)
    province = models.CharField("省（自治区、直辖市）", max_length=50)

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


class TownshipManager(models.Manager["Township"]):
    def get_by_natural_key(self, province: str, county: str, name: str) -> "Township":
        return self.get(county__province=province, county__name=county, name=name)


class Township(models.Model):
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

    objects = PeriodManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = "报告年度"
        verbose_name_plural = "报告年度"

    def __str__(self) -> str:
        return f"{self.year}年度"

    def natural_key(self) -> tuple[int]:
        return (self.year,)


class Membership(models.Model):
    """A user's one role and the place it applies to; org.access decides every right from it."""

    class Role(models.TextChoices):
        CLERK = "clerk", "乡镇填报员"
        REVIEWER = "reviewer", "县级审核员"
        ADMIN = "admin", "管理员"

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

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="clerk", township__isnull=False, county__isnull=True)
                    | Q(role="reviewer", county__isnull=False, township__isnull=True)
                    | Q(role="admin", county__isnull=True, township__isnull=True)
                ),
                name="membership_place_matches_role",
                violation_error_message=(
                    "乡镇填报员须选择所属乡镇（不选县），县级审核员须选择所属县（不选乡镇），"
                    "管理员两者都不选。"
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
