"""The cluster page's operation buttons: each starts the job the API would (then shows the job), a refusal shows
the page again with the reason next to that form and starts nothing, a busy cluster names the job holding it,
and destructive ones need the name typed again."""
import pytest

from clusters.models import PGInstance
from tasks.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


def running_cluster():
    cluster = factories.pg_cluster(status="running")
    factories.pg_instance(cluster, pg_seq=2, pg_role="replica")
    factories.etcd_cluster(cluster.deployment)
    return cluster


def do(web, cluster, action, **form):
    return web.post(f"/clusters/{cluster.pk}/do/{action}/", form)


@pytest.mark.parametrize("action, form, kind, params", [
    ("apply", {}, "pgsql.apply", {}),
    ("backup", {"type": "full"}, "pgsql.backup", {"type": "full"}),
    ("restart", {"instance": "", "pending_only": "1"}, "pgsql.restart", {"pending_only": True}),
    ("reload", {"instance": ""}, "pgsql.reload", {}),
    ("hba-apply", {}, "pgsql.configure", {"changed": ["hba_rules"]}),
])
def test_an_operation_starts_its_job_and_shows_it(web, action, form, kind, params):
    cluster = running_cluster()
    response = do(web, cluster, action, **form)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.params) == (kind, params)


def test_the_page_offers_every_operation(web):
    cluster = running_cluster()
    page = web.get(f"/clusters/{cluster.pk}/").content.decode()
    for action in ("apply", "switchover", "backup", "configure", "hba-apply", "restart", "reload", "reinit",
                   "add-replica", "restore-drill", "remove-replica", "destroy"):
        assert f'action="/clusters/{cluster.pk}/do/{action}/"' in page, action


def test_destroy_without_the_typed_name_is_refused_next_to_its_form(web):
    cluster = running_cluster()
    response = do(web, cluster, "destroy", confirm="pg-wrong")
    assert response.status_code == 400 and not Job.objects.exists()
    page = response.content.decode()
    form = page.split(f'action="/clusters/{cluster.pk}/do/destroy/"')[1].split("</form>")[0]
    assert "type the cluster name to confirm" in form


def test_a_bad_rto_mode_is_refused_and_not_saved(web):
    cluster = running_cluster()
    response = do(web, cluster, "configure", pg_rto="turbo")
    assert response.status_code == 400 and "turbo" in response.content.decode()
    cluster.refresh_from_db()
    assert cluster.pg_rto == "norm" and not Job.objects.exists()


def test_adding_a_replica_declares_it_with_its_job_or_not_at_all(web):
    cluster = running_cluster()
    free = factories.node(cluster.deployment)
    response = do(web, cluster, "add-replica", ip=free.ip)
    assert response.status_code == 302
    assert PGInstance.objects.filter(cluster=cluster, node=free, pg_seq=3).exists()
    busy = do(web, cluster, "add-replica", ip=factories.node(cluster.deployment).ip)
    assert busy.status_code == 409 and "is busy" in busy.content.decode()
    assert cluster.instances.count() == 3, "the refused replica is not declared"


def test_a_busy_cluster_names_the_job_holding_it(web):
    cluster = running_cluster()
    first = do(web, cluster, "apply")
    job = Job.objects.get()
    response = do(web, cluster, "backup", type="full")
    assert response.status_code == 409 and f'href="/jobs/{job.pk}/"' in response.content.decode()
    assert first.status_code == 302 and Job.objects.count() == 1


def test_an_unknown_operation_is_404_and_get_is_not_allowed(web):
    cluster = running_cluster()
    assert do(web, cluster, "explode").status_code == 404
    assert web.get(f"/clusters/{cluster.pk}/do/apply/").status_code == 405
