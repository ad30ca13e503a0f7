from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("township/", views.township_home, name="township_home"),
    path("township/start/<int:year>/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/import/", views.report_import, name="report_import"),
    path("reports/<int:pk>/import/apply/", views.report_import_apply, name="report_import_apply"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/similar/<int:other_pk>/", views.report_similar, name="report_similar"),
    path("reports/<int:pk>/act/<str:action>/", views.report_act, name="report_act"),
    path("reports/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/answer/", views.comment_answer, name="comment_answer"),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.review_queue_approve, name="review_queue_approve"),
    path("county/", views.county_home, name="county_home"),
    path("county/remind/", views.county_remind, name="county_remind"),
    path("overview/", views.admin_home, name="admin_home"),
    path("public/", views.public_index, name="public_index"),
    path("public/reports/<int:pk>/", views.public_report, name="public_report"),
    path("public/reports/<int:pk>/pdf/", views.public_report_pdf, name="public_report_pdf"),
    path("reports/<int:pk>/pdf/", views.report_pdf_view, name="report_pdf"),
    path("exports/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
