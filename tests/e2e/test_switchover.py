"""Switchover end to end on the shared pg-test cluster: refused requests, then a switchover through the API while
a client writes through 5433 every 20 ms — the leader moves, no acknowledged row is lost, writes go on, HAProxy
on every member routes to the new primary, and the switchover is an event of the cluster."""
import time

import psycopg
import pytest

from tasks.operations import haproxy

from .conftest import BUSINESS_DB, BUSINESS_PASSWORD, BUSINESS_USER, job_log, succeeded
from .test_provision import assert_healthy, patroni_list
from .writer import Writer

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


def test_switchover_requests_that_cannot_apply_are_refused(provisioned, committed):
    client, url = provisioned.client, f"/api/v1/clusters/{provisioned.cluster_id}/switchover/"
    leader = next(m["Member"] for m in patroni_list(provisioned.nodes[0]) if m["Role"] == "Leader")
    for body, field, text in [({"candidate": leader}, "candidate", "already the primary"),
                              ({"candidate": "pg-test-9"}, "candidate", "no instance named pg-test-9"),
                              ({"scheduled_at": "2020-01-01T00:00:00Z"}, "scheduled_at", "in the future")]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, response.data
        assert text in response.data[field][0]


def test_switchover_moves_the_leader_without_losing_a_committed_row(provisioned, committed):
    client, nodes = provisioned.client, provisioned.nodes
    leader = next(m for m in patroni_list(nodes[0]) if m["Role"] == "Leader")
    candidate = next(m["Member"] for m in patroni_list(nodes[0]) if m["Role"] != "Leader")
    with psycopg.connect(host=leader["Host"], port=5436, dbname=BUSINESS_DB, user=BUSINESS_USER,
                         password=BUSINESS_PASSWORD, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS e2e_switch (id int, at timestamptz DEFAULT now())")
        conn.execute("TRUNCATE e2e_switch")
    writer = Writer(nodes[2].ip, BUSINESS_DB, BUSINESS_USER, BUSINESS_PASSWORD, table="e2e_switch")
    writer.start()
    time.sleep(1)
    job = succeeded(client, client.post(f"/api/v1/clusters/{provisioned.cluster_id}/switchover/",
                                        {"candidate": candidate}, format="json"))
    switched_at = time.monotonic()
    time.sleep(2)
    writer.stop.set()
    writer.join(10)

    assert job["result"]["old_primary"] == leader["Member"] and job["result"]["new_primary"] == candidate
    assert job["result"]["write_outage_s"] >= 0
    members = assert_healthy(provisioned)
    assert next(m["Member"] for m in members if m["Role"] == "Leader") == candidate
    new_ip = next(m["Host"] for m in members if m["Member"] == candidate)
    with psycopg.connect(host=new_ip, port=5436, dbname=BUSINESS_DB, user=BUSINESS_USER,
                         password=BUSINESS_PASSWORD) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM e2e_switch")}
    acked = {seq for seq, _ in writer.acked}
    assert acked and acked <= stored, f"lost acknowledged rows: {sorted(acked - stored)[:10]}"
    assert any(t > switched_at for _, t in writer.acked), "no write succeeded after the switchover"

    for node in nodes:  # operational state: 0 down, 1 up and ramping its weight (slowstart), 2 up
        states = haproxy.server_states(node)
        assert states[("pg-test-primary", candidate)] in (1, 2)
        assert states[("pg-test-primary", leader["Member"])] == 0

    body = client.get(f"/api/v1/clusters/{provisioned.cluster_id}/").data
    assert {i["name"]: i["live_role"] for i in body["instances"]}[candidate] == "primary"
    events = client.get(f"/api/v1/clusters/{provisioned.cluster_id}/events/").data["results"]
    assert events[0]["kind"] == "switchover" and events[0]["job"] == job["id"]
    assert events[0]["message"].startswith(f"switchover: {leader['Member']} → {candidate} at ")


def test_apply_after_a_switchover_keeps_the_live_primary_and_changes_nothing(provisioned, committed):
    """The requested primary (pg_role) is pg-test-1, but Patroni leads elsewhere now: a re-apply converges
    around the live leader instead of waiting for pg-test-1 to lead."""
    leader = next(m["Member"] for m in patroni_list(provisioned.nodes[0]) if m["Role"] == "Leader")
    assert leader != "pg-test-1"
    job = succeeded(provisioned.client, provisioned.client.post(f"/api/v1/clusters/{provisioned.cluster_id}/apply/"))
    assert job["result"]["summary"] == "no change: everything was already as declared", job["result"]
    texts = [line["text"] for line in job_log(provisioned.client, job["id"])]
    assert any(t.startswith(f"{leader} leads now") for t in texts)
    assert next(m["Member"] for m in assert_healthy(provisioned) if m["Role"] == "Leader") == leader
