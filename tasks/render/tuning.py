"""PostgreSQL parameters of the conf templates (`pg_conf`: oltp, olap, crit, tiny), sized to the node.

Node size: `node_mem_mb` / `node_cpu` vars (instance over cluster over deployment) win over the node's gathered
facts, because a sandbox node reports the host's totals; with neither, a small node (1 GiB, 1 CPU) is assumed.

Sizing rules (Pigsty's, scaled down so small nodes stay small):
- shared_buffers = 25 % of memory, at least 32 MB and at most 32 GB; effective_cache_size = the rest;
- maintenance_work_mem = 25 % of shared_buffers (olap 50 %), at least 16 MB;
- max_connections = the template's (oltp 500, olap 200, crit 500, tiny 250) but at most memory / 4 MB
  (never below 50), so a 1 GiB node gets 256;
- work_mem = shared_buffers / max_connections within [4 MB, 1 GB] (olap ×4);
- workers from the CPU count: max_worker_processes = max(cpu, 8), parallel workers per gather oltp cpu/16,
  olap cpu/2, crit and tiny 0;
- WAL kept small: min_wal_size 256 MB (tiny 128), max_wal_size 8× that, wal_keep_size 2× that;
- wal_retrieve_retry_interval 1 s (PostgreSQL's default 5 s): a new replica whose replication slot the primary's
  Patroni creates only in its next HA loop, or a former primary rejoining, retries streaming within a second.

Parameters Patroni insists on being equal on every member (max_connections and friends) are returned apart, for
the DCS section of patroni.yml; the rest are local to the instance."""
import math

from .context import SOCKET_DIR, var

DEFAULT_MEM_MB, DEFAULT_CPU = 1024, 1
MAX_CONNECTIONS = {"oltp": 500, "olap": 200, "crit": 500, "tiny": 250}
# Patroni takes these from the DCS only: a member-local value is ignored.
CLUSTER_WIDE = ("max_connections", "max_locks_per_transaction", "max_worker_processes", "max_prepared_transactions",
                "max_wal_senders", "max_replication_slots", "wal_level", "track_commit_timestamp", "wal_log_hints",
                "wal_keep_size")


def node_resources(instance) -> tuple[int, int]:
    """(memory in MB, CPU count) of the instance's node."""
    facts = instance.node.facts or {}
    fact_mem = facts.get("mem_mb") or (facts.get("memory_bytes") or 0) // 2**20
    mem_mb = int(var(instance, "node_mem_mb") or fact_mem or DEFAULT_MEM_MB)
    cpu = int(var(instance, "node_cpu") or facts.get("cpu") or facts.get("cpus") or DEFAULT_CPU)
    if mem_mb < 128 or cpu < 1:
        raise ValueError(f"{instance.name}: node size {mem_mb} MB / {cpu} CPU is too small for PostgreSQL")
    return mem_mb, cpu


def parameters(instance) -> tuple[dict, dict]:
    """(cluster-wide parameters, instance-local parameters) of the cluster's conf template on this node."""
    cluster = instance.cluster
    template = cluster.pg_conf
    if template not in MAX_CONNECTIONS:
        raise ValueError(f"{cluster.name}: unknown pg_conf {template!r} (oltp, olap, crit or tiny)")
    mem_mb, cpu = node_resources(instance)
    shared_buffers = min(max(mem_mb // 4, 32), 32 * 1024)
    max_connections = min(MAX_CONNECTIONS[template], max(mem_mb // 4, 50))
    workers = max(cpu, 8)
    wal_mb = 128 if template == "tiny" else 256
    params = {
        "max_connections": max_connections,
        "superuser_reserved_connections": 10,
        "max_locks_per_transaction": 64 if template == "tiny" else max_connections,
        "max_prepared_transactions": 0,
        "max_worker_processes": workers,
        "max_wal_senders": 16,
        "max_replication_slots": 16,
        "wal_level": "logical",
        "wal_log_hints": "on",
        "track_commit_timestamp": "on",
        "wal_keep_size": f"{wal_mb * 2}MB",
        "wal_retrieve_retry_interval": "1s",
        "min_wal_size": f"{wal_mb}MB",
        "max_wal_size": f"{wal_mb * 8}MB",
        "shared_buffers": f"{shared_buffers}MB",
        "effective_cache_size": f"{max(mem_mb - shared_buffers, 64)}MB",
        "maintenance_work_mem": f"{max(shared_buffers // (2 if template == 'olap' else 4), 16)}MB",
        "work_mem": f"{min(max(shared_buffers // max_connections * (4 if template == 'olap' else 1), 4), 1024)}MB",
        "max_parallel_workers": workers,
        "max_parallel_workers_per_gather": {"oltp": cpu // 16, "olap": max(cpu // 2, 1), "crit": 0, "tiny": 0}[template],
        "max_parallel_maintenance_workers": 1 if template == "tiny" else max(math.ceil(cpu / 8), 2),
        "password_encryption": "scram-sha-256",
        "unix_socket_directories": SOCKET_DIR,
        "hot_standby": "on",
        "hot_standby_feedback": "on" if template == "olap" else "off",
        "checkpoint_completion_target": 0.9,
        "shared_preload_libraries": "pg_stat_statements, auto_explain",
        "track_io_timing": "on",
        "logging_collector": "on",
        "log_directory": "/pg/log/postgres",
        "log_filename": "postgresql-%a.log",
        "log_truncate_on_rotation": "on",
        "log_min_duration_statement": 100 if template == "crit" else 1000,
        "log_lock_waits": "on",
        "log_checkpoints": "on",
        "idle_in_transaction_session_timeout": "10min" if template in ("oltp", "crit") else 0,
    }
    if template == "crit":
        params.update({"synchronous_commit": "on", "full_page_writes": "on"})
    params.update(var(instance, "pg_parameters", None) or {})  # Pigsty's pg_parameters: the DBA's overrides
    cluster_wide = {key: value for key, value in params.items() if key in CLUSTER_WIDE}
    return cluster_wide, {key: value for key, value in params.items() if key not in CLUSTER_WIDE}
