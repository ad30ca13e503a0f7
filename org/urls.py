from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<id:pk>/reset/", views.people_reset, name="people_reset"),
    path("people/<id:pk>/active/", views.people_active, name="people_active"),
    path("people/<id:pk>/sessions/end/", views.people_sessions_end, name="people_sessions_end"),
    path("people/<id:pk>/unlock/", views.people_unlock, name="people_unlock"),
    path("password/", views.password_change, name="password_change"),
    path("session/keepalive/", views.keepalive, name="keepalive"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path(
        "people/<id:pk>/second-factor/reset/",
        views.people_second_factor_reset,
        name="people_second_factor_reset",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
