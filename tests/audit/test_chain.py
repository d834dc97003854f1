"""The change log is a hash chain: each entry's hash covers its content and the hash of the entry before it, the
chain head follows the last entry, an entry hashes the same after its round trip through the database, and
every entry carries the deployment its object belongs to."""
import pytest
from django.contrib.contenttypes.models import ContentType

from clusters import models
from clusters.changelog.chain import entry_hash
from clusters.changelog.context import change_context
from clusters.changelog.scope import deployment_id_by_lookup, deployment_id_of
from clusters.models import ChainHead, ObjectChange
from tests import factories

pytestmark = pytest.mark.django_db


def assert_chained(model):
    entries = list(model.objects.order_by("pk"))
    assert entries and entries[0].prev_hash == ""
    for before, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == before.hash
    for entry in entries:
        assert len(entry.hash) == 64 and entry.hash == entry.compute_hash()
    head = ChainHead.objects.get(chain=model._meta.label_lower)
    assert (head.last_id, head.last_hash) == (entries[-1].pk, entries[-1].hash)
    return entries


def test_creates_updates_and_deletes_are_chained_in_order():
    with change_context(source="cli"):
        dep = factories.deployment()
        dep.description = "production"
        dep.save()
        dep.delete()
    entries = assert_chained(ObjectChange)
    assert [entry.action for entry in entries] == ["create", "update", "delete"]
    assert entries[0].time <= entries[1].time <= entries[2].time


def test_the_hash_covers_every_immutable_field_and_the_previous_hash():
    with change_context(source="cli"):
        factories.deployment()
    entry = ObjectChange.objects.get()
    content = entry.chain_content()
    assert set(content) == {"time", "deployment_id", "user_name", "source", "request_id", "action", "object_type",
                            "object_id", "object_repr", "before", "after"}
    assert content["object_type"] == "clusters.deployment"
    for name in content:
        assert entry_hash({**content, name: "something else"}, entry.prev_hash) != entry.hash, name
    assert entry_hash(content, "0" * 64) != entry.hash


def test_an_entry_hashes_the_same_after_the_database_round_trip(admin_user):
    """jsonb reorders keys and spells big floats as integers; datetimes come back in UTC; all hash the same."""
    awkward = {"b": 1.0, "a": 1e20, "huge": 1.5e300, "tiny": 1.5e-7, "zero": -0.0, "nested": [0.1, {"z": 2, "y": "é"}],
               "quote": "'; DROP TABLE x; --", "uni": "日本\n\t\\", "none": None, "yes": True}
    written = ObjectChange.objects.create(
        user=admin_user, user_name="admin", source="api", request_id="6f1c2f5e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
        action="update", content_type=ContentType.objects.get_for_model(models.Deployment), object_id=1,
        object_repr="dep", before={"vars": awkward}, after={"vars": {**awkward, "b": 2}}, deployment_id=1)
    read_back = ObjectChange.objects.get(pk=written.pk)
    assert read_back.compute_hash() == written.hash


def test_a_deleted_user_leaves_the_chain_intact(django_user_model):
    user = django_user_model.objects.create_user("leaver", "l@example.com", "Pass-word-123")
    with change_context(user=user, source="ui"):
        factories.deployment()
    user.delete()
    entry = ObjectChange.objects.get()
    assert (entry.user, entry.user_name) == (None, "leaver")
    assert_chained(ObjectChange)


def test_every_entry_knows_its_deployment():
    dep = factories.deployment()
    cluster = factories.pg_cluster(dep)
    database = models.PGDatabase.objects.create(cluster=cluster, name="app")
    redis = factories.redis_cluster(dep)
    redis_node = factories.redis_node(redis)
    redis_instance = models.RedisInstance.objects.create(redis_node=redis_node, port=6379)
    credential = factories.credential()
    for obj in (dep, cluster, cluster.instances.get(), database, redis, redis_node, redis_instance, credential):
        kind = ContentType.objects.get_for_model(obj)
        expected = None if obj is credential else dep.pk
        assert ObjectChange.objects.get(content_type=kind, object_id=obj.pk).deployment_id == expected, obj
        assert deployment_id_of(obj) == expected
        assert deployment_id_by_lookup(type(obj), obj.pk) == expected


def test_deleting_a_deployment_logs_every_cascaded_delete_with_its_id():
    dep = factories.deployment()
    factories.pg_cluster(dep)
    dep_id = dep.pk
    dep.delete()
    deletes = ObjectChange.objects.filter(action="delete")
    assert deletes.count() >= 4  # deployment, node, cluster, instance
    assert set(deletes.values_list("deployment_id", flat=True)) == {dep_id}
    assert_chained(ObjectChange)
