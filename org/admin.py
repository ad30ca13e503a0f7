from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import County, Membership, Township
from .services import membership_sync_groups

# Period is registered by reports.admin: changing a deadline re-scores the period's reports.
# List filters go by province, never by county: with the whole country loaded a county filter
# lists 3,000 links; a county is found with the search box.


class TownshipInline(admin.TabularInline):
    model = Township
    extra = 0
    fields = ("order", "name", "kind")


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "province", "code", "township_count")
    list_filter = ("province", "city")
    search_fields = ("name", "city", "province", "code")
    inlines = [TownshipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[County]:
        return super().get_queryset(request).annotate(township_total=Count("townships"))

    @admin.display(description="乡镇数", ordering="township_total")
    def township_count(self, obj):
        return obj.township_total


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "code", "villages_registered", "order")
    list_filter = ("kind", "county__province")
    search_fields = ("name", "county__name", "code")
    list_select_related = ("county",)
    autocomplete_fields = ("county",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "township", "county")
    list_filter = ("role", "county__province", "township__county__province")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "township__name",
        "county__name",
    )
    list_select_related = ("user", "township", "county")
    autocomplete_fields = ("user", "township", "county")

    def get_readonly_fields(self, request, obj=None):
        # 三员分立: the system administrator sets a user's place; roles are the security
        # administrator's (用户管理 in the portal).
        return () if request.user.is_superuser else ("user", "role")

    def has_add_permission(self, request):
        return request.user.is_superuser

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
    list_filter = ("membership__role", "is_active", "membership__county__province")
    search_fields = (
        *UserAdmin.search_fields,
        "membership__township__name",
        "membership__county__name",
    )
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
