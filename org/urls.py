from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<id:pk>/reset/", views.people_reset, name="people_reset"),
    path("people/<id:pk>/active/", views.people_active, name="people_active"),
    path("password/", views.password_change, name="password_change"),
]
