from django.contrib import admin
from django.utils.html import format_html_join

from .models import DataElement, Indicator, IndicatorSet, ReportScore, ValidationRule, formula_names
from .scoring import fmt
from .services import indicator_set_changed


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "unit", "area", "active")
    list_display_links = ("code", "name")
    list_editable = ("order", "active")
    list_filter = ("area", "active")
    search_fields = ("code", "name", "help_text")
    ordering = ("order", "code")

    def get_readonly_fields(self, request, obj=None):
        # Stored figures and formulas refer to the code: it is fixed once created.
        return ("code",) if obj else ()


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    fields = (
        ("order", "code", "name", "area"),
        "formula",
        ("rule", "target", "points", "when_missing"),
        "bands",
    )


class ValidationRuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0
    fields = ("order", "left_expression", "operator", "right_expression", "message", "active")


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("period", "name", "active", "indicator_count", "total_points", "updated_at")
    list_filter = ("period", "active")
    search_fields = ("name",)
    readonly_fields = ("formula_help",)
    fields = ("period", "name", "active", "formula_help")
    inlines = [IndicatorInline, ValidationRuleInline]

    @admin.display(description="指标数")
    def indicator_count(self, obj):
        return obj.indicators.count()

    @admin.display(description="满分合计")
    def total_points(self, obj):
        return fmt(sum(i.points for i in obj.indicators.all()))

    @admin.display(description="公式可用的代码")
    def formula_help(self, obj):
        return format_html_join(
            "", "<div><code>{}</code> {}</div>", sorted(formula_names().items())
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        indicator_set_changed(indicator_set=form.instance)
        self.message_user(request, "已保存。该年度全部报告的得分将按新的指标体系重新计算。")


@admin.register(ReportScore)
class ReportScoreAdmin(admin.ModelAdmin):
    list_display = ("report", "indicator_set", "total", "earned", "maximum", "computed_at")
    list_filter = ("indicator_set__period", "report__township__county")
    search_fields = ("report__township__name",)
    list_select_related = ("report__township", "report__period", "indicator_set__period")
    readonly_fields = [f.name for f in ReportScore._meta.fields]

    def has_add_permission(self, request):
        return False
