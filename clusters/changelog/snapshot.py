"""Serialize a model instance for the change log, with secret fields masked."""
from rdsconsole.crypto import MASK, EncryptedJSONField, EncryptedTextField


def is_secret(field) -> bool:
    return isinstance(field, (EncryptedTextField, EncryptedJSONField))


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, dict, str, int, float, bool)) or value is None:
        return value
    return str(value)


# Bookkeeping and observed state: not changes anyone made to the declared model.
NOT_LOGGED = frozenset({"created", "last_updated", "last_applied", "live_leader", "live_role", "live_state", "live_timeline",
                        "live_lag_mb", "live_updated", "checked_at", "facts", "heartbeat_at"})


def logged_fields(instance):
    return [field for field in instance._meta.concrete_fields if field.name not in NOT_LOGGED]


def raw_values(instance) -> dict:
    """Field name → Python value (secrets in plaintext): used only to detect change, never stored."""
    return {field.name: getattr(instance, field.attname) for field in logged_fields(instance)}


def mask(field, value):
    if isinstance(field, EncryptedJSONField) and isinstance(value, dict):
        return {key: MASK for key in sorted(value)}
    return MASK if value else ""


def snapshot(instance, raw=None, changed_secrets=()) -> dict:
    """The loggable form of `instance`: secrets masked; a changed secret marked "(changed)"."""
    raw = raw if raw is not None else raw_values(instance)
    data = {}
    for field in logged_fields(instance):
        value = raw[field.name]
        if is_secret(field):
            data[field.name] = mask(field, value)
            if field.name in changed_secrets and value:
                data[field.name] = (
                    {key: f"{MASK} (changed)" for key in sorted(value)}
                    if isinstance(value, dict) else f"{MASK} (changed)"
                )
        else:
            data[field.name] = _plain(value)
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    """Fields whose logged value differs: name → [before, after]."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}
