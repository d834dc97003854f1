"""Unplanned failover end to end: the primary's whole node crashes (SIGKILL to the sandbox node's init process
takes its Patroni, PostgreSQL, etcd member and sshd down at once). Another member becomes leader, writes through
5433 resume, the panel's poller (Celery beat → worker, every RDS_POLL_INTERVAL s) records the failover event
within two poll intervals of the leader change, and the crashed node, brought back, rejoins as a replica."""
import os
import signal
import time

import psycopg
import pytest

from clusters.models import ClusterEvent
from tasks.sandbox import SandboxConfig, status, up

from tests.fixtures_worker import POLL_INTERVAL

from .conftest import BUSINESS_DB, BUSINESS_PASSWORD, BUSINESS_USER
from .test_provision import assert_healthy, patroni_list
from .writer import Writer

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


def test_a_crashed_primary_node_fails_over_and_the_panel_records_it(provisioned, committed):
    nodes = provisioned.nodes
    before = patroni_list(nodes[0])
    old = next(m for m in before if m["Role"] == "Leader")
    survivors = [n for n in nodes if n.ip != old["Host"]]
    watcher = survivors[0]
    cfg = SandboxConfig.default()
    init_pid = next(row["pid"] for row in status(cfg) if row["ip"] == old["Host"])
    with psycopg.connect(host=watcher.ip, port=5433, dbname=BUSINESS_DB, user=BUSINESS_USER,
                         password=BUSINESS_PASSWORD, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS e2e_failover (id int)")
    ClusterEvent.objects.filter(cluster_id=provisioned.cluster_id).delete()
    writer = Writer(watcher.ip, BUSINESS_DB, BUSINESS_USER, BUSINESS_PASSWORD, table="e2e_failover")
    writer.start()
    time.sleep(1)
    crashed = time.monotonic()
    os.kill(init_pid, signal.SIGKILL)

    deadline = crashed + 90
    new = None
    while new is None and time.monotonic() < deadline:
        try:
            new = next((m for m in patroni_list(watcher) if m["Role"] == "Leader" and m["Member"] != old["Member"]
                        and m["State"] == "running"), None)
        except Exception:  # noqa: BLE001  (the watcher's Patroni may be busy with the election)
            new = None
        if new is None:
            time.sleep(0.2)
    assert new, f"no new leader within 90 s of crashing {old['Member']}"
    led = time.monotonic()
    event = None
    while event is None and time.monotonic() < led + 2 * POLL_INTERVAL + 5:
        event = ClusterEvent.objects.filter(cluster_id=provisioned.cluster_id, kind="failover").first()
        time.sleep(0.2)
    seen = time.monotonic()
    time.sleep(2)
    writer.stop.set()
    writer.join(10)

    assert event is not None, "the panel recorded no failover event"
    assert seen - led <= 2 * POLL_INTERVAL + 1, f"event {seen - led:.1f} s after the leader change"
    assert event.message.startswith(f"failover: {old['Member']} → {new['Member']} at ")
    # Patroni lists the new leader as running a moment before its promotion moves it to the next timeline,
    # so the timeline is read again now: one past the old leader's
    timeline = next(m["TL"] for m in patroni_list(watcher) if m["Member"] == new["Member"])
    assert timeline == old["TL"] + 1
    assert f"timeline {timeline}" in event.message and event.job is None
    assert any(t > led for _, t in writer.acked), "writes through 5433 did not resume"
    body = provisioned.client.get(f"/api/v1/clusters/{provisioned.cluster_id}/events/").data
    assert body["results"][0]["kind"] == "failover"

    up(cfg, len(status(cfg)), install=False, log=lambda message: None)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            assert_healthy(provisioned)
            break
        except Exception:  # noqa: BLE001  (rejoining: rewind, restart, catch-up)
            time.sleep(1)
    members = assert_healthy(provisioned)
    assert next(m for m in members if m["Member"] == old["Member"])["Role"] in ("Replica", "Sync Standby")
