"""Re-importing converges: the same inventory changes nothing; a changed one replaces the modeled content.
Every change an import makes is in the change log with source "import"."""
import pytest

from clusters.inventory import import_inventory
from clusters.models import ObjectChange, PGInstance

from .canonical import canonical
from .conftest import PIGSTY_CONF

pytestmark = pytest.mark.django_db


def test_an_import_is_change_logged_as_import(admin_user):
    deployment = import_inventory((PIGSTY_CONF / "ha" / "trio.yml").read_text(), "prod", user=admin_user).deployment
    changes = ObjectChange.objects.all()
    assert changes.count() > 0 and set(changes.values_list("source", flat=True)) == {"import"}
    assert set(changes.values_list("user_name", flat=True)) == {"admin"}
    logged = {(c.content_type.model, c.object_repr) for c in changes.filter(action="create")}
    assert {("deployment", "prod"), ("pgcluster", "pg-meta"), ("pginstance", "pg-meta-3"),
            ("etcdmember", "etcd-2"), ("miniouser", "pgbackrest")} <= logged
    user_change = changes.get(content_type__model="pguser", object_repr="pg-meta:dbuser_meta")
    assert user_change.after["password"] != "DBUser.Meta"
    assert deployment.pk == changes.get(content_type__model="deployment").object_id


@pytest.mark.parametrize("name", ["meta.yml", "ha/trio.yml", "demo/redis.yml"])
def test_importing_the_same_inventory_again_changes_nothing(name):
    text = (PIGSTY_CONF / name).read_text()
    deployment = import_inventory(text, "prod").deployment
    before, changes = canonical(deployment), ObjectChange.objects.count()
    result = import_inventory(text, "prod")
    assert canonical(result.deployment) == before
    assert ObjectChange.objects.count() == changes


def test_a_changed_inventory_replaces_the_modeled_content():
    text = (PIGSTY_CONF / "ha" / "trio.yml").read_text()
    deployment = import_inventory(text, "prod").deployment
    changed = (text.replace("10.10.10.12: { pg_seq: 3, pg_role: replica , pg_offline_query: true }", "")
               .replace("10.10.10.10: { pg_seq: 1, pg_role: primary }", "10.10.10.10: { pg_seq: 1, pg_role: replica }")
               .replace("10.10.10.11: { pg_seq: 2, pg_role: replica }", "10.10.10.11: { pg_seq: 2, pg_role: primary }")
               .replace("comment: read-only viewer for meta database", "comment: viewer"))
    import_inventory(changed, "prod")
    cluster = deployment.pg_clusters.get()
    assert {(i.pg_seq, i.pg_role) for i in cluster.instances.all()} == {(1, "replica"), (2, "primary")}
    assert cluster.users.get(name="dbuser_view").comment == "viewer"
    assert ObjectChange.objects.filter(action="delete", content_type__model="pginstance",
                                       object_repr="pg-meta-3").exists()
    assert not PGInstance.objects.filter(cluster=cluster, pg_seq=3).exists()

    fresh = import_inventory(changed, "fresh").deployment
    mine, theirs = canonical(deployment), canonical(fresh)
    mine["Deployment"].pop("secret_vars"), theirs["Deployment"].pop("secret_vars")
    assert mine == theirs


def test_groups_removed_from_the_inventory_are_deleted_with_their_nodes():
    deployment = import_inventory((PIGSTY_CONF / "demo" / "redis.yml").read_text(), "prod").deployment
    import_inventory((PIGSTY_CONF / "slim.yml").read_text(), "prod")
    assert not deployment.redis_clusters.exists() and not deployment.infra_nodes.exists()
    assert list(deployment.nodes.values_list("ip", flat=True)) == ["10.10.10.10"]
    assert deployment.pg_clusters.get().name == "pg-meta"
