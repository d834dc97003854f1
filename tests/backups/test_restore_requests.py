"""Point-in-time restore requests through the API: what is refused (with the field and the rule, nothing saved),
the approval rules (approver permission, never the requester, the configured number of approvals), rejection and
expiry, the declared branch cluster, running a failed restore again, and the change log of every transition. The
restore job itself runs in tests/e2e/test_restores.py."""
from datetime import datetime, timedelta, timezone

import pytest
from django.utils import timezone as dj_timezone
from rest_framework.test import APIClient

from backups import restores
from backups.catalog import parse_info
from backups.models import RestoreRequest
from backups.store import store
from backups.tasks import expire_restore_requests
from clusters.models import ObjectChange, PGCluster
from tasks.models import Job
from tests import factories

from .info_sample import FULL_STOP, info

pytestmark = pytest.mark.django_db
SHARED_REPO = {"pgbackrest_method": "shared",
               "pgbackrest_repo": {"shared": {"path": "/pg/shared/backup", "retention_full": 2}}}
LATEST = datetime(2026, 11, 25, 11, 30, tzinfo=timezone.utc)
INSIDE = "2026-11-25T10:30:00+00:00"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def person(django_user_model, name: str, deployment, *roles: str):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "Pass-word-123")
    return factories.member(user, deployment, *roles)


@pytest.fixture
def people(django_user_model, source):
    """The requester is a dba who may also approve (but never their own request); a viewer may do neither."""
    return {"requester": person(django_user_model, "requester", source.deployment, "dba", "approver"),
            "approver": person(django_user_model, "approver", source.deployment, "approver"),
            "second": person(django_user_model, "second", source.deployment, "approver"),
            "viewer": person(django_user_model, "viewer", source.deployment, "viewer")}


@pytest.fixture
def source():
    cluster = factories.pg_cluster(status="running", vars=SHARED_REPO)
    factories.etcd_cluster(cluster.deployment)
    store(cluster, "10.0.0.1", parse_info(info(cluster.name), cluster.name),
          {"wal": "000000010000000000000009", "time": LATEST})
    return cluster


def branch_body(cluster, **extra):
    nodes = [factories.node(cluster.deployment).ip for _ in range(2)]
    return {"cluster": cluster.pk, "mode": "branch", "target_type": "time", "target": INSIDE,
            "new_cluster": f"{cluster.name}-restored", "nodes": nodes, "reason": "undo the 10:31 DELETE", **extra}


def ask(people, body):
    return client_for(people["requester"]).post("/api/v1/restores/", body, format="json")


def test_a_branch_request_waits_for_approval_with_its_new_cluster_declared(people, source):
    response = ask(people, branch_body(source))
    assert response.status_code == 201, response.data
    assert (response.data["state"], response.data["requested_by"], response.data["approvals_required"]) == (
        "pending", "requester", 1)
    branch = PGCluster.objects.get(pk=response.data["new_cluster"])
    assert (branch.name, branch.status, branch.vars) == (f"{source.name}-restored", "declared", source.vars)
    assert branch.secret_vars == source.secret_vars
    assert [i.pg_role for i in branch.instances.order_by("pg_seq")] == ["primary", "replica"]
    assert not Job.objects.exists()
    assert ObjectChange.objects.filter(object_id=response.data["id"], action="create",
                                       object_repr__startswith="restore #").exists()


@pytest.mark.parametrize("change, field, text", [
    ({"target": "2026-11-25T09:00:00+00:00"}, "target", "outside the recovery window"),
    ({"target": "2026-11-25T12:00:00+00:00"}, "target", "2026-11-25T11:30:00+00:00"),
    ({"target": "2026-11-25 10:30"}, "target", "with a time zone"),
    ({"target_type": "xid", "target": "abc"}, "target", "not a transaction id"),
    ({"target_type": "lsn", "target": "0/1000000"}, "target", "before the end of the oldest backup"),
    ({"target_type": "lsn", "target": "zz"}, "target", "not an LSN"),
    ({"target_type": "latest", "target": "x"}, "target", "takes no target"),
    ({"target_type": "name", "target": ""}, "target", "needs a target"),
    ({"target_type": "name", "target": "before-upgrade", "inclusive": False}, "inclusive", "exclusive applies"),
    ({"target_type": "sometime"}, "target_type", "sometime"),
    ({"mode": "sideways"}, "mode", "sideways"),
    ({"new_cluster": ""}, "new_cluster", "needs the new cluster's name"),
    ({"new_cluster": "Bad_Name"}, "new_cluster", ""),
    ({"nodes": []}, "nodes", "at least one node"),
    ({"nodes": ["10.99.0.1"]}, "nodes", "no node 10.99.0.1"),
    ({"reason": " "}, "reason", ""),
    ({"mode": "in-place", "confirm": "nope"}, "confirm", "type the cluster name"),
])
def test_a_bad_request_is_400_naming_the_field_and_saves_nothing(people, source, change, field, text):
    before = PGCluster.objects.count()
    response = ask(people, {**branch_body(source), **change})
    assert response.status_code == 400, response.data
    assert field in response.data and text in str(response.data[field]), response.data
    assert not RestoreRequest.objects.exists() and PGCluster.objects.count() == before


def test_branch_needs_a_repository_the_new_nodes_can_read(people, source):
    source.vars = {}
    source.save()
    response = ask(people, branch_body(source))
    assert response.status_code == 400 and "local repository" in str(response.data["mode"])


def test_a_node_of_another_cluster_cannot_hold_the_branch(people, source):
    taken = source.instances.get().node.ip
    response = ask(people, {**branch_body(source), "nodes": [taken]})
    assert response.status_code == 400, response.data
    assert response.data["nodes"] == [f"{taken}: this node already runs a PGSQL instance (1:1)"]
    assert PGCluster.objects.count() == 1


def test_a_cluster_without_backups_cannot_be_restored(people, source):
    bare = factories.pg_cluster(source.deployment, status="running", vars=SHARED_REPO)
    response = ask(people, branch_body(bare))
    assert response.status_code == 400 and "no backup to restore from" in str(response.data["cluster"])


def test_the_requester_can_never_approve_their_own_request(people, source):
    created = ask(people, branch_body(source)).data
    response = client_for(people["requester"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert response.status_code == 403 and "own" in response.data["detail"]
    assert RestoreRequest.objects.get().state == "pending"


def test_approving_needs_the_approver_role(people, source):
    created = ask(people, branch_body(source)).data
    for verb in ("approve", "reject"):
        response = client_for(people["viewer"]).post(f"/api/v1/restores/{created['id']}/{verb}/", {}, format="json")
        assert response.status_code == 403 and "approver" in response.data["detail"]
    assert RestoreRequest.objects.get().state == "pending"


def test_the_approval_starts_the_restore_job_on_the_branch_cluster(people, source):
    created = ask(people, branch_body(source)).data
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/",
                                                   {"comment": "checked the window"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["state"] == "running"
    assert [(d["user_name"], d["decision"], d["comment"]) for d in response.data["decisions"]] == [
        ("approver", "approve", "checked the window")]
    job = Job.objects.get(pk=response.data["job"])
    assert (job.kind, job.params, job.object_id) == ("pgsql.restore", {"restore": created["id"]},
                                                      created["new_cluster"])
    states = [c.after["state"] for c in ObjectChange.objects.filter(
        object_id=created["id"], content_type__model="restorerequest").order_by("time", "pk")]
    assert states == ["pending", "approved", "running"]
    again = client_for(people["second"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert again.status_code == 409 and "is running" in again.data["detail"]


def test_two_approvals_when_configured(people, source, settings):
    settings.RESTORE_APPROVALS_REQUIRED = 2
    created = ask(people, branch_body(source)).data
    first = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert first.data["state"] == "pending" and first.data["job"] is None
    twice = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert twice.status_code == 409 and "already decided" in twice.data["detail"]
    second = client_for(people["second"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert second.data["state"] == "running" and second.data["job"] is not None


def test_a_rejected_request_removes_its_declared_branch(people, source):
    created = ask(people, branch_body(source)).data
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/reject/",
                                                   {"comment": "wrong target"}, format="json")
    assert response.status_code == 200 and response.data["state"] == "rejected"
    assert not PGCluster.objects.filter(pk=created["new_cluster"]).exists() and not Job.objects.exists()
    late = client_for(people["second"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert late.status_code == 409 and "rejected" in late.data["detail"]


def test_a_request_nobody_approves_in_time_expires(people, source):
    created = ask(people, branch_body(source)).data
    RestoreRequest.objects.filter(pk=created["id"]).update(expires_at=dj_timezone.now() - timedelta(seconds=1))
    assert expire_restore_requests() == 1
    assert RestoreRequest.objects.get().state == "expired"
    assert not PGCluster.objects.filter(pk=created["new_cluster"]).exists()
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert response.status_code == 409 and "expired" in response.data["detail"]


def test_an_overdue_request_is_expired_when_read(people, source):
    created = ask(people, branch_body(source)).data
    RestoreRequest.objects.filter(pk=created["id"]).update(expires_at=dj_timezone.now() - timedelta(seconds=1))
    assert client_for(people["viewer"]).get(f"/api/v1/restores/{created['id']}/").data["state"] == "expired"


def test_an_in_place_request_is_confirmed_and_runs_on_the_cluster_itself(people, source):
    body = {"cluster": source.pk, "mode": "in-place", "target_type": "immediate", "confirm": source.name,
            "reason": "roll back the failed migration"}
    created = ask(people, body).data
    assert created["new_cluster"] is None and created["state"] == "pending"
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert Job.objects.get(pk=response.data["job"]).target == source


def test_an_approval_while_the_cluster_is_busy_is_409_and_saves_nothing(people, source):
    busy = factories_job(source)
    body = {"cluster": source.pk, "mode": "in-place", "target_type": "latest", "confirm": source.name,
            "reason": "x"}
    created = ask(people, body).data
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    assert response.status_code == 409 and response.data["running_job"] == busy.pk
    assert RestoreRequest.objects.get().state == "pending" and not RestoreRequest.objects.get().decisions.exists()


def test_the_request_follows_its_job_to_the_end(people, source):
    created = ask(people, branch_body(source)).data
    running = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    reached = {"time": "2026-11-25T10:29:58+00:00", "lsn": "0/9000100", "timeline": 2}
    Job.objects.filter(pk=running.data["job"]).update(status="succeeded", result={"reached": reached})
    shown = client_for(people["viewer"]).get(f"/api/v1/restores/{created['id']}/").data
    assert (shown["state"], shown["reached"]) == ("succeeded", reached)


def failed_branch_restore(people, source) -> dict:
    """A branch request approved, whose job then failed."""
    created = ask(people, branch_body(source)).data
    running = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/approve/", {}, format="json")
    Job.objects.filter(pk=running.data["job"]).update(status="failed", error="step 'restore' failed: disk full")
    return {**created, "job": running.data["job"]}


def test_a_failed_restore_runs_again_as_approved_by_a_dba(people, source):
    failed = failed_branch_restore(people, source)
    url = f"/api/v1/restores/{failed['id']}/retry/"
    for role in ("viewer", "approver"):
        refused = client_for(people[role]).post(url, {}, format="json")
        assert refused.status_code == 403 and "dba" in refused.data["detail"], (role, refused.data)
    assert client_for(people["viewer"]).get(f"/api/v1/restores/{failed['id']}/").data["state"] == "failed"
    response = client_for(people["requester"]).post(url, {}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["state"] == "running" and response.data["job"] != failed["job"]
    job = Job.objects.get(pk=response.data["job"])
    assert (job.kind, job.params, job.object_id, job.requested_by) == (
        "pgsql.restore", {"restore": failed["id"]}, failed["new_cluster"], people["requester"])
    assert Job.objects.get(pk=failed["job"]).status == "failed", "the failed job stays in the history"
    states = [c.after["state"] for c in ObjectChange.objects.filter(
        object_id=failed["id"], content_type__model="restorerequest").order_by("time", "pk")]
    assert states == ["pending", "approved", "running", "failed", "approved", "running"]
    again = client_for(people["requester"]).post(url, {}, format="json")
    assert again.status_code == 409 and "is running; only a failed restore runs again" in again.data["detail"]


def test_only_a_failed_restore_runs_again(people, source):
    created = ask(people, branch_body(source)).data
    pending = client_for(people["requester"]).post(f"/api/v1/restores/{created['id']}/retry/", {}, format="json")
    assert pending.status_code == 409 and "is pending" in pending.data["detail"]
    assert not Job.objects.exists()


def test_a_failed_branch_restore_whose_cluster_was_deleted_is_asked_for_anew(people, source):
    failed = failed_branch_restore(people, source)
    PGCluster.objects.filter(pk=failed["new_cluster"]).delete()
    response = client_for(people["requester"]).post(f"/api/v1/restores/{failed['id']}/retry/", {}, format="json")
    assert response.status_code == 409 and "was deleted; ask for a new restore" in response.data["detail"]
    assert RestoreRequest.objects.get().state == "failed" and Job.objects.count() == 1


def test_running_again_while_the_cluster_is_busy_is_409_and_changes_nothing(people, source):
    failed = failed_branch_restore(people, source)
    busy = factories_job(PGCluster.objects.get(pk=failed["new_cluster"]))
    response = client_for(people["requester"]).post(f"/api/v1/restores/{failed['id']}/retry/", {}, format="json")
    assert response.status_code == 409 and response.data["running_job"] == busy.pk
    request = RestoreRequest.objects.get()
    assert (request.state, request.job_id) == ("failed", failed["job"])


def factories_job(cluster):
    from tasks.jobs import launch
    return launch("pgsql.apply", cluster)


def test_a_time_in_the_second_the_oldest_backup_ended_is_outside_the_window(people, source):
    same_second = datetime.fromtimestamp(FULL_STOP, tz=timezone.utc).replace(microsecond=500000)
    response = ask(people, branch_body(source, target=same_second.isoformat()))
    assert response.status_code == 400 and "outside the recovery window" in str(response.data["target"])


def test_window_boundaries_are_inclusive(people, source):
    earliest = datetime.fromtimestamp(FULL_STOP + 1, tz=timezone.utc)
    for moment in (earliest, LATEST):
        assert restores.check_target(source, "time", moment.isoformat(), True)["target_time"] == moment


def test_a_time_is_kept_in_utc_with_the_milliseconds_pgbackrest_takes(people, source):
    created = ask(people, branch_body(source, target="2026-11-25T11:30:00.123456+01:00")).data
    assert created["target"] == "2026-11-25 10:30:00.123+00"
    assert created["target_time"] == "2026-11-25T10:30:00.123000Z"


def test_a_request_whose_requester_was_deleted_can_still_be_decided(people, source):
    created = ask(people, branch_body(source)).data
    people["requester"].delete()
    response = client_for(people["approver"]).post(f"/api/v1/restores/{created['id']}/reject/", {}, format="json")
    assert response.status_code == 200 and response.data["state"] == "rejected"
    assert response.data["requested_by"] is None
