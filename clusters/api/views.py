"""Viewsets of the clusters API, registered on the /api/v1/ router."""
from rest_framework import mixins, viewsets

from backups.api.actions import PGClusterBackupsMixin
from clusters import filtersets, models
from clusters.access.drf import RoleScopedViewSetMixin
from clusters.access.roles import ADMIN, OPERATE
from clusters.api import actions, dayops, jobactions, serializers
from clusters.changelog.context import set_user
from tasks.models import JobEvent


class ChangeAttributionMixin:
    """Attribute model changes to the API user once DRF has authenticated the request (token or session)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user and request.user.is_authenticated:
            set_user(request.user)


def model_viewset(model, serializer, filterset, queryset=None, extra=(), **access):
    """A CRUD viewset scoped to the user's deployments; `access` overrides RoleScopedViewSetMixin's
    capabilities (write_capability, read_capability, capabilities, read_capabilities)."""
    attrs = {
        **access,
        "queryset": queryset if queryset is not None else model.objects.all(),
        "serializer_class": serializer,
        "filterset_class": filterset,
        "__doc__": f"{model._meta.verbose_name_plural.capitalize()}: list, create, read, update, delete.",
    }
    return type(f"{model.__name__}ViewSet", (RoleScopedViewSetMixin, *extra, ChangeAttributionMixin,
                                             viewsets.ModelViewSet), attrs)


DeploymentViewSet = model_viewset(models.Deployment, serializers.DeploymentSerializer,
                                  filtersets.DeploymentFilterSet, extra=(actions.InventoryActionsMixin,),
                                  write_capability=ADMIN, read_capabilities={"inventory": ADMIN})
CredentialViewSet = model_viewset(models.Credential, serializers.CredentialSerializer,
                                  filtersets.CredentialFilterSet, read_capability=ADMIN, write_capability=ADMIN)
NodeViewSet = model_viewset(models.Node, serializers.NodeSerializer, filtersets.NodeFilterSet,
                            models.Node.objects.select_related("deployment"), extra=(actions.CheckNodeActionMixin,),
                            capabilities={"check": OPERATE})
InfraNodeViewSet = model_viewset(models.InfraNode, serializers.InfraNodeSerializer, filtersets.InfraNodeFilterSet)
PGClusterViewSet = model_viewset(
    models.PGCluster, serializers.PGClusterSerializer, filtersets.PGClusterFilterSet,
    models.PGCluster.objects.select_related("deployment").prefetch_related(
        "instances__node", "databases", "users", "hba_rules", "custom_services"),
    extra=(jobactions.PGClusterJobActionsMixin, jobactions.PGClusterSwitchoverMixin, jobactions.PGClusterEventsMixin,
           dayops.PGClusterConfigureMixin, dayops.PGClusterHBAMixin, dayops.PGClusterMemberOpsMixin,
           dayops.PGClusterReplicasMixin, PGClusterBackupsMixin),
    capabilities={action: OPERATE for action in ("switchover", "restart", "reload", "backups", "backups_refresh",
                                                 "restore_drill")},
)
PGInstanceViewSet = model_viewset(models.PGInstance, serializers.PGInstanceSerializer,
                                  filtersets.PGInstanceFilterSet,
                                  models.PGInstance.objects.select_related("cluster", "node"))
PGDatabaseViewSet = model_viewset(models.PGDatabase, serializers.PGDatabaseSerializer,
                                  filtersets.PGDatabaseFilterSet, extra=(dayops.LiveDatabasesMixin,))
PGUserViewSet = model_viewset(models.PGUser, serializers.PGUserSerializer, filtersets.PGUserFilterSet,
                              extra=(dayops.LiveUsersMixin,))
PGServiceViewSet = model_viewset(models.PGService, serializers.PGServiceSerializer, filtersets.PGServiceFilterSet)
HBARuleViewSet = model_viewset(models.HBARule, serializers.HBARuleSerializer, filtersets.HBARuleFilterSet,
                               extra=(dayops.HBARuleLockoutGuardMixin,))
EtcdClusterViewSet = model_viewset(models.EtcdCluster, serializers.EtcdClusterSerializer,
                                   filtersets.EtcdClusterFilterSet,
                                   models.EtcdCluster.objects.prefetch_related("members__node"),
                                   extra=(jobactions.EtcdClusterJobActionsMixin,))
MinioClusterViewSet = model_viewset(models.MinioCluster, serializers.MinioClusterSerializer,
                                    filtersets.MinioClusterFilterSet)
RedisClusterViewSet = model_viewset(models.RedisCluster, serializers.RedisClusterSerializer,
                                    filtersets.RedisClusterFilterSet)


class ObjectChangeViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The change log: who changed what, when, through which door, before → after (secrets masked)."""

    queryset = models.ObjectChange.objects.select_related("content_type")
    serializer_class = serializers.ObjectChangeSerializer
    filterset_class = filtersets.ObjectChangeFilterSet


class AuthEventViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-ins, sign-outs and failed sign-ins: who (the name tried, for a failure), when, from which address and
    user agent, through which door. Append-only and hash-chained."""

    queryset = models.AuthEvent.objects.all()
    serializer_class = serializers.AuthEventSerializer
    filterset_class = filtersets.AuthEventFilterSet


class JobEventViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The job history: each job's requested → started → finished, as it happened (filter with `?job=ID`).
    Append-only and hash-chained, unlike the job itself, which changes while it runs."""

    queryset = JobEvent.objects.all()
    serializer_class = serializers.JobEventSerializer
    filterset_class = filtersets.JobEventFilterSet


class ClusterEventViewSet(RoleScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Events observed on clusters: failovers no job caused, switchovers jobs made."""

    queryset = models.ClusterEvent.objects.select_related("cluster")
    serializer_class = serializers.ClusterEventSerializer
    filterset_class = filtersets.ClusterEventFilterSet


ROUTES = [
    ("deployments", DeploymentViewSet),
    ("credentials", CredentialViewSet),
    ("nodes", NodeViewSet),
    ("infra-nodes", InfraNodeViewSet),
    ("clusters", PGClusterViewSet),
    ("instances", PGInstanceViewSet),
    ("databases", PGDatabaseViewSet),
    ("users", PGUserViewSet),
    ("hba-rules", HBARuleViewSet),
    ("custom-services", PGServiceViewSet),
    ("etcd-clusters", EtcdClusterViewSet),
    ("minio-clusters", MinioClusterViewSet),
    ("redis-clusters", RedisClusterViewSet),
    ("changes", ObjectChangeViewSet),
    ("auth-events", AuthEventViewSet),
    ("job-events", JobEventViewSet),
    ("cluster-events", ClusterEventViewSet),
]


def register(router):
    for prefix, viewset in ROUTES:
        router.register(prefix, viewset, basename=prefix)
