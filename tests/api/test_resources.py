"""The standard API checks (tests/api/base.py) for every route of clusters/api/views.py ROUTES."""
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from clusters import models
from clusters.api.views import ROUTES
from tests import factories

from .base import APIResourceTests, detail

_seq = itertools.count(1)  # values two consecutive create_data calls must not share


class TestDeployments(APIResourceTests):
    url = "/api/v1/deployments/"
    update_data = {"description": "production", "intra_cidrs": ["10.0.0.0/8"]}
    bad_input = {"intra_cidrs": ["10.0.0.0/33"]}

    def create_data(self):
        return {"name": factories.unique("dep"), "description": "an environment"}


class TestCredentials(APIResourceTests):
    url = "/api/v1/credentials/"
    update_data = {"username": "admin"}
    filters = {"name": "name", "username": "username"}
    bad_input = {"kind": "telepathy"}

    def create_data(self):
        return {"name": factories.unique("cred"), "kind": "password", "username": factories.unique("user"),
                "secret": "correct horse battery staple"}


class TestNodes(APIResourceTests):
    url = "/api/v1/nodes/"
    update_data = {"hostname": "renamed", "ssh_port": 2222}
    filters = {"ip": "ip", "hostname__icontains": "hostname", "deployment": "deployment",
               "deployment__name": "deployment_name"}
    bad_input = {"ip": "10.0.0.300"}

    def create_data(self):
        return {"deployment": factories.deployment().pk, "ip": factories.ip(), "hostname": factories.unique("node")}


class TestInfraNodes(APIResourceTests):
    url = "/api/v1/infra-nodes/"
    update_data = {"infra_seq": 7}
    filters = {"name": "name", "deployment": "deployment"}
    bad_input = {"infra_seq": 0}

    def create_data(self):
        node = factories.node()
        return {"deployment": node.deployment_id, "node": node.pk, "infra_seq": next(_seq)}


class TestClusters(APIResourceTests):
    url = "/api/v1/clusters/"
    update_data = {"pg_rto": "fast", "pg_rpo": 0, "pg_conf": "crit"}
    filters = {"name": "name", "name__icontains": "name", "deployment": "deployment",
               "deployment__name": "deployment_name"}
    bad_input = {"name": "pg.test"}

    def create_data(self):
        node = factories.node()
        return {"deployment": node.deployment_id, "name": factories.unique("pg"),
                "instances": [{"ip": node.ip, "pg_seq": 1, "pg_role": "primary"}]}


class TestInstances(APIResourceTests):
    url = "/api/v1/instances/"
    update_data = {"pg_role": "offline", "pg_offline_query": True}
    filters = {"name": "name", "cluster": "cluster", "node": "node"}
    bad_input = {"pg_seq": 0}

    def create_data(self):
        cluster = factories.pg_cluster()
        return {"cluster": cluster.pk, "ip": factories.node(cluster.deployment).ip, "pg_seq": 2,
                "pg_role": "replica"}


class TestDatabases(APIResourceTests):
    url = "/api/v1/databases/"
    update_data = {"comment": "business data", "extensions": [{"name": "postgis"}]}
    filters = {"name": "name", "cluster": "cluster", "owner": "owner"}
    bad_input = {"owner": "bad owner"}

    def create_data(self):
        return {"cluster": factories.pg_cluster().pk, "name": factories.identifier("db"),
                "owner": factories.identifier("dbuser")}


class TestUsers(APIResourceTests):
    url = "/api/v1/users/"
    update_data = {"comment": "business user", "roles": ["dbrole_readwrite"]}
    filters = {"name": "name", "cluster": "cluster"}
    bad_input = {"name": "dbuser-meta"}

    def create_data(self):
        return {"cluster": factories.pg_cluster().pk, "name": factories.identifier("dbuser"),
                "password": "a-long-business-password"}


class TestHBARules(APIResourceTests):
    url = "/api/v1/hba-rules/"
    update_data = {"addr": "10.1.0.0/16", "auth": "ssl"}
    filters = {"title__icontains": "title", "cluster": "cluster", "deployment": "deployment"}
    bad_input = {"addr": "10.1.0.0/99"}
    unique = False

    def create_data(self):
        return {"cluster": factories.pg_cluster().pk, "user": "dbuser_meta", "db": "meta", "addr": "intra",
                "auth": "pwd", "title": factories.unique("allow meta from intranet")}


class TestCustomServices(APIResourceTests):
    url = "/api/v1/custom-services/"
    update_data = {"port": 5440, "check": "/replica"}
    filters = {"name": "name", "cluster": "cluster"}
    bad_input = {"port": 5433}

    def create_data(self):
        return {"cluster": factories.pg_cluster().pk, "name": factories.unique("standby"), "port": 5435,
                "dest": "postgres", "check": "/sync"}


class TestEtcdClusters(APIResourceTests):
    url = "/api/v1/etcd-clusters/"
    update_data = {"vars": {"etcd_safeguard": True}}
    filters = {"name": "name", "deployment": "deployment"}
    bad_input = {"name": "etcd.main"}

    def create_data(self):
        dep = factories.deployment()
        members = [{"ip": factories.node(dep).ip, "etcd_seq": seq} for seq in (1, 2, 3)]
        return {"deployment": dep.pk, "name": factories.unique("etcd"), "members": members}


class TestMinioClusters(APIResourceTests):
    url = "/api/v1/minio-clusters/"
    update_data = {"vars": {"minio_buckets": [{"name": "pgsql"}]}}
    filters = {"name": "name", "deployment": "deployment"}
    bad_input = {"name": "-minio"}

    def create_data(self):
        node = factories.node()
        return {"deployment": node.deployment_id, "name": factories.unique("minio"),
                "members": [{"ip": node.ip, "minio_seq": 1}], "buckets": [{"name": "pgsql"}],
                "users": [{"access_key": "pgbackrest", "secret_key": "a-long-backup-secret", "policy": "readwrite"}]}


class TestRedisClusters(APIResourceTests):
    url = "/api/v1/redis-clusters/"
    update_data = {"vars": {"redis_max_memory": "64MB"}}
    filters = {"name": "name", "redis_mode": "redis_mode", "deployment": "deployment"}
    bad_input = {"redis_mode": "swarm"}

    def create_data(self):
        node = factories.node()
        return {"deployment": node.deployment_id, "name": factories.unique("redis"),
                "redis_mode": "cluster" if next(_seq) % 2 else "standalone",
                "redis_nodes": [{"ip": node.ip, "redis_node": 1,
                                 "instances": [{"port": 6379}, {"port": 6380, "replica_of": f"{node.ip} 6379"}]}]}


@pytest.mark.django_db
class TestChanges:
    """The change log is read-only: list, read, filter, authentication, and no writes."""

    url = "/api/v1/changes/"

    def test_list_read_and_filter(self, api):
        dep = api.post("/api/v1/deployments/", {"name": factories.unique("dep")}, format="json").json()
        body = api.get(self.url, {"object_type": "clusters.deployment", "object_id": dep["id"]}).json()
        assert body["count"] == 1
        change = body["results"][0]
        assert (change["action"], change["object_id"]) == ("create", dep["id"])
        assert api.get(detail(self.url, change["id"])).json() == change
        assert api.get(self.url, {"object_id": dep["id"], "until": timezone.now().replace(year=2000).isoformat()}
                       ).json()["count"] == 0

    def test_unauthenticated(self, api):
        for client in (APIClient(), APIClient(HTTP_AUTHORIZATION="Token nope")):
            assert client.get(self.url).status_code == 401

    def test_writes_are_refused(self, api):
        factories.deployment()
        change = api.get(self.url).json()["results"][0]
        assert api.post(self.url, {"action": "create"}, format="json").status_code == 405
        assert api.patch(detail(self.url, change["id"]), {"action": "delete"}, format="json").status_code == 405
        assert api.delete(detail(self.url, change["id"])).status_code == 405


@pytest.mark.django_db
class TestClusterEvents:
    """Cluster events are observations: list, read, filter by cluster, kind and time, authentication, no writes."""

    url = "/api/v1/cluster-events/"

    def test_list_read_filter_and_no_writes(self, api):
        cluster, other = factories.pg_cluster(), factories.pg_cluster()
        event = models.ClusterEvent.objects.create(cluster=cluster, kind="failover", message="failover: a → b")
        models.ClusterEvent.objects.create(cluster=other, kind="switchover", message="switchover: c → d")
        body = api.get(self.url, {"cluster": cluster.pk}).json()
        assert body["count"] == 1 and body["results"][0]["cluster_name"] == cluster.name
        assert api.get(detail(self.url, event.pk)).json()["message"] == "failover: a → b"
        assert api.get(self.url, {"kind": "switchover"}).json()["count"] == 1
        assert api.get(self.url, {"since": timezone.now().replace(year=2100).isoformat()}).json()["count"] == 0
        assert api.get(f"/api/v1/clusters/{other.pk}/events/").json()["results"][0]["kind"] == "switchover"
        assert api.post(self.url, {"cluster": cluster.pk, "kind": "failover"}, format="json").status_code == 405
        assert api.delete(detail(self.url, event.pk)).status_code == 405
        assert APIClient().get(self.url).status_code == 401


@pytest.mark.django_db
class TestAuthEvents:
    """Sign-ins are an append-only record: list, read, filter by username, action and time, no writes."""

    url = "/api/v1/auth-events/"

    def test_list_read_filter_and_no_writes(self, api, client, admin_user):
        client.post("/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="192.0.2.7")
        client.post("/login/", {"username": "admin", "password": "s3cret-Pass-word"}, REMOTE_ADDR="192.0.2.8")
        body = api.get(self.url, {"username": "admin", "action": "login_failed"}).json()
        assert body["count"] == 1
        event = body["results"][0]
        assert (event["ip"], event["source"], len(event["hash"])) == ("192.0.2.7", "ui", 64)
        assert api.get(detail(self.url, event["id"])).json() == event
        assert api.get(self.url, {"action": "login", "ip": "192.0.2.8"}).json()["count"] == 1
        assert api.get(self.url, {"since": timezone.now().replace(year=2100).isoformat()}).json()["count"] == 0
        assert api.get(self.url, {"action": "sudo"}).status_code == 400
        assert api.post(self.url, {"action": "login"}, format="json").status_code == 405
        assert api.delete(detail(self.url, event["id"])).status_code == 405
        assert APIClient().get(self.url).status_code == 401


@pytest.mark.django_db
class TestJobEvents:
    """The job history is an append-only record: list, read, filter by job, event and time, no writes."""

    url = "/api/v1/job-events/"

    def test_list_read_filter_and_no_writes(self, api, admin_user):
        from tasks.models import Job

        cluster = factories.pg_cluster()
        job = Job.objects.create(kind="pgsql.apply", content_type=ContentType.objects.get_for_model(cluster),
                                 object_id=cluster.pk, target_repr=cluster.name, requested_by=admin_user)
        Job.objects.create(kind="pgsql.backup")
        body = api.get(self.url, {"job": job.pk}).json()
        assert body["count"] == 1
        event = body["results"][0]
        assert (event["event"], event["kind"], event["user_name"], event["target_type"], event["deployment_id"]) == (
            "requested", "pgsql.apply", "admin", "clusters.pgcluster", cluster.deployment_id)
        assert api.get(detail(self.url, event["id"])).json() == event
        assert api.get(self.url, {"kind": "pgsql.backup"}).json()["count"] == 1
        assert api.get(self.url, {"until": timezone.now().replace(year=2000).isoformat()}).json()["count"] == 0
        assert api.post(self.url, {"event": "finished"}, format="json").status_code == 405
        assert api.delete(detail(self.url, event["id"])).status_code == 405
        assert APIClient().get(self.url).status_code == 401


def test_every_route_is_covered():
    covered = {cls.url for cls in APIResourceTests.__subclasses__()} | {
        TestChanges.url, TestClusterEvents.url, TestAuthEvents.url, TestJobEvents.url}
    assert covered == {f"/api/v1/{prefix}/" for prefix, _ in ROUTES}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix, viewset", ROUTES, ids=[prefix for prefix, _ in ROUTES])
def test_filters_with_wrong_values_never_crash(api, prefix, viewset):
    """Every filter of every route, given a value of the wrong kind: 200 or a 400 naming the filter."""
    for name in viewset.filterset_class.base_filters:
        for garbage in ("x'; --", "-1", "9" * 20, "1.5", "a.b.c", "\x00"):
            response = api.get(f"/api/v1/{prefix}/", {name: garbage})
            assert response.status_code in (200, 400), (name, garbage)
            if response.status_code == 400:
                assert name in response.json(), (name, garbage, response.json())
