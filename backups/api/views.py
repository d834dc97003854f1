"""Backups endpoints: every backup (`/backups/`, read-only) and backup policies (`/backup-policies/`); the
per-cluster actions are in actions.py."""
from rest_framework import mixins, viewsets

from backups.models import Backup, BackupPolicy
from clusters.api.views import ChangeAttributionMixin

from . import filtersets, serializers


class BackupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Backups in the catalogues of every cluster, newest first (read from pgBackRest; refresh per cluster)."""

    queryset = Backup.objects.select_related("cluster").order_by("-started_at", "-pk")
    serializer_class = serializers.BackupSerializer
    filterset_class = filtersets.BackupFilterSet


class BackupPolicyViewSet(ChangeAttributionMixin, viewsets.ModelViewSet):
    """Backup policies: schedule (cron fields), type and retention of each cluster's scheduled backups."""

    queryset = BackupPolicy.objects.select_related("cluster")
    serializer_class = serializers.BackupPolicySerializer
    filterset_class = filtersets.BackupPolicyFilterSet


ROUTES = [("backups", BackupViewSet), ("backup-policies", BackupPolicyViewSet)]


def register(router):
    for prefix, viewset in ROUTES:
        router.register(prefix, viewset, basename=prefix)
