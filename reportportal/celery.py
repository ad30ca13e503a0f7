import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportportal.settings")

app = Celery("reportportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
