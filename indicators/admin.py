from django.contrib import admin

from .models import DataElement, ValidationRule


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


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("order", "__str__", "message", "active")
    list_display_links = ("__str__",)
    list_editable = ("order", "active")
    list_filter = ("active",)
    search_fields = ("left_expression", "right_expression", "message")
