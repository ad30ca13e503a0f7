"""The floor of `manage.py benchmark --only web`: Django as `startproject` ships it, serving one
page that runs one query, in the same gunicorn and against the same database as the portal.

A hot page's requests per second are read against this page's, measured in the same run: on a
shared, noisy machine the ratio carries over where the absolute figure does not. Served with
DJANGO_SETTINGS_MODULE=devtools.floor; it imports nothing of the portal.
"""

import os

import dj_database_url
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
ROOT_URLCONF = __name__
# startproject's middleware, so that the floor is the framework as one gets it, not less.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
USE_TZ = True
LOGGING_CONFIG = None


def floor(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM org_township ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    name = escape(row[0]) if row else ""
    return HttpResponse(
        f'<!doctype html><html lang="zh-hans"><title>floor</title><p>{name}</p></html>'
    )


urlpatterns = [path("", floor)]
