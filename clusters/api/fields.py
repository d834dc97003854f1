"""Serializer fields for secrets: write-only values, and secret-var dicts shown with masked values."""
from rest_framework import serializers

from rdsconsole.crypto import MASK


class SecretVarsField(serializers.JSONField):
    """Reads back as {name: "$encrypted$"}; writes merge into the stored dict ("$encrypted$" keeps a value)."""

    def to_representation(self, value):
        return {key: MASK for key in sorted(value or {})}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            raise serializers.ValidationError("must be an object of secret var names to values")
        return data


def merge_secret_vars(stored: dict, incoming: dict) -> dict:
    merged = dict(stored or {})
    for key, value in incoming.items():
        if value == MASK:
            continue
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
