"""Import of PGSQL groups (a group with `pg_cluster`): the cluster, its instances, users, databases, custom
services, HBA rules and backup policy, each modeled var read with Pigsty's precedence."""
from clusters.models import HBARule, PGCluster, PGDatabase, PGInstance, PGService, PGUser

from . import backup_policy as policy
from .context import ImportContext
from .defaults import (
    HBA_LISTS,
    PG_CLUSTER_DEFAULTS,
    PG_INSTANCE_DEFAULTS,
    PG_LISTS,
    pg_cluster_value,
    resolve,
    rto_mode,
)
from .errors import Where
from .parse import Group

CLUSTER_KEYS = {"pg_cluster", policy.KEY, *PG_CLUSTER_DEFAULTS, *PG_LISTS, *HBA_LISTS}
INSTANCE_KEYS = {"pg_seq", *PG_INSTANCE_DEFAULTS}
LIST_MODELS = {"pg_users": PGUser, "pg_databases": PGDatabase, "pg_services": PGService}


def entries(ctx: ImportContext, label: str, value, where: Where) -> list:
    """(prefix, item) pairs of a declared list; anything but a list is a problem."""
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.problems.add("must be a list", where, label)
        return []
    return [(f"{label}[{index}].", item) for index, item in enumerate(value)]


def sync_hba(ctx: ImportContext, cluster, variables: dict, where: Where):
    """The `pg_hba_rules` / `pgb_hba_rules` of a cluster, or of the deployment when `cluster` is None."""
    for label, rule_set in HBA_LISTS.items():
        parent = {"deployment": ctx.deployment, "cluster": cluster, "rule_set": rule_set}
        ctx.sync_items(HBARule, parent, ("deployment",), entries(ctx, label, variables.get(label), where), where)


def import_pg_group(ctx: ImportContext, group: Group):
    gvars, name = group.vars, str(group.vars["pg_cluster"])
    where = Where(cluster=name, names={"name": "pg_cluster"})
    if name != group.name:
        ctx.warnings.append(f"group {group.name}: pg_cluster is {name}; it is exported as group {name}")
    if not ctx.writer.first_time(("pg_cluster", name), where, "pg_cluster", f"PGSQL cluster {name} is declared twice"):
        return
    existing = PGCluster.objects.filter(deployment=ctx.deployment, name=name).first() if ctx.deployment.pk else None
    plain, secret = ctx.level_vars(gvars, CLUSTER_KEYS, existing.secret_vars if existing else {}, f"{name}.vars")
    values = {key: pg_cluster_value(key, resolve(key, gvars, ctx.global_vars, default=default))
              for key, default in PG_CLUSTER_DEFAULTS.items()}
    warning = rto_mode(resolve("pg_rto", gvars, ctx.global_vars, default="norm"))[1]
    if warning:
        ctx.warnings.append(f"{name}: {warning}")
    values.update(vars=plain, secret_vars=secret)
    cluster = ctx.writer.save(existing or PGCluster(deployment=ctx.deployment, name=name), values, where,
                              requires=("deployment",), parent=True)
    import_instances(ctx, group, cluster, name)
    for label, model in LIST_MODELS.items():
        declared = resolve(label, gvars, ctx.global_vars, default=[])
        ctx.sync_items(model, {"cluster": cluster}, ("cluster",), entries(ctx, label, declared, where), where,
                       key="name")
    if cluster is not None:
        sync_hba(ctx, cluster, gvars, where)
        policy.import_policy(ctx, cluster, gvars.get(policy.KEY), where)


def import_instances(ctx: ImportContext, group: Group, cluster, name: str):
    """One instance per host. Primaries are saved last so that a re-import moving the primary role never sees
    two; the whole-cluster rules are checked on the roles of every declared host."""
    existing = {str(i.pg_seq): i for i in cluster.instances.all()} if cluster is not None else {}
    roles, accepted = {}, []
    for ip, hvars in group.hosts.items():
        roles[ip] = resolve("pg_role", hvars, group.vars, ctx.global_vars, default="replica")
        seq = hvars.get("pg_seq")
        if seq is None or ctx.writer.first_time(("pg_seq", name, str(seq)), Where(cluster=name, host=ip), "pg_seq",
                                                f"pg_seq {seq} is used by more than one host of {name}"):
            accepted.append((ip, hvars))
    for ip, hvars in sorted(accepted, key=lambda host: roles[host[0]] == "primary"):
        instance = existing.get(str(hvars.get("pg_seq"))) or PGInstance(cluster=cluster)
        previous = instance.secret_vars if instance.pk else {}
        plain, secret = ctx.level_vars(hvars, INSTANCE_KEYS, previous, f"{name}.hosts.{ip}")
        values = {key: resolve(key, hvars, group.vars, ctx.global_vars, default=default)
                  for key, default in PG_INSTANCE_DEFAULTS.items()}
        values.update(pg_seq=hvars.get("pg_seq"), node=ctx.nodes.get(ip), vars=plain, secret_vars=secret)
        values["pg_upstream"] = values["pg_upstream"] or None
        ctx.writer.save(instance, values, Where(cluster=name, host=ip, names={"node": "host"}),
                        requires=("cluster", "node"))
    if cluster is not None:
        for message in cluster.topology_errors(instances=[PGInstance(pg_role=role) for role in roles.values()]):
            field_name, _, message = message.partition(": ")
            ctx.problems.add(message, Where(cluster=name), field_name)
