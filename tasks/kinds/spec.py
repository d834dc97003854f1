"""What must hold before a PGSQL cluster job may start, and the cluster's system passwords."""
from django.core.exceptions import ValidationError

from clusters.models import EtcdCluster
from clusters.models.deployment import generate_password
from clusters.validators import WELL_KNOWN_PASSWORDS

from tasks.operations.roles import ADMIN, DBSU, MONITOR, REPLICATOR
from tasks.render import hba_lockout
from tasks.render.hba import HBAError
from tasks.render.context import PASSWORD_VARS as CLUSTER_PASSWORD_VARS
from tasks.render.context import system_passwords  # noqa: F401  (re-exported for the kinds)

DEFAULT_ROLE_NAMES = {"dbrole_readonly", "dbrole_offline", "dbrole_readwrite", "dbrole_admin",
                      DBSU, REPLICATOR, ADMIN, MONITOR}


def ensure_cluster_passwords(cluster):
    """Give the cluster its own random system passwords where it has none yet."""
    secret_vars = dict(cluster.secret_vars or {})
    missing = [key for key in CLUSTER_PASSWORD_VARS if not secret_vars.get(key)]
    if missing:
        for key in missing:
            secret_vars[key] = generate_password()
        cluster.secret_vars = secret_vars
        cluster.save(update_fields=["secret_vars", "last_updated"])


def cluster_spec_errors(cluster) -> dict:
    """Problems that refuse an apply before any job exists: {field: [messages]}."""
    errors = {}
    try:
        cluster.full_clean()
    except ValidationError as exc:
        errors.update({key: list(messages) for key, messages in exc.message_dict.items()})
    instances = list(cluster.instances.select_related("node"))
    if not instances:
        errors["instances"] = ["the cluster has no instances; add at least a primary"]
    else:
        topology = cluster.topology_errors(instances)
        if topology:
            errors["instances"] = topology
    etcd = EtcdCluster.objects.filter(deployment=cluster.deployment).first()
    if etcd is None or not etcd.members.exists():
        errors["etcd"] = [f"deployment {cluster.deployment.name} has no ETCD cluster; create and apply one first"]
    user_names = {u.name for u in cluster.users.all()}
    known = DEFAULT_ROLE_NAMES | user_names
    for user in cluster.users.all():
        unknown = [r for r in user.roles or [] if r not in known and not r.startswith("pg_")]
        if unknown:
            errors.setdefault("users", []).append(f"{user.name}: unknown role(s) {', '.join(unknown)}")
        if user.password in WELL_KNOWN_PASSWORDS:
            errors.setdefault("users", []).append(f"{user.name}: uses a well-known default password")
    for db in cluster.databases.all():
        if db.owner and db.owner not in known:
            errors.setdefault("databases", []).append(f"{db.name}: owner {db.owner} is not a user of the cluster")
    if instances:
        try:
            lockout = hba_lockout.problems(cluster)
        except HBAError as exc:
            lockout = [str(exc)]
        if lockout:
            errors["hba_rules"] = lockout
    return errors
