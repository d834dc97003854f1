"""The job history: a job requested, started and finished leaves three chained JobEvent entries (kind, target,
params as stored and who asked; the worker; final status, error and summary), whichever way it ends — success,
failure, cancel before it starts, or failed by the orphan reaper — with the target's deployment."""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from clusters.changelog.verify import verify_chain
from clusters.models import Deployment
from tasks.jobs import JobFailed, JobKind, Step, cancel, launch, register
from tasks.jobs.runner import execute
from tasks.models import Job, JobEvent
from tasks.tasks import reap_orphaned_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@register
class Audited(JobKind):
    name = "test.audited"

    def steps(self, ctx):
        def work(ctx):
            if ctx.params.get("fail"):
                raise JobFailed("the disk is full", node="10.0.0.9")
            if ctx.params.get("drop_target"):
                ctx.target.delete()
            ctx.note_change("did the work")

        return [Step("work", work)]


@pytest.fixture
def deployment():
    return Deployment.objects.create(name="audited")


@pytest.fixture(autouse=True)
def no_enqueue():
    with mock.patch("tasks.tasks.run_job.delay"):
        yield


def history(job) -> list[JobEvent]:
    return list(JobEvent.objects.filter(job_id=job.pk).order_by("pk"))


def assert_chain_intact():
    report = verify_chain(JobEvent, "job-history entries")
    assert report.broken is None and report.verified == JobEvent.objects.count()


def test_a_successful_job_is_requested_started_and_finished(deployment, admin_user):
    job = launch("test.audited", deployment, user=admin_user, params={"size": 3})
    execute(job.pk)
    requested, started, finished = history(job)
    assert (requested.event, requested.kind, requested.target_type, requested.target_id, requested.target_repr,
            requested.user_name, requested.status, requested.params) == (
        "requested", "test.audited", "clusters.deployment", deployment.pk, "audited", "admin", "queued",
        {"size": 3})
    assert (started.event, started.status, started.params) == ("started", "running", None)
    assert started.worker == Job.objects.get(pk=job.pk).worker != ""
    assert (finished.event, finished.status, finished.error, finished.summary) == (
        "finished", "succeeded", "", "1 change(s)")
    assert {entry.deployment_id for entry in (requested, started, finished)} == {deployment.pk}
    assert_chain_intact()


def test_a_failed_job_finishes_with_its_error(deployment):
    job = launch("test.audited", deployment, params={"fail": True})
    execute(job.pk)
    finished = history(job)[-1]
    assert (finished.event, finished.status, finished.user_name) == ("finished", "failed", "")
    assert finished.error == "step 'work' failed on node 10.0.0.9: the disk is full"
    assert_chain_intact()


def test_a_job_cancelled_before_it_starts_finishes_at_once(deployment):
    job = launch("test.audited", deployment)
    assert cancel(job)
    assert [(entry.event, entry.status) for entry in history(job)] == [("requested", "queued"),
                                                                        ("finished", "cancelled")]
    assert history(job)[-1].error == "cancelled before it started"
    execute(job.pk)  # the queued task still arrives; nothing more happens
    assert len(history(job)) == 2
    assert_chain_intact()


def test_a_running_job_failed_by_the_reaper_finishes(deployment):
    job = launch("test.audited", deployment)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert reap_orphaned_jobs() == 1
    finished = history(job)[-1]
    assert (finished.event, finished.status) == ("finished", "failed") and "stopped" in finished.error
    assert reap_orphaned_jobs() == 0 and len(history(job)) == 2
    assert_chain_intact()


def test_a_job_whose_target_is_gone_keeps_the_deployment_its_request_recorded(deployment):
    job = launch("test.audited", deployment, params={"drop_target": True})
    execute(job.pk)
    assert not Deployment.objects.filter(pk=deployment.pk).exists()
    assert [entry.deployment_id for entry in history(job)] == [deployment.pk] * 3
    assert history(job)[-1].status == "succeeded"


def test_deleting_a_job_leaves_its_history(deployment):
    job = launch("test.audited", deployment)
    execute(job.pk)
    Job.objects.filter(pk=job.pk).delete()
    assert len(history(job)) == 3
    assert_chain_intact()
