"""The Pigsty data model of a deployment: nodes and credentials, PGSQL/ETCD/MINIO/REDIS clusters, INFRA nodes,
the change log, the events observed on clusters, and who may do what where (roles, API tokens)."""
from .access import ROLES, ApiToken, Membership
from .base import ChangeLoggedModel, ConflictError
from .changelog import ObjectChange
from .deployment import Credential, Deployment, InfraNode, Node
from .etcd import EtcdCluster, EtcdMember
from .events import ClusterEvent
from .minio import MinioBucket, MinioCluster, MinioMember, MinioUser
from .pgsql import HBARule, PGCluster, PGDatabase, PGInstance, PGService, PGUser
from .redis import RedisCluster, RedisInstance, RedisNode

__all__ = [
    "ApiToken", "Membership", "ROLES", "ChangeLoggedModel", "ClusterEvent", "ConflictError", "ObjectChange", "Credential", "Deployment", "InfraNode", "Node", "EtcdCluster",
    "EtcdMember", "MinioBucket", "MinioCluster", "MinioMember", "MinioUser", "HBARule", "PGCluster",
    "PGDatabase", "PGInstance", "PGService", "PGUser", "RedisCluster", "RedisInstance", "RedisNode",
]
