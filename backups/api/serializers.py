"""Serializers of backups, the catalogue (recovery window) and backup policies."""
from rest_framework import serializers

from clusters.api.serializers import ModelSaveMixin
from backups.models import BACKUP_TYPES, Backup, BackupCatalog, BackupPolicy


class BackupSerializer(serializers.ModelSerializer):
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)

    class Meta:
        model = Backup
        fields = ["id", "cluster", "cluster_name", "label", "type", "prior", "started_at", "stopped_at", "size",
                  "delta", "repo_size", "repo_delta", "wal_start", "wal_stop", "lsn_start", "lsn_stop", "error"]
        read_only_fields = fields


class RecoveryWindowSerializer(serializers.Serializer):
    earliest = serializers.DateTimeField(source="earliest_restorable", allow_null=True)
    latest = serializers.DateTimeField(source="latest_restorable", allow_null=True)


class BackupCatalogSerializer(serializers.ModelSerializer):
    """A cluster's catalogue: the recovery window, WAL range, when and from where it was read, and its backups."""

    cluster_name = serializers.CharField(source="cluster.name", read_only=True)
    recovery_window = RecoveryWindowSerializer(source="*", read_only=True)
    backups = serializers.SerializerMethodField()

    class Meta:
        model = BackupCatalog
        fields = ["cluster", "cluster_name", "refreshed_at", "read_from", "status", "wal_min", "wal_max",
                  "recovery_window", "backups"]
        read_only_fields = fields

    def get_backups(self, catalog) -> list[dict]:
        return BackupSerializer(catalog.cluster.backups.select_related("cluster"), many=True).data


class BackupRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=BACKUP_TYPES, default="incr",
                                   help_text="incr (default, full when there is none to build on), diff or full")


class BackupPolicySerializer(ModelSaveMixin, serializers.ModelSerializer):
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)

    class Meta:
        model = BackupPolicy
        fields = ["id", "cluster", "cluster_name", "enabled", "schedule", "type", "retention_full", "created",
                  "last_updated"]

    def validate_cluster(self, cluster):
        if self.instance is not None and cluster != self.instance.cluster:
            raise serializers.ValidationError("cannot change once created: make a policy for the other cluster")
        return cluster
