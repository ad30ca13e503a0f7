from django.urls import path

from . import views

urlpatterns = [
    path("public/reports/<id:pk>/pdf/", views.public_report_pdf, name="public_report_pdf"),
    path("reports/<id:pk>/pdf/", views.report_pdf_view, name="report_pdf"),
    path("exports/", views.export_create, name="export_create"),
    path("exports/<id:pk>/", views.export_detail, name="export_detail"),
    path("exports/<id:pk>/download/", views.export_download, name="export_download"),
]
