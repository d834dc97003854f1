"""A canonical form of a whole deployment, to compare two imports: every object of every model, secrets
decrypted, foreign keys as natural names (node IP, cluster name), without ids, timestamps or the deployment name."""
import json

from backups.models import BackupPolicy
from clusters import models

TIMESTAMPS = {"id", "created", "last_updated"}

# Every model holding deployment content, and the lookup from it to its deployment.
MODELS = {
    models.Node: "deployment", models.InfraNode: "deployment", models.HBARule: "deployment",
    models.PGCluster: "deployment", models.PGInstance: "cluster__deployment", models.PGUser: "cluster__deployment",
    models.PGDatabase: "cluster__deployment", models.PGService: "cluster__deployment",
    models.EtcdCluster: "deployment", models.EtcdMember: "cluster__deployment",
    models.MinioCluster: "deployment", models.MinioMember: "cluster__deployment",
    models.MinioBucket: "cluster__deployment", models.MinioUser: "cluster__deployment",
    models.RedisCluster: "deployment", models.RedisNode: "cluster__deployment",
    models.RedisInstance: "redis_node__cluster__deployment", BackupPolicy: "cluster__deployment",
}
# Models whose order is meaningful (HBA rules are evaluated in order).
ORDERED = {models.HBARule}


def ref(obj):
    """A related object by its natural name."""
    if obj is None:
        return None
    if isinstance(obj, models.Deployment):
        return "<deployment>"
    if isinstance(obj, models.Node):
        return obj.ip
    if isinstance(obj, models.RedisNode):
        return str(obj)
    return obj.name


def row(obj, skip=()) -> dict:
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in TIMESTAMPS or field.name in skip:
            continue
        data[field.name] = ref(getattr(obj, field.name)) if field.is_relation else getattr(obj, field.attname)
    return data


def sort_key(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def canonical(deployment) -> dict:
    deployment.refresh_from_db()
    result = {"Deployment": row(deployment, skip=("name",))}
    for model, lookup in MODELS.items():
        objects = model.objects.filter(**{lookup: deployment}).order_by("id")
        rows = [row(obj) for obj in objects]
        result[model.__name__] = rows if model in ORDERED else sorted(rows, key=sort_key)
    return result
