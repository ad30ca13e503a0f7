from django.urls import path

from .views import clerk, notices, overview, public, report, review, scores

urlpatterns = [
    path("", clerk.home, name="home"),
    path("township/", clerk.township_home, name="township_home"),
    path("township/start/<year:year>/", clerk.report_start, name="report_start"),
    path("reports/<id:pk>/", report.report_detail, name="report_detail"),
    path("reports/<id:pk>/edit/", clerk.report_edit, name="report_edit"),
    path("reports/<id:pk>/import/", clerk.report_import, name="report_import"),
    path("reports/<id:pk>/import/apply/", clerk.report_import_apply, name="report_import_apply"),
    path(
        "reports/<id:pk>/import/jobs/<id:job_pk>/",
        clerk.report_import_job,
        name="report_import_job",
    ),
    path("reports/<id:pk>/review/", review.report_review, name="report_review"),
    path("reports/<id:pk>/similar/<id:other_pk>/", review.report_similar, name="report_similar"),
    path("reports/<id:pk>/act/<str:action>/", report.report_act, name="report_act"),
    path("reports/<id:pk>/comments/", review.comment_create, name="comment_create"),
    path("reports/<id:pk>/figure-checks/", review.figure_check, name="figure_check"),
    path("comments/<id:pk>/answer/", clerk.comment_answer, name="comment_answer"),
    path("comments/<id:pk>/resolve/", review.comment_resolve, name="comment_resolve"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/approve/", review.review_queue_approve, name="review_queue_approve"),
    path("county/", review.county_home, name="county_home"),
    path("county/remind/", review.county_remind, name="county_remind"),
    path("county/reminders/", review.county_reminder_policy, name="county_reminder_policy"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/<id:pk>/open/", notices.notice_open, name="notice_open"),
    path("notices/read/", notices.notices_read, name="notices_read"),
    path("overview/", overview.admin_home, name="admin_home"),
    path("ranking/", scores.ranking, name="ranking"),
    path("reports/<id:pk>/score/", scores.report_score, name="report_score"),
    path("townships/<id:pk>/scores/", scores.township_scores, name="township_scores"),
    path("public/", public.public_index, name="public_index"),
    path("public/reports/<id:pk>/", public.public_report, name="public_report"),
]
