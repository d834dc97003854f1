"""JSON errors for the API: model validation → 400 with per-field messages, integrity conflicts → 409."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clusters.models.base import ConflictError


def django_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): list(DjangoValidationError(errors).messages)
                for field, errors in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response(django_errors(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(django_errors(exc))
    if isinstance(exc, IntegrityError):
        return Response({"detail": f"conflict: {exc}".splitlines()[0]}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
