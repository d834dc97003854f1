"""ObjectChange: one row per create/update/delete, with before → after snapshots (secrets masked); append-only
and hash-chained (see clusters.models.chained)."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from clusters.changelog.context import SOURCES
from clusters.changelog.snapshot import diff

from .chained import ChainedEntry


class ObjectChange(ChainedEntry):
    ACTIONS = [("create", "create"), ("update", "update"), ("delete", "delete")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="changes")
    user_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=10, choices=[(s, s) for s in SOURCES])
    request_id = models.UUIDField(db_index=True)
    action = models.CharField(max_length=10, choices=ACTIONS)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField(db_index=True)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    # the user is hashed by name: its foreign key is cleared when the user is deleted
    hashed_fields = ("user_name", "source", "request_id", "action", "object_id", "object_repr", "before", "after")

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.content_type.model} {self.object_repr} by {self.user_name or self.source}"

    @property
    def object_type(self):
        kind = ContentType.objects.get_for_id(self.content_type_id)
        return f"{kind.app_label}.{kind.model}"

    def chain_content(self) -> dict:
        return {**super().chain_content(), "object_type": self.object_type}

    @property
    def diff(self):
        return diff(self.before, self.after)
