"""Import of the ETCD, MINIO, REDIS and INFRA groups: each cluster, its members (one per host) and, for MINIO
and REDIS, their users, buckets and instances."""
from clusters.models import (
    EtcdCluster,
    EtcdMember,
    InfraNode,
    MinioBucket,
    MinioCluster,
    MinioMember,
    MinioUser,
    RedisCluster,
    RedisInstance,
    RedisNode,
)

from .context import ImportContext
from .defaults import MINIO_LISTS, REDIS_CLUSTER_DEFAULTS, resolve
from .errors import Where
from .parse import Group
from .pgsql import entries


def cluster_name(ctx: ImportContext, group: Group, key: str) -> str:
    """ETCD and MINIO clusters are named by their `*_cluster` var, else the global one, else the group name."""
    return str(resolve(key, group.vars, ctx.global_vars, default=group.name))


def save_cluster(ctx: ImportContext, model, key: str, name: str, modeled: set, values: dict, group: Group):
    where = Where(cluster=name, names={"name": key})
    if not ctx.writer.first_time((key, name), where, key, f"{key} {name} is declared twice"):
        return None, where
    existing = model.objects.filter(deployment=ctx.deployment, name=name).first() if ctx.deployment.pk else None
    plain, secret = ctx.level_vars(group.vars, modeled, existing.secret_vars if existing else {}, f"{name}.vars")
    values = dict(values, vars=plain, secret_vars=secret)
    cluster = ctx.writer.save(existing or model(deployment=ctx.deployment, name=name), values, where,
                              requires=("deployment",), parent=True)
    return cluster, where


def save_members(ctx: ImportContext, group: Group, cluster, name: str, model, seq_key: str, parent=False,
                 extra_keys=()) -> list:
    """One member per host, identified by its `seq_key` (etcd_seq, minio_seq, redis_node)."""
    existing = {str(getattr(m, seq_key)): m for m in model.objects.filter(cluster=cluster)} if cluster else {}
    members = []
    for ip, hvars in group.hosts.items():
        where = Where(cluster=name, host=ip, names={"node": "host"})
        seq = hvars.get(seq_key)
        if seq is not None and not ctx.writer.first_time((seq_key, name, str(seq)), where, seq_key,
                                                         f"{seq_key} {seq} is used by more than one host of {name}"):
            continue
        member = existing.get(str(seq)) or model(cluster=cluster)
        previous = member.secret_vars if member.pk else {}
        plain, secret = ctx.level_vars(hvars, {seq_key, *extra_keys}, previous, f"{name}.hosts.{ip}")
        values = {seq_key: seq, "node": ctx.nodes.get(ip), "vars": plain, "secret_vars": secret}
        saved = ctx.writer.save(member, values, where, requires=("cluster", "node"), parent=parent)
        members.append((member, saved, hvars, where))
    return members


def import_etcd_group(ctx: ImportContext, group: Group):
    name = cluster_name(ctx, group, "etcd_cluster")
    cluster, where = save_cluster(ctx, EtcdCluster, "etcd_cluster", name, {"etcd_cluster"}, {"group": group.name},
                                  group)
    members = save_members(ctx, group, cluster, name, EtcdMember, "etcd_seq")
    if cluster is not None:
        for message in cluster.topology_errors(members=[m for m, *_ in members]):
            field_name, _, message = message.partition(": ")
            ctx.problems.add(message, where, field_name)


def import_minio_group(ctx: ImportContext, group: Group):
    name = cluster_name(ctx, group, "minio_cluster")
    cluster, where = save_cluster(ctx, MinioCluster, "minio_cluster", name, {"minio_cluster", *MINIO_LISTS},
                                  {"group": group.name}, group)
    save_members(ctx, group, cluster, name, MinioMember, "minio_seq")
    for label, model, key in (("minio_users", MinioUser, "access_key"), ("minio_buckets", MinioBucket, "name")):
        declared = resolve(label, group.vars, ctx.global_vars, default=[])
        ctx.sync_items(model, {"cluster": cluster}, ("cluster",), entries(ctx, label, declared, where), where,
                       key=key)


def import_redis_group(ctx: ImportContext, group: Group):
    name = str(group.vars["redis_cluster"])
    if name != group.name:
        ctx.warnings.append(f"group {group.name}: redis_cluster is {name}; it is exported as group {name}")
    values = {key: resolve(key, group.vars, ctx.global_vars, default=default)
              for key, default in REDIS_CLUSTER_DEFAULTS.items()}
    cluster, _ = save_cluster(ctx, RedisCluster, "redis_cluster", name,
                              {"redis_cluster", *REDIS_CLUSTER_DEFAULTS}, values, group)
    for _, node, hvars, where in save_members(ctx, group, cluster, name, RedisNode, "redis_node", parent=True,
                                              extra_keys={"redis_instances"}):
        instances = hvars.get("redis_instances") or {}
        if not isinstance(instances, dict):
            ctx.problems.add("must be a mapping of port to instance config", where, "redis_instances")
            continue
        pairs = [(f"redis_instances.{port}.", instance_item(port, config)) for port, config in instances.items()]
        ctx.sync_items(RedisInstance, {"redis_node": node}, ("redis_node",), pairs, where, key="port")


def instance_item(port, config):
    """`6380: {replica_of: ...}` as an item with its port; an empty config (`6379:`) is an empty mapping."""
    if config is None:
        config = {}
    return dict(config, port=port) if isinstance(config, dict) else config


def import_infra_group(ctx: ImportContext, group: Group):
    """INFRA nodes; the group's own vars are kept on the deployment (infra_vars / infra_secret_vars)."""
    existing = {str(i.infra_seq): i for i in ctx.deployment.infra_nodes.all()} if ctx.deployment.pk else {}
    for ip, hvars in group.hosts.items():
        where = Where(cluster="infra", host=ip, names={"node": "host"})
        seq = hvars.get("infra_seq")
        if seq is not None and not ctx.writer.first_time(("infra_seq", str(seq)), where, "infra_seq",
                                                         f"infra_seq {seq} is used by more than one host"):
            continue
        infra = existing.get(str(seq)) or InfraNode(deployment=ctx.deployment)
        plain, secret = ctx.level_vars(hvars, {"infra_seq"}, infra.secret_vars if infra.pk else {},
                                       f"infra.hosts.{ip}")
        values = {"infra_seq": seq, "node": ctx.nodes.get(ip), "vars": plain, "secret_vars": secret}
        ctx.writer.save(infra, values, where, requires=("deployment", "node"))
