from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators.models import DataElement
from reading.sections import REQUIRED_SECTION_KEYS, SECTIONS_BY_KEY


class CountyManager(models.Manager):
    def get_by_natural_key(self, province, name):
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

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.province, self.name)


class TownshipManager(models.Manager):
    def get_by_natural_key(self, province, county, name):
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

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.county.natural_key(), self.name)

    natural_key.dependencies = ["reports.county"]


class PeriodManager(models.Manager):
    def get_by_natural_key(self, year):
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

    def __str__(self):
        return f"{self.year}年度"

    def natural_key(self):
        return (self.year,)


class Membership(models.Model):
    """A user's one role and the place it applies to; object permissions are decided from this."""

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

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.township or self.county or '全部'}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"
    PUBLISHED = "published", "已公开"


class Action(models.TextChoices):
    SUBMIT = "submit", "报送"
    WITHDRAW = "withdraw", "撤回"
    RETURN = "return", "退回"
    APPROVE = "approve", "审核通过"
    PUBLISH = "publish", "公开"
    REOPEN = "reopen", "重新打开"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]  # Membership.Role values allowed to make the move (place checked apart)
    needs_reason: bool = False


_CLERK, _REVIEWER, _ADMIN = "clerk", "reviewer", "admin"

# The one place that says which moves exist, from where, to where, and who makes them.
WORKFLOW: dict[str, Move] = {
    Action.SUBMIT: Move(
        frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}),
        ReportStatus.SUBMITTED,
        frozenset({_CLERK}),
    ),
    # Only while no reviewer has acted on this round (checked by the service).
    Action.WITHDRAW: Move(
        frozenset({ReportStatus.SUBMITTED}), ReportStatus.DRAFT, frozenset({_CLERK})
    ),
    Action.RETURN: Move(
        frozenset({ReportStatus.SUBMITTED}),
        ReportStatus.RETURNED,
        frozenset({_REVIEWER, _ADMIN}),
        needs_reason=True,
    ),
    Action.APPROVE: Move(
        frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED, frozenset({_REVIEWER, _ADMIN})
    ),
    Action.PUBLISH: Move(
        frozenset({ReportStatus.APPROVED}), ReportStatus.PUBLISHED, frozenset({_REVIEWER, _ADMIN})
    ),
    Action.REOPEN: Move(
        frozenset({ReportStatus.APPROVED, ReportStatus.PUBLISHED}),
        ReportStatus.RETURNED,
        frozenset({_ADMIN}),
        needs_reason=True,
    ),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(move.target for move in WORKFLOW.values() if status in move.sources)
    for status in ReportStatus.values
}
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


def all_parts_missing() -> list[str]:
    return list(REQUIRED_SECTION_KEYS)


class Report(models.Model):
    """One township's annual report for one period: the five parts and the figures."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="reports", verbose_name="乡镇（街道）"
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="reports", verbose_name="报告年度"
    )
    status = models.CharField(
        "状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    measures_and_results = models.TextField(
        SECTIONS_BY_KEY["measures_and_results"].heading, blank=True
    )
    shortcomings = models.TextField(SECTIONS_BY_KEY["shortcomings"].heading, blank=True)
    leadership_duty = models.TextField(SECTIONS_BY_KEY["leadership_duty"].heading, blank=True)
    next_year_plan = models.TextField(SECTIONS_BY_KEY["next_year_plan"].heading, blank=True)
    other = models.TextField(SECTIONS_BY_KEY["other"].heading, blank=True)
    # Optimistic lock: every write bumps it, and a save based on an older one is refused.
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    # Required parts the text lacks (reading.completeness.missing_parts), kept with the text so that
    # scoring thousands of reports need not read every text again.
    missing_parts = models.JSONField(
        "缺少的必填部分", default=all_parts_missing, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "missing_parts"])

    class Meta:
        ordering = ["-period__year", "township__county", "township__order", "township__name"]
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        constraints = [
            models.UniqueConstraint(
                fields=["township", "period"], name="report_one_per_township_period"
            )
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.township}{self.period.year}年度法治政府建设情况报告"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and not self.period.locked

    @property
    def is_late(self) -> bool:
        if self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.period.deadline


class ReportValue(models.Model):
    """One figure of one report; a missing row or a NULL value means unknown (未填报), not 0."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="values", verbose_name="报告"
    )
    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="values", verbose_name="数据项"
    )
    value = models.PositiveBigIntegerField("数值", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "报告数据"
        verbose_name_plural = "报告数据"
        constraints = [
            models.UniqueConstraint(fields=["report", "element"], name="value_one_per_element")
        ]

    def __str__(self):
        return f"{self.element.name}: {'未填报' if self.value is None else self.value}"


class ReportStatusChange(models.Model):
    """Who moved a report from which status to which, when, and why."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="status_changes", verbose_name="报告"
    )
    from_status = models.CharField("原状态", max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "状态变更记录"
        verbose_name_plural = "状态变更记录"

    def __str__(self):
        return f"{self.report} {self.from_status}→{self.to_status}"


class ReportSnapshot(models.Model):
    """The parts and figures as sent in one submission round, for comparing rounds."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="snapshots", verbose_name="报告"
    )
    round = models.PositiveIntegerField("报送轮次")
    parts = models.JSONField("正文")
    figures = models.JSONField("数据")
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        ordering = ["report", "round"]
        verbose_name = "报送版本"
        verbose_name_plural = "报送版本"
        constraints = [
            models.UniqueConstraint(fields=["report", "round"], name="snapshot_one_per_round")
        ]

    def __str__(self):
        return f"{self.report} 第{self.round}次报送"


class ReviewComment(models.Model):
    """A reviewer's comment on one part or figure, or a clerk's answer to it (parent set)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="comments", verbose_name="报告"
    )
    # A part key (measures_and_results, …) or "fig:<data element code>".
    target = models.CharField("针对", max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name="回复的意见",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    body = models.TextField("内容")
    round = models.PositiveIntegerField("报送轮次")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="标记解决人",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        indexes = [models.Index(fields=["report", "target"])]

    def __str__(self):
        return self.body[:30]


class ExportJob(models.Model):
    """A summary PDF made in the background; the file lives in shared storage (MEDIA_ROOT)."""

    class Kind(models.TextChoices):
        COUNTY = "county", "县（市、区）汇总"
        PROVINCE = "province", "全部县汇总"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, verbose_name="报告年度")
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, null=True, blank=True, verbose_name="县（市、区）"
    )
    province = models.CharField("省（自治区、直辖市）", max_length=50, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self):
        return f"{self.title} · {self.get_status_display()}"

    @property
    def title(self) -> str:
        place = self.county.name if self.county_id else (self.province or "全部") + "各县（市、区）"
        return f"{place}{self.period.year}年度法治政府建设情况汇总"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ReportFingerprint(models.Model):
    """A report's MinHash signature (reports.similarity), computed when it is submitted."""

    report = models.OneToOneField(
        Report,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fingerprint",
        verbose_name="报告",
    )
    # similarity.SCHEME it was made with: fingerprints of another scheme are not comparable.
    scheme = models.CharField("算法参数", max_length=40)
    signature = models.BinaryField("MinHash 签名")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "报告指纹"
        verbose_name_plural = "报告指纹"

    def __str__(self):
        return f"{self.report_id} · {self.scheme}"


class ReportBand(models.Model):
    """One LSH band of a report's signature: reports sharing a band hash are candidates."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="+", verbose_name="报告"
    )
    # The report's period again, so that the candidate lookup is one index scan per year.
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name="报告年度"
    )
    band_hash = models.BigIntegerField("分段哈希")

    class Meta:
        verbose_name = "指纹分段"
        verbose_name_plural = "指纹分段"
        indexes = [models.Index(fields=["band_hash", "period"], name="reportband_lookup")]

    def __str__(self):
        return f"{self.report_id} · {self.band_hash}"


class ReportSimilarity(models.Model):
    """How much of a report is found in another report, with the shared passages."""

    class Kind(models.TextChoices):
        SAME_PERIOD = "same_period", "同年度其他乡镇"
        PREVIOUS_YEAR = "previous_year", "本乡镇上一年度"

    # From this share of a report found in another one on, the review page flags the pair
    # 疑似抄袭/雷同. Unrelated real reports share only stock phrases (0 % of passages of 20
    # characters or more between the three samples); a report a third of which is found in
    # another one deserves a reviewer's look.
    FLAG_THRESHOLD = 0.3

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="similarities", verbose_name="报告"
    )
    other = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="+", verbose_name="相似的报告"
    )
    kind = models.CharField("比对范围", max_length=20, choices=Kind.choices)
    similarity = models.FloatField("相似度", help_text="本报告的文字在对方报告中出现的比例（0–1）")
    # [{"text", "a_start", "b_start", "b_text"}]: as in compare_reports, plus the passage in B.
    passages = models.JSONField("相同段落", default=list)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        ordering = ["report", "-similarity", "other"]
        verbose_name = "相似内容"
        verbose_name_plural = "相似内容"
        constraints = [
            models.UniqueConstraint(fields=["report", "other"], name="similarity_one_per_pair")
        ]

    def __str__(self):
        return f"{self.report_id} → {self.other_id}: {self.similarity:.0%}"

    @property
    def flagged(self) -> bool:
        return self.similarity >= self.FLAG_THRESHOLD
