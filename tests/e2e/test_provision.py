"""Provisioning end to end: ETCD and pg-test (1 primary + 2 replicas) built through the API and a real Celery
worker on the 3-node sandbox, then checked with real clients: patronictl on the nodes, psycopg through every
service port. Ends with destroy, a worker killed in the middle of an apply, and the re-run that converges."""
import json
import time
import uuid

import psycopg
import pytest

from clusters import models
from tasks import ssh
from tasks.models import Job

from .conftest import (BUSINESS_DB, BUSINESS_PASSWORD, BUSINESS_USER, LIMITED_DB, LIMITED_PASSWORD, LIMITED_USER,
                       job_log, succeeded, wait_job)

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]

APPLY_STEPS = ["check nodes and packages", "write configuration files", "start Patroni on the primary",
               "start replicas and wait for streaming", "apply Patroni dynamic configuration",
               "start pgBouncer and HAProxy services",
               "create roles, users and databases", "create pgBackRest stanza and check archiving",
               "verify and record live state"]


def connect(ip, port, dbname=BUSINESS_DB, user=BUSINESS_USER, password=BUSINESS_PASSWORD, **kwargs):
    return psycopg.connect(host=ip, port=port, dbname=dbname, user=user, password=password, connect_timeout=10,
                           autocommit=True, **kwargs)


def one(conn, query, *args):
    return conn.execute(query, args or None).fetchone()[0]


def patroni_list(node) -> list[dict]:
    return json.loads(ssh.run(node, ssh.build("patronictl", "-c", "/etc/patroni/patroni.yml", "list", "-f",
                                              "json"), timeout=30).stdout)


def streaming_from(node) -> dict:
    """pg_stat_replication on a primary, read with psql on the node: {application_name: state}."""
    out = ssh.run(node, ssh.build("runuser", "-u", "postgres", "--", "psql", "-AtXc",
                                  "SELECT application_name, state FROM pg_stat_replication"), timeout=30).stdout
    return dict(line.split("|", 1) for line in out.splitlines() if "|" in line)


def assert_healthy(provisioned):
    """One running Leader and two Replicas with no lag in `patronictl list`, both streaming from the leader.
    (Patroni 3.0.2, Debian bookworm's, lists a streaming replica as "running"; 3.0.4+ says "streaming".)"""
    members = patroni_list(provisioned.nodes[0])
    assert sorted(m["Member"] for m in members) == ["pg-test-1", "pg-test-2", "pg-test-3"]
    leaders = [m for m in members if m["Role"] == "Leader"]
    replicas = [m for m in members if m["Role"] in ("Replica", "Sync Standby")]
    assert len(leaders) == 1 and leaders[0]["State"] == "running", members
    assert len(replicas) == 2, members
    assert all(m["State"] in ("running", "streaming") and m["Lag in MB"] == 0 for m in replicas), members
    leader_node = next(n for n in provisioned.nodes if n.ip == leaders[0]["Host"])
    assert streaming_from(leader_node) == {m["Member"]: "streaming" for m in replicas}
    return members


def test_etcd_cluster_is_healthy(provisioned, committed):
    assert provisioned.etcd_job["result"]["healthy_members"] == 3
    endpoints = ",".join(f"http://{n.ip}:2379" for n in provisioned.nodes)
    health = ssh.run(provisioned.nodes[1], ssh.build("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", endpoints,
                                                     "endpoint", "health"), timeout=30)
    assert (health.stdout + health.stderr).count("is healthy") == 3
    assert models.EtcdCluster.objects.get(pk=provisioned.etcd_id).status == "running"


def test_patronictl_shows_one_leader_and_two_streaming_replicas(provisioned, committed):
    members = assert_healthy(provisioned)
    assert next(m for m in members if m["Role"] == "Leader")["Member"] == "pg-test-1"


def test_a_write_through_5433_of_any_member_lands_on_the_primary(provisioned, committed):
    marker = uuid.uuid4().hex
    primary_ip = provisioned.nodes[0].ip
    with connect(primary_ip, 5436) as direct:
        direct.execute("CREATE TABLE IF NOT EXISTS e2e_writes (marker text, via text)")
    for node in provisioned.nodes:
        with connect(node.ip, 5433) as conn:
            conn.execute("INSERT INTO e2e_writes VALUES (%s, %s)", (marker, node.ip))
            assert one(conn, "SELECT pg_is_in_recovery()") is False
    with connect(primary_ip, 5436) as direct:
        assert one(direct, "SELECT host(inet_server_addr())") == primary_ip
        rows = direct.execute("SELECT via FROM e2e_writes WHERE marker = %s", (marker,)).fetchall()
    assert sorted(r[0] for r in rows) == sorted(n.ip for n in provisioned.nodes)


def test_5434_and_5438_answer_from_a_replica(provisioned, committed):
    for node in provisioned.nodes:
        with connect(node.ip, 5434) as conn:
            assert one(conn, "SELECT pg_is_in_recovery()") is True
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("CREATE TABLE e2e_never (id int)")
    with connect(provisioned.nodes[1].ip, 5438) as offline:
        assert one(offline, "SELECT pg_is_in_recovery()") is True


def test_5436_reaches_the_primary_directly(provisioned, committed):
    primary_ip = provisioned.nodes[0].ip
    for node in provisioned.nodes:
        with connect(node.ip, 5436) as conn:
            assert one(conn, "SELECT pg_is_in_recovery()") is False
            assert one(conn, "SELECT host(inet_server_addr())") == primary_ip
            assert one(conn, "SELECT host(inet_client_addr())") == node.ip  # HAProxy of that member, no pooler


def test_6432_is_pgbouncer(provisioned, committed):
    passwords = provisioned.cluster.secret_vars
    for node in provisioned.nodes:
        with connect(node.ip, 6432, dbname="pgbouncer", user="dbuser_dba",
                     password=passwords["pg_admin_password"], cursor_factory=psycopg.ClientCursor) as admin:
            assert "PgBouncer" in str(admin.execute("SHOW VERSION").fetchone())
            pools = {row[0] for row in admin.execute("SHOW DATABASES").fetchall()}
            assert {BUSINESS_DB, LIMITED_DB} <= pools
        with connect(node.ip, 6432) as pooled:
            assert one(pooled, "SELECT current_user") == BUSINESS_USER


def test_the_business_user_logs_in_with_its_password_and_not_without(provisioned, committed):
    ip = provisioned.nodes[2].ip
    with connect(ip, 5433) as conn:
        assert one(conn, "SELECT current_database()") == BUSINESS_DB
        assert one(conn, "SELECT pg_has_role('dbrole_readwrite', 'MEMBER')") is True
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(provisioned.nodes[0].ip, 5436, password="not-" + BUSINESS_PASSWORD)


def test_hba_rules_admit_what_they_allow_and_refuse_the_rest(provisioned, committed):
    ip = provisioned.nodes[0].ip
    with connect(ip, 5436, dbname=LIMITED_DB, user=LIMITED_USER, password=LIMITED_PASSWORD) as conn:
        assert one(conn, "SELECT current_user") == LIMITED_USER
    with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry"):
        connect(ip, 5436, dbname=BUSINESS_DB, user=LIMITED_USER, password=LIMITED_PASSWORD)


def test_the_job_log_shows_each_step(provisioned, committed):
    texts = [line["text"] for line in job_log(provisioned.client, provisioned.apply_job["id"])]
    for index, step in enumerate(APPLY_STEPS, start=1):
        assert f"step {index}/{len(APPLY_STEPS)}: {step}" in texts
    assert any(t.startswith("succeeded: ") for t in texts)
    assert provisioned.apply_job["progress"] == {"step": len(APPLY_STEPS), "of": len(APPLY_STEPS),
                                                 "name": APPLY_STEPS[-1]}
    assert any("started patroni" in t for t in texts) and any("wrote /etc/patroni/patroni.yml" in t for t in texts)


def test_the_cluster_shows_live_state_read_from_patroni(provisioned, committed):
    body = provisioned.client.get(f"/api/v1/clusters/{provisioned.cluster_id}/").data
    assert body["status"] == "running" and body["last_applied"]
    by_name = {i["name"]: i for i in body["instances"]}
    assert by_name["pg-test-1"]["live_role"] == "primary" and by_name["pg-test-1"]["live_state"] == "running"
    for name in ("pg-test-2", "pg-test-3"):
        assert by_name[name]["live_role"] == "replica" and by_name[name]["live_state"] == "streaming"
        assert by_name[name]["live_lag_mb"] is not None
    assert {i["node_ip"] for i in body["instances"]} == {n.ip for n in provisioned.nodes}
    timelines = {m["Member"]: m["TL"] for m in patroni_list(provisioned.nodes[0])}
    assert all(by_name[name]["live_timeline"] == tl for name, tl in timelines.items())


def test_apply_again_on_the_healthy_cluster_succeeds_with_no_change(provisioned, committed):
    client = provisioned.client
    first = client.post(f"/api/v1/clusters/{provisioned.cluster_id}/apply/")
    busy = client.post(f"/api/v1/clusters/{provisioned.cluster_id}/apply/")
    assert busy.status_code == 409 and busy.data["running_job"] == first.data["id"]
    job = succeeded(client, first)
    assert job["result"]["changed"] == []
    assert job["result"]["summary"].startswith("no change")
    assert_healthy(provisioned)


def test_system_passwords_are_random_per_cluster_and_encrypted(provisioned, committed):
    from clusters.validators import WELL_KNOWN_PASSWORDS
    from django.db import connection
    passwords = provisioned.cluster.secret_vars
    assert len(passwords) >= 4 and not set(passwords.values()) & set(WELL_KNOWN_PASSWORDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_vars FROM clusters_pgcluster WHERE id = %s", [provisioned.cluster_id])
        raw = cursor.fetchone()[0]
    assert not any(value in str(raw) for value in passwords.values())
    text = " ".join(line["text"] for line in job_log(provisioned.client, provisioned.apply_job["id"]))
    assert not any(value in text for value in passwords.values()) and BUSINESS_PASSWORD not in text


def test_destroy_removes_the_cluster_from_its_nodes(provisioned, committed):
    client, cluster_id = provisioned.client, provisioned.cluster_id
    job = succeeded(client, client.post(f"/api/v1/clusters/{cluster_id}/destroy/", {"confirm": "pg-test"},
                                        format="json"))
    assert any("removed service patroni" in c for c in job["result"]["changed"])
    for node in provisioned.nodes:
        left = ssh.run(node, "test -e /pg/data/PG_VERSION || test -e /etc/patroni/patroni.yml; echo $?").stdout
        assert left.strip() == "1"
        with pytest.raises(psycopg.OperationalError):
            connect(node.ip, 5436)
    assert provisioned.cluster.status == "destroyed"
    assert {i.live_state for i in provisioned.cluster.instances.all()} == {"absent"}


def test_a_worker_killed_mid_job_leaves_it_failed_and_a_rerun_converges(provisioned, committed,
                                                                         celery_worker_process):
    client, cluster_id = provisioned.client, provisioned.cluster_id
    started = client.post(f"/api/v1/clusters/{cluster_id}/apply/")
    assert started.status_code == 202
    job_id = started.data["id"]
    deadline_step = APPLY_STEPS.index("start Patroni on the primary") + 1
    wait_until(lambda: Job.objects.get(pk=job_id).step_index >= deadline_step, what="the apply reaching Patroni")
    celery_worker_process.kill()
    killed = Job.objects.get(pk=job_id)
    assert killed.status == "running"
    celery_worker_process.start()
    failed = wait_job(client, job_id, timeout=60)
    assert failed["status"] == "failed"
    assert "stopped during step" in failed["error"] and "killed or crashed" in failed["error"]
    assert failed["finished_at"]
    again = client.post(f"/api/v1/clusters/{cluster_id}/apply/")
    job = succeeded(client, again)
    assert job["result"]["members"]
    assert_healthy(provisioned)
    with connect(provisioned.nodes[1].ip, 5433) as conn:
        assert one(conn, "SELECT pg_is_in_recovery()") is False


def wait_until(check, what: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")
