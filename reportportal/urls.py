from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from org.params import IdConverter, YearConverter

from .security import PortalLoginView

register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

admin.site.site_header = "法治政府建设年度报告系统 · 管理"
admin.site.site_title = "法治政府建设年度报告系统"
admin.site.index_title = "系统管理"

handler400 = "reportportal.errors.bad_request"

urlpatterns = [
    path("login/", PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("org.urls")),
    path("", include("reports.urls")),
    path("", include("exports.urls")),
]
