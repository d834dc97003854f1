"""Celery tasks: run a job; fail jobs whose worker died (no heartbeat)."""
import os
import socket
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from tasks.jobs.runner import execute, orphan_reason

STALE_AFTER = timedelta(seconds=60)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="tasks.run_job")
def run_job(job_id: int):
    job = execute(job_id)
    return {"job": job.pk, "status": job.status}


@shared_task(name="tasks.reap_orphaned_jobs")
def reap_orphaned_jobs():
    """Fail running jobs whose heartbeat stopped: their worker was killed or lost."""
    from tasks.models import Job

    stale = Job.objects.filter(status="running", heartbeat_at__lt=timezone.now() - STALE_AFTER)
    reaped = 0
    for job in stale:
        reaped += Job.objects.filter(pk=job.pk, status="running").update(
            status="failed", finished_at=timezone.now(), error=orphan_reason(job))
    return reaped


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@worker_ready.connect
def reap_on_start(sender=None, **kwargs):
    """A worker starting on a host fails the running jobs whose process on this host is gone."""
    from tasks.models import Job

    host = socket.gethostname()
    for job in Job.objects.filter(status="running", worker__startswith=f"{host}:"):
        pid = job.worker.rsplit(":", 1)[1]
        if pid.isdigit() and pid_alive(int(pid)):
            continue
        Job.objects.filter(pk=job.pk, status="running").update(
            status="failed", finished_at=timezone.now(), error=orphan_reason(job))
