"""Point-in-time restores end to end on the shared pg-test cluster (its backups in the S3 repository by now):
rows committed at known times, transaction ids, a named restore point and an LSN, then branch restores into a
one-node cluster on the sandbox's free node — approved by a second user, the requester's own approval refused —
each yielding exactly the rows committed by its target, one stopped midway and run again; a restore drill of the
newest backup on that node; and an in-place restore that rolls pg-test back, after which its replicas stream again
and a new full backup exists."""
import time
from datetime import datetime

import psycopg
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from clusters.models import Membership
from tasks import ssh
from tasks.operations import psql

from .conftest import BUSINESS_DB, BUSINESS_PASSWORD, BUSINESS_USER, job_log, succeeded, wait_job
from .test_provision import assert_healthy, connect

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def approver(provisioned, django_db_blocker):
    with django_db_blocker.unblock():
        user = get_user_model().objects.create_user("e2e-approver", "approver@example.com", "e2e-Pass-word-2")
        Membership.objects.create(user=user, deployment=provisioned.deployment, role="approver")
        client = APIClient()
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
        yield client
        user.delete()


@pytest.fixture(scope="module")
def history(provisioned, django_db_blocker):
    """Rows 1..5 of e2e_pitr, with what separates them: row 2's transaction id, a time T after row 2, a restore
    point and an LSN after row 3; every WAL segment archived and the catalogue refreshed."""
    with django_db_blocker.unblock():
        primary = provisioned.node("primary")
        marks = {}
        with connect(primary.ip, 5436) as conn:
            conn.execute("DROP TABLE IF EXISTS e2e_pitr")
            conn.execute("CREATE TABLE e2e_pitr (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())")
            conn.execute("INSERT INTO e2e_pitr (id) VALUES (1)")
            with conn.transaction():
                conn.execute("INSERT INTO e2e_pitr (id) VALUES (2)")
                marks["xid"] = str(conn.execute("SELECT txid_current()").fetchone()[0])
            time.sleep(0.5)
            marks["time"] = conn.execute("SELECT clock_timestamp()").fetchone()[0].isoformat()
            time.sleep(0.5)
            conn.execute("INSERT INTO e2e_pitr (id) VALUES (3)")
            psql.query_json(primary, "SELECT to_json(pg_create_restore_point('e2e-before-4'))")
            marks["lsn"] = psql.query_json(primary, "SELECT to_json(pg_current_wal_lsn()::text)")
            conn.execute("INSERT INTO e2e_pitr (id) VALUES (4)")
            conn.execute("INSERT INTO e2e_pitr (id) VALUES (5)")
        segment = psql.query_json(primary, "SELECT to_json(pg_walfile_name(pg_switch_wal()))")
        deadline = time.monotonic() + 60
        while psql.query_json(primary, "SELECT to_json(coalesce(last_archived_wal, '')) FROM pg_stat_archiver") \
                < segment:
            assert time.monotonic() < deadline, f"WAL segment {segment} not archived within 60 s"
            time.sleep(0.5)
        client = provisioned.client
        succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/backups/refresh/"))
        window = client.get(f"/api/v1/clusters/{provisioned.cluster_id}/backups/").data["recovery_window"]
        earliest, latest = (datetime.fromisoformat(window[edge]) for edge in ("earliest", "latest"))
        assert earliest < datetime.fromisoformat(marks["time"]) < latest, (window, marks)
        yield marks


def free_node(provisioned):
    return provisioned.deployment.nodes.order_by("ip")[3]


def rows(ip: str, port: int = 5436) -> list[int]:
    with psycopg.connect(host=ip, port=port, dbname=BUSINESS_DB, user=BUSINESS_USER, password=BUSINESS_PASSWORD,
                         connect_timeout=10) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM e2e_pitr ORDER BY id")]


def restore(provisioned, approver, body: dict) -> dict:
    """Ask as the e2e admin, approve as the approver, wait for the job; the request as it ends."""
    client = provisioned.client
    created = client.post("/api/v1/restores/", {"cluster": provisioned.cluster_id, "reason": "e2e", **body},
                          format="json")
    assert created.status_code == 201, created.data
    approved = approver.post(f"/api/v1/restores/{created.data['id']}/approve/", {"comment": "ok"}, format="json")
    assert approved.status_code == 200, approved.data
    job = wait_job(client, approved.data["job"])
    log = [line["text"] for line in job_log(client, job["id"])]
    assert job["status"] == "succeeded", "\n".join([job["error"], *log[-25:]])
    shown = client.get(f"/api/v1/restores/{created.data['id']}/").data
    assert shown["state"] == "succeeded" and shown["reached"] == job["result"]["reached"]
    return shown


def branch(provisioned, approver, name: str, target_type: str, target: str = "", inclusive: bool = True):
    """A branch restore into `name` on the free node; its rows, then the branch is destroyed and deleted."""
    client, node = provisioned.client, free_node(provisioned)
    shown = restore(provisioned, approver, {"mode": "branch", "new_cluster": name, "nodes": [node.ip],
                                            "target_type": target_type, "target": target, "inclusive": inclusive})
    try:
        return shown, rows(node.ip)
    finally:
        cluster_id = shown["new_cluster"]
        succeeded(client, client.post(f"/api/v1/clusters/{cluster_id}/destroy/", {"confirm": name}, format="json"))
        assert client.delete(f"/api/v1/clusters/{cluster_id}/").status_code == 204


def test_the_requester_cannot_approve_and_a_target_outside_the_window_is_refused(provisioned, committed, history):
    client = provisioned.client
    outside = client.post("/api/v1/restores/", {
        "cluster": provisioned.cluster_id, "mode": "branch", "new_cluster": "pg-never", "reason": "e2e",
        "nodes": [free_node(provisioned).ip], "target_type": "time", "target": "2000-01-01T00:00:00+00:00"},
        format="json")
    assert outside.status_code == 400 and "outside the recovery window" in str(outside.data["target"])
    created = client.post("/api/v1/restores/", {
        "cluster": provisioned.cluster_id, "mode": "branch", "new_cluster": "pg-never", "reason": "e2e",
        "nodes": [free_node(provisioned).ip], "target_type": "latest"}, format="json")
    assert created.status_code == 201, created.data
    own = client.post(f"/api/v1/restores/{created.data['id']}/approve/", {}, format="json")
    assert own.status_code == 403
    assert client.post(f"/api/v1/restores/{created.data['id']}/reject/", {"comment": "test"},
                       format="json").data["state"] == "rejected"


def test_a_branch_restore_to_a_time_yields_the_rows_committed_by_then(provisioned, committed, approver, history):
    shown, found = branch(provisioned, approver, "pg-test-t", "time", history["time"])
    assert found == [1, 2]
    reached = datetime.fromisoformat(shown["reached"]["time"])
    assert reached <= datetime.fromisoformat(history["time"]) and shown["reached"]["timeline"] >= 2


def test_a_branch_restore_to_a_transaction_includes_or_excludes_it(provisioned, committed, approver, history):
    assert branch(provisioned, approver, "pg-test-x", "xid", history["xid"])[1] == [1, 2]
    assert branch(provisioned, approver, "pg-test-xe", "xid", history["xid"], inclusive=False)[1] == [1]


def test_branch_restores_to_a_restore_point_and_to_an_lsn(provisioned, committed, approver, history):
    assert branch(provisioned, approver, "pg-test-n", "name", "e2e-before-4")[1] == [1, 2, 3]
    shown, found = branch(provisioned, approver, "pg-test-l", "lsn", history["lsn"])
    assert found == [1, 2, 3]


def test_a_restore_stopped_midway_runs_again_and_lands_where_asked(provisioned, committed, approver, history):
    """The restore job is cancelled once it has begun restoring into the branch's data directory (the request reads
    failed); running the request again converges from that half-done node to the asked point."""
    client, node, name = provisioned.client, free_node(provisioned), "pg-test-r"
    created = client.post("/api/v1/restores/", {
        "cluster": provisioned.cluster_id, "reason": "e2e", "mode": "branch", "new_cluster": name,
        "nodes": [node.ip], "target_type": "time", "target": history["time"]}, format="json")
    assert created.status_code == 201, created.data
    url = f"/api/v1/restores/{created.data['id']}/"
    first = approver.post(f"{url}approve/", {"comment": "ok"}, format="json").data["job"]
    deadline = time.monotonic() + 300
    while not client.get(f"/api/v1/jobs/{first}/").data["progress"]["name"].startswith(("restore", "recover")):
        assert time.monotonic() < deadline, client.get(f"/api/v1/jobs/{first}/").data
        time.sleep(0.1)
    assert client.post(f"/api/v1/jobs/{first}/cancel/").status_code == 202
    assert wait_job(client, first)["status"] == "cancelled"
    assert client.get(url).data["state"] == "failed"
    try:
        again = client.post(f"{url}retry/", {}, format="json")
        assert again.status_code == 200 and again.data["state"] == "running", again.data
        job = wait_job(client, again.data["job"])
        assert job["status"] == "succeeded", (job["error"], [line["text"] for line in job_log(client, job["id"])][-20:])
        shown = client.get(url).data
        assert shown["state"] == "succeeded" and shown["reached"] == job["result"]["reached"]
        assert rows(node.ip) == [1, 2]
    finally:
        cluster_id = created.data["new_cluster"]
        succeeded(client, client.post(f"/api/v1/clusters/{cluster_id}/destroy/", {"confirm": name}, format="json"))
        assert client.delete(f"/api/v1/clusters/{cluster_id}/").status_code == 204


def test_a_restore_drill_verifies_the_newest_backup_and_leaves_the_scratch_node_empty(provisioned, committed,
                                                                                      history):
    client, node = provisioned.client, free_node(provisioned)
    url = f"/api/v1/clusters/{provisioned.cluster_id}"
    job = succeeded(client, client.post(f"{url}/restore-drill/", {"node": node.ip}, format="json"))
    assert job["result"]["verified"] is True
    catalogue = client.get(f"{url}/backups/").data
    newest = max(catalogue["backups"], key=lambda b: b["stopped_at"])
    shown = catalogue["last_verified_restore"]
    assert (shown["backup_label"], shown["node_ip"], shown["job"]) == (newest["label"], node.ip, job["id"])
    assert shown["reached"]["lsn"] and shown["seconds"] > 0
    assert ssh.run(node, ssh.build("test", "-e", "/pg/data"), check=False).exit_code == 1
    assert ssh.run(node, ssh.build("pgrep", "-x", "postgres"), check=False).exit_code == 1


def test_an_in_place_restore_rolls_the_cluster_back_and_its_replicas_stream_again(provisioned, committed, approver,
                                                                                  history):
    client = provisioned.client
    shown = restore(provisioned, approver, {"mode": "in-place", "confirm": "pg-test", "target_type": "time",
                                            "target": history["time"]})
    assert rows(provisioned.nodes[0].ip, 5433) == [1, 2]
    assert_healthy(provisioned)
    with connect(provisioned.nodes[2].ip, 5433) as conn:
        conn.execute("INSERT INTO e2e_pitr (id) VALUES (6)")
    catalogue = client.get(f"/api/v1/clusters/{provisioned.cluster_id}/backups/").data
    newest = max(catalogue["backups"], key=lambda b: b["stopped_at"])
    assert newest["type"] == "full" and newest["started_at"] > shown["created"]
