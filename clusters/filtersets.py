"""django-filter filtersets shared by the API (and the console's list views)."""
import django_filters
from django.core.validators import validate_ipv46_address

from clusters import models
from tasks.models import JobEvent


def name_filterset(model, extra=()):
    """A filterset with exact `name`, case-insensitive `name__icontains`, `deployment` and any `extra` fields."""
    fields = {"name": ["exact", "icontains"]}
    if any(f.name == "deployment" for f in model._meta.fields):
        fields["deployment"] = ["exact"]
        fields["deployment__name"] = ["exact"]
    for field in extra:
        fields[field] = ["exact"]
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (django_filters.FilterSet,), {"Meta": meta})


DeploymentFilterSet = name_filterset(models.Deployment)
CredentialFilterSet = name_filterset(models.Credential, ["kind", "username"])
PGClusterFilterSet = name_filterset(models.PGCluster, ["pg_version", "pg_rto", "pg_conf"])
EtcdClusterFilterSet = name_filterset(models.EtcdCluster)
MinioClusterFilterSet = name_filterset(models.MinioCluster)
RedisClusterFilterSet = name_filterset(models.RedisCluster, ["redis_mode"])
PGDatabaseFilterSet = name_filterset(models.PGDatabase, ["cluster", "owner"])
PGUserFilterSet = name_filterset(models.PGUser, ["cluster"])
PGServiceFilterSet = name_filterset(models.PGService, ["cluster", "port"])


class NodeFilterSet(django_filters.FilterSet):
    ip = django_filters.CharFilter(validators=[validate_ipv46_address], help_text="the node's IP address")

    class Meta:
        model = models.Node
        fields = {"deployment": ["exact"], "deployment__name": ["exact"], "ip": ["exact"],
                  "hostname": ["exact", "icontains"], "status": ["exact"]}


def split_seq_name(value: str):
    """`pg-meta-2` → ("pg-meta", 2); None when the name does not end in -<number>."""
    prefix, _, seq = value.rpartition("-")
    return (prefix, int(seq)) if prefix and seq.isdigit() else None


class InfraNodeFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", help_text="the derived name infra-{infra_seq}")

    class Meta:
        model = models.InfraNode
        fields = {"deployment": ["exact"], "infra_seq": ["exact"]}

    def filter_name(self, queryset, name, value):
        parts = split_seq_name(value)
        if parts is None or parts[0] != "infra":
            return queryset.none()
        return queryset.filter(infra_seq=parts[1])


class PGInstanceFilterSet(django_filters.FilterSet):
    cluster_name = django_filters.CharFilter(field_name="cluster__name")
    name = django_filters.CharFilter(method="filter_name", help_text="the derived name {pg_cluster}-{pg_seq}")

    class Meta:
        model = models.PGInstance
        fields = {"cluster": ["exact"], "pg_role": ["exact"], "pg_seq": ["exact"], "node": ["exact"]}

    def filter_name(self, queryset, name, value):
        parts = split_seq_name(value)
        if parts is None:
            return queryset.none()
        return queryset.filter(cluster__name=parts[0], pg_seq=parts[1])


class HBARuleFilterSet(django_filters.FilterSet):
    class Meta:
        model = models.HBARule
        fields = {"deployment": ["exact"], "cluster": ["exact"], "rule_set": ["exact"], "title": ["icontains"]}


class ObjectChangeFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user_name")
    object_type = django_filters.CharFilter(method="filter_object_type",
                                            help_text="app_label.model, e.g. clusters.pgcluster")
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte")

    class Meta:
        model = models.ObjectChange
        fields = ["user", "object_id", "action", "source", "request_id"]

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        if not model:
            return queryset.filter(content_type__model=app_label)
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


class AuthEventFilterSet(django_filters.FilterSet):
    ip = django_filters.CharFilter(validators=[validate_ipv46_address], help_text="the client's address")
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte")

    class Meta:
        model = models.AuthEvent
        fields = ["username", "action", "source", "ip", "deployment_id"]


class JobEventFilterSet(django_filters.FilterSet):
    job = django_filters.NumberFilter(field_name="job_id")
    user = django_filters.CharFilter(field_name="user_name")
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte")

    class Meta:
        model = JobEvent
        fields = ["job", "event", "kind", "status", "user", "deployment_id"]


class ClusterEventFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte")

    class Meta:
        model = models.ClusterEvent
        fields = ["cluster", "kind", "job"]
