"""The audit_chain migrations chain what existed before them: change-log rows get hashes in id order and their
deployment (from the object, or from the snapshot once the object is gone), existing jobs get their history; the
result verifies."""
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from clusters.changelog.context import change_context
from clusters.changelog.verify import verify_chain
from clusters.models import ChainHead, ObjectChange
from tasks.models import Job, JobEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def historical_apps():
    """The models as the two audit_chain migrations see them."""
    state = MigrationExecutor(connection).loader.project_state(
        [("clusters", "0006_audit_chain"), ("tasks", "0003_audit_chain")])
    return state.apps


def forget_the_chain(statement: str, chain: str):
    """Back to before the migration (`statement` undoes what the chain added), without the chain head."""
    with connection.cursor() as cursor:
        cursor.execute(statement)
    ChainHead.objects.filter(chain=chain).delete()


def test_existing_change_log_rows_are_chained(historical_apps):
    migration = importlib.import_module("clusters.migrations.0006_audit_chain")
    with change_context(source="cli"):
        dep = factories.deployment()
        cluster = factories.pg_cluster(dep)
        instance = cluster.instances.get()
        instance_id = instance.pk
        instance.delete()
        credential = factories.credential()
    forget_the_chain("UPDATE clusters_objectchange SET hash = '', prev_hash = '', deployment_id = NULL",
                     "clusters.objectchange")

    migration.chain_existing_changes(historical_apps, None)

    report = verify_chain(ObjectChange, "change-log entries")
    assert (report.broken, report.verified) == (None, ObjectChange.objects.count())
    assert ObjectChange.objects.get(action="delete", object_id=instance_id,
                                    content_type__model="pginstance").deployment_id == dep.pk
    assert ObjectChange.objects.get(content_type__model="credential", object_id=credential.pk).deployment_id is None
    assert set(ObjectChange.objects.exclude(content_type__model="credential")
               .values_list("deployment_id", flat=True)) == {dep.pk}


def test_existing_jobs_get_their_history(historical_apps, admin_user):
    migration = importlib.import_module("tasks.migrations.0003_audit_chain")
    cluster = factories.pg_cluster()
    now = timezone.now()
    done = Job.objects.create(kind="pgsql.apply", content_type=ContentType.objects.get_for_model(cluster), object_id=cluster.pk,
                              target_repr=cluster.name, params={"ratio": 1.0}, requested_by=admin_user)
    Job.objects.filter(pk=done.pk).update(status="succeeded", started_at=now, finished_at=now, worker="w:1",
                                          result={"summary": "2 change(s)"})
    queued = Job.objects.create(kind="pgsql.backup")
    forget_the_chain("DELETE FROM tasks_jobevent", "tasks.jobevent")

    migration.backfill_job_history(historical_apps, None)

    assert [(e.job_id, e.event, e.status) for e in JobEvent.objects.order_by("pk")] == [
        (done.pk, "requested", "queued"), (done.pk, "started", "running"), (done.pk, "finished", "succeeded"),
        (queued.pk, "requested", "queued")]
    finished = JobEvent.objects.get(job_id=done.pk, event="finished")
    assert (finished.summary, finished.user_name, finished.deployment_id) == ("2 change(s)", "admin",
                                                                            cluster.deployment_id)
    report = verify_chain(JobEvent, "job-history entries")
    assert (report.broken, report.verified) == (None, 4)

