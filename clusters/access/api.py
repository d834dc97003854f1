"""API of access control: `/api/v1/tokens/` (a user's API tokens: create — the secret is in that one response —,
list, read, revoke) and `/api/v1/memberships/` (who holds which role in which deployment; admins of a
deployment manage its members)."""
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from clusters.api.serializers import ModelSaveMixin
from clusters.api.views import ChangeAttributionMixin
from clusters.models import ApiToken, Membership

from .drf import RoleScopedViewSetMixin, restrict_related
from .roles import ADMIN, access_of
from .tokens import issue, revoke


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all(),
                                        required=False, help_text="superusers only: a token of another user or "
                                                                  "service account (default: yourself)")
    state = serializers.CharField(read_only=True, help_text="active, expired or revoked")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "user", "prefix", "read_only", "deployment", "expires_at", "state", "created",
                  "last_used_at", "revoked_at"]
        read_only_fields = ["prefix", "created", "last_used_at", "revoked_at"]
        validators = []  # a duplicate name is the model's 409, and `user` defaults to the requester


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="the secret: shown in this response only")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenViewSet(ChangeAttributionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens (superusers: everyone's). Creating one answers with the secret once; DELETE or
    `revoke/` revokes it. Tokens are managed with a login session, not with another token."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["name", "read_only"]

    def get_queryset(self):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "name")
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return tokens.none()
        return tokens if self.request.user.is_superuser else tokens.filter(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        restrict_related(serializer, self.request.user)
        return serializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and isinstance(request.auth, ApiToken):
            raise PermissionDenied("API tokens are managed with a login session (console or API), not with a token")

    @extend_schema(responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        owner = data.pop("user", request.user)
        if owner != request.user and not request.user.is_superuser:
            raise PermissionDenied("only superusers create tokens for another user")
        deployment = data.get("deployment")
        if deployment is not None and not access_of(owner).can("view", deployment.pk):
            raise serializers.ValidationError({"deployment": [f"{owner.get_username()} has no role in "
                                                              f"{deployment.name}"]})
        token, key = issue(user=owner, **data)
        token.token = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApiTokenSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        if not revoke(token):
            return Response({"detail": f"token {token.name} is already revoked"}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(token).data)

    def perform_destroy(self, instance):
        revoke(instance)


class MembershipSerializer(ModelSaveMixin, serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all())
    deployment_name = serializers.CharField(source="deployment.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "deployment", "deployment_name", "role", "created"]
        read_only_fields = ["created"]


class MembershipViewSet(RoleScopedViewSetMixin, ChangeAttributionMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.GenericViewSet):
    """Roles of users in deployments (viewer, operator, dba, approver, admin): members of a deployment see
    them; its admins grant and take them away."""

    queryset = Membership.objects.select_related("user", "deployment")
    serializer_class = MembershipSerializer
    filterset_fields = ["deployment", "role", "user__username"]
    write_capability = ADMIN


ROUTES = [("tokens", ApiTokenViewSet), ("memberships", MembershipViewSet)]


def register(router):
    for prefix, viewset in ROUTES:
        router.register(prefix, viewset, basename=prefix)
