"""REDIS clusters (standalone, sentinel or native cluster), their nodes and instances `{cls}-{node}-{port}`."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clusters import validators
from rdsconsole.crypto import EncryptedJSONField

from .base import ChangeLoggedModel, vars_field
from .deployment import Deployment, Node

REDIS_MODES = [("standalone", "standalone"), ("sentinel", "sentinel"), ("cluster", "cluster")]


class RedisCluster(ChangeLoggedModel):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="redis_clusters")
    name = models.CharField(max_length=63, validators=[validators.redis_cluster_name], help_text="redis_cluster")
    redis_mode = models.CharField(max_length=10, choices=REDIS_MODES, default="standalone")
    redis_sentinel_monitor = EncryptedJSONField(default=list,
                                                help_text="primaries a sentinel cluster watches (holds passwords)")
    vars = vars_field()
    secret_vars = EncryptedJSONField()

    class Meta:
        ordering = ["deployment__name", "name"]
        verbose_name = "REDIS cluster"
        constraints = [
            models.UniqueConstraint(fields=["deployment", "name"], name="redis_cluster_unique",
                                    violation_error_message="a REDIS cluster with this name exists"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.redis_sentinel_monitor and self.redis_mode != "sentinel":
            raise ValidationError({"redis_sentinel_monitor": "only a sentinel-mode cluster monitors primaries"})
        if not isinstance(self.redis_sentinel_monitor, list):
            raise ValidationError({"redis_sentinel_monitor": "must be a list of {name, host, port, quorum}"})


class RedisNode(ChangeLoggedModel):
    """A node of a Redis cluster (`redis_node`); a node belongs to one Redis cluster only."""

    cluster = models.ForeignKey(RedisCluster, on_delete=models.CASCADE, related_name="redis_nodes")
    # RESTRICT: a node in use cannot be deleted on its own, only with its whole deployment
    node = models.ForeignKey(Node, on_delete=models.RESTRICT, related_name="redis_nodes")
    redis_node = models.PositiveIntegerField()
    vars = vars_field()
    secret_vars = EncryptedJSONField(help_text="host-level secret vars")

    class Meta:
        ordering = ["cluster__name", "redis_node"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "redis_node"], name="redis_node_unique",
                                    violation_error_message="redis_node must be unique within the cluster"),
            models.UniqueConstraint(fields=["node"], name="redis_node_one_cluster",
                                    violation_error_message="this node already belongs to a Redis cluster"),
        ]

    def __str__(self):
        return f"{self.cluster.name}-{self.redis_node}"

    def clean(self):
        errors = {}
        if self.redis_node is not None and self.redis_node < 1:
            errors["redis_node"] = "must be a natural number starting from 1"
        if self.cluster_id and self.node_id and self.node.deployment_id != self.cluster.deployment_id:
            errors["node"] = "must belong to the cluster's deployment"
        if errors:
            raise ValidationError(errors)


class RedisInstance(ChangeLoggedModel):
    redis_node = models.ForeignKey(RedisNode, on_delete=models.CASCADE, related_name="instances")
    port = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(65535)])
    replica_of = models.CharField(max_length=64, blank=True, help_text="'ip port' of the primary")
    extra = vars_field("instance keys the model has no column for")

    class Meta:
        ordering = ["redis_node__cluster__name", "redis_node__redis_node", "port"]
        constraints = [
            models.UniqueConstraint(fields=["redis_node", "port"], name="redis_port_unique_per_node",
                                    violation_error_message="ports must be unique per node"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.redis_node.cluster.name}-{self.redis_node.redis_node}-{self.port}"

    @property
    def labels(self):
        return {"cls": self.redis_node.cluster.name, "ins": self.name, "ip": self.redis_node.node.ip, "job": "redis"}

    def clean(self):
        if self.replica_of:
            parts = self.replica_of.split()
            if len(parts) != 2 or not parts[1].isdigit():
                raise ValidationError({"replica_of": "must be '<ip> <port>' of the primary, e.g. '10.10.10.10 6379'"})
