"""Declared items (pg_users, pg_databases, pg_services, HBA rules, minio_users, minio_buckets, redis instances)
to model fields plus `extra` for keys the model has no column for, and back to the Pigsty form."""
import json

from clusters import models

# Pigsty's name for a model field, where they differ.
PIGSTY_NAMES = {models.PGService: {"check_path": "check"}}
NOT_ITEM_FIELDS = {"id", "created", "last_updated", "extra", "cluster", "deployment", "rule_set", "redis_node"}


def item_fields(model, exclude=()) -> dict:
    """Pigsty key → model attribute, for the fields a declared item may set."""
    renames = PIGSTY_NAMES.get(model, {})
    return {renames.get(f.name, f.name): f.name for f in model._meta.concrete_fields
            if f.name not in NOT_ITEM_FIELDS and f.name not in exclude}


def to_model(model, item: dict, exclude=()) -> dict:
    """Model field values of one declared item; unknown keys go to `extra`."""
    names = item_fields(model, exclude)
    values, extra = {}, {}
    for key, value in item.items():
        if str(key) in names:
            values[names[str(key)]] = value
        else:
            extra[str(key)] = value
    values["extra"] = extra
    return values


def is_unset(field, value) -> bool:
    if value is None or value == "":
        return True
    return value in ([], {}) and callable(field.default) and field.default() == value


def to_pigsty(obj, exclude=()) -> dict:
    """The declared item again: fields left unset are not written; `extra` keys are."""
    renames = PIGSTY_NAMES.get(type(obj), {})
    item = {}
    for field in obj._meta.concrete_fields:
        if field.name in NOT_ITEM_FIELDS or field.name in exclude:
            continue
        value = getattr(obj, field.attname)
        if not is_unset(field, value):
            item[renames.get(field.name, field.name)] = value
    item.update(obj.extra or {})
    return item


def canonical(model, items, exclude=()) -> list:
    """A list of declared items in a comparable form: as the model would store and export them, sorted."""
    objs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            obj = model(**to_model(model, item, exclude))
            objs.append(to_pigsty(obj, exclude))
    return sorted(objs, key=lambda x: json.dumps(x, sort_keys=True, default=str))
