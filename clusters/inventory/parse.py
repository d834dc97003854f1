"""Reading an inventory: YAML text (duplicate keys reported, dates kept as text) into the Pigsty structure
all.vars / all.children.<group>.hosts.<host> / .vars, with each group classified by module."""
import datetime
from dataclasses import dataclass, field

import yaml

from .errors import Problems, Where

MODULE_KEYS = (("pgsql", "pg_cluster"), ("redis", "redis_cluster"), ("etcd", "etcd_cluster"),
               ("minio", "minio_cluster"))
MODULE_GROUP_NAMES = {"etcd": "etcd", "minio": "minio", "infra": "infra"}


class InventoryLoader(yaml.SafeLoader):
    """Safe YAML, except that timestamps stay strings (vars are stored as JSON and exported as written)."""


InventoryLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


@dataclass
class Group:
    name: str
    module: str
    hosts: dict = field(default_factory=dict)
    vars: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


@dataclass
class Inventory:
    vars: dict
    groups: list[Group]

    def module_groups(self, module: str) -> list[Group]:
        return [g for g in self.groups if g.module == module]

    def hosts(self) -> list[str]:
        """Every host of every group, in order of first appearance."""
        return list(dict.fromkeys(str(host) for group in self.groups for host in group.hosts))


def load_yaml(text: str, problems: Problems):
    """Parse YAML text; syntax errors and duplicate mapping keys (YAML would silently keep the last) are problems."""
    loader = InventoryLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.add("the inventory is empty")
            return None
        for path, key, line in duplicate_keys(node):
            problems.add(f"duplicate key {key!r} at line {line} (YAML keeps only the last one)",
                         where_of(path), ".".join(map(str, path[5:] + [key])) or None)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        problems.add(f"not valid YAML: {exc}")
        return None
    finally:
        loader.dispose()


def duplicate_keys(node, path=None):
    """Yield (path, key, line) for every mapping key that appears twice in the same mapping."""
    path = path or []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            ident = (key_node.tag, key)
            if ident in seen:
                yield path, key, key_node.start_mark.line + 1
            seen.add(ident)
            yield from duplicate_keys(value_node, path + [key])
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from duplicate_keys(item, path + [index])


def where_of(path: list) -> Where:
    """all.children.<group>.hosts.<host>… → the group as cluster and the host."""
    group = path[2] if len(path) > 2 and path[:2] == ["all", "children"] else None
    host = path[4] if group and len(path) > 4 and path[3] == "hosts" else None
    return Where(cluster=group, host=host)


def classify(name: str, group_vars: dict) -> str:
    for module, key in MODULE_KEYS:
        if key in group_vars:
            return module
    return MODULE_GROUP_NAMES.get(name, "extra")


def parse_inventory(data, problems: Problems) -> Inventory | None:
    """Check the top-level shape and classify groups; host and group vars are returned as written."""
    if not isinstance(data, dict) or not isinstance(data.get("all"), dict):
        problems.add("an inventory is a mapping with a top-level `all:` key", field_name="all")
        return None
    root = data["all"]
    for key in set(root) - {"vars", "children", "hosts"}:
        problems.add(f"unknown key {key!r} under all (expected vars, children)", field_name=f"all.{key}")
    if root.get("hosts"):
        problems.add("hosts directly under `all` belong to no cluster; put them in a group", field_name="all.hosts")
    global_vars = mapping(root.get("vars"), problems, Where(), "all.vars")
    children = mapping(root.get("children"), problems, Where(), "all.children")
    groups = []
    for name, body in children.items():
        name = str(name)
        body = mapping(body, problems, Where(cluster=name), None)
        group_vars = mapping(body.get("vars"), problems, Where(cluster=name), "vars")
        module = classify(name, group_vars)
        hosts = {}
        for host, host_vars in mapping(body.get("hosts"), problems, Where(cluster=name), "hosts").items():
            hosts[str(host)] = mapping(host_vars, problems, Where(cluster=name, host=str(host)), None)
        if module == "extra":
            for host in nested_hosts(body.get("children")):
                hosts.setdefault(host, {})
        else:
            for key in set(body) - {"hosts", "vars"}:
                problems.add(f"unsupported key {key!r} in a {module} group", Where(cluster=name), key)
        groups.append(Group(name=name, module=module, hosts=hosts, vars=group_vars, raw=body))
    return Inventory(vars=global_vars, groups=groups)


def nested_hosts(children) -> list[str]:
    """Hosts of the child groups an unknown group defines in place (Ansible `children:`), at any depth."""
    found = []
    for body in children.values() if isinstance(children, dict) else []:
        if not isinstance(body, dict):
            continue
        if isinstance(body.get("hosts"), dict):
            found.extend(str(host) for host in body["hosts"])
        found.extend(nested_hosts(body.get("children")))
    return found


def mapping(value, problems: Problems, where: Where, field_name: str | None) -> dict:
    """`value` as a dict; None (an empty YAML block) is an empty mapping; anything else is a problem."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(f"must be a mapping, not {type(value).__name__}", where, field_name)
        return {}
    return value


def plain_data(value):
    """An already-parsed inventory with dates as text, as the YAML loader above would give them."""
    if isinstance(value, dict):
        return {k: plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
