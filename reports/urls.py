from django.urls import path

from .views import clerk, overview, public, report, review, scores

urlpatterns = [
    path("", clerk.home, name="home"),
    path("township/", clerk.township_home, name="township_home"),
    path("township/start/<int:year>/", clerk.report_start, name="report_start"),
    path("reports/<int:pk>/", report.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", clerk.report_edit, name="report_edit"),
    path("reports/<int:pk>/import/", clerk.report_import, name="report_import"),
    path("reports/<int:pk>/import/apply/", clerk.report_import_apply, name="report_import_apply"),
    path("reports/<int:pk>/review/", review.report_review, name="report_review"),
    path("reports/<int:pk>/similar/<int:other_pk>/", review.report_similar, name="report_similar"),
    path("reports/<int:pk>/act/<str:action>/", report.report_act, name="report_act"),
    path("reports/<int:pk>/comments/", review.comment_create, name="comment_create"),
    path("comments/<int:pk>/answer/", clerk.comment_answer, name="comment_answer"),
    path("comments/<int:pk>/resolve/", review.comment_resolve, name="comment_resolve"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/approve/", review.review_queue_approve, name="review_queue_approve"),
    path("county/", review.county_home, name="county_home"),
    path("county/remind/", review.county_remind, name="county_remind"),
    path("overview/", overview.admin_home, name="admin_home"),
    path("ranking/", scores.ranking, name="ranking"),
    path("reports/<int:pk>/score/", scores.report_score, name="report_score"),
    path("townships/<int:pk>/scores/", scores.township_scores, name="township_scores"),
    path("public/", public.public_index, name="public_index"),
    path("public/reports/<int:pk>/", public.public_report, name="public_report"),
]
