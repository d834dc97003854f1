"""Serializers of backups, the catalogue (recovery window), backup policies and restore requests."""
from rest_framework import serializers

from backups.models import (BACKUP_TYPES, RESTORE_MODES, RESTORE_TARGETS, Backup, BackupCatalog, BackupPolicy,
                            RestoreDecision, RestoreDrill, RestoreRequest)
from clusters.api.serializers import ModelSaveMixin
from clusters.models import PGCluster


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


class RestoreDrillSerializer(serializers.ModelSerializer):
    node_ip = serializers.CharField(source="node.ip", read_only=True, default=None)

    class Meta:
        model = RestoreDrill
        fields = ["finished", "backup_label", "reached", "seconds", "node_ip", "job"]
        read_only_fields = fields


class BackupCatalogSerializer(serializers.ModelSerializer):
    """A cluster's catalogue: the recovery window, WAL range, when and from where it was read, its backups, and
    its last verified restore (the newest restore drill that passed)."""

    cluster_name = serializers.CharField(source="cluster.name", read_only=True)
    recovery_window = RecoveryWindowSerializer(source="*", read_only=True)
    backups = serializers.SerializerMethodField()
    last_verified_restore = serializers.SerializerMethodField()

    class Meta:
        model = BackupCatalog
        fields = ["cluster", "cluster_name", "refreshed_at", "read_from", "status", "wal_min", "wal_max",
                  "recovery_window", "last_verified_restore", "backups"]
        read_only_fields = fields

    def get_backups(self, catalog) -> list[dict]:
        return BackupSerializer(catalog.cluster.backups.select_related("cluster"), many=True).data

    def get_last_verified_restore(self, catalog) -> dict | None:
        drill = catalog.cluster.restore_drills.select_related("node").first()
        return RestoreDrillSerializer(drill).data if drill else None


class DrillRequestSerializer(serializers.Serializer):
    node = serializers.IPAddressField(help_text="IP of the scratch node (a node of the deployment without "
                                                "PostgreSQL) the newest backup is restored on")


class BackupRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=BACKUP_TYPES, default="incr",
                                   help_text="incr (default, full when there is none to build on), diff or full")


class BackupPolicySerializer(ModelSaveMixin, serializers.ModelSerializer):
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)

    class Meta:
        model = BackupPolicy
        fields = ["id", "cluster", "cluster_name", "enabled", "schedule", "type", "retention_full", "drill_schedule",
                  "drill_node", "created", "last_updated"]

    def validate_cluster(self, cluster):
        if self.instance is not None and cluster != self.instance.cluster:
            raise serializers.ValidationError("cannot change once created: make a policy for the other cluster")
        return cluster


class RestoreDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RestoreDecision
        fields = ["user", "user_name", "decision", "comment", "time"]
        read_only_fields = fields


class RestoreRequestSerializer(serializers.ModelSerializer):
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)
    new_cluster_name = serializers.CharField(source="new_cluster.name", read_only=True, default=None)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    decisions = RestoreDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = RestoreRequest
        fields = ["id", "cluster", "cluster_name", "mode", "target_type", "target", "target_time", "inclusive",
                  "new_cluster", "new_cluster_name", "reason", "state", "requested_by", "created", "expires_at",
                  "approvals_required", "decisions", "job", "reached", "last_updated"]
        read_only_fields = fields


class RestoreCreateSerializer(serializers.Serializer):
    cluster = serializers.PrimaryKeyRelatedField(queryset=PGCluster.objects.all(),
                                                 help_text="the cluster whose backups are restored")
    target_type = serializers.ChoiceField(choices=RESTORE_TARGETS, default="latest")
    target = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="time (ISO 8601 with zone), xid, LSN or restore point name")
    inclusive = serializers.BooleanField(default=True, help_text="false: stop just before the target")
    mode = serializers.ChoiceField(choices=RESTORE_MODES,
                                   help_text="branch: into a new cluster; in-place: roll the cluster back")
    new_cluster = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text="branch: the new cluster's name")
    nodes = serializers.ListField(child=serializers.IPAddressField(), required=False, default=list,
                                  help_text="branch: IPs of the new cluster's nodes; the first becomes primary")
    confirm = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="in-place: the cluster's name, typed again")
    reason = serializers.CharField(help_text="why; the approver reads it")


class RestoreCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
