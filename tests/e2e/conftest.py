"""End-to-end fixtures: the real path API → Django → Celery worker (separate process) → paramiko → sandbox nodes.

The worker reads the database itself, so these tests write committed rows (autocommit, no test transaction)
through `committed`; pytest orders every `e2e` test after the rest of the suite (tests/conftest.py), and the
session fixture removes what it committed when the session ends. One ETCD cluster and one `pg-test` cluster
(1 primary + 2 replicas on the 3 sandbox nodes) are built once per session and shared by every e2e test.
"""
import logging
import time
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from clusters import models
from tasks.models import Job
from tasks.sandbox.registry import register
from tests.audit.trail import wipe_audit_trail
from tests.fixtures_worker import artifacts_dir

JOB_TIMEOUT = 600
CLUSTER = "pg-test"
BUSINESS_USER, BUSINESS_PASSWORD, BUSINESS_DB = "dbuser_test", "Test-user-pass-1", "test"
LIMITED_USER, LIMITED_PASSWORD, LIMITED_DB = "dbuser_limited", "Limited-user-pass-2", "limited"


def wait_job(client: APIClient, job_id: int, timeout: float = JOB_TIMEOUT) -> dict:
    """Poll the jobs API until the job is no longer queued or running; its final representation."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/jobs/{job_id}/").data
        if body["status"] not in ("queued", "running"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} still {body['status']} after {timeout} s: {body['progress']}")


def job_log(client: APIClient, job_id: int) -> list[dict]:
    return client.get(f"/api/v1/jobs/{job_id}/log/").data["lines"]


def succeeded(client: APIClient, response) -> dict:
    assert response.status_code == 202, response.data
    job = wait_job(client, response.data["id"])
    assert job["status"] == "succeeded", f"job {job['id']} {job['status']}: {job['error']}"
    return job


@dataclass
class Provisioned:
    client: APIClient
    user: object
    deployment: models.Deployment
    nodes: list
    etcd_id: int
    cluster_id: int
    apply_job: dict
    etcd_job: dict
    extra: dict = field(default_factory=dict)

    @property
    def cluster(self) -> models.PGCluster:
        return models.PGCluster.objects.get(pk=self.cluster_id)

    def node(self, role: str = "primary"):
        """The node of the instance Patroni reports in `role` now (not the requested role)."""
        from tasks.operations.livestate import record_live_state
        record_live_state(self.cluster)
        return next(i.node for i in self.cluster.instances.select_related("node") if i.live_role == role)


@pytest.fixture(scope="session", autouse=True)
def server_log():
    """What this process (the API and console side: Django, DRF, the SSH layer) logs during the end-to-end
    session, at the configured level, in `server.log` next to the worker's log; the secrets scan reads both."""
    path = artifacts_dir() / "server.log"
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    yield path
    logging.getLogger().removeHandler(handler)
    handler.close()


@pytest.fixture
def committed(django_db_blocker):
    """Database access without a test transaction: what a test writes is committed, as the worker needs."""
    with django_db_blocker.unblock():
        yield


def cluster_spec(deployment, nodes) -> dict:
    return {
        "deployment": deployment.pk, "name": CLUSTER, "pg_rto": "fast",
        "instances": [{"ip": node.ip, "pg_seq": seq, "pg_role": "primary" if seq == 1 else "replica"}
                      for seq, node in enumerate(nodes, start=1)],
        "users": [
            {"name": BUSINESS_USER, "password": BUSINESS_PASSWORD, "roles": ["dbrole_readwrite"], "pgbouncer": True},
            {"name": LIMITED_USER, "password": LIMITED_PASSWORD},
        ],
        "databases": [{"name": BUSINESS_DB, "owner": BUSINESS_USER}, {"name": LIMITED_DB, "owner": LIMITED_USER}],
        "hba_rules": [{"user": LIMITED_USER, "db": LIMITED_DB, "addr": "intra", "auth": "pwd",
                       "title": "the limited user reaches its own database only"}],
    }


@pytest.fixture(scope="session")
def provisioned(sandbox, celery_worker_process, django_db_blocker):
    """ETCD on the 3 sandbox nodes, then pg-test on them, both built through the API and the real worker."""
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser("e2e-admin", "e2e@example.com", "e2e-Pass-word-1")
        client = APIClient()
        client.force_authenticate(user)
        deployment = register(sandbox)
        nodes = list(deployment.nodes.order_by("ip"))[:3]
        try:
            etcd = client.post("/api/v1/etcd-clusters/", {
                "deployment": deployment.pk, "name": "etcd",
                "members": [{"ip": node.ip, "etcd_seq": seq} for seq, node in enumerate(nodes, start=1)]},
                format="json")
            assert etcd.status_code == 201, etcd.data
            etcd_job = succeeded(client, client.post(f"/api/v1/etcd-clusters/{etcd.data['id']}/apply/"))
            cluster = client.post("/api/v1/clusters/", cluster_spec(deployment, nodes), format="json")
            assert cluster.status_code == 201, cluster.data
            apply_job = succeeded(client, client.post(f"/api/v1/clusters/{cluster.data['id']}/apply/"))
            yield Provisioned(client, user, deployment, nodes, etcd.data["id"], cluster.data["id"], apply_job,
                              etcd_job)
        finally:
            teardown(client, deployment, user)


def teardown(client, deployment, user):
    """Destroy the cluster on the nodes (through the API), then remove every row the session committed."""
    for cluster in models.PGCluster.objects.filter(deployment=deployment):
        response = client.post(f"/api/v1/clusters/{cluster.pk}/destroy/", {"confirm": cluster.name}, format="json")
        if response.status_code == 202:
            wait_job(client, response.data["id"])
    Job.objects.all().delete()
    models.PGCluster.objects.filter(deployment=deployment).delete()
    models.EtcdCluster.objects.filter(deployment=deployment).delete()
    credential_ids = list(deployment.nodes.values_list("credential", flat=True))
    deployment.delete()
    models.Credential.objects.filter(pk__in=credential_ids).delete()
    wipe_audit_trail()
    user.delete()
