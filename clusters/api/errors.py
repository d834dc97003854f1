"""JSON errors for the API: model validation → 400 with per-field messages; uniqueness conflicts and deletes of
objects others still depend on → 409. Every message is redacted (rdsconsole.redact): an exception's text may echo
a connection string or a command line."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clusters.models.base import ConflictError
from rdsconsole.redact import redact_data


def django_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): list(DjangoValidationError(errors).messages)
                for field, errors in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def flatten_errors(detail, name="") -> dict:
    """DRF's nested errors {"hba_rules": [{}, {"addr": [...]}]} → {"hba_rules[1].addr": [...]}: the same names the
    model errors of nested members get, whichever layer found the problem."""
    if isinstance(detail, dict):
        items = ((f"{name}[{key}]" if isinstance(key, int) else name if key == "non_field_errors" and name
                  else f"{name}.{key}" if name else key, value) for key, value in detail.items())
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        items = ((f"{name}[{index}]", item) for index, item in enumerate(detail))
    else:
        return {name or "non_field_errors": detail}
    flat = {}
    for key, value in items:
        flat.update(flatten_errors(value, key))
    return flat


def exception_handler(exc, context):
    response = _error_response(exc, context)
    if response is not None:
        response.data = redact_data(response.data)
    return response


def _error_response(exc, context):
    if isinstance(exc, ConflictError):
        return Response(django_errors(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(django_errors(exc))
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response({"detail": exc.args[0]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return Response({"detail": f"conflict: {exc}".splitlines()[0]}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ValidationError) and isinstance(response.data, dict):
        response.data = flatten_errors(response.data)
    return response
