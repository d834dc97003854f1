"""Serializers of the clusters API. Model validation (full_clean on save) is the one source of rules; the
serializers only shape data. Nested cluster creation is atomic: a bad member leaves nothing behind."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from clusters import models
from clusters.api.errors import django_errors
from clusters.api.fields import SecretVarsField, merge_secret_vars
from tasks.models import JobEvent


class SecretVarsMixin:
    """Merge `secret_vars` on update instead of replacing, so masked values round-trip."""

    def update(self, instance, validated_data):
        if "secret_vars" in validated_data:
            validated_data["secret_vars"] = merge_secret_vars(instance.secret_vars, validated_data["secret_vars"])
        return super().update(instance, validated_data)


class ModelSaveMixin:
    """Create/update through model.save() so the model's full_clean runs and its errors become 400/409.

    DRF's own uniqueness validators are dropped: the model's constraints answer with 409 Conflict instead.
    """

    def get_validators(self):
        return []

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return fields

    def create(self, validated_data):
        instance = self.Meta.model(**validated_data)
        instance.save()
        return instance

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        instance.save()
        return instance


class DeploymentSerializer(SecretVarsMixin, ModelSaveMixin, serializers.ModelSerializer):
    secret_vars = SecretVarsField(required=False)

    class Meta:
        model = models.Deployment
        fields = ["id", "name", "description", "intra_cidrs", "vars", "secret_vars", "infra_vars", "extra_groups",
                  "created", "last_updated"]


class CredentialSerializer(ModelSaveMixin, serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    passphrase = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                       style={"input_type": "password"})
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = models.Credential
        fields = ["id", "name", "kind", "username", "secret", "passphrase", "has_secret", "created", "last_updated"]

    def get_has_secret(self, obj) -> bool:
        return bool(obj.secret)


class NodeSerializer(ModelSaveMixin, serializers.ModelSerializer):
    deployment_name = serializers.CharField(source="deployment.name", read_only=True)

    class Meta:
        model = models.Node
        fields = ["id", "deployment", "deployment_name", "ip", "hostname", "ssh_port", "ssh_user", "credential",
                  "facts", "status", "host_key", "checked_at", "created", "last_updated"]
        read_only_fields = ["facts", "status", "host_key", "checked_at"]


class InfraNodeSerializer(ModelSaveMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = models.InfraNode
        fields = ["id", "deployment", "node", "infra_seq", "name", "vars", "created", "last_updated"]


class NodeRefMixin(serializers.Serializer):
    """A member's node given by id (`node`) or by IP (`ip`) within the parent cluster's deployment."""

    ip = serializers.IPAddressField(write_only=True, required=False)

    def resolve_node(self, data, deployment):
        ip = data.pop("ip", None)
        if data.get("node") is None:
            if not ip:
                raise DjangoValidationError({"node": "give the node's id (`node`) or its IP (`ip`)"})
            node = models.Node.objects.filter(deployment=deployment, ip=ip).first()
            if node is None:
                raise DjangoValidationError({"ip": f"no node with IP {ip} in deployment {deployment.name}"})
            data["node"] = node
        return data


LIVE_FIELDS = ["live_role", "live_state", "live_timeline", "live_lag_mb", "live_updated"]


class PGInstanceSerializer(NodeRefMixin, ModelSaveMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    labels = serializers.DictField(read_only=True)
    node_ip = serializers.CharField(source="node.ip", read_only=True)

    class Meta:
        model = models.PGInstance
        fields = ["id", "cluster", "node", "ip", "node_ip", "name", "pg_seq", "pg_role", "pg_offline_query",
                  "pg_upstream", "pg_delay", "vars", "labels", *LIVE_FIELDS, "created", "last_updated"]
        read_only_fields = LIVE_FIELDS
        extra_kwargs = {"node": {"required": False}}

    def create(self, validated_data):
        validated_data = self.resolve_node(validated_data, validated_data["cluster"].deployment)
        return super().create(validated_data)

    def update(self, instance, validated_data):
        if "ip" in validated_data:
            cluster = validated_data.get("cluster", instance.cluster)
            validated_data = self.resolve_node(validated_data, cluster.deployment)
        return super().update(instance, validated_data)


class PGServiceSerializer(ModelSaveMixin, serializers.ModelSerializer):
    check = serializers.CharField(source="check_path", required=False,
                                  max_length=models.PGService._meta.get_field("check_path").max_length)

    class Meta:
        model = models.PGService
        fields = ["id", "cluster", "name", "port", "ip", "selector", "dest", "check", "backup", "maxconn", "balance",
                  "options", "extra", "created", "last_updated"]


class PGDatabaseSerializer(ModelSaveMixin, serializers.ModelSerializer):
    class Meta:
        model = models.PGDatabase
        fields = "__all__"


class PGUserSerializer(ModelSaveMixin, serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=False,
                                     style={"input_type": "password"})
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = models.PGUser
        fields = "__all__"

    def get_has_password(self, obj) -> bool:
        return bool(obj.password)


class HBARuleSerializer(ModelSaveMixin, serializers.ModelSerializer):
    class Meta:
        model = models.HBARule
        fields = "__all__"
        extra_kwargs = {"deployment": {"required": False}}

    def validate(self, attrs):
        if self.parent is not None:
            return attrs
        cluster = attrs.get("cluster") or getattr(self.instance, "cluster", None)
        if not attrs.get("deployment") and not getattr(self.instance, "deployment_id", None):
            if cluster is None:
                message = "give the rule's deployment, or a cluster to take it from"
                raise serializers.ValidationError({"deployment": message, "cluster": message})
            attrs["deployment"] = cluster.deployment
        return attrs


def nested(serializer_class, exclude_parent):
    """A nested-create variant of a member serializer without its parent field."""
    meta_fields = serializer_class.Meta.fields
    fields = ([f.name for f in serializer_class.Meta.model._meta.fields] if meta_fields == "__all__"
              else list(meta_fields))
    if "password" in serializer_class._declared_fields and "has_password" not in fields:
        fields.append("has_password")
    attrs = {"Meta": type("Meta", (serializer_class.Meta,), {
        "fields": [f for f in fields if f != exclude_parent] + (["ip"] if "ip" in serializer_class._declared_fields
                                                                 and "ip" not in fields else []),
    })}
    return type(f"Nested{serializer_class.__name__}", (serializer_class,), attrs)


def save_children(parent, parent_field, items, serializer_class, label):
    """Create each child through the model (full_clean), naming `label[i].field` in any error."""
    created = []
    for index, data in enumerate(items):
        data = dict(data, **{parent_field: parent})
        try:
            if hasattr(serializer_class, "resolve_node"):
                data = serializer_class().resolve_node(data, parent.deployment)
            child = serializer_class.Meta.model(**data)
            child.save()
        except DjangoValidationError as exc:
            raise DjangoValidationError({f"{label}[{index}].{field}": msgs for field, msgs in
                                         django_errors(exc).items()}) from None
        created.append(child)
    return created


class PGClusterSerializer(SecretVarsMixin, ModelSaveMixin, serializers.ModelSerializer):
    """A PGSQL cluster; one POST may carry its instances, databases, users, HBA rules and custom services."""

    secret_vars = SecretVarsField(required=False)
    deployment_name = serializers.CharField(source="deployment.name", read_only=True)
    instances = nested(PGInstanceSerializer, "cluster")(many=True, required=False)
    databases = nested(PGDatabaseSerializer, "cluster")(many=True, required=False)
    users = nested(PGUserSerializer, "cluster")(many=True, required=False)
    hba_rules = nested(HBARuleSerializer, "cluster")(many=True, required=False)
    custom_services = nested(PGServiceSerializer, "cluster")(many=True, required=False)
    services = serializers.SerializerMethodField()

    NESTED = ("instances", "databases", "users", "hba_rules", "custom_services")

    class Meta:
        model = models.PGCluster
        fields = ["id", "deployment", "deployment_name", "name", "pg_version", "pg_rto", "pg_rto_plan", "pg_rpo",
                  "pg_conf", "vars", "secret_vars", "instances", "databases", "users", "hba_rules",
                  "custom_services", "services", "status", "last_applied", "live_leader", "created", "last_updated"]
        read_only_fields = ["status", "last_applied", "live_leader"]

    def get_services(self, obj) -> list[dict]:
        return obj.services()

    def validate(self, attrs):
        if self.instance is not None:
            given = [name for name in self.NESTED if name in self.initial_data]
            if given:
                raise serializers.ValidationError(
                    {name: "members are created with the cluster; change them through their own endpoint "
                           f"(/api/v1/{name.replace('_', '-')}/)" for name in given})
        return attrs

    def create(self, validated_data):
        children = {name: validated_data.pop(name, []) for name in self.NESTED}
        with transaction.atomic():
            cluster = super().create(validated_data)
            instances = save_children(cluster, "cluster", children["instances"], PGInstanceSerializer, "instances")
            if instances:
                errors = cluster.topology_errors(instances)
                if errors:
                    raise DjangoValidationError({"instances": errors})
            save_children(cluster, "cluster", children["databases"], PGDatabaseSerializer, "databases")
            save_children(cluster, "cluster", children["users"], PGUserSerializer, "users")
            for rule in children["hba_rules"]:
                rule.setdefault("deployment", cluster.deployment)
            save_children(cluster, "cluster", children["hba_rules"], HBARuleSerializer, "hba_rules")
            save_children(cluster, "cluster", children["custom_services"], PGServiceSerializer, "custom_services")
        return cluster


class EtcdMemberSerializer(NodeRefMixin, ModelSaveMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    node_ip = serializers.CharField(source="node.ip", read_only=True)

    class Meta:
        model = models.EtcdMember
        fields = ["id", "cluster", "node", "ip", "node_ip", "name", "etcd_seq", "vars"]
        extra_kwargs = {"node": {"required": False}}


class EtcdClusterSerializer(SecretVarsMixin, ModelSaveMixin, serializers.ModelSerializer):
    secret_vars = SecretVarsField(required=False)
    members = nested(EtcdMemberSerializer, "cluster")(many=True, required=False)

    class Meta:
        model = models.EtcdCluster
        fields = ["id", "deployment", "name", "group", "vars", "secret_vars", "members", "status", "last_applied",
                  "created", "last_updated"]
        read_only_fields = ["status", "last_applied"]

    def validate(self, attrs):
        if self.instance is None and not self.initial_data.get("members"):
            raise serializers.ValidationError({"members": "an ETCD cluster needs 1, 3 or 5 members"})
        if self.instance is not None and "members" in self.initial_data:
            raise serializers.ValidationError({"members": "members are set when the cluster is created"})
        return attrs

    def create(self, validated_data):
        members = validated_data.pop("members", [])
        with transaction.atomic():
            cluster = super().create(validated_data)
            created = save_children(cluster, "cluster", members, EtcdMemberSerializer, "members")
            errors = cluster.topology_errors(created)
            if errors:
                raise DjangoValidationError({"members": errors})
        return cluster


class MinioMemberSerializer(NodeRefMixin, ModelSaveMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = models.MinioMember
        fields = ["id", "cluster", "node", "ip", "name", "minio_seq", "vars"]
        extra_kwargs = {"node": {"required": False}}


class MinioBucketSerializer(ModelSaveMixin, serializers.ModelSerializer):
    class Meta:
        model = models.MinioBucket
        fields = ["id", "cluster", "name", "extra"]


class MinioUserSerializer(ModelSaveMixin, serializers.ModelSerializer):
    secret_key = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})

    class Meta:
        model = models.MinioUser
        fields = ["id", "cluster", "access_key", "secret_key", "policy", "extra"]


class MinioClusterSerializer(SecretVarsMixin, ModelSaveMixin, serializers.ModelSerializer):
    secret_vars = SecretVarsField(required=False)
    members = nested(MinioMemberSerializer, "cluster")(many=True, required=False)
    buckets = nested(MinioBucketSerializer, "cluster")(many=True, required=False)
    users = nested(MinioUserSerializer, "cluster")(many=True, required=False)

    NESTED = ("members", "buckets", "users")

    class Meta:
        model = models.MinioCluster
        fields = ["id", "deployment", "name", "group", "vars", "secret_vars", "members", "buckets", "users",
                  "created", "last_updated"]

    def validate(self, attrs):
        if self.instance is not None and any(name in self.initial_data for name in self.NESTED):
            raise serializers.ValidationError({"members": "members, buckets and users are set on create"})
        return attrs

    def create(self, validated_data):
        children = {name: validated_data.pop(name, []) for name in self.NESTED}
        with transaction.atomic():
            cluster = super().create(validated_data)
            save_children(cluster, "cluster", children["members"], MinioMemberSerializer, "members")
            save_children(cluster, "cluster", children["buckets"], MinioBucketSerializer, "buckets")
            save_children(cluster, "cluster", children["users"], MinioUserSerializer, "users")
        return cluster


class RedisInstanceSerializer(ModelSaveMixin, serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = models.RedisInstance
        fields = ["id", "redis_node", "name", "port", "replica_of", "extra"]


class RedisNodeSerializer(NodeRefMixin, ModelSaveMixin, serializers.ModelSerializer):
    instances = nested(RedisInstanceSerializer, "redis_node")(many=True, required=False)

    class Meta:
        model = models.RedisNode
        fields = ["id", "cluster", "node", "ip", "redis_node", "vars", "instances"]
        extra_kwargs = {"node": {"required": False}}


class RedisClusterSerializer(SecretVarsMixin, ModelSaveMixin, serializers.ModelSerializer):
    secret_vars = SecretVarsField(required=False)
    redis_sentinel_monitor = serializers.JSONField(required=False, write_only=True)
    redis_nodes = nested(RedisNodeSerializer, "cluster")(many=True, required=False)

    class Meta:
        model = models.RedisCluster
        fields = ["id", "deployment", "name", "redis_mode", "redis_sentinel_monitor", "vars", "secret_vars",
                  "redis_nodes", "created", "last_updated"]

    def validate(self, attrs):
        if self.instance is not None and "redis_nodes" in self.initial_data:
            raise serializers.ValidationError({"redis_nodes": "nodes are set when the cluster is created"})
        return attrs

    def create(self, validated_data):
        nodes = validated_data.pop("redis_nodes", [])
        with transaction.atomic():
            cluster = super().create(validated_data)
            for index, node_data in enumerate(nodes):
                instances = node_data.pop("instances", [])
                redis_node, = save_children(cluster, "cluster", [node_data], RedisNodeSerializer,
                                            f"redis_nodes[{index}]")
                save_children(redis_node, "redis_node", instances, RedisInstanceSerializer,
                              f"redis_nodes[{index}].instances")
        return cluster


class ObjectChangeSerializer(serializers.ModelSerializer):
    object_type = serializers.CharField(read_only=True)
    diff = serializers.DictField(read_only=True)

    class Meta:
        model = models.ObjectChange
        fields = ["id", "time", "user", "user_name", "source", "request_id", "action", "object_type", "object_id",
                  "object_repr", "before", "after", "diff", "deployment_id", "prev_hash", "hash"]


class AuthEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AuthEvent
        fields = ["id", "time", "action", "username", "ip", "user_agent", "source", "deployment_id", "prev_hash",
                  "hash"]
        read_only_fields = fields


class JobEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobEvent
        fields = ["id", "time", "job_id", "event", "kind", "target_type", "target_id", "target_repr", "user_name",
                  "status", "params", "worker", "error", "summary", "deployment_id", "prev_hash", "hash"]
        read_only_fields = fields


class ClusterEventSerializer(serializers.ModelSerializer):
    cluster_name = serializers.CharField(source="cluster.name", read_only=True)

    class Meta:
        model = models.ClusterEvent
        fields = ["id", "cluster", "cluster_name", "time", "kind", "message", "data", "job"]
        read_only_fields = fields
