"""A PGSQL cluster's backup policy in the inventory: the cluster var `pg_backup_policy` ({schedule, type,
retention_full, enabled}; Pigsty itself has no such var and ignores it). Declared → the cluster's BackupPolicy;
absent → the cluster has none."""
from backups.models import BackupPolicy

from .context import ImportContext
from .errors import Where

KEY = "pg_backup_policy"
FIELDS = ("schedule", "type", "retention_full", "enabled")


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
    ctx.writer.save(existing or BackupPolicy(cluster=cluster), {**defaults, **declared},
                    Where(cluster=where.cluster, prefix=f"{KEY}."), requires=("cluster",))


def export_policy(cluster) -> dict:
    policy = BackupPolicy.objects.filter(cluster=cluster).first()
    if policy is None:
        return {}
    return {KEY: {name: getattr(policy, name) for name in FIELDS}}
