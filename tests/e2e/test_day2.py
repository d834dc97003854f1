"""Day-2 changes on the shared pg-test cluster through the API and the real worker, checked on the nodes: the
RTO plan (Patroni's ttl/loop_wait and HAProxy's check intervals on every member), PostgreSQL parameters (applied
or reported as needing a restart), HBA rules (a new rule admits a connection it refused before), and users and
databases created, changed and dropped on the live cluster (a new user logs in, a dropped one cannot); a replica
removed and added again, a rolling restart for a parameter that needs one, a replica reinitialized."""
import json

import psycopg
import pytest

from clusters import models
from tasks import ssh
from tasks.operations import haproxy

from .conftest import BUSINESS_DB, LIMITED_PASSWORD, LIMITED_USER, job_log, succeeded, wait_job
from .test_provision import assert_healthy, connect, one, patroni_list

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


def patroni_config(node) -> dict:
    return json.loads(ssh.run(node, ssh.build("curl", "-sS", f"http://{node.ip}:8008/config"), timeout=20).stdout)


def haproxy_worker_pid(node) -> int:
    info = haproxy.send(node, ["show info"])
    return int(next(line.split(":", 1)[1] for line in info.splitlines() if line.startswith("Pid:")))


def configure(provisioned, body) -> dict:
    return succeeded(provisioned.client, provisioned.client.post(
        f"/api/v1/clusters/{provisioned.cluster_id}/configure/", body, format="json"))


def test_changing_pg_rto_changes_patroni_and_haproxy_on_every_member(provisioned, committed):
    nodes = provisioned.nodes
    for mode, ttl, loop_wait, checks in [("safe", 60, 10, "inter 3s fastinter 1500ms downinter 3s"),
                                         ("fast", 20, 5, "inter 1s fastinter 500ms downinter 1s")]:
        workers = {node.ip: haproxy_worker_pid(node) for node in nodes}
        job = configure(provisioned, {"pg_rto": mode})
        assert "ttl: " in " ".join(job["result"]["changed"]), job["result"]
        for node in nodes:
            config = patroni_config(node)
            assert (config["ttl"], config["loop_wait"]) == (ttl, loop_wait), (node.ip, config)
            cfg = ssh.run(node, ssh.build("cat", "/etc/haproxy/haproxy.cfg"), timeout=20).stdout
            assert f"default-server {checks} rise 3 fall 3" in cfg
            assert haproxy_worker_pid(node) != workers[node.ip], f"HAProxy on {node.ip} was not reloaded"
        assert job["result"]["pending_restart"] == {}
    assert models.PGCluster.objects.get(pk=provisioned.cluster_id).pg_rto == "fast"


def test_parameter_changes_apply_or_report_the_restart_they_need(provisioned, committed):
    job = configure(provisioned, {"pg_parameters": {"work_mem": "24MB", "max_connections": 150}})
    assert sorted(job["result"]["pending_restart"]) == ["pg-test-1", "pg-test-2", "pg-test-3"]
    assert all(params == ["max_connections"] for params in job["result"]["pending_restart"].values())
    for node in provisioned.nodes:
        with connect(node.ip, 5433) as conn:
            assert one(conn, "SHOW work_mem") == "24MB"
    job = configure(provisioned, {"pg_parameters": {}})
    assert job["result"]["pending_restart"] == {}, "back to the running value: nothing waits for a restart"
    with connect(provisioned.nodes[0].ip, 5433) as conn:
        assert one(conn, "SHOW work_mem") != "24MB"


def test_a_new_hba_rule_admits_a_connection_it_previously_refused(provisioned, committed):
    client, ip = provisioned.client, provisioned.nodes[1].ip

    def limited_user_reaches_the_business_db():
        try:
            with connect(ip, 5436, dbname=BUSINESS_DB, user=LIMITED_USER, password=LIMITED_PASSWORD) as conn:
                return one(conn, "SELECT current_user") == LIMITED_USER
        except psycopg.OperationalError as exc:
            assert "no pg_hba.conf entry" in str(exc)
            return False

    assert not limited_user_reaches_the_business_db()
    created = client.post("/api/v1/hba-rules/", {
        "deployment": provisioned.deployment.pk, "cluster": provisioned.cluster_id, "user": LIMITED_USER,
        "db": BUSINESS_DB, "addr": "intra", "auth": "pwd", "title": "limited user reads the business db"},
        format="json")
    assert created.status_code == 201, created.data
    preview = client.get(f"/api/v1/clusters/{provisioned.cluster_id}/hba/preview/").data
    assert all(f"{BUSINESS_DB:<12} {LIMITED_USER}" in text for text in preview["pg_hba"].values())
    assert not limited_user_reaches_the_business_db(), "a rule takes effect only when applied"

    job = succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/hba/apply/"))
    assert any("wrote /etc/patroni/patroni.yml" in c for c in job["result"]["changed"])
    assert limited_user_reaches_the_business_db()

    assert client.delete(f"/api/v1/hba-rules/{created.data['id']}/").status_code == 204
    succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/hba/apply/"))
    assert not limited_user_reaches_the_business_db()


def test_users_and_databases_change_on_the_live_cluster(provisioned, committed):
    client, ip = provisioned.client, provisioned.nodes[2].ip
    name, first, second, db = "dbuser_e2e_new", "First-pass-e2e-1", "Second-pass-e2e-2", "e2e_new_db"

    def job_of(response, status=201):
        """The job a change started (its id is the body's on a drop, `job` on a create or change), finished."""
        assert response.status_code == status, response.data
        job = wait_job(client, response.data["id"] if status == 202 else response.data["job"]["id"])
        assert job["status"] == "succeeded", job["error"]
        return job

    created = client.post("/api/v1/users/", {"cluster": provisioned.cluster_id, "name": name, "password": first,
                                             "roles": ["dbrole_readwrite"], "pgbouncer": True}, format="json")
    job_of(created)
    for port in (5433, 6432, 5436):  # through pgBouncer (its user list was updated and reloaded) and directly
        with connect(ip, port, user=name, password=first) as conn:
            assert one(conn, "SELECT current_user") == name

    job_of(client.patch(f"/api/v1/users/{created.data['id']}/", {"password": second}, format="json"), 200)
    with pytest.raises(psycopg.OperationalError):
        connect(ip, 5436, user=name, password=first)
    with connect(ip, 6432, user=name, password=second) as conn:
        assert one(conn, "SELECT current_user") == name

    made = client.post("/api/v1/databases/", {"cluster": provisioned.cluster_id, "name": db, "owner": name},
                       format="json")
    job_of(made)
    with connect(ip, 6432, dbname=db, user=name, password=second) as conn:
        assert one(conn, "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = "
                         "current_database()") == name

    refused = client.delete(f"/api/v1/databases/{made.data['id']}/", {"confirm": "wrong"}, format="json")
    assert refused.status_code == 400
    job_of(client.delete(f"/api/v1/databases/{made.data['id']}/", {"confirm": db}, format="json"), 202)
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        connect(ip, 5436, dbname=db, user=name, password=second)

    job_of(client.delete(f"/api/v1/users/{created.data['id']}/", {"confirm": name}, format="json"), 202)
    for port in (5436, 6432):
        with pytest.raises(psycopg.OperationalError):
            connect(ip, port, user=name, password=second)


def members_now(provisioned) -> dict:
    """{member: row} of `patronictl list` on the first node."""
    return {m["Member"]: m for m in patroni_list(provisioned.nodes[0])}


def test_remove_and_add_a_replica_change_patronictl_list(provisioned, committed):
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}"
    leader = next(name for name, m in members_now(provisioned).items() if m["Role"] == "Leader")
    gone = next(name for name in ("pg-test-3", "pg-test-2") if name != leader)
    node = next(n for n in provisioned.nodes if n.ip == members_now(provisioned)[gone]["Host"])
    seq = int(gone.rsplit("-", 1)[1])

    refused = client.post(f"{url}/remove-replica/", {"instance": leader, "confirm": leader}, format="json")
    assert refused.status_code == 400 and "primary" in refused.data["instance"][0]
    unconfirmed = client.post(f"{url}/remove-replica/", {"instance": gone}, format="json")
    assert unconfirmed.status_code == 400 and f'"confirm": "{gone}"' in unconfirmed.data["confirm"][0]

    succeeded(client, client.post(f"{url}/remove-replica/", {"instance": gone, "confirm": gone}, format="json"))
    assert gone not in members_now(provisioned) and len(members_now(provisioned)) == 2
    assert not models.PGInstance.objects.filter(cluster_id=provisioned.cluster_id, pg_seq=seq).exists()
    assert ssh.run(node, "test -e /pg/data/PG_VERSION", check=False).exit_code == 1
    for other in provisioned.nodes:
        if other.ip != node.ip:
            assert gone not in {server for _, server in haproxy.server_states(other)}, "HAProxy still lists it"

    busy_node = client.post(f"{url}/add-replica/", {"ip": "198.18.0.250"}, format="json")
    assert busy_node.status_code == 400 and "no node 198.18.0.250" in busy_node.data["ip"][0]
    job = succeeded(client, client.post(f"{url}/add-replica/", {"ip": node.ip, "pg_seq": seq}, format="json"))
    assert any("started patroni" in c for c in job["result"]["changed"])
    members = assert_healthy(provisioned)
    assert {m["Member"] for m in members} == {"pg-test-1", "pg-test-2", "pg-test-3"}
    with connect(node.ip, 5432) as conn:  # PostgreSQL of the new member itself
        assert one(conn, "SELECT pg_is_in_recovery()") is True


def test_rolling_restart_applies_a_parameter_that_needs_it(provisioned, committed):
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}"
    job = configure(provisioned, {"pg_parameters": {"max_connections": 300}})
    assert sorted(job["result"]["pending_restart"]) == ["pg-test-1", "pg-test-2", "pg-test-3"]
    leader = next(name for name, m in members_now(provisioned).items() if m["Role"] == "Leader")

    job = succeeded(client, client.post(f"{url}/restart/", {"pending_only": True}, format="json"))
    steps = [line["text"] for line in job_log(client, job["id"]) if line["text"].startswith("step ")]
    assert [s.split(": ", 1)[1] for s in steps][:3] == ["check the leader", "restart the replicas one by one",
                                                        "check the leader and the candidate"]
    assert job["result"]["old_primary"] == leader and job["result"]["new_primary"] != leader
    assert_healthy(provisioned)
    for node in provisioned.nodes:
        with connect(node.ip, 5436 if node.ip == members_now(provisioned)[job["result"]["new_primary"]]["Host"]
                     else 5434) as conn:
            assert one(conn, "SHOW max_connections") == "300"
    assert not any(m.get("Pending restart") for m in members_now(provisioned).values())
    events = client.get(f"{url}/events/").data["results"]
    assert events[0]["kind"] == "switchover" and events[0]["job"] == job["id"]


def test_reinit_rebuilds_a_replica_from_the_primary(provisioned, committed):
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}"
    leader = next(name for name, m in members_now(provisioned).items() if m["Role"] == "Leader")
    refused = client.post(f"{url}/reinit/", {"instance": leader}, format="json")
    assert refused.status_code == 400 and "is the primary now" in refused.data["instance"][0]
    replica = next(name for name in sorted(members_now(provisioned)) if name != leader)
    node = next(n for n in provisioned.nodes if n.ip == members_now(provisioned)[replica]["Host"])
    ssh.run(node, "touch /pg/data/e2e-marker")
    succeeded(client, client.post(f"{url}/reinit/", {"instance": replica}, format="json"))
    assert ssh.run(node, "test -e /pg/data/e2e-marker", check=False).exit_code == 1, "the data directory was kept"
    assert_healthy(provisioned)


def test_reload_every_member_and_restart_one(provisioned, committed):
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}"
    job = succeeded(client, client.post(f"{url}/reload/", {}, format="json"))
    assert sum(line["text"].startswith("reloaded pg-test-") for line in job_log(client, job["id"])) == 3
    leader = next(name for name, m in members_now(provisioned).items() if m["Role"] == "Leader")
    replica = next(name for name in sorted(members_now(provisioned)) if name != leader)
    node = next(n for n in provisioned.nodes if n.ip == members_now(provisioned)[replica]["Host"])
    with connect(node.ip, 5432) as conn:
        started = one(conn, "SELECT pg_postmaster_start_time()")
    job = succeeded(client, client.post(f"{url}/restart/", {"instance": replica}, format="json"))
    assert any(f"restarted {replica} (Patroni: " in c for c in job["result"]["changed"]), job["result"]
    with connect(node.ip, 5432) as conn:
        assert one(conn, "SELECT pg_postmaster_start_time()") > started
    assert next(name for name, m in members_now(provisioned).items() if m["Role"] == "Leader") == leader
    assert_healthy(provisioned)
