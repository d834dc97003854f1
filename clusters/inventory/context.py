"""State shared by the module importers of one import run, and the steps they all use: splitting one level's
vars into plain and secret parts, and syncing a list of declared items under a parent object."""
from dataclasses import dataclass, field, replace

from .errors import Problems, Where
from .items import item_fields, to_model
from .parse import Inventory
from .secrets import replace_default_passwords, split_vars
from .writer import Writer


@dataclass
class ImportContext:
    deployment: object
    inventory: Inventory
    problems: Problems
    writer: Writer
    warnings: list = field(default_factory=list)
    nodes: dict = field(default_factory=dict)

    @property
    def global_vars(self) -> dict:
        return self.inventory.vars

    def level_vars(self, variables: dict, modeled, previous_secret: dict, location: str) -> tuple[dict, dict]:
        """(vars, secret_vars) of one level, without the `modeled` keys; well-known system passwords replaced."""
        plain, secret = split_vars({k: v for k, v in variables.items() if k not in modeled})
        secret, replaced = replace_default_passwords(secret, previous_secret or {})
        self.warnings.extend(
            f"{location}.{key}: Pigsty's well-known default password was replaced by a generated one"
            for key in replaced
        )
        return plain, secret

    def sync_items(self, model, parent: dict, requires: tuple, entries: list, where: Where, key=None,
                   exclude=()):
        """Create or update the declared items under `parent` and delete the ones no longer declared.

        `entries` are (field prefix, item) pairs. Items match existing objects by their `key` field, or by
        position when there is no key (HBA rules). A parent that could not be saved (None) gets its items
        validated on their own."""
        saved_parent = all(parent[name] is not None for name in requires)
        query = model.objects.filter(**parent) if saved_parent else model.objects.none()
        existing = list(query.order_by("id"))
        by_key = {str(getattr(obj, key)): obj for obj in existing} if key else {}
        kept = []
        names = {attr: pigsty for pigsty, attr in item_fields(model, exclude).items()}
        for index, (prefix, item) in enumerate(entries):
            item_where = replace(where, prefix=prefix, names=names)
            if not isinstance(item, dict):
                self.problems.add("must be a mapping", item_where, prefix.rstrip("."))
                continue
            values = to_model(model, item, exclude)
            if key:
                ident = str(values.get(key))
                parent_ids = tuple(getattr(v, "pk", v) for v in parent.values())
                if not self.writer.first_time((model, parent_ids, ident), item_where, item_where.field_name(key),
                                              f"{key} {ident} is declared twice"):
                    continue
                obj = by_key.get(ident) or model(**parent)
            else:
                obj = existing[index] if index < len(existing) else model(**parent)
            saved = self.writer.save(obj, values, item_where, requires=requires)
            if saved is not None:
                kept.append(saved.pk)
        if saved_parent:
            for stale in query.exclude(pk__in=kept):
                self.writer.delete(stale, where)
