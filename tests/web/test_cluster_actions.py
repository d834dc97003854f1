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


def test_users_and_databases_change_with_their_access_job_on_a_running_cluster(web):
    from clusters.models import PGDatabase, PGUser

    cluster = running_cluster()
    assert do(web, cluster, "add-user", name="dbuser_new", password="New-user-pass-1",
              roles="dbrole_readonly").status_code == 302
    user = PGUser.objects.get(cluster=cluster, name="dbuser_new")
    assert user.roles == ["dbrole_readonly"] and Job.objects.get().kind == "pgsql.access"
    Job.objects.all().delete()
    assert do(web, cluster, "add-database", name="newdb", owner="dbuser_new").status_code == 302
    assert PGDatabase.objects.filter(cluster=cluster, name="newdb", owner="dbuser_new").exists()
    Job.objects.all().delete()
    refused = do(web, cluster, "drop-database", name="newdb", confirm="")
    assert refused.status_code == 400 and "type its name" in refused.content.decode()
    assert do(web, cluster, "drop-database", name="newdb", confirm="newdb").status_code == 302
    assert not PGDatabase.objects.filter(cluster=cluster, name="newdb").exists()
    assert Job.objects.get().params == {"drop_databases": ["newdb"]}


def test_a_bad_user_is_refused_next_to_its_form_and_a_declared_cluster_needs_no_job(web):
    from clusters.models import PGUser

    cluster = running_cluster()
    bad = do(web, cluster, "add-user", name="Bad Name!", password="x")
    assert bad.status_code == 400 and not PGUser.objects.filter(cluster=cluster).exists()
    form = bad.content.decode().split(f'action="/clusters/{cluster.pk}/do/add-user/"')[1].split("</form>")[0]
    assert "errorlist" in form
    declared = factories.pg_cluster()
    response = do(web, declared, "add-user", name="dbuser_later", password="Later-pass-word-1")
    assert response.status_code == 302 and response["Location"] == f"/clusters/{declared.pk}/"
    assert PGUser.objects.filter(cluster=declared).exists() and not Job.objects.exists()


def test_hba_rules_are_added_with_the_lockout_guard_and_previewed(web):
    from clusters.models import HBARule

    cluster = running_cluster()
    response = do(web, cluster, "add-hba-rule", user="dbuser_app", db="app", addr="intra", auth="pwd",
                  title="app access")
    assert response.status_code == 302 and not Job.objects.exists()
    page = web.get(f"/clusters/{cluster.pk}/").content.decode()
    assert "Preview pg_hba.conf" in page and "dbuser_app" in page.split("Preview pg_hba.conf")[1]
    locked = do(web, cluster, "add-hba-rule", user="all", db="all", addr="world", auth="deny", title="oops",
                order="10")
    assert locked.status_code == 400 and "hba_rules" in locked.content.decode()
    assert HBARule.objects.filter(cluster=cluster).count() == 1
    assert do(web, cluster, "add-hba-rule", user="all", db="all", addr="world", auth="deny",
              order="first").status_code == 400
    rule = HBARule.objects.get(cluster=cluster)
    assert do(web, cluster, "delete-hba-rule", rule=rule.pk).status_code == 302
    assert not HBARule.objects.filter(cluster=cluster).exists()
