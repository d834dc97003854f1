"""pg_hba and pgbouncer HBA: aliases expanded, rules ordered, and every line accepted by PostgreSQL 15."""
import pytest
from django.core.exceptions import ValidationError

from clusters import models
from tasks.render import render_pg_hba_lines, render_pgbouncer_hba
from tasks.render.hba import HBAError

from . import checks

pytestmark = pytest.mark.django_db


def rule_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("seq", [1, 3])
def test_postgres_accepts_every_line(cluster, instances, pg_datadir, seq):
    assert checks.pg_hba(pg_datadir, render_pg_hba_lines(cluster, instances[seq])) == []


def test_postgres_check_bites(pg_datadir):
    errors = checks.pg_hba(pg_datadir, "host all all 10.0.0.0/40 scram-sha-256\nhostx all all 10.0.0.0/8 md5\n")
    assert len(errors) == 2


def test_patroni_lines_come_first(cluster, instances):
    lines = rule_lines(render_pg_hba_lines(cluster, instances[1]))
    assert lines[:3] == ["local replication all scram-sha-256",
                         "host replication replicator 127.0.0.1/32 scram-sha-256",
                         "host replication replicator 10.10.10.11/32 scram-sha-256"]
    assert "host postgres postgres 10.10.10.13/32 scram-sha-256" in lines


def test_aliases_expand(cluster, instances):
    lines = rule_lines(render_pg_hba_lines(cluster, instances[1]))
    assert "local all postgres peer" in lines                                        # ${dbsu} local ident
    assert "host replication replicator 10.0.0.0/8 scram-sha-256" in lines           # ${repl} intra pwd
    assert "host replication replicator 192.168.0.0/16 scram-sha-256" in lines
    assert "local all dbuser_monitor scram-sha-256" in lines                          # localhost: socket,
    assert "host all dbuser_monitor 127.0.0.1/32 scram-sha-256" in lines             # 127.0.0.1 and ::1
    assert "host all dbuser_monitor ::1/128 scram-sha-256" in lines
    assert "host all dbuser_monitor 10.10.10.11/32 scram-sha-256" in lines           # infra
    assert "hostssl all dbuser_dba 0.0.0.0/0 scram-sha-256" in lines                 # ${admin} world ssl
    assert "hostssl all dbuser_dba ::/0 scram-sha-256" in lines
    assert "host test dbuser_test 192.0.2.0/24 reject" in lines                      # deny


def test_order(cluster, instances):
    lines = rule_lines(render_pg_hba_lines(cluster, instances[1]))
    deny = lines.index("host test dbuser_test 192.0.2.0/24 reject")                  # order 50
    dbsu = lines.index("local all postgres peer")                                     # order 100
    offline = lines.index("host all +dbrole_offline 10.0.0.0/8 scram-sha-256")       # order 650
    everyone = lines.index("host all all 10.0.0.0/8 scram-sha-256")                  # order 800
    assert deny < dbsu < offline < everyone


def test_role_scoped_rules(cluster, instances):
    offline_rule = "hostssl all +dbrole_offline 0.0.0.0/0 scram-sha-256"
    assert offline_rule in rule_lines(render_pg_hba_lines(cluster, instances[3]))
    assert offline_rule not in rule_lines(render_pg_hba_lines(cluster, instances[1]))
    assert offline_rule not in rule_lines(render_pg_hba_lines(cluster))


def test_ident_on_host_and_trust_and_raw_rules(cluster, deployment, instances, pg_datadir):
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="${dbsu}", db="all",
                                  addr="10.1.2.3/32", auth="ident", order=900, title="ident over tcp")
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="dbuser_test", db="test",
                                  addr="admin", auth="trust", order=910, title="trust admin")
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, title="raw", order=920,
                                  rules=["host all all 10.9.0.0/16 md5"])
    text = render_pg_hba_lines(cluster, instances[1])
    lines = rule_lines(text)
    assert "host all postgres 10.1.2.3/32 ident" in lines
    assert "host test dbuser_test 10.10.10.11/32 trust" in lines                        # admin → INFRA nodes
    assert lines[-1] == "host all all 10.9.0.0/16 md5"
    assert checks.pg_hba(pg_datadir, text) == []


def test_other_clusters_rules_stay_out(cluster, deployment, instances):
    other = models.PGCluster.objects.create(deployment=deployment, name="pg-other")
    models.HBARule.objects.create(deployment=deployment, cluster=other, user="all", db="all", addr="10.7.0.0/16",
                                  auth="pwd")
    assert "10.7.0.0/16" not in render_pg_hba_lines(cluster, instances[1])


def test_bad_database_field_refused(cluster, deployment, instances):
    with pytest.raises(ValidationError, match="database names separated by commas"):
        models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="all", db="all\nhost all all",
                                      addr="intra", auth="pwd")
    rule = models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="all", db="all", addr="intra",
                                         auth="pwd")
    models.HBARule.objects.filter(pk=rule.pk).update(db="all\nhost all all")  # past the model's validation
    with pytest.raises(HBAError, match="invalid db"):
        render_pg_hba_lines(cluster, instances[1])


def test_cert_rules(cluster, deployment, instances, pg_datadir):
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="${admin}", db="all",
                                  addr="localhost", auth="cert", order=900)
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="${admin}", db="all",
                                  addr="world", auth="cert", order=910)
    text = render_pg_hba_lines(cluster, instances[1])
    lines = rule_lines(text)
    assert "hostssl all dbuser_dba 127.0.0.1/32 cert" in lines and "hostssl all dbuser_dba ::/0 cert" in lines
    assert "local all dbuser_dba cert" not in lines
    assert checks.pg_hba(pg_datadir, text) == []


def test_cert_on_the_socket_refused(cluster, deployment, instances):
    models.HBARule.objects.create(deployment=deployment, cluster=cluster, user="${admin}", db="all",
                                  addr="local", auth="cert")
    with pytest.raises(HBAError, match="network address"):
        render_pg_hba_lines(cluster, instances[1])


def test_pgbouncer_rules(cluster):
    lines = rule_lines(render_pgbouncer_hba(cluster))
    assert lines[0] == "local pgbouncer postgres peer"
    assert lines[1] == "local all all scram-sha-256"
    assert "host all dbuser_monitor 0.0.0.0/0 reject" in lines
    assert "host all all 10.0.0.0/8 scram-sha-256" in lines
    assert lines[-1] == "host test dbuser_test 10.10.10.11/32 md5"
    assert "192.0.2.0/24" not in " ".join(lines)                                       # a postgres-only rule


def test_pgbouncer_refuses_ident_over_network(cluster, deployment):
    models.HBARule.objects.create(deployment=deployment, rule_set="pgbouncer", user="all", db="all",
                                  addr="intra", auth="ident")
    with pytest.raises(HBAError, match="no ident"):
        render_pgbouncer_hba(cluster)
