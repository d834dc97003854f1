"""Deployments (environments), the nodes in them, SSH credentials, and INFRA nodes."""
import secrets
import string

from django.core.exceptions import ValidationError
from django.db import models

from clusters import validators
from rdsconsole.crypto import EncryptedJSONField, EncryptedTextField

from .base import ChangeLoggedModel, vars_field

DEFAULT_INTRA = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length=validators.GENERATED_PASSWORD_LENGTH) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def default_intra():
    return list(DEFAULT_INTRA)


class Deployment(ChangeLoggedModel):
    """An environment (prod, staging, …): its nodes, clusters and global Pigsty vars."""

    name = models.CharField(max_length=64, unique=True, validators=[validators.deployment_name])
    description = models.TextField(blank=True)
    intra_cidrs = models.JSONField(default=default_intra, validators=[validators.cidr_list],
                                   help_text="CIDRs the HBA alias `intra` expands to")
    vars = vars_field("global vars (all.vars) the model has no column for")
    secret_vars = EncryptedJSONField(help_text="global secret vars: system passwords and nested secrets")
    infra_vars = vars_field("vars of the `infra` group")
    infra_secret_vars = EncryptedJSONField(help_text="secret vars of the `infra` group")
    extra_groups = vars_field("inventory groups of no known module, kept verbatim")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = []
        for key, value in (self.secret_vars or {}).items():
            if isinstance(value, str) and value in validators.WELL_KNOWN_PASSWORDS:
                errors.append(f"{key}: is one of Pigsty's well-known default passwords; choose another")
        if errors:
            raise ValidationError({"secret_vars": errors})

    def save(self, *args, **kwargs):
        self.fill_system_passwords()
        super().save(*args, **kwargs)

    def fill_system_passwords(self):
        """Generate every missing system password (24 random characters), as Pigsty's `configure -g` does."""
        current = dict(self.secret_vars or {})
        for key in validators.SYSTEM_PASSWORD_VARS:
            if not current.get(key):
                current[key] = generate_password()
        self.secret_vars = current


class Credential(ChangeLoggedModel):
    """How to log in to nodes over SSH: a private key or a password, encrypted at rest, never read back."""

    KINDS = [("ssh_key", "SSH private key"), ("password", "password")]

    name = models.CharField(max_length=100, unique=True)
    deployment = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="credentials",
                                   help_text="the deployment whose nodes may use it; empty: shared (superusers only)")
    kind = models.CharField(max_length=10, choices=KINDS, default="ssh_key")
    username = models.CharField(max_length=64, default="root")
    secret = EncryptedTextField(help_text="private key text or password; write-only")
    passphrase = EncryptedTextField(blank=True, help_text="passphrase of the private key, if any; write-only")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Node(ChangeLoggedModel):
    """A Linux host reached over SSH, identified by its IP within a deployment."""

    STATUSES = [("unknown", "unknown"), ("reachable", "reachable"), ("unreachable", "unreachable")]

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="nodes")
    ip = models.GenericIPAddressField(protocol="both")
    hostname = models.CharField(max_length=253, blank=True)
    ssh_port = models.PositiveIntegerField(default=22)
    ssh_user = models.CharField(max_length=64, default="root")
    credential = models.ForeignKey(Credential, null=True, blank=True, on_delete=models.PROTECT, related_name="nodes")
    facts = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=STATUSES, default="unknown")
    host_key = models.TextField(blank=True, help_text="pinned SSH host key, 'type base64'")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deployment__name", "ip"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "ip"], name="node_ip_unique_in_deployment",
                                    violation_error_message="a node with this IP already exists in the deployment"),
        ]

    def __str__(self):
        return self.hostname or self.ip

    def clean(self):
        if self.ssh_port is not None and not 1 <= self.ssh_port <= 65535:
            raise ValidationError({"ssh_port": "must be between 1 and 65535"})
        credential = self.credential if self.credential_id else None
        if credential is not None and credential.deployment_id not in (None, self.deployment_id):
            raise ValidationError({"credential": f"belongs to another deployment; use a credential of "
                                                 f"{self.deployment.name} or a shared one"})


class InfraNode(ChangeLoggedModel):
    """An INFRA node (`infra_seq`): portal, Grafana, VictoriaMetrics, alerting."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="infra_nodes")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="infra_roles")
    infra_seq = models.PositiveIntegerField()
    vars = vars_field()
    secret_vars = EncryptedJSONField(help_text="host-level secret vars")

    class Meta:
        ordering = ["deployment__name", "infra_seq"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "infra_seq"], name="infra_seq_unique",
                                    violation_error_message="infra_seq must be unique within the deployment"),
            models.UniqueConstraint(fields=["node"], name="infra_node_once",
                                    violation_error_message="this node is already an INFRA node"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"infra-{self.infra_seq}"

    def clean(self):
        errors = {}
        if self.infra_seq is not None and self.infra_seq < 1:
            errors["infra_seq"] = "must be a natural number starting from 1"
        if self.node_id and self.deployment_id and self.node.deployment_id != self.deployment_id:
            errors["node"] = "must belong to the same deployment"
        if errors:
            raise ValidationError(errors)

    @property
    def labels(self):
        return {"cls": "infra", "ins": self.name, "ip": self.node.ip, "job": "infra"}
