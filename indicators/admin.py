from django.contrib import admin
from django.utils.html import format_html_join

from .models import DataElement, DataElementSynonym, Indicator, ValidationRule, formula_names
from .scoring import fmt


class DataElementSynonymInline(admin.TabularInline):
    model = DataElementSynonym
    extra = 1
    fields = ("kind", "phrase")
    verbose_name = "同义说法（导入报告时按这些说法识别数字，保存后立即生效）"
    verbose_name_plural = verbose_name


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    inlines = [DataElementSynonymInline]
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
        ("step", "deduction", "cap"),
        "bands",
    )


class ValidationRuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0
    fields = ("order", "left_expression", "operator", "right_expression", "message", "active")


# Registered by reports.admin, which adds re-scoring the period after a change.
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("period", "name", "active", "indicator_count", "total_points", "updated_at")
    list_filter = ("period", "active")
    search_fields = ("name",)
    readonly_fields = ("formula_help",)
    fields = ("period", "name", "active", "change_factor", "formula_help")
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


# Registered by reports.admin, which adds re-scoring the period after a change.
class DeductionItemAdmin(admin.ModelAdmin):
    """Deduction items of reviewer-scored indicators (审核赋分)."""

    list_display = ("name", "points", "indicator", "indicator_set")
    list_filter = ("indicator__indicator_set",)
    search_fields = ("name", "indicator__name")
    fields = ("indicator", "order", "name", "points")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["indicator"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            rule=Indicator.Rule.REVIEWER
        ).select_related("indicator_set__period")
        return form

    @admin.display(description="指标体系")
    def indicator_set(self, obj):
        return obj.indicator.indicator_set


@admin.register(DataElementSynonym)
class DataElementSynonymAdmin(admin.ModelAdmin):
    """Every synonym at a glance, e.g. to find which element a phrase belongs to."""

    list_display = ("phrase", "kind", "element")
    list_filter = ("kind", "element")
    search_fields = ("phrase", "element__name", "element__code")
    list_select_related = ("element",)
