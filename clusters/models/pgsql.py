"""PGSQL clusters and everything declared on them: instances, services, databases, users and HBA rules."""
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clusters import validators
from rdsconsole.crypto import EncryptedJSONField, EncryptedTextField

from .base import ChangeLoggedModel, vars_field
from .deployment import Deployment, Node

RTO_MODES = [("fast", "fast"), ("norm", "norm"), ("safe", "safe"), ("wide", "wide")]
CONF_TEMPLATES = [("oltp", "oltp"), ("olap", "olap"), ("crit", "crit"), ("tiny", "tiny")]
PG_ROLES = [("primary", "primary"), ("replica", "replica"), ("offline", "offline")]
CLUSTER_STATUSES = [(s, s) for s in ("declared", "provisioning", "running", "failed", "destroying", "destroyed")]
DEFAULT_RPO = 1048576

# Pigsty's pg_default_services: derived for every cluster, never stored.
DEFAULT_SERVICES = (
    {"name": "primary", "port": 5433, "dest": "default", "check": "/primary", "selector": "[]"},
    {"name": "replica", "port": 5434, "dest": "default", "check": "/read-only", "selector": "[]",
     "backup": "[? pg_role == `primary` || pg_role == `offline` ]"},
    {"name": "default", "port": 5436, "dest": "postgres", "check": "/primary", "selector": "[]"},
    {"name": "offline", "port": 5438, "dest": "postgres", "check": "/replica",
     "selector": "[? pg_role == `offline` || pg_offline_query ]",
     "backup": "[? pg_role == `replica` && !pg_offline_query]"},
)


class PGCluster(ChangeLoggedModel):
    """A PostgreSQL HA cluster (`pg_cluster`) of one primary and its replicas, managed by Patroni."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="pg_clusters")
    name = models.CharField(max_length=63, validators=[validators.pg_cluster_name], help_text="pg_cluster")
    pg_version = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(13), MaxValueValidator(18)], help_text="PostgreSQL major version"
    )
    pg_rto = models.CharField(max_length=4, choices=RTO_MODES, default="norm", help_text="RTO plan mode")
    pg_rto_plan = models.JSONField(default=dict, blank=True, validators=[validators.rto_plan],
                                   help_text="custom RTO plans overriding the built-in ones")
    pg_rpo = models.BigIntegerField(default=DEFAULT_RPO, validators=[MinValueValidator(0)],
                                    help_text="max bytes lost on failover; 0 = synchronous")
    pg_conf = models.CharField(max_length=4, choices=CONF_TEMPLATES, default="oltp", help_text="tuning template")
    vars = vars_field()
    secret_vars = EncryptedJSONField()
    status = models.CharField(max_length=12, choices=CLUSTER_STATUSES, default="declared",
                              help_text="what the last job made of the cluster on its nodes")
    last_applied = models.DateTimeField(null=True, blank=True)
    live_leader = models.CharField(max_length=64, blank=True,
                                   help_text="the leader Patroni last reported (kept while the cluster has none)")

    class Meta:
        ordering = ["deployment__name", "name"]
        verbose_name = "PGSQL cluster"
        constraints = [
            models.UniqueConstraint(fields=["deployment", "name"], name="pg_cluster_unique",
                                    violation_error_message="a PGSQL cluster with this name exists in the deployment"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = [f"{key}: is one of Pigsty's well-known default passwords; choose another"
                  for key, value in (self.secret_vars or {}).items()
                  if isinstance(value, str) and value in validators.WELL_KNOWN_PASSWORDS]
        if errors:
            raise ValidationError({"secret_vars": errors})
        if "pg_parameters" in (self.vars or {}):
            problems = validators.pg_parameters(self.vars["pg_parameters"])
            if problems:
                raise ValidationError({"vars": [f"pg_parameters.{p}" for p in problems]})

    def topology_errors(self, instances=None) -> list[str]:
        """Rules that hold for the whole set of instances: exactly one primary."""
        instances = list(self.instances.all()) if instances is None else instances
        primaries = [i for i in instances if i.pg_role == "primary"]
        if len(primaries) != 1:
            return [f"pg_role: a cluster needs exactly one primary instance; {self.name} has {len(primaries)}"]
        return []

    def services(self) -> list[dict]:
        """The four default services plus the custom ones, as `{cls}-{name}` with their ports."""
        result = [dict(svc, cluster_service=f"{self.name}-{svc['name']}", default=True) for svc in DEFAULT_SERVICES]
        for svc in self.custom_services.all():
            result.append(dict(svc.as_pigsty(), cluster_service=f"{self.name}-{svc.name}", default=False))
        return result

    @property
    def primary_service(self):
        return f"{self.name}-primary"


class PGInstance(ChangeLoggedModel):
    """One PostgreSQL instance `{cls}-{seq}` on one node (PGSQL is 1:1 node:instance)."""

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="instances")
    # RESTRICT: a node in use cannot be deleted on its own, only with its whole deployment
    node = models.ForeignKey(Node, on_delete=models.RESTRICT, related_name="pg_instances")
    pg_seq = models.PositiveIntegerField()
    pg_role = models.CharField(max_length=8, choices=PG_ROLES, default="replica")
    pg_offline_query = models.BooleanField(default=False)
    pg_upstream = models.GenericIPAddressField(null=True, blank=True, help_text="replicate from this IP instead")
    pg_delay = models.CharField(max_length=20, blank=True, validators=[validators.postgres_size],
                                help_text="recovery_min_apply_delay of a delayed replica, e.g. 1d")
    vars = vars_field()
    live_role = models.CharField(max_length=8, blank=True, help_text="role Patroni reports, not the requested one")
    live_state = models.CharField(max_length=32, blank=True, help_text="Patroni's state of the member")
    live_timeline = models.PositiveIntegerField(null=True, blank=True)
    live_lag_mb = models.FloatField(null=True, blank=True, help_text=(
        "replication lag in MB: WAL the replica has not flushed, read on the primary (Patroni's figure for a "
        "replica the primary does not stream to)"))
    live_updated = models.DateTimeField(null=True, blank=True)
    secret_vars = EncryptedJSONField(help_text="host-level secret vars")

    class Meta:
        ordering = ["cluster__name", "pg_seq"]
        verbose_name = "PGSQL instance"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "pg_seq"], name="pg_seq_unique",
                                    violation_error_message="pg_seq must be unique within the cluster"),
            models.UniqueConstraint(fields=["node"], name="pg_one_instance_per_node",
                                    violation_error_message="this node already runs a PGSQL instance (1:1)"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.cluster.name}-{self.pg_seq}"

    @property
    def labels(self):
        return {"cls": self.cluster.name, "ins": self.name, "ip": self.node.ip, "job": "pgsql"}

    def clean(self):
        errors = {}
        if self.pg_seq is not None and self.pg_seq < 1:
            errors["pg_seq"] = "must be a positive integer (1, 2, …)"
        if self.cluster_id and self.node_id and self.node.deployment_id != self.cluster.deployment_id:
            errors["node"] = "must belong to the cluster's deployment"
        if self.pg_role == "primary" and self.cluster_id:
            others = self.cluster.instances.filter(pg_role="primary").exclude(pk=self.pk)
            if others.exists():
                errors["pg_role"] = f"cluster {self.cluster.name} already has a primary ({others.first().name})"
        if errors:
            raise ValidationError(errors)


class PGService(ChangeLoggedModel):
    """A custom service from `pg_services` (the four default services are derived, not stored)."""

    DESTS = [("default", "default"), ("postgres", "postgres"), ("pgbouncer", "pgbouncer")]

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="custom_services")
    name = models.CharField(max_length=63, validators=[validators.generic_cluster_name])
    port = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(65535)])
    ip = models.CharField(max_length=64, default="*")
    selector = models.CharField(max_length=255, default="[]")
    dest = models.CharField(max_length=16, default="default", help_text="default, postgres, pgbouncer or a port")
    check_path = models.CharField(max_length=64, default="/sync", help_text="Pigsty's `check`: Patroni health URL")
    backup = models.CharField(max_length=255, blank=True)
    maxconn = models.PositiveIntegerField(null=True, blank=True)
    balance = models.CharField(max_length=32, blank=True)
    options = models.JSONField(default=list, blank=True)
    extra = vars_field("service keys the model has no column for")

    class Meta:
        ordering = ["cluster__name", "port"]
        verbose_name = "PGSQL service"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="pg_service_name_unique",
                                    violation_error_message="a service with this name exists in the cluster"),
            models.UniqueConstraint(fields=["cluster", "port"], name="pg_service_port_unique",
                                    violation_error_message="another service of the cluster uses this port"),
        ]

    def __str__(self):
        return f"{self.cluster.name}-{self.name}"

    def clean(self):
        errors = {}
        if self.name in {s["name"] for s in DEFAULT_SERVICES}:
            errors["name"] = f"'{self.name}' is a default service of every cluster"
        if self.port in {s["port"] for s in DEFAULT_SERVICES}:
            errors["port"] = f"port {self.port} is taken by a default service (5433, 5434, 5436, 5438)"
        if self.dest not in {d for d, _ in self.DESTS} and not str(self.dest).isdigit():
            errors["dest"] = "must be default, postgres, pgbouncer or a port number"
        if errors:
            raise ValidationError(errors)

    def as_pigsty(self) -> dict:
        data = {"name": self.name, "port": self.port, "ip": self.ip, "selector": self.selector, "dest": self.dest,
                "check": self.check_path}
        for key in ("backup", "maxconn", "balance", "options"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data.update(self.extra or {})
        return data


class PGDatabase(ChangeLoggedModel):
    """A business database from `pg_databases`."""

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="databases")
    name = models.CharField(max_length=63, validators=[validators.pg_identifier])
    owner = models.CharField(max_length=63, blank=True, validators=[validators.pg_identifier])
    template = models.CharField(max_length=63, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    locale = models.CharField(max_length=64, blank=True)
    lc_collate = models.CharField(max_length=64, blank=True)
    lc_ctype = models.CharField(max_length=64, blank=True)
    tablespace = models.CharField(max_length=63, blank=True)
    allowconn = models.BooleanField(null=True, blank=True)
    revokeconn = models.BooleanField(null=True, blank=True)
    register_datasource = models.BooleanField(null=True, blank=True)
    connlimit = models.IntegerField(null=True, blank=True, validators=[MinValueValidator(-1)])
    schemas = models.JSONField(default=list, blank=True)
    extensions = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True)
    baseline = models.CharField(max_length=255, blank=True)
    pgbouncer = models.BooleanField(null=True, blank=True)
    pool_auth_user = models.CharField(max_length=63, blank=True)
    pool_mode = models.CharField(max_length=12, blank=True,
                                 choices=[("", ""), ("transaction", "transaction"), ("session", "session"),
                                          ("statement", "statement")])
    pool_size = models.PositiveIntegerField(null=True, blank=True)
    pool_reserve = models.PositiveIntegerField(null=True, blank=True)
    pool_size_min = models.PositiveIntegerField(null=True, blank=True)
    pool_connlimit = models.PositiveIntegerField(null=True, blank=True)
    extra = vars_field("pg_databases keys the model has no column for")

    class Meta:
        ordering = ["cluster__name", "name"]
        verbose_name = "PGSQL database"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="pg_database_unique",
                                    violation_error_message="a database with this name exists in the cluster"),
        ]

    def __str__(self):
        return f"{self.cluster.name}.{self.name}"


class PGUser(ChangeLoggedModel):
    """A role or user from `pg_users`; its password is encrypted at rest and never read back."""

    cluster = models.ForeignKey(PGCluster, on_delete=models.CASCADE, related_name="users")
    name = models.CharField(max_length=63, validators=[validators.pg_identifier])
    password = EncryptedTextField(blank=True, validators=[validators.not_well_known_password,
                                                           validators.one_line_password])
    login = models.BooleanField(null=True, blank=True)
    superuser = models.BooleanField(null=True, blank=True)
    createdb = models.BooleanField(null=True, blank=True)
    createrole = models.BooleanField(null=True, blank=True)
    inherit = models.BooleanField(null=True, blank=True)
    replication = models.BooleanField(null=True, blank=True)
    bypassrls = models.BooleanField(null=True, blank=True)
    pgbouncer = models.BooleanField(null=True, blank=True)
    connlimit = models.IntegerField(null=True, blank=True, validators=[MinValueValidator(-1)])
    expire_in = models.PositiveIntegerField(null=True, blank=True, help_text="days from creation")
    expire_at = models.CharField(max_length=32, blank=True, help_text="YYYY-MM-DD")
    comment = models.TextField(blank=True)
    roles = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    pool_mode = models.CharField(max_length=12, blank=True)
    pool_connlimit = models.IntegerField(null=True, blank=True, validators=[MinValueValidator(-1)],
                                         help_text="-1 disables the limit")
    extra = vars_field("pg_users keys the model has no column for")

    class Meta:
        ordering = ["cluster__name", "name"]
        verbose_name = "PGSQL user"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="pg_user_unique",
                                    violation_error_message="a user with this name exists in the cluster"),
        ]

    def __str__(self):
        return f"{self.cluster.name}:{self.name}"

    def clean(self):
        errors = {}
        if not isinstance(self.roles, list) or not all(isinstance(r, str) for r in self.roles):
            errors["roles"] = "must be a list of role names"
        else:
            bad = [r for r in self.roles if not re.match(validators.PG_IDENTIFIER_RE, r)]
            if bad:
                errors["roles"] = f"not valid PostgreSQL identifiers: {', '.join(bad)}"
        if self.expire_at and not re.match(r"^\d{4}-\d{2}-\d{2}$", self.expire_at):
            errors["expire_at"] = "must be a date YYYY-MM-DD"
        if errors:
            raise ValidationError(errors)


class HBARule(ChangeLoggedModel):
    """An HBA rule (`pg_hba_rules` or `pgb_hba_rules`), global to the deployment or on one cluster."""

    SETS = [("postgres", "postgres"), ("pgbouncer", "pgbouncer")]
    ROLES = [("common", "common"), ("primary", "primary"), ("replica", "replica"), ("offline", "offline")]

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="hba_rules")
    cluster = models.ForeignKey(PGCluster, null=True, blank=True, on_delete=models.CASCADE, related_name="hba_rules")
    rule_set = models.CharField(max_length=10, choices=SETS, default="postgres")
    user = models.CharField(max_length=64, blank=True, validators=[validators.hba_user])
    db = models.CharField(max_length=64, blank=True, validators=[validators.hba_db])
    addr = models.CharField(max_length=64, blank=True, validators=[validators.hba_addr])
    auth = models.CharField(max_length=16, blank=True, validators=[validators.hba_auth])
    title = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=8, choices=ROLES, default="common")
    order = models.IntegerField(null=True, blank=True)
    rules = models.JSONField(default=list, blank=True, help_text="raw pg_hba lines instead of user/db/addr/auth")
    extra = vars_field("rule keys the model has no column for")

    class Meta:
        ordering = ["deployment__name", "rule_set", "order", "id"]
        verbose_name = "HBA rule"

    def __str__(self):
        return self.title or f"{self.user} {self.db} {self.addr} {self.auth}"

    def clean(self):
        errors = {}
        if self.cluster_id and self.deployment_id and self.cluster.deployment_id != self.deployment_id:
            errors["cluster"] = "must belong to the rule's deployment"
        if self.rules:
            if not isinstance(self.rules, list) or not all(isinstance(r, str) for r in self.rules):
                errors["rules"] = "must be a list of pg_hba.conf lines"
        else:
            for name in ("user", "db", "addr", "auth"):
                if not getattr(self, name):
                    errors[name] = "is required (unless raw `rules` are given)"
        if errors:
            raise ValidationError(errors)
