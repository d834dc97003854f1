"""Day-2 endpoints of a running cluster that change its spec and converge the nodes in one request:
`POST /clusters/{id}/configure/` (HA settings and PostgreSQL parameters), `GET /clusters/{id}/hba/preview/` and
`POST /clusters/{id}/hba/apply/`; restart, reload and reinit of members; adding and removing replicas; users and
databases created, changed and dropped on the live cluster; and the HBA rule guard that refuses a rule set
locking out the system users.

A change is saved (and change-logged) in the same transaction that creates its job: when the job is refused
(400) or the cluster is busy (409), nothing is saved."""
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from clusters.api.jobactions import JOB_RESPONSES
from clusters.models import Node, PGCluster, PGInstance
from tasks.api.serializers import JobSerializer
from tasks.api.views import job_accepted, job_conflict
from tasks.jobs import JobConflict, launch
from tasks.render import render_pg_hba_lines, render_pgbouncer_hba
from tasks.render.hba import HBAError
from tasks.render.hba_lockout import problems as lockout_problems


class ConfigureSerializer(serializers.Serializer):
    pg_rto = serializers.CharField(required=False, help_text="RTO plan mode: fast, norm, safe, wide")
    pg_rpo = serializers.IntegerField(required=False, min_value=0,
                                      help_text="bytes of WAL a failover may lose; 0 = synchronous")
    pg_rto_plan = serializers.JSONField(required=False, help_text="per-mode overrides of the RTO plan")
    pg_parameters = serializers.DictField(required=False, allow_empty=True,
                                          help_text="PostgreSQL parameters over the conf template (replaces the set)")


def launch_with_change(request, kind: str, cluster, change=None, params=None):
    """Apply `change(cluster)` (which saves) and launch the job in one transaction; 202, or 400/409 with nothing
    saved."""
    with transaction.atomic():
        if change is not None:
            change(cluster)
            cluster = PGCluster.objects.get(pk=cluster.pk)  # the viewset's prefetched members predate the change
        try:
            job = launch(kind, cluster, user=request.user, params=params)
        except JobConflict as exc:
            transaction.set_rollback(True)
            return job_conflict(exc)
    return job_accepted(job)


class HBAPreviewSerializer(serializers.Serializer):
    cluster = serializers.CharField()
    pg_hba = serializers.DictField(child=serializers.CharField(), help_text="member name → pg_hba.conf")
    pgb_hba = serializers.CharField(help_text="pgBouncer's pgb_hba.conf (the same on every member)")
    problems = serializers.ListField(child=serializers.CharField(),
                                     help_text="system users the rules would lock out; apply refuses them")


class PGClusterConfigureMixin:
    """POST /clusters/{id}/configure/ {pg_rto?, pg_rpo?, pg_rto_plan?, pg_parameters?}."""

    @extend_schema(request=ConfigureSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def configure(self, request, pk=None):
        body = ConfigureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        if not values:
            raise ValidationError({"non_field_errors": ["give at least one of pg_rto, pg_rpo, pg_rto_plan, "
                                                        "pg_parameters"]})

        def change(cluster):
            for field in ("pg_rto", "pg_rpo", "pg_rto_plan"):
                if field in values:
                    setattr(cluster, field, values[field])
            if "pg_parameters" in values:
                cluster.vars = {**(cluster.vars or {}), "pg_parameters": values["pg_parameters"]}
            cluster.save()
        return launch_with_change(request, "pgsql.configure", self.get_object(), change, {"changed": sorted(values)})


class PGClusterHBAMixin:
    """GET /clusters/{id}/hba/preview/: pg_hba.conf of each member and pgBouncer's HBA as they would be written,
    with any lock-out problem; POST /clusters/{id}/hba/apply/: write them and reload."""

    @extend_schema(responses=HBAPreviewSerializer)
    @action(detail=True, methods=["get"], url_path="hba/preview", url_name="hba-preview", filterset_class=None)
    def hba_preview(self, request, pk=None):
        cluster: PGCluster = self.get_object()
        try:
            members = {i.name: render_pg_hba_lines(cluster, i) for i in cluster.instances.select_related("node")}
            pgbouncer = render_pgbouncer_hba(cluster)
            problems = lockout_problems(cluster)
        except HBAError as exc:
            raise ValidationError({"hba_rules": [str(exc)]}) from None
        return Response({"cluster": cluster.name, "pg_hba": members, "pgb_hba": pgbouncer, "problems": problems})

    @extend_schema(request=None, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="hba/apply", url_name="hba-apply")
    def hba_apply(self, request, pk=None):
        return launch_with_change(request, "pgsql.configure", self.get_object(), params={"changed": ["hba_rules"]})


class RestartSerializer(serializers.Serializer):
    instance = serializers.CharField(required=False, help_text="one member (default: every member, rolling)")
    pending_only = serializers.BooleanField(required=False, default=False,
                                            help_text="only members Patroni marks as pending a restart")


class InstanceSerializer(serializers.Serializer):
    instance = serializers.CharField(required=False, help_text="one member (default: every member)")


class ReplicaSerializer(serializers.Serializer):
    instance = serializers.CharField(help_text="the replica, e.g. pg-test-2")


class PGClusterMemberOpsMixin:
    """POST /clusters/{id}/restart/ {instance?, pending_only?} (rolling without instance: replicas, switchover,
    old primary), /reload/ {instance?}, /reinit/ {instance} (rebuild a replica from the primary)."""

    def _member_job(self, request, kind: str, serializer_class):
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        params = {key: value for key, value in body.validated_data.items() if value not in (None, False)}
        return launch_with_change(request, kind, self.get_object(), params=params)

    @extend_schema(request=RestartSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def restart(self, request, pk=None):
        return self._member_job(request, "pgsql.restart", RestartSerializer)

    @extend_schema(request=InstanceSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def reload(self, request, pk=None):
        return self._member_job(request, "pgsql.reload", InstanceSerializer)

    @extend_schema(request=ReplicaSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"])
    def reinit(self, request, pk=None):
        return self._member_job(request, "pgsql.reinit", ReplicaSerializer)


class AddReplicaSerializer(serializers.Serializer):
    ip = serializers.IPAddressField(help_text="a free node of the cluster's deployment")
    pg_seq = serializers.IntegerField(required=False, min_value=1, help_text="default: one past the highest")
    pg_role = serializers.ChoiceField(choices=["replica", "offline"], default="replica")
    pg_offline_query = serializers.BooleanField(default=False)


class RemoveReplicaSerializer(serializers.Serializer):
    instance = serializers.CharField(help_text="the replica, e.g. pg-test-3")
    confirm = serializers.CharField(required=False, help_text="its name, typed again")


class PGClusterReplicasMixin:
    """POST /clusters/{id}/add-replica/ {ip, pg_seq?, pg_role?} declares the instance and starts the job that
    builds it; POST /clusters/{id}/remove-replica/ {instance, confirm} removes one from its node and the spec."""

    @extend_schema(request=AddReplicaSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="add-replica", url_name="add-replica")
    def add_replica(self, request, pk=None):
        cluster = self.get_object()
        body = AddReplicaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        node = Node.objects.filter(deployment=cluster.deployment, ip=values["ip"]).first()
        if node is None:
            raise ValidationError({"ip": [f"no node {values['ip']} in deployment {cluster.deployment.name}; add "
                                         f"the node first"]})
        seq = values.get("pg_seq") or (max((i.pg_seq for i in cluster.instances.all()), default=0) + 1)
        created = {}

        def declare(cluster):
            created["instance"] = PGInstance.objects.create(
                cluster=cluster, node=node, pg_seq=seq, pg_role=values["pg_role"],
                pg_offline_query=values["pg_offline_query"])
        return launch_with_change(request, "pgsql.add_replica", cluster, declare,
                                  params={"instance": f"{cluster.name}-{seq}"})

    @extend_schema(request=RemoveReplicaSerializer, responses=JOB_RESPONSES)
    @action(detail=True, methods=["post"], url_path="remove-replica", url_name="remove-replica")
    def remove_replica(self, request, pk=None):
        body = RemoveReplicaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return launch_with_change(request, "pgsql.remove_replica", self.get_object(), params=dict(body.validated_data))


class HBARuleLockoutGuardMixin:
    """Creating, changing or deleting an HBA rule is refused (400, nothing saved) when the resulting rule set
    would lock the system users out of a cluster it applies to."""

    def perform_create(self, serializer):
        with transaction.atomic():
            super().perform_create(serializer)
            self._refuse_lockout(serializer.instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            super().perform_update(serializer)
            self._refuse_lockout(serializer.instance)

    @staticmethod
    def _refuse_lockout(rule):
        clusters = [rule.cluster] if rule.cluster_id else list(rule.deployment.pg_clusters.all())
        found = []
        for cluster in clusters:
            try:
                found += [f"{cluster.name}: {p}" if not rule.cluster_id else p for p in lockout_problems(cluster)]
            except HBAError as exc:
                found.append(str(exc))
        if found:
            raise ValidationError({"hba_rules": found})


class ClusterBusy(APIException):
    status_code = 409
    default_detail = "the cluster is busy with another job"

    def __init__(self, exc: JobConflict):
        super().__init__()
        self.detail = {"detail": str(exc), "running_job": exc.running_job.pk}  # the job id stays a number


class LiveAccessMixin:
    """Users and databases of a running cluster change on the cluster too: creating or changing one starts the
    `pgsql.access` job in the same request (the answer carries it as `job`); deleting one needs
    {"confirm": "<name>"} and answers 202 with the job that drops it. On a cluster that does not run yet these
    only edit its spec. A refused job (400) or a busy cluster (409) saves nothing."""

    drop_param = ""  # the pgsql.access parameter listing the names to drop

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        return self._with_job(response)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        return self._with_job(response)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._job = self._sync(serializer.instance.cluster)

    def perform_update(self, serializer):
        before = serializer.instance.name
        super().perform_update(serializer)
        cluster = serializer.instance.cluster
        if cluster.status == "running" and serializer.instance.name != before:
            raise ValidationError({"name": [f"cannot rename {before} on the running cluster {cluster.name}: create "
                                            f"the new one, move what depends on it, then drop {before}"]})
        self._job = self._sync(cluster)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        cluster = obj.cluster
        if cluster.status != "running":
            return super().destroy(request, *args, **kwargs)
        confirm = request.data.get("confirm") if hasattr(request.data, "get") else None
        if confirm != obj.name:
            raise ValidationError({"confirm": [f"dropping {obj.name} on the running cluster {cluster.name} deletes "
                                               f"it there; type its name to confirm: {{\"confirm\": \"{obj.name}\"}}"]})
        with transaction.atomic():
            self.perform_destroy(obj)
            job = self._sync(cluster, {self.drop_param: [obj.name]})
        return job_accepted(job)

    def _sync(self, cluster, params=None):
        if cluster.status != "running":
            return None
        try:
            return launch("pgsql.access", cluster, user=self.request.user, params=params)
        except JobConflict as exc:
            raise ClusterBusy(exc) from None

    def _with_job(self, response):
        job = getattr(self, "_job", None)
        if job is not None:  # only when the change started one: the resource itself has no such field
            response.data["job"] = JobSerializer(job).data
        return response


class LiveUsersMixin(LiveAccessMixin):
    drop_param = "drop_users"


class LiveDatabasesMixin(LiveAccessMixin):
    drop_param = "drop_databases"

