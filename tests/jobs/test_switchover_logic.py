"""Switchover planning without nodes: which replica may be promoted, and the HAProxy runtime commands that move
the writer (the real switchover runs in tests/e2e/test_switchover.py)."""
import pytest

from clusters import models
from tasks.kinds import pgsql_switchover
from tasks.kinds.pgsql_switchover import Choice, choose_candidate, settled_choice
from tasks.operations import haproxy
from tests import factories


@pytest.fixture
def cluster():
    cluster = factories.pg_cluster(status="running", pg_rpo=1048576)
    for seq in (2, 3):
        factories.pg_instance(cluster, pg_seq=seq, pg_role="replica")
    live = {1: ("primary", "running", None), 2: ("replica", "streaming", 0.5), 3: ("replica", "streaming", 0.0)}
    for instance in cluster.instances.all():
        role, state, lag = live[instance.pg_seq]
        models.PGInstance.objects.filter(pk=instance.pk).update(live_role=role, live_state=state, live_lag_mb=lag)
    return cluster


@pytest.mark.django_db
def test_the_healthiest_replica_is_chosen_when_none_is_named(cluster):
    state = {"leader": f"{cluster.name}-1"}
    assert choose_candidate(cluster, state, None) == Choice(f"{cluster.name}-3")
    assert choose_candidate(cluster, state, f"{cluster.name}-2") == Choice(f"{cluster.name}-2")


@pytest.mark.django_db
@pytest.mark.parametrize("change, candidate, message, may_pass", [
    ({}, "-1", "is already the primary", False),
    ({}, "-7", "no instance named", False),
    ({"live_state": "starting"}, "-2", "not a healthy streaming replica (role replica, state starting", True),
    ({"live_lag_mb": 2.0}, "-2", "lag 2 MB; pg_rpo allows 1048576 bytes", True),
    ({"live_lag_mb": None}, "-2", "lag unknown", True),
    ({"live_state": "stopped"}, "-2", "state stopped", False),
    ({"vars": {"nofailover": True}}, "-2", "tagged nofailover", False),
])
def test_an_unhealthy_or_wrong_candidate_is_refused(cluster, change, candidate, message, may_pass):
    cluster.instances.filter(pg_seq=2).update(**change)
    choice = choose_candidate(cluster, {"leader": f"{cluster.name}-1"}, cluster.name + candidate)
    assert choice.candidate is None and message in choice.problem and choice.may_pass is may_pass


@pytest.mark.django_db
def test_no_leader_or_no_healthy_replica_is_refused(cluster):
    assert "has no leader now" in choose_candidate(cluster, {"leader": None}, None).problem
    cluster.instances.filter(pg_seq__gt=1).update(live_state="stopped")
    cluster.instances.filter(pg_seq=3).update(vars={"nofailover": True}, live_lag_mb=None)
    assert choose_candidate(cluster, {"leader": f"{cluster.name}-1"}, None).problem == (
        f"{cluster.name} has no healthy streaming replica to switch over to ({cluster.name}-2: role replica, state "
        f"stopped, lag 0.5 MB; {cluster.name}-3: role replica, state stopped, lag unknown, tagged nofailover; "
        f"pg_rpo allows 1048576 bytes)")


def replay(monkeypatch, cluster, lags: list):
    """record_live_state that sets both replicas' lag to the next value of `lags` on each read."""
    reads = iter(lags)

    def record(target, timeout=10):
        target.instances.filter(pg_seq__gt=1).update(live_lag_mb=next(reads))
        return {"leader": f"{cluster.name}-1"}
    monkeypatch.setattr(pgsql_switchover, "record_live_state", record)
    monkeypatch.setattr(pgsql_switchover.time, "sleep", lambda seconds: None)


@pytest.mark.django_db
def test_a_replica_catching_up_the_rest_of_a_wal_segment_is_waited_for(cluster, monkeypatch):
    replay(monkeypatch, cluster, [16.0, 16.0, 0.0])
    state, choice = settled_choice(cluster, None, settle=5)
    assert choice == Choice(f"{cluster.name}-2") and state["leader"] == f"{cluster.name}-1"


@pytest.mark.django_db
def test_a_lasting_lag_is_refused_once_the_wait_is_over(cluster, monkeypatch):
    replay(monkeypatch, cluster, [16.0] * 1000)
    _, choice = settled_choice(cluster, f"{cluster.name}-2", settle=0.05)
    assert "lag 16 MB" in choice.problem


@pytest.mark.django_db
def test_a_refusal_that_cannot_pass_is_not_waited_for(cluster, monkeypatch):
    replay(monkeypatch, cluster, [0.0])
    _, choice = settled_choice(cluster, f"{cluster.name}-1", settle=60)
    assert "already the primary" in choice.problem


@pytest.mark.django_db
def test_haproxy_commands_move_the_writer_and_take_it_out_of_replica_checked_services(cluster):
    old, new = f"{cluster.name}-1", f"{cluster.name}-2"
    assert haproxy.drain_writer(cluster, old) == [f"set server {cluster.name}-primary/{old} state drain",
                                                  f"set server {cluster.name}-default/{old} state drain"]
    commands = haproxy.promote_writer(cluster, old, new)
    for service in (f"{cluster.name}-primary", f"{cluster.name}-default"):
        assert f"set server {service}/{new} health up" in commands
        assert f"set server {service}/{old} health down" in commands
    # offline (check /replica): the new primary no longer passes; replica (check /read-only): primaries pass too
    assert f"set server {cluster.name}-offline/{new} health down" in commands
    assert not any(f"{cluster.name}-replica/" in c or f"offline/{old}" in c for c in commands)
