"""A PGSQL cluster's backup policy in the inventory: the cluster var `pg_backup_policy` ({schedule, type,
retention_full, enabled, drill_schedule, drill_node (an IP)}; Pigsty itself has no such var and ignores it).
Declared → the cluster's BackupPolicy; absent → the cluster has none."""
from backups.models import BackupPolicy

from .context import ImportContext
from .errors import Where

KEY = "pg_backup_policy"
FIELDS = ("schedule", "type", "retention_full", "enabled", "drill_schedule", "drill_node")


def import_policy(ctx: ImportContext, cluster, declared, where: Where):
    existing = BackupPolicy.objects.filter(cluster=cluster).first()
    if declared is None:
        if existing is not None:
            ctx.writer.delete(existing, where)
        return
    if not isinstance(declared, dict):
        ctx.problems.add("must be a mapping of schedule, type, retention_full, enabled", where, KEY)
        return
    unknown = sorted(set(declared) - set(FIELDS))
    if unknown:
        ctx.problems.add(f"unknown key(s) {', '.join(unknown)}; use {', '.join(FIELDS)}", where, KEY)
        return
    defaults = {f.name: f.get_default() for f in BackupPolicy._meta.concrete_fields if f.name in FIELDS}
    values = {**defaults, **declared}
    if values["drill_node"] is not None:
        ip = str(values["drill_node"])
        values["drill_node"] = ctx.nodes.get(ip)
        if values["drill_node"] is None:
            ctx.problems.add(f"{ip} is not a host of the inventory", where, f"{KEY}.drill_node")
            return
    ctx.writer.save(existing or BackupPolicy(cluster=cluster), values,
                    Where(cluster=where.cluster, prefix=f"{KEY}."), requires=("cluster",))


def export_policy(cluster) -> dict:
    policy = BackupPolicy.objects.filter(cluster=cluster).first()
    if policy is None:
        return {}
    declared = {name: getattr(policy, name) for name in FIELDS}
    declared["drill_node"] = policy.drill_node.ip if policy.drill_node else None
    return {KEY: declared}
