"""The Django admin for reports: configuration (periods, indicator sets) and a read-only view of
reports. A report's text, figures, state and comments change only in the portal, through the
services, so that every change is versioned, scored, checked and recorded in the workflow."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from indicators.admin import DeductionItemAdmin as BaseDeductionItemAdmin
from indicators.admin import IndicatorSetAdmin as BaseIndicatorSetAdmin
from indicators.models import DeductionItem, IndicatorSet
from org.audit import Event, audit_record
from org.models import Period
from org.services import period_set_locked
from reading.sections import SECTION_KEYS

from .models import (
    Report,
    ReportScore,
    ReportSnapshot,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
)
from .services.scoring import indicator_set_changed, period_deadline_changed


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the portal's services write: viewable, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("year", "deadline", "locked", "evidence_public")
    actions = ["lock", "unlock"]

    @admin.action(description="锁定所选年度（不能再修改或报送）")
    def lock(self, request, queryset):
        for period in queryset:
            audit_record(event=Event.CONFIG_CHANGED, obj=period, detail="锁定")
        count = period_set_locked(periods=queryset, locked=True)
        self.message_user(request, f"已锁定 {count} 个报告年度。")

    @admin.action(description="解锁所选年度")
    def unlock(self, request, queryset):
        for period in queryset:
            audit_record(event=Event.CONFIG_CHANGED, obj=period, detail="解锁")
        count = period_set_locked(periods=queryset, locked=False)
        self.message_user(request, f"已解锁 {count} 个报告年度。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            event=Event.CONFIG_CHANGED, obj=obj, detail="修改：" + "、".join(form.changed_data)
        )
        if "deadline" in form.changed_data:
            period_deadline_changed(period=obj)


@admin.register(DeductionItem)
class DeductionItemAdmin(BaseDeductionItemAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(event=Event.CONFIG_CHANGED, obj=obj, detail="修改审核扣分项")
        indicator_set_changed(indicator_set=obj.indicator.indicator_set)

    def delete_model(self, request, obj):
        indicator_set = obj.indicator.indicator_set
        audit_record(event=Event.CONFIG_CHANGED, obj=obj, detail="删除审核扣分项")
        super().delete_model(request, obj)
        indicator_set_changed(indicator_set=indicator_set)


@admin.register(IndicatorSet)
class IndicatorSetAdmin(BaseIndicatorSetAdmin):
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        audit_record(event=Event.CONFIG_CHANGED, obj=form.instance, detail="修改指标体系")
        indicator_set_changed(indicator_set=form.instance)
        self.message_user(request, "已保存。该年度全部报告的得分将按新的指标体系重新计算。")


class ReportValueInline(ReadOnlyInline):
    model = ReportValue
    fields = ("element", "value")
    readonly_fields = fields


class ReportStatusChangeInline(ReadOnlyInline):
    model = ReportStatusChange
    fields = ("at", "actor", "from_status", "to_status", "note")
    readonly_fields = fields


class ReviewCommentInline(ReadOnlyInline):
    model = ReviewComment
    fields = ("created_at", "round", "target", "author", "body", "parent", "resolved_at")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = (
        "township",
        "county",
        "period",
        "status",
        "submitted_at",
        "updated_at",
        "updated_by",
        "version",
    )
    list_filter = ("period", "status", "township__county__province")
    search_fields = ("township__name", "township__county__name")
    list_select_related = ("township__county", "period", "updated_by")
    date_hierarchy = "submitted_at"
    inlines = [ReportValueInline, ReportStatusChangeInline, ReviewCommentInline]
    fields = (
        "workflow",
        "township",
        "period",
        "status",
        *SECTION_KEYS,
        "version",
        "submitted_at",
        "created_at",
        "updated_at",
        "updated_by",
    )
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description="所属县", ordering="township__county__name")
    def county(self, obj):
        return obj.township.county

    @admin.display(description="办理")
    def workflow(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">在系统中打开（修改由乡镇在系统中填报；审核、公开、重新打开并填写理由）</a>',
            reverse("report_detail", args=[obj.pk]),
        )


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ("report", "target", "author", "round", "created_at", "resolved_at")
    list_filter = ("report__period", "report__township__county__province")
    search_fields = (
        "body",
        "report__township__name",
        "report__township__county__name",
        "author__username",
    )
    list_select_related = ("report__township", "report__period", "author")


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("report", "round", "submitted_at")
    list_filter = ("report__period",)
    search_fields = ("report__township__name",)
    list_select_related = ("report__township", "report__period")


@admin.register(ReportStatusChange)
class ReportStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("report", "from_status", "to_status", "actor", "at")
    list_filter = ("to_status", "report__period")
    search_fields = ("report__township__name", "actor__username", "note")
    list_select_related = ("report__township", "report__period", "actor")


@admin.register(ReportScore)
class ReportScoreAdmin(ReadOnlyAdmin):
    list_display = ("report", "indicator_set", "total", "earned", "maximum", "computed_at")
    list_filter = ("indicator_set__period", "report__township__county__province")
    search_fields = ("report__township__name", "report__township__county__name")
    list_select_related = ("report__township", "report__period", "indicator_set__period")
