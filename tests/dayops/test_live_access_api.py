"""Users and databases of a running cluster through the API: each change starts the job that makes it on the
cluster, in the same transaction (a refused or conflicting job saves nothing); a drop needs the name typed
again. On a cluster that does not run, the same calls only edit the spec."""
import pytest

from clusters import models
from tasks.models import Job
from tests import factories


def running_cluster():
    cluster = factories.pg_cluster(status="running")
    factories.etcd_cluster(cluster.deployment)
    return cluster


@pytest.mark.django_db
def test_creating_a_user_on_a_running_cluster_starts_the_access_job(api):
    cluster = running_cluster()
    response = api.post("/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_new", "password": "New-pass-123",
                                           "roles": ["dbrole_readonly"]}, format="json")
    assert response.status_code == 201, response.data
    job = Job.objects.get(pk=response.data["job"]["id"])
    assert (job.kind, job.object_id, job.params) == ("pgsql.access", cluster.pk, {})
    assert "New-pass-123" not in str(response.data)


@pytest.mark.django_db
def test_on_a_declared_cluster_the_api_only_edits_the_spec(api):
    cluster = factories.pg_cluster()
    response = api.post("/api/v1/databases/", {"cluster": cluster.pk, "name": "meta"}, format="json")
    assert response.status_code == 201 and "job" not in response.data
    db = models.PGDatabase.objects.get(cluster=cluster, name="meta")
    assert api.delete(f"/api/v1/databases/{db.pk}/").status_code == 204
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_busy_cluster_refuses_the_change_and_saves_nothing(api):
    cluster = running_cluster()
    running = api.post(f"/api/v1/clusters/{cluster.pk}/apply/").data["id"]
    response = api.post("/api/v1/users/", {"cluster": cluster.pk, "name": "dbuser_late"}, format="json")
    assert response.status_code == 409 and response.data["running_job"] == running
    assert not models.PGUser.objects.filter(name="dbuser_late").exists()


@pytest.mark.django_db
def test_dropping_needs_the_name_and_starts_the_job_that_drops_it(api):
    cluster = running_cluster()
    user = models.PGUser.objects.create(cluster=cluster, name="dbuser_gone")
    for body in ({}, {"confirm": "dbuser_other"}):
        refused = api.delete(f"/api/v1/users/{user.pk}/", body, format="json")
        assert refused.status_code == 400 and '"confirm": "dbuser_gone"' in refused.data["confirm"][0]
    assert models.PGUser.objects.filter(pk=user.pk).exists() and not Job.objects.exists()
    response = api.delete(f"/api/v1/users/{user.pk}/", {"confirm": "dbuser_gone"}, format="json")
    assert response.status_code == 202, response.data
    assert Job.objects.get(pk=response.data["id"]).params == {"drop_users": ["dbuser_gone"]}
    assert not models.PGUser.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_dropping_a_user_that_owns_a_database_of_the_spec_is_refused(api):
    cluster = running_cluster()
    owner = models.PGUser.objects.create(cluster=cluster, name="dbuser_owner")
    models.PGDatabase.objects.create(cluster=cluster, name="owned", owner="dbuser_owner")
    response = api.delete(f"/api/v1/users/{owner.pk}/", {"confirm": "dbuser_owner"}, format="json")
    assert response.status_code == 400
    assert "owned: owner dbuser_owner is not a user of the cluster" in response.data["databases"][0]
    assert models.PGUser.objects.filter(pk=owner.pk).exists()


@pytest.mark.django_db
def test_renaming_on_a_running_cluster_is_refused(api):
    cluster = running_cluster()
    user = models.PGUser.objects.create(cluster=cluster, name="dbuser_a")
    response = api.patch(f"/api/v1/users/{user.pk}/", {"name": "dbuser_b"}, format="json")
    assert response.status_code == 400 and "cannot rename dbuser_a" in response.data["name"][0]
    user.refresh_from_db()
    assert user.name == "dbuser_a"
