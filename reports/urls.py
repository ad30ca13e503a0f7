from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("township/", views.township_home, name="township_home"),
    path("township/start/<int:year>/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("county/", views.county_home, name="county_home"),
    path("overview/", views.admin_home, name="admin_home"),
]
