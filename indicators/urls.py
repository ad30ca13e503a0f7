from django.urls import path

from . import views

urlpatterns = [
    path("ranking/", views.ranking, name="ranking"),
    path("reports/<int:pk>/score/", views.report_score, name="report_score"),
    path("townships/<int:pk>/scores/", views.township_scores, name="township_scores"),
]
