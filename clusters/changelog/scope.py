"""Which deployment an audited object belongs to. Audit rows keep it as a plain id (not a foreign key: deleting
the deployment later must not rewrite a hashed row), so the audit can be scoped per deployment."""
from django.core.exceptions import FieldError, ObjectDoesNotExist
from django.db import models

# links from an object to a parent that belongs to a deployment (a database's cluster, a Redis instance's node)
PARENT_LINKS = ("cluster", "redis_node")
# the same paths as lookups, for an object known only by its model and id
LOOKUPS = ("deployment", "cluster__deployment", "redis_node__cluster__deployment")


def deployment_id_of(obj) -> int | None:
    """The deployment of `obj`: itself if it is one, its own `deployment`, else its parent's; None when it has
    none (a credential) or its parent is gone."""
    from clusters.models import Deployment

    if isinstance(obj, Deployment):
        return obj.pk
    if not isinstance(obj, models.Model):
        return None
    if getattr(obj, "deployment_id", None) is not None:
        return obj.deployment_id
    for link in PARENT_LINKS:
        try:
            parent = getattr(obj, link, None)
        except ObjectDoesNotExist:
            return None
        if parent is not None:
            return deployment_id_of(parent)
    return None


def deployment_id_by_lookup(model, pk) -> int | None:
    """`deployment_id_of` for an object known only by its model class (a migration's historical model too) and
    id, in one query; None when it has no deployment or no longer exists (a deployment's own id stays known)."""
    if model._meta.label_lower == "clusters.deployment":
        return pk
    for path in LOOKUPS:
        try:
            return model._base_manager.filter(pk=pk).values_list(path, flat=True).first()
        except FieldError:
            continue
    return None
