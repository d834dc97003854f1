"""The Celery application: Redis broker, tasks acknowledged late, tasks found in every app."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdsconsole.settings")

app = Celery("rdsconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
