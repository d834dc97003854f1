"""Endpoints that start jobs on a cluster — apply (create or converge), destroy, switchover — each answering 202
with the job, 400 when the spec or the request is refused (nothing started), or 409 with the id of the job
that holds the cluster; and the cluster's events."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from clusters.api.serializers import ClusterEventSerializer
from tasks.api.serializers import JobSerializer
from tasks.api.views import job_accepted, job_conflict
from tasks.jobs import JobConflict, launch

JOB_RESPONSES = {202: JobSerializer, 400: OpenApiResponse(description="refused: the body names each problem"),
                 409: OpenApiResponse(description="another job holds the target; `running_job` is its id")}


class ConfirmSerializer(serializers.Serializer):
    confirm = serializers.CharField(help_text="the cluster's name, typed again")


def start_job(request, kind: str, target, params=None):
    """Launch `kind` on `target`; a refused spec raises ValidationError, which the API turns into 400."""
    try:
        job = launch(kind, target, user=request.user, params=params)
    except JobConflict as exc:
        return job_conflict(exc)
    return job_accepted(job)


class PGClusterJobActionsMixin:
    """POST /clusters/{id}/apply/ and /clusters/{id}/destroy/ ({"confirm": name})."""

    @extend_schema(request=None, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        return start_job(request, "pgsql.apply", self.get_object())

    @extend_schema(request=ConfirmSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="destroy", url_name="destroy-cluster")
    def destroy_cluster(self, request, pk=None):
        confirm = request.data.get("confirm") if hasattr(request.data, "get") else None
        return start_job(request, "pgsql.destroy", self.get_object(), {"confirm": confirm})


class SwitchoverSerializer(serializers.Serializer):
    candidate = serializers.CharField(required=False, help_text="instance to promote (default: the healthiest "
                                                                "streaming replica)")
    scheduled_at = serializers.DateTimeField(required=False, help_text="switch over at this time (ISO 8601)")


class PGClusterSwitchoverMixin:
    """POST /clusters/{id}/switchover/ {"candidate"?, "scheduled_at"?}."""

    @extend_schema(request=SwitchoverSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def switchover(self, request, pk=None):
        body = SwitchoverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = {key: request.data[key] for key in ("candidate", "scheduled_at") if key in body.validated_data}
        return start_job(request, "pgsql.switchover", self.get_object(), params)


class PGClusterEventsMixin:
    """GET /clusters/{id}/events/: the cluster's events, newest first (paginated)."""

    @extend_schema(responses=ClusterEventSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def events(self, request, pk=None):
        cluster = self.get_object()
        page = self.paginate_queryset(cluster.events.select_related("cluster"))
        return self.get_paginated_response(ClusterEventSerializer(page, many=True).data)


class EtcdClusterJobActionsMixin:
    """POST /etcd-clusters/{id}/apply/."""

    @extend_schema(request=None, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        return start_job(request, "etcd.apply", self.get_object())
