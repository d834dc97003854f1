"""Restart, reload, reinit, add and remove replica through the API: each a job on a running cluster, refused with
a 400 naming the field when it cannot apply (nothing saved, no job). The jobs run in tests/e2e."""
import pytest

from clusters import models
from tasks.models import Job
from tests import factories


def running_cluster():
    cluster = factories.pg_cluster(status="running")
    factories.pg_instance(cluster, pg_seq=2, pg_role="replica")
    factories.etcd_cluster(cluster.deployment)
    models.PGCluster.objects.filter(pk=cluster.pk).update(live_leader=f"{cluster.name}-1")
    cluster.refresh_from_db()
    return cluster


@pytest.mark.django_db
@pytest.mark.parametrize("path, body, params", [
    ("restart", {}, {}),
    ("restart", {"pending_only": True}, {"pending_only": True}),
    ("restart", {"instance": "{name}-2"}, {"instance": "{name}-2"}),
    ("reload", {}, {}),
    ("reinit", {"instance": "{name}-2"}, {"instance": "{name}-2"}),
])
def test_member_operations_start_their_job(api, path, body, params):
    cluster = running_cluster()
    fill = lambda d: {k: v.format(name=cluster.name) if isinstance(v, str) else v for k, v in d.items()}  # noqa: E731
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{path}/", fill(body), format="json")
    assert response.status_code == 202, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert job.kind == f"pgsql.{path}" and job.params == fill(params)


@pytest.mark.django_db
@pytest.mark.parametrize("path, body, field, text", [
    ("restart", {"instance": "pg-nope-9"}, "instance", "no instance named pg-nope-9"),
    ("reinit", {}, "instance", "This field is required"),
    ("reinit", {"instance": "{name}-1"}, "instance", "is the primary now"),
    ("remove-replica", {"instance": "{name}-1", "confirm": "{name}-1"}, "instance", "is the primary now"),
    ("remove-replica", {"instance": "{name}-2"}, "confirm", '"confirm": "{name}-2"'),
    ("add-replica", {"ip": "203.0.113.9"}, "ip", "no node 203.0.113.9"),
    ("add-replica", {"ip": "not-an-ip"}, "ip", "valid IPv4 or IPv6"),
])
def test_member_operations_that_cannot_apply_are_400(api, path, body, field, text):
    cluster = running_cluster()
    body = {k: v.format(name=cluster.name) for k, v in body.items()}
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{path}/", body, format="json")
    assert response.status_code == 400, response.data
    assert text.format(name=cluster.name) in " ".join(str(m) for m in response.data[field])
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_add_replica_declares_the_instance_with_its_job_or_not_at_all(api):
    cluster = running_cluster()
    free = factories.node(cluster.deployment)
    response = api.post(f"/api/v1/clusters/{cluster.pk}/add-replica/", {"ip": free.ip}, format="json")
    assert response.status_code == 202, response.data
    added = models.PGInstance.objects.get(cluster=cluster, node=free)
    assert added.pg_seq == 3 and added.pg_role == "replica"
    assert Job.objects.get(pk=response.data["id"]).params == {"instance": f"{cluster.name}-3"}

    other = factories.node(cluster.deployment)
    busy = api.post(f"/api/v1/clusters/{cluster.pk}/add-replica/", {"ip": other.ip}, format="json")
    assert busy.status_code == 409
    assert not models.PGInstance.objects.filter(node=other).exists()
    taken = api.post(f"/api/v1/clusters/{factories.pg_cluster(cluster.deployment, status='running').pk}"
                     f"/add-replica/", {"ip": free.ip}, format="json")
    assert taken.status_code in (400, 409) and not models.PGInstance.objects.filter(node=free).count() > 1


@pytest.mark.django_db
def test_operations_need_a_running_cluster(api):
    cluster = running_cluster()
    models.PGCluster.objects.filter(pk=cluster.pk).update(status="declared")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/restart/", {}, format="json")
    assert response.status_code == 400 and "needs a running cluster" in response.data["status"][0]
