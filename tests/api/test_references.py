"""Objects other objects depend on: a delete that would orphan something is a 409, never a 500, while deleting
a whole deployment removes everything in it; members can be moved to another node by IP."""
import pytest

from clusters import models
from tests import factories

pytestmark = pytest.mark.django_db


def test_node_running_an_instance_cannot_be_deleted(api):
    cluster = factories.pg_cluster()
    node = cluster.instances.get().node
    response = api.delete(f"/api/v1/nodes/{node.pk}/")
    assert response.status_code == 409
    assert "PGInstance.node" in response.json()["detail"]
    assert models.Node.objects.filter(pk=node.pk).exists()


def test_credential_in_use_cannot_be_deleted(api):
    cred = factories.credential()
    factories.node(credential=cred)
    response = api.delete(f"/api/v1/credentials/{cred.pk}/")
    assert response.status_code == 409
    assert "Node.credential" in response.json()["detail"]


def test_deleting_a_deployment_deletes_everything_in_it(api):
    dep = factories.deployment()
    cluster = factories.pg_cluster(dep)
    factories.etcd_cluster(dep, size=3)
    factories.redis_node(factories.redis_cluster(dep))
    assert api.delete(f"/api/v1/deployments/{dep.pk}/").status_code == 204
    for model in (models.Node, models.PGCluster, models.PGInstance, models.EtcdMember, models.RedisNode):
        assert not model.objects.exists(), model.__name__
    assert models.ObjectChange.objects.filter(action="delete", object_id=cluster.pk,
                                              content_type__model="pgcluster").exists()


def test_instance_moves_to_another_node_by_ip(api):
    cluster = factories.pg_cluster()
    instance = cluster.instances.get()
    target = factories.node(cluster.deployment)
    response = api.patch(f"/api/v1/instances/{instance.pk}/", {"ip": target.ip}, format="json")
    assert response.status_code == 200
    assert response.json()["node"] == target.pk
    instance.refresh_from_db()
    assert instance.node == target
    response = api.patch(f"/api/v1/instances/{instance.pk}/", {"ip": "192.0.2.1"}, format="json")
    assert response.status_code == 400 and "ip" in response.json()
