"""The job history: a JobEvent is appended when a job is requested (a post_save signal on its creation),
started, and finished (the runner, cancel and the orphan reaper), in the transaction that changes the job."""
from django.db.models.signals import post_save

from clusters.changelog.scope import deployment_id_of


def _deployment_id(job) -> int | None:
    """The job's deployment (set when it was launched), else its target's."""
    if job.deployment_id is not None:
        return job.deployment_id
    return deployment_id_of(job.target) if job.target is not None else None


def record(job, event: str):
    """Append `event` (requested, started or finished) of `job`, as the job stands now."""
    from tasks.models import JobEvent

    finished = event == "finished"
    result = job.result if isinstance(job.result, dict) else {}
    JobEvent.objects.create(
        job_id=job.pk,
        event=event,
        kind=job.kind,
        target_type=f"{job.content_type.app_label}.{job.content_type.model}" if job.content_type_id else "",
        target_id=job.object_id,
        target_repr=job.target_repr,
        user_name=job.requested_by.get_username() if job.requested_by_id else "",
        status=job.status,
        params=job.params if event == "requested" else None,
        worker=job.worker if event == "started" else "",
        error=job.error if finished else "",
        summary=str(result.get("summary", "")) if finished else "",
        deployment_id=_deployment_id(job),
    )


def record_requested(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(instance, "requested")


def connect():
    from tasks.models import Job

    post_save.connect(record_requested, sender=Job, dispatch_uid="job_history_requested")
