"""Jobs API: list, read, follow the log (`?after=N`), cancel."""
import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clusters.access.drf import RoleScopedViewSetMixin
from clusters.access.roles import OPERATE
from tasks.api.serializers import JobLogLineSerializer, JobSerializer
from tasks.jobs import JobConflict, cancel
from tasks.models import Job

LOG_PAGE = 1000


class JobFilterSet(django_filters.FilterSet):
    class Meta:
        model = Job
        fields = {"kind": ["exact"], "status": ["exact"], "object_id": ["exact"],
                  "content_type__model": ["exact"], "requested_by__username": ["exact"]}


class JobViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                 viewsets.GenericViewSet):
    """Jobs: one run of an operation, with progress, result and log (those of the user's deployments)."""

    capabilities = {"cancel": OPERATE}

    queryset = Job.objects.select_related("requested_by", "content_type")
    serializer_class = JobSerializer
    filterset_class = JobFilterSet

    @extend_schema(parameters=[OpenApiParameter("after", int, description="return lines with seq > after")],
                   responses=JobLogLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def log(self, request, pk=None):
        job = self.get_object()
        try:
            after = int(request.query_params.get("after", 0))
        except ValueError:
            return Response({"after": ["must be a whole number (the last seq you have)"]}, status=400)
        lines = job.log_lines.filter(seq__gt=after).order_by("seq")[:LOG_PAGE]
        data = JobLogLineSerializer(lines, many=True).data
        return Response({"job": job.pk, "status": job.status, "lines": data,
                         "last": data[-1]["seq"] if data else after})

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        if not cancel(job):
            return Response({"detail": f"job #{job.pk} is already {job.status}"}, status=status.HTTP_409_CONFLICT)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def job_accepted(job) -> Response:
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def job_conflict(exc: JobConflict) -> Response:
    return Response({"detail": str(exc), "running_job": exc.running_job.pk}, status=status.HTTP_409_CONFLICT)


def register(router):
    router.register("jobs", JobViewSet, basename="jobs")
