"""Day-2 endpoints that change a running cluster's spec and start the job that converges it: the change and the
job are saved together or not at all. The jobs themselves run in tests/e2e."""
import pytest

from clusters import models
from tasks.models import Job
from tests import factories


def running_cluster(**fields):
    cluster = factories.pg_cluster(status="running", **fields)
    factories.etcd_cluster(cluster.deployment)
    return cluster


@pytest.mark.django_db
def test_configure_saves_the_change_and_starts_the_job(api):
    cluster = running_cluster(pg_rto="norm")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/configure/",
                        {"pg_rto": "fast", "pg_parameters": {"work_mem": "8MB"}}, format="json")
    assert response.status_code == 202, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert job.kind == "pgsql.configure" and job.params == {"changed": ["pg_parameters", "pg_rto"]}
    cluster.refresh_from_db()
    assert cluster.pg_rto == "fast" and cluster.vars["pg_parameters"] == {"work_mem": "8MB"}
    change = models.ObjectChange.objects.filter(object_id=cluster.pk, action="update").latest("time")
    assert change.before["pg_rto"] == "norm" and change.after["pg_rto"] == "fast"


@pytest.mark.django_db
@pytest.mark.parametrize("body, field, text", [
    ({}, "non_field_errors", "at least one of"),
    ({"pg_rto": "turbo"}, "pg_rto", "turbo"),
    ({"pg_rpo": -1}, "pg_rpo", "greater than or equal to 0"),
    ({"pg_parameters": {"port": 6000}}, "vars", "port: set by rdsconsole"),
    ({"pg_parameters": {"bad name": 1}}, "vars", "not a PostgreSQL parameter name"),
    ({"pg_parameters": {"work_mem": ["8MB"]}}, "vars", "one line of text or a number"),
])
def test_bad_configure_requests_are_400_and_change_nothing(api, body, field, text):
    cluster = running_cluster(pg_rto="norm")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/configure/", body, format="json")
    assert response.status_code == 400, response.data
    assert text in " ".join(str(m) for m in response.data[field])
    cluster.refresh_from_db()
    assert cluster.pg_rto == "norm" and "pg_parameters" not in (cluster.vars or {})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_configure_on_a_busy_cluster_is_409_and_the_change_is_not_saved(api):
    cluster = running_cluster(pg_rto="norm")
    first = api.post(f"/api/v1/clusters/{cluster.pk}/apply/").data["id"]
    response = api.post(f"/api/v1/clusters/{cluster.pk}/configure/", {"pg_rto": "fast"}, format="json")
    assert response.status_code == 409 and response.data["running_job"] == first
    cluster.refresh_from_db()
    assert cluster.pg_rto == "norm"


@pytest.mark.django_db
def test_configure_needs_a_running_cluster(api):
    cluster = running_cluster()
    models.PGCluster.objects.filter(pk=cluster.pk).update(status="declared")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/configure/", {"pg_rpo": 0}, format="json")
    assert response.status_code == 400 and "configure changes a running cluster" in response.data["status"][0]


@pytest.mark.django_db
def test_hba_preview_shows_each_member_and_pgbouncer_with_the_new_rule(api):
    cluster = running_cluster()
    factories.pg_instance(cluster, pg_seq=2, pg_role="replica")
    models.HBARule.objects.create(deployment=cluster.deployment, cluster=cluster, user="dbuser_report", db="all",
                                  addr="10.9.0.0/16", auth="pwd", title="reporting subnet")
    body = api.get(f"/api/v1/clusters/{cluster.pk}/hba/preview/").data
    assert sorted(body["pg_hba"]) == [f"{cluster.name}-1", f"{cluster.name}-2"]
    assert all("host    all          dbuser_report 10.9.0.0/16" in text for text in body["pg_hba"].values())
    assert "# reporting subnet" in body["pg_hba"][f"{cluster.name}-1"]
    assert "pgb_hba" in body and body["problems"] == []


@pytest.mark.django_db
def test_an_hba_rule_that_locks_out_the_system_users_is_refused_and_not_saved(api):
    cluster = running_cluster()
    response = api.post("/api/v1/hba-rules/", {
        "deployment": cluster.deployment.pk, "cluster": cluster.pk, "user": "all", "db": "all", "addr": "world",
        "auth": "deny", "order": 5, "title": "deny all first"}, format="json")
    assert response.status_code == 400, response.data
    assert "would be locked out" in " ".join(response.data["hba_rules"])
    assert not models.HBARule.objects.filter(cluster=cluster).exists()
    allowed = api.post("/api/v1/hba-rules/", {
        "deployment": cluster.deployment.pk, "cluster": cluster.pk, "user": "all", "db": "all", "addr": "world",
        "auth": "deny", "title": "deny the rest"}, format="json")
    assert allowed.status_code == 201, allowed.data


@pytest.mark.django_db
def test_hba_apply_starts_the_configure_job(api):
    cluster = running_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/hba/apply/")
    assert response.status_code == 202, response.data
    assert Job.objects.get(pk=response.data["id"]).params == {"changed": ["hba_rules"]}
