"""Which deployment an audited object belongs to. Audit rows keep it as a plain id (not a foreign key: deleting
the deployment later must not rewrite a hashed row), so the audit can be scoped per deployment like everything
else (clusters.access.scope holds the paths)."""
from django.db import models

from clusters.access.scope import DEPLOYMENT_PATHS, deployment_id_of as scoped_deployment_id_of


def deployment_id_of(obj) -> int | None:
    """The deployment of `obj`; None when it belongs to none (a shared credential, an API token, a panel user) or
    its parent is gone."""
    if not isinstance(obj, models.Model) or obj._meta.label_lower not in DEPLOYMENT_PATHS:
        return None
    return scoped_deployment_id_of(obj)


def deployment_id_by_lookup(model, pk) -> int | None:
    """`deployment_id_of` for an object known only by its model class (a migration's historical model too) and
    id, in one query; None when it has no deployment or no longer exists (a deployment's own id stays known)."""
    path = DEPLOYMENT_PATHS.get(model._meta.label_lower)
    if path is None:
        return None
    if path == "":
        return pk
    return model._base_manager.filter(pk=pk).values_list(path, flat=True).first()
