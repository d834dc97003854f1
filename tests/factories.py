"""Small factories building valid model objects (validated on save like every other write) for the tests.

Every name and IP comes from one counter, so objects made in one test never clash.
"""
import itertools

from clusters import models

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh name such as `pg-7`: letters, digits and '-', valid for every name rule of the model."""
    return f"{prefix}-{next(_counter)}"


def identifier(prefix: str) -> str:
    """A fresh PostgreSQL identifier such as `dbuser_7`."""
    return f"{prefix}_{next(_counter)}"


def ip() -> str:
    n = next(_counter)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def deployment(**fields) -> models.Deployment:
    return models.Deployment.objects.create(**{"name": unique("dep"), **fields})


def credential(**fields) -> models.Credential:
    return models.Credential.objects.create(**{"name": unique("cred"), "kind": "password", "secret": "pw", **fields})


def node(dep=None, **fields) -> models.Node:
    return models.Node.objects.create(deployment=dep or deployment(), **{"ip": ip(), **fields})


def pg_cluster(dep=None, **fields) -> models.PGCluster:
    """A PGSQL cluster with its primary instance `{cls}-1` on a fresh node."""
    dep = dep or deployment()
    cluster = models.PGCluster.objects.create(deployment=dep, **{"name": unique("pg"), **fields})
    models.PGInstance.objects.create(cluster=cluster, node=node(dep), pg_seq=1, pg_role="primary")
    return cluster


def pg_instance(cluster, **fields) -> models.PGInstance:
    return models.PGInstance.objects.create(cluster=cluster, **{"node": node(cluster.deployment), **fields})


def etcd_cluster(dep=None, size=1, **fields) -> models.EtcdCluster:
    dep = dep or deployment()
    cluster = models.EtcdCluster.objects.create(deployment=dep, **{"name": unique("etcd"), **fields})
    for seq in range(1, size + 1):
        models.EtcdMember.objects.create(cluster=cluster, node=node(dep), etcd_seq=seq)
    return cluster


def minio_cluster(dep=None, **fields) -> models.MinioCluster:
    return models.MinioCluster.objects.create(deployment=dep or deployment(), **{"name": unique("minio"), **fields})


def redis_cluster(dep=None, **fields) -> models.RedisCluster:
    return models.RedisCluster.objects.create(deployment=dep or deployment(), **{"name": unique("redis"), **fields})


def redis_node(cluster, **fields) -> models.RedisNode:
    return models.RedisNode.objects.create(cluster=cluster, **{"node": node(cluster.deployment), "redis_node": 1,
                                                                **fields})


def member(user, dep, *roles: str):
    """Give `user` each of `roles` in deployment `dep`; returns the user fetched again (no cached access)."""
    for role in roles:
        models.Membership.objects.create(user=user, deployment=dep, role=role)
    return type(user).objects.get(pk=user.pk)
