from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from indicators.services import period_deadline_changed
from reading.sections import SECTION_KEYS

from .models import (
    County,
    ExportJob,
    Membership,
    Period,
    Report,
    ReportSnapshot,
    ReportStatusChange,
    ReportValue,
    ReviewComment,
    Township,
)
from .services import membership_sync_groups


class TownshipInline(admin.TabularInline):
    model = Township
    extra = 0
    fields = ("order", "name", "kind")


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "province", "township_count")
    list_filter = ("province", "city")
    search_fields = ("name", "city", "province")
    inlines = [TownshipInline]

    @admin.display(description="乡镇数")
    def township_count(self, obj):
        return obj.townships.count()


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "order")
    list_filter = ("kind", "county__province", "county")
    search_fields = ("name", "county__name")
    list_select_related = ("county",)
    autocomplete_fields = ("county",)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("year", "deadline", "locked")
    actions = ["lock", "unlock"]

    @admin.action(description="锁定所选年度（不能再修改或报送）")
    def lock(self, request, queryset):
        count = queryset.update(locked=True)
        self.message_user(request, f"已锁定 {count} 个报告年度。")

    @admin.action(description="解锁所选年度")
    def unlock(self, request, queryset):
        count = queryset.update(locked=False)
        self.message_user(request, f"已解锁 {count} 个报告年度。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "deadline" in form.changed_data:
            # 按时报送 depends on the deadline.
            period_deadline_changed(period=obj)


class ReportValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    fields = ("element", "value")
    autocomplete_fields = ("element",)


class ReportStatusChangeInline(admin.TabularInline):
    model = ReportStatusChange
    extra = 0
    can_delete = False
    fields = ("at", "actor", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    can_delete = False
    fields = ("created_at", "round", "target", "author", "body", "parent", "resolved_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
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
    list_filter = ("period", "status", "township__county__province", "township__county")
    search_fields = ("township__name", "township__county__name")
    list_select_related = ("township__county", "period", "updated_by")
    date_hierarchy = "submitted_at"
    # Status and version move only through the services, so that history and locks stay true.
    readonly_fields = (
        "status",
        "version",
        "submitted_at",
        "created_at",
        "updated_at",
        "updated_by",
    )
    autocomplete_fields = ("township",)
    inlines = [ReportValueInline, ReportStatusChangeInline, ReviewCommentInline]
    # Reopening needs a reason and a recorded move: it is done on the portal's report page.
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
    readonly_fields = (*readonly_fields, "workflow")

    @admin.display(description="所属县", ordering="township__county__name")
    def county(self, obj):
        return obj.township.county

    @admin.display(description="办理")
    def workflow(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">在系统中打开（审核、公开、重新打开并填写理由）</a>',
            reverse("report_detail", args=[obj.pk]),
        )


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ("report", "target", "author", "round", "created_at", "resolved_at")
    list_filter = ("report__period", "report__township__county")
    search_fields = ("body", "report__township__name", "author__username")
    list_select_related = ("report__township", "report__period", "author")

    def has_add_permission(self, request):
        return False


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    list_display = ("report", "round", "submitted_at")
    list_filter = ("report__period",)
    search_fields = ("report__township__name",)
    list_select_related = ("report__township", "report__period")
    readonly_fields = ("report", "round", "parts", "figures", "submitted_at")

    def has_add_permission(self, request):
        return False


@admin.register(ReportStatusChange)
class ReportStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("report", "from_status", "to_status", "actor", "at")
    list_filter = ("to_status", "report__period")
    search_fields = ("report__township__name", "actor__username", "note")
    list_select_related = ("report__township", "report__period", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "township", "county")
    list_filter = ("role", "county", "township__county")
    search_fields = ("user__username", "user__first_name", "user__last_name", "township__name")
    list_select_related = ("user", "township", "county")
    autocomplete_fields = ("user", "township", "county")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        membership_sync_groups(membership=obj)


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ("township", "county")
    verbose_name_plural = "角色与所属单位"


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "last_name", "first_name", "role", "place", "is_active")
    list_filter = ("membership__role", "is_active", "membership__county")
    list_select_related = ("membership__township", "membership__county")

    @admin.display(description="角色", ordering="membership__role")
    def role(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.display(description="所属单位")
    def place(self, obj):
        membership = getattr(obj, "membership", None)
        return (membership.township or membership.county or "全部") if membership else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        membership = Membership.objects.filter(user=form.instance).first()
        if membership:
            membership_sync_groups(membership=membership)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "period", "county", "requested_by", "progress", "created_at")
    list_filter = ("kind", "status", "period")
    list_select_related = ("period", "county", "requested_by")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False
