"""A deployment to render from: 3 nodes (the first also INFRA), an ETCD cluster of 3, and pg-test with a primary,
a replica and an offline-query replica, a custom service, users, databases and HBA rules at both levels."""
import os
import shutil
import subprocess
import tempfile

import pytest

from clusters import models

from . import checks

NODE_IPS = ("10.10.10.11", "10.10.10.12", "10.10.10.13")
BIZ_PASSWORD = 'Biz"Pass$word\\x'


@pytest.fixture
def deployment(db):
    dep = models.Deployment.objects.create(name="render", intra_cidrs=["10.0.0.0/8", "192.168.0.0/16"],
                                           secret_vars={"haproxy_admin_password": 'adm"in$pw\\#1'})
    nodes = [models.Node.objects.create(deployment=dep, ip=ip) for ip in NODE_IPS]
    models.InfraNode.objects.create(deployment=dep, node=nodes[0], infra_seq=1)
    etcd = models.EtcdCluster.objects.create(deployment=dep, name="etcd")
    for seq, node in enumerate(nodes, 1):
        models.EtcdMember.objects.create(cluster=etcd, node=node, etcd_seq=seq)
    return dep


@pytest.fixture
def cluster(deployment):
    cls = models.PGCluster.objects.create(deployment=deployment, name="pg-test", pg_rto="fast")
    nodes = list(deployment.nodes.order_by("ip"))
    models.PGInstance.objects.create(cluster=cls, node=nodes[0], pg_seq=1, pg_role="primary")
    models.PGInstance.objects.create(cluster=cls, node=nodes[1], pg_seq=2, pg_role="replica")
    models.PGInstance.objects.create(cluster=cls, node=nodes[2], pg_seq=3, pg_role="replica", pg_offline_query=True)
    models.PGService.objects.create(cluster=cls, name="standby", port=5435, selector="[]", dest="default",
                                    check_path="/sync", backup="[? pg_role == `primary`]")
    models.PGUser.objects.create(cluster=cls, name="dbuser_test", password=BIZ_PASSWORD, pgbouncer=True,
                                 roles=["dbrole_readwrite"], pool_mode="session", pool_connlimit=10)
    models.PGUser.objects.create(cluster=cls, name="dbuser_nopool", password="NoPool-Pass-1", pgbouncer=False)
    models.PGDatabase.objects.create(cluster=cls, name="test", owner="dbuser_test", pool_size=30)
    models.PGDatabase.objects.create(cluster=cls, name="nopool", pgbouncer=False)
    models.HBARule.objects.create(deployment=deployment, cluster=cls, user="all", db="all", addr="intra", auth="pwd",
                                  title="everyone intranet access with password", order=800)
    models.HBARule.objects.create(deployment=deployment, user="dbuser_test", db="test", addr="192.0.2.0/24",
                                  auth="deny", title="deployment-wide deny", order=50)
    models.HBARule.objects.create(deployment=deployment, cluster=cls, user="+dbrole_offline", db="all",
                                  addr="world", auth="ssl", role="offline", title="etl from anywhere on offline")
    models.HBARule.objects.create(deployment=deployment, cluster=cls, rule_set="pgbouncer", user="dbuser_test",
                                  db="test", addr="infra", auth="md5", title="test user from infra")
    return cls


@pytest.fixture
def instances(cluster):
    return {i.pg_seq: i for i in cluster.instances.select_related("node").order_by("pg_seq")}


@pytest.fixture(scope="session")
def pg_datadir():
    """An initdb'd data directory (owned by postgres when run as root) where single-user backends check pg_hba files
    and parameters."""
    initdb = "/usr/lib/postgresql/15/bin/initdb"
    if not os.path.exists(initdb):
        pytest.skip("PostgreSQL 15 is not installed here")
    root = tempfile.mkdtemp(prefix="rdsconsole-hba-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    result = subprocess.run(checks.as_postgres(initdb, "-D", f"{root}/data", "-A", "trust", "-U", "postgres",
                                               "--no-sync"), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    yield f"{root}/data"
    shutil.rmtree(root, ignore_errors=True)
