"""Role checks for the REST API: every viewset sees only the objects of the user's deployments (others are
404), and each action needs a capability in the object's deployment (403 without it).

A viewset says which capability its writes need (`write_capability`, default `change`), which its reads need
(`read_capability`, default `view`), and per action exceptions (`capabilities`, keyed by action name, for
unsafe methods; `read_capabilities` for safe ones)."""
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.serializers import BaseSerializer, ListSerializer

from .roles import CHANGE, VIEW, access_of
from .scope import deployment_id_of, missing, path_of, scoped


class DeploymentRolePermission(permissions.BasePermission):
    """Authenticated; read-only tokens never write; creating needs the write capability in some deployment
    (which one is checked once the body names it); other list-level writes need a superuser; object actions
    need the viewset's capability in the object's deployment."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        access = access_of(user)
        if request.method not in permissions.SAFE_METHODS and access.read_only:
            raise PermissionDenied("this API token is read-only")
        if getattr(view, "detail", True) or request.method in permissions.SAFE_METHODS:
            return True
        capability = view.required_capability()
        if view.action == "create":
            if access.deployment_ids(capability) == set():
                raise PermissionDenied(missing(capability))
        elif not access.can(capability, None):
            raise PermissionDenied("needs a superuser: it acts beyond any one deployment")
        return True

    def has_object_permission(self, request, view, obj):
        capability = view.required_capability()
        path = path_of(type(obj))
        if path is None:
            return True
        if not access_of(request.user).can(capability, deployment_id_of(obj)):
            raise PermissionDenied(missing(capability))
        return True


def restrict_related(serializer, user):
    """Limit the choices of every related field (nested ones too) to objects the user can see, so naming an
    object of another deployment reads as "does not exist"."""
    if isinstance(serializer, ListSerializer):
        restrict_related(serializer.child, user)
        return
    for field in serializer.fields.values():
        if isinstance(field, BaseSerializer):
            restrict_related(field, user)
            continue
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(relation, RelatedField) and getattr(relation, "queryset", None) is not None \
                and path_of(relation.queryset.model) is not None:
            relation.queryset = scoped(relation.queryset, user)


def target_deployment_id(model, data: dict, instance=None):
    """The deployment of the object being created (from validated data) or updated (data over the instance)."""
    path = path_of(model)
    if path == "":
        return instance.pk if instance is not None else None
    first, *rest = path.split("__")
    obj = data[first] if first in data else getattr(instance, first, None)
    for hop in rest:
        if obj is None:
            return None
        obj = getattr(obj, hop)
    return getattr(obj, "pk", None)


class RoleScopedViewSetMixin:
    """Put first in a viewset's bases: scoped queryset, scoped related fields, capability checks on writes."""

    permission_classes = [DeploymentRolePermission]
    read_capability = VIEW
    write_capability = CHANGE
    capabilities: dict = {}
    read_capabilities: dict = {}

    def required_capability(self) -> str:
        if self.request.method in permissions.SAFE_METHODS:
            return self.read_capabilities.get(self.action, self.read_capability)
        return self.capabilities.get(self.action, self.write_capability)

    def initial(self, request, *args, **kwargs):
        """A write to an object is refused (404 elsewhere, 403 without the role) before its body is read."""
        super().initial(request, *args, **kwargs)
        if self.detail and request.method not in permissions.SAFE_METHODS:
            self.get_object()

    def get_queryset(self):
        return scoped(super().get_queryset(), self.request.user, self.read_capability)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        restrict_related(serializer, self.request.user)
        return serializer

    def check_target(self, serializer, instance=None):
        """Refuse (403) writing an object into a deployment where the user lacks the write capability."""
        model = serializer.Meta.model
        deployment_id = target_deployment_id(model, serializer.validated_data, instance)
        capability = self.required_capability()
        if not access_of(self.request.user).can(capability, deployment_id):
            raise PermissionDenied(missing(capability) if deployment_id is not None
                                   else "needs a superuser: the object belongs to no deployment")

    def perform_create(self, serializer):
        self.check_target(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self.check_target(serializer, serializer.instance)
        super().perform_update(serializer)
