"""Switchover planning without nodes: which replica may be promoted, and the HAProxy runtime commands that move
the writer (the real switchover runs in tests/e2e/test_switchover.py)."""
import pytest

from clusters import models
from tasks.kinds.pgsql_switchover import candidate_problem
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
    assert candidate_problem(cluster, state, None) == (f"{cluster.name}-3", None)
    assert candidate_problem(cluster, state, f"{cluster.name}-2") == (f"{cluster.name}-2", None)


@pytest.mark.django_db
@pytest.mark.parametrize("change, candidate, message", [
    ({}, "-1", "is already the primary"),
    ({}, "-7", "no instance named"),
    ({"live_state": "starting"}, "-2", "not a healthy streaming replica (role replica, state starting"),
    ({"live_lag_mb": 2.0}, "-2", "lag 2 MB; pg_rpo allows 1048576 bytes"),
    ({"live_lag_mb": None}, "-2", "lag unknown"),
])
def test_an_unhealthy_or_wrong_candidate_is_refused(cluster, change, candidate, message):
    cluster.instances.filter(pg_seq=2).update(**change)
    chosen, problem = candidate_problem(cluster, {"leader": f"{cluster.name}-1"}, cluster.name + candidate)
    assert chosen is None and message in problem


@pytest.mark.django_db
def test_no_leader_or_no_healthy_replica_is_refused(cluster):
    assert "has no leader now" in candidate_problem(cluster, {"leader": None}, None)[1]
    cluster.instances.filter(pg_seq__gt=1).update(live_state="stopped")
    assert "no healthy streaming replica" in candidate_problem(cluster, {"leader": f"{cluster.name}-1"}, None)[1]


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
