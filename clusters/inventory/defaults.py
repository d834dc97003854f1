"""Pigsty's own defaults for the vars the model has columns for, how their inventory spelling maps onto the
model (`pg_conf: oltp.yml` → "oltp"), and Pigsty's precedence: host over group over global over default."""
import copy

from clusters.models.pgsql import DEFAULT_RPO

# Modeled per-cluster vars and their Pigsty defaults.
PG_CLUSTER_DEFAULTS = {"pg_version": 18, "pg_rto": "norm", "pg_rto_plan": {}, "pg_rpo": DEFAULT_RPO,
                       "pg_conf": "oltp.yml"}
PG_INSTANCE_DEFAULTS = {"pg_role": "replica", "pg_offline_query": False, "pg_upstream": None, "pg_delay": ""}
REDIS_CLUSTER_DEFAULTS = {"redis_mode": "standalone", "redis_sentinel_monitor": []}

# Lists of business objects declared per cluster (inherited from all.vars when the group has none).
PG_LISTS = ("pg_users", "pg_databases", "pg_services")
HBA_LISTS = {"pg_hba_rules": "postgres", "pgb_hba_rules": "pgbouncer"}
MINIO_LISTS = ("minio_users", "minio_buckets")


def resolve(key: str, *levels: dict, default=None):
    """The value of `key` from the first level that sets it (most specific level first), else a copy of
    `default` (defaults may be mutable: `{}`, `[]`)."""
    for level in levels:
        if key in level:
            return level[key]
    return copy.deepcopy(default)


def conf_name(value) -> str:
    """`oltp.yml` → `oltp` (the model keeps the template name)."""
    text = str(value)
    return text.removesuffix(".yml")


def conf_file(name: str) -> str:
    return f"{name}.yml"


def rto_mode(value) -> tuple[str, str | None]:
    """(mode, warning): a number of seconds is Pigsty's legacy spelling and means `norm`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "norm", f"pg_rto: {value} seconds is the legacy spelling; imported as the `norm` plan"
    return value, None


def pg_cluster_value(key: str, value):
    """An inventory value of a modeled cluster var in the model's terms."""
    if key == "pg_conf":
        return conf_name(value)
    if key == "pg_rto":
        return rto_mode(value)[0]
    return value
