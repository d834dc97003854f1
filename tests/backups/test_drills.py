"""Restore drills: the API refuses a drill it cannot run (naming the field), policies schedule drills in celery
beat only with a scratch node, and the last verified restore shows in the catalogue. The drill job itself runs
in tests/e2e/test_restores.py."""
import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from backups import schedule
from backups.catalog import parse_info
from backups.models import BackupPolicy, RestoreDrill
from backups.store import store
from backups.tasks import scheduled_drill
from tasks.models import Job
from tests import factories

from .info_sample import info

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster():
    cluster = factories.pg_cluster(status="running")
    factories.etcd_cluster(cluster.deployment)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name), {})
    return cluster


def drill(api, cluster, ip):
    return api.post(f"/api/v1/clusters/{cluster.pk}/restore-drill/", {"node": ip}, format="json")


def test_a_drill_starts_on_a_scratch_node_without_holding_the_cluster(api, cluster):
    scratch = factories.node(cluster.deployment)
    response = drill(api, cluster, scratch.ip)
    assert response.status_code == 202, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert (job.kind, job.params) == ("pgsql.restore_drill", {"node": scratch.pk})
    assert api.post(f"/api/v1/clusters/{cluster.pk}/backups/", {"type": "full"}, format="json").status_code == 202
    second = drill(api, cluster, factories.node(cluster.deployment).ip)
    assert second.status_code == 409 and second.data["running_job"] == job.pk


def test_a_drill_it_cannot_run_is_400_naming_the_field(api, cluster):
    member = cluster.instances.get().node
    assert "runs a PostgreSQL instance" in str(drill(api, cluster, member.ip).data["node"])
    assert "no node 10.99.9.9" in str(drill(api, cluster, "10.99.9.9").data["node"])
    elsewhere = factories.node()
    assert "no node" in str(drill(api, cluster, elsewhere.ip).data["node"])
    cluster.backups.all().delete()
    response = drill(api, cluster, factories.node(cluster.deployment).ip)
    assert response.status_code == 400 and "no backup" in str(response.data["cluster"])
    assert not Job.objects.exists()


def test_a_policy_schedules_its_drill_on_its_scratch_node(api, cluster):
    scratch = factories.node(cluster.deployment)
    response = api.post("/api/v1/backup-policies/", {"cluster": cluster.pk, "drill_schedule": "0 3 * * 6",
                                                     "drill_node": scratch.pk}, format="json")
    assert response.status_code == 201, response.data
    entry = PeriodicTask.objects.get(name=schedule.drill_task_name(cluster.pk))
    assert (entry.task, entry.crontab.day_of_week) == ("backups.scheduled_drill", "6")
    started = scheduled_drill(cluster.pk)
    assert Job.objects.get(pk=started["job"]).params == {"node": scratch.pk, "scheduled": True}
    api.patch(f"/api/v1/backup-policies/{response.data['id']}/", {"drill_schedule": ""}, format="json")
    assert not PeriodicTask.objects.filter(name=schedule.drill_task_name(cluster.pk)).exists()
    assert PeriodicTask.objects.filter(name=schedule.task_name(cluster.pk)).exists()


@pytest.mark.parametrize("drill_node, schedule_text, text", [
    (None, "0 3 * * 6", "needs the scratch node"),
    ("member", "", "runs a PostgreSQL instance"),
    ("elsewhere", "", "is not a node of"),
])
def test_a_policy_drill_without_a_usable_scratch_node_is_refused(api, cluster, drill_node, schedule_text, text):
    nodes = {None: None, "member": cluster.instances.get().node, "elsewhere": factories.node()}
    body = {"cluster": cluster.pk, "drill_schedule": schedule_text,
            "drill_node": nodes[drill_node].pk if nodes[drill_node] else None}
    response = api.post("/api/v1/backup-policies/", body, format="json")
    assert response.status_code == 400 and text in str(response.data["drill_node"]), response.data
    assert not BackupPolicy.objects.exists()


def test_the_last_verified_restore_is_in_the_catalogue(api, cluster):
    assert api.get(f"/api/v1/clusters/{cluster.pk}/backups/").data["last_verified_restore"] is None
    scratch = factories.node(cluster.deployment)
    RestoreDrill.objects.create(cluster=cluster, node=scratch, finished=timezone.now(), backup_label="20261125-100000F",
                                reached={"lsn": "0/5000100"}, seconds=4.2)
    shown = api.get(f"/api/v1/clusters/{cluster.pk}/backups/").data["last_verified_restore"]
    assert (shown["backup_label"], shown["node_ip"], shown["seconds"]) == ("20261125-100000F", scratch.ip, 4.2)
