"""Celery tasks of the backups app: the scheduled backup and restore drill a policy's beat entries run, and the
expiry of restore requests nobody approved in time."""
import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="backups.scheduled_backup", ignore_result=True)
def scheduled_backup(cluster_id: int):
    """Start the policy's backup job; a cluster that is busy with another job or not running is skipped (and
    logged), the next tick tries again."""
    from django.core.exceptions import ValidationError

    from backups.models import BackupPolicy
    from tasks.jobs import JobConflict, launch

    policy = BackupPolicy.objects.select_related("cluster").filter(cluster_id=cluster_id, enabled=True).first()
    if policy is None:
        return {"skipped": "no enabled backup policy"}
    try:
        job = launch("pgsql.backup", policy.cluster, params={"type": policy.type, "scheduled": True})
    except JobConflict as exc:
        log.warning("scheduled backup of %s skipped: %s", policy.cluster.name, exc)
        return {"skipped": str(exc)}
    except ValidationError as exc:
        log.warning("scheduled backup of %s skipped: %s", policy.cluster.name, exc.messages)
        return {"skipped": "; ".join(exc.messages)}
    return {"job": job.pk}


@shared_task(name="backups.scheduled_drill", ignore_result=True)
def scheduled_drill(cluster_id: int):
    """Start the policy's restore drill on its scratch node; skipped (and logged) when it cannot start."""
    from django.core.exceptions import ValidationError

    from backups.models import BackupPolicy
    from tasks.jobs import JobConflict, launch

    policy = BackupPolicy.objects.select_related("cluster").filter(
        cluster_id=cluster_id, enabled=True, drill_node__isnull=False).first()
    if policy is None:
        return {"skipped": "no enabled backup policy with a drill node"}
    try:
        job = launch("pgsql.restore_drill", policy.cluster, params={"node": policy.drill_node_id, "scheduled": True})
    except (JobConflict, ValidationError) as exc:
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        log.warning("restore drill of %s skipped: %s", policy.cluster.name, reason)
        return {"skipped": reason}
    return {"job": job.pk}


@shared_task(name="backups.expire_restore_requests", ignore_result=True)
def expire_restore_requests():
    """Pending restore requests past their expiry become expired (and their declared branch cluster goes)."""
    from backups.restores import expire_overdue

    return expire_overdue()
