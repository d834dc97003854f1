"""Console pages of restores: asking through the form (errors next to the fields, nothing saved), the approval
queue (approve and reject buttons for approvers, never on their own requests), running a failed restore again, and
refusals shown, not 500."""
import pytest
from django.test import Client

from backups.models import RestoreRequest
from clusters.models import PGCluster
from tasks.models import Job
from tests.backups.test_restore_requests import SHARED_REPO, INSIDE, LATEST  # noqa: F401  (shared fixtures' data)
from tests.backups.info_sample import info
from backups.catalog import parse_info
from backups.store import store
from tests import factories

pytestmark = pytest.mark.django_db


def logged_in(django_user_model, name: str, deployment, *roles: str) -> Client:
    user = factories.member(django_user_model.objects.create_user(name, f"{name}@example.com", "Pass-word-123"),
                            deployment, *roles)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def source():
    cluster = factories.pg_cluster(status="running", vars=SHARED_REPO)
    factories.etcd_cluster(cluster.deployment)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name),
          {"wal": "000000010000000000000009", "time": LATEST})
    return cluster


def test_the_form_offers_the_window_and_free_nodes(django_user_model, source):
    free = factories.node(source.deployment)
    page = logged_in(django_user_model, "asker", source.deployment, "dba").get(f"/restores/new/?cluster={source.pk}").content.decode()
    assert "Recovery window" in page and 'min="2026-11-25T10:00:13"' in page and 'max="2026-11-25T11:30:00"' in page
    assert f"<option>{free.ip}</option>" in page


def test_a_bad_request_shows_the_field_and_the_rule_and_saves_nothing(django_user_model, source):
    client = logged_in(django_user_model, "asker", source.deployment, "dba")
    before = PGCluster.objects.count()
    response = client.post("/restores/new/", {"cluster": source.pk, "mode": "branch", "target_type": "time",
                                              "target": "2026-11-25T09:00:00+00:00", "new_cluster": "pg-x",
                                              "reason": "oops"})
    assert response.status_code == 400 and "outside the recovery window" in response.content.decode()
    assert not RestoreRequest.objects.exists() and PGCluster.objects.count() == before
    for form, text in [({"mode": "sideways"}, "not a restore mode"), ({"target_type": "soon"}, "not a target"),
                       ({"mode": "in-place", "target_type": "latest"}, "type the cluster name")]:
        response = client.post("/restores/new/", {"cluster": source.pk, "reason": "x", "target_type": "latest",
                                                  "mode": "branch", **form})
        assert response.status_code == 400 and text in response.content.decode(), form
    assert client.post("/restores/new/", {"reason": "x"}).status_code == 400


def test_ask_as_one_user_approve_as_another(django_user_model, source):
    asker = logged_in(django_user_model, "asker", source.deployment, "dba", "approver")
    free = factories.node(source.deployment)
    response = asker.post("/restores/new/", {"cluster": source.pk, "mode": "branch", "target_type": "time",
                                             "target": INSIDE, "new_cluster": f"{source.name}-b",
                                             "nodes": [free.ip], "reason": "undo the DELETE"})
    assert response.status_code == 302 and response["Location"] == "/restores/"
    request = RestoreRequest.objects.get()
    own = asker.get("/restores/").content.decode()
    assert "another approver decides" in own and f"/restores/{request.pk}/approve/" not in own
    refused = asker.post(f"/restores/{request.pk}/approve/", {"comment": "me"})
    assert refused.status_code == 403 and "cannot approve their own" in refused.content.decode()

    viewer = logged_in(django_user_model, "viewer", source.deployment, "viewer")
    assert f"/restores/{request.pk}/approve/" not in viewer.get("/restores/").content.decode()
    assert viewer.post(f"/restores/{request.pk}/reject/", {}).status_code == 403

    approver = logged_in(django_user_model, "approver", source.deployment, "approver")
    assert f"/restores/{request.pk}/approve/" in approver.get("/restores/").content.decode()
    assert approver.post(f"/restores/{request.pk}/approve/", {"comment": "ok"}).status_code == 302
    request.refresh_from_db()
    assert request.state == "running" and Job.objects.get().kind == "pgsql.restore"
    page = approver.get("/restores/").content.decode()
    assert "approver: approve — ok" in page and f"job #{request.job_id}" in page
    again = approver.post(f"/restores/{request.pk}/approve/", {})
    assert again.status_code == 409


def test_errors_appear_next_to_their_field(django_user_model, source):
    client = logged_in(django_user_model, "asker", source.deployment, "dba")
    page = client.post("/restores/new/", {"cluster": source.pk, "mode": "branch", "target_type": "time",
                                          "target": "yesterday", "new_cluster": "pg-x", "reason": "x"}).content.decode()
    after_target = page.split('name="target"')[1].split("<label")[0]
    assert "field-errors" in after_target and "ISO 8601" in after_target


def test_a_failed_restore_offers_run_again_to_a_dba(django_user_model, source):
    asker = logged_in(django_user_model, "asker", source.deployment, "dba")
    approver = logged_in(django_user_model, "approver", source.deployment, "approver")
    free = factories.node(source.deployment)
    asker.post("/restores/new/", {"cluster": source.pk, "mode": "branch", "target_type": "latest",
                                  "new_cluster": f"{source.name}-b", "nodes": [free.ip], "reason": "drill"})
    request = RestoreRequest.objects.get()
    approver.post(f"/restores/{request.pk}/approve/", {"comment": "ok"})
    request.refresh_from_db()
    assert f"/restores/{request.pk}/retry/" not in asker.get("/restores/").content.decode(), "not while running"
    Job.objects.filter(pk=request.job_id).update(status="failed", error="step 'restore' failed")
    assert f"/restores/{request.pk}/retry/" not in approver.get("/restores/").content.decode()
    assert approver.post(f"/restores/{request.pk}/retry/").status_code == 403
    assert f"/restores/{request.pk}/retry/" in asker.get("/restores/").content.decode()
    assert asker.post(f"/restores/{request.pk}/retry/").status_code == 302
    request.refresh_from_db()
    assert request.state == "running" and Job.objects.filter(kind="pgsql.restore").count() == 2
    assert asker.post(f"/restores/{request.pk}/retry/").status_code == 409
