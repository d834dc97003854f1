"""The backups app: backup policies (scheduled through django-celery-beat), the catalogue read from pgBackRest,
and their API."""
from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BackupsConfig(AppConfig):
    name = "backups"

    def ready(self):
        from . import schedule
        from .models import BackupPolicy

        post_save.connect(schedule.on_save, sender=BackupPolicy, dispatch_uid="backup_policy_schedule")
        post_delete.connect(schedule.on_delete, sender=BackupPolicy, dispatch_uid="backup_policy_unschedule")
