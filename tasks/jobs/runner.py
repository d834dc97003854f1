"""Running a job in the worker: steps in order with progress, a masked log, and a clear failure
("step X failed on node Y: reason"); a job found already running was orphaned by a dead worker. Starting and
finishing are appended to the job history in the same transaction as the job's change."""
import os
import socket
import threading
import traceback
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from clusters.changelog.context import change_context
from rdsconsole.redact import redact

from tasks.ssh.errors import SSHError

from . import history
from .base import JobCancelled, JobContext, JobFailed, get_kind


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


HEARTBEAT_SECONDS = 10


@contextmanager
def heartbeat(job_id: int):
    """Touch the job's heartbeat every few seconds while it runs; it stops when the process dies."""
    from django.db import connection

    from tasks.models import Job

    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            Job.objects.filter(pk=job_id, status="running").update(heartbeat_at=timezone.now())
        connection.close()

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _finish(job, status, error="", result=None):
    from tasks.models import Job

    fields = {"status": status, "finished_at": timezone.now(), "error": error}
    if result is not None:
        fields["result"] = result
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(**fields)
        for key, value in fields.items():
            setattr(job, key, value)
        history.record(job, "finished")


def fail_orphan(job) -> bool:
    """Fail a running job whose worker is gone (the reaper found it); False when it is no longer running."""
    from tasks.models import Job

    with transaction.atomic():
        failed = Job.objects.filter(pk=job.pk, status="running").update(
            status="failed", finished_at=timezone.now(), error=orphan_reason(job))
        if failed:
            job.refresh_from_db()
            history.record(job, "finished")
    return bool(failed)


def orphan_reason(job) -> str:
    step = f"during step {job.step_index}/{job.step_count} '{job.step_name}'" if job.step_name else "before its first step"
    return (f"the worker running this job ({job.worker or 'unknown'}) stopped {step} (killed or crashed); "
            f"nothing was rolled back: run the job again to converge")


def describe(exc: Exception, node: str) -> str:
    """" on node N: reason" for an exception; SSH errors already say what failed, others add their type."""
    text = str(exc)
    if node and text.startswith(f"{node}: "):
        text = text[len(node) + 2:]
    if not isinstance(exc, (SSHError, TimeoutError)):
        text = f"{type(exc).__name__}: {text}"
    return f" on node {node}: {text}" if node else f": {text}"


def execute(job_id: int):
    from tasks.models import Job

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status == "running":
            job_orphaned = True
        elif job.status != "queued":
            return job
        else:
            job_orphaned = False
            if job.cancel_requested:
                job.status = "cancelled"
            else:
                job.status, job.started_at, job.worker = "running", timezone.now(), worker_id()
                job.heartbeat_at = job.started_at
            job.save(update_fields=["status", "started_at", "worker", "heartbeat_at"])
            if job.status == "running":
                history.record(job, "started")
    if job_orphaned:
        _finish(job, "failed", orphan_reason(job))
        return job
    if job.status == "cancelled":
        _finish(job, "cancelled", "cancelled before it started")
        return job

    try:
        kind = get_kind(job.kind)
        target = job.target
        ctx = JobContext(job, target, kind.secrets(target) if target is not None else [])
    except Exception as exc:  # noqa: BLE001  (a job that cannot even start must not stay "running")
        first_line = (str(exc).splitlines() or [""])[0]
        _finish(job, "failed", redact(f"the job could not start: {type(exc).__name__}: {first_line}"))
        return job
    step_name = ""
    try:
        with heartbeat(job.pk), change_context(user=job.requested_by, source="job"):
            steps = kind.steps(ctx)
            for index, step in enumerate(steps, start=1):
                ctx.check_cancelled()
                step_name = step.name
                ctx.set_progress(index, len(steps), step.name)
                ctx.log(f"step {index}/{len(steps)}: {step.name}")
                step.run(ctx)
        ctx.result["changed"] = ctx.changed
        summary = (f"{len(ctx.changed)} change(s)" if ctx.changed else "no change: everything was already as declared")
        ctx.result["summary"] = summary
        ctx.log(f"succeeded: {summary}")
        _finish(job, "succeeded", result=ctx.result)
    except JobCancelled:
        ctx.log("cancelled by request", level="warning")
        _finish(job, "cancelled", "cancelled by request", ctx.result)
    except JobFailed as exc:
        where = f" on node {exc.node}" if exc.node else ""
        message = ctx.mask(f"step '{step_name}' failed{where}: {exc.reason}")
        ctx.log(message, node=exc.node, level="error")
        _finish(job, "failed", message, ctx.result)
    except Exception as exc:
        node = str(getattr(exc, "node", "") or "")
        message = ctx.mask(f"step '{step_name}' failed{describe(exc, node)}")
        ctx.log(message, node=str(node or ""), level="error")
        ctx.log(ctx.mask(traceback.format_exc()), level="debug")
        _finish(job, "failed", message, ctx.result)
    return job
