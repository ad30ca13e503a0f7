from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "period", "county", "requested_by", "progress", "created_at")
    list_filter = ("kind", "status", "period")
    list_select_related = ("period", "county", "requested_by")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False
