import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportportal.settings")

app = Celery("reportportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside the services that queue them (no tasks modules to discover).
app.conf.imports = (
    "org.audit",
    "org.services",
    "exports.jobs",
    "reports.similarity",
    "reports.services.imports",
    "reports.services.reminders",
)
