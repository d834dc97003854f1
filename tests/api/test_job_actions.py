"""Endpoints that start jobs: 202 with the queued job, 400 for a refused spec (no job at all), 409 while another
job holds the cluster. The jobs themselves run in tests/e2e; here nothing is enqueued (no commit happens)."""
import pytest

from clusters import models
from tasks.models import Job
from tests import factories


def ready_cluster(**fields):
    """A cluster with a primary and an ETCD cluster in its deployment: what an apply needs."""
    cluster = factories.pg_cluster(**fields)
    factories.etcd_cluster(cluster.deployment)
    return cluster


@pytest.mark.django_db
def test_apply_answers_202_with_the_queued_job(api, admin_user):
    cluster = ready_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert response.status_code == 202, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert (job.kind, job.status, job.object_id, job.requested_by) == ("pgsql.apply", "queued", cluster.pk,
                                                                       admin_user)
    assert response.data["status"] == "queued" and response.data["target_type"] == "pgcluster"


@pytest.mark.django_db
def test_second_job_on_the_same_cluster_is_409_with_the_running_job(api):
    cluster = ready_cluster()
    first = api.post(f"/api/v1/clusters/{cluster.pk}/apply/").data["id"]
    second = api.post(f"/api/v1/clusters/{cluster.pk}/destroy/", {"confirm": cluster.name}, format="json")
    assert second.status_code == 409
    assert second.data["running_job"] == first
    assert f"job #{first}" in second.data["detail"]
    assert Job.objects.filter(object_id=cluster.pk).count() == 1


@pytest.mark.django_db
def test_another_cluster_is_not_blocked(api):
    one, two = ready_cluster(), ready_cluster()
    assert api.post(f"/api/v1/clusters/{one.pk}/apply/").status_code == 202
    assert api.post(f"/api/v1/clusters/{two.pk}/apply/").status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"confirm": "pg-wrong"}, {"confirm": ""}, {"confirm": ["x"]}])
def test_destroy_without_the_right_confirmation_is_400(api, body):
    cluster = ready_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/destroy/", body, format="json")
    assert response.status_code == 400
    assert cluster.name in response.data["confirm"][0]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_destroy_with_the_name_is_accepted(api):
    cluster = ready_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/destroy/", {"confirm": cluster.name}, format="json")
    assert response.status_code == 202
    assert response.data["kind"] == "pgsql.destroy"


@pytest.mark.django_db
def test_a_second_primary_instance_is_refused(api):
    cluster = ready_cluster()
    response = api.post("/api/v1/instances/", {"cluster": cluster.pk, "node": factories.node(cluster.deployment).pk,
                                               "pg_seq": 2, "pg_role": "primary"}, format="json")
    assert response.status_code == 400
    assert "already has a primary" in response.data["pg_role"][0]


@pytest.mark.django_db
def test_two_primaries_stored_behind_the_model_are_refused_at_apply(api):
    cluster = ready_cluster()
    second = factories.pg_instance(cluster, pg_seq=2, pg_role="replica")
    models.PGInstance.objects.filter(pk=second.pk).update(pg_role="primary")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert response.status_code == 400
    assert "exactly one primary" in response.data["instances"][0]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_two_primaries_in_a_new_cluster_are_refused_at_creation(api):
    dep = factories.deployment()
    nodes = [factories.node(dep) for _ in range(2)]
    response = api.post("/api/v1/clusters/", {
        "deployment": dep.pk, "name": "pg-two",
        "instances": [{"ip": n.ip, "pg_seq": i, "pg_role": "primary"} for i, n in enumerate(nodes, 1)]},
        format="json")
    assert response.status_code == 400
    assert "already has a primary" in response.data["instances[1].pg_role"][0]
    assert not models.PGCluster.objects.filter(name="pg-two").exists()


@pytest.mark.django_db
def test_a_node_already_used_by_another_cluster_is_refused(api):
    other = ready_cluster()
    used = other.instances.get().node
    cluster = factories.pg_cluster(other.deployment)
    response = api.post("/api/v1/instances/", {"cluster": cluster.pk, "node": used.pk, "pg_seq": 2},
                        format="json")
    assert response.status_code == 409
    assert "already runs a PGSQL instance" in str(response.data)
    assert cluster.instances.count() == 1 and not Job.objects.exists()


@pytest.mark.django_db
def test_an_unknown_rto_mode_is_refused(api):
    cluster = ready_cluster()
    response = api.patch(f"/api/v1/clusters/{cluster.pk}/", {"pg_rto": "warp"}, format="json")
    assert response.status_code == 400
    assert "pg_rto" in response.data
    cluster.refresh_from_db()
    assert cluster.pg_rto != "warp"


@pytest.mark.django_db
def test_an_unknown_rto_mode_already_stored_is_refused_at_apply(api):
    cluster = ready_cluster()
    models.PGCluster.objects.filter(pk=cluster.pk).update(pg_rto="warp")
    response = api.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert response.status_code == 400
    assert "pg_rto" in response.data
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_apply_without_an_etcd_cluster_is_refused(api):
    cluster = factories.pg_cluster()
    response = api.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert response.status_code == 400
    assert "ETCD" in response.data["etcd"][0]


@pytest.mark.django_db
def test_user_with_an_unknown_role_is_refused_at_apply(api):
    cluster = ready_cluster()
    models.PGUser.objects.create(cluster=cluster, name="dbuser_x", roles=["dbrole_nonexistent"])
    response = api.post(f"/api/v1/clusters/{cluster.pk}/apply/")
    assert response.status_code == 400
    assert "dbrole_nonexistent" in response.data["users"][0]


@pytest.mark.django_db
def test_etcd_apply_202_and_a_wrong_member_count_is_refused(api):
    etcd = factories.etcd_cluster(size=3)
    assert api.post(f"/api/v1/etcd-clusters/{etcd.pk}/apply/").status_code == 202
    two = factories.etcd_cluster(size=1)
    models.EtcdMember.objects.create(cluster=two, node=factories.node(two.deployment), etcd_seq=2)
    response = api.post(f"/api/v1/etcd-clusters/{two.pk}/apply/")
    assert response.status_code == 400
    assert "members" in response.data


@pytest.mark.django_db
def test_cluster_detail_shows_status_and_live_fields_read_only(api):
    cluster = ready_cluster()
    body = api.get(f"/api/v1/clusters/{cluster.pk}/").data
    assert body["status"] == "declared" and body["last_applied"] is None
    instance = body["instances"][0]
    assert {"name", "node_ip", "pg_role", "live_role", "live_state", "live_timeline", "live_lag_mb",
            "live_updated"} <= set(instance)
    response = api.patch(f"/api/v1/instances/{instance['id']}/", {"live_role": "primary"}, format="json")
    assert response.status_code == 200
    assert models.PGInstance.objects.get(pk=instance["id"]).live_role == ""


@pytest.mark.django_db
def test_anonymous_cannot_start_jobs(anon):
    cluster = ready_cluster()
    assert anon.post(f"/api/v1/clusters/{cluster.pk}/apply/").status_code in (401, 403)
    assert not Job.objects.exists()
