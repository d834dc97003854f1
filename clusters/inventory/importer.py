"""Import of a Pigsty inventory into a deployment, all or nothing: every problem is collected, and any problem
rolls the whole import back. Re-importing the same inventory changes nothing."""
from dataclasses import dataclass

from django.db import transaction

from clusters.changelog.context import change_context
from clusters.models import Deployment, EtcdCluster, InfraNode, MinioCluster, Node, PGCluster, RedisCluster
from clusters.models.deployment import DEFAULT_INTRA
from rdsconsole.crypto import MASK

from .context import ImportContext
from .defaults import HBA_LISTS, resolve
from .errors import InventoryError, Problems, Where
from .modules import cluster_name, import_etcd_group, import_infra_group, import_minio_group, import_redis_group
from .parse import Inventory, load_yaml, parse_inventory, plain_data
from .pgsql import import_pg_group, sync_hba
from .secrets import keep_generated_passwords, masked_paths
from .writer import Writer

GROUP_IMPORTERS = {"pgsql": import_pg_group, "etcd": import_etcd_group, "minio": import_minio_group,
                   "redis": import_redis_group, "infra": import_infra_group}
GLOBAL_MODELED = {"node_firewall_intranet", *HBA_LISTS}


@dataclass
class ImportResult:
    deployment: Deployment
    warnings: list


def import_inventory(source, deployment_name, *, user=None, filename="<inventory>") -> ImportResult:
    """Import `source` (YAML text or a parsed mapping) into the deployment `deployment_name`, replacing its
    modeled content. Raises InventoryError listing every problem; then nothing has changed."""
    problems = Problems(filename)
    data = load_yaml(source, problems) if isinstance(source, str) else plain_data(source)
    for path in masked_paths(data):
        problems.add(f"reads {MASK}, what the API's export writes instead of a secret: give the value "
                     f"(`manage.py export_inventory` writes secrets in full)", field_name=path)
    inventory = parse_inventory(data, problems) if data is not None else None
    if inventory is None:
        raise InventoryError(problems.items)
    with change_context(user=user, source="import"), transaction.atomic():
        ctx = run(deployment_name, inventory, problems)
        if problems:
            raise InventoryError(problems.items)
    return ImportResult(deployment=ctx.deployment, warnings=ctx.warnings)


def run(deployment_name: str, inventory: Inventory, problems: Problems) -> ImportContext:
    deployment = Deployment.objects.filter(name=deployment_name).first() or Deployment(name=deployment_name)
    ctx = ImportContext(deployment=deployment, inventory=inventory, problems=problems, writer=Writer(problems))
    save_deployment(ctx)
    if ctx.deployment.pk:
        prune(ctx)
    save_nodes(ctx)
    if ctx.deployment.pk:
        sync_hba(ctx, None, inventory.vars, Where())
    for group in inventory.groups:
        if group.module in GROUP_IMPORTERS:
            GROUP_IMPORTERS[group.module](ctx, group)
    if ctx.deployment.pk:
        delete_stale_nodes(ctx)
    return ctx


def save_deployment(ctx: ImportContext):
    """Global vars (all.vars) and the `infra` group's vars on the deployment; unknown groups kept verbatim."""
    deployment, inventory = ctx.deployment, ctx.inventory
    previous = deployment.secret_vars if deployment.pk else {}
    plain, secret = ctx.level_vars(inventory.vars, GLOBAL_MODELED, previous, "all.vars")
    infra = next((g.vars for g in inventory.module_groups("infra")), {})
    infra_plain, infra_secret = ctx.level_vars(infra, (), deployment.infra_secret_vars if deployment.pk else {},
                                               "infra.vars")
    values = {
        "vars": plain, "secret_vars": keep_generated_passwords(secret, previous),
        "intra_cidrs": resolve("node_firewall_intranet", inventory.vars, default=list(DEFAULT_INTRA)),
        "infra_vars": infra_plain, "infra_secret_vars": infra_secret,
        "extra_groups": {g.name: g.raw for g in inventory.module_groups("extra")},
    }
    where = Where(names={"name": "deployment", "intra_cidrs": "node_firewall_intranet"})
    ctx.writer.save(deployment, values, where, parent=True)


def save_nodes(ctx: ImportContext):
    existing = {n.ip: n for n in ctx.deployment.nodes.all()} if ctx.deployment.pk else {}
    for ip in ctx.inventory.hosts():
        node = existing.get(ip) or Node(deployment=ctx.deployment, ip=ip)
        saved = ctx.writer.save(node, {}, Where(host=ip, names={"ip": "host"}), requires=("deployment",))
        if saved is not None:
            ctx.nodes[ip] = saved


def desired_members(ctx: ImportContext) -> dict:
    """(cluster model, cluster name) → {(seq, ip)} of every member the inventory declares."""
    keys = {"pgsql": (PGCluster, "pg_seq"), "redis": (RedisCluster, "redis_node"),
            "etcd": (EtcdCluster, "etcd_seq"), "minio": (MinioCluster, "minio_seq")}
    names = {"pgsql": lambda g: str(g.vars["pg_cluster"]), "redis": lambda g: str(g.vars["redis_cluster"]),
             "etcd": lambda g: cluster_name(ctx, g, "etcd_cluster"),
             "minio": lambda g: cluster_name(ctx, g, "minio_cluster")}
    desired = {}
    for group in ctx.inventory.groups:
        if group.module in keys:
            model, seq_key = keys[group.module]
            desired[(model, names[group.module](group))] = {(str(h.get(seq_key)), ip) for ip, h in group.hosts.items()}
    return desired


def prune(ctx: ImportContext):
    """Delete the clusters and members the inventory no longer declares, before anything is saved, so that a
    node moving between clusters never collides with its old membership."""
    desired = desired_members(ctx)
    for model, members, seq_key in ((PGCluster, "instances", "pg_seq"), (RedisCluster, "redis_nodes", "redis_node"),
                                    (EtcdCluster, "members", "etcd_seq"), (MinioCluster, "members", "minio_seq")):
        for cluster in model.objects.filter(deployment=ctx.deployment):
            wanted = desired.get((model, cluster.name))
            if wanted is None:
                ctx.writer.delete(cluster, Where(cluster=cluster.name))
                continue
            for member in getattr(cluster, members).select_related("node"):
                if (str(getattr(member, seq_key)), member.node.ip) not in wanted:
                    ctx.writer.delete(member, Where(cluster=cluster.name, host=member.node.ip))
    infra = {(str(h.get("infra_seq")), ip) for g in ctx.inventory.module_groups("infra") for ip, h in g.hosts.items()}
    for node in InfraNode.objects.filter(deployment=ctx.deployment).select_related("node"):
        if (str(node.infra_seq), node.node.ip) not in infra:
            ctx.writer.delete(node, Where(cluster="infra", host=node.node.ip))


def delete_stale_nodes(ctx: ImportContext):
    hosts = set(ctx.inventory.hosts())
    for node in ctx.deployment.nodes.all():
        if node.ip not in hosts:
            ctx.writer.delete(node, Where(host=node.ip))
