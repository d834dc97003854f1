"""patroni.yml of one instance, as a dict (dumped by PyYAML's safe dumper, so every value is quoted right).

- identity: scope = pg_cluster, name = `{cls}-{seq}`, namespace /pg/; DCS etcd3 on the deployment's ETCD members;
- bootstrap.dcs: the RTO plan's ttl / loop_wait / retry_timeout / primary_start_timeout, maximum_lag_on_failover =
  pg_rpo, synchronous_mode when pg_rpo is 0 or the template is crit, which also makes it strict, and the parameters
  Patroni keeps cluster-wide; a primary with pg_upstream bootstraps a standby cluster from it (pg_delay →
  recovery_min_apply_delay);
- postgresql: node-sized local parameters, pg_hba (Patroni's lines, then the rules), passwords, bin_dir of
  pg_version, data /pg/data, listening on the node IP and 127.0.0.1:5432; a replica with pg_delay gets
  recovery_min_apply_delay, one with pg_upstream (another member's IP) gets tags.replicatefrom; TLS only with a
  certificate declared in vars; WAL archived by pgBackRest (failing harmlessly until the stanza exists)."""
from . import hba, tuning
from .context import (
    DATA_DIR,
    DBSU,
    PATRONI_PORT,
    PATRONI_USER,
    PG_PORT,
    REPLICATOR,
    etcd_client_hosts,
    members,
    system_passwords,
    var,
)
from .rto import rto_plan


def patroni_config(instance) -> dict:
    cluster = instance.cluster
    ip = instance.node.ip
    passwords = system_passwords(cluster)
    plan = rto_plan(cluster)
    cluster_wide, local = tuning.parameters(instance)
    hba_lines = hba.patroni_lines(cluster) + hba.lines(cluster, "postgres", instance)
    superuser = {"username": DBSU, "password": passwords["pg_admin_password"]}
    local.update(_ssl(cluster))
    local["archive_mode"] = "on"
    local["archive_command"] = f"pgbackrest --stanza={cluster.name} archive-push %p"
    tags = {"nofailover": False, "noloadbalance": False, "clonefrom": True, "nosync": False}
    dcs = {
        "ttl": plan["ttl"],
        "loop_wait": plan["loop_wait"],
        "retry_timeout": plan["retry_timeout"],
        "primary_start_timeout": plan["primary_start_timeout"],
        "maximum_lag_on_failover": cluster.pg_rpo,
        "synchronous_mode": cluster.pg_rpo == 0 or cluster.pg_conf == "crit",
        "synchronous_mode_strict": cluster.pg_conf == "crit",
        "failsafe_mode": True,
        "postgresql": {"use_pg_rewind": True, "use_slots": True, "parameters": cluster_wide},
    }
    if instance.pg_upstream and instance.pg_role == "primary":
        dcs["standby_cluster"] = {"host": instance.pg_upstream, "port": PG_PORT,
                                  "create_replica_methods": ["basebackup"]}
        if instance.pg_delay:
            dcs["standby_cluster"]["recovery_min_apply_delay"] = instance.pg_delay
    elif instance.pg_upstream:
        tags["replicatefrom"] = _member_name(instance)
    if instance.pg_delay and instance.pg_role != "primary":
        local["recovery_min_apply_delay"] = instance.pg_delay
    return {
        "scope": cluster.name,
        "name": instance.name,
        "namespace": "/pg/",
        "restapi": {"listen": f"{ip}:{PATRONI_PORT}", "connect_address": f"{ip}:{PATRONI_PORT}",
                    "authentication": {"username": PATRONI_USER, "password": passwords["patroni_password"]}},
        "etcd3": {"hosts": etcd_client_hosts(cluster.deployment)},
        "bootstrap": {"dcs": dcs, "initdb": _initdb(cluster), "pg_hba": hba_lines},
        "postgresql": {
            "listen": f"{ip},127.0.0.1:{PG_PORT}",
            "connect_address": f"{ip}:{PG_PORT}",
            "data_dir": DATA_DIR,
            "bin_dir": f"/usr/lib/postgresql/{cluster.pg_version}/bin",
            "pgpass": "/var/lib/postgresql/.pgpass.patroni",
            "use_unix_socket": True,
            "create_replica_methods": ["basebackup"],
            "basebackup": [{"checkpoint": "fast"}],
            "authentication": {
                "superuser": superuser,
                "replication": {"username": REPLICATOR, "password": passwords["pg_replication_password"]},
                "rewind": superuser,
            },
            "parameters": local,
            "pg_hba": hba_lines,
        },
        "watchdog": {"mode": "off", "safety_margin": plan["safety_margin"]},
        "tags": {**tags, "version": str(cluster.pg_version), "conf": cluster.pg_conf},
    }


def _ssl(cluster) -> dict:
    """TLS when the cluster names its certificate and key (`pg_ssl_cert_file`, `pg_ssl_key_file`): until then
    hostssl rules are written but cannot match."""
    cert, key = var(cluster, "pg_ssl_cert_file", ""), var(cluster, "pg_ssl_key_file", "")
    if bool(cert) != bool(key):
        raise ValueError(f"{cluster.name}: pg_ssl_cert_file and pg_ssl_key_file go together")
    return {"ssl": "on", "ssl_cert_file": cert, "ssl_key_file": key} if cert else {"ssl": "off"}


def _initdb(cluster) -> list:
    options = ["data-checksums", {"encoding": var(cluster, "pg_encoding", "UTF8")},
               {"locale": var(cluster, "pg_locale", "C")}]
    for key in ("pg_lc_collate", "pg_lc_ctype"):
        value = var(cluster, key, "")
        if value:
            options.append({key[3:].replace("_", "-"): value})
    return options


def _member_name(instance) -> str:
    for other in members(instance.cluster):
        if other.node.ip == instance.pg_upstream and other.pk != instance.pk:
            return other.name
    raise ValueError(f"{instance.name}: pg_upstream {instance.pg_upstream} is not another member of "
                     f"{instance.cluster.name}; only a primary can replicate from outside (standby cluster)")
