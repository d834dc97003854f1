"""Failover tracking logic (tasks.poller) with Patroni's answer stubbed: when a leader change is a failover,
and that clusters are polled at once. The real path (a crashed node on the sandbox) is in tests/e2e."""
import time

import pytest

from clusters import models
from tasks.jobs import launch
from tasks.poller import poll_clusters, poll_cluster
from tests import factories


def three_member_cluster(**fields):
    cluster = factories.pg_cluster(status="running", **fields)
    for seq in (2, 3):
        factories.pg_instance(cluster, pg_seq=seq, pg_role="replica")
    models.PGInstance.objects.filter(cluster=cluster, pg_seq=1).update(live_role="primary")
    models.PGInstance.objects.filter(cluster=cluster, pg_seq__gt=1).update(live_role="replica")
    models.PGCluster.objects.filter(pk=cluster.pk).update(live_leader=f"{cluster.name}-1")
    return cluster


def patroni_says(monkeypatch, leaders: dict, delays: dict = None, finished: dict = None, timeline: int = 2):
    """Stub of record_live_state: cluster name → leader seq (0: no leader, None: nobody answers), every member on
    `timeline`; updates live roles and the cluster's leader as the real one does."""
    def fake(cluster, timeout=10):
        time.sleep((delays or {}).get(cluster.name, 0))
        seq = leaders[cluster.name]
        if seq is None:
            raise TimeoutError("no member answered")
        members = []
        if seq:
            cluster.live_leader = f"{cluster.name}-{seq}"
            cluster.save(update_fields=["live_leader"])
        for instance in cluster.instances.all():
            role = "primary" if instance.pg_seq == seq else "replica"
            instance.live_role = role
            instance.save(update_fields=["live_role"])
            members.append({"Member": instance.name, "Role": "Leader" if role == "primary" else "Replica",
                            "TL": timeline})
        if finished is not None:
            finished[cluster.name] = time.monotonic()
        return {"leader": f"{cluster.name}-{seq}" if seq else None, "members": members}
    monkeypatch.setattr("tasks.poller.record_live_state", fake)


@pytest.mark.django_db
def test_a_leader_change_without_a_job_is_a_failover_event(monkeypatch, api):
    cluster = three_member_cluster()
    patroni_says(monkeypatch, {cluster.name: 2})
    event = poll_cluster(cluster.pk)
    assert event.kind == "failover" and event.job is None
    assert event.message.startswith(f"failover: {cluster.name}-1 → {cluster.name}-2 at ")
    assert event.message.endswith("timeline 2")
    assert event.data["old_primary"] == f"{cluster.name}-1" and event.data["new_primary"] == f"{cluster.name}-2"
    assert cluster.instances.get(pg_seq=2).live_role == "primary"
    body = api.get(f"/api/v1/clusters/{cluster.pk}/events/").data
    assert body["count"] == 1 and body["results"][0]["message"] == event.message
    assert api.get("/api/v1/cluster-events/", {"kind": "failover", "cluster": cluster.pk}).data["count"] == 1
    assert api.get("/api/v1/cluster-events/", {"kind": "switchover"}).data["count"] == 0


@pytest.mark.django_db
def test_the_same_leader_or_no_known_leader_is_no_event(monkeypatch):
    same, unknown = three_member_cluster(), three_member_cluster()
    models.PGInstance.objects.filter(cluster=unknown).update(live_role="")
    models.PGCluster.objects.filter(pk=unknown.pk).update(live_leader="")
    patroni_says(monkeypatch, {same.name: 1, unknown.name: 2})
    assert poll_cluster(same.pk) is None and poll_cluster(unknown.pk) is None
    assert not models.ClusterEvent.objects.exists()
    assert unknown.instances.get(pg_seq=2).live_role == "primary"


@pytest.mark.django_db
def test_a_poll_during_the_election_keeps_the_last_leader(monkeypatch):
    cluster = three_member_cluster()
    patroni_says(monkeypatch, {cluster.name: 0})
    assert poll_cluster(cluster.pk) is None
    cluster.refresh_from_db()
    assert cluster.live_leader == f"{cluster.name}-1"
    patroni_says(monkeypatch, {cluster.name: 3})
    assert poll_cluster(cluster.pk).message.startswith(f"failover: {cluster.name}-1 → {cluster.name}-3 at ")


@pytest.mark.django_db
def test_a_leader_moved_by_a_running_job_is_not_a_failover(monkeypatch):
    cluster = three_member_cluster()
    factories.etcd_cluster(cluster.deployment)
    job = launch("pgsql.apply", cluster)
    job.status = "running"
    job.save()
    patroni_says(monkeypatch, {cluster.name: 3})
    assert poll_cluster(cluster.pk) is None
    assert not models.ClusterEvent.objects.exists()


@pytest.mark.django_db
def test_a_leader_moved_by_a_job_that_ended_during_the_poll_is_not_a_failover(monkeypatch):
    from django.utils import timezone

    cluster = three_member_cluster()
    factories.etcd_cluster(cluster.deployment)
    job = launch("pgsql.apply", cluster)

    def moved_by_the_job(cluster, timeout=10):
        job.status, job.finished_at = "succeeded", timezone.now()
        job.save()
        models.PGInstance.objects.filter(cluster=cluster).update(live_role="replica")
        return {"leader": f"{cluster.name}-2", "members": []}
    monkeypatch.setattr("tasks.poller.record_live_state", moved_by_the_job)
    assert poll_cluster(cluster.pk) is None
    assert not models.ClusterEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_clusters_are_polled_at_once_and_a_slow_one_delays_only_itself(monkeypatch):
    slow, quick, failing = three_member_cluster(), three_member_cluster(), three_member_cluster()
    declared = three_member_cluster()
    models.PGCluster.objects.filter(pk=declared.pk).update(status="declared")
    finished = {}
    patroni_says(monkeypatch, {slow.name: 2, quick.name: 3, failing.name: None}, delays={slow.name: 1.5},
                 finished=finished)
    started = time.monotonic()
    assert poll_clusters() == {"polled": 3, "failed": 1, "failovers": 2}
    assert finished[quick.name] - started < 1.0 < finished[slow.name] - started
    assert declared.name not in finished


def test_members_that_all_hang_do_not_hold_the_poll(monkeypatch):
    from types import SimpleNamespace

    from tasks.operations import livestate

    def hangs(node, timeout, connect_deadline=None):
        time.sleep(2)
    monkeypatch.setattr(livestate, "patroni_members", hangs)
    monkeypatch.setattr(livestate, "ANSWER_GRACE", 0.1)
    instances = [SimpleNamespace(node=SimpleNamespace(ip=f"198.18.0.{n}")) for n in (11, 12)]
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="no member of the cluster answered within 0.3 s"):
        livestate.read_members(instances, timeout=0.2)
    assert time.monotonic() - started < 1


@pytest.mark.django_db
def test_a_dead_leader_still_listed_costs_one_bounded_connect(monkeypatch):
    """Until its key expires, Patroni lists a crashed leader as running: its streaming state is read with the
    poll's own short connect deadline and treated as unknown when the node does not answer."""
    from types import SimpleNamespace

    from tasks import ssh
    from tasks.operations import livestate

    cluster = three_member_cluster()
    listing = [{"Member": i.name, "Role": "Leader" if i.pg_seq == 1 else "Replica", "State": "running", "TL": 1,
                "Lag in MB": 0 if i.pg_seq > 1 else ""} for i in cluster.instances.all()]
    asked = []

    def dead(node, timeout=30, connect_deadline=None):
        asked.append(connect_deadline)
        raise ssh.NodeUnreachableError(node.ip, "no SSH session on port 22: ConnectionRefusedError")
    monkeypatch.setattr(livestate, "read_members", lambda instances, timeout: listing)
    monkeypatch.setattr(livestate, "replication_status", dead)
    state = livestate.record_live_state(cluster, timeout=3)
    assert asked == [3] and state["leader"] == listing[0]["Member"] and state["streaming"] == []
    assert {i.live_state for i in cluster.instances.all()} == {"running"}


@pytest.mark.django_db
def test_a_new_leader_still_promoting_is_recorded_on_a_later_poll_with_its_new_timeline(monkeypatch):
    """Patroni names the new leader as soon as it holds the leader key, before its promotion moves it to the next
    timeline: the event waits for that, so it names the timeline the cluster is on after the failover."""
    cluster = three_member_cluster()
    models.PGInstance.objects.filter(cluster=cluster).update(live_timeline=3)
    patroni_says(monkeypatch, {cluster.name: 2}, timeline=3)
    assert poll_cluster(cluster.pk) is None
    assert models.PGCluster.objects.get(pk=cluster.pk).live_leader == f"{cluster.name}-1"
    patroni_says(monkeypatch, {cluster.name: 2}, timeline=4)
    event = poll_cluster(cluster.pk)
    assert event.message.endswith("timeline 4") and event.data["old_primary"] == f"{cluster.name}-1"


@pytest.mark.django_db
def test_the_lag_of_a_streaming_replica_is_read_on_the_leader_not_from_patronis_dcs_positions(monkeypatch):
    """Patroni's "Lag in MB" compares positions each member publishes on its own loop (32 MB right after two WAL
    switches on a replica that has everything); the leader's pg_stat_replication gives the lag at one instant. A
    replica the leader does not stream to keeps Patroni's figure."""
    from tasks.operations import livestate

    cluster = three_member_cluster()
    names = sorted(i.name for i in cluster.instances.all())
    listing = [{"Member": name, "Role": "Leader" if n == 0 else "Replica", "State": "running", "TL": 1,
                "Lag in MB": "" if n == 0 else 32} for n, name in enumerate(names)]
    monkeypatch.setattr(livestate, "read_members", lambda instances, timeout: listing)
    monkeypatch.setattr(livestate, "replication_status", lambda node, timeout=30, connect_deadline=None: {
        names[1]: {"state": "streaming", "lag": 524288}, names[2]: {"state": "catchup", "lag": 0}})
    livestate.record_live_state(cluster, timeout=3)
    lag = {i.name: (i.live_state, i.live_lag_mb) for i in cluster.instances.all()}
    assert lag == {names[0]: ("running", None), names[1]: ("streaming", 0.5), names[2]: ("running", 32)}
