"""rdsconsole: a self-hosted RDS control panel for PostgreSQL, Pigsty style."""
from .celery import app as celery_app

__all__ = ("celery_app",)
