"""The job runner in-process: steps, progress, masked log, failure naming step and node, cancel, orphaned jobs,
and the one-active-job-per-target lock. Kinds here are test kinds; real kinds are tested end to end."""
import pytest
from django.core.exceptions import ValidationError
from unittest import mock

from clusters.models import Deployment
from tasks.jobs import JobConflict, JobFailed, JobKind, Step, launch, register
from tasks.jobs.runner import execute
from tasks.models import Job

SECRET = "hunter2-very-secret"


@register
class TwoSteps(JobKind):
    name = "test.two_steps"

    def validate(self, target, params):
        return {"size": "must be positive"} if params.get("size", 1) < 1 else {}

    def secrets(self, target):
        return [SECRET]

    def steps(self, ctx):
        def first(ctx):
            ctx.log(f"connecting with password {SECRET}", node="10.0.0.1")
            ctx.note_change("wrote /etc/patroni/patroni.yml", node="10.0.0.1")

        def second(ctx):
            if ctx.params.get("fail"):
                raise JobFailed("patroni did not become leader within 30 s", node="10.0.0.2")
            if ctx.params.get("crash"):
                raise RuntimeError(f"boom {SECRET}")
            ctx.result["answer"] = 42

        return [Step("write configs", first), Step("start patroni", second)]


@pytest.fixture
def deployment(db):
    return Deployment.objects.create(name="jobs")


@pytest.fixture
def no_enqueue():
    with mock.patch("tasks.tasks.run_job.delay") as delay:
        yield delay


def run(job):
    execute(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_success_records_progress_log_and_result(deployment, no_enqueue):
    job = launch("test.two_steps", deployment)
    assert no_enqueue.call_args.args == (job.pk,)
    job = run(job)
    assert job.status == "succeeded"
    assert job.progress == {"step": 2, "of": 2, "name": "start patroni"}
    assert job.result["answer"] == 42
    assert job.result["changed"] == ["10.0.0.1: wrote /etc/patroni/patroni.yml"]
    texts = [line.text for line in job.log_lines.order_by("seq")]
    assert texts[0] == "step 1/2: write configs"
    assert any("start patroni" in t for t in texts)
    assert all(SECRET not in t for t in texts)
    assert any("********" in t for t in texts)


@pytest.mark.django_db(transaction=True)
def test_failure_names_step_node_and_reason(deployment, no_enqueue):
    job = run(launch("test.two_steps", deployment, params={"fail": True}))
    assert job.status == "failed"
    assert job.error == ("step 'start patroni' failed on node 10.0.0.2: "
                         "patroni did not become leader within 30 s")
    assert job.log_lines.filter(level="error", node="10.0.0.2").exists()


@pytest.mark.django_db(transaction=True)
def test_unexpected_error_is_masked(deployment, no_enqueue):
    job = run(launch("test.two_steps", deployment, params={"crash": True}))
    assert job.status == "failed"
    assert "RuntimeError" in job.error and SECRET not in job.error
    assert not job.log_lines.filter(text__contains=SECRET).exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_that_cannot_start_fails_with_the_reason(deployment, no_enqueue):
    job = launch("test.two_steps", deployment)
    with mock.patch.object(TwoSteps, "secrets", side_effect=RuntimeError("column x does not exist\nLINE 1")):
        job = run(job)
    assert job.status == "failed" and job.finished_at
    assert job.error == "the job could not start: RuntimeError: column x does not exist"


@pytest.mark.django_db(transaction=True)
def test_bad_params_refused_before_any_job(deployment, no_enqueue):
    with pytest.raises(ValidationError) as exc:
        launch("test.two_steps", deployment, params={"size": 0})
    assert exc.value.message_dict == {"size": ["must be positive"]}
    assert Job.objects.count() == 0 and not no_enqueue.called


@pytest.mark.django_db(transaction=True)
def test_one_active_job_per_target(deployment, no_enqueue):
    first = launch("test.two_steps", deployment)
    with pytest.raises(JobConflict) as exc:
        launch("test.two_steps", deployment)
    assert exc.value.running_job.pk == first.pk
    run(first)
    second = launch("test.two_steps", deployment)
    assert second.status == "queued"


@pytest.mark.django_db(transaction=True)
def test_cancel_before_start(deployment, no_enqueue):
    job = launch("test.two_steps", deployment)
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert run(job).status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_redelivered_running_job_is_failed_as_orphan(deployment, no_enqueue):
    job = launch("test.two_steps", deployment)
    Job.objects.filter(pk=job.pk).update(status="running", worker="host:123", step_index=1, step_count=2,
                                         step_name="write configs")
    job = run(job)
    assert job.status == "failed"
    assert "stopped during step 1/2 'write configs'" in job.error and "run the job again" in job.error


@pytest.mark.django_db(transaction=True)
def test_reaper_fails_jobs_without_heartbeat(deployment, no_enqueue):
    from datetime import timedelta

    from django.utils import timezone

    from tasks.tasks import reap_orphaned_jobs

    job = launch("test.two_steps", deployment)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert reap_orphaned_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "stopped" in job.error


def test_a_zombie_worker_process_counts_as_dead():
    """A killed pool process stays a zombie until its parent reaps it; its job must still be reaped."""
    import os
    import subprocess
    import time
    from pathlib import Path

    from tasks.tasks import pid_alive

    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert pid_alive(os.getpid()) and not pid_alive(child.pid)
    child.wait()
    assert not pid_alive(child.pid)
