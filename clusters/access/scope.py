"""Which deployment an object belongs to, and querysets cut down to the deployments a user may see.

Objects outside a user's deployments are not found (404), never "forbidden": their existence is not revealed."""
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404

from .roles import VIEW, access_of

# model label → lookup path from the model to its deployment id ("" for a deployment itself)
DEPLOYMENT_PATHS = {
    "clusters.deployment": "",
    "clusters.credential": "deployment",
    "clusters.node": "deployment",
    "clusters.infranode": "deployment",
    "clusters.pgcluster": "deployment",
    "clusters.hbarule": "deployment",
    "clusters.etcdcluster": "deployment",
    "clusters.miniocluster": "deployment",
    "clusters.rediscluster": "deployment",
    "clusters.membership": "deployment",
    "clusters.pginstance": "cluster__deployment",
    "clusters.pgservice": "cluster__deployment",
    "clusters.pgdatabase": "cluster__deployment",
    "clusters.pguser": "cluster__deployment",
    "clusters.etcdmember": "cluster__deployment",
    "clusters.miniomember": "cluster__deployment",
    "clusters.miniobucket": "cluster__deployment",
    "clusters.miniouser": "cluster__deployment",
    "clusters.redisnode": "cluster__deployment",
    "clusters.redisinstance": "redis_node__cluster__deployment",
    "clusters.clusterevent": "cluster__deployment",
    "clusters.objectchange": "deployment",
    "clusters.authevent": "deployment",
    "tasks.jobevent": "deployment",
    "backups.backupcatalog": "cluster__deployment",
    "backups.backup": "cluster__deployment",
    "backups.backuppolicy": "cluster__deployment",
    "backups.restorerequest": "cluster__deployment",
    "backups.restoredrill": "cluster__deployment",
    "tasks.job": "deployment",
}


def path_of(model) -> str | None:
    """The lookup path of a scoped model, or None when the model is not scoped by deployment."""
    return DEPLOYMENT_PATHS.get(model._meta.label_lower)


def deployment_id_of(obj):
    """The deployment id of a saved or unsaved object of a scoped model (None when it has none, or its parent is
    gone)."""
    path = path_of(type(obj))
    if path is None:
        raise LookupError(f"{type(obj).__name__} is not scoped by deployment")
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        try:
            obj = getattr(obj, hop, None)
        except ObjectDoesNotExist:  # the parent was deleted first (a cascade)
            return None
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def scoped(queryset, user, capability: str = VIEW):
    """`queryset` limited to objects in deployments where `user` holds `capability`."""
    path = path_of(queryset.model)
    if path is None:
        raise LookupError(f"{queryset.model.__name__} is not scoped by deployment")
    ids = access_of(user).deployment_ids(capability)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path}_id__in" if path else "pk__in": ids})


def get_scoped_or_404(queryset, user, **lookup):
    """One object the user may see, else 404 (whether it does not exist or belongs to another deployment)."""
    found = scoped(queryset, user).filter(**lookup).first()
    if found is None:
        raise Http404(f"no {queryset.model._meta.verbose_name} matches the given query")
    return found


def require(user, capability: str, obj_or_deployment_id):
    """Raise PermissionDenied (403) unless `user` holds `capability` in the object's deployment (or the
    deployment id given)."""
    deployment_id = obj_or_deployment_id if isinstance(obj_or_deployment_id, (int, type(None))) \
        else deployment_id_of(obj_or_deployment_id)
    access = access_of(user)
    if not access.can(capability, deployment_id):
        raise PermissionDenied("this API token is read-only" if access.read_only and capability != VIEW
                               else missing(capability))


def require_somewhere(user, capability: str):
    """Raise PermissionDenied unless `user` holds `capability` in at least one deployment (a form that will
    pick the deployment next)."""
    if access_of(user).deployment_ids(capability) == set():
        raise PermissionDenied(missing(capability))


MISSING = {
    "view": "you have no role in this deployment",
    "operate": "needs the operator, dba or admin role in the deployment",
    "change": "needs the dba or admin role in the deployment",
    "approve": "needs the approver or admin role in the deployment",
    "admin": "needs the admin role in the deployment",
}


def missing(capability: str) -> str:
    return MISSING[capability]
