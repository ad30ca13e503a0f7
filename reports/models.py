"""A township's annual report: its parts and figures, its history through the workflow, the review
comments, its score, and the copied-passage index."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators.models import DataElement, DeductionItem, IndicatorSet
from org.models import County, Period, Township
from reading.passages import FLAG_SHARE
from reading.sections import (
    REQUIRED_SECTION_KEYS,
    SECTION_KEYS,
    SECTIONS,
    SECTIONS_BY_KEY,
    Section,
)
from reportportal.db import HistoryManagerOnce, QuickChoiceLabels

from .workflow import EDITABLE_STATUSES, ReportStatus


def all_parts_missing() -> list[str]:
    return list(REQUIRED_SECTION_KEYS)


class Report(QuickChoiceLabels, models.Model):
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

    history = HistoricalRecords(
        excluded_fields=["updated_at", "missing_parts"], history_manager=HistoryManagerOnce
    )

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

    def parts(self) -> dict[str, str]:
        """The five parts' text by key, in official order."""
        return {key: getattr(self, key) for key in SECTION_KEYS}

    def part_rows(self) -> list[tuple[Section, str]]:
        """(section, text) of the five parts, in official order, as pages and PDFs show them."""
        return [(section, getattr(self, section.key)) for section in SECTIONS]

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

    history = HistoricalRecords(history_manager=HistoryManagerOnce)

    class Meta:
        verbose_name = "报告数据"
        verbose_name_plural = "报告数据"
        constraints = [
            models.UniqueConstraint(fields=["report", "element"], name="value_one_per_element")
        ]

    def __str__(self):
        return f"{self.element.name}: {'未填报' if self.value is None else self.value}"


class ReportStatusChange(QuickChoiceLabels, models.Model):
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
    # A comment's answers, oldest first, as reports.selectors.review.comment_threads reads them
    # with it (set there; a comment read otherwise has its `answers` manager).
    answer_list: list["ReviewComment"]

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        indexes = [models.Index(fields=["report", "target"])]

    def __str__(self):
        return self.body[:30]

    @staticmethod
    def anchor(target: str) -> str:
        """The HTML id of a target's thread: 「fig:code」 has a colon, which is no CSS selector."""
        return "thread-" + target.replace(":", "-")


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

    # The verdict 疑似抄袭/雷同 (`flagged`) is reading.passages.verdict: template text left out,
    # a third of the report, or several long passages copied from one report of the same year.
    FLAG_THRESHOLD = FLAG_SHARE

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
    # The share of the report in passages copied from the other one, template text (套话 that
    # many reports share, marked "template" in `passages`) left out; and the portal's verdict.
    copied = models.FloatField("抄袭比例", default=0, help_text="去掉套话后与对方相同的比例（0–1）")
    flagged = models.BooleanField("疑似抄袭/雷同", default=False)
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
    def copied_passages(self) -> list[dict]:
        return [p for p in self.passages if not p.get("template")]

    @property
    def template_passages(self) -> list[dict]:
        return [p for p in self.passages if p.get("template")]


class ReportScore(models.Model):
    """A report's score against its period's active indicator set, with the full explanation."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="score", verbose_name="报告"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="scores", verbose_name="指标体系"
    )
    earned = models.DecimalField("得分", max_digits=8, decimal_places=2)
    maximum = models.DecimalField("适用满分", max_digits=8, decimal_places=2)
    total = models.DecimalField("百分制总分", max_digits=5, decimal_places=2)
    # [{code, value, target, rule, points, max_points, status, reason}] in indicator order;
    # numbers as strings so Decimal survives JSON. Names and rule wording: scoring.explain().
    breakdown = models.JSONField("明细", default=list)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "报告得分"
        verbose_name_plural = "报告得分"
        indexes = [models.Index(fields=["indicator_set", "total"], name="reportscore_set_total")]

    def __str__(self):
        return f"{self.report_id}: {self.total}"


class ImportJob(models.Model):
    """A document too long to read inside a request, read by the task queue for its clerk; what
    was found waits here until the clerk confirms it (the confirmation writes the draft)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "识别中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="import_jobs", verbose_name="报告"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="上传人"
    )
    name = models.CharField("文件名", max_length=255, blank=True)
    # The file (or the pasted text, UTF-8) until it is read; emptied afterwards.
    source = models.BinaryField("原始内容", blank=True, editable=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField("识别结果", null=True, blank=True, editable=False)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self):
        return f"{self.report} · {self.name or '粘贴的文字'} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Notice(models.Model):
    """A message inside the portal (站内通知) for one user about one event; intranets often have
    no e-mail, so every event that concerns a user is also a notice."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "报送"
        RETURNED = "returned", "退回"
        ANSWERED = "answered", "答复意见"
        APPROVED = "approved", "审核通过"
        REMINDER = "reminder", "催报提醒"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="用户",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self):
        return self.title


class ReminderPolicy(models.Model):
    """When a county's townships that have not sent are reminded, by notice and e-mail."""

    county = models.OneToOneField(
        County,
        on_delete=models.CASCADE,
        related_name="reminder_policy",
        verbose_name="县（市、区）",
    )
    active = models.BooleanField("自动提醒", default=True)
    # Days before the deadline, e.g. "7,1".
    days_before = models.CharField("截止前第几天提醒", max_length=50, default="7,1")
    every_days_after = models.PositiveSmallIntegerField("逾期后每隔几天提醒", default=3)

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self):
        return f"{self.county} · {self.days_before} · 逾期每{self.every_days_after}天"

    def days_before_list(self) -> list[int]:
        return sorted(
            {int(d) for d in self.days_before.replace("，", ",").split(",") if d.strip().isdigit()},
            reverse=True,
        )


class ReminderSent(models.Model):
    """One scheduled reminder round of a county on a day: the unique row keeps it to one a day,
    whatever the number of workers or retries."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    townships = models.PositiveIntegerField("提醒的乡镇数", default=0)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        constraints = [
            models.UniqueConstraint(fields=["county", "period", "day"], name="reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.county} · {self.period} · {self.day}"


class FigureCheck(models.Model):
    """A figure marked 「请核实」 (far from last year's or from the county's median) that the clerk
    or the reviewer has checked, with a note. Rows are only added: the latest of a figure counts,
    and only while the figure still has the value that was checked."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="figure_checks", verbose_name="报告"
    )
    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="+", verbose_name="数据项"
    )
    value = models.PositiveBigIntegerField("核实的数值", null=True, blank=True)
    previous = models.PositiveBigIntegerField("上年数值", null=True, blank=True)
    note = models.TextField("核实说明")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="核实人"
    )
    checked_at = models.DateTimeField("核实时间", default=timezone.now)

    class Meta:
        ordering = ["checked_at", "id"]
        verbose_name = "数据核实记录"
        verbose_name_plural = "数据核实记录"
        indexes = [models.Index(fields=["report", "element"])]

    def __str__(self):
        return f"{self.report} {self.element.name} 已核实"


class ReviewerDeduction(models.Model):
    """A deduction item of a reviewer-scored indicator (审核赋分) that a reviewer ticked on a
    report, with the note that points at the evidence. Never changed but withdrawn (who, when),
    so every change of a deduction stays on record."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="deductions", verbose_name="报告"
    )
    item = models.ForeignKey(
        DeductionItem, on_delete=models.CASCADE, related_name="+", verbose_name="扣分项"
    )
    note = models.TextField("扣分说明（依据的佐证材料）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="扣分人"
    )
    created_at = models.DateTimeField("扣分时间", default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤销人",
    )
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "审核扣分"
        verbose_name_plural = "审核扣分"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "item"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="deduction_once_per_item",
            )
        ]

    def __str__(self):
        return f"{self.report} {self.item}"


def evidence_path(evidence: "Evidence", filename: str) -> str:
    # A random name on disk: the clerk's file name (kept in `name`) never becomes a path.
    return f"evidence/{evidence.report_id}/{uuid.uuid4().hex}{evidence.suffix}"


class Evidence(models.Model):
    """佐证材料: a file a clerk attaches to one figure or one part of a report, for the reviewer."""

    class Kind(models.TextChoices):
        # Decided from the file's content (reports.services.evidence), never from its name.
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG 图片"
        PNG = "png", "PNG 图片"
        DOCX = "docx", "Word 文档"
        XLSX = "xlsx", "Excel 表格"

    SUFFIX = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "docx": ".docx", "xlsx": ".xlsx"}
    CONTENT_TYPE = {
        "pdf": "application/pdf",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="evidence", verbose_name="报告"
    )
    # What it supports, as review comments name it: a part's key, or "fig:<data element code>".
    target = models.CharField("对应内容", max_length=80)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["target", "uploaded_at", "id"]
        indexes = [models.Index(fields=["report", "target"], name="evidence_report_target")]

    def __str__(self) -> str:
        return self.name

    @property
    def suffix(self) -> str:
        return self.SUFFIX.get(self.kind, "")

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPE[self.kind]

    @property
    def download_name(self) -> str:
        """The clerk's file name, with the suffix of what the file really is."""
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        return f"{stem}{self.suffix}"
