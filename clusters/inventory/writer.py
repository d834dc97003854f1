"""Saving imported objects: update in place what exists (unchanged objects are not saved, so a re-import writes
no change-log rows), create what is new, and turn every model ValidationError into a located problem."""
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from .errors import Problems, Where

TIMESTAMPS = ("created", "last_updated")


def state(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in TIMESTAMPS}


class Writer:
    def __init__(self, problems: Problems):
        self.problems = problems
        self.seen = set()

    def first_time(self, key, where: Where, field_name: str, message: str) -> bool:
        """False (and a problem) when an object with this natural key was already imported in this run."""
        if key in self.seen:
            self.problems.add(message, where, field_name)
            return False
        self.seen.add(key)
        return True

    def save(self, obj, values: dict, where: Where, requires=(), parent=False):
        """Set `values` on `obj` and save it when it changed; return it, or None when it could not be saved.

        `requires` names the foreign keys that must be set: when one is missing (its object was invalid) the
        object is validated on its own so its problems are still reported. An invalid `parent` object is stored
        without validation when the database accepts it, so that its children are validated too; the import is
        refused (rolled back) anyway."""
        before = state(obj) if obj.pk else None
        for name, value in values.items():
            setattr(obj, name, value)
        missing = [name for name in requires if getattr(obj, f"{name}_id") is None]
        try:
            if missing:
                obj.full_clean(exclude=missing, validate_unique=False, validate_constraints=False)
                return None
            obj.clean_fields()
            if before is not None and state(obj) == before:
                return obj
            with transaction.atomic():
                obj.save()
            return obj
        except ValidationError as exc:
            self.problems.add_validation(exc, where)
            return self._store_unvalidated(obj) if parent and not missing else None

    def delete(self, obj, where: Where):
        """Delete an object the inventory no longer declares; one still in use elsewhere is a problem."""
        try:
            obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            used_by = sorted({str(o) for o in exc.args[1]})[:3]
            self.problems.add(f"{obj} is no longer in the inventory but is still used by {', '.join(used_by)}", where)

    @staticmethod
    def _store_unvalidated(obj):
        try:
            with transaction.atomic():
                models.Model.save(obj)
            return obj
        except (DatabaseError, TypeError, ValueError):
            return None
