"""The tasks app."""
from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from tasks import kinds  # noqa: F401  (registers every job kind with the API and the worker)
        from tasks.jobs import history

        history.connect()
