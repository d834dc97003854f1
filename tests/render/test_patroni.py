"""patroni.yml: valid for Patroni 3.0.2's own validator, with the RTO plan, RPO, conf template and topology of the
cluster."""
import pytest
import yaml

from clusters import models
from tasks.render import render_patroni

from . import checks

pytestmark = pytest.mark.django_db


def config(instance) -> dict:
    return yaml.safe_load(render_patroni(instance))


@pytest.mark.parametrize("seq", [1, 2, 3])
def test_every_member_passes_patroni_validate_config(instances, tmp_path, seq):
    path = checks.write(tmp_path, "patroni.yml", render_patroni(instances[seq]))
    assert checks.patroni(path) == []


def test_validator_check_bites(instances, tmp_path):
    """The filter of environmental messages does not hide real errors: a config without rewind credentials and
    with a bad connect address is refused."""
    broken = config(instances[1])
    del broken["postgresql"]["authentication"]["rewind"]
    broken["restapi"]["connect_address"] = "127.0.0.1:8008"
    path = checks.write(tmp_path, "patroni.yml", yaml.safe_dump(broken))
    errors = checks.patroni(path)
    assert any("rewind" in e for e in errors) and any("connect_address" in e for e in errors)


def test_identity_dcs_and_paths(instances):
    cfg = config(instances[2])
    assert (cfg["scope"], cfg["name"], cfg["namespace"]) == ("pg-test", "pg-test-2", "/pg/")
    assert cfg["etcd3"]["hosts"] == ["10.10.10.11:2379", "10.10.10.12:2379", "10.10.10.13:2379"]
    assert cfg["restapi"]["listen"] == "10.10.10.12:8008"
    assert cfg["restapi"]["authentication"]["username"] == "postgres"
    pg = cfg["postgresql"]
    assert pg["listen"] == "10.10.10.12,127.0.0.1:5432" and pg["connect_address"] == "10.10.10.12:5432"
    assert (pg["data_dir"], pg["bin_dir"]) == ("/pg/data", "/usr/lib/postgresql/15/bin")
    assert pg["parameters"]["unix_socket_directories"] == "/var/run/postgresql"
    assert pg["authentication"]["replication"]["username"] == "replicator"
    assert "pgbackrest --stanza=pg-test archive-push %p" == pg["parameters"]["archive_command"]


def test_passwords_are_the_deployments_system_passwords(cluster, instances):
    secrets = cluster.deployment.secret_vars
    cfg = config(instances[1])
    assert cfg["restapi"]["authentication"]["password"] == secrets["patroni_password"]
    assert cfg["postgresql"]["authentication"]["superuser"]["password"] == secrets["pg_admin_password"]
    assert cfg["postgresql"]["authentication"]["replication"]["password"] == secrets["pg_replication_password"]


def test_cluster_password_overrides_deployment(cluster, instances):
    cluster.secret_vars = {"pg_replication_password": "Cluster-Own-Replication-1"}
    cluster.save()
    cfg = config(instances[1])
    assert cfg["postgresql"]["authentication"]["replication"]["password"] == "Cluster-Own-Replication-1"


def test_initdb_checksums_and_utf8(instances):
    initdb = config(instances[1])["bootstrap"]["initdb"]
    assert "data-checksums" in initdb and {"encoding": "UTF8"} in initdb


def test_fast_rto_plan(instances):
    dcs = config(instances[1])["bootstrap"]["dcs"]
    assert {k: dcs[k] for k in ("ttl", "loop_wait", "retry_timeout", "primary_start_timeout")} == {
        "ttl": 20, "loop_wait": 5, "retry_timeout": 5, "primary_start_timeout": 15}
    assert config(instances[1])["watchdog"]["safety_margin"] == 5


def test_default_rto_is_norm(cluster, instances):
    cluster.pg_rto = "norm"
    cluster.save()
    dcs = config(instances[1])["bootstrap"]["dcs"]
    assert (dcs["ttl"], dcs["loop_wait"], dcs["retry_timeout"], dcs["primary_start_timeout"]) == (30, 5, 10, 25)


def test_custom_rto_plan_overrides_mode(cluster, instances):
    cluster.pg_rto_plan = {"fast": {"ttl": 24, "loop_wait": 4, "retry_timeout": 6}}
    cluster.save()
    dcs = config(instances[1])["bootstrap"]["dcs"]
    assert (dcs["ttl"], dcs["loop_wait"], dcs["retry_timeout"], dcs["primary_start_timeout"]) == (24, 4, 6, 15)


def test_async_rpo(instances):
    dcs = config(instances[1])["bootstrap"]["dcs"]
    assert dcs["maximum_lag_on_failover"] == 1048576
    assert dcs["synchronous_mode"] is False and dcs["synchronous_mode_strict"] is False


def test_rpo_zero_is_synchronous(cluster, instances):
    cluster.pg_rpo = 0
    cluster.save()
    dcs = config(instances[1])["bootstrap"]["dcs"]
    assert dcs["maximum_lag_on_failover"] == 0
    assert dcs["synchronous_mode"] is True and dcs["synchronous_mode_strict"] is False


def test_crit_is_strict_synchronous(cluster, instances, tmp_path):
    cluster.pg_conf = "crit"
    cluster.save()
    cfg = config(instances[1])
    assert cfg["bootstrap"]["dcs"]["synchronous_mode"] is True
    assert cfg["bootstrap"]["dcs"]["synchronous_mode_strict"] is True
    assert checks.patroni(checks.write(tmp_path, "patroni.yml", render_patroni(instances[1]))) == []


def test_sizing_defaults_to_a_small_node(instances):
    cfg = config(instances[1])
    local, wide = cfg["postgresql"]["parameters"], cfg["bootstrap"]["dcs"]["postgresql"]["parameters"]
    assert local["shared_buffers"] == "256MB" and local["effective_cache_size"] == "768MB"
    assert wide["max_connections"] == 256


def test_sizing_from_declared_node_vars_over_facts(cluster, instances):
    node = instances[1].node
    node.facts = {"memory_bytes": 64 * 2**30, "cpus": 32}
    node.save()
    cluster.vars = {"node_mem_mb": 8192, "node_cpu": 4}
    cluster.save()
    cfg = config(instances[1])
    assert cfg["postgresql"]["parameters"]["shared_buffers"] == "2048MB"
    assert cfg["bootstrap"]["dcs"]["postgresql"]["parameters"]["max_connections"] == 500
    assert cfg["bootstrap"]["dcs"]["postgresql"]["parameters"]["max_worker_processes"] == 8


def test_sizing_from_facts(instances):
    node = instances[1].node
    node.facts = {"memory_bytes": 4 * 2**30, "cpus": 16}
    node.save()
    cfg = config(instances[1])
    assert cfg["postgresql"]["parameters"]["shared_buffers"] == "1024MB"
    assert cfg["bootstrap"]["dcs"]["postgresql"]["parameters"]["max_worker_processes"] == 16


@pytest.mark.parametrize("template,connections", [("oltp", 500), ("olap", 200), ("crit", 500), ("tiny", 250)])
def test_conf_template_connections(cluster, instances, template, connections):
    cluster.pg_conf = template
    cluster.vars = {"node_mem_mb": 16384}
    cluster.save()
    assert config(instances[1])["bootstrap"]["dcs"]["postgresql"]["parameters"]["max_connections"] == connections


def test_tiny_memory_caps_connections(cluster, instances):
    cluster.pg_conf = "tiny"
    cluster.vars = {"node_mem_mb": 512}
    cluster.save()
    cfg = config(instances[1])
    assert cfg["bootstrap"]["dcs"]["postgresql"]["parameters"]["max_connections"] == 128
    assert cfg["postgresql"]["parameters"]["shared_buffers"] == "128MB"


@pytest.mark.parametrize("template", ["oltp", "olap", "crit", "tiny"])
def test_postgres_accepts_the_parameters(cluster, instances, pg_datadir, template):
    """Every parameter name and value of the template, cluster-wide and local, as PostgreSQL 15 itself parses them."""
    cluster.pg_conf = template
    cluster.save()
    instances[3].pg_delay = "1h"
    instances[3].save()
    cfg = config(instances[3])
    parameters = {**cfg["bootstrap"]["dcs"]["postgresql"]["parameters"], **cfg["postgresql"]["parameters"]}
    assert checks.pg_parameters(pg_datadir, parameters) == []


def test_parameter_check_bites(pg_datadir):
    assert checks.pg_parameters(pg_datadir, {"max_wal_size": "lots", "no_such_parameter": 1})


def test_pg_version_picks_bin_dir(cluster, instances):
    cluster.pg_version = 16
    cluster.save()
    assert config(instances[1])["postgresql"]["bin_dir"] == "/usr/lib/postgresql/16/bin"


def test_pg_hba_carries_patroni_lines_and_rules(instances):
    hba = config(instances[1])["postgresql"]["pg_hba"]
    assert "host    replication  replicator   127.0.0.1/32       scram-sha-256" in hba
    assert any(line.startswith("local   replication  all") for line in hba)
    assert "host    all          all          10.0.0.0/8         scram-sha-256" in hba


def test_delayed_replica_and_cascade(cluster, instances):
    replica = instances[3]
    replica.pg_delay = "1h"
    replica.pg_upstream = "10.10.10.12"
    replica.save()
    cfg = config(replica)
    assert cfg["postgresql"]["parameters"]["recovery_min_apply_delay"] == "1h"
    assert cfg["tags"]["replicatefrom"] == "pg-test-2"


def test_standby_cluster_leader(deployment):
    cluster = models.PGCluster.objects.create(deployment=deployment, name="pg-delay")
    node = models.Node.objects.create(deployment=deployment, ip="10.10.10.14")
    leader = models.PGInstance.objects.create(cluster=cluster, node=node, pg_seq=1, pg_role="primary",
                                              pg_upstream="10.10.10.11", pg_delay="1d")
    standby = config(leader)["bootstrap"]["dcs"]["standby_cluster"]
    assert standby == {"host": "10.10.10.11", "port": 5432, "create_replica_methods": ["basebackup"],
                       "recovery_min_apply_delay": "1d"}


def test_replica_upstream_outside_cluster_is_refused(instances):
    replica = instances[2]
    replica.pg_upstream = "10.99.0.1"
    replica.save()
    with pytest.raises(ValueError, match="not another member"):
        render_patroni(replica)


def test_tls_when_certificate_declared(cluster, instances):
    assert config(instances[1])["postgresql"]["parameters"]["ssl"] == "off"
    cluster.vars = {"pg_ssl_cert_file": "/pg/cert/server.crt", "pg_ssl_key_file": "/pg/cert/server.key"}
    cluster.save()
    params = config(instances[1])["postgresql"]["parameters"]
    assert (params["ssl"], params["ssl_cert_file"]) == ("on", "/pg/cert/server.crt")
