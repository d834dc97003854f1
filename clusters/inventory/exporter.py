"""Export of a deployment as a Pigsty inventory: `all: {children: {...}, vars: {...}}`, every var written back at
the level it was imported from. A modeled value equal to what the level would inherit (from all.vars, the group
vars or Pigsty's default) is not repeated.

With `mask=True` (the API's export: secrets are write-only there) every secret value reads MASK: each value of
the secret vars, and anything under a key that names a secret (pg_users[].password, minio_users[].secret_key);
`manage.py export_inventory` writes them in full."""
import json

import yaml

from clusters.models import HBARule, MinioBucket, MinioUser, PGDatabase, PGService, PGUser
from clusters.models.deployment import DEFAULT_INTRA

from .backup_policy import export_policy
from .defaults import (
    HBA_LISTS,
    PG_CLUSTER_DEFAULTS,
    PG_INSTANCE_DEFAULTS,
    REDIS_CLUSTER_DEFAULTS,
    conf_file,
    pg_cluster_value,
    resolve,
)
from .items import canonical, to_pigsty
from .secrets import mask_secret_vars, mask_secrets

PG_LIST_MODELS = {"pg_users": (PGUser, "users"), "pg_databases": (PGDatabase, "databases"),
                  "pg_services": (PGService, "custom_services")}
MINIO_LIST_MODELS = {"minio_users": (MinioUser, "users"), "minio_buckets": (MinioBucket, "buckets")}


class InventoryDumper(yaml.SafeDumper):
    """Plain YAML as people write inventories: no `&id001` anchors for values that happen to be shared."""

    def ignore_aliases(self, data):
        return True


def dump_inventory(deployment, mask: bool = False) -> str:
    """The inventory as YAML text."""
    return yaml.dump(export_inventory(deployment, mask), Dumper=InventoryDumper, sort_keys=False,
                     allow_unicode=True, width=120)


def export_inventory(deployment, mask: bool = False) -> dict:
    secret = mask_secret_vars if mask else dict
    global_vars = {**deployment.vars, **deployment.secret_vars}
    children = {}
    infra = list(deployment.infra_nodes.select_related("node").order_by("infra_seq"))
    if infra or deployment.infra_vars or deployment.infra_secret_vars:
        children["infra"] = group(
            {inf.node.ip: {"infra_seq": inf.infra_seq, **inf.vars, **secret(inf.secret_vars)} for inf in infra},
            {**deployment.infra_vars, **secret(deployment.infra_secret_vars)})
    for cluster in deployment.etcd_clusters.all():
        children[cluster.group] = group(
            {m.node.ip: {"etcd_seq": m.etcd_seq, **m.vars, **secret(m.secret_vars)}
             for m in cluster.members.select_related("node")},
            {"etcd_cluster": cluster.name, **cluster.vars, **secret(cluster.secret_vars)})
    for cluster in deployment.minio_clusters.all():
        children[cluster.group] = export_minio(cluster, global_vars, secret)
    for cluster in deployment.pg_clusters.all():
        children[cluster.name] = export_pg(cluster, global_vars, secret)
    for cluster in deployment.redis_clusters.all():
        children[cluster.name] = export_redis(cluster, global_vars, secret)
    for name, body in deployment.extra_groups.items():
        children.setdefault(name, body)
    global_vars.update(hba_rules(deployment.hba_rules.filter(cluster=None)))
    if deployment.intra_cidrs != DEFAULT_INTRA:
        global_vars["node_firewall_intranet"] = deployment.intra_cidrs
    if mask:
        global_vars.update(mask_secret_vars(deployment.secret_vars))
        return mask_secrets({"all": {"children": children, "vars": global_vars}})
    return {"all": {"children": children, "vars": global_vars}}


def group(hosts: dict, variables: dict) -> dict:
    return {"hosts": hosts, "vars": variables} if variables else {"hosts": hosts}


def differs(current: list, inherited) -> bool:
    def key(item):
        return json.dumps(item, sort_keys=True, default=str)
    return sorted(current, key=key) != inherited


def declared_lists(cluster, models: dict, global_vars: dict) -> dict:
    """Each declared list of the cluster, unless it is exactly what the cluster inherits from all.vars."""
    result = {}
    for label, (model, related) in models.items():
        current = [to_pigsty(obj) for obj in getattr(cluster, related).all()]
        if differs(current, canonical(model, global_vars.get(label, []))):
            result[label] = current
    return result


def hba_rules(queryset) -> dict:
    result = {}
    for label, rule_set in HBA_LISTS.items():
        rules = [to_pigsty(rule) for rule in queryset.filter(rule_set=rule_set).order_by("id")]
        if rules:
            result[label] = rules
    return result


def export_pg(cluster, global_vars: dict, secret=dict) -> dict:
    variables = {"pg_cluster": cluster.name}
    for key, default in PG_CLUSTER_DEFAULTS.items():
        value = getattr(cluster, key)
        if value != pg_cluster_value(key, resolve(key, global_vars, default=default)):
            variables[key] = conf_file(value) if key == "pg_conf" else value
    variables.update(declared_lists(cluster, PG_LIST_MODELS, global_vars))
    variables.update(hba_rules(HBARule.objects.filter(cluster=cluster)))
    variables.update(export_policy(cluster))
    variables.update({**cluster.vars, **secret(cluster.secret_vars)})
    hosts = {}
    for instance in cluster.instances.select_related("node"):
        host = {"pg_seq": instance.pg_seq, "pg_role": instance.pg_role}
        for key, default in PG_INSTANCE_DEFAULTS.items():
            if key == "pg_role":
                continue
            inherited = resolve(key, cluster.vars, global_vars, default=default)
            if (getattr(instance, key) or default) != (inherited or default):
                host[key] = getattr(instance, key)
        hosts[instance.node.ip] = {**host, **instance.vars, **secret(instance.secret_vars)}
    return group(hosts, variables)


def export_minio(cluster, global_vars: dict, secret=dict) -> dict:
    variables = {"minio_cluster": cluster.name, **declared_lists(cluster, MINIO_LIST_MODELS, global_vars),
                 **cluster.vars, **secret(cluster.secret_vars)}
    hosts = {m.node.ip: {"minio_seq": m.minio_seq, **m.vars, **secret(m.secret_vars)}
             for m in cluster.members.select_related("node")}
    return group(hosts, variables)


def export_redis(cluster, global_vars: dict, secret=dict) -> dict:
    variables = {"redis_cluster": cluster.name}
    for key, default in REDIS_CLUSTER_DEFAULTS.items():
        if getattr(cluster, key) != resolve(key, global_vars, default=default):
            variables[key] = getattr(cluster, key)
    variables.update({**cluster.vars, **secret(cluster.secret_vars)})
    hosts = {}
    for node in cluster.redis_nodes.select_related("node"):
        instances = {i.port: to_pigsty(i, exclude=("port",)) for i in node.instances.all()}
        hosts[node.node.ip] = {"redis_node": node.redis_node, "redis_instances": instances,
                               **node.vars, **secret(node.secret_vars)}
    return group(hosts, variables)
