"""Starting a job: check the user's role (the same check for API, console and anything else that starts one;
scheduled jobs have no user), validate (a refused job never reaches Celery), take the target's lock, enqueue."""
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clusters.access.scope import deployment_id_of, path_of, require

from .base import get_kind


class JobConflict(Exception):
    """Another mutating job on the same target is queued or running."""

    def __init__(self, running_job):
        super().__init__(f"job #{running_job.pk} ({running_job.kind}) is {running_job.status} on "
                         f"{running_job.target_repr}; wait for it or cancel it")
        self.running_job = running_job


def launch(kind_name: str, target=None, *, user=None, params=None):
    """Create and enqueue a job; raises PermissionDenied (the user's role does not allow it), ValidationError
    (bad request) or JobConflict (target busy)."""
    from tasks.models import Job
    from tasks.tasks import run_job

    kind = get_kind(kind_name)
    deployment_id = deployment_id_of(target) if target is not None and path_of(type(target)) is not None else None
    if user is not None:
        require(user, kind.capability, deployment_id)
    params = dict(params or {})
    errors = kind.validate(target, params)
    if errors:
        raise ValidationError(errors)
    lock_key = kind.lock_key(target)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind.name,
                content_type=ContentType.objects.get_for_model(type(target)) if target is not None else None,
                object_id=target.pk if target is not None else None,
                target_repr=str(target)[:200] if target is not None else "",
                deployment_id=deployment_id,
                lock_key=lock_key,
                params=params,
                requested_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        running = Job.objects.filter(lock_key=lock_key, status__in=("queued", "running")).first()
        if running is None:
            raise
        raise JobConflict(running) from None
    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def cancel(job) -> bool:
    """Ask a job to stop: a queued one is cancelled at once (and its history says it finished), a running one
    stops before its next step. False when it has already ended."""
    from django.utils import timezone

    from tasks.models import Job

    from . import history

    if not job.active:
        return False
    with transaction.atomic():
        cancelled = Job.objects.filter(pk=job.pk, status="queued").update(
            status="cancelled", finished_at=timezone.now(), error="cancelled before it started", cancel_requested=True)
        Job.objects.filter(pk=job.pk, status="running").update(cancel_requested=True)
        job.refresh_from_db()
        if cancelled:
            history.record(job, "finished")
    return True
