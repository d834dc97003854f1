"""The Celery application: Redis broker, tasks acknowledged late, tasks found in every app; the worker's log
handlers redact secrets like the web's (rdsconsole.redact)."""
import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from rdsconsole.redact import RedactingFilter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdsconsole.settings")

app = Celery("rdsconsole")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_worker_logs(logger, **kwargs):
    for handler in logger.handlers:
        handler.addFilter(RedactingFilter())
