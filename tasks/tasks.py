"""Celery tasks: run a job; poll clusters for failovers; fail jobs whose worker died (no heartbeat)."""
import logging
import os
import socket
from pathlib import Path
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from tasks.jobs.runner import execute, fail_orphan

STALE_AFTER = timedelta(seconds=60)
log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="tasks.run_job")
def run_job(job_id: int):
    job = execute(job_id)
    return {"job": job.pk, "status": job.status}


@shared_task(name="tasks.poll_clusters", ignore_result=True)
def poll_clusters():
    """Failover tracking (tasks.poller), at most one poll at a time: a beat tick that finds the previous poll
    still running is skipped."""
    import redis
    from django.conf import settings

    from tasks.poller import poll_clusters as poll

    lock = redis.Redis.from_url(settings.CELERY_BROKER_URL).lock("rdsconsole:poll-clusters",
                                                                 timeout=settings.POLL_INTERVAL * 6, blocking=False)
    if not lock.acquire():
        return {"skipped": "previous poll still running"}
    try:
        return poll()
    finally:
        try:
            lock.release()
        except redis.exceptions.LockNotOwnedError:
            log.warning("the poll outlasted its lock (%s s); another poll may have run meanwhile",
                        settings.POLL_INTERVAL * 6)


@shared_task(name="tasks.reap_orphaned_jobs")
def reap_orphaned_jobs():
    """Fail running jobs whose heartbeat stopped: their worker was killed or lost."""
    from tasks.models import Job

    stale = Job.objects.filter(status="running", heartbeat_at__lt=timezone.now() - STALE_AFTER)
    reaped = 0
    for job in stale:
        reaped += fail_orphan(job)
    return reaped


def pid_alive(pid: int) -> bool:
    """Whether a process runs with this PID; a zombie (killed, not yet reaped by its parent) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


@worker_ready.connect
def reap_on_start(sender=None, **kwargs):
    """A worker starting on a host fails the running jobs whose process on this host is gone."""
    from tasks.models import Job

    host = socket.gethostname()
    for job in Job.objects.filter(status="running", worker__startswith=f"{host}:"):
        pid = job.worker.rsplit(":", 1)[1]
        if pid.isdigit() and pid_alive(int(pid)):
            continue
        fail_orphan(job)
