"""Who may do what where: a user's roles in each deployment, and the API tokens CI uses (only a hash is kept)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .base import ChangeLoggedModel
from .deployment import Deployment

ROLES = [
    ("viewer", "viewer: read"),
    ("operator", "operator: day-2 jobs (switchover, restart, reload, backup now)"),
    ("dba", "dba: create, alter and destroy clusters, databases, users, HBA; request restores"),
    ("approver", "approver: approve or reject restores"),
    ("admin", "admin: everything in the deployment, its members, credentials and settings"),
]


class Membership(ChangeLoggedModel):
    """One role of a user in one deployment; a user may hold several (say dba and approver)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLES)

    class Meta:
        ordering = ["deployment__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "deployment", "role"], name="membership_unique",
                                    violation_error_message="the user already has this role in the deployment"),
        ]

    def __str__(self):
        return f"{self.user.get_username()} is {self.role} in {self.deployment.name}"


class ApiToken(ChangeLoggedModel):
    """A bearer token for the API: the secret is shown once at creation; the panel keeps its SHA-256 only.

    Read-only tokens may only read; others act with their user's roles. A token restricted to a deployment sees
    nothing else. Expired or revoked tokens are refused (401)."""

    name = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, editable=False, help_text="first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False, help_text="may only read, whatever the user's roles")
    deployment = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="api_tokens", help_text="empty: every deployment of the user")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="empty: never")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__username", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique",
                                    violation_error_message="the user already has a token with this name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user.get_username()}"

    def clean(self):
        if self.pk is None and self.expires_at is not None and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": "must be in the future"})

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
