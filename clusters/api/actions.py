"""Operation endpoints beyond CRUD: checking a node over SSH, and the Pigsty inventory bridge (whose export
reads every secret as "$encrypted$", since secrets are write-only in the API)."""
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from clusters.inventory import InventoryError, dump_inventory, import_inventory


class CheckNodeActionMixin:
    """POST /nodes/{id}/check/: reach the node over SSH and record its facts (synchronous, bounded time)."""

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        from tasks.node_check import check_node

        node = self.get_object()
        check_node(node)
        node.refresh_from_db()
        return Response(self.get_serializer(node).data)


class InventoryImportSerializer(serializers.Serializer):
    deployment = serializers.CharField(help_text="deployment name (created if it does not exist)")
    inventory = serializers.CharField(help_text="the pigsty.yml text", trim_whitespace=False)


class InventoryActionsMixin:
    """GET /deployments/{id}/inventory/ exports Pigsty YAML, secrets masked; POST /deployments/import-inventory/
    imports one."""

    @extend_schema(request=None, responses={(200, "application/yaml"): str})
    @action(detail=True, methods=["get"])
    def inventory(self, request, pk=None):
        deployment = self.get_object()
        return HttpResponse(dump_inventory(deployment, mask=True), content_type="application/yaml; charset=utf-8")

    @extend_schema(request=InventoryImportSerializer)
    @action(detail=False, methods=["post"], url_path="import-inventory")
    def import_inventory(self, request):
        data = InventoryImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                result = import_inventory(data.validated_data["inventory"], data.validated_data["deployment"],
                                          user=request.user, filename="request")
        except InventoryError as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        body = self.get_serializer(result.deployment).data
        return Response({"deployment": body, "warnings": result.warnings}, status=status.HTTP_201_CREATED)
