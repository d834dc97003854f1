"""django-filter filtersets of backups, backup policies and restore requests."""
import django_filters

from backups.models import Backup, BackupPolicy, RestoreRequest


class BackupFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lte")

    class Meta:
        model = Backup
        fields = {"cluster": ["exact"], "cluster__name": ["exact"], "type": ["exact"], "label": ["exact"]}


class BackupPolicyFilterSet(django_filters.FilterSet):
    class Meta:
        model = BackupPolicy
        fields = {"cluster": ["exact"], "cluster__name": ["exact"], "enabled": ["exact"]}


class RestoreRequestFilterSet(django_filters.FilterSet):
    class Meta:
        model = RestoreRequest
        fields = {"cluster": ["exact"], "cluster__name": ["exact"], "state": ["exact"], "mode": ["exact"]}
