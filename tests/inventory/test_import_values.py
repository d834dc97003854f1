"""Spot checks: what an import puts in the model for each module, read with Pigsty's precedence."""
import pytest

from clusters.inventory import export_inventory, import_inventory
from clusters.models import HBARule, RedisInstance

from .canonical import canonical
from .conftest import FIXTURES, PIGSTY_CONF

pytestmark = pytest.mark.django_db


def instances(cluster):
    return {i.node.ip: (i.pg_seq, i.pg_role, i.pg_offline_query) for i in cluster.instances.select_related("node")}


def test_trio_every_module(imported):
    deployment = imported(PIGSTY_CONF / "ha" / "trio.yml")
    pg = deployment.pg_clusters.get(name="pg-meta")
    assert instances(pg) == {"10.10.10.10": (1, "primary", False), "10.10.10.11": (2, "replica", False),
                             "10.10.10.12": (3, "replica", True)}
    assert (pg.pg_version, pg.pg_conf, pg.pg_rto, pg.pg_rpo) == (18, "oltp", "norm", 1048576)
    assert pg.vars["pg_vip_address"] == "10.10.10.2/24"
    assert sorted(deployment.nodes.values_list("ip", flat=True)) == ["10.10.10.10", "10.10.10.11", "10.10.10.12"]
    assert [(m.etcd_seq, m.node.ip) for m in deployment.etcd_clusters.get(name="etcd").members.all()] == [
        (1, "10.10.10.10"), (2, "10.10.10.11"), (3, "10.10.10.12")]
    minio = deployment.minio_clusters.get(name="minio")
    assert {(u.access_key, u.secret_key, u.policy) for u in minio.users.all()} == {
        ("pgbackrest", "S3User.Backup", "pgsql"), ("s3user_meta", "S3User.Meta", "meta"),
        ("s3user_data", "S3User.Data", "data")}
    assert minio.members.get(minio_seq=1).vars == {"vip_role": "master"}
    assert minio.vars["haproxy_services"][0]["port"] == 9002
    infra = {i.infra_seq: i.vars for i in deployment.infra_nodes.all()}
    assert infra == {1: {}, 2: {"repo_enabled": False}, 3: {"repo_enabled": False}}
    assert deployment.infra_vars == {"patroni_watchdog_mode": "off"}
    assert "pgbackrest_repo" in deployment.secret_vars and "pgbackrest_repo" not in deployment.vars
    assert deployment.secret_vars["pgbackrest_repo"]["minio"]["cipher_pass"] == "pgBackRest"


def test_meta_users_databases_hba_and_unknown_group(imported):
    deployment = imported(PIGSTY_CONF / "meta.yml")
    pg = deployment.pg_clusters.get(name="pg-meta")
    meta = pg.users.get(name="dbuser_meta")
    assert (meta.password, meta.pgbouncer, meta.roles, meta.comment) == (
        "DBUser.Meta", True, ["dbrole_admin"], "pigsty admin user")
    database = pg.databases.get(name="meta")
    assert (database.baseline, database.schemas, database.extensions) == ("cmdb.sql", ["pigsty"], ["postgis", "vector"])
    rule = pg.hba_rules.get()
    assert (rule.rule_set, rule.user, rule.db, rule.addr, rule.auth, rule.order) == (
        "postgres", "all", "all", "intra", "pwd", 800)
    assert pg.vars["pg_extensions"] == ["postgis", "pgvector"]
    assert pg.vars["pg_crontab"] == ["00 01 * * * /pg/bin/pg-backup full"]
    assert deployment.vars["pg_conf"] == "oltp.yml" and deployment.vars["node_tune"] == "oltp"
    assert deployment.extra_groups["app"]["vars"]["app"] == "pgadmin"
    assert deployment.nodes.get().ip == "10.10.10.10"


def test_redis_modes(imported):
    deployment = imported(PIGSTY_CONF / "demo" / "redis.yml")
    ms = deployment.redis_clusters.get(name="redis-ms")
    assert ms.redis_mode == "standalone" and ms.secret_vars == {"redis_password": "redis.ms"}
    assert ms.vars == {"redis_max_memory": "64MB"}
    assert {i.port: i.replica_of for i in RedisInstance.objects.filter(redis_node__cluster=ms)} == {
        6379: "", 6380: "10.10.10.10 6379"}
    sentinel = deployment.redis_clusters.get(name="redis-meta")
    assert sentinel.redis_mode == "sentinel"
    assert sentinel.redis_sentinel_monitor == [
        {"name": "redis-ms", "host": "10.10.10.10", "port": 6379, "password": "redis.ms", "quorum": 2}]
    native = deployment.redis_clusters.get(name="redis-test")
    assert native.redis_mode == "cluster"
    assert sorted(str(i) for i in RedisInstance.objects.filter(redis_node__cluster=native)) == [
        f"redis-test-{node}-{port}" for node in (1, 2) for port in (6379, 6380, 6381)]
    assert deployment.vars["redis_mode"] == "standalone" and deployment.secret_vars["redis_password"] == ""


def test_standby_delayed_cluster_services_and_pgbouncer_rules(imported):
    deployment = imported(FIXTURES / "secure.yml")
    pg = deployment.pg_clusters.get(name="pg-meta")
    assert pg.pg_conf == "crit"
    delayed = deployment.pg_clusters.get(name="pg-meta-delay").instances.get()
    assert (delayed.pg_role, delayed.pg_upstream, delayed.pg_delay) == ("primary", "10.10.10.10", "1h")
    standby = pg.custom_services.get(name="standby")
    assert (standby.port, standby.dest, standby.backup, standby.extra) == (
        5435, "default", "[? pg_role == `primary`]", {"src_ip": "*"})
    pgb = pg.hba_rules.get(rule_set="pgbouncer")
    assert (pgb.user, pgb.db, pgb.addr, pgb.auth, pgb.order) == ("+dbrole_readonly", "meta", "infra", "ssl", 650)
    assert len(pg.vars["pg_default_hba_rules"]) == 12 and pg.vars["pg_default_service_dest"] == "postgres"


def test_declared_user_and_database_fields(imported):
    pg = imported(FIXTURES / "declarative.yml").pg_clusters.get()
    meta = pg.users.get(name="dbuser_meta")
    assert (meta.expire_in, meta.expire_at, meta.pool_connlimit, meta.connlimit, meta.inherit) == (
        3650, "2030-12-31", -1, -1, True)
    database = pg.databases.get(name="meta")
    assert (database.pool_size, database.pool_size_min, database.allowconn, database.owner) == (64, 0, True, "postgres")
    assert pg.databases.count() == 6 and pg.users.count() == 7
    assert pg.custom_services.get().check_path == "/sync"
    assert pg.instances.get().pg_offline_query is True


def test_global_lists_are_inherited_by_every_cluster(imported):
    deployment = imported(FIXTURES / "citus.yml")
    for cluster in deployment.pg_clusters.all():
        assert list(cluster.users.values_list("name", flat=True)) == ["dbuser_meta"]
        assert cluster.databases.get().extensions == [{"name": "citus"}, {"name": "postgis"}, {"name": "timescaledb"}]
        assert cluster.vars["pg_group"] == int(cluster.name[-1])
    assert HBARule.objects.filter(deployment=deployment, cluster=None).count() == 2
    assert deployment.secret_vars["pg_dbsu_password"] == "DBUser.Postgres"


def test_minio_buckets_and_users_inherited_from_all_vars():
    source = """
all:
  children:
    minio:
      hosts: { 10.0.0.1: { minio_seq: 1 } }
      vars:
        minio_buckets: [ { name: pgsql }, { name: meta, versioning: true } ]
  vars:
    minio_cluster: s3
    minio_users: [ { access_key: pgbackrest, secret_key: Backup.Key, policy: pgsql } ]
"""
    deployment = import_inventory(source, "prod").deployment
    minio = deployment.minio_clusters.get()
    assert (minio.name, minio.group) == ("s3", "minio")
    assert {b.name: b.extra for b in minio.buckets.all()} == {"pgsql": {}, "meta": {"versioning": True}}
    assert minio.users.get().secret_key == "Backup.Key"
    assert "minio_users" in deployment.secret_vars
    group = export_inventory(deployment)["all"]["children"]["minio"]
    assert "minio_users" not in group["vars"] and group["vars"]["minio_cluster"] == "s3"
    again = import_inventory(export_inventory(deployment), "again").deployment
    assert canonical(again) == canonical(deployment)


def test_unknown_groups_are_kept_verbatim_and_their_hosts_are_nodes():
    source = """
all:
  children:
    pg-a: { hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-a } }
    apps:
      vars: { docker_enabled: true }
      children:
        web: { hosts: { 10.0.0.2: { port: 8080 } } }
        workers: { children: { batch: { hosts: { 10.0.0.3: {} } } } }
"""
    deployment = import_inventory(source, "prod").deployment
    assert sorted(deployment.nodes.values_list("ip", flat=True)) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert deployment.extra_groups["apps"]["children"]["web"] == {"hosts": {"10.0.0.2": {"port": 8080}}}
    assert export_inventory(deployment)["all"]["children"]["apps"] == deployment.extra_groups["apps"]


def test_the_backup_policy_var_becomes_the_clusters_scheduled_policy(imported):
    from django_celery_beat.models import PeriodicTask

    from backups.schedule import task_name

    deployment = imported(FIXTURES / "secure.yml")
    delayed = deployment.pg_clusters.get(name="pg-meta-delay")
    policy = delayed.backup_policy
    assert (policy.schedule, policy.type, policy.retention_full, policy.enabled) == ("00 02 * * 1", "full", 4, True)
    assert "pg_backup_policy" not in delayed.vars
    assert PeriodicTask.objects.get(name=task_name(delayed.pk)).crontab.day_of_week == "1"
    assert not hasattr(deployment.pg_clusters.get(name="pg-meta"), "backup_policy")
