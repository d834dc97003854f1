"""The backups actions of the clusters endpoint: a cluster's catalogue and "back up now"
(`GET`/`POST /clusters/{id}/backups/`), reading the catalogue again (`POST /clusters/{id}/backups/refresh/`) and
a restore drill on a scratch node (`POST /clusters/{id}/restore-drill/` {node})."""
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from backups.models import BackupCatalog
from clusters.api.jobactions import JOB_RESPONSES, start_job
from clusters.models import Node

from . import serializers


class PGClusterBackupsMixin:
    """GET /clusters/{id}/backups/ (catalogue and recovery window), POST it {type} to back up now."""

    @extend_schema(methods=["get"], responses=serializers.BackupCatalogSerializer)
    @extend_schema(methods=["post"], request=serializers.BackupRequestSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def backups(self, request, pk=None):
        cluster = self.get_object()
        if request.method == "POST":
            body = serializers.BackupRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return start_job(request, "pgsql.backup", cluster, params=dict(body.validated_data))
        catalog = BackupCatalog.objects.filter(cluster=cluster).first() or BackupCatalog(cluster=cluster)
        return Response(serializers.BackupCatalogSerializer(catalog).data)

    @extend_schema(request=None, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="backups/refresh", url_name="backups-refresh")
    def backups_refresh(self, request, pk=None):
        return start_job(request, "pgsql.backup_refresh", self.get_object())

    @extend_schema(request=serializers.DrillRequestSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="restore-drill", url_name="restore-drill")
    def restore_drill(self, request, pk=None):
        cluster = self.get_object()
        body = serializers.DrillRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        node = Node.objects.filter(deployment=cluster.deployment, ip=body.validated_data["node"]).first()
        if node is None:
            raise ValidationError({"node": [f"no node {body.validated_data['node']} in deployment "
                                            f"{cluster.deployment.name}"]})
        return start_job(request, "pgsql.restore_drill", cluster, params={"node": node.pk})
