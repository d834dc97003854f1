"""Backups endpoints: every backup (`/backups/`, read-only), backup policies (`/backup-policies/`) and
point-in-time restore requests with their approval (`/restores/`); the per-cluster actions are in actions.py."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from backups import restores
from backups.models import Backup, BackupPolicy, RestoreRequest
from clusters.access.drf import RoleScopedViewSetMixin, restrict_related
from clusters.access.roles import APPROVE
from clusters.api.views import ChangeAttributionMixin

from . import filtersets, serializers


class BackupViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Backups in the catalogues of every cluster, newest first (read from pgBackRest; refresh per cluster)."""

    queryset = Backup.objects.select_related("cluster").order_by("-started_at", "-pk")
    serializer_class = serializers.BackupSerializer
    filterset_class = filtersets.BackupFilterSet


class BackupPolicyViewSet(RoleScopedViewSetMixin, ChangeAttributionMixin, viewsets.ModelViewSet):
    """Backup policies: schedule (cron fields), type and retention of each cluster's scheduled backups."""

    queryset = BackupPolicy.objects.select_related("cluster")
    serializer_class = serializers.BackupPolicySerializer
    filterset_class = filtersets.BackupPolicyFilterSet


DECISION_RESPONSES = {200: serializers.RestoreRequestSerializer,
                      403: OpenApiResponse(description="no approver permission, or the requester approving"),
                      409: OpenApiResponse(description="not pending, already decided, or the cluster is busy")}


class RestoreRequestViewSet(RoleScopedViewSetMixin, ChangeAttributionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Point-in-time restores: ask (branch into a new cluster, or in place), then a second person approves or
    rejects; the approval that completes the count starts the restore job; a failed one can be run again."""

    queryset = RestoreRequest.objects.select_related("cluster", "new_cluster", "requested_by", "job") \
        .prefetch_related("decisions")
    serializer_class = serializers.RestoreRequestSerializer
    filterset_class = filtersets.RestoreRequestFilterSet
    capabilities = {"approve": APPROVE, "reject": APPROVE}

    def get_object(self):
        return refreshed(super().get_object())

    def list(self, request, *args, **kwargs):
        for item in self.filter_queryset(self.get_queryset()).filter(state__in=("pending", "running")):
            refreshed(item)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=serializers.RestoreCreateSerializer, responses={201: serializers.RestoreRequestSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.RestoreCreateSerializer(data=request.data)
        restrict_related(body, request.user)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            created = restores.create(request.user, data.pop("cluster"), **data)
        except restores.RestoreRefused as exc:
            raise ValidationError(exc.errors) from None
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.RestoreCommentSerializer, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(restores.approve, request, pk)

    @extend_schema(request=serializers.RestoreCommentSerializer, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(restores.reject, request, pk)

    @extend_schema(request=None, responses={
        200: serializers.RestoreRequestSerializer,
        403: OpenApiResponse(description="no dba role in the cluster's deployment"),
        409: OpenApiResponse(description="the restore has not failed, its branch cluster is gone, or the target "
                                         "cluster is busy")})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Run a failed restore again, as it was approved: a new job that converges from where the last one
        stopped."""
        restore_id = self.get_object().pk
        return self._answer(lambda: restores.retry(restore_id, request.user))

    def _decide(self, decide, request, pk):
        body = serializers.RestoreCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        restore_id = self.get_object().pk
        return self._answer(lambda: decide(restore_id, request.user, body.validated_data["comment"]))

    def _answer(self, change):
        """The request after `change`, or the refusal: 403, or 409 with the running job when there is one."""
        try:
            changed = change()
        except restores.RestoreForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except restores.RestoreConflict as exc:
            body = {"detail": str(exc)}
            if exc.running_job is not None:
                body["running_job"] = exc.running_job.pk
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(self.get_queryset().get(pk=changed.pk)).data)


def refreshed(item: RestoreRequest) -> RestoreRequest:
    """Expiry and the job's outcome are applied when a request is read, besides the periodic expiry task."""
    restores.expire_if_overdue(item)
    return restores.follow_job(item)


ROUTES = [("backups", BackupViewSet), ("backup-policies", BackupPolicyViewSet), ("restores", RestoreRequestViewSet)]


def register(router):
    for prefix, viewset in ROUTES:
        router.register(prefix, viewset, basename=prefix)
