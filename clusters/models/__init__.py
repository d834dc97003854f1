"""The Pigsty data model of a deployment: nodes and credentials, PGSQL/ETCD/MINIO/REDIS clusters, INFRA nodes,
and the change log."""
from .base import ChangeLoggedModel, ConflictError
from .changelog import ObjectChange
from .deployment import Credential, Deployment, InfraNode, Node
from .etcd import EtcdCluster, EtcdMember
from .minio import MinioBucket, MinioCluster, MinioMember, MinioUser
from .pgsql import HBARule, PGCluster, PGDatabase, PGInstance, PGService, PGUser
from .redis import RedisCluster, RedisInstance, RedisNode

__all__ = [
    "ChangeLoggedModel", "ConflictError", "ObjectChange", "Credential", "Deployment", "InfraNode", "Node", "EtcdCluster",
    "EtcdMember", "MinioBucket", "MinioCluster", "MinioMember", "MinioUser", "HBARule", "PGCluster",
    "PGDatabase", "PGInstance", "PGService", "PGUser", "RedisCluster", "RedisInstance", "RedisNode",
]
