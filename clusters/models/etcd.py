"""ETCD clusters (the DCS Patroni uses) and their members `{cls}-{etcd_seq}`."""
from django.core.exceptions import ValidationError
from django.db import models

from clusters import validators
from rdsconsole.crypto import EncryptedJSONField

from .base import ChangeLoggedModel, vars_field
from .deployment import Deployment, Node

ETCD_SIZES = (1, 3, 5, 7)


class EtcdCluster(ChangeLoggedModel):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="etcd_clusters")
    name = models.CharField(max_length=63, default="etcd", validators=[validators.generic_cluster_name],
                            help_text="etcd_cluster")
    group = models.CharField(max_length=63, default="etcd", help_text="inventory group name")
    vars = vars_field()
    secret_vars = EncryptedJSONField()
    status = models.CharField(max_length=12, default="declared",
                              choices=[(s, s) for s in ("declared", "running", "failed")])
    last_applied = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deployment__name", "name"]
        verbose_name = "ETCD cluster"
        constraints = [
            models.UniqueConstraint(fields=["deployment", "name"], name="etcd_cluster_unique",
                                    violation_error_message="an ETCD cluster with this name exists"),
        ]

    def __str__(self):
        return self.name

    def topology_errors(self, members=None) -> list[str]:
        """An ETCD cluster needs an odd member count (1, 3, 5…): even sizes add no fault tolerance."""
        count = len(list(self.members.all()) if members is None else members)
        if count % 2 == 0:
            return [f"members: an ETCD cluster needs an odd number of members (1, 3 or 5); {self.name} has {count}"]
        return []


class EtcdMember(ChangeLoggedModel):
    cluster = models.ForeignKey(EtcdCluster, on_delete=models.CASCADE, related_name="members")
    # RESTRICT: a node in use cannot be deleted on its own, only with its whole deployment
    node = models.ForeignKey(Node, on_delete=models.RESTRICT, related_name="etcd_members")
    etcd_seq = models.PositiveIntegerField()
    vars = vars_field()
    secret_vars = EncryptedJSONField(help_text="host-level secret vars")

    class Meta:
        ordering = ["cluster__name", "etcd_seq"]
        verbose_name = "ETCD member"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "etcd_seq"], name="etcd_seq_unique",
                                    violation_error_message="etcd_seq must be unique within the cluster"),
            models.UniqueConstraint(fields=["cluster", "node"], name="etcd_node_once",
                                    violation_error_message="this node is already a member of the cluster"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.cluster.name}-{self.etcd_seq}"

    @property
    def labels(self):
        return {"cls": self.cluster.name, "ins": self.name, "ip": self.node.ip, "job": "etcd"}

    def clean(self):
        errors = {}
        if self.etcd_seq is not None and self.etcd_seq < 1:
            errors["etcd_seq"] = "must be a natural number starting from 1"
        if self.cluster_id and self.node_id and self.node.deployment_id != self.cluster.deployment_id:
            errors["node"] = "must belong to the cluster's deployment"
        if errors:
            raise ValidationError(errors)
