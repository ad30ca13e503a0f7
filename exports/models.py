"""Documents made from the reports in the background (summary PDFs, long reports' PDFs), kept in
shared storage."""

from django.conf import settings
from django.db import models

from org.models import County, Period
from reports.models import Report


class ExportJob(models.Model):
    """A summary PDF or spreadsheet made in the background; the file lives in shared storage (MEDIA_ROOT)."""

    class Kind(models.TextChoices):
        COUNTY = "county", "县（市、区）汇总"
        PROVINCE = "province", "全部县汇总"
        REPORT = "report", "单份报告"
        BULLETIN = "bulletin", "报送情况通报"
        COUNTY_XLSX = "county_xlsx", "县（市、区）数据表（Excel）"
        PROVINCE_XLSX = "province_xlsx", "全部县数据表（Excel）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    # Kinds made for one county (the others cover several counties, or one report).
    COUNTY_KINDS = frozenset({Kind.COUNTY, Kind.BULLETIN, Kind.COUNTY_XLSX})
    # Kinds made for a province (or every province when it is empty).
    PROVINCE_KINDS = frozenset({Kind.PROVINCE, Kind.PROVINCE_XLSX})
    SPREADSHEET_KINDS = frozenset({Kind.COUNTY_XLSX, Kind.PROVINCE_XLSX})

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, verbose_name="报告年度")
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, null=True, blank=True, verbose_name="县（市、区）"
    )
    province = models.CharField("省（自治区、直辖市）", max_length=50, blank=True)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, verbose_name="报告"
    )
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
        if self.report_id:
            return str(self.report)
        if self.kind == self.Kind.BULLETIN and self.county:
            return f"{self.county.name}关于{self.period.year}年度法治政府建设情况报告报送情况的通报"
        place = self.county.name if self.county else (self.province or "全部") + "各县（市、区）"
        if self.is_spreadsheet:
            return f"{place}{self.period.year}年度法治政府建设情况数据表"
        return f"{place}{self.period.year}年度法治政府建设情况汇总"

    @property
    def is_spreadsheet(self) -> bool:
        return self.kind in self.SPREADSHEET_KINDS

    @property
    def filename(self) -> str:
        return f"{self.title}.{'xlsx' if self.is_spreadsheet else 'pdf'}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
