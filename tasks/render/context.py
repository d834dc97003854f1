"""Facts the renderers share, read from the models: Pigsty vars with their precedence, system passwords, the
cluster's members, the deployment's ETCD endpoints and INFRA IPs."""
from clusters.models import EtcdCluster

# Pigsty's system user names (${dbsu}, ${repl}, ${monitor}, ${admin}).
DBSU, REPLICATOR, MONITOR, ADMIN = "postgres", "replicator", "dbuser_monitor", "dbuser_dba"
PATRONI_USER, HAPROXY_ADMIN_USER = "postgres", "admin"
PASSWORD_VARS = ("pg_admin_password", "pg_monitor_password", "pg_replication_password", "patroni_password",
                 "haproxy_admin_password")
PG_PORT, PGBOUNCER_PORT, PATRONI_PORT, ETCD_CLIENT_PORT, ETCD_PEER_PORT, HAPROXY_ADMIN_PORT = (
    5432, 6432, 8008, 2379, 2380, 9101)
DATA_DIR, SOCKET_DIR, BACKUP_DIR = "/pg/data", "/var/run/postgresql", "/pg/backup"


def var(instance_or_cluster, key, default=None):
    """A Pigsty var by inventory precedence: instance over cluster over deployment (all.vars)."""
    cluster = getattr(instance_or_cluster, "cluster", instance_or_cluster)
    scopes = [cluster.vars, cluster.deployment.vars]
    if cluster is not instance_or_cluster:
        scopes.insert(0, instance_or_cluster.vars)
    for scope in scopes:
        if scope and key in scope:
            return scope[key]
    return default


def system_passwords(cluster) -> dict:
    """The system passwords: the cluster's own (secret_vars) over the deployment's; all of them must exist."""
    merged = {key: (cluster.secret_vars or {}).get(key) or (cluster.deployment.secret_vars or {}).get(key)
              for key in PASSWORD_VARS}
    missing = [key for key, value in merged.items() if not value]
    if missing:
        raise ValueError(f"{cluster.name}: system password(s) not set: {', '.join(missing)}")
    return merged


def members(cluster) -> list:
    """The cluster's instances by pg_seq, nodes loaded."""
    return list(cluster.instances.select_related("node").order_by("pg_seq"))


def etcd_cluster(deployment) -> EtcdCluster:
    """The deployment's ETCD cluster (the DCS): the one named `etcd`, else the only one."""
    clusters = list(deployment.etcd_clusters.all())
    named = [c for c in clusters if c.name == "etcd"]
    if named or len(clusters) == 1:
        return (named or clusters)[0]
    raise ValueError(f"deployment {deployment.name}: expected one ETCD cluster (or one named etcd), "
                     f"found {len(clusters)}")


def etcd_members(cluster: EtcdCluster) -> list:
    members_ = list(cluster.members.select_related("node").order_by("etcd_seq"))
    if not members_:
        raise ValueError(f"ETCD cluster {cluster.name} has no members")
    return members_


def etcd_client_hosts(deployment) -> list[str]:
    """`ip:2379` of every member of the deployment's ETCD cluster."""
    return [f"{m.node.ip}:{ETCD_CLIENT_PORT}" for m in etcd_members(etcd_cluster(deployment))]


def infra_ips(deployment) -> list[str]:
    return [i.node.ip for i in deployment.infra_nodes.select_related("node").order_by("infra_seq")]


def admin_ips(deployment) -> list[str]:
    """The `admin` HBA alias: the deployment's `admin_ip` var, else its INFRA nodes."""
    admin_ip = (deployment.vars or {}).get("admin_ip")
    return [admin_ip] if admin_ip else infra_ips(deployment)
