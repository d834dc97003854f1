"""Backup policies become django-celery-beat entries: one PeriodicTask per cluster, named after the cluster's id,
running `backups.scheduled_backup` on the policy's crontab. Kept in step by the policy's save and delete signals,
so the API, the admin and an import all schedule the same way."""
import json

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TASK = "backups.scheduled_backup"


def task_name(cluster_id: int) -> str:
    return f"backup of cluster {cluster_id}"


def sync(policy) -> PeriodicTask:
    minute, hour, day_of_month, month_of_year, day_of_week = policy.schedule.split()
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
        day_of_week=day_of_week, timezone=settings.TIME_ZONE)
    task, _ = PeriodicTask.objects.update_or_create(name=task_name(policy.cluster_id), defaults={
        "task": TASK, "crontab": crontab, "interval": None, "args": json.dumps([policy.cluster_id]),
        "enabled": policy.enabled, "description": f"{policy.type} backup of {policy.cluster.name}"})
    return task


def remove(cluster_id: int) -> None:
    PeriodicTask.objects.filter(name=task_name(cluster_id)).delete()


def on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        sync(instance)


def on_delete(sender, instance, **kwargs):
    remove(instance.cluster_id)
