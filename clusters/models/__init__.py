"""The Pigsty data model of a deployment: nodes and credentials, PGSQL/ETCD/MINIO/REDIS clusters, INFRA nodes,
the audit trail (change log, sign-ins), the events observed on clusters, and who may do what where (roles, API
tokens)."""
from .access import ROLES, ApiToken, Membership
from .auth_events import AuthEvent
from .base import ChangeLoggedModel, ConflictError
from .chained import AppendOnlyError, ChainedEntry, ChainHead
from .changelog import ObjectChange
from .deployment import Credential, Deployment, InfraNode, Node
from .etcd import EtcdCluster, EtcdMember
from .events import ClusterEvent
from .minio import MinioBucket, MinioCluster, MinioMember, MinioUser
from .pgsql import HBARule, PGCluster, PGDatabase, PGInstance, PGService, PGUser
from .redis import RedisCluster, RedisInstance, RedisNode

__all__ = [
    "ApiToken", "AppendOnlyError", "AuthEvent", "ChainedEntry", "ChainHead", "ChangeLoggedModel", "ClusterEvent",
    "ConflictError", "Membership", "ObjectChange", "ROLES", "Credential", "Deployment", "InfraNode", "Node",
    "EtcdCluster",
    "EtcdMember", "MinioBucket", "MinioCluster", "MinioMember", "MinioUser", "HBARule", "PGCluster",
    "PGDatabase", "PGInstance", "PGService", "PGUser", "RedisCluster", "RedisInstance", "RedisNode",
]
