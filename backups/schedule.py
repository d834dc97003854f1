"""Backup policies become django-celery-beat entries named after the cluster's id: `backups.scheduled_backup` on
the policy's crontab, and `backups.scheduled_drill` on its drill crontab when it has one. Kept in step by the
policy's save and delete signals, so the API, the admin and an import all schedule the same way."""
import json

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TASK, DRILL_TASK = "backups.scheduled_backup", "backups.scheduled_drill"


def task_name(cluster_id: int) -> str:
    return f"backup of cluster {cluster_id}"


def drill_task_name(cluster_id: int) -> str:
    return f"restore drill of cluster {cluster_id}"


def _entry(name: str, task: str, schedule: str, cluster_id: int, enabled: bool, description: str) -> PeriodicTask:
    minute, hour, day_of_month, month_of_year, day_of_week = schedule.split()
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
        day_of_week=day_of_week, timezone=settings.TIME_ZONE)
    entry, _ = PeriodicTask.objects.update_or_create(name=name, defaults={
        "task": task, "crontab": crontab, "interval": None, "args": json.dumps([cluster_id]), "enabled": enabled,
        "description": description})
    return entry


def sync(policy) -> PeriodicTask:
    cluster = policy.cluster
    if policy.drill_schedule:
        _entry(drill_task_name(cluster.pk), DRILL_TASK, policy.drill_schedule, cluster.pk, policy.enabled,
               f"restore drill of {cluster.name}")
    else:
        PeriodicTask.objects.filter(name=drill_task_name(cluster.pk)).delete()
    return _entry(task_name(cluster.pk), TASK, policy.schedule, cluster.pk, policy.enabled,
                  f"{policy.type} backup of {cluster.name}")


def remove(cluster_id: int) -> None:
    PeriodicTask.objects.filter(name__in=[task_name(cluster_id), drill_task_name(cluster_id)]).delete()


def on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        sync(instance)


def on_delete(sender, instance, **kwargs):
    remove(instance.cluster_id)
