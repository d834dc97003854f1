"""The lock-out guard: which rule sets would shut the system users out, decided as PostgreSQL does (first
matching line), on rendered lines of real model rows."""
import pytest

from clusters import models
from tasks.render.hba_lockout import first_match, problems
from tests import factories

LINES = ["local   all          postgres                    peer",
         "host    all          all          10.0.0.0/8         reject",
         "host    replication  replicator   10.0.0.5/32        scram-sha-256"]


def test_first_matching_line_decides():
    assert first_match(LINES, "local", "postgres", "postgres", None) == LINES[0]
    assert first_match(LINES, "host", "replicator", "replication", "10.0.0.5") == LINES[2], \
        "`all` does not match a replication connection"
    assert first_match(LINES, "host", "dbuser_monitor", "postgres", "10.1.2.3") == LINES[1]
    assert first_match(LINES, "host", "dbuser_monitor", "postgres", "192.168.0.1") is None


@pytest.fixture
def cluster(db):
    cluster = factories.pg_cluster()
    factories.pg_instance(cluster, pg_seq=2, pg_role="replica")
    return cluster


def rule(cluster, **fields):
    return models.HBARule.objects.create(deployment=cluster.deployment, cluster=cluster, **fields)


def test_the_default_rules_lock_nobody_out(cluster):
    assert problems(cluster) == []


def test_a_deny_before_the_defaults_locks_out_and_is_named(cluster):
    rule(cluster, user="all", db="all", addr="world", auth="deny", order=10, title="deny everyone first")
    found = problems(cluster)
    assert any("the monitor user from localhost (dbuser_monitor) would be locked out" in p for p in found), found
    assert all(p.startswith(f"{cluster.name}-") for p in found)


def test_a_raw_reject_of_the_local_socket_locks_out_the_superuser(cluster):
    rule(cluster, rules=["local all all reject"], order=1, title="no local access")
    assert any("the database superuser over the local socket (postgres)" in p for p in problems(cluster))


def test_a_deny_after_the_defaults_or_for_other_users_is_fine(cluster):
    rule(cluster, user="all", db="all", addr="world", auth="deny", title="deny the rest")  # order 1000
    rule(cluster, user="dbuser_app", db="all", addr="world", auth="deny", order=10, title="no app user")
    assert problems(cluster) == []
