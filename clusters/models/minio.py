"""MINIO clusters (S3-compatible backup repository), their members `{cls}-{minio_seq}`, buckets and users."""
from django.core.exceptions import ValidationError
from django.db import models

from clusters import validators
from rdsconsole.crypto import EncryptedJSONField, EncryptedTextField

from .base import ChangeLoggedModel, vars_field
from .deployment import Deployment, Node


class MinioCluster(ChangeLoggedModel):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="minio_clusters")
    name = models.CharField(max_length=63, default="minio", validators=[validators.generic_cluster_name],
                            help_text="minio_cluster")
    group = models.CharField(max_length=63, default="minio", help_text="inventory group name")
    vars = vars_field()
    secret_vars = EncryptedJSONField()

    class Meta:
        ordering = ["deployment__name", "name"]
        verbose_name = "MINIO cluster"
        constraints = [
            models.UniqueConstraint(fields=["deployment", "name"], name="minio_cluster_unique",
                                    violation_error_message="a MINIO cluster with this name exists"),
        ]

    def __str__(self):
        return self.name


class MinioMember(ChangeLoggedModel):
    cluster = models.ForeignKey(MinioCluster, on_delete=models.CASCADE, related_name="members")
    # RESTRICT: a node in use cannot be deleted on its own, only with its whole deployment
    node = models.ForeignKey(Node, on_delete=models.RESTRICT, related_name="minio_members")
    minio_seq = models.PositiveIntegerField()
    vars = vars_field()
    secret_vars = EncryptedJSONField(help_text="host-level secret vars")

    class Meta:
        ordering = ["cluster__name", "minio_seq"]
        verbose_name = "MINIO member"
        constraints = [
            models.UniqueConstraint(fields=["cluster", "minio_seq"], name="minio_seq_unique",
                                    violation_error_message="minio_seq must be unique within the cluster"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.cluster.name}-{self.minio_seq}"

    @property
    def labels(self):
        return {"cls": self.cluster.name, "ins": self.name, "ip": self.node.ip, "job": "minio"}

    def clean(self):
        errors = {}
        if self.minio_seq is not None and self.minio_seq < 1:
            errors["minio_seq"] = "must be a natural number starting from 1"
        if self.cluster_id and self.node_id and self.node.deployment_id != self.cluster.deployment_id:
            errors["node"] = "must belong to the cluster's deployment"
        if errors:
            raise ValidationError(errors)


class MinioBucket(ChangeLoggedModel):
    cluster = models.ForeignKey(MinioCluster, on_delete=models.CASCADE, related_name="buckets")
    name = models.CharField(max_length=63)
    extra = vars_field("bucket keys the model has no column for")

    class Meta:
        ordering = ["cluster__name", "name"]
        constraints = [models.UniqueConstraint(fields=["cluster", "name"], name="minio_bucket_unique")]

    def __str__(self):
        return self.name


class MinioUser(ChangeLoggedModel):
    cluster = models.ForeignKey(MinioCluster, on_delete=models.CASCADE, related_name="users")
    access_key = models.CharField(max_length=128)
    secret_key = EncryptedTextField(validators=[validators.not_well_known_password])
    policy = models.CharField(max_length=63, blank=True)
    extra = vars_field("user keys the model has no column for")

    class Meta:
        ordering = ["cluster__name", "access_key"]
        constraints = [models.UniqueConstraint(fields=["cluster", "access_key"], name="minio_user_unique")]

    def __str__(self):
        return self.access_key
