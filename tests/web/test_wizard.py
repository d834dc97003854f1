"""The create-cluster wizard: only free nodes offered, the API's rules checked as you type (htmx fragment with
the errors and the connection strings the cluster will have), and Create saving the cluster and starting its
apply job — or, refused, showing why with nothing saved."""
import pytest

from clusters.models import PGCluster
from tasks.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def deployment():
    dep = factories.deployment()
    factories.etcd_cluster(dep)
    return dep


def body(dep, nodes, **extra):
    form = {"deployment": dep.pk, "name": "pg-web", "pg_version": "15", "pg_rto": "fast", "pg_rpo": "1048576",
            "pg_conf": "oltp", "database": "app", "user": "dbuser_app", "password": "App-pass-word-1"}
    form.update({f"role_{n.ip}": role for n, role in zip(nodes, ("primary", "replica", "offline"))})
    form.update(extra)
    return form


def test_only_free_nodes_are_offered_with_the_rto_bounds(web, deployment):
    used = factories.pg_cluster(deployment).instances.get().node
    free = factories.node(deployment)
    page = web.get(f"/clusters/new/?deployment={deployment.pk}").content.decode()
    assert f'name="role_{free.ip}"' in page and f'name="role_{used.ip}"' not in page
    assert "failover in 16–29 s" in page and "failover in 27–41 s" in page


def test_typing_gets_the_errors_and_the_connection_strings(web, deployment):
    nodes = [factories.node(deployment) for _ in range(3)]
    fragment = web.post("/clusters/new/", body(deployment, nodes, name="Bad Name"), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text and "name" in text and "Fix before creating" in text
    ok = web.post("/clusters/new/", body(deployment, nodes), HTTP_HX_REQUEST="true").content.decode()
    assert "Fix before creating" not in ok
    assert f"postgres://dbuser_app@{nodes[0].ip}:5433,{nodes[1].ip}:5433,{nodes[2].ip}:5433/app" in ok
    assert "pg-web-replica" in ok
    two = web.post("/clusters/new/", body(deployment, nodes, **{f"role_{nodes[1].ip}": "primary"}),
                   HTTP_HX_REQUEST="true").content.decode()
    assert "exactly one primary" in two
    assert not PGCluster.objects.filter(name="pg-web").exists(), "checking as you type saves nothing"


def test_create_saves_the_cluster_and_starts_its_apply_job(web, deployment):
    nodes = [factories.node(deployment) for _ in range(3)]
    response = web.post("/clusters/new/", body(deployment, nodes))
    cluster = PGCluster.objects.get(name="pg-web")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.object_id) == ("pgsql.apply", cluster.pk)
    roles = [(i.pg_role, i.pg_offline_query) for i in cluster.instances.order_by("pg_seq")]
    assert roles == [("primary", False), ("replica", False), ("replica", True)]
    assert (cluster.pg_rto, cluster.users.get().name, cluster.databases.get().owner) == ("fast", "dbuser_app",
                                                                                       "dbuser_app")


@pytest.mark.parametrize("change, text", [
    ({"name": ""}, "This field may not be blank"),
    ({"pg_rpo": "-5"}, "greater than or equal to 0"),
    ({"pg_rto": "turbo"}, "turbo"),
    ({"password": "DBUser.DBA"}, "well-known default password"),
])
def test_a_refused_create_shows_why_and_saves_nothing(web, deployment, change, text):
    nodes = [factories.node(deployment) for _ in range(2)]
    response = web.post("/clusters/new/", body(deployment, nodes, **change))
    assert response.status_code == 400 and text in response.content.decode()
    assert not PGCluster.objects.filter(deployment=deployment).exists() and not Job.objects.exists()


def test_without_an_etcd_cluster_the_apply_is_refused_and_nothing_saved(web):
    bare = factories.deployment()
    nodes = [factories.node(bare)]
    response = web.post("/clusters/new/", body(bare, nodes))
    assert response.status_code == 400 and not PGCluster.objects.filter(deployment=bare).exists()


def test_errors_appear_next_to_their_field_on_create(web, deployment):
    nodes = [factories.node(deployment) for _ in range(2)]
    page = web.post("/clusters/new/", body(deployment, nodes, name="Bad Name")).content.decode()
    after_name = page.split('name="name"')[1].split("<fieldset")[0]
    assert "field-errors" in after_name
